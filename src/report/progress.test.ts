import { describe, expect, it } from 'vitest';
import { fit, progressCounts, progressLine, progressState, type ProgressCounts } from './progress.js';

const counts = (read: number, done: number, rejected = 0, failed = 0): ProgressCounts => ({ read, done, rejected, failed });

describe('progress', () => {
  it('is the reader\'s position scaled by the share of the rows read that are finished', () => {
    expect(progressState(counts(100, 100), { done: 500, total: 1000 }, 0, undefined).fraction).toBeCloseTo(0.5);
    // 8 rows in flight of 100 read: not done yet.
    expect(progressState(counts(100, 80, 10, 2), { done: 500, total: 1000 }, 0, undefined).fraction).toBeCloseTo(0.46);
    expect(progressState(counts(0, 0), { done: 0, total: 1000 }, 0, undefined).fraction).toBe(0);
    expect(progressState(counts(10, 10), undefined, 0, undefined).fraction).toBeUndefined();
    // A position past the end (a reader that read ahead) never shows more than 100%.
    expect(progressState(counts(10, 10), { done: 1200, total: 1000 }, 0, undefined).fraction).toBe(1);
  });

  it('shows 100% only when every row is finished, with rows done, rejected and failed', () => {
    const almost = progressLine('p', counts(1000, 990, 5, 4), progressState(counts(1000, 990, 5, 4), { done: 1000, total: 1000 }, 0, undefined));
    expect(almost).toContain(' 99% ');
    expect(almost).toContain('完成 done 990');
    expect(almost).toContain('拒绝 rejected 5');
    expect(almost).toContain('失败 failed 4');
    const all = progressLine('p', counts(1000, 991, 5, 4), progressState(counts(1000, 991, 5, 4), { done: 1000, total: 1000 }, 0, undefined));
    expect(all).toContain('100%');
  });

  it('counts rate and ETA from the first row, not from the start of the run', () => {
    // First row at t=60 s (after a minute of loading), 10% of the file then; at t=70 s 60%.
    const since = { atMs: 60_000, fraction: 0.1, rows: 0 };
    const st = progressState(counts(6000, 6000), { done: 600, total: 1000 }, 70_000, since);
    expect(st.rowsPerSecond).toBeCloseTo(600);
    expect(st.etaSeconds).toBeCloseTo(8); // 50% in 10 s, 40% to go
    expect(progressLine('p', counts(6000, 6000), st)).toContain('剩余 ETA 0:08');
  });

  it('takes the counts from an import summary', () => {
    const s = { read: 20, valid: 15, rejected: 5, failed: 1, interrupted: 1, created: 3, updated: 2, unchanged: 4, skipped: 1, doneEarlier: 1, wouldCreate: 0, wouldUpdate: 0, wouldSkip: 0 };
    expect(progressCounts(s)).toEqual({ read: 20, done: 12, rejected: 5, failed: 1 });
  });

  it('fits a terminal, counting Chinese characters as two columns', () => {
    expect(fit('进度 progress', 80)).toBe('进度 progress');
    const cut = fit(`${'行'.repeat(50)}`, 40);
    expect(cut).toBe(`${'行'.repeat(19)}…`);
  });
});
