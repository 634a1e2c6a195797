/**
 * The rejects workbook: the rejected rows only, for a person to fix in Excel or WPS and import
 * again as it is with the same pipeline. Each row starts with 原始行号 (its row number in the
 * source) and 错误原因 (why); then come the source's own columns, values typed as the source had
 * them (numbers as numbers, dates as dates; phone-like and leading-zero values stay text). The bad
 * cells are highlighted and carry the reason as a comment; columns are as wide as their content.
 * On re-import the two added columns are not mapped, so they are ignored; a rejects file imported
 * again gives a rejects file with fresh ones.
 *
 * Rows are written in source order. Imports finish rows out of order (several are in flight), so
 * rejects are held until the end: in memory up to MEMORY_CHARS characters of cell text (a few tens
 * of MB), beyond that as sorted runs in temporary files beside the workbook, merged when it is
 * written. Memory stays bounded whatever the number of rejects; the workbook itself is streamed
 * with exceljs's WorkbookWriter.
 *
 * Excel holds at most 32,767 characters in a cell and no control characters: a longer value is
 * cut with a visible note and kept whole in rejects-full-values.csv beside the workbook; control
 * characters (NUL bytes of a damaged file) are left out, as the row's problem says.
 */
import type ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { createReadStream, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { exceljs } from '../lazy-exceljs.js';
import { columnLetter, type RowProblem } from '../errors.js';
import type { Cell } from '../sources/types.js';
import { normalizeHeader } from '../validate/index.js';
import { LineFile } from './line-file.js';
import { scrub } from '../erp/scrub.js';
import { lang, rowReason } from './lang.js';
import { ensureDir } from '../ensure-dir.js';

export const ROW_HEADER = '原始行号';
export const REASON_HEADER = '错误原因';

/** Excel's limit of characters in one cell. */
export const EXCEL_CELL_MAX = 32_767;
export const FULL_VALUES_FILE = 'rejects-full-values.csv';
/** Cell text held in memory before sorted rows go to a temporary file (2 bytes a character, plus objects). */
export const MEMORY_CHARS = 8 * 1024 * 1024;
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

/**
 * A cell's text as a number cell, when that is what it is: canonical (what Excel's General format
 * shows back, so a re-import reads the same text) and not phone-like. Integers of 7 digits and
 * more (phones, QQ, ids) and anything with a leading zero (邮编 010010) stay text.
 */
export function asNumber(text: string): number | undefined {
  if (!/^-?(0|[1-9]\d{0,14})(\.\d{0,9}[1-9])?$/.test(text)) return undefined;
  if (!text.includes('.') && text.replace('-', '').length >= 7) return undefined;
  const n = Number(text);
  return String(n) === text ? n : undefined;
}

/** `YYYY-MM-DD[ HH:mm:ss]` as the date Excel stores (wall clock, no zone). */
function asDate(text: string): { value: Date; numFmt: string } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)));
  return Number.isNaN(d.getTime()) ? undefined : { value: d, numFmt: m[4] ? 'yyyy-mm-dd hh:mm:ss' : 'yyyy-mm-dd' };
}

/** Display width in Excel's character units: CJK and other wide characters take two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += ch.codePointAt(0)! > 0x2e7f ? 2 : 1;
  return w;
}

const BAD_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };
const ADDED_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } };
const ADDED_NOTE = 'zbport 添加的列，修改后重新导入时会被忽略 / added by zbport: ignored when the file is imported again';

export interface RejectsWorkbookOptions {
  file: string;
  /** Sheet name of the source, so the pipeline's `sheet` setting finds it again. */
  sheet: string;
  headers: string[];
  /** Header row of the source: blank rows are written above it so the pipeline's headerRow still fits. */
  headerRow: number;
  /** Cell text held in memory before spilling to disk (tests lower it). */
  memoryChars?: number;
}

/** One rejected row as held until the workbook is written (and as a line of a spill file). */
interface Held {
  row: number;
  seq: number;
  /** The kept source columns' cells, then the ragged ones beyond the header. */
  cells: Array<Cell | null>;
  reasons: string;
  /** Output column (0-based among the cells) → comment for the bad cell. */
  marks: Array<[number, string]>;
}

export class RejectsWorkbook {
  /** Source columns written (the source's own 原始行号/错误原因 columns are replaced, not repeated). */
  private readonly keep: number[];
  private readonly widths: number[];
  private held: Held[] = [];
  private heldChars = 0;
  private seq = 0;
  private readonly runs: string[] = [];
  private fullValues: LineFile | undefined;
  count = 0;

  constructor(private readonly opts: RejectsWorkbookOptions) {
    const added = new Set([normalizeHeader(ROW_HEADER), normalizeHeader(REASON_HEADER)]);
    this.keep = opts.headers.map((_, i) => i).filter((i) => !added.has(normalizeHeader(opts.headers[i])));
    this.widths = [displayWidth(ROW_HEADER), displayWidth(REASON_HEADER), ...this.keep.map((i) => displayWidth(opts.headers[i]))];
  }

  /**
   * Adds one rejected row (nothing is written before close).
   * @param row its row number in the source; by default the one its problems name.
   */
  add(cells: Cell[], problems: RowProblem[], row = problems.find((p) => p.row !== undefined)?.row ?? 0): void {
    const out: Array<Cell | null> = [];
    const take = (i: number) => {
      let c = cells[i];
      if (typeof c === 'string') {
        const fit = excelCellText(c);
        if (fit.cut) this.keepFullValue(row, this.opts.headers[i] || columnLetter(i + 1), c);
        c = fit.text;
      }
      out.push(c === undefined || c === '' ? null : c);
    };
    for (const i of this.keep) take(i);
    // Cells beyond the header (ragged rows) are kept too: nothing of the source row is dropped.
    for (let i = this.opts.headers.length; i < cells.length; i++) take(i);
    // The reasons may quote the ERP: scrubbed once more (the row's own cells are the user's data).
    const l = lang();
    const reasons = excelCellText(scrub(problems.map((p) => `${p.column ? `${p.column}${l === 'en' ? ': ' : '：'}` : ''}${rowReason(p.message, l)}`).join(l === 'en' ? '; ' : '；')), CUT_REASON_NOTE).text;
    const marks: Array<[number, string]> = [];
    for (const p of problems) {
      const src = sourceIndex(p, this.opts.headers);
      const at = src === undefined ? -1 : this.keep.indexOf(src);
      const said = l === 'both' ? `${p.message.zh}\n${p.message.en}` : rowReason(p.message, l);
      if (at >= 0) marks.push([at, excelCellText(scrub(`${p.code}: ${said}`), '…').text]);
    }
    const held: Held = { row, seq: this.seq++, cells: out, reasons, marks };
    this.measure(held);
    this.held.push(held);
    this.heldChars += 64 + reasons.length + marks.reduce((n, m) => n + m[1].length, 0) + out.reduce((n, c) => n + (typeof c === 'string' ? c.length : 16), 0);
    this.count++;
    if (this.heldChars >= (this.opts.memoryChars ?? MEMORY_CHARS)) this.spill();
  }

  /** Column widths fitted to what is written (at most 60 characters wide, notes wrap). */
  private measure(h: Held): void {
    const w = this.widths;
    w[0] = Math.max(w[0], String(h.row).length);
    w[1] = Math.max(w[1], Math.min(60, displayWidth(h.reasons)));
    h.cells.forEach((c, i) => {
      if (c === null || c === undefined) return;
      const width = typeof c === 'string' ? Math.min(60, displayWidth(c)) : c.kind === 'date' ? (c.text.length > 10 ? 19 : 10) : c.text.length;
      if (!(width <= (w[2 + i] ?? 0))) w[2 + i] = width;
    });
  }

  /** Rows held so far, sorted, to a temporary file beside the workbook. */
  private spill(): void {
    this.held.sort(bySourceOrder);
    const file = path.join(path.dirname(this.opts.file), `.rejects-${process.pid}-${this.runs.length}.jsonl.tmp`);
    ensureDir(path.dirname(file));
    writeFileSync(file, this.held.map((h) => JSON.stringify(h)).join('\n') + '\n');
    this.runs.push(file);
    this.held = [];
    this.heldChars = 0;
  }

  /** A value cut in the workbook, written whole beside it (the file appears with the first one). */
  private keepFullValue(row: number, column: string, value: string): void {
    this.fullValues ??= new LineFile(path.join(path.dirname(this.opts.file), FULL_VALUES_FILE), `\uFEFF${stringify([['行号 row', '列 column', '完整内容 full value']], { record_delimiter: 'windows' })}`);
    this.fullValues.write(stringify([[row || '', column, value]], { record_delimiter: 'windows' }));
  }

  /** Writes the workbook; returns its path, or undefined when there was nothing to reject. */
  async close(): Promise<string | undefined> {
    this.fullValues?.close();
    if (!this.count) return undefined;
    try {
      ensureDir(path.dirname(this.opts.file));
      const workbook = new (exceljs()).stream.xlsx.WorkbookWriter({ filename: this.opts.file, useSharedStrings: false, useStyles: true });
      // Excel's rules for sheet names (a crafted source may break them; exceljs would throw).
      const name = this.opts.sheet.replace(/[*?:\\/[\]]/g, '_').slice(0, 31) || 'Sheet1';
      const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 2, ySplit: this.opts.headerRow }] });
      sheet.columns = this.widths.map((w) => ({ width: Math.max(6, Math.min(62, w + 2)) }));
      let next = this.opts.headerRow;
      const header = sheet.getRow(next++);
      header.values = [ROW_HEADER, REASON_HEADER, ...this.keep.map((i) => excelCellText(this.opts.headers[i], '…').text)];
      header.font = { bold: true };
      for (const c of [1, 2]) {
        header.getCell(c).fill = c === 2 ? BAD_FILL : ADDED_FILL;
        header.getCell(c).note = ADDED_NOTE;
      }
      header.commit();
      for await (const h of this.inSourceOrder()) {
        const row = sheet.getRow(next++);
        row.getCell(1).value = h.row || null;
        row.getCell(2).value = h.reasons;
        h.cells.forEach((c, i) => {
          if (c === null || c === undefined) return;
          const cell = row.getCell(3 + i);
          if (typeof c === 'string') {
            cell.value = asNumber(c) ?? c;
          } else if (c.kind === 'date') {
            const d = asDate(c.text);
            cell.value = d?.value ?? c.text;
            if (d) cell.numFmt = d.numFmt;
          } else {
            cell.value = { error: c.text } as ExcelJS.CellErrorValue;
          }
        });
        for (const [at, note] of h.marks) {
          const cell = row.getCell(3 + at);
          cell.fill = BAD_FILL;
          cell.note = note;
        }
        row.commit();
      }
      (sheet as unknown as { commit(): void }).commit();
      await workbook.commit();
      return this.opts.file;
    } finally {
      for (const f of this.runs) rmSync(f, { force: true });
    }
  }

  /** Held rows and spilled runs merged by source row. */
  private async *inSourceOrder(): AsyncGenerator<Held> {
    this.held.sort(bySourceOrder);
    const sources: Array<AsyncIterator<Held> | Iterator<Held>> = [this.held[Symbol.iterator](), ...this.runs.map(readRun)];
    const heads: Array<Held | undefined> = [];
    for (const s of sources) heads.push((await s.next()).value);
    for (;;) {
      let best = -1;
      heads.forEach((h, i) => {
        if (h && (best < 0 || bySourceOrder(h, heads[best]!) < 0)) best = i;
      });
      if (best < 0) return;
      yield heads[best]!;
      heads[best] = (await sources[best].next()).value;
    }
  }
}

function bySourceOrder(a: Held, b: Held): number {
  return a.row - b.row || a.seq - b.seq;
}

async function* readRun(file: string): AsyncGenerator<Held> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as Held;
}

/** The source column a problem names: by its letter, else by its header. */
function sourceIndex(p: RowProblem, headers: string[]): number | undefined {
  if (p.columnLetter) {
    let n = 0;
    for (const ch of p.columnLetter.toUpperCase()) n = n * 26 + ch.charCodeAt(0) - 64;
    if (n > 0) return n - 1;
  }
  const i = p.column !== undefined ? headers.indexOf(p.column) : -1;
  return i >= 0 ? i : undefined;
}
