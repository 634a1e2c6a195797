/**
 * What every source reader yields: rows as a person sees them, one at a time, streamed.
 */
import type { RowProblem } from '../errors.js';
import type { RowPreparerOptions } from '../run/row-plan.js';

/**
 * One cell. CSV cells are always strings. Spreadsheet cells keep what the type tells:
 * - string: the text a person sees (numbers already formatted: 13800138000, never 1.38E+10);
 * - DateCell: a date/time cell, as wall-clock text with no timezone (`1985-12-31`, `1985-12-31 08:30:00`);
 * - ErrorCell: an error value such as `#N/A`;
 * - undefined: empty.
 */
export type Cell = string | DateCell | ErrorCell | undefined;

export interface DateCell {
  kind: 'date';
  /** `YYYY-MM-DD` or `YYYY-MM-DD HH:mm:ss`, local wall-clock. */
  text: string;
}

export interface ErrorCell {
  kind: 'error';
  /** `#N/A`, `#DIV/0!`, `#VALUE!` … */
  text: string;
}

export interface SourceRow {
  /** Row number as the user sees it (1-based, counting the header and any rows above it). */
  row: number;
  cells: Cell[];
  /**
   * What the reader already found wrong with the row (a cell holding NUL bytes): the row is
   * rejected with these, whatever else validation finds.
   */
  problems?: RowProblem[];
  /**
   * The row already validated where it was read (the CSV parsing thread), as RowPreparer.digest
   * made it; the preparer rebuilds its values from it instead of validating again.
   */
  prepared?: PreparedDigest;
}

/**
 * A mapped field in a digest, as the character code of its flag: the cell's text as it was, a
 * value that follows, or removed (blank or not). Codes, since digests are read and written by code.
 */
export const DIGEST_FLAGS = { cell: 0x63 /* c */, value: 0x76 /* v */, removed: 0x72 /* r */, removedBlank: 0x62 /* b */ } as const;

/** A valid row's values, compactly: a flag a mapped field (in the preparer's order), and the values flagged `value`. */
export interface PreparedDigest {
  flags: string;
  values: string[];
}

/** A source opened for reading. */
export interface SourceReader {
  /** File path as the user gave it, for messages. */
  file: string;
  /** Sheet name for workbooks; undefined for CSV. */
  sheet?: string;
  /** The header row's cells, as text. */
  headers: string[];
  /** 1-based row number of the header row. */
  headerRow: number;
  /** Data rows after the header; empty rows are skipped. Back-pressure: pulled one at a time. */
  rows: AsyncIterable<SourceRow>;
  /** How far reading has got, in bytes of the (sheet) stream, for progress bars and ETA. Optional. */
  progress?(): { done: number; total: number };
  /**
   * Lets the reader validate rows where it reads them, on a thread of its own (the CSV parsing
   * thread): rows then carry `prepared`. Readers without a thread leave it out.
   */
  validateWith?(options: RowPreparerOptions): void;
  /** Releases file handles early (when a run aborts). */
  close(): Promise<void>;
}

/** Options every reader takes. */
export interface SourceOptions {
  file: string;
  /** 1-based header row (default 1). */
  headerRow?: number;
}

export function cellText(cell: Cell): string {
  if (cell === undefined) return '';
  return typeof cell === 'string' ? cell : cell.text;
}
