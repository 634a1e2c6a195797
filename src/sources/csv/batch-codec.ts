/**
 * Rows crossing from the parsing thread to the main thread, packed as one string per batch:
 * structured cloning of arrays of arrays costs more than the parse itself, while one string is
 * copied in a single move and split back natively. Cells are joined by U+0000 and rows by
 * U+0001; a batch whose text holds either character is sent as JSON instead.
 */
import type { SourceRow } from '../types.js';

const CELL = '\u0000';
const ROW = '\u0001';

export interface PackedRows {
  /** `t` for separator-joined text, `j` for JSON. */
  f: 't' | 'j';
  d: string;
}

/**
 * `mayHoldSeparators`: false when the caller knows no cell holds U+0000 or U+0001 (the decoder
 * saw none in the file so far), which spares looking at every cell.
 */
export function packRows(rows: Array<{ row: number; cells: string[] }>, mayHoldSeparators = true): PackedRows {
  const lines: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const { row, cells } = rows[i];
    if (mayHoldSeparators) {
      for (const c of cells) {
        if (c.includes(CELL) || c.includes(ROW)) return { f: 'j', d: JSON.stringify(rows) };
      }
    }
    lines[i] = `${row}${CELL}${cells.join(CELL)}`;
  }
  return { f: 't', d: lines.join(ROW) };
}

export function unpackRows(p: PackedRows): SourceRow[] {
  if (p.f === 'j') return JSON.parse(p.d) as SourceRow[];
  if (p.d === '') return [];
  const lines = p.d.split(ROW);
  const out: SourceRow[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const cells = lines[i].split(CELL);
    out[i] = { row: Number(cells[0]), cells: cells.slice(1) };
  }
  return out;
}
