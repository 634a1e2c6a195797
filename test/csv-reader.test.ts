import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { openCsv } from '../src/sources/csv/index.js';
import { InputError } from '../src/errors.js';
import type { SourceRow } from '../src/sources/types.js';
import { tempDir, writeCsv } from './helpers/files.js';

// Every behaviour holds whether the file is parsed on the main thread or on a second one (large files).
let threadMinBytes = Infinity;

async function read(file: string, opts: Partial<Parameters<typeof openCsv>[0]> = {}) {
  const r = await openCsv({ file, threadMinBytes, ...opts });
  const rows: SourceRow[] = [];
  for await (const row of r.rows) rows.push(row);
  return { headers: r.headers, rows, headerRow: r.headerRow };
}

const ROWS = [['姓名', '手机', '备注'], ['张三', '13800138000', '含𠮷和䶮'], ['李四', '', 'a,b "引号"\r\n第二行']];

for (const [mode, minBytes] of [['on the main thread', Infinity], ['on a parsing thread', 0]] as const) describe(`CSV reader, ${mode}`, () => {
  beforeAll(() => {
    threadMinBytes = minBytes;
  });

  for (const enc of ['utf8', 'utf8-bom', 'gb18030', 'utf16le-bom'] as const) {
    it(`detects and decodes ${enc}`, async () => {
      const file = writeCsv(path.join(tempDir(), 'a.csv'), ROWS, enc);
      const { headers, rows } = await read(file);
      expect(headers).toEqual(ROWS[0]);
      expect(rows.map((r) => r.cells)).toEqual(ROWS.slice(1));
      expect(rows.map((r) => r.row)).toEqual([2, 3]);
    });
  }

  it('reads UTF-16 BE with BOM', async () => {
    const file = path.join(tempDir(), 'be.csv');
    writeFileSync(file, Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('姓名,手机\r\n王五,1\r\n', 'utf16be')]));
    expect((await read(file)).rows[0].cells).toEqual(['王五', '1']);
  });

  it('stops on undecodable bytes with the position and a hint, never a silent U+FFFD', async () => {
    const dir = tempDir();
    const gb = writeCsv(path.join(dir, 'gb.csv'), [['姓名'], ['张三'], ['李四']], 'gb18030');
    const err = await read(gb, { encoding: 'utf8' }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(gb);
    expect(err.message).toMatch(/line 1|第 1 行/);
    expect(err.details.join()).toMatch(/gb18030/i);

    const mixed = path.join(dir, 'mixed.csv');
    writeFileSync(mixed, Buffer.concat([Buffer.from('姓名\r\n张三\r\n', 'utf8'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('\r\n', 'utf8')]));
    const e2 = await read(mixed, { encoding: 'utf8' }).catch((e) => e);
    expect(e2).toBeInstanceOf(InputError);
    expect(e2.message).toMatch(/line 3|第 3 行/);
    expect(e2.message).toMatch(/byte 16|字节 16/);

    const bad16 = path.join(dir, 'bad.csv');
    writeFileSync(bad16, Buffer.concat([Buffer.from('姓名\r\n', 'utf8'), Buffer.from([0x81, 0x20])]));
    const e3 = await read(bad16, { encoding: 'gb18030' }).catch((e) => e);
    expect(e3).toBeInstanceOf(InputError);
  });

  it('detects the delimiter, or takes the one set', async () => {
    const dir = tempDir();
    for (const d of ['\t', ';', '|']) {
      const file = path.join(dir, `d${d.charCodeAt(0)}.csv`);
      writeFileSync(file, `姓名${d}"手,机"\n张三${d}1\n`);
      expect((await read(file)).headers, JSON.stringify(d)).toEqual(['姓名', '手,机']);
    }
    const semi = path.join(dir, 'semi.csv');
    writeFileSync(semi, 'a;b,c\n1;2,3\n');
    expect((await read(semi, { delimiter: ',' })).headers).toEqual(['a;b', 'c']);
  });

  it('counts rows as the lines a text editor shows, with a header further down and blank lines skipped', async () => {
    const file = path.join(tempDir(), 'l.csv');
    writeFileSync(file, '联系人导入\n\n姓名,备注\n张三,"两\n行"\n\n李四,x\n');
    const r = await read(file, { headerRow: 3 });
    expect(r.headerRow).toBe(3);
    expect(r.rows.map((x) => [x.row, x.cells[0]])).toEqual([[4, '张三'], [7, '李四']]);
  });

  it('handles a 1 MB cell and 10,000 columns', async () => {
    const dir = tempDir();
    const big = path.join(dir, 'big.csv');
    writeFileSync(big, `a,b\n${'长'.repeat(1_000_000)},x\n`);
    expect((await read(big)).rows[0].cells[0]).toHaveLength(1_000_000);
    const wide = path.join(dir, 'wide.csv');
    const cols = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
    writeFileSync(wide, `${cols.join(',')}\n${cols.map((_, i) => i).join(',')}\n`);
    const w = await read(wide);
    expect(w.headers).toHaveLength(10_000);
    expect(w.rows[0].cells[9999]).toBe('9999');
  });

  it('says clearly when a file is empty, binary, or has no header', async () => {
    const dir = tempDir();
    const cases: Array<[string, Buffer, RegExp]> = [
      ['empty.csv', Buffer.alloc(0), /为空|empty/],
      ['junk.csv', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), /二进制|binary/],
      ['blank.csv', Buffer.from('\r\n\r\n'), /表头|header/],
    ];
    for (const [name, content, pattern] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      const err = await read(file).catch((e) => e);
      expect(err, name).toBeInstanceOf(InputError);
      expect(err.message).toContain(file);
      expect(err.message).toMatch(pattern);
    }
    const header = path.join(dir, 'h.csv');
    writeFileSync(header, '姓名,手机\r\n');
    expect((await read(header)).rows).toEqual([]);
  });

  it('streams a large file row by row', async () => {
    const file = path.join(tempDir(), 'large.csv');
    const out = createWriteStream(file);
    out.write('姓名,手机,备注\n');
    for (let i = 0; i < 200_000; i++) out.write(`联系人${i},1${String(3e9 + i)},第${i}行的备注文本\n`);
    await new Promise((r) => out.end(r));
    const r = await openCsv({ file, threadMinBytes });
    let n = 0;
    let last: SourceRow | undefined;
    for await (const row of r.rows) {
      n++;
      last = row;
    }
    expect(n).toBe(200_000);
    expect(last).toEqual({ row: 200_001, cells: ['联系人199999', `1${3e9 + 199999}`, '第199999行的备注文本'] });
    expect(r.progress!().done).toBe(r.progress!().total);
  });
});

describe('CSV parsing thread', () => {
  it('passes cells holding the characters its batches are joined with, and every row of many batches, in order', async () => {
    const file = path.join(tempDir(), 'sep.csv');
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},"x${i === 1500 ? '\u0000a\u0001b' : ''}"`);
    writeFileSync(file, `n,v\n${rows.join('\n')}\n`);
    const r = await read(file, { threadMinBytes: 0, encoding: 'utf8' });
    expect(r.rows).toHaveLength(3000);
    expect(r.rows.every((x, i) => x.cells[0] === String(i) && x.row === i + 2)).toBe(true);
    expect(r.rows[1500].cells[1]).toBe('x\u0000a\u0001b');
    expect(r.rows[1501].cells[1]).toBe('x');
  });

  it('stops the thread when the reader is left early, and reports a mid-file error after the rows before it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'early.csv');
    writeFileSync(file, `n\n${Array.from({ length: 20_000 }, (_, i) => i).join('\n')}\n`);
    const r = await openCsv({ file, threadMinBytes: 0 });
    let n = 0;
    for await (const _ of r.rows) if (++n === 10) break;
    expect(n).toBe(10);

    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, Buffer.concat([Buffer.from(`n\n${Array.from({ length: 100_000 }, (_, i) => i).join('\n')}\n`), Buffer.from([0xff, 0x0a])]));
    const b = await openCsv({ file: bad, threadMinBytes: 0, encoding: 'utf8' });
    let seen = 0;
    const err = await (async () => {
      for await (const _ of b.rows) seen++;
    })().catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(bad);
    expect(err.message).toMatch(/line 100002|第 100002 行/);
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThanOrEqual(100_000);
  });
});
