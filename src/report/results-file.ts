/**
 * The results file: one line per source row with its outcome and the ERP record id, so a
 * migration can be audited row by row. UTF-8 with BOM so Excel opens the Chinese correctly.
 *
 * A line whose fields need no quoting is joined here; any other is formatted by csv-stringify
 * (quoting, CRLF). Lines are written with synchronous writes (line-file.ts, 64 KiB at a time):
 * memory stays bounded, a crash loses at most
 * the lines not yet written (the journal, not this file, is what makes re-runs exactly-once), and
 * callers (one per finished row) never wait on a stream. Synchronous writes are their own
 * back-pressure: the run goes no faster than the disk takes the lines.
 */
import { stringify } from 'csv-stringify/sync';
import { LineFile } from './line-file.js';
import { scrub } from '../erp/scrub.js';
import type { RowOutcome } from '../write/outcomes.js';

export type { RowOutcome };

export interface ResultLine {
  row: number;
  outcome: RowOutcome;
  ord?: string;
  code?: string;
  reason?: string;
  key?: string;
}

export const RESULTS_HEADER = ['行号 row', '结果 outcome', 'ord', '代码 code', '原因 reason', '匹配键 key'];
const CSV = { record_delimiter: 'windows' } as const;
/**
 * What makes csv-stringify quote a field with these options (the delimiter, the quote, a line
 * break). Joining plain fields by hand: a csv-stringify call costs about 2 µs a row, and batching
 * rows for it kept them alive long enough to be promoted (line-file.ts says what that cost).
 * results-file.test.ts checks the two agree.
 */
const NEEDS_QUOTES = /[",\r\n]/;

export class ResultsFile {
  private readonly out: LineFile;

  constructor(file: string) {
    this.out = new LineFile(file, `\uFEFF${stringify([RESULTS_HEADER], CSV)}`);
  }

  add(r: ResultLine): void {
    this.out.write(resultLine(r));
  }

  close(): string {
    this.out.close();
    return this.out.file;
  }
}

/** One line of the results file, CRLF included. */
export function resultLine(r: ResultLine): string {
  const ord = r.ord ?? '';
  const code = r.code ?? '';
  const reason = r.reason ? scrub(r.reason) : '';
  const key = r.key ?? '';
  // The row number and the outcome never need quotes.
  if (NEEDS_QUOTES.test(ord) || NEEDS_QUOTES.test(code) || NEEDS_QUOTES.test(reason) || NEEDS_QUOTES.test(key)) {
    return stringify([[String(r.row), r.outcome, ord, code, reason, key]], CSV);
  }
  return `${r.row},${r.outcome},${ord},${code},${reason},${key}\r\n`;
}
