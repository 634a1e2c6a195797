/**
 * The one home of zbport's retry timing: how long to wait before trying again, and how long to
 * wait for an answer at all.
 *
 * - Backoff is exponential with jitter ("equal jitter": half the step fixed, half random), so rows
 *   failing together do not retry in lockstep; a first retry is quick, because most faults of a
 *   busy ERP are single (a dropped connection, one error page), and the wait grows fast when they
 *   are not.
 * - A request's time limit follows the ERP's measured latency: a hung request must cost about as
 *   much as a slow answer, not the configured ceiling (measured: with 2% of requests hanging and a
 *   fixed 30 s limit, an import fell from 215 to 3 rows/s). The limit is 8 × the 99th percentile of
 *   recent answers, between a floor (500 ms) and the ceiling (`connection.timeoutMs`); until ten
 *   answers were seen it is the ceiling, capped at 5 s.
 */

/** Retries of a transient fault, unless a pipeline says otherwise (`write.retries`). */
export const DEFAULT_RETRIES = 5;

export const BACKOFF_BASE_MS = 50;
export const BACKOFF_MAX_MS = 8000;

/** Wait before retry `attempt` (1-based). */
export function backoffDelay(attempt: number, baseMs = BACKOFF_BASE_MS, maxMs = BACKOFF_MAX_MS): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return step / 2 + Math.random() * (step / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Sleeps before retry `attempt` (1-based). */
export function backoff(attempt: number): Promise<void> {
  return sleep(backoffDelay(attempt));
}

export const TIMEOUT_FLOOR_MS = 500;
const WARM_UP = 10;
const WINDOW = 256;
const INITIAL_CAP_MS = 5_000;

/** Recent answer times, and the time limit they justify. */
export class AdaptiveTimeout {
  private readonly samples = new Float64Array(WINDOW);
  private count = 0;
  private cached = 0;
  private cachedAt = -1;

  constructor(
    private readonly ceilingMs: number,
    private readonly floorMs = Math.min(TIMEOUT_FLOOR_MS, ceilingMs),
  ) {}

  /** An answer came after `ms`. */
  record(ms: number): void {
    this.samples[this.count % WINDOW] = ms;
    this.count++;
  }

  /** The time limit of the next request, in ms. */
  current(): number {
    if (this.count < WARM_UP) return Math.min(this.ceilingMs, INITIAL_CAP_MS);
    // Recomputed every 32 answers: sorting 256 numbers per request would cost more than it tells.
    if (this.cachedAt < 0 || this.count - this.cachedAt >= 32) {
      const n = Math.min(this.count, WINDOW);
      const sorted = Array.from(this.samples.subarray(0, n)).sort((a, b) => a - b);
      const p99 = sorted[Math.min(n - 1, Math.floor(n * 0.99))];
      this.cached = Math.min(this.ceilingMs, Math.max(this.floorMs, Math.ceil(8 * p99)));
      this.cachedAt = this.count;
    }
    return this.cached;
  }
}
