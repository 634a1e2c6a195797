import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExportColumn } from './cells.js';
import { csvWriter } from './writers.js';

const COLUMNS: ExportColumn[] = [
  { id: 'person_name', key: 'person_name', caption: '联系人姓名', kind: 'text', width: 12 },
  { id: 'zip', key: 'zip', caption: '邮编', kind: 'text', width: 10 },
  { id: 'intro', key: 'intro', caption: '备注', kind: 'text', width: 20 },
  { id: 'age', key: 'age', caption: '年龄', kind: 'number', width: 6 },
];
const ROWS = Array.from({ length: 20_000 }, (_, i) => ({
  person_name: `张${i}`, zip: '010010', intro: i % 3 === 0 ? `逗号,引号"和\r\n换行 ${i}` : i % 3 === 1 ? '=HYPERLINK("http://x")' : '', age: i % 2 ? '-5' : '30',
}));

describe('CSV export writer (csv-stringify)', () => {
  for (const encoding of ['utf8-bom', 'utf8', 'gb18030'] as const) {
    it(`writes ${encoding}: header, RFC 4180 quoting, CRLF, formulas escaped`, async () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'csvw-')), 'out.csv');
      const w = csvWriter(file, COLUMNS, encoding);
      for (const r of ROWS) await w.write(r);
      await w.close();
      const bytes = readFileSync(file);
      expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(encoding === 'utf8-bom');
      const text = encoding === 'gb18030' ? iconv.decode(bytes, 'gb18030') : bytes.toString('utf8').replace(/^\uFEFF/, '');
      expect(text.startsWith('联系人姓名,邮编,备注,年龄\r\n')).toBe(true);
      const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
      expect(rows).toHaveLength(ROWS.length);
      expect(rows[0]).toEqual({ 联系人姓名: '张0', 邮编: '010010', 备注: '逗号,引号"和\r\n换行 0', 年龄: '30' });
      expect(rows[1]).toMatchObject({ 备注: `'=HYPERLINK("http://x")`, 年龄: '-5' });
    });
  }

  it('an empty export still has its header', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'csvw-')), 'empty.csv');
    const w = csvWriter(file, COLUMNS, 'utf8');
    await w.close();
    expect(readFileSync(file, 'utf8')).toBe('联系人姓名,邮编,备注,年龄\r\n');
  });

  it('a file that cannot be written fails the export instead of hanging', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'csvw-')), 'no-such-folder', 'x.csv');
    const w = csvWriter(file, COLUMNS, 'utf8');
    await expect((async () => {
      for (const r of ROWS) await w.write(r);
      await w.close();
    })()).rejects.toThrow(/ENOENT/);
  });
});
