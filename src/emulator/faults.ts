/**
 * Fault injection: the odd behaviours of a fragile production ERP, switchable from flags and
 * from tests. Decisions come from a seeded generator, so a run with a randomSeed is repeatable.
 */
import { prng } from './seed.js';

export type FaultKind = 'html500' | 'plain' | 'status11' | 'drop' | 'hang';

export interface Faults {
  /** Service time added to every request, ms. */
  latencyMs: number;
  /** ± jitter on the service time, ms. */
  jitterMs: number;
  /** Share (0..1) of requests answered with a transient fault. */
  failRate: number;
  /** Which faults to draw from. */
  failKinds: FaultKind[];
  /** Which requests may meet a fault: every one, or saves only (an ERP whose reads work but whose saves fail). */
  failScope: 'all' | 'saves';
  /** Share (0..1) of faulted saves whose record is stored before the fault (the case that doubles naive clients). */
  faultAfterWriteRate: number;
  /** Share (0..1) of saves answered "ok" with an empty body but not stored. */
  dropSaveRate: number;
  /** Sessions expire after this many seconds (0: never). */
  sessionTtlSeconds: number;
  /** Requests in flight at most (0: no cap); beyond it requests queue, or fail with HTTP 500 when `overflow` is 'fail'. */
  maxInFlight: number;
  overflow: 'queue' | 'fail';
  /** List rows serialised as objects `{value:[...], ord}` instead of arrays. */
  rowsAsObjects: boolean;
  /** Numeric list cells with thousands separators (`1,234`). */
  thousands: boolean;
  /** Raw control characters inside JSON strings (tabs, newlines in texts). */
  controlChars: boolean;
  /** Seed of the fault decisions. */
  randomSeed: number;
}

export const NO_FAULTS: Faults = {
  latencyMs: 0, jitterMs: 0, failRate: 0, failKinds: ['html500', 'plain', 'status11', 'drop', 'hang'], failScope: 'all',
  faultAfterWriteRate: 0.5, dropSaveRate: 0, sessionTtlSeconds: 0, maxInFlight: 0, overflow: 'queue',
  rowsAsObjects: false, thousands: false, controlChars: false, randomSeed: 1,
};

export class FaultPlan {
  private rand: () => number;
  constructor(public faults: Faults) {
    this.rand = prng(faults.randomSeed);
  }

  set(f: Partial<Faults>): void {
    this.faults = { ...this.faults, ...f };
    if (f.randomSeed !== undefined) this.rand = prng(f.randomSeed);
  }

  latency(): number {
    const { latencyMs, jitterMs } = this.faults;
    if (!latencyMs && !jitterMs) return 0;
    return Math.max(0, latencyMs + (this.rand() * 2 - 1) * jitterMs);
  }

  /** The fault this request meets, if any, and whether a save is stored before it. */
  draw(isSave: boolean): { kind: FaultKind; afterWrite: boolean } | undefined {
    const { failRate, failKinds, failScope } = this.faults;
    if (!failRate || !failKinds.length || (failScope === 'saves' && !isSave) || this.rand() >= failRate) return undefined;
    const kind = failKinds[Math.floor(this.rand() * failKinds.length)];
    return { kind, afterWrite: isSave && this.rand() < this.faults.faultAfterWriteRate };
  }

  dropSave(): boolean {
    return this.faults.dropSaveRate > 0 && this.rand() < this.faults.dropSaveRate;
  }
}
