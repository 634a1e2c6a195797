/**
 * The append-once write policy (follow-ups, 洽谈进展): posts one row, once. Such records have no
 * natural key in the ERP and no list in scope to read them back from, so two records keep doubles
 * out: the run's journal (resuming a killed run) and the ledger of records posted to this ERP
 * across runs and files (src/state/ledger.ts).
 *
 * - a row the journal or the ledger records as done is never posted again ("done earlier"),
 *   unless `write.repost` asks for it (then the ledger is passed over, the journal still is not);
 * - a row recorded as pending (the process died while its save was in flight), or whose save met
 *   a fault after it may have reached the server, is NOT posted again: it is reported as
 *   uncertain, for a person to check in the ERP. A double would be silent; a report is not.
 * - faults where the request certainly never reached the server are retried.
 */
import type { SaveOutcome } from '../run/import-erp.js';
import type { Journal } from '../state/journal.js';
import type { Ledger } from '../state/ledger.js';
import type { Logger } from '../report/logger.js';
import type { WriteResult } from './outcomes.js';
import { isTransient } from '../erp/errors.js';
import { backoff } from '../erp/retry-policy.js';

export interface PreparedPost {
  row: number;
  key: string;
  /** Catalog field id → validated value; `ord` is the record it belongs to (a follow-up's contact). */
  values: Record<string, string>;
}

export interface AppendOnceOptions {
  retries: number;
  dryRun: boolean;
  backoff?: (attempt: number) => Promise<void>;
  /** Follow-ups posted to this ERP by earlier runs (read-only in a dry run). */
  ledger?: Ledger;
  /** Post again what the ledger records as posted (write.repost). */
  repost?: boolean;
  log?: Logger;
}

const UNCERTAIN = {
  code: 'ERP_UNVERIFIED' as const,
  zh: '这条洽谈进展可能已经保存（保存请求发出后中断或出错），为避免重复未再发送；请在 ERP 中核对，如未保存，请单独重新导入此行并设置 write.repost: true',
  en: 'this follow-up may already be saved (the save was interrupted or failed after it was sent); it was not sent again to avoid a double: check the ERP and, if it is missing, re-import this row alone with write.repost: true',
};

const DONE_EARLIER = '已于早前导入，未再发送 / done earlier: posted to this ERP by an earlier run, not posted again (write.repost: true posts it again)';

export class AppendOnce {
  private readonly backoff: (attempt: number) => Promise<void>;

  constructor(
    /** Sends one record (a follow-up's save). */
    private readonly post: (values: Record<string, string>) => Promise<SaveOutcome>,
    private readonly journal: Journal | undefined,
    private readonly opts: AppendOnceOptions,
  ) {
    this.backoff = opts.backoff ?? backoff;
  }

  async write(f: PreparedPost): Promise<WriteResult> {
    const earlier = this.journal?.get(f.key);
    if (earlier?.done) return { outcome: 'done-earlier' };
    if (earlier?.pending) return { outcome: 'failed', ...UNCERTAIN };
    const ledger = this.opts.ledger;
    const posted = this.opts.repost ? undefined : ledger?.get(f.key);
    if (posted === 'done') {
      this.sayOnce(ledger!);
      return { outcome: 'done-earlier', note: DONE_EARLIER };
    }
    if (posted === 'pending') return { outcome: 'failed', ...UNCERTAIN };
    if (this.opts.dryRun) return { outcome: 'would-create' };

    this.journal?.pending(f.key, f.row, []);
    ledger?.pending(f.key, f.row, f.values.ord);
    let lastMessage = '';
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) await this.backoff(attempt);
      try {
        const r = await this.post(f.values);
        if (r.outcome === 'saved') {
          ledger?.done(f.key, f.row);
          this.journal?.done(f.key, f.row, 'created');
          return { outcome: 'created' };
        }
        // "ok" with an empty body: maybe saved, maybe not, and nothing to read it back from.
        return { outcome: 'failed', ...UNCERTAIN };
      } catch (err) {
        const e = err as { kind?: string; text?: string; message?: string; ambiguous?: boolean };
        if (e?.kind === 'business') {
          ledger?.notStored(f.key, f.row);
          const text = e.text ?? e.message ?? '';
          return { outcome: 'rejected', code: 'ERP_REJECTED', zh: `ERP 拒绝保存：${text}`, en: `the ERP refused the save: ${text}` };
        }
        if (!isTransient(err)) throw err;
        if (e.ambiguous !== false) return { outcome: 'failed', ...UNCERTAIN };
        lastMessage = e.message ?? '';
      }
    }
    // Every attempt certainly failed before reaching the ERP: nothing stored, a re-run may post it.
    ledger?.notStored(f.key, f.row);
    return { outcome: 'failed', code: 'ERP_FAILED', zh: `ERP 多次出错，未能保存：${lastMessage}`, en: `the ERP kept failing, not saved: ${lastMessage}` };
  }

  private said = false;

  private sayOnce(ledger: Ledger): void {
    if (this.said) return;
    this.said = true;
    this.opts.log?.info(`已于早前导入到此 ERP 的洽谈进展不再发送（台账 ${ledger.file}）/ follow-ups posted to this ERP earlier are not posted again (ledger ${ledger.file}); write.repost: true posts them again`);
  }
}
