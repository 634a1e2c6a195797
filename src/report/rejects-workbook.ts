/**
 * The rejects workbook: the rejected rows only, with their original columns and values, so an
 * admin can fix them and re-import the file as it is with the same pipeline. An extra 错误原因
 * column says why; the bad cells are highlighted and carry a comment.
 * Streamed with exceljs's WorkbookWriter, so a million rejects do not sit in memory.
 *
 * Excel holds at most 32,767 characters in a cell and no control characters: a longer value is
 * cut with a visible note and kept whole in rejects-full-values.csv beside the workbook; control
 * characters (NUL bytes of a damaged file) are left out, as the row's problem says.
 */
import type ExcelJS from 'exceljs';
import { exceljs } from '../lazy-exceljs.js';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { columnLetter, type RowProblem } from '../errors.js';
import { cellText, type Cell } from '../sources/types.js';
import { csvField, LineFile } from './line-file.js';
import { scrub } from '../erp/scrub.js';

export const REASON_HEADER = '错误原因';

/** Excel's limit of characters in one cell. */
export const EXCEL_CELL_MAX = 32_767;
export const FULL_VALUES_FILE = 'rejects-full-values.csv';
const CUT_NOTE = `…（已截断，完整内容见 ${FULL_VALUES_FILE} / truncated, full value in ${FULL_VALUES_FILE}）`;
const CUT_REASON_NOTE = '…（已截断，完整原因见 results.csv / truncated, full reason in results.csv）';
// Characters XML 1.0 cannot hold (tab, line feed and carriage return excepted).
const NOT_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const NOT_IN_XML_ALL = new RegExp(NOT_IN_XML.source, 'g');

/** A value as a cell can hold it: without control characters, cut to Excel's limit with `note` at the end. */
export function excelCellText(value: string, note = CUT_NOTE): { text: string; cut: boolean } {
  const clean = NOT_IN_XML.test(value) ? value.replace(NOT_IN_XML_ALL, '') : value;
  if (clean.length <= EXCEL_CELL_MAX) return { text: clean, cut: false };
  let end = EXCEL_CELL_MAX - note.length;
  // Never between the two halves of a surrogate pair.
  const c = clean.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return { text: clean.slice(0, end) + note, cut: true };
}

const BAD_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };

export interface RejectsWorkbookOptions {
  file: string;
  /** Sheet name of the source, so the pipeline's `sheet` setting finds it again. */
  sheet: string;
  headers: string[];
  /** Header row of the source: blank rows are written above it so the pipeline's headerRow still fits. */
  headerRow: number;
}

export class RejectsWorkbook {
  private workbook: ExcelJS.stream.xlsx.WorkbookWriter | undefined;
  private sheet: ExcelJS.Worksheet | undefined;
  private nextRow = 0;
  private fullValues: LineFile | undefined;
  count = 0;

  constructor(private readonly opts: RejectsWorkbookOptions) {}

  /** Adds one rejected row; the workbook file is created on the first call only. */
  add(cells: Cell[], problems: RowProblem[]): void {
    const sheet = this.sheet ?? this.start();
    const values = this.opts.headers.map((_, i) => cellText(cells[i]));
    // Cells beyond the header (ragged rows) are kept too: nothing of the source row is dropped.
    for (let i = this.opts.headers.length; i < cells.length; i++) values.push(cellText(cells[i]));
    for (let i = 0; i < values.length; i++) {
      const fit = excelCellText(values[i]);
      if (!fit.cut) {
        values[i] = fit.text;
        continue;
      }
      this.keepFullValue(problems[0]?.row, this.opts.headers[i] || columnLetter(i + 1), values[i]);
      values[i] = fit.text;
    }
    // The reasons may quote the ERP: scrubbed once more (the row's own cells are the user's data).
    const reasons = excelCellText(scrub(problems.map((p) => `${p.column ? `${p.column}：` : ''}${p.message.zh}`).join('；')), CUT_REASON_NOTE).text;
    const row = sheet.getRow(this.nextRow++);
    row.values = [...values.slice(0, this.opts.headers.length), reasons, ...values.slice(this.opts.headers.length)];
    for (const p of problems) {
      const idx = p.column !== undefined ? this.opts.headers.indexOf(p.column) : -1;
      if (idx < 0) continue;
      const cell = row.getCell(idx + 1);
      cell.fill = BAD_FILL;
      cell.note = excelCellText(scrub(`${p.code}: ${p.message.zh}\n${p.message.en}`), '…').text;
    }
    row.commit();
    this.count++;
  }

  /** A value cut in the workbook, written whole beside it (the file appears with the first one). */
  private keepFullValue(row: number | undefined, column: string, value: string): void {
    this.fullValues ??= new LineFile(path.join(path.dirname(this.opts.file), FULL_VALUES_FILE), '\uFEFF行号 row,列 column,完整内容 full value\r\n');
    this.fullValues.write(`${row ?? ''},${csvField(column)},${csvField(value)}\r\n`);
  }

  private start(): ExcelJS.Worksheet {
    mkdirSync(path.dirname(this.opts.file), { recursive: true });
    this.workbook = new (exceljs()).stream.xlsx.WorkbookWriter({ filename: this.opts.file, useSharedStrings: false, useStyles: true });
    // Excel's rules for sheet names (a crafted source may break them; exceljs would throw).
    const name = this.opts.sheet.replace(/[*?:\\/[\]]/g, '_').slice(0, 31) || 'Sheet1';
    const sheet = this.workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: this.opts.headerRow }] });
    this.nextRow = this.opts.headerRow;
    const header = sheet.getRow(this.nextRow++);
    header.values = [...this.opts.headers.map((h) => excelCellText(h, '…').text), REASON_HEADER];
    header.font = { bold: true };
    header.getCell(this.opts.headers.length + 1).fill = BAD_FILL;
    header.commit();
    this.sheet = sheet;
    return sheet;
  }

  /** Finishes the file; returns its path, or undefined when there was nothing to reject. */
  async close(): Promise<string | undefined> {
    this.fullValues?.close();
    if (!this.workbook || !this.sheet) return undefined;
    (this.sheet as unknown as { commit(): void }).commit();
    await this.workbook.commit();
    return this.opts.file;
  }
}
