/**
 * The keyed upsert write policy (contacts, customers): writes one validated row to the ERP
 * according to the write mode, so that nothing is lost and nothing is doubled:
 *
 * - existing records are found by the match keys through the entity's list (exact comparison
 *   on top of the list's fuzzy filters);
 * - "ok" is not "saved": every create is verified, by finding the new record in the list (its
 *   ord is one that did not match before the save) or, for entities whose id is allocated before
 *   the save (customers), by reading that id's detail; every update by reading the detail back;
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
import type { FieldSpec } from '../catalog/index.js';
import { ConfigError } from '../errors.js';
import { backoff } from '../erp/retry-policy.js';
import { isTransient } from '../erp/errors.js';
import type { ContactRef, SaveOutcome } from '../run/import-erp.js';
import type { Journal } from '../state/journal.js';
import { comparable } from '../lookup/company-resolver.js';
import { comparedAsText, sameValue } from './compare-values.js';
import { asRefusal, failedAfterRetries, type WriteResult } from './outcomes.js';
import type { RecordIndex } from './record-index.js';
import type { BatchVerifier } from './batch-verifier.js';
import { AMBIGUOUS, type MatchIndex } from './match-index.js';

export type WriteMode = 'insert' | 'upsert' | 'update' | 'skip-existing';

/** A record as a list shows it. */
export type ListedRecord = ContactRef;

/** What the policy needs of one entity in the ERP. */
export interface RecordStore {
  /** 联系人, 客户: for messages. */
  noun: string;
  /** The entity's catalog fields (the save writes every field that is not a key). */
  fields: FieldSpec[];
  /** List filters that narrow the candidates for a match key (fuzzy on the server). */
  filterable: ReadonlySet<string>;
  /** Records the list returns for these filters, every page. */
  list(filters: Record<string, string>): Promise<ListedRecord[]>;
  /** A record's detail (field id → value), or undefined when the ERP has no such ord. */
  detail(ord: string): Promise<Record<string, string> | undefined>;
  /** Saves: a create without `ord` (or with an allocated one), an update with it. */
  save(values: Record<string, string>): Promise<SaveOutcome>;
  /**
   * Entities whose id is allocated before their first save (customers): a new id and the values
   * the ERP's form suggests with it (客户编号). Creates are then verified by that id's detail.
   */
  allocate?(): Promise<{ ord: string; suggested: Record<string, string> }>;
}

export interface PreparedRecord {
  /** Source row number as the user sees it. */
  row: number;
  /** Journal key. */
  key: string;
  /** Catalog field id → validated value; references already resolved (a contact's `company` to the customer ord). */
  values: Record<string, string>;
  /** Mapped fields whose cell was blank. */
  blanks: string[];
  /** The resolved customer's name, for installations whose contact list shows the name but not the id. */
  companyName?: string;
}

export type { WriteResult };

/**
 * A write whose save is done and whose verification is not: the row's worker goes on to the next
 * row, and the outcome arrives when a batch read has seen (or a look has not found) the record.
 */
export interface Deferred {
  deferred: Promise<WriteResult>;
}

/** The outcome, once there is one. */
export async function settle(r: Promise<WriteResult | Deferred>): Promise<WriteResult> {
  const w = await r;
  return 'deferred' in w ? w.deferred : w;
}

export interface KeyedUpsertOptions {
  mode: WriteMode;
  matchKeys: string[];
  blank: 'keep' | 'clear';
  verify: boolean;
  retries: number;
  dryRun: boolean;
  /** Existing records loaded once (dry runs): matched without a request per row. */
  index?: RecordIndex;
  /**
   * Existing records' keys loaded once (real runs), when it has been loaded: a miss needs no
   * request. A promise of it while a load that takes no longer than a lookup is on its way.
   */
  matchIndex?: () => MatchIndex | Promise<MatchIndex | undefined> | undefined;
  /** Creates verified in batches (the list newest first) instead of a look per row. */
  verifier?: BatchVerifier;
  /** Told of every record this run created, with the values it was created with. */
  onCreated?: (values: Record<string, string>, ord: string) => void;
  /** Waits before retry `attempt` (1-based); injectable so tests need not sleep long. */
  backoff?: (attempt: number) => Promise<void>;
}

/** Rows in a row whose new record did not read back as sent, before the run stops as misconfigured. */
const MAX_UNREADABLE_IN_A_ROW = 3;

export class KeyedUpsert {
  private readonly backoff: (attempt: number) => Promise<void>;
  private unreadableInARow = 0;
  /** Creates being written right now: a new record that matches one of them is theirs, not a stranger. */
  private readonly inFlight = new Set<PreparedRecord>();
  /** ords this run created, lately (bounded): never strangers. */
  private readonly recent = new RecentSet(4096);
  private readonly field: Map<string, FieldSpec>;
  private readonly hintKey: string | undefined;
  private readonly savable: string[];

  constructor(
    private readonly store: RecordStore,
    private readonly journal: Journal | undefined,
    private readonly opts: KeyedUpsertOptions,
  ) {
    this.backoff = opts.backoff ?? backoff;
    this.field = new Map(store.fields.map((f) => [f.id, f]));
    // A match key that `keyMatches` compares as trimmed text only (not ord, not the company, which
    // may be matched by the customer's name): the batch verifier looks records up by it.
    this.hintKey = opts.matchKeys.find((k) => k !== 'ord' && k !== 'company' && comparedAsText(this.field.get(k)));
    this.savable = store.fields.filter((f) => !f.key).map((f) => f.id);
    // An object literal of fixed keys: one hidden class, where forty keys added one by one make a
    // dictionary at every save. Field ids come from the catalog; JSON.stringify quotes them.
    this.savePayload = new Function('v', `return { ${this.savable.map((id) => `${JSON.stringify(id)}: v[${JSON.stringify(id)}] ?? ''`).join(', ')} };`) as (values: Record<string, string>) => Record<string, string>;
  }

  async write(c: PreparedRecord): Promise<WriteResult | Deferred> {
    const earlier = this.journal?.get(c.key);
    if (earlier?.done) return { outcome: 'done-earlier', ord: earlier.done.ord };

    if (earlier?.pending?.ord) {
      // An earlier run allocated this id and died before hearing back: if it holds a record now,
      // that record is ours.
      const mine = await this.store.detail(earlier.pending.ord);
      if (mine) {
        this.journal?.done(c.key, c.row, 'created', earlier.pending.ord);
        return { outcome: 'created', ord: earlier.pending.ord, note: 'recovered after an interrupted run' };
      }
    }
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
        zh: `ERP 中已有 ${existing.length} 个${this.store.noun}与匹配键相同（ord ${ords}），无法确定更新哪一个`,
        en: `the ERP already has ${existing.length} records with this match key (ord ${ords}); cannot tell which to update`,
      };
    }
    const found = existing[0];
    const { mode, dryRun } = this.opts;
    if (found) {
      if (mode === 'insert') {
        return { outcome: 'rejected', code: 'EXISTS', ord: found.ord, zh: `ERP 中已存在该${this.store.noun}（ord ${found.ord}）`, en: `the record already exists in the ERP (ord ${found.ord})` };
      }
      if (mode === 'skip-existing') return dryRun ? { outcome: 'would-skip', ord: found.ord } : this.skip(c, found.ord);
      return dryRun ? this.predictUpdate(c, found) : this.update(c, found.ord, this.details.get(found) ?? undefined);
    }
    if (mode === 'update') {
      return { outcome: 'rejected', code: 'NOT_FOUND', zh: `ERP 中没有与匹配键对应的${this.store.noun}`, en: 'no record in the ERP has this match key' };
    }
    if (dryRun) return { outcome: 'would-create' };
    return this.store.allocate ? this.createWithId(c) : this.create(c, existing);
  }

  /**
   * What update() would do, without writing: `unchanged` when the merge changes no field (as
   * update() finds it), else would-update; a dry run once said "would update 20" where the real
   * run then said "unchanged 20".
   *
   * Cost per matched row: no request when it was matched by ord (its detail was read to match
   * it), nor when the list row shows every field the row writes and they agree; otherwise one
   * detail read, as update() does. A list that shows a value differently
   * from the detail (a cut text, another date format) costs that read, never a wrong answer.
   */
  private async predictUpdate(c: PreparedRecord, found: ListedRecord): Promise<WriteResult> {
    const writes = this.writes(c);
    const agrees = (current: Record<string, string>) => writes.every(([id, v]) => sameValue(this.field.get(id), current[id] ?? '', v));
    const byOrd = this.opts.matchKeys.includes('ord') && !!c.values.ord;
    if (byOrd || (writes.every(([id]) => id in found.values) && agrees(found.values))) {
      return agrees(found.values) ? { outcome: 'unchanged', ord: found.ord } : { outcome: 'would-update', ord: found.ord };
    }
    const current = await this.store.detail(found.ord);
    if (!current) return { outcome: 'rejected', code: 'NOT_FOUND', ord: found.ord, zh: `${this.store.noun} ord ${found.ord} 已不存在`, en: `record ord ${found.ord} no longer exists` };
    return agrees(current) ? { outcome: 'unchanged', ord: found.ord } : { outcome: 'would-update', ord: found.ord };
  }

  /** The fields an update sets to the row's values (merge() overlays exactly these), with their values. */
  private writes(c: PreparedRecord): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [id, v] of Object.entries(c.values)) if (id !== 'ord' && this.savable.includes(id) && v !== '') out.push([id, v]);
    if (this.opts.blank === 'clear') for (const id of c.blanks) if (this.savable.includes(id)) out.push([id, '']);
    return out;
  }

  private skip(c: PreparedRecord, ord: string): WriteResult {
    this.journal?.done(c.key, c.row, 'skipped', ord);
    return { outcome: 'skipped', ord };
  }

  /** Records found by their detail (through the match index): an update need not read it again. */
  private readonly details = new WeakMap<ListedRecord, Record<string, string>>();

  /** Records whose match-key values equal the row's. */
  async findExisting(values: Record<string, string>, companyName?: string): Promise<ListedRecord[]> {
    let index = this.opts.matchIndex?.();
    if (index instanceof Promise) index = await index;
    if (index) {
      const ord = index.find(values);
      // No record has these keys (nor has this run made one): nothing to ask the ERP.
      if (ord === undefined) return [];
      if (ord !== AMBIGUOUS) {
        const detail = await this.store.detail(String(ord));
        const ref = detail ? { ord: String(ord), values: detail } : undefined;
        if (ref && this.matches(ref, values, companyName)) {
          this.details.set(ref, detail!);
          return [ref];
        }
        // Changed since the load, or two keys under one hash: the list decides.
      }
    }
    return (await this.candidates(values)).filter((cand) => this.matches(cand, values, companyName));
  }

  /** Whether a listed record has the row's match-key values. */
  matches(cand: ListedRecord, values: Record<string, string>, companyName?: string): boolean {
    return this.opts.matchKeys.every((k) => this.keyMatches(k, cand, values, companyName));
  }

  /** Whether a listed record has the row's value for one match key. */
  private keyMatches(k: string, cand: ListedRecord, values: Record<string, string>, companyName?: string): boolean {
    if (k === 'ord') return true;
    if (k === 'company' && cand.values.company === undefined && cand.values.customer_name !== undefined) {
      // A contact list that shows the customer's name but not its id: the company filter already
      // narrowed it to this customer's id, and the name confirms it.
      return comparable(cand.values.customer_name) === comparable(companyName ?? '');
    }
    return sameValue(this.field.get(k), cand.values[k] ?? '', values[k] ?? '');
  }

  /** Records the list's filters return for the row's keys (fuzzy), before the exact comparison. */
  private async candidates(values: Record<string, string>): Promise<ListedRecord[]> {
    const keys = this.opts.matchKeys;
    if (keys.includes('ord') && values.ord) {
      const detail = await this.store.detail(values.ord);
      if (!detail) return [];
      const ref = { ord: values.ord, values: detail };
      return keys.every((k) => k === 'ord' || sameValue(this.field.get(k), detail[k] ?? '', values[k] ?? '')) ? [ref] : [];
    }
    if (this.opts.index) return this.opts.index.find(values);
    const filters: Record<string, string> = {};
    for (const k of keys) if (this.store.filterable.has(k) && values[k]) filters[k] = values[k];
    if (!Object.keys(filters).length) return [];
    return this.store.list(filters);
  }

  /**
   * A create whose id is allocated first (customers): journalled as pending, then with its id,
   * before the save is sent; verified by that id's detail. Sending it again after a look has shown
   * the id empty is safe: a save names its record.
   */
  private async createWithId(c: PreparedRecord): Promise<WriteResult> {
    this.journal?.pending(c.key, c.row, []);
    const { ord, suggested } = await this.store.allocate!();
    this.journal?.allocated(c.key, c.row, ord);
    const payload = { ...this.savePayload({ ...suggested, ...withoutBlanks(c.values) }), ord };
    return this.saveUntilSeen(c, payload, async () => {
      const there = await this.store.detail(ord);
      return there ? { mine: { ord, values: there } } : {};
    }, { outcome: 'failed', code: 'ERP_UNVERIFIED', ord, zh: `ERP 答复保存成功，但读不到该${this.store.noun}（ord ${ord}，未保存）`, en: `the ERP answered "ok" but record ord ${ord} cannot be read (not saved)` });
  }

  /** A create found afterwards in the list: its ord is one that did not match before the save. */
  private async create(c: PreparedRecord, before: ListedRecord[]): Promise<WriteResult | Deferred> {
    const beforeOrds = before.map((b) => b.ord);
    let payload: Record<string, string> | undefined = this.savePayload(c.values);
    const missing = (): WriteResult => ({
      outcome: 'failed', code: 'ERP_UNVERIFIED', zh: `ERP 答复保存成功，但列表中没有该${this.store.noun}（未保存）`, en: 'the ERP answered "ok" but the list shows no such record (not saved)',
    });
    const look = () => this.look(c, beforeOrds);
    this.journal?.pending(c.key, c.row, beforeOrds);
    this.inFlight.add(c);
    const verifier = this.opts.verifier;
    if (!verifier || !this.opts.verify) {
      try {
        return await this.saveUntilSeen(c, payload, look, missing());
      } finally {
        this.inFlight.delete(c);
      }
    }
    // The first save in this worker; its verification later, in a batch, while the worker goes on.
    const since = verifier.mark();
    try {
      await this.store.save(payload);
    } catch (err) {
      const refused = asRefusal(err);
      if (refused) {
        this.inFlight.delete(c);
        return refused;
      }
      if (!isTransient(err)) {
        this.inFlight.delete(c);
        throw err;
      }
      // A fault: maybe saved, maybe not; looked for before anything is sent again.
      try {
        return await this.saveUntilSeen(c, payload, look, missing(), { mustLook: true, firstAttempt: 1, last: failedAfterRetries(err) });
      } finally {
        this.inFlight.delete(c);
      }
    }
    // Hundreds of rows wait for their batch at 64 in flight: what each keeps alive until then is
    // what the young generation copies at every collection, so the payload is made again if needed.
    payload = undefined;
    const deferred = (async (): Promise<WriteResult> => {
      try {
        const mine = await verifier.expect(since, (r) => this.matches(r, c.values, c.companyName), this.hintKey === undefined ? undefined : { key: this.hintKey, value: c.values[this.hintKey] ?? '' });
        if (mine) return this.created(c, mine);
        // The newest records do not show it: looked for row by row before it is sent again.
        return await this.saveUntilSeen(c, this.savePayload(c.values), look, missing(), { mustLook: true, firstAttempt: 1 });
      } finally {
        this.inFlight.delete(c);
      }
    })();
    return { deferred };
  }

  /**
   * Sends a create and looks for it, as many times as the retries allow. After a fault the save
   * may or may not have reached the server: it is sent again only after a successful look has
   * shown the record is not there (`missing`: what the row ends as if it never shows up).
   */
  private async saveUntilSeen(
    c: PreparedRecord,
    payload: Record<string, string>,
    look: () => Promise<{ mine?: ListedRecord; stranger?: ListedRecord }>,
    missing: WriteResult,
    from: { mustLook: boolean; firstAttempt: number; last?: WriteResult } = { mustLook: false, firstAttempt: 0 },
  ): Promise<WriteResult> {
    let last: WriteResult | undefined = from.last;
    let mustLook = from.mustLook;
    for (let attempt = from.firstAttempt; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) await this.backoff(attempt);
      try {
        if (mustLook) {
          const seen = await look();
          if (seen.mine) return this.created(c, seen.mine);
          if (seen.stranger) return this.unreadable(c, seen.stranger);
          mustLook = false;
        }
        let saved: 'saved' | 'unknown';
        try {
          saved = (await this.store.save(payload)).outcome;
        } catch (err) {
          const refused = asRefusal(err);
          if (refused) return refused;
          throw err;
        }
        if (!this.opts.verify && saved === 'saved') {
          this.journal?.done(c.key, c.row, 'created', payload.ord || undefined);
          return { outcome: 'created', ...(payload.ord ? { ord: payload.ord } : {}) };
        }
        mustLook = true;
        const seen = await look();
        if (seen.mine) return this.created(c, seen.mine);
        if (seen.stranger) return this.unreadable(c, seen.stranger);
        // Nothing new: the look has shown the record missing.
        mustLook = false;
        last = missing;
      } catch (err) {
        if (!isTransient(err)) throw err;
        mustLook = true;
        last = failedAfterRetries(err);
      }
    }
    return last ?? failedAfterRetries(undefined);
  }

  private created(c: PreparedRecord, mine: ListedRecord): WriteResult {
    this.unreadableInARow = 0;
    this.journal?.done(c.key, c.row, 'created', mine.ord);
    this.recent.add(mine.ord);
    this.opts.onCreated?.(c.values, mine.ord);
    const diff = this.differences(c.values, mine.values);
    return diff.length
      ? { outcome: 'failed', code: 'ERP_UNVERIFIED', ord: mine.ord, zh: `已保存（ord ${mine.ord}），但读回的值不同：${diff.join('、')}`, en: `saved (ord ${mine.ord}) but read back differently: ${diff.join(', ')}` }
      : { outcome: 'created', ord: mine.ord };
  }

  /**
   * What a look finds among the contacts the row's filters return that were not there before the
   * save: ours (its match keys equal the row's), or a new record that is no row's of this run
   * (when ours does not show up): possibly ours, shown differently from what was sent.
   */
  private async look(c: PreparedRecord, beforeOrds: string[]): Promise<{ mine?: ListedRecord; stranger?: ListedRecord }> {
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
  private unreadable(c: PreparedRecord, stranger: ListedRecord): WriteResult {
    this.journal?.suspect(c.key, c.row, stranger.ord);
    const diff = this.opts.matchKeys
      .filter((k) => !this.keyMatches(k, stranger, c.values, c.companyName))
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

  private async update(c: PreparedRecord, ord: string, known?: Record<string, string>): Promise<WriteResult> {
    let last: WriteResult | undefined;
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) await this.backoff(attempt);
      try {
        // The detail read to match the row serves the first attempt.
        const current = attempt === 0 && known ? known : await this.store.detail(ord);
        if (!current) return { outcome: 'rejected', code: 'NOT_FOUND', ord, zh: `${this.store.noun} ord ${ord} 已不存在`, en: `record ord ${ord} no longer exists` };
        const merged = this.merge(current, c);
        if (this.savable.every((id) => sameValue(this.field.get(id), current[id] ?? '', merged[id] ?? ''))) {
          this.journal?.done(c.key, c.row, 'unchanged', ord);
          return { outcome: 'unchanged', ord };
        }
        await this.store.save({ ord, ...merged });
        if (!this.opts.verify) {
          this.journal?.done(c.key, c.row, 'updated', ord);
          return { outcome: 'updated', ord };
        }
        const after = await this.store.detail(ord);
        const diff = after ? this.differences(merged, after) : ['(record gone)'];
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
        last = failedAfterRetries(err);
      }
    }
    return last ?? failedAfterRetries(undefined);
  }

  /** The ERP's current values, overlaid with the row's; blank cells keep or clear per `blank`. */
  private merge(current: Record<string, string>, c: PreparedRecord): Record<string, string> {
    const merged: Record<string, string> = {};
    for (const id of this.savable) merged[id] = current[id] ?? '';
    for (const [id, v] of Object.entries(c.values)) {
      if (id === 'ord' || !this.savable.includes(id)) continue;
      if (v !== '') merged[id] = v;
    }
    if (this.opts.blank === 'clear') for (const id of c.blanks) if (this.savable.includes(id)) merged[id] = '';
    return merged;
  }

  /** The fields a create sends: every catalog field, blank ones as "" (the ERP takes strings only). */
  private readonly savePayload: (values: Record<string, string>) => Record<string, string>;

  private differences(expected: Record<string, string>, actual: Record<string, string>): string[] {
    const out: string[] = [];
    for (const id of this.savable) {
      if (!(id in expected)) continue;
      if (!(id in actual)) continue; // the list shows only some columns; the detail shows all
      if (!sameValue(this.field.get(id), actual[id] ?? '', expected[id] ?? '')) out.push(id);
    }
    return out;
  }
}

function withoutBlanks(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
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

export { comparable };
