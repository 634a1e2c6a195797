import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { Parser } from 'csv-parse';
import { openCsv } from '../src/sources/csv/index.js';
import { MAX_ROW_CHARS } from '../src/sources/limits.js';
import { tempDir } from './helpers/files.js';
import { prng as mulberry32 } from '../src/emulator/seed.js';

/**
 * The CSV reader end to end (decoders, record splitter, numbering, messages), on files large
 * enough to be read in many chunks, in every encoding, on the main thread and on a parsing
 * thread: the rows are those csv-parse makes of the whole text with the options the reader used
 * before the splitter, and a malformed file fails at csv-parse's line.
 */


const WORDS = ['张三', '李四', '13800138000', 'a@b.cn', '深圳市南山区', 'x', '', '', ' 空格 ', '𠮷野家', '备注：客户关心交付', 'é'];
const QUOTED = ['"a,b"', '"两\r\n行"', '"两\n行"', '"说""好"""', '""', '"；;\t|"'];

function genFile(r: () => number, delimiter: string, rows: number, malformedAt: number): string {
  const ending = r() < 0.5 ? '\r\n' : '\n';
  const lines: string[] = [['姓名', '手机', '备注', '地址'].join(delimiter)];
  for (let i = 0; i < rows; i++) {
    if (r() < 0.02) {
      lines.push('');
      continue;
    }
    const width = 1 + Math.floor(r() * 5);
    const cells: string[] = [];
    for (let j = 0; j < width; j++) cells.push(r() < 0.25 ? QUOTED[Math.floor(r() * QUOTED.length)] : WORDS[Math.floor(r() * WORDS.length)]);
    if (i === malformedAt) cells.push(r() < 0.5 ? 'bad"quote' : '"closed" late');
    lines.push(cells.join(delimiter));
  }
  return lines.join(ending) + (r() < 0.7 ? ending : '');
}

interface Api {
  parse(b: Buffer | undefined, end: boolean, push: (r: string[]) => void, close: () => void): Error | undefined;
}

type Encoding = 'utf8' | 'utf8-bom' | 'gb18030' | 'utf16le-bom';

function encode(text: string, encoding: Encoding): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  if (encoding === 'utf8-bom') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
  if (encoding === 'gb18030') return iconv.encode(text, 'gb18030');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** What the reader made of a file before the splitter: csv-parse's records, numbered as a text editor shows lines. */
function expected(text: string, delimiter: string): { headers: string[]; rows: Array<[number, string[]]>; error?: string } {
  const rows: Array<[number, string[]]> = [];
  const records: string[][] = [];
  // csv-parse's core as its stream drives it, over the whole text: the records before an error too.
  const api = (new Parser({ delimiter, relax_column_count: true, skip_empty_lines: false, max_record_size: MAX_ROW_CHARS, bom: false }) as unknown as { api: Api }).api;
  const err = api.parse(Buffer.from(text), true, (record) => records.push(record), () => undefined) as { code: string; lines: number; message: string } | undefined;
  // As toInputError words it: every csv-parse code (INVALID_OPENING_QUOTE has no CSV_ prefix) is malformed CSV at its line.
  const error = err && `malformed CSV at line ${err.lines}: ${err.message}`;
  let line = 1;
  for (const record of records) {
    const start = line;
    line += 1 + record.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0);
    if (record.every((c) => c === '')) continue;
    rows.push([start, record]);
  }
  const [header, ...rest] = rows;
  return { headers: header[1].map((h) => h.trim()), rows: rest, error };
}

async function read(file: string, delimiter: string, threadMinBytes: number) {
  const rows: Array<[number, string[]]> = [];
  try {
    const r = await openCsv({ file, delimiter, threadMinBytes });
    for await (const row of r.rows) rows.push([row.row, row.cells as string[]]);
    return { headers: r.headers, rows };
  } catch (e) {
    return { rows, error: (e as Error).message };
  }
}

describe('CSV reader with the record splitter, against csv-parse', () => {
  const dir = tempDir();
  const r = mulberry32(90210);
  const encodings: Encoding[] = ['utf8', 'utf8-bom', 'gb18030', 'utf16le-bom'];
  for (let i = 0; i < 16; i++) {
    const encoding = encodings[i % 4];
    const delimiter = [',', ';', '\t', '||'][Math.floor(r() * 4)];
    // Some files well past the 64 KiB the reader reads at a time, some small.
    const size = i % 3 === 0 ? 40 : 3000 + Math.floor(r() * 3000);
    const malformedAt = i % 5 === 4 ? Math.floor(r() * size) : -1;
    const text = genFile(r, delimiter, size, malformedAt);
    const file = path.join(dir, `f${i}.csv`);
    writeFileSync(file, encode(text, encoding));
    const want = expected(text, delimiter);
    for (const [mode, threadMinBytes] of [['main thread', Infinity], ['parsing thread', 0]] as const) {
      it(`file ${i}: ${encoding}, delimiter ${JSON.stringify(delimiter)}, ${size} rows${malformedAt >= 0 ? ', malformed' : ''}, ${mode}`, async () => {
        const got = await read(file, delimiter, threadMinBytes);
        if (want.error) {
          expect(got.error).toContain(want.error);
          // The rows before the bad one may be read, or some of them: never others.
          expect(want.rows.slice(0, got.rows.length)).toEqual(got.rows);
        } else {
          expect(got.error).toBeUndefined();
          expect(got.headers).toEqual(want.headers);
          expect(got.rows).toEqual(want.rows);
        }
      });
    }
  }
});
