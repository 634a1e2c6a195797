/**
 * `write.concurrency: auto`: how many requests (and rows) zbport keeps in flight, found from the
 * ERP's own answers instead of a number someone guessed.
 *
 * Which algorithm, and why (read against Netflix's concurrency-limits: AIMDLimit, VegasLimit,
 * Gradient2Limit):
 * - An ERP shows it is full in two ways, and the limit must hear both. Some refuse or fail the
 *   requests beyond what they can take (IIS "服务器太忙 (Server Too Busy)", HTTP 500, dropped
 *   connections, time-outs): that is a loss signal, and AIMD (additive increase, multiplicative
 *   decrease, as TCP Reno) settles on it with a small saw-tooth below the refusal point. Others
 *   queue them: answers come back later and later but never fail, and a loss-only AIMD would
 *   climb to the maximum while the ERP's queue grows. So latency is a second decrease signal.
 * - Gradient2 compares a short-term with a long-term average latency: under a load that lasts
 *   (a migration is hours of it) the long-term average catches up, the gradient returns to 1 and
 *   the limit grows again; it is built for services whose overloads come and go. Vegas compares
 *   each answer with the fastest one ever seen (minimum RTT): an import mixes requests whose
 *   no-load times differ (a list read, a save, a detail), so "slower than the fastest list read"
 *   would read as queueing all the time.
 * - Hence AIMD, judged per window of answers (at least 250 ms and one round of the limit, only
 *   answers to requests sent under the current limit), with a latency check that compares like
 *   with like:
 *   - each answer's time is divided by its own kind's usual time (endpoint and command), so a
 *     window with more saves than list reads is not "slower";
 *   - the time an answer waited for this process to read it (its event loop's measured delay)
 *     is taken out: the tool's own CPU is not the ERP's queue;
 *   - the baseline is measured, not remembered: every 10 s the limit is halved for one window
 *     (as BBR's ProbeRTT does), which drains any queue we built, and that window's pace is the
 *     baseline. A lowest-ever baseline would hold the limit down for good after one lucky
 *     window, and one that drifts up would follow a queue that never drains;
 *   - a window more than 3% above the baseline (more where windows differ that much by chance,
 *     measured from each window's two halves), twice in a row, means requests are queueing: the
 *     limit is scaled by baseline ÷ window, which in a queue is the number the ERP serves at
 *     once (Little's law), by 10% to 50%;
 *   - a cut that does not make the next window faster was not about our queue (other users, a
 *     busy host): the limit goes back and that pace becomes the baseline; two windows faster than
 *     the baseline lower it. Without these a busy spell of the ERP would hold the limit down
 *     until the next probe, or hold the baseline up after it.
 *   A failure (transient fault, time-out) cuts the limit to 90% at once, but only for a request
 *   sent under the current limit: those already in flight when it changed say nothing new.
 *   A window with flat latency in which the limit was used in full adds one (a quarter until the
 *   first slowdown or failure: slow start). Within [1, maximum]; `rateLimit` caps requests per
 *   second separately (a rate-limited run never fills its slots, so its limit does not grow).
 * - Where the ERP queues, the limit settles a little above the number it serves at once: a slot
 *   stays taken while the answer travels back and is read, so the knee is at N × (1 + the tool's
 *   turnaround ÷ the ERP's service time). Where it refuses, it settles just below that number.
 * - Rows follow the limit too (`rows`): a quarter more rows than request slots, so a free slot
 *   always has a request ready, and a stop finishes the rows in flight in seconds whatever the
 *   maximum. A falling limit holds back new rows; the rows already in flight keep a request slot
 *   each until they are done (an ERP that hangs must be noticed as fast at any limit).
 */

import { monitorEventLoopDelay } from 'node:perf_hooks';

/** `write.maxConcurrency` and `write.initialConcurrency` when a pipeline does not set them. */
export const AUTO_LIMIT_DEFAULTS = { max: 64, initial: 8 } as const;

/** A request slot taken, marked with the limit it was taken under (answers to older ones are not counted). */
export interface Permit {
  readonly epoch: number;
  /** The limit when the slot was taken. */
  readonly limit: number;
}

/** What became of a request: an answer after `ms` (of `kind`), a failure, or neither (cancelled, not about load). */
export type Outcome = { ms: number; kind: string } | 'failed' | undefined;

export interface AdaptiveLimitOptions {
  /** Starting limit (default 8, at most `max`). */
  initial?: number;
  /** Limit at most (write.maxConcurrency). */
  max: number;
  /** Limit at least (default 1). */
  min?: number;
  /** Clock of the windows and the history of the limit (tests pin it). */
  now?: () => number;
  /** How late this process runs its callbacks (default: measured; tests pass none). */
  lag?: Lag;
  /** Each decision, for `--verbose` (the client's debug log). */
  trace?: (line: string) => void;
}

/** The mean delay of this process's event loop over a window, in ms. */
export interface Lag {
  window(): number;
  reset(): void;
  stop(): void;
}

/** No delay: pure-logic tests. */
export const NO_LAG: Lag = { window: () => 0, reset: () => undefined, stop: () => undefined };

/**
 * The event loop's delay, measured by node's own monitor: an answer that arrives while this
 * process is busy (other rows, other processes on the machine) waits for it, and that wait must
 * not read as the ERP slowing down; otherwise the tool's own CPU would hold the limit down.
 */
function eventLoopLag(): Lag {
  const resolution = 5;
  const h = monitorEventLoopDelay({ resolution });
  h.enable();
  return {
    window: () => (h.count ? Math.max(0, h.mean / 1e6 - resolution) : 0),
    reset: () => h.reset(),
    stop: () => h.disable(),
  };
}

/** How the limit moved during a run, for the summary: the settled value is the median of the second half. */
export interface LimitSummary {
  mode: 'auto' | 'fixed';
  /** The limit at the end. */
  final: number;
  /** The time-weighted median of the limit over the second half of the run. */
  median: number;
  /** The highest limit reached. */
  max: number;
  /** The lowest limit after the start (the probes' halved windows included). */
  min: number;
  /** Times it was lowered because answers slowed down, and because requests failed. */
  slowdowns?: number;
  failures?: number;
}

/** Answers per window at least, so one slow answer does not move the limit. */
const MIN_WINDOW = 10;
/**
 * A window lasts this long at least: the pauses of a busy machine (another process, a garbage
 * collection) last tens of milliseconds and must average out, not read as the ERP slowing down.
 */
const MIN_WINDOW_MS = 250;
/** Weight of each window in the estimate of how much windows differ by chance. */
const JITTER_WEIGHT = 0.1;
/** Standard error of a window's mean (relative to the usual time) that its size aims at. */
const WINDOW_ERROR = 0.025;
/** Answers per window at most. */
const MAX_WINDOW = 500;
/** Ratio to the usual time at which an answer is clipped. */
const CLIP = 3;
/** Weight of each answer in the running variance. */
const NOISE_WEIGHT = 0.01;
/**
 * A window mean above baseline × (1 + TOLERANCE) is slow; where windows differ more by chance, the
 * tolerance is JITTER_SD × the spread between a window's two halves (about one standard deviation
 * of a window against the baseline).
 */
const TOLERANCE = 0.03;
const JITTER_SD = 0.7;
const MAX_TOLERANCE = 0.06;
/**
 * How often the limit is halved for one window, to measure the ERP's pace without our own queue
 * in it (BBR's ProbeRTT does the same every 10 s). Without it the baseline could only follow a
 * lasting change of the ERP's pace by drifting up, and a queue that never drains would drift it
 * up too: the limit would then creep past the ERP's capacity.
 */
const PROBE_EVERY_MS = 10_000;
/** The first probe comes sooner: the first answers of a run are slow (connections, compilation), not a baseline. */
const FIRST_PROBE_MS = 2_500;
/** Growth per window until the first sign of a limit (TCP's slow start doubles; a quarter overshoots an ERP less). */
const SLOW_START = 1.25;
/** Multiplicative decrease after a failure (Netflix AIMDLimit's default; TCP uses 0.5, but a refusal here costs a retry, not a collapse). */
const BACKOFF = 0.9;
/** A latency decrease lowers the limit by at most half (Gradient2's bound against outliers). */
const MAX_CUT = 0.5;
/** Answers of a kind that set its usual time. */
const USUAL_SAMPLES = 20;
/** Kinds of request whose usual time is kept; beyond it they share one. */
const MAX_KINDS = 64;

/** A counting semaphore whose capacity is read when a slot frees or the capacity changes. */
class Slots {
  inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly capacity: () => number) {}

  get queued(): number {
    return this.waiting.length;
  }

  acquire(): Promise<void> {
    if (this.inFlight < this.capacity() && !this.waiting.length) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    this.inFlight--;
    this.wake();
  }

  wake(): void {
    while (this.waiting.length && this.inFlight < this.capacity()) {
      this.inFlight++;
      this.waiting.shift()!();
    }
  }
}

/** Gates rows: as many as the request limit plus a quarter (see the file's comment). */
export interface RowSlots {
  acquire(): Promise<void>;
  release(): void;
  /** Rows in flight at most, ever (the size of a worker pool). */
  readonly most: number;
  /** The current request limit, for the progress line. */
  readonly limit: number;
  summary(): LimitSummary;
}

export function rowsFor(limit: number): number {
  return limit + Math.ceil(limit / 4);
}

export class AdaptiveLimit {
  readonly max: number;
  readonly min: number;
  private value: number;
  /** Bumped at every change of the limit: answers to requests sent before it are not counted. */
  private epoch = 0;
  private readonly requests: Slots;
  private readonly rowSlots: Slots;
  // The current window.
  private n = 0;
  private sum = 0;
  private full = false;
  private baseline = 0;
  private xMean = 1;
  private sumInverse = 0;
  private readonly lag: Lag;
  /** A window at half the limit is under way, to measure the ERP's pace without a queue (see PROBE_EVERY_MS). */
  private probing = false;
  private beforeProbe = 0;
  private probes = 0;
  /** Until the first slowdown or failure, the limit grows by a quarter per window, not by one. */
  private slowStart = true;
  private lastProbe: number;
  /** Variance of the difference between a window's halves, relative to the baseline. */
  private jitter = 0;
  private halfN = 0;
  private halfSum = 0;
  private xVar = 0;
  /** The last window lowered the limit from `from` because answers were this slow: the next one tells whether that helped. */
  private cut: { from: number; stat: number; slower: number } | undefined;
  /** The previous window was faster than the baseline, at this pace (0: it was not). */
  private fastStat = 0;
  /** The previous window was slow by this ratio (0: it was not). */
  private slowRatio = 0;
  private readonly usual = new Map<string, { mean: number; count: number }>();
  private readonly history: LimitHistory;
  private readonly now: () => number;
  private readonly trace: ((line: string) => void) | undefined;
  private windowStart: number;
  private slowdowns = 0;
  private failures = 0;

  constructor(o: AdaptiveLimitOptions) {
    this.max = Math.max(1, Math.floor(o.max));
    this.min = Math.min(this.max, Math.max(1, Math.floor(o.min ?? 1)));
    this.value = Math.min(this.max, Math.max(this.min, Math.floor(o.initial ?? AUTO_LIMIT_DEFAULTS.initial)));
    // Rows let in under a higher limit keep a request slot each until they are done: a limit that
    // falls while the ERP hangs must hold back new rows, not queue the rows in flight behind one
    // another (each waiting out a time-out: a frozen ERP would take minutes to be noticed).
    this.requests = new Slots(() => this.limit + Math.max(0, this.rowSlots.inFlight - rowsFor(this.limit)));
    this.rowSlots = new Slots(() => rowsFor(this.limit));
    this.now = o.now ?? (() => performance.now());
    this.trace = o.trace;
    this.lag = o.lag ?? eventLoopLag();
    this.windowStart = this.now();
    this.lastProbe = this.windowStart;
    this.history = new LimitHistory(this.now, this.limit);
    const self = this;
    this.rows = {
      acquire: () => self.rowSlots.acquire(),
      release: () => self.rowSlots.release(),
      most: rowsFor(self.max),
      get limit() {
        return self.limit;
      },
      summary: () => self.summary(),
    };
  }

  /** Requests in flight at most, now. */
  get limit(): number {
    return Math.floor(this.value);
  }

  get inFlight(): number {
    return this.requests.inFlight;
  }

  /** Waits for a request slot. */
  async acquire(): Promise<Permit> {
    // A request that has to wait, or takes the last slot, shows the limit is used in full.
    if (this.requests.inFlight + 1 >= this.limit || this.requests.queued) this.full = true;
    await this.requests.acquire();
    // A slot beyond the limit (a row let in before it fell) is not the limit's to judge.
    return { epoch: this.requests.inFlight > this.limit ? -1 : this.epoch, limit: this.limit };
  }

  /** Gives the slot back, with what the request met. */
  release(p: Permit, outcome: Outcome): void {
    if (outcome === 'failed') {
      if (p.epoch === this.epoch) {
        this.failures++;
        this.slowStart = false;
        if (this.probing) this.beforeProbe = Math.max(this.min, this.beforeProbe * BACKOFF);
        else this.set(this.value * BACKOFF);
      }
    } else if (outcome && p.epoch === this.epoch && outcome.ms >= 0) {
      // An answer 3 times slower than usual counts as 3: one stuck request must not read as a queue.
      const usual = this.usualTime(outcome.kind, outcome.ms);
      const x = Math.min(CLIP, outcome.ms / usual);
      this.sum += x;
      this.sumInverse += 1 / usual;
      this.noise(x);
      if (!this.halfN && this.now() - this.windowStart >= MIN_WINDOW_MS / 2) {
        this.halfN = this.n + 1;
        this.halfSum = this.sum;
      }
      if (++this.n >= this.windowSize() && this.now() - this.windowStart >= MIN_WINDOW_MS) this.closeWindow();
    }
    this.requests.release();
  }

  /**
   * Whether a request that failed was sent under a higher limit than now: the limit has already
   * backed off from the overshoot that likely caused the failure (call after `release`).
   */
  overshot(p: Permit): boolean {
    return this.limit < p.limit;
  }

  /** Rows gated by this limit (run-import.ts). */
  readonly rows: RowSlots;

  /** Stops measuring this process's delay (the client is closed). */
  close(): void {
    this.lag.stop();
  }

  summary(): LimitSummary {
    return { mode: 'auto', ...this.history.summary(this.limit), slowdowns: this.slowdowns, failures: this.failures };
  }

  /** Running mean and variance of the answers' ratios to their kind's usual time. */
  private noise(x: number): void {
    const d = x - this.xMean;
    this.xMean += d * NOISE_WEIGHT;
    this.xVar += (d * d - this.xVar) * NOISE_WEIGHT;
  }

  /**
   * Answers per window: at least one round of the limit, and enough that the window's mean is
   * known to within WINDOW_ERROR (an ERP whose answers vary a lot is judged on more of them).
   */
  private windowSize(): number {
    const enough = Math.sqrt(this.xVar) / WINDOW_ERROR;
    return Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, this.limit, Math.ceil(enough * enough)));
  }

  /**
   * The kind's usual answer time: the mean of its first answers, then fixed. It only weighs kinds
   * against each other; a lasting change of pace is the baseline's to follow (an average that
   * followed every answer would also follow the queue it should reveal).
   */
  private usualTime(kind: string, ms: number): number {
    let u = this.usual.get(kind);
    if (!u) {
      if (this.usual.size >= MAX_KINDS) kind = '*';
      u = this.usual.get(kind) ?? { mean: 0, count: 0 };
      this.usual.set(kind, u);
    }
    if (u.count < USUAL_SAMPLES) u.mean += (ms - u.mean) / ++u.count;
    return Math.max(u.mean, 0.001);
  }

  private closeWindow(): void {
    // The time answers waited for this process to be free to read them is not the ERP's.
    const stat = Math.max(0.001, (this.sum - this.lag.window() * this.sumInverse) / this.n);
    const before = this.baseline;
    if (this.probing) {
      // The ERP's pace without our queue in it, averaged over the probes (one window is noisy).
      this.baseline = this.probes++ ? (before + stat) / 2 : stat;
      this.trace?.(`limit: PROBE at ${this.value} stat=${stat.toFixed(3)} base=${this.baseline.toFixed(3)}`);
      this.probing = false;
      this.lastProbe = this.now();
      this.set(this.beforeProbe);
      return;
    }
    if (!before) this.baseline = stat;
    const ratio = before ? stat / before : 1;
    // How much windows differ by chance here: the two halves of this one (same limit) compared.
    if (this.halfN && this.halfN < this.n && before) {
      const d = ((this.sum - this.halfSum) / (this.n - this.halfN) - this.halfSum / this.halfN) / before;
      this.jitter += (d * d - this.jitter) * JITTER_WEIGHT;
    }
    const tolerance = Math.min(MAX_TOLERANCE, Math.max(TOLERANCE, JITTER_SD * Math.sqrt(this.jitter)));
    this.trace?.(`limit: L=${this.value.toFixed(1)} n=${this.n} stat=${stat.toFixed(3)} base=${before.toFixed(3)} lag=${this.lag.window().toFixed(2)} ratio=${ratio.toFixed(3)} tol=${tolerance.toFixed(3)} req=${this.requests.inFlight}`);
    if (this.now() - this.lastProbe >= (this.probes ? PROBE_EVERY_MS : FIRST_PROBE_MS)) {
      this.probing = true;
      this.beforeProbe = this.value;
      this.set(Math.ceil(this.value / 2));
      return;
    }
    const cut = this.cut;
    if (cut) {
      if (stat > cut.stat * (1 - tolerance / 2)) {
        if (cut.slower) {
          // Two windows with fewer requests and answers no faster: the ERP's pace changed (other
          // users, a busy host), not our queue. That pace is the baseline now; the limit goes back.
          this.trace?.(`limit: RESTORE to ${cut.from.toFixed(1)} stat=${stat.toFixed(3)} cutstat=${cut.stat.toFixed(3)}`);
          this.cut = undefined;
          this.baseline = Math.min(stat, cut.slower);
          this.set(cut.from);
          return;
        }
        cut.slower = stat;
        this.keep();
        return;
      }
      this.cut = undefined;
    }
    if (ratio > 1 + tolerance) {
      // One slow window can be a pause of this machine or the network; two in a row are a queue.
      if (this.slowRatio) {
        this.slowdowns++;
        this.slowStart = false;
        const cut = { from: this.value, stat: Math.min(stat, this.slowRatio * before), slower: 0 };
        this.set(this.value * Math.max(MAX_CUT, Math.min(BACKOFF, 1 / Math.min(ratio, this.slowRatio))));
        this.cut = cut;
        return;
      }
      this.slowRatio = ratio;
    } else {
      this.slowRatio = 0;
      if (ratio < 1 - tolerance) {
        // Two windows in a row faster than the baseline: the ERP's pace got better (a busy spell
        // ended). The slower of the two is the baseline now.
        if (this.fastStat) this.baseline = Math.max(stat, this.fastStat);
        if (this.fastStat) this.trace?.(`limit: FASTER base=${this.baseline.toFixed(3)}`);
        this.fastStat = this.fastStat ? 0 : stat;
      } else this.fastStat = 0;
      if (this.full) {
        this.set(this.slowStart ? this.value * SLOW_START : this.value + 1);
        return;
      }
    }
    // Keep the limit: a first slow window, or latency flat with the limit not used in full (a rate limit, a slow reader).
    this.keep();
  }

  /** A new window at the same limit. */
  private keep(): void {
    this.n = 0;
    this.sum = 0;
    this.sumInverse = 0;
    this.halfN = 0;
    this.windowStart = this.now();
    this.lag.reset();
  }

  private set(v: number): void {
    const before = this.limit;
    this.value = Math.min(this.max, Math.max(this.min, v));
    this.epoch++;
    this.slowRatio = 0;
    this.cut = undefined;
    this.keep();
    this.full = false;
    if (this.limit !== before) this.history.record(this.limit);
    this.requests.wake();
    this.rowSlots.wake();
  }
}

/** The limit over time, as (time, value) at each change; thinned past 20,000 changes. */
class LimitHistory {
  private t: number[] = [];
  private v: number[] = [];
  private readonly start: number;
  private highest: number;
  private lowest: number;

  constructor(private readonly now: () => number, initial: number) {
    this.start = now();
    this.highest = initial;
    this.lowest = initial;
    this.record(initial);
  }

  record(value: number): void {
    this.t.push(this.now());
    this.v.push(value);
    this.highest = Math.max(this.highest, value);
    this.lowest = Math.min(this.lowest, value);
    if (this.t.length > 20_000) {
      // Every other change dropped: the median keeps its shape, memory stays bounded.
      this.t = this.t.filter((_, i) => i % 2 === 0);
      this.v = this.v.filter((_, i) => i % 2 === 0);
    }
  }

  summary(final: number): Omit<LimitSummary, 'mode'> {
    const end = this.now();
    const from = this.start + (end - this.start) / 2;
    // Time spent at each value within [from, end].
    const spent = new Map<number, number>();
    for (let i = 0; i < this.t.length; i++) {
      const a = Math.max(from, this.t[i]);
      const b = i + 1 < this.t.length ? Math.min(end, this.t[i + 1]) : end;
      if (b > a) spent.set(this.v[i], (spent.get(this.v[i]) ?? 0) + (b - a));
    }
    let median = final;
    const total = [...spent.values()].reduce((x, y) => x + y, 0);
    if (total > 0) {
      let acc = 0;
      for (const [value, ms] of [...spent.entries()].sort((x, y) => x[0] - y[0])) {
        acc += ms;
        if (acc >= total / 2) {
          median = value;
          break;
        }
      }
    }
    return { final, median, max: this.highest, min: this.lowest };
  }
}

/** A fixed limit, summarised the same way. */
export function fixedSummary(n: number): LimitSummary {
  return { mode: 'fixed', final: n, median: n, max: n, min: n };
}
