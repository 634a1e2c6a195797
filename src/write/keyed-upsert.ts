/**
 * Writes one validated contact row to the ERP according to the write mode, so that nothing is
 * lost and nothing is doubled:
 *
 * - existing records are found by the match keys through the contact list (exact comparison
 *   on top of the list's fuzzy filters);
 * - "ok" is not "saved": every create is verified by finding the new record in the list (its
 *   ord is one that did not match before the save), every update by reading the detail back;
 * - nothing is sent again until a look has shown it missing: after an "ok" that cannot be read
 *   back, a save is repeated only when the list shows no new record at all for the row's filters.
 *   A new record that does not read back as sent means the list shows values differently (a
 *   column map or a format zbport does not understand): the row is left pending for a person,
 *   and after a few such rows the run stops as a configuration problem;
 * - a create is journalled as pending before it is sent, so a crash between the server storing
 *   the record and us hearing about it is recovered by looking for the record, not by posting again;
 * - an update reads the detail first and merges, because the ERP's save writes every field and a
 *   blank cell must not wipe what the ERP holds.
 */
import { CONTACT_FIELDS, CONTACT_LIST_FILTERS, type FieldSpec } from '../catalog/index.js';
import { ConfigError, type RowProblemCode } from '../errors.js';
import { backoff } from '../erp/retry-policy.js';
import { isTransient } from '../erp/errors.js';
import type { ContactRef, ImportErp } from '../run/import-erp.js';
import type { Journal } from '../state/journal.js';
import { comparable } from '../lookup/company-resolver.js';
import { sameValue } from './compare-values.js';
import type { ContactIndex } from './record-index.js';

export type WriteMode = 'insert' | 'upsert' | 'update' | 'skip-existing';

export interface PreparedContact {
  /** Source row number as the user sees it. */
  row: number;
  /** Journal key. */
  key: string;
  /** Catalog field id → validated value; `company` already resolved to the customer ord. */
  values: Record<string, string>;
  /** Mapped fields whose cell was blank. */
  blanks: string[];
  /** The resolved customer's name, for installations whose contact list shows the name but not the id. */
  companyName?: string;
}

export type WriteResult =
  | { outcome: 'created' | 'updated' | 'skipped' | 'unchanged' | 'done-earlier'; ord?: string; note?: string }
  | { outcome: 'would-create' | 'would-update' | 'would-skip'; ord?: string }
  | { outcome: 'rejected' | 'failed'; code: RowProblemCode; zh: string; en: string; ord?: string };

export interface ContactWriterOptions {
  mode: WriteMode;
  matchKeys: string[];
  blank: 'keep' | 'clear';
  verify: boolean;
  retries: number;
  dryRun: boolean;
  /** Existing contacts loaded once (dry runs): matched without a request per row. */
  index?: ContactIndex;
  /** Waits before retry `attempt` (1-based); injectable so tests need not sleep long. */
  backoff?: (attempt: number) => Promise<void>;
}

const FILTERABLE = new Set(CONTACT_LIST_FILTERS.map((f) => f.id));
/** Rows in a row whose new record did not read back as sent, before the run stops as misconfigured. */
const MAX_UNREADABLE_IN_A_ROW = 3;
const FIELD = new Map(CONTACT_FIELDS.map((f) => [f.id, f]));
const SAVABLE = CONTACT_FIELDS.filter((f) => !f.key).map((f) => f.id);


export class ContactWriter {
  private readonly backoff: (attempt: number) => Promise<void>;
  private unreadableInARow = 0;
  /** Creates being written right now: a new record that matches one of them is theirs, not a stranger. */
  private readonly inFlight = new Set<PreparedContact>();
  /** ords this run created, lately (bounded): never strangers. */
  private readonly recent = new RecentSet(4096);

  constructor(
    private readonly erp: ImportErp,
    private readonly journal: Journal | undefined,
    private readonly opts: ContactWriterOptions,
  ) {
    this.backoff = opts.backoff ?? backoff;
  }

  async write(c: PreparedContact): Promise<WriteResult> {
    const earlier = this.journal?.get(c.key);
    if (earlier?.done) return { outcome: 'done-earlier', ord: earlier.done.ord };

    const existing = await this.findExisting(c.values, c.companyName);
    if (earlier?.pending) {
      // An earlier run sent this create and died before hearing back: if a record that did not
      // match before that save matches now, it is ours.
      const before = new Set(earlier.pending.before ?? []);
      const ours = existing.find((e) => !before.has(e.ord));
      if (ours) {
        this.journal?.done(c.key, c.row, 'created', ours.ord);
        return { outcome: 'created', ord: ours.ord, note: 'recovered after an interrupted run' };
      }
      // A record that appeared after that save but did not read back as sent may still be ours:
      // while it exists the row is not sent again.
      const suspect = earlier.pending.suspect;
      if (suspect && (await this.candidates(c.values)).some((x) => x.ord === suspect)) {
        return {
          outcome: 'failed', code: 'ERP_UNVERIFIED', ord: suspect,
          zh: `上次运行保存后出现的记录 ord ${suspect} 可能就是这一行，但读回的值不同；为避免重复未再发送，请在 ERP 中核对`,
          en: `record ord ${suspect}, which appeared after an earlier run's save, may be this row but does not read back as sent; not sent again: check it in the ERP`,
        };
      }
    }
    if (existing.length > 1) {
      const ords = existing.map((e) => e.ord).join(', ');
      return {
        outcome: 'rejected', code: 'LOOKUP_AMBIGUOUS',
        zh: `ERP 中已有 ${existing.length} 个联系人与匹配键相同（ord ${ords}），无法确定更新哪一个`,
        en: `the ERP already has ${existing.length} contacts with this match key (ord ${ords}); cannot tell which to update`,
      };
    }
    const found = existing[0];
    const { mode, dryRun } = this.opts;
    if (found) {
      if (mode === 'insert') {
        return { outcome: 'rejected', code: 'EXISTS', ord: found.ord, zh: `ERP 中已存在该联系人（ord ${found.ord}）`, en: `the contact already exists in the ERP (ord ${found.ord})` };
      }
      if (mode === 'skip-existing') return dryRun ? { outcome: 'would-skip', ord: found.ord } : this.skip(c, found.ord);
      return dryRun ? this.predictUpdate(c, found) : this.update(c, found.ord);
    }
    if (mode === 'update') {
      return { outcome: 'rejected', code: 'NOT_FOUND', zh: 'ERP 中没有与匹配键对应的联系人', en: 'no contact in the ERP has this match key' };
    }
    return dryRun ? { outcome: 'would-create' } : this.create(c, existing);
  }

  /**
   * What update() would do, without writing: `unchanged` when the merge changes no field (as
   * update() finds it), else would-update; a dry run once said "would update 20" where the real
   * run then said "unchanged 20".
   *
   * Cost per matched row: no request when it was matched by ord (its detail was read to match
   * it), nor when the list row shows every field the row writes and they agree; otherwise one
   * detail read (person/add.asp?edit=1), as update() does. A list that shows a value differently
   * from the detail (a cut text, another date format) costs that read, never a wrong answer.
   */
  private async predictUpdate(c: PreparedContact, found: ContactRef): Promise<WriteResult> {
    const writes = this.writes(c);
    const agrees = (current: Record<string, string>) => writes.every(([id, v]) => sameValue(FIELD.get(id), current[id] ?? '', v));
    const byOrd = this.opts.matchKeys.includes('ord') && !!c.values.ord;
    if (byOrd || (writes.every(([id]) => id in found.values) && agrees(found.values))) {
      return agrees(found.values) ? { outcome: 'unchanged', ord: found.ord } : { outcome: 'would-update', ord: found.ord };
    }
    const current = await this.erp.contactDetail(found.ord);
    if (!current) return { outcome: 'rejected', code: 'NOT_FOUND', ord: found.ord, zh: `联系人 ord ${found.ord} 已不存在`, en: `contact ord ${found.ord} no longer exists` };
    return agrees(current) ? { outcome: 'unchanged', ord: found.ord } : { outcome: 'would-update', ord: found.ord };
  }

  /** The fields an update sets to the row's values (merge() overlays exactly these), with their values. */
  private writes(c: PreparedContact): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [id, v] of Object.entries(c.values)) if (id !== 'ord' && SAVABLE.includes(id) && v !== '') out.push([id, v]);
    if (this.opts.blank === 'clear') for (const id of c.blanks) if (SAVABLE.includes(id)) out.push([id, '']);
    return out;
  }

  private skip(c: PreparedContact, ord: string): WriteResult {
    this.journal?.done(c.key, c.row, 'skipped', ord);
    return { outcome: 'skipped', ord };
  }

  /** Contacts whose match-key values equal the row's. */
  async findExisting(values: Record<string, string>, companyName?: string): Promise<ContactRef[]> {
    return (await this.candidates(values)).filter((cand) => this.matches(cand, values, companyName));
  }

  /** Whether a listed contact has the row's match-key values. */
  matches(cand: ContactRef, values: Record<string, string>, companyName?: string): boolean {
    return this.opts.matchKeys.every((k) => keyMatches(k, cand, values, companyName));
  }

  /** Contacts the list's filters return for the row's keys (fuzzy), before the exact comparison. */
  private async candidates(values: Record<string, string>): Promise<ContactRef[]> {
    const keys = this.opts.matchKeys;
    if (keys.includes('ord') && values.ord) {
      const detail = await this.erp.contactDetail(values.ord);
      if (!detail) return [];
      const ref = { ord: values.ord, values: detail };
      return keys.every((k) => k === 'ord' || sameValue(FIELD.get(k), detail[k] ?? '', values[k] ?? '')) ? [ref] : [];
    }
    if (this.opts.index) return this.opts.index.find(values);
    const filters: Record<string, string> = {};
    for (const k of keys) if (FILTERABLE.has(k) && values[k]) filters[k] = values[k];
    if (!Object.keys(filters).length) return [];
    return this.erp.contacts(filters);
  }

  private async create(c: PreparedContact, before: ContactRef[]): Promise<WriteResult> {
    const beforeOrds = before.map((b) => b.ord);
    const payload = savePayload(c.values);
    this.journal?.pending(c.key, c.row, beforeOrds);
    this.inFlight.add(c);
    try {
      let last: WriteResult | undefined;
      // After a fault the save may or may not have reached the server: it is sent again only
      // after a successful look has shown the record is not there.
      let mustLook = false;
      for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
        if (attempt > 0) await this.backoff(attempt);
        try {
          if (mustLook) {
            const seen = await this.look(c, beforeOrds);
            if (seen.mine) return this.created(c, seen.mine);
            if (seen.stranger) return this.unreadable(c, seen.stranger);
            mustLook = false;
          }
          let saved: 'saved' | 'unknown';
          try {
            saved = (await this.erp.saveContact(payload)).outcome;
          } catch (err) {
            const refused = asRefusal(err);
            if (refused) return refused;
            throw err;
          }
          if (!this.opts.verify && saved === 'saved') {
            this.journal?.done(c.key, c.row, 'created');
            return { outcome: 'created' };
          }
          mustLook = true;
          const seen = await this.look(c, beforeOrds);
          if (seen.mine) return this.created(c, seen.mine);
          if (seen.stranger) return this.unreadable(c, seen.stranger);
          // Nothing new under the row's filters: the look has shown the record missing.
          mustLook = false;
          last = { outcome: 'failed', code: 'ERP_UNVERIFIED', zh: 'ERP 答复保存成功，但列表中没有该联系人（未保存）', en: 'the ERP answered "ok" but the list shows no such contact (not saved)' };
        } catch (err) {
          if (!isTransient(err)) throw err;
          mustLook = true;
          last = failed('ERP_FAILED', err);
        }
      }
      return last ?? failed('ERP_FAILED', undefined);
    } finally {
      this.inFlight.delete(c);
    }
  }

  private created(c: PreparedContact, mine: ContactRef): WriteResult {
    this.unreadableInARow = 0;
    this.journal?.done(c.key, c.row, 'created', mine.ord);
    this.recent.add(mine.ord);
    const diff = differences(c.values, mine.values);
    return diff.length
      ? { outcome: 'failed', code: 'ERP_UNVERIFIED', ord: mine.ord, zh: `已保存（ord ${mine.ord}），但读回的值不同：${diff.join('、')}`, en: `saved (ord ${mine.ord}) but read back differently: ${diff.join(', ')}` }
      : { outcome: 'created', ord: mine.ord };
  }

  /**
   * What a look finds among the contacts the row's filters return that were not there before the
   * save: ours (its match keys equal the row's), or a new record that is no row's of this run
   * (when ours does not show up): possibly ours, shown differently from what was sent.
   */
  private async look(c: PreparedContact, beforeOrds: string[]): Promise<{ mine?: ContactRef; stranger?: ContactRef }> {
    const before = new Set(beforeOrds);
    const fresh = (await this.candidates(c.values)).filter((x) => !before.has(x.ord));
    const mine = fresh.find((x) => this.matches(x, c.values, c.companyName));
    if (mine) return { mine };
    const others = [...this.inFlight].filter((o) => o !== c);
    const stranger = fresh.find((x) => !this.recent.has(x.ord) && !others.some((o) => this.matches(x, o.values, o.companyName)));
    return { stranger };
  }

  /**
   * A new record appeared but does not read back as the row was sent: it is not sent again (it
   * may be ours); the journal keeps it pending with the suspect's ord, for the next run and for a
   * person. Several in a row mean the list is not read right: a configuration problem.
   */
  private unreadable(c: PreparedContact, stranger: ContactRef): WriteResult {
    this.journal?.suspect(c.key, c.row, stranger.ord);
    const diff = this.opts.matchKeys
      .filter((k) => !keyMatches(k, stranger, c.values, c.companyName))
      .map((k) => `${k}: 发送 / sent \`${c.values[k] ?? ''}\`, 列表显示 / the list shows \`${stranger.values[k] ?? (k === 'company' ? stranger.values.customer_name ?? '' : '')}\``);
    if (++this.unreadableInARow >= MAX_UNREADABLE_IN_A_ROW) {
      throw new ConfigError(
        `连续 ${this.unreadableInARow} 行保存后，列表中出现的新记录与发送的值对不上：列表的列映射或格式与安装配置不符，为避免重复已停止 / ${this.unreadableInARow} rows in a row: the new record the list shows does not read back as sent; the list's columns or formats do not fit the installation profile, stopped so nothing is saved twice`,
        [...diff, '请运行 `zbport doctor` 检查列映射；未确认的行留在日志中，下次运行会先查找而不会重发 / run `zbport doctor`; the unconfirmed rows stay pending and are looked for, never re-sent, by the next run'],
      );
    }
    return {
      outcome: 'failed', code: 'ERP_UNVERIFIED', ord: stranger.ord,
      zh: `已发送保存，列表中出现新记录 ord ${stranger.ord}，但读回的值与发送的不同（${diff.join('；')}）；为避免重复未再发送，请在 ERP 中核对`,
      en: `the save was sent and a new record ord ${stranger.ord} appeared, but it does not read back as sent (${diff.join('; ')}); not sent again to avoid a double: check it in the ERP`,
    };
  }

  private async update(c: PreparedContact, ord: string): Promise<WriteResult> {
    let last: WriteResult | undefined;
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) await this.backoff(attempt);
      try {
        const current = await this.erp.contactDetail(ord);
        if (!current) return { outcome: 'rejected', code: 'NOT_FOUND', ord, zh: `联系人 ord ${ord} 已不存在`, en: `contact ord ${ord} no longer exists` };
        const merged = this.merge(current, c);
        if (SAVABLE.every((id) => sameValue(FIELD.get(id), current[id] ?? '', merged[id] ?? ''))) {
          this.journal?.done(c.key, c.row, 'unchanged', ord);
          return { outcome: 'unchanged', ord };
        }
        await this.erp.saveContact({ ord, ...merged });
        if (!this.opts.verify) {
          this.journal?.done(c.key, c.row, 'updated', ord);
          return { outcome: 'updated', ord };
        }
        const after = await this.erp.contactDetail(ord);
        const diff = after ? differences(merged, after) : ['(record gone)'];
        if (!diff.length) {
          this.journal?.done(c.key, c.row, 'updated', ord);
          return { outcome: 'updated', ord };
        }
        last = { outcome: 'failed', code: 'ERP_UNVERIFIED', ord, zh: `更新后读回的值不同：${diff.join('、')}`, en: `read back differently after the update: ${diff.join(', ')}` };
      } catch (err) {
        const refused = asRefusal(err);
        if (refused) return { ...refused, ord };
        if (!isTransient(err)) throw err;
        // Updates are idempotent: sending one again is safe.
        last = failed('ERP_FAILED', err);
      }
    }
    return last ?? failed('ERP_FAILED', undefined);
  }

  /** The ERP's current values, overlaid with the row's; blank cells keep or clear per `blank`. */
  private merge(current: Record<string, string>, c: PreparedContact): Record<string, string> {
    const merged: Record<string, string> = {};
    for (const id of SAVABLE) merged[id] = current[id] ?? '';
    for (const [id, v] of Object.entries(c.values)) {
      if (id === 'ord' || !SAVABLE.includes(id)) continue;
      if (v !== '') merged[id] = v;
    }
    if (this.opts.blank === 'clear') for (const id of c.blanks) if (SAVABLE.includes(id)) merged[id] = '';
    return merged;
  }
}

/** The fields a create sends: every catalog field, blank ones as "" (the ERP takes strings only). */
function savePayload(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of SAVABLE) out[id] = values[id] ?? '';
  return out;
}

/** Whether a listed contact has the row's value for one match key. */
function keyMatches(k: string, cand: ContactRef, values: Record<string, string>, companyName?: string): boolean {
  if (k === 'ord') return true;
  if (k === 'company' && cand.values.company === undefined && cand.values.customer_name !== undefined) {
    // A list that shows the customer's name but not its id: the company filter already narrowed
    // it to this customer's id, and the name confirms it.
    return comparable(cand.values.customer_name) === comparable(companyName ?? '');
  }
  return sameValue(FIELD.get(k), cand.values[k] ?? '', values[k] ?? '');
}

/** A set of the latest `max` values: older ones are forgotten, so memory does not grow with the run. */
class RecentSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  add(v: string): void {
    this.items.add(v);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value as string);
  }
  has(v: string): boolean {
    return this.items.has(v);
  }
}

function differences(expected: Record<string, string>, actual: Record<string, string>): string[] {
  const out: string[] = [];
  for (const id of SAVABLE) {
    if (!(id in expected)) continue;
    if (!(id in actual)) continue; // the list shows only some columns; the detail shows all
    if (!sameValue(FIELD.get(id), actual[id] ?? '', expected[id] ?? '')) out.push(id);
  }
  return out;
}

interface ErpLikeError {
  kind?: string;
  message?: string;
  text?: string;
}

function asRefusal(err: unknown): WriteResult | undefined {
  const e = err as ErpLikeError;
  if (e?.kind !== 'business') return undefined;
  const text = e.text ?? e.message ?? '';
  return { outcome: 'rejected', code: 'ERP_REJECTED', zh: `ERP 拒绝保存：${text}`, en: `the ERP refused the save: ${text}` };
}

function failed(code: RowProblemCode, err: unknown): WriteResult {
  const msg = (err as ErpLikeError)?.message ?? 'unknown fault';
  return { outcome: 'failed', code, zh: `ERP 多次出错，未能保存：${msg}`, en: `the ERP kept failing, not saved: ${msg}` };
}

export { comparable };
export type { FieldSpec };
