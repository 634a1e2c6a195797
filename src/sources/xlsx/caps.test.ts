/**
 * The worksheet reader's caps on what a small crafted file can make it do (the CLI-level cases,
 * with exit status and memory, are in test/hostile-input.test.ts).
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { InputError } from '../../errors.js';
import { tempDir } from '../../../test/helpers/files.js';
import { cell, SHEET_HEAD, SHEET_TAIL, writeWorkbook } from '../../../test/helpers/zip-writer.js';
import { MAX_COLUMNS, MAX_ROW_CHARS } from '../limits.js';
import { columnIndex, openXlsx } from './index.js';

const SST = (items: string[]) => ({
  data: `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${items.map((t) => `<si><t>${t}</t></si>`).join('')}</sst>`,
});

async function read(file: string) {
  const r = await openXlsx({ file });
  const rows = [];
  for await (const row of r.rows) rows.push(row);
  return rows;
}

describe('worksheet caps', () => {
  const dir = tempDir();

  it('reads column letters up to XFD and no further, whatever the reference', () => {
    expect(columnIndex('A1')).toBe(0);
    expect(columnIndex('XFD1')).toBe(MAX_COLUMNS - 1);
    expect(columnIndex('XFE1')).toBe(MAX_COLUMNS);
    expect(columnIndex('EZZZZZ1')).toBe(MAX_COLUMNS);
    expect(columnIndex(`${'Z'.repeat(1000)}1`)).toBe(MAX_COLUMNS);
    expect(columnIndex('12')).toBe(-1);
  });

  it('counts a shared string each time a cell uses it: a row past 32 Mi characters is refused', async () => {
    const file = path.join(dir, 'amplified.xlsx');
    const refs = Array.from({ length: 1100 }, (_, i) => `<c r="${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26) % 26)}2" t="s"><v>0</v></c>`).join('');
    writeWorkbook(file, {
      'xl/sharedStrings.xml': SST(['长'.repeat(32_000)]),
      'xl/worksheets/sheet1.xml': { data: `${SHEET_HEAD}<row r="1">${cell('A1', '客户名称')}</row><row r="2">${refs}</row>${SHEET_TAIL}` },
    });
    const err = await read(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(new RegExp(`row 2: the row holds more than ${MAX_ROW_CHARS.toLocaleString('en-US')} characters`));
  });

  it('a NUL from an `_x0000_` escape is a row problem naming the column', async () => {
    const file = path.join(dir, 'nul.xlsx');
    writeWorkbook(file, {
      'xl/sharedStrings.xml': SST(['张_x0000_三']),
      'xl/worksheets/sheet1.xml': { data: `${SHEET_HEAD}<row r="1">${cell('A1', '客户名称')}${cell('B1', '姓名')}</row><row r="2">${cell('A2', '华为')}<c r="B2" t="s"><v>0</v></c></row><row r="3">${cell('A3', 'a_x0000_b')}</row><row r="4">${cell('A4', '好')}</row>${SHEET_TAIL}` },
    });
    const rows = await read(file);
    expect(rows.map((r) => r.problems?.map((p) => [p.code, p.row, p.column, p.columnLetter]))).toEqual([
      [['BAD_ENCODING', 2, '姓名', 'B']],
      [['BAD_ENCODING', 3, '客户名称', 'A']],
      undefined,
    ]);
  });
});
