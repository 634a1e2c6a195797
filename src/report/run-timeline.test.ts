import { describe, expect, it } from 'vitest';
import type { RowProblem } from '../errors.js';
import { OTHER_COLUMNS, RunTimeline } from './run-timeline.js';

/** A timeline on a clock the test moves. */
function timeline(o: { maxBuckets?: number; bucketMs?: number } = {}) {
  let t = 1000;
  const tl = new RunTimeline({ ...o, now: () => t, startedAt: 0 });
  return { tl, at: (ms: number) => (t = 1000 + ms) };
}

const problem = (code: RowProblem['code'], column?: string, zh = `${code} 的原因`): RowProblem => ({ code, column, row: 2, message: { zh, en: code } });

describe('RunTimeline', () => {
  it('counts rows by outcome in the bucket of the moment they finish', () => {
    const { tl, at } = timeline({ bucketMs: 1000 });
    at(100);
    tl.row('created');
    tl.row('rejected', [problem('REQUIRED', '联系人姓名')]);
    at(1200);
    tl.row('failed', [problem('ERP_FAILED')]);
    tl.row('would-skip');
    at(1500);
    const s = tl.snapshot();
    expect(s.bucketMs).toBe(1000);
    expect(s.points).toEqual([
      expect.objectContaining({ startMs: 0, widthMs: 1000, ok: 1, rejected: 1, failed: 0 }),
      // The last bucket is as wide as the run went, so its rate is not understated.
      expect.objectContaining({ startMs: 1000, widthMs: 500, ok: 1, rejected: 0, failed: 1 }),
    ]);
  });

  it('merges neighbouring buckets when the run outgrows them, losing no count', () => {
    const { tl, at } = timeline({ maxBuckets: 4, bucketMs: 1000 });
    for (const [ms, latency] of [[0, 10], [1500, 20], [2500, 40], [3500, 80]]) {
      at(ms);
      tl.row('created');
      tl.request(latency, true);
    }
    expect(tl.snapshot().points).toHaveLength(4);
    at(4500); // the fifth second does not fit in four one-second buckets
    tl.row('rejected', [problem('BAD_DATE', '生日')]);
    tl.request(160, false);
    const s = tl.snapshot();
    expect(s.bucketMs).toBe(2000);
    expect(s.points.map((p) => [p.startMs, p.ok, p.rejected, p.requests, p.failedRequests])).toEqual([
      [0, 2, 0, 2, 0],
      [2000, 2, 0, 2, 0],
      [4000, 0, 1, 1, 1],
    ]);
    // The merged latency histograms still tell the two requests of each bucket apart.
    const [first, second] = s.points;
    expect(first.medianMs).toBeGreaterThan(9.5);
    expect(first.medianMs).toBeLessThan(10.5);
    expect(first.p95Ms).toBeGreaterThan(19);
    expect(first.p95Ms).toBeLessThan(21);
    expect(second.p95Ms).toBeGreaterThan(76);
    expect(second.p95Ms).toBeLessThan(84);
    expect(s.requests).toMatchObject({ count: 5, failed: 1, maxMs: 160 });
  });

  it('stays within its bucket cap over a long run and keeps every row counted', () => {
    const { tl, at } = timeline({ maxBuckets: 240 });
    const rows = 200_000;
    const runMs = 2 * 3600 * 1000; // two hours
    for (let i = 0; i < rows; i++) {
      at(Math.floor((i * runMs) / rows));
      tl.row(i % 10 === 0 ? 'rejected' : 'created');
    }
    at(runMs);
    const s = tl.snapshot();
    expect(s.points.length).toBeLessThanOrEqual(240);
    expect(s.bucketMs).toBe(32_000); // 125 ms doubled until 240 buckets cover two hours
    expect(s.points.reduce((n, p) => n + p.ok + p.rejected, 0)).toBe(rows);
    expect(s.points.reduce((n, p) => n + p.rejected, 0)).toBe(rows / 10);
  });

  it('reads latency quantiles back within the histogram resolution', () => {
    const { tl } = timeline();
    for (let ms = 1; ms <= 1000; ms++) tl.request(ms, true);
    const s = tl.snapshot();
    expect(s.requests.medianMs! / 500).toBeGreaterThan(0.95);
    expect(s.requests.medianMs! / 500).toBeLessThan(1.05);
    expect(s.requests.p95Ms! / 950).toBeGreaterThan(0.95);
    expect(s.requests.p95Ms! / 950).toBeLessThan(1.05);
    // Nonsense durations land in the lowest bin instead of breaking the histogram.
    tl.request(Number.NaN, false);
    tl.request(-3, false);
    tl.request(10_000_000, true);
    expect(tl.snapshot().requests.count).toBe(1003);
  });

  it('counts problems by code (first example kept) and by column, with a cap on distinct columns', () => {
    const { tl } = timeline();
    tl.row('rejected', [problem('LOOKUP_MISS', '客户名称', '找不到客户“甲”'), problem('BAD_DATE', '生日')]);
    tl.row('rejected', [problem('LOOKUP_MISS', '客户名称', '找不到客户“乙”')]);
    tl.row('failed', [problem('ERP_REJECTED', undefined, 'x'.repeat(1000))]);
    for (let i = 0; i < 250; i++) tl.row('rejected', [problem('REQUIRED', `列${i}`)]);
    const s = tl.snapshot();
    expect(s.byCode.LOOKUP_MISS).toEqual({ count: 2, example: { row: 2, column: '客户名称', message: '找不到客户“甲”' } });
    expect(s.byCode.ERP_REJECTED.example!.message.length).toBeLessThanOrEqual(300);
    expect(s.byColumn[0]).toEqual({ column: '客户名称', count: 2, codes: { LOOKUP_MISS: 2 } });
    expect(s.byColumn.find((c) => c.column === '')).toEqual({ column: '', count: 1, codes: { ERP_REJECTED: 1 } });
    expect(s.byColumn).toHaveLength(201);
    const other = s.byColumn.find((c) => c.column === OTHER_COLUMNS)!;
    expect(other.count).toBe(250 - (200 - 3));
    expect(s.byColumn.reduce((n, c) => n + c.count, 0)).toBe(4 + 250);
  });
});
