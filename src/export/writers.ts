/**
 * Spreadsheet writers for exports, both streaming with bounded memory:
 * - XLSX through exceljs's WorkbookWriter with inline strings (measured here: shared strings cost
 *   about 2.3 GB for 200k rows against about 0.5 GB inline), a bold frozen header with an
 *   autofilter, text columns formatted as text, dates as real date cells, and further sheets
 *   when Excel's 1,048,576-row limit (or a lower one) is reached;
 * - CSV through csv-stringify in UTF-8 with BOM (Excel opens Chinese correctly), UTF-8 or GB18030,
 *   CRLF, RFC 4180 quoting, formula-like values escaped (cells.ts). CSV has no cell types: see
 *   CSV_NO_TYPES_NOTE.
 */
import type ExcelJS from 'exceljs';
import { exceljs } from '../lazy-exceljs.js';
import { stringify } from 'csv-stringify';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { escapeCsv, wallClockDate, type ExportColumn } from './cells.js';

export interface RowWriter {
  write(row: Record<string, string>): Promise<void>;
  close(): Promise<void>;
  /** Sheets written (xlsx) or 1. */
  sheets(): number;
}

export function xlsxWriter(file: string, columns: ExportColumn[], sheetName: string, maxRowsPerSheet: number): RowWriter {
  const wb = new (exceljs()).stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: true });
  let sheet: ExcelJS.Worksheet | undefined;
  let sheetCount = 0;
  let rowsInSheet = 0;
  const newSheet = () => {
    if (sheet) (sheet as unknown as { commit(): void }).commit();
    sheetCount++;
    const name = sheetCount === 1 ? sheetName : `${sheetName} (${sheetCount})`;
    sheet = wb.addWorksheet(name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((c) => ({
      key: c.id,
      width: c.width,
      style: c.kind === 'text' ? { numFmt: '@' } : c.kind === 'date' ? { numFmt: 'yyyy-mm-dd' } : c.kind === 'datetime' ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {},
    }));
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
    const header = sheet.getRow(1);
    header.values = columns.map((c) => c.caption);
    header.font = { bold: true };
    header.commit();
    rowsInSheet = 0;
  };
  return {
    async write(row) {
      if (!sheet || rowsInSheet >= maxRowsPerSheet) newSheet();
      const r = sheet!.getRow(rowsInSheet + 2);
      columns.forEach((c, i) => {
        const v = row[c.key] ?? '';
        if (v === '') return;
        const cell = r.getCell(i + 1);
        if (c.kind === 'number' && /^-?\d+(\.\d+)?$/.test(v)) cell.value = Number(v);
        else if (c.kind === 'date' || c.kind === 'datetime') cell.value = wallClockDate(v) ?? v;
        // Strings are written as strings, never as formulas: Excel shows `=1+1` as text.
        else cell.value = v;
      });
      r.commit();
      rowsInSheet++;
    },
    async close() {
      if (!sheet) newSheet();
      (sheet as unknown as { commit(): void }).commit();
      await wb.commit();
    },
    sheets: () => Math.max(1, sheetCount),
  };
}

/**
 * What CSV cannot carry, said wherever a CSV export is reported (stderr and the summary's note):
 * spreadsheet programs guess each cell's type when they open a CSV.
 */
export const CSV_NO_TYPES_NOTE =
  'CSV 不保存单元格类型：用 Excel、WPS 或 LibreOffice 直接打开时，邮编、QQ 等数字的前导零会丢失（010010 → 10010），长数字会显示为科学计数法；给用 Excel 的人请导出 .xlsx（把 output.file 改为 .xlsx），或在 Excel 中用“数据 → 自文本/CSV”导入并把这些列设为“文本” / ' +
  'CSV carries no cell types: opened directly in Excel, WPS or LibreOffice, leading zeros of 邮编/QQ are lost (010010 → 10010) and long numbers show as 1.38E+10; export .xlsx for people who open files in Excel (output.file ending in .xlsx), or load the CSV with Data → From Text/CSV and set those columns to Text';

/**
 * CSV through csv-stringify's stream (RFC 4180 quoting, CRLF, the BOM for utf8-bom), encoded to
 * GB18030 by iconv-lite's stream when asked, into the file. A row waits while the file is behind
 * (the stringifier's buffer full), so a slow disk slows the export instead of filling memory.
 */
export function csvWriter(file: string, columns: ExportColumn[], encoding: 'utf8-bom' | 'utf8' | 'gb18030'): RowWriter {
  const stringifier = stringify({ record_delimiter: 'windows', bom: encoding === 'utf8-bom' });
  // Text out (iconv-lite's encoder takes strings, not the UTF-8 bytes a stream gives by default).
  stringifier.setEncoding('utf8');
  const out = createWriteStream(file);
  const done = encoding === 'gb18030' ? pipeline(stringifier, iconv.encodeStream('gb18030'), out) : pipeline(stringifier, out);
  let failed: unknown;
  done.catch((e) => (failed ??= e));
  const put = async (record: string[]) => {
    if (failed) throw failed;
    // Until the file catches up; a failure on the way (disk full) ends the wait with its error.
    if (!stringifier.write(record)) await Promise.race([once(stringifier, 'drain'), done]);
  };
  let started = false;
  const start = async () => {
    started = true;
    await put(columns.map((c) => c.caption));
  };
  return {
    async write(row) {
      if (!started) await start();
      await put(columns.map((c) => escapeCsv(row[c.key] ?? '', c.kind)));
    },
    async close() {
      if (!started) await start();
      stringifier.end();
      await done;
    },
    sheets: () => 1,
  };
}
