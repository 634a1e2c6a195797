/**
 * Rows crossing from the parsing thread to the main thread, packed as one string per batch:
 * structured cloning of arrays of arrays costs more than the parse itself, while one string is
 * copied in a single move and split back natively.
 *
 * A batch is its rows' lines joined by U+0001. A line is the row number, then either U+0000 and
 * the cells joined by U+0000, or U+0002 and the cells as JSON (when a cell holds U+0000 or U+0001
 * itself: JSON escapes them).
 */
import type { SourceRow } from '../types.js';

const CELL = '\u0000';
const ROW = '\u0001';
const AS_JSON = '\u0002';

/**
 * `mayHoldSeparators`: false when the caller knows no cell holds U+0000 or U+0001 (the decoder
 * saw none in the file so far), which spares looking at every cell.
 */
export function packRow(row: number, cells: string[], mayHoldSeparators = true): string {
  if (mayHoldSeparators) {
    for (const c of cells) if (c.includes(CELL) || c.includes(ROW)) return `${row}${AS_JSON}${JSON.stringify(cells)}`;
  }
  return `${row}${CELL}${cells.join(CELL)}`;
}

export function packBatch(lines: string[]): string {
  return lines.join(ROW);
}

/**
 * The rows of a batch, one at a time: rows made all at once would outlive a young-generation
 * collection together and be promoted, and the old generation would fill with them.
 * `special` sees the rows whose cells hold U+0000 or U+0001 (the only ones packed as JSON).
 */
export function* unpackBatch(batch: string, special?: (row: SourceRow) => void): Generator<SourceRow> {
  if (batch === '') return;
  for (const line of batch.split(ROW)) {
    // JSON escapes U+0000, so a JSON line is one part: its row number, U+0002, the JSON.
    const cells = line.split(CELL);
    if (cells.length === 1 && line.includes(AS_JSON)) {
      const at = line.indexOf(AS_JSON);
      const row: SourceRow = { row: Number(line.slice(0, at)), cells: JSON.parse(line.slice(at + 1)) as string[] };
      special?.(row);
      yield row;
      continue;
    }
    const row = Number(cells.shift());
    yield { row, cells };
  }
}
