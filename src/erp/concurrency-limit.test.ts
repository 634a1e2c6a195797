import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, NO_LAG, rowsFor, type Outcome } from './concurrency-limit.js';

/** A limiter on a clock the test moves. */
function limiter(o: { initial?: number; max?: number; min?: number } = {}) {
  const clock = { t: 0 };
  const lim = new AdaptiveLimit({ max: 64, ...o, now: () => clock.t, lag: NO_LAG });
  return { lim, clock };
}

/**
 * One round trip with every slot taken: `answer(limit)` says what each request met, and the
 * round lasts as long as its slowest answer.
 */
async function round(lim: AdaptiveLimit, clock: { t: number }, answer: (limit: number, i: number) => Outcome): Promise<void> {
  const limit = lim.limit;
  const permits = await Promise.all(Array.from({ length: limit }, () => lim.acquire()));
  const outcomes = permits.map((_, i) => answer(limit, i));
  clock.t += Math.max(1, ...outcomes.map((o) => (o && o !== 'failed' ? o.ms : 1)));
  permits.forEach((p, i) => lim.release(p, outcomes[i]));
}

/** Rounds for `ms` of the test's clock; the limit after each round. */
async function run(lim: AdaptiveLimit, clock: { t: number }, ms: number, answer: (limit: number, i: number) => Outcome): Promise<number[]> {
  const seen: number[] = [];
  const until = clock.t + ms;
  while (clock.t < until) {
    await round(lim, clock, answer);
    seen.push(lim.limit);
  }
  return seen;
}

/** An ERP serving `n` requests at once in `ms` each, queueing the rest: answers slow down past n. */
const queueing = (n: number, ms: number) => (limit: number): Outcome => ({ ms: ms * Math.max(1, limit / n), kind: 'save' });

/** Lets pending promise callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('AdaptiveLimit', () => {
  it('grows while answers keep their pace and every slot is used, up to the maximum', async () => {
    const { lim, clock } = limiter({ initial: 8, max: 40 });
    const seen = await run(lim, clock, 30_000, () => ({ ms: 20, kind: 'save' }));
    expect(seen[0]).toBe(8);
    expect(Math.max(...seen)).toBe(40);
    expect(lim.limit).toBe(40);
    expect(seen.every((l) => l <= 40)).toBe(true);
  });

  it('does not grow when the slots it has are not used in full (a rate limit, a slow reader)', async () => {
    const { lim, clock } = limiter({ initial: 8 });
    for (let i = 0; i < 400; i++) {
      const p = await lim.acquire();
      clock.t += 20;
      lim.release(p, { ms: 20, kind: 'save' });
    }
    expect(lim.limit).toBe(8);
  });

  it('backs off to 90% on a failure, once per change of the limit', async () => {
    const { lim } = limiter({ initial: 20 });
    const sentBefore = await Promise.all([lim.acquire(), lim.acquire(), lim.acquire()]);
    lim.release(sentBefore[0], 'failed');
    expect(lim.limit).toBe(18);
    // Sent under the old limit: their failures say nothing new.
    lim.release(sentBefore[1], 'failed');
    lim.release(sentBefore[2], 'failed');
    expect(lim.limit).toBe(18);
    const sentAfter = await lim.acquire();
    lim.release(sentAfter, 'failed');
    expect(lim.limit).toBe(16);
  });

  it('settles near the number the ERP serves at once when answers queue beyond it', async () => {
    const { lim, clock } = limiter({ initial: 8 });
    const seen = await run(lim, clock, 120_000, queueing(16, 20));
    const settled = median(seen.slice(seen.length / 2));
    expect(settled).toBeGreaterThanOrEqual(16 * 0.8);
    expect(settled).toBeLessThanOrEqual(16 * 1.2);
    expect(lim.summary().slowdowns).toBeGreaterThan(0);
  });

  it('settles just below the number the ERP accepts when it refuses the rest', async () => {
    const { lim, clock } = limiter({ initial: 8 });
    const seen = await run(lim, clock, 120_000, (limit, i) => (i >= 24 ? 'failed' : { ms: 20, kind: 'save' }));
    const settled = median(seen.slice(seen.length / 2));
    expect(settled).toBeGreaterThanOrEqual(24 * 0.8);
    expect(settled).toBeLessThanOrEqual(24 * 1.2);
    expect(lim.summary().failures).toBeGreaterThan(0);
  });

  it('follows a lasting change of the ERP\'s pace instead of shrinking for good', async () => {
    const { lim, clock } = limiter({ initial: 8, max: 32 });
    await run(lim, clock, 20_000, () => ({ ms: 20, kind: 'save' }));
    expect(lim.limit).toBe(32);
    // Twice as slow from now on, whatever the limit: not a queue of ours.
    const seen = await run(lim, clock, 120_000, () => ({ ms: 40, kind: 'save' }));
    expect(median(seen.slice(seen.length / 2))).toBeGreaterThanOrEqual(28);
  });

  it('compares each kind of request with its own usual time', async () => {
    const { lim, clock } = limiter({ initial: 8, max: 32 });
    // Saves take 100 ms and list reads 20 ms; the share of saves changes from window to window.
    for (let w = 0; w < 150; w++) {
      const phase = Math.floor(w / 10) % 2;
      await round(lim, clock, (_, i) => (i % (phase ? 2 : 8) === 0 ? { ms: 100, kind: 'save' } : { ms: 20, kind: 'list' }));
    }
    expect(lim.limit).toBe(32);
    expect(lim.summary().slowdowns).toBe(0);
  });

  it('never goes below the minimum, and keeps serving there', async () => {
    const { lim } = limiter({ initial: 4, min: 1 });
    for (let i = 0; i < 50; i++) lim.release(await lim.acquire(), 'failed');
    expect(lim.limit).toBe(1);
    const p = await lim.acquire();
    let second = false;
    void lim.acquire().then(() => (second = true));
    await settle();
    expect(second).toBe(false);
    lim.release(p, undefined);
    await settle();
    expect(second).toBe(true);
  });

  it('starts within [min, max] whatever it is given', () => {
    expect(limiter({ initial: 100, max: 16 }).lim.limit).toBe(16);
    expect(limiter({ initial: 0, max: 16 }).lim.limit).toBe(1);
  });

  it('lets rows in by the current limit, a quarter more than requests', async () => {
    const { lim } = limiter({ initial: 8 });
    expect(lim.rows.most).toBe(rowsFor(64));
    const taken = await Promise.all(Array.from({ length: rowsFor(8) }, () => lim.rows.acquire()));
    expect(taken).toHaveLength(10);
    let waiting = true;
    void lim.rows.acquire().then(() => (waiting = false));
    await settle();
    expect(waiting).toBe(true);
    lim.rows.release();
    await settle();
    expect(waiting).toBe(false);
  });

  it('holds back new rows when the limit falls, not the rows already in flight', async () => {
    const { lim } = limiter({ initial: 8 });
    for (let i = 0; i < rowsFor(8); i++) await lim.rows.acquire();
    // The ERP fails until the limit is 5 (7 rows): 10 rows are in flight.
    while (lim.limit > 5) lim.release(await lim.acquire(), 'failed');
    expect(lim.limit).toBe(5);
    // Each row let in keeps a request slot: 5 + (10 - 7) = 8 requests, not 5 queued behind one another.
    const permits = [];
    for (let i = 0; i < 8; i++) permits.push(await lim.acquire());
    let ninth = false;
    void lim.acquire().then(() => (ninth = true));
    let newRow = false;
    void lim.rows.acquire().then(() => (newRow = true));
    await settle();
    expect(ninth).toBe(false);
    expect(newRow).toBe(false);
    // Four rows done: 6 in flight, under the 7 the limit allows, so one more is let in.
    for (let i = 0; i < 4; i++) lim.rows.release();
    await settle();
    expect(newRow).toBe(true);
    // Failures of requests sent on those extra slots do not lower the limit again.
    lim.release(permits[7], 'failed');
    expect(lim.limit).toBe(5);
  });

  it('summarises the limit over the run: the median of its second half', async () => {
    const { lim, clock } = limiter({ initial: 40 });
    const p = await lim.acquire();
    clock.t = 10_000;
    lim.release(p, 'failed');
    clock.t = 14_000;
    // Second half [7 s, 14 s]: 40 for 3 s, then 36 for 4 s.
    expect(lim.summary()).toMatchObject({ mode: 'auto', final: 36, median: 36, max: 40, min: 36, failures: 1 });
  });

  it('tells a failure sent under a higher limit (our overshoot) from one at the limit it met', async () => {
    const { lim } = limiter({ initial: 10, min: 1 });
    const a = await lim.acquire();
    const b = await lim.acquire();
    lim.release(a, 'failed');
    // The limit backed off from 10: both requests were sent above it, so the ERP refused our overshoot.
    expect(lim.overshot(a)).toBe(true);
    lim.release(b, 'failed');
    expect(lim.overshot(b)).toBe(true);
    // At the minimum a failure no longer lowers it: the ERP fails even one request at a time.
    const one = limiter({ initial: 1, min: 1 }).lim;
    const c = await one.acquire();
    one.release(c, 'failed');
    expect(one.overshot(c)).toBe(false);
  });
});
