/**
 * The rejects workbook: the rejected rows only, with their original columns and values, so an
 * admin can fix them and re-import the file as it is with the same pipeline. An extra 错误原因
 * column says why; the bad cells are highlighted and carry a comment.
 * Streamed with exceljs's WorkbookWriter, so a million rejects do not sit in memory.
 */
import type ExcelJS from 'exceljs';
import { exceljs } from '../lazy-exceljs.js';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RowProblem } from '../errors.js';
import { cellText, type Cell } from '../sources/types.js';

export const REASON_HEADER = '错误原因';

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
  count = 0;

  constructor(private readonly opts: RejectsWorkbookOptions) {}

  /** Adds one rejected row; the workbook file is created on the first call only. */
  add(cells: Cell[], problems: RowProblem[]): void {
    const sheet = this.sheet ?? this.start();
    const values = this.opts.headers.map((_, i) => cellText(cells[i]));
    // Cells beyond the header (ragged rows) are kept too: nothing of the source row is dropped.
    for (let i = this.opts.headers.length; i < cells.length; i++) values.push(cellText(cells[i]));
    const reasons = problems.map((p) => `${p.column ? `${p.column}：` : ''}${p.message.zh}`).join('；');
    const row = sheet.getRow(this.nextRow++);
    row.values = [...values.slice(0, this.opts.headers.length), reasons, ...values.slice(this.opts.headers.length)];
    for (const p of problems) {
      const idx = p.column !== undefined ? this.opts.headers.indexOf(p.column) : -1;
      if (idx < 0) continue;
      const cell = row.getCell(idx + 1);
      cell.fill = BAD_FILL;
      cell.note = `${p.code}: ${p.message.zh}\n${p.message.en}`;
    }
    row.commit();
    this.count++;
  }

  private start(): ExcelJS.Worksheet {
    mkdirSync(path.dirname(this.opts.file), { recursive: true });
    this.workbook = new (exceljs()).stream.xlsx.WorkbookWriter({ filename: this.opts.file, useSharedStrings: false, useStyles: true });
    const sheet = this.workbook.addWorksheet(this.opts.sheet, { views: [{ state: 'frozen', ySplit: this.opts.headerRow }] });
    this.nextRow = this.opts.headerRow;
    const header = sheet.getRow(this.nextRow++);
    header.values = [...this.opts.headers, REASON_HEADER];
    header.font = { bold: true };
    header.getCell(this.opts.headers.length + 1).fill = BAD_FILL;
    header.commit();
    this.sheet = sheet;
    return sheet;
  }

  /** Finishes the file; returns its path, or undefined when there was nothing to reject. */
  async close(): Promise<string | undefined> {
    if (!this.workbook || !this.sheet) return undefined;
    (this.sheet as unknown as { commit(): void }).commit();
    await this.workbook.commit();
    return this.opts.file;
  }
}
