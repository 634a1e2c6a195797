/**
 * Rows crossing from the parsing thread to the main thread, packed as one string per batch:
 * structured cloning of arrays of arrays costs more than the parse itself, while one string is
 * copied in a single move and split back natively.
 *
 * A batch is its rows' lines joined by U+0001. A line is the row number, then either U+0000 and
 * the cells joined by U+0000, or U+0002 and the cells as JSON (when a cell holds U+0000 or U+0001
 * itself: JSON escapes them). A row validated on the parsing thread has U+0003 and its digest's
 * flags after the number, then its digest's values before the cells, all joined by U+0000.
 */
import { DIGEST_FLAGS, type PreparedDigest, type SourceRow } from '../types.js';

const CELL = '\u0000';
const ROW = '\u0001';
const AS_JSON = '\u0002';
const DIGEST = '\u0003';
const NO_VALUES: string[] = [];

/**
 * `mayHoldSeparators`: false when the caller knows no cell holds U+0000 or U+0001 (the decoder
 * saw none in the file so far), which spares looking at every cell.
 */
export function packRow(row: number, cells: string[], mayHoldSeparators = true, digest?: PreparedDigest): string {
  if (mayHoldSeparators) {
    // The digest goes too only in the plain form: the row is validated again on the main thread.
    for (const c of cells) if (c.includes(CELL) || c.includes(ROW)) return `${row}${AS_JSON}${JSON.stringify(cells)}`;
  }
  if (digest && !digest.values.some((v) => v.includes(CELL) || v.includes(ROW))) {
    return digest.values.length
      ? `${row}${DIGEST}${digest.flags}${CELL}${digest.values.join(CELL)}${CELL}${cells.join(CELL)}`
      : `${row}${DIGEST}${digest.flags}${CELL}${cells.join(CELL)}`;
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
    const head = cells[0];
    const at = head.indexOf(DIGEST);
    if (at < 0) {
      cells.shift();
      yield { row: Number(head), cells };
      continue;
    }
    const flags = head.slice(at + 1);
    let n = 0;
    for (let i = 0; i < flags.length; i++) if (flags.charCodeAt(i) === DIGEST_FLAGS.value) n++;
    const values = n ? cells.slice(1, 1 + n) : NO_VALUES;
    cells.splice(0, 1 + n);
    yield { row: Number(head.slice(0, at)), cells, prepared: { flags, values } };
  }
}
