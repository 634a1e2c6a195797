/**
 * What a run did over time, for the HTML run report: rows finished (by outcome) and ERP requests
 * (latency, success) per time bucket, and row problems by code and by column.
 *
 * Memory is bounded whatever the run's length: at most `maxBuckets` buckets, each twice as wide
 * when the run outgrows them (neighbours merged), and latencies kept as a small log-scale
 * histogram per bucket instead of a list. Recording is a few additions: cheap enough to do for
 * every row and every request of a million-row run.
 */
import type { RowProblem } from '../errors.js';
import { OK_OUTCOMES, type RowOutcome } from '../write/outcomes.js';

/**
 * Latency histogram bins: bin 0 holds everything under LOW_MS, bin i ≥ 1 holds
 * [LOW_MS·2^((i-1)/STEPS), LOW_MS·2^(i/STEPS)). Reading a quantile back as the bin's geometric
 * middle is off by at most 2^(1/(2·STEPS)) − 1 ≈ 4.4 %, plenty for a chart, and bins of
 * different buckets add up exactly when buckets merge, which sampled or sketch-based estimators
 * of the usual libraries do not promise for 640 bytes a bucket.
 */
const LOW_MS = 0.1;
const STEPS = 8;
const BINS = 160; // up to 0.1 ms · 2^(159/8) ≈ 97 s; slower answers share the last bin
/** Distinct columns counted one by one; problems in further columns are counted together. */
const MAX_COLUMNS = 200;
/** Example messages are shown, not archived: long ones are cut. */
const MAX_EXAMPLE = 300;

export const OTHER_COLUMNS = '\u0000other';

export interface TimelineOptions {
  /** Most buckets kept (default 240); the width doubles when a run outgrows them. */
  maxBuckets?: number;
  /** First bucket width in ms (default 125: a short run still draws a curve; doubling reaches whole seconds). */
  bucketMs?: number;
  /** Monotonic clock in ms (tests pin it). */
  now?: () => number;
  /** Wall-clock start, for display (default Date.now()). */
  startedAt?: number;
}

interface Bucket {
  ok: number;
  rejected: number;
  failed: number;
  requests: number;
  failedRequests: number;
  /** Allocated on the bucket's first request. */
  latency?: Uint32Array;
}

/** One time bucket as the report shows it. */
export interface TimelinePoint {
  /** Offset of the bucket's start from the run's start, ms. */
  startMs: number;
  /** The bucket's width, ms (the last one may be cut short by the end of the run). */
  widthMs: number;
  ok: number;
  rejected: number;
  failed: number;
  requests: number;
  failedRequests: number;
  /** Latency quantiles of the bucket's requests, ms; undefined when it had none. */
  medianMs?: number;
  p95Ms?: number;
}

export interface ProblemStat {
  count: number;
  /** The first problem of this kind: where and what, as the rejects file says it. */
  example?: { row?: number; column?: string; message: string };
}

export interface TimelineSnapshot {
  /** Wall-clock start (epoch ms). */
  startedAt: number;
  /** Length of the recorded span, ms. */
  elapsedMs: number;
  bucketMs: number;
  points: TimelinePoint[];
  requests: { count: number; failed: number; medianMs?: number; p95Ms?: number; maxMs?: number };
  byCode: Record<string, ProblemStat>;
  /** Problems by source column header, most first ('' = the row as a whole; OTHER_COLUMNS, past the cap, last). */
  byColumn: Array<{ column: string; count: number; codes: Record<string, number> }>;
}

/** Outcomes that finish a row without a problem. */

export class RunTimeline {
  private readonly maxBuckets: number;
  private bucketMs: number;
  private readonly now: () => number;
  private readonly t0: number;
  readonly startedAt: number;
  private buckets: Bucket[] = [];
  private readonly total = new Uint32Array(BINS);
  private requests = 0;
  private failedRequests = 0;
  private maxMs = 0;
  private readonly byCode = new Map<string, ProblemStat>();
  private readonly byColumn = new Map<string, { count: number; codes: Map<string, number> }>();

  constructor(o: TimelineOptions = {}) {
    this.maxBuckets = Math.max(2, o.maxBuckets ?? 240);
    this.bucketMs = Math.max(1, o.bucketMs ?? 125);
    this.now = o.now ?? (() => performance.now());
    this.t0 = this.now();
    this.startedAt = o.startedAt ?? Date.now();
  }

  /** A row finished with this outcome; a rejected or failed one with its problems, counted by code and column. */
  row(outcome: RowOutcome, problems: readonly RowProblem[] = []): void {
    const b = this.bucket();
    if (outcome === 'rejected') b.rejected++;
    else if (outcome === 'failed') b.failed++;
    else if (OK_OUTCOMES.has(outcome)) b.ok++;
    for (const p of problems) {
      let c = this.byCode.get(p.code);
      if (!c) {
        c = { count: 0, example: { row: p.row, column: p.column, message: cut(p.message.zh || p.message.en, MAX_EXAMPLE) } };
        this.byCode.set(p.code, c);
      }
      c.count++;
      let key = p.column ?? '';
      if (!this.byColumn.has(key) && this.byColumn.size >= MAX_COLUMNS) key = OTHER_COLUMNS;
      let col = this.byColumn.get(key);
      if (!col) this.byColumn.set(key, (col = { count: 0, codes: new Map() }));
      col.count++;
      col.codes.set(p.code, (col.codes.get(p.code) ?? 0) + 1);
    }
  }

  /** An ERP request finished after `ms` (ok: an answer that was not a fault). */
  request(ms: number, ok: boolean): void {
    const b = this.bucket();
    b.requests++;
    this.requests++;
    if (!ok) {
      b.failedRequests++;
      this.failedRequests++;
    }
    const i = bin(ms);
    (b.latency ??= new Uint32Array(BINS))[i]++;
    this.total[i]++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** What was recorded so far, as plain data (JSON-safe). */
  snapshot(): TimelineSnapshot {
    const elapsed = Math.max(0, this.now() - this.t0);
    const points: TimelinePoint[] = [];
    this.buckets.forEach((b, i) => {
      if (!b) return;
      const startMs = i * this.bucketMs;
      points.push({
        startMs,
        widthMs: Math.max(1, Math.min(this.bucketMs, elapsed - startMs)),
        ok: b.ok, rejected: b.rejected, failed: b.failed, requests: b.requests, failedRequests: b.failedRequests,
        medianMs: b.latency && quantile(b.latency, 0.5), p95Ms: b.latency && quantile(b.latency, 0.95),
      });
    });
    const byCode: Record<string, ProblemStat> = {};
    for (const [code, s] of this.byCode) byCode[code] = { count: s.count, example: s.example && { ...s.example } };
    const byColumn = [...this.byColumn]
      .map(([column, c]) => ({ column, count: c.count, codes: Object.fromEntries(c.codes) }))
      .sort((a, b) => Number(a.column === OTHER_COLUMNS) - Number(b.column === OTHER_COLUMNS) || b.count - a.count || a.column.localeCompare(b.column));
    return {
      startedAt: this.startedAt, elapsedMs: elapsed, bucketMs: this.bucketMs, points,
      requests: {
        count: this.requests, failed: this.failedRequests,
        medianMs: this.requests ? quantile(this.total, 0.5) : undefined,
        p95Ms: this.requests ? quantile(this.total, 0.95) : undefined,
        maxMs: this.requests ? this.maxMs : undefined,
      },
      byCode, byColumn,
    };
  }

  /** The bucket of this moment, widening every bucket first when the run has outgrown them. */
  private bucket(): Bucket {
    const t = Math.max(0, this.now() - this.t0);
    let i = Math.floor(t / this.bucketMs);
    while (i >= this.maxBuckets) {
      this.widen();
      i = Math.floor(t / this.bucketMs);
    }
    return (this.buckets[i] ??= { ok: 0, rejected: 0, failed: 0, requests: 0, failedRequests: 0 });
  }

  /** Doubles the bucket width: neighbours 2k and 2k+1 become bucket k. */
  private widen(): void {
    const merged: Bucket[] = [];
    this.buckets.forEach((b, i) => {
      if (!b) return;
      const into = merged[i >> 1];
      if (!into) {
        merged[i >> 1] = b;
        return;
      }
      into.ok += b.ok;
      into.rejected += b.rejected;
      into.failed += b.failed;
      into.requests += b.requests;
      into.failedRequests += b.failedRequests;
      if (b.latency) {
        if (!into.latency) into.latency = b.latency;
        else for (let k = 0; k < BINS; k++) into.latency[k] += b.latency[k];
      }
    });
    this.buckets = merged;
    this.bucketMs *= 2;
  }
}

function bin(ms: number): number {
  if (!(ms >= LOW_MS)) return 0; // NaN and negatives too
  return Math.min(BINS - 1, 1 + Math.floor(Math.log2(ms / LOW_MS) * STEPS));
}

/** The q-quantile of a histogram, as its bin's geometric middle (bin 0: LOW_MS / 2). */
export function quantile(h: Uint32Array, q: number): number | undefined {
  let n = 0;
  for (const c of h) n += c;
  if (!n) return undefined;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i];
    if (seen >= rank) return i === 0 ? LOW_MS / 2 : LOW_MS * 2 ** ((i - 0.5) / STEPS);
  }
  return undefined;
}

/** Shortened for display, never inside a surrogate pair. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = /[\uD800-\uDBFF]/.test(s[max - 2]) ? max - 2 : max - 1;
  return `${s.slice(0, end)}…`;
}
