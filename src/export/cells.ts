/**
 * How an exported value is written: the column's kind (from the field catalog), and the
 * escaping that keeps spreadsheet programs from running a value as a formula.
 */
import type { ListField } from '../catalog/index.js';
import { parseDateText } from '../validate/dates.js';

export type ColumnKind = 'text' | 'number' | 'date' | 'datetime';

export interface ExportColumn {
  /** The sheet's column key (the logical key). */
  id: string;
  /** Key of the value in the client's mapped rows (the logical key, whatever the installation calls the column). */
  key: string;
  caption: string;
  kind: ColumnKind;
  /** Character width in Excel. */
  width: number;
}

/** Ids and phone-like columns are text, so leading zeros and long numbers survive. */
export function exportColumn(f: ListField, caption?: string): ExportColumn {
  const field = f.field;
  let kind: ColumnKind = 'text';
  if (f.type === 'date' || f.type === 'datetime') kind = f.key === 'date1' ? 'datetime' : 'date';
  else if ((f.type === 'int' || f.type === 'number') && !field?.key && f.key !== 'company' && !field?.textual) kind = 'number';
  const title = caption ?? f.caption;
  // CJK characters take two columns' width in Excel.
  const textWidth = [...title].reduce((w, ch) => w + (ch.charCodeAt(0) > 0xff ? 2 : 1), 0);
  const dataWidth = kind === 'date' ? 12 : kind === 'datetime' ? 20 : field?.textual ? 16 : field?.maxLength ? Math.min(40, Math.max(10, field.maxLength / 2)) : 12;
  return { id: f.key, key: f.key, caption: title, kind, width: Math.min(60, Math.max(textWidth + 2, dataWidth)) };
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A value a spreadsheet would take as a formula (OWASP CSV injection). */
export function looksLikeFormula(v: string): boolean {
  return FORMULA_START.test(v);
}

/**
 * CSV: a leading single quote makes Excel show the cell as text. Plain numbers in number columns
 * (`-5`) are numbers, not formulas, and are left alone.
 */
export function escapeCsv(v: string, kind: ColumnKind): string {
  if (!looksLikeFormula(v)) return v;
  if (kind === 'number' && /^[+-]?\d+(\.\d+)?$/.test(v)) return v;
  return `'${v}`;
}

/** A date as the list shows it → a Date at that wall-clock time in UTC (Excel has no zones). */
export function wallClockDate(v: string): Date | undefined {
  const r = parseDateText(v);
  if (!r.ok) return undefined;
  const [y, mo, d, h = 0, mi = 0, s = 0] = r.date.split(/[- :]/).map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}
