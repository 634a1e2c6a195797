/**
 * What became of a row: one type from the write policies to results.csv, the summary, the run
 * report and the progress line, so every layer names the same outcomes.
 */
import type { RowProblemCode } from '../errors.js';

/** Written, or found already as the row wants it. */
export type DoneOutcome = 'created' | 'updated' | 'skipped' | 'unchanged' | 'done-earlier';
/** What a dry run predicts. */
export type PredictedOutcome = 'would-create' | 'would-update' | 'would-skip';
/** A row's outcome as results.csv and the run report show it. */
export type RowOutcome = DoneOutcome | PredictedOutcome | 'rejected' | 'failed' | 'interrupted';

export type WriteResult =
  | { outcome: DoneOutcome; ord?: string; note?: string }
  | { outcome: PredictedOutcome; ord?: string }
  | { outcome: 'rejected' | 'failed'; code: RowProblemCode; zh: string; en: string; ord?: string };

/** Outcomes that count as a row done well (or predicted so). */
export const OK_OUTCOMES: ReadonlySet<RowOutcome> = new Set<RowOutcome>(['created', 'updated', 'skipped', 'unchanged', 'done-earlier', 'would-create', 'would-update', 'would-skip']);

/** The summary counter each done or predicted outcome adds to. */
export const OUTCOME_COUNTER = {
  created: 'created', updated: 'updated', unchanged: 'unchanged', skipped: 'skipped', 'done-earlier': 'doneEarlier',
  'would-create': 'wouldCreate', 'would-update': 'wouldUpdate', 'would-skip': 'wouldSkip',
} as const satisfies Record<DoneOutcome | PredictedOutcome, string>;

interface ErpLikeError {
  kind?: string;
  message?: string;
  text?: string;
}

/** The ERP refused a save with its own words: the row is rejected with them. */
export function asRefusal(err: unknown): WriteResult | undefined {
  const e = err as ErpLikeError;
  if (e?.kind !== 'business') return undefined;
  const text = e.text ?? e.message ?? '';
  return { outcome: 'rejected', code: 'ERP_REJECTED', zh: `ERP 拒绝保存：${text}`, en: `the ERP refused the save: ${text}` };
}

/** Faults outlasted the retries. */
export function failedAfterRetries(err: unknown): WriteResult {
  const msg = (err as ErpLikeError | undefined)?.message ?? 'unknown fault';
  return { outcome: 'failed', code: 'ERP_FAILED', zh: `ERP 多次出错，未能保存：${msg}`, en: `the ERP kept failing, not saved: ${msg}` };
}
