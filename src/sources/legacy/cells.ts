/**
 * SheetJS cells → cells as a person sees them, by the same rules as the .xlsx reader: numbers
 * written out in full (13912345678, never 1.39E+10), `000000`-formatted numbers padded, numbers
 * in date formats as DateCell in the workbook's date system, text as it is (leading zeros kept),
 * formulas as their cached result, errors as ErrorCell.
 */
import type { CellObject, WorkSheet } from '@e965/xlsx';
import { InputError } from '../../errors.js';
import { fromExcelSerial } from '../../validate/dates.js';
import { formatNumber } from '../xlsx/index.js';
import { isDateFormat } from '../xlsx/parts.js';
import type { Cell, SourceRow } from '../types.js';
import { pickSheet } from '../pick-sheet.js';

/** BIFF error codes ([MS-XLS] 2.5.10 BErr), for error cells that come without their text. */
const ERRORS: Record<number, string> = { 0x00: '#NULL!', 0x07: '#DIV/0!', 0x0f: '#VALUE!', 0x17: '#REF!', 0x1d: '#NAME?', 0x24: '#NUM!', 0x2a: '#N/A', 0x2b: '#GETTING_DATA' };

export function toCell(c: CellObject | undefined, date1904: boolean): Cell {
  if (!c) return undefined;
  switch (c.t) {
    case 's': {
      const s = c.v === undefined || c.v === null ? '' : String(c.v);
      return s === '' ? undefined : s;
    }
    case 'b':
      return c.v ? 'TRUE' : 'FALSE';
    case 'e':
      return { kind: 'error', text: c.w || ERRORS[c.v as number] || '#VALUE!' };
    case 'd': {
      // Only with cellDates, which the reader does not ask for; kept for completeness.
      const d = c.v instanceof Date ? c.v : new Date(String(c.v));
      if (Number.isNaN(d.getTime())) return c.w || undefined;
      const iso = d.toISOString();
      const time = iso.slice(11, 19);
      return { kind: 'date', text: time === '00:00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}` };
    }
    case 'n': {
      const n = c.v as number;
      if (typeof n !== 'number' || !Number.isFinite(n)) return c.w || undefined;
      const code = typeof c.z === 'string' ? c.z : undefined;
      if (code && isDateFormat(code)) {
        const d = fromExcelSerial(n, date1904);
        if (d.ok) return { kind: 'date', text: d.date };
      }
      // LibreOffice saves a boolean in .ods as the number 1 or 0 shown through a BOOLEAN format;
      // SheetJS keeps the text shown beside the number.
      if (!code && (n === 1 || n === 0) && (c.w === 'TRUE' || c.w === 'FALSE')) return c.w;
      return formatNumber(n, code);
    }
    default:
      return undefined;
  }
}

/** A sheet's rows as SourceRows (row numbers as Excel shows them), empty rows left out. */
export function sheetRows(ws: WorkSheet, date1904: boolean): SourceRow[] {
  const data = (ws['!data'] ?? []) as Array<Array<CellObject | undefined> | undefined>;
  const out: SourceRow[] = [];
  for (let r = 0; r < data.length; r++) {
    const src = data[r];
    if (!src) continue;
    const cells: Cell[] = [];
    let last = -1;
    for (let c = 0; c < src.length; c++) {
      const v = toCell(src[c], date1904);
      if (v !== undefined) {
        cells[c] = v;
        last = c;
      }
    }
    if (last < 0) continue;
    // Holes (empty cells) become undefined, as the .xlsx reader gives them.
    out.push({ row: r + 1, cells: Array.from(cells) });
  }
  return out;
}

export interface SheetChoice {
  name: string;
  hidden: boolean;
}

export { pickSheet };

/** Header text of a header row's cells, as the .xlsx reader gives it. */
export function headerTexts(cells: Cell[]): string[] {
  return cells.map((c) => (c === undefined ? '' : typeof c === 'string' ? c.trim() : c.text));
}

/**
 * Excel's locale-dependent built-in formats (ids 27–36 and 50–58 are dates and times in Chinese
 * Excel) have no code in SheetJS's table when a file does not spell them out in a FORMAT record;
 * without these codes such dates would come out as serial numbers. The .xlsx reader knows the same
 * ids as dates.
 */
export const ZH_CN_BUILTIN_FORMATS: Record<number, string> = {
  27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: 'm-d-yy', 31: 'yyyy"年"m"月"d"日"',
  32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"', 36: 'yyyy"年"m"月"',
  50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"', 54: 'm"月"d"日"',
  55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"', 58: 'm"月"d"日"',
};
