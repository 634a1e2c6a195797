/**
 * 联系人: rows name their customer by name, number or id (resolved through the customer list,
 * created when `lookup.createMissing` asks), are matched by company + name + mobile (or ord for
 * round trips), and are written by the keyed upsert policy.
 */
import { CONTACT_FIELDS, CONTACT_LIST_FILTERS, CUSTOMER_FIELDS } from '../catalog/index.js';
import type { ImportConfig } from '../definition/schema.js';
import type { ColumnNeed, ListNeeds } from '../installation/list-layout.js';
import { CompanyResolver, type CreateCustomer } from '../lookup/company-resolver.js';
import type { ImportErp } from '../run/import-erp.js';
import { BatchVerifier } from '../write/batch-verifier.js';
import { KeyedUpsert, settle, type RecordStore } from '../write/keyed-upsert.js';
import { MatchIndex } from '../write/match-index.js';
import { RecordIndex } from '../write/record-index.js';
import { companyRejection, customerStore } from './customer.js';
import { mappable, type EntityContext, type EntityRun, type EntitySpec, type RuleProblem } from './types.js';

export function contactStore(erp: ImportErp): RecordStore {
  return {
    noun: '联系人',
    fields: CONTACT_FIELDS,
    filterable: new Set(CONTACT_LIST_FILTERS.map((f) => f.id)),
    list: (filters) => erp.contacts(filters),
    detail: (ord) => erp.contactDetail(ord),
    save: (values) => erp.saveContact(values),
  };
}

const ORD_CUSTOMER: ColumnNeed = { anyOf: ['ord'], why: '客户 ID / the customer id' };
const CUSTOMER_FIELD_IDS = new Set(CUSTOMER_FIELDS.map((f) => f.id));
/**
 * Saves verified by one read at most (the read comes sooner after maxWaitMs). 400 rather than 200:
 * at 64 in flight the main thread's scavenges took 1.6–1.8 s instead of 1.9–2.0 s of a 30,000-row
 * import (fewer, larger pages); below 400 in-flight saves a second nothing changes.
 */
const VERIFY_BATCH = 400;
/**
 * …or when the first of them has waited a second: where saves are few (1 to 4 in flight) a read
 * then covers 45 to 180 of them, not 14 to 55 as after 300 ms, and a second more before a killed
 * run's last saves are known is nothing to a migration (they stay pending, looked for on resume).
 */
const VERIFY_WAIT_MS = 1000;

export const CONTACT: EntitySpec = {
  name: 'contact',
  title: '联系人',
  fields: CONTACT_FIELDS,
  // `ord` is mappable so an exported workbook can be re-imported as an update keyed on it.
  mappable: mappable(CONTACT_FIELDS, ['ord']),
  defaultMatchKeys: (mapped) => ['company', 'person_name', 'mobile'].filter((k) => mapped.has(k)),
  extraColumns: () => ({}),
  references: (c) => (c.lookup.by !== 'id' ? ['company'] : []),
  identicalRows: 'duplicate',
  pendingAfterKill: 'look',
  continuation: { field: 'company', then: 'fill' },

  needs(config: ImportConfig, matchKeys: string[]): ListNeeds {
    const customer: ColumnNeed[] = [ORD_CUSTOMER];
    if (config.lookup.by === 'name') customer.push({ anyOf: ['name'], why: '按客户名称查找客户 / finding customers by name' });
    if (config.lookup.by === 'code') customer.push({ anyOf: ['khid'], why: '按客户编号查找客户 / finding customers by number' });
    const needs: ListNeeds = { customer };
    // Matching on ord reads details, not the list.
    if (!matchKeys.includes('ord')) {
      needs.contact = [
        { anyOf: ['ord'], why: '联系人 ID：查找已有联系人、读回核对新建的联系人 / the contact id: matching and reading creates back' },
        ...matchKeys.map((k): ColumnNeed => (k === 'company'
          ? { anyOf: ['company', 'customer_name'], why: '匹配键 关联客户 / the match key company' }
          : { anyOf: [k], why: `匹配键 ${k} / the match key ${k}` })),
      ];
    }
    return needs;
  },

  rules(c: ImportConfig, matchKeys: string[]): RuleProblem[] {
    const out: RuleProblem[] = [];
    // contactsHaveMatchKeys
    if (!matchKeys.length) {
      out.push({
        path: 'write.matchKeys', level: 'error',
        message: c.write.mode === 'update'
          ? '更新模式需要匹配键来找到要更新的记录 / update mode needs match keys to find the records to update'
          : '联系人导入需要匹配键（例如 company、person_name），再次运行时才能找到上次创建的记录而不是重复创建 / contact imports need match keys (e.g. company, person_name) so a second run finds what the first created instead of doubling it',
      });
    }
    // createMissingCreatesByName: a customer can only be made from a name, with its required fields.
    const create = c.lookup.createMissing;
    if (create && c.lookup.by !== 'name') out.push({ path: 'lookup.createMissing', level: 'error', message: '按客户名称新建客户，需要 lookup.by: name / creates customers from their name: needs lookup.by: name' });
    if (create && typeof create === 'object') {
      for (const id of Object.keys(create.values)) {
        if (!CUSTOMER_FIELD_IDS.has(id)) out.push({ path: `lookup.createMissing.values.${id}`, level: 'error', message: `\`${id}\` 不是客户的字段 / \`${id}\` is not a customer field`, known: [...CUSTOMER_FIELD_IDS] });
      }
    }
    if (create && !(typeof create === 'object' && create.values.sort1)) {
      out.push({ path: 'lookup.createMissing', level: 'error', message: '新建客户需要客户分类（sort1）：请设置 lookup.createMissing.values.sort1，例如 "1" / a new customer needs 客户分类 (sort1): set lookup.createMissing.values.sort1, e.g. "1"' });
    }
    return out;
  },

  startReads(config, _matchKeys, dryRun) {
    return {
      wholeFirstPage: CompanyResolver.loadsFirstPage(config.lookup.by, config.lookup.preload) ? ['customer'] : [],
      newestContacts: !dryRun && config.write.verify ? BatchVerifier.FIRST_PAGE : undefined,
    };
  },

  async start(ctx: EntityContext): Promise<EntityRun> {
    const { config, erp } = ctx;
    // Indexes of existing contacts need a list that shows every match key itself (not the
    // customer only by name); matching on ord reads details instead.
    const indexable = ctx.matchKeys.every((k) => erp.shows('contact', k)) && !ctx.matchKeys.includes('ord');
    // The first reads of a run need no one another's answers: the contact count (keyIndex), the
    // customer count (the resolver; both usually known from the checks' pages already) and the
    // verifier's first page go out together.
    const keys = !ctx.dryRun && indexable ? keyIndex(ctx) : undefined;
    // A customer made from a row carries the row's contact as its first contact: the index must
    // send that row to the list, where it is found, not on to a second create.
    const resolver = new CompanyResolver(erp, config.lookup.by, config.lookup.preload, config.lookup.createMissing ? missingCustomers(ctx, (values) => keys?.created(values)) : undefined);
    resolver.start();
    const stop = async () => {
      await Promise.all([keys?.stop(), resolver.stop()]);
    };
    let index: RecordIndex | undefined;
    let verifier: BatchVerifier | undefined;
    try {
      // A dry run matches against all existing contacts loaded once (ords only matter when writing).
      index = ctx.dryRun && indexable ? await RecordIndex.load(erp.allContacts(), ctx.matchKeys) : undefined;
      // Creates verified a batch at a time from the newest records, where the list sorts by ord. No
      // save is sent before its mark is taken: start() returns after it.
      verifier = !ctx.dryRun && config.write.verify && erp.shows('contact', 'ord')
        ? await BatchVerifier.start({ newest: (size, page) => erp.newestContacts(size, page), first: (size) => erp.newestAtStart(size), maxPageSize: erp.maxPageSize, maxBatch: VERIFY_BATCH, maxWaitMs: Number(process.env.ZBPORT_VERIFY_WAIT_MS) || VERIFY_WAIT_MS })
        : undefined;
    } catch (err) {
      // The run stops before its first row: the reads started above end with it, not after its logout.
      await stop();
      throw err;
    }
    const writer = new KeyedUpsert(contactStore(erp), ctx.journal, {
      mode: config.write.mode, matchKeys: ctx.matchKeys, blank: config.write.blank, verify: config.write.verify,
      retries: config.write.retries, dryRun: ctx.dryRun, index, matchIndex: keys?.current, verifier, onCreated: keys?.created,
    });
    return {
      async resolve(values) {
        if (!values.company) return { ok: true };
        const text = values.company;
        const r = await resolver.resolve(text, values);
        if (!r.ok) return { ok: false, rejection: companyRejection(text, r) };
        values.company = r.ord;
        return { ok: true, companyName: r.customer.name, note: r.created ? `客户“${r.customer.name}”已新建（ord ${r.ord}）/ customer created` : undefined };
      },
      write: (row) => writer.write(row),
      lookups: () => ({ companies: resolver.lookups, cacheHits: resolver.hits, created: resolver.created }),
      drain: () => verifier?.readNow(),
      close() {
        verifier?.close();
        return stop();
      },
    };
  },
};

/**
 * The existing contacts' keys, loaded when that is cheaper than looking rows up one by one. The
 * ERP's record count is asked at once: no contacts make an empty index, and a list that fits in
 * one page is loaded at once (one request, never more than the lookups it replaces). A longer
 * list is left to "ski rental" (buy once renting has cost the price): rows are looked up one by
 * one until they have cost as many requests as loading the whole list would (its page count),
 * then it is loaded once, in parallel pages. A small file never loads a large ERP's list; a
 * migration loads it once, early. Never worse than twice the better choice.
 */
function keyIndex(ctx: EntityContext): {
  current: () => MatchIndex | Promise<MatchIndex | undefined> | undefined;
  created: (values: Record<string, string>, ord?: string) => void;
  stop(): Promise<void>;
} {
  let index: MatchIndex | undefined;
  let stopped = false;
  let loading: Promise<MatchIndex | undefined> | undefined;
  let pages: number | undefined;
  let counting: Promise<void> | undefined;
  let lookups = 0;
  // Contacts this run creates while the index is being made (counted, then loaded) may be missing from it.
  const meanwhile: Array<[Record<string, string>, string | undefined]> = [];
  const add = (into: MatchIndex, values: Record<string, string>, ord: string | undefined) => (ord ? into.add(values, ord) : into.addUnknown(values));
  const ready = (made: MatchIndex) => {
    for (const [values, ord] of meanwhile.splice(0)) add(made, values, ord);
    index = made;
    return made;
  };
  const load = (o: { background?: boolean } = {}) => {
    ctx.log.info(`一次读取全部 ${pages} 页已有联系人用于匹配，此后不再逐行查询 / loading the existing contacts (${pages} pages) once to match rows against, instead of a lookup per row`);
    loading = MatchIndex.load(ctx.erp.allContacts(o), ctx.matchKeys, () => stopped).then((loaded) => (loaded ? ready(loaded) : undefined), () => {
      loading = undefined;
      return undefined;
    });
  };
  const count = () => {
    counting ??= ctx.erp.contactCount().then((n) => {
      pages = Math.ceil(n / ctx.erp.maxPageSize);
      if (stopped) return;
      if (n === 0) {
        ctx.log.info('ERP 中还没有联系人：不逐行查询 / the ERP has no contacts yet: no lookup per row');
        ready(new MatchIndex(ctx.matchKeys));
      } else if (pages === 1) load({ background: true });
      // Loaded later, if at all: it reads what this run has created by then.
      else meanwhile.length = 0;
    }, () => {
      counting = undefined;
      meanwhile.length = 0;
    });
  };
  count();
  return {
    current() {
      if (index) return index;
      if (pages === undefined) {
        // Rows that come before the count's answer are looked up, as they were before it was asked.
        count();
        return undefined;
      }
      // One page on its way answers about when a lookup sent now would, and spares it; a load of
      // several pages takes longer, so rows are looked up meanwhile.
      if (loading && pages <= 1) return loading;
      if (!loading && ++lookups > pages) load();
      return undefined;
    },
    /** A contact this run made: with its ord, or without one (made by the customer form). */
    created(values, ord) {
      if (index) add(index, values, ord);
      else if (loading || (counting && pages === undefined)) meanwhile.push([values, ord]);
    },
    /** The run is over: no load starts now, and one under way stops (its pages would only keep the process). */
    async stop() {
      stopped = true;
      await counting;
      await loading;
    },
  };
}

/**
 * `lookup.createMissing`: a customer no one has is created from the row that first names it:
 * its name, the constants the pipeline gives (客户分类…), and the row's contact fields, which the
 * customer form takes as the customer's first contact. Written by the keyed upsert policy keyed on
 * the name, in the run's journal: a killed run never makes it twice.
 */
function missingCustomers(ctx: EntityContext, firstContact: (values: Record<string, string>) => void): CreateCustomer {
  const create = ctx.config.lookup.createMissing;
  const constants = typeof create === 'object' ? create.values : {};
  const writer = new KeyedUpsert(customerStore(ctx.erp), ctx.journal, {
    mode: 'upsert', matchKeys: ['name'], blank: 'keep', verify: true, retries: ctx.config.write.retries, dryRun: ctx.dryRun,
  });
  return async (name, row) => {
    const values: Record<string, string> = {};
    for (const [id, v] of Object.entries(row)) if (CUSTOMER_FIELD_IDS.has(id) && id !== 'ord' && v) values[id] = v;
    Object.assign(values, constants, { name });
    const r = await settle(writer.write({ row: 0, key: `customer:${name}`, values, blanks: [] }));
    if (r.outcome === 'rejected' || r.outcome === 'failed') return { ok: false, code: r.code === 'ERP_REJECTED' || r.code === 'ERP_UNVERIFIED' ? r.code : 'ERP_FAILED', zh: `新建客户“${name}”失败：${r.zh}`, en: `creating customer \`${name}\` failed: ${r.en}` };
    if (r.outcome === 'created' && r.ord && values.person_name) firstContact({ ...row, company: r.ord });
    return { ok: true, customer: { ord: r.ord ?? '', name, khid: values.khid ?? '' } };
  };
}
