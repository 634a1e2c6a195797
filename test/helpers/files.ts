/**
 * Builds input files for tests: workbooks written with exceljs (as a person's Excel would hold
 * them: typed cells) and CSV text in any encoding.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type CellInput = string | number | Date | boolean | null | undefined | { formula: string; result?: unknown } | { error: string };

export function tempDir(prefix = 'zbport-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function writeXlsx(file: string, sheets: Record<string, CellInput[][]>): Promise<string> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    rows.forEach((r, i) => {
      const row = ws.getRow(i + 1);
      r.forEach((v, j) => {
        if (v === null || v === undefined) return;
        const cell = row.getCell(j + 1);
        if (typeof v === 'object' && 'error' in v) cell.value = { error: v.error } as ExcelJS.CellErrorValue;
        else if (typeof v === 'object' && 'formula' in v) cell.value = v as ExcelJS.CellFormulaValue;
        else cell.value = v as ExcelJS.CellValue;
        if (v instanceof Date) cell.numFmt = 'yyyy-mm-dd';
      });
      row.commit();
    });
  }
  await wb.xlsx.writeFile(file);
  return file;
}

export function writeCsv(file: string, rows: string[][], encoding: 'utf8' | 'utf8-bom' | 'gb18030' | 'utf16le-bom' = 'utf8'): string {
  const text = rows.map((r) => r.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\r\n') + '\r\n';
  let buf: Buffer;
  if (encoding === 'utf8') buf = Buffer.from(text, 'utf8');
  else if (encoding === 'utf8-bom') buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
  else if (encoding === 'gb18030') buf = iconv.encode(text, 'gb18030');
  else buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  writeFileSync(file, buf);
  return file;
}
