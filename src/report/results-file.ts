/**
 * The results file: one line per source row with its outcome and the ERP record id, so a
 * migration can be audited row by row. UTF-8 with BOM so Excel opens the Chinese correctly.
 *
 * Lines are formatted by csv-stringify (quoting, CRLF) in batches of BATCH rows and written with
 * synchronous writes (line-file.ts, 64 KiB at a time): memory stays bounded, a crash loses at most
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
/** Lines formatted at once: one csv-stringify call per row costs about 2 µs, per 256 rows a tenth of that. */
const BATCH = 256;
const CSV = { record_delimiter: 'windows' } as const;

export class ResultsFile {
  private readonly out: LineFile;
  private pending: string[][] = [];

  constructor(file: string) {
    this.out = new LineFile(file, `\uFEFF${stringify([RESULTS_HEADER], CSV)}`);
  }

  add(r: ResultLine): void {
    // The row number as text: csv-stringify's cast of a number cost 2% of a dry run's main thread.
    this.pending.push([String(r.row), r.outcome, r.ord ?? '', r.code ?? '', r.reason ? scrub(r.reason) : '', r.key ?? '']);
    if (this.pending.length >= BATCH) this.format();
  }

  private format(): void {
    if (!this.pending.length) return;
    this.out.write(stringify(this.pending, CSV));
    this.pending = [];
  }

  close(): string {
    this.format();
    this.out.close();
    return this.out.file;
  }
}
