/**
 * Error classes and stable codes shared by every layer.
 *
 * Three kinds of failure reach the user differently:
 * - ConfigError: the pipeline or the command line is wrong; exit 2, nothing was done.
 * - RowProblem: one row is bad; it is reported and the run goes on.
 * - InternalError: a bug; said as such.
 */

/** Stable codes for row-level problems. Never renumber or rename: reports and users rely on them. */
export type RowProblemCode =
  | 'REQUIRED'          // a required field is empty
  | 'TOO_LONG'          // over the field's limit in UTF-16 code units
  | 'NOT_INTEGER'
  | 'NOT_NUMBER'
  | 'BAD_DATE'          // unparseable or impossible date (1990-02-30)
  | 'OUT_OF_RANGE'      // a number or date outside the field's range (the catalog's)
  | 'BAD_ENUM'          // not one of the field's options
  | 'BAD_ENCODING'      // undecodable bytes in the source
  | 'CELL_ERROR'        // an Excel error cell such as #N/A
  | 'LOOKUP_MISS'       // no customer / contact with that name
  | 'LOOKUP_AMBIGUOUS'  // several customers / contacts match exactly
  | 'DUPLICATE_IN_FILE' // an earlier row of the same file has the same match key
  | 'EXISTS'            // insert mode, but the ERP already has the record
  | 'NOT_FOUND'         // update mode, but the ERP has no such record
  | 'ERP_REJECTED'      // the ERP refused the save with a message
  | 'ERP_UNVERIFIED'    // the save answered "ok" but the record could not be read back
  | 'ERP_FAILED'        // transient faults outlasted the retries
  | 'ROW_INVALID';      // anything else about the row's shape

/** Where a problem is, from the dataset down to the cell (csv-parse's InfoDataSet → InfoRecord → InfoField). */
export interface ProblemLocation {
  file?: string;
  sheet?: string;
  /** Row number as the user sees it in Excel or a text editor (1-based, header included). */
  row?: number;
  /** Column header as written in the source. */
  column?: string;
  /** Excel column letter (A, B, … AA). */
  columnLetter?: string;
}

export interface RowProblem extends ProblemLocation {
  code: RowProblemCode;
  /** Catalog field id the problem is about, when there is one. */
  field?: string;
  /** The offending value, shortened for display. */
  value?: string;
  message: { zh: string; en: string };
}

/** A problem with configuration or input that stops the run before any row is written (exit 2). */
export class ConfigError extends Error {
  override name = 'ConfigError';
  /** Lets a runner tell a configuration stop from an ERP failure without importing this class. */
  readonly kind: string = 'config';
  constructor(message: string, readonly details: string[] = []) {
    super(message);
  }
}

/**
 * The ERP cannot be reached or is not a ZB ERP at that address, found before any row is read.
 * `outage` (exit 3: try again later) or `config` (exit 2: fix the address, the account…).
 */
export class ConnectionError extends ConfigError {
  override name = 'ConnectionError';
  override readonly kind: 'config' | 'outage';
  constructor(message: string, readonly exitCode: 2 | 3, details: string[] = []) {
    super(message, details);
    this.kind = exitCode === 3 ? 'outage' : 'config';
  }
}

/** An input file that cannot be read at all (corrupt workbook, not a workbook, wrong encoding). */
export class InputError extends ConfigError {
  override name = 'InputError';
  constructor(readonly file: string, message: string, details: string[] = []) {
    super(`${file}: ${message}`, details);
  }
}

/** A bug in zbport rather than a problem with the user's input. */
export class InternalError extends Error {
  override name = 'InternalError';
}

/** 1-based column index → Excel letters (1 → A, 27 → AA). */
export function columnLetter(index1: number): string {
  let n = index1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Shortens a value for messages and reports, keeping whole code points. */
export function shorten(value: string, max = 60): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

