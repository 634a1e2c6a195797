/**
 * The results file: one line per source row with its outcome and the ERP record id, so a
 * migration can be audited row by row. UTF-8 with BOM so Excel opens the Chinese correctly.
 */
import { csvField, LineFile } from './line-file.js';
import { scrub } from '../erp/scrub.js';

export type RowOutcome = 'created' | 'updated' | 'skipped' | 'unchanged' | 'rejected' | 'failed' | 'interrupted' | 'would-create' | 'would-update' | 'would-skip' | 'done-earlier';

export interface ResultLine {
  row: number;
  outcome: RowOutcome;
  ord?: string;
  code?: string;
  reason?: string;
  key?: string;
}

export class ResultsFile {
  private readonly out: LineFile;
  constructor(file: string) {
    this.out = new LineFile(file, '\uFEFF行号 row,结果 outcome,ord,代码 code,原因 reason,匹配键 key\r\n');
  }
  add(r: ResultLine): void {
    this.out.write(`${r.row},${r.outcome},${r.ord ?? ''},${r.code ?? ''},${csvField(scrub(r.reason ?? ''))},${csvField(r.key ?? '')}\r\n`);
  }
  close(): string {
    this.out.close();
    return this.out.file;
  }
}
