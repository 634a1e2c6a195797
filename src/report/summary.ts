/**
 * What an import run reports when it ends: summary.json, the summary lines, the run report and the
 * exit status all read this one shape. The count identities (README): read = valid + invalid;
 * valid = the outcomes + lookupRejected + erpRejected + failed + interrupted;
 * rejected = invalid + lookupRejected + erpRejected.
 */
import type { LimitSummary } from '../erp/concurrency-limit.js';

export interface ImportSummary {
  pipeline: string;
  file: string;
  sheet?: string;
  target: string;
  dryRun: boolean;
  /**
   * Rows read = valid + invalid; valid = the outcomes below (created … wouldSkip) + lookupRejected
   * + erpRejected + failed + interrupted; rejected = invalid + lookupRejected + erpRejected.
   */
  read: number;
  /** Rows that passed validation. */
  valid: number;
  /** Rows rejected by validation, before any lookup. */
  invalid: number;
  /** Valid rows rejected by a lookup or a match (LOOKUP_MISS, LOOKUP_AMBIGUOUS, DUPLICATE_IN_FILE, EXISTS, NOT_FOUND). */
  lookupRejected: number;
  /** Valid rows the ERP refused to save (ERP_REJECTED). */
  erpRejected: number;
  /** Every rejected row: invalid + lookupRejected + erpRejected. */
  rejected: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  /** Rows whose write was cut short by an ERP outage: not bad rows; the next run resumes them. */
  interrupted: number;
  /** Rows of the file not yet attempted when the run stopped (a lower bound when counting took too long). */
  notAttempted: number;
  /** ZB's layout (`source.layout: zb`): rows of a customer's further contacts, which a customer import passes over. */
  continuationRows: number;
  doneEarlier: number;
  wouldCreate: number;
  wouldUpdate: number;
  wouldSkip: number;
  unmappedColumns: string[];
  durationMs: number;
  rowsPerSecond: number;
  /** The process's peak memory (resident set), for sizing scheduled runs. */
  peakRssMB?: number;
  aborted?: string;
  /** The error that stopped the run, when one did (typed ERP errors carry no secrets). */
  fatal?: { kind: string; message: string; details?: string[] };
  reports: { dir: string; rejects?: string; results?: string; summary?: string; report?: string };
  lookups: { companies: number; cacheHits: number; created?: number };
  /** Rejections by code, for a quick look. */
  problems: Record<string, number>;
  /** Requests in flight: fixed, or how the `auto` limit moved (median: over the run's second half). */
  concurrency?: LimitSummary;
}
