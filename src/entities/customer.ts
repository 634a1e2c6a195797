/**
 * 客户: rows are matched by 客户编号 (khid) when the pipeline maps it, else by exact name, and
 * written by the keyed upsert policy with an id allocated before the first save (custom/add.asp
 * without cmdkey, then `__sys_dosave` with that id), so a create is verified, and recovered after a
 * crash, by reading that id's detail. In ZB's own layout (a customer row followed by rows of its
 * further contacts) the contact rows are skipped: a contact pipeline reads them.
 */
import { CUSTOMER_FIELDS, CUSTOMER_LIST_FILTERS } from '../catalog/index.js';
import type { ImportConfig } from '../definition/schema.js';
import type { ListNeeds } from '../installation/list-layout.js';
import type { CreateFailure, Resolution } from '../lookup/company-resolver.js';
import type { ImportErp } from '../run/import-erp.js';
import { KeyedUpsert, type RecordStore } from '../write/keyed-upsert.js';
import { RecordIndex } from '../write/record-index.js';
import { mappable, type EntityContext, type EntityRun, type EntitySpec, type Rejection, type RuleProblem } from './types.js';

export function customerStore(erp: ImportErp): RecordStore {
  return {
    noun: '客户',
    fields: CUSTOMER_FIELDS,
    filterable: new Set(CUSTOMER_LIST_FILTERS.map((f) => f.id)),
    list: (filters) => erp.customerRecords(filters),
    detail: (ord) => erp.customerDetail(ord),
    save: (values) => erp.saveCustomer(values),
    allocate: () => erp.allocateCustomer(),
  };
}

export const CUSTOMER: EntitySpec = {
  name: 'customer',
  title: '客户',
  fields: CUSTOMER_FIELDS,
  mappable: mappable(CUSTOMER_FIELDS, ['ord']),
  defaultMatchKeys: (mapped) => (mapped.has('khid') ? ['khid'] : mapped.has('name') ? ['name'] : []),
  extraColumns: () => ({}),
  references: () => [],
  identicalRows: 'duplicate',
  pendingAfterKill: 'look',
  continuation: { field: 'name', then: 'skip' },

  needs(_config: ImportConfig, matchKeys: string[]): ListNeeds {
    if (matchKeys.includes('ord')) return {};
    return {
      customer: [
        { anyOf: ['ord'], why: '客户 ID：查找已有客户 / the customer id: matching' },
        ...matchKeys.map((k) => ({ anyOf: [k], why: `匹配键 ${k} / the match key ${k}` })),
      ],
    };
  },

  rules(c: ImportConfig, matchKeys: string[]): RuleProblem[] {
    // customersHaveMatchKeys
    return matchKeys.length ? [] : [{ path: 'write.matchKeys', level: 'error', message: '客户导入需要匹配键：客户编号（khid）或客户名称（name）/ customer imports need a match key: 客户编号 (khid) or the customer name (name)' }];
  },

  async start(ctx: EntityContext): Promise<EntityRun> {
    const { config, erp } = ctx;
    const index = ctx.dryRun && !ctx.matchKeys.includes('ord') ? await RecordIndex.load(erp.allCustomerRecords(), ctx.matchKeys) : undefined;
    const writer = new KeyedUpsert(customerStore(erp), ctx.journal, {
      mode: config.write.mode, matchKeys: ctx.matchKeys, blank: config.write.blank, verify: config.write.verify,
      retries: config.write.retries, dryRun: ctx.dryRun, index,
    });
    return {
      resolve: async () => ({ ok: true }),
      write: (row) => writer.write(row),
      lookups: () => ({ companies: 0, cacheHits: 0 }),
      close() {},
    };
  },
};

/** A company name no customer (or several) has, or a customer that could not be created, as a row's rejection. */
export function companyRejection(text: string, r: Exclude<Resolution, { ok: true }> | CreateFailure): Rejection {
  if ('zh' in r) return { code: r.code, field: 'company', value: text, message: { zh: r.zh, en: r.en } };
  const list = r.candidates.map((c) => `${c.name}（ord ${c.ord}${c.khid ? `，编号 ${c.khid}` : ''}）`).join('、');
  const zh = r.code === 'LOOKUP_MISS'
    ? `找不到客户“${text}”${list ? `；相近的有：${list}` : ''}`
    : `客户“${text}”不唯一：${list}`;
  const en = r.code === 'LOOKUP_MISS'
    ? `no customer named \`${text}\`${list ? `; similar: ${r.candidates.map((c) => `${c.name} (ord ${c.ord})`).join(', ')}` : ''}`
    : `\`${text}\` names ${r.candidates.length} customers: ${r.candidates.map((c) => `ord ${c.ord}`).join(', ')}`;
  return { code: r.code, field: 'company', value: text, message: { zh, en } };
}
