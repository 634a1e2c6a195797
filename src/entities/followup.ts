/**
 * 洽谈进展 (follow-ups of a contact): each row names its contact by company + name, by mobile or
 * by ord (`contactLookup`), found through the contact picking list; identical rows are distinct
 * follow-ups. Written by the append-once policy with the ledger of follow-ups posted to this ERP.
 */
import { FOLLOWUP_FIELDS } from '../catalog/index.js';
import type { ImportConfig } from '../definition/schema.js';
import type { ColumnNeed, ListNeeds } from '../installation/list-layout.js';
import { CompanyResolver } from '../lookup/company-resolver.js';
import { ContactResolver } from '../lookup/contact-resolver.js';
import { erpIdentity, Ledger } from '../state/ledger.js';
import { AppendOnce } from '../write/append-once.js';
import { mappable, type EntityContext, type EntityRun, type EntitySpec, type RuleProblem } from './types.js';

/** The roles of a follow-up's lookup columns, and the setting that names each. */
const ROLES = { company: 'companyColumn', name: 'nameColumn', mobile: 'mobileColumn', ord: 'ordColumn' } as const;
const NEEDED: Record<ImportConfig['contactLookup']['by'], Array<keyof typeof ROLES>> = { 'company+name': ['company', 'name'], mobile: ['mobile'], ord: ['ord'] };

export const FOLLOWUP: EntitySpec = {
  name: 'followup',
  title: '洽谈进展',
  fields: FOLLOWUP_FIELDS,
  mappable: mappable(FOLLOWUP_FIELDS),
  // The contact (`ord`) comes from the lookup columns, not from the mapping.
  resolved: ['ord'],
  defaultMatchKeys: () => [],
  extraColumns: (c) => Object.fromEntries(Object.entries(ROLES).map(([role, setting]) => [role, c.contactLookup[setting]])),
  references: () => [],
  identicalRows: 'distinct',
  pendingAfterKill: 'report',

  needs(config: ImportConfig): ListNeeds {
    // Follow-ups find their contact through the picking list.
    const by = config.contactLookup.by;
    if (by === 'ord') return {};
    const pick: ColumnNeed[] = [{ anyOf: ['ord'], why: '联系人 ID / the contact id' }];
    if (by === 'mobile') return { contactPick: [...pick, { anyOf: ['mobile'], why: '按手机查找联系人 / finding contacts by mobile' }] };
    return {
      customer: [{ anyOf: ['ord'], why: '客户 ID / the customer id' }, { anyOf: ['name'], why: '按客户名称查找客户 / finding customers by name' }],
      contactPick: [...pick, { anyOf: ['person_name'], why: '按客户 + 姓名查找联系人 / finding contacts by company and name' }],
    };
  },

  rules(c: ImportConfig): RuleProblem[] {
    // contactLookupColumnsNamed
    return NEEDED[c.contactLookup.by]
      .filter((role) => !c.contactLookup[ROLES[role]])
      .map((role) => ({ path: `contactLookup.${ROLES[role]}`, level: 'error' as const, message: `contactLookup.by 为 \`${c.contactLookup.by}\` 时必填 / is required when contactLookup.by is \`${c.contactLookup.by}\`` }));
  },

  async start(ctx: EntityContext): Promise<EntityRun> {
    const { config, erp } = ctx;
    // Follow-ups already posted to this ERP, by any run of any file (a dry run only reads it).
    const ledger = ctx.writable('stateDir', config.stateDir, () => Ledger.open(config.stateDir, erpIdentity(ctx.target), { readOnly: ctx.dryRun }));
    const companies = new CompanyResolver(erp, config.lookup.by, config.lookup.preload);
    const contacts = new ContactResolver(erp, companies, config.contactLookup.by);
    // Only a contact named by company and name is found through its customer.
    if (config.contactLookup.by === 'company+name') companies.start();
    const writer = new AppendOnce((values) => erp.saveFollowup(values), ctx.journal, { retries: config.write.retries, dryRun: ctx.dryRun, ledger, repost: config.write.repost, log: ctx.log });
    const firstRole = NEEDED[config.contactLookup.by][0];
    return {
      async resolve(values, extra) {
        const r = await contacts.resolve({ company: extra('company'), name: extra('name'), mobile: extra('mobile'), ord: extra('ord') });
        if (r.ok) {
          values.ord = r.ord;
          return { ok: true };
        }
        const list = r.candidates.map((c) => `${c.values.person_name ?? ''}（ord ${c.ord}${c.values.mobile ? `，手机 ${c.values.mobile}` : ''}）`).join('、');
        const zh = r.code === 'LOOKUP_MISS' ? `找不到${r.what}${list ? `；相近的有：${list}` : ''}` : `${r.what}不唯一：${list}`;
        const en = r.code === 'LOOKUP_MISS'
          ? `no contact found for ${r.what}${r.candidates.length ? `; similar: ${r.candidates.map((c) => `ord ${c.ord}`).join(', ')}` : ''}`
          : `${r.what} matches ${r.candidates.length} contacts: ${r.candidates.map((c) => `ord ${c.ord}`).join(', ')}`;
        return { ok: false, rejection: { code: r.code, role: firstRole, value: extra(firstRole) ?? '', message: { zh, en } } };
      },
      write: (row) => writer.write(row),
      lookups: () => ({ companies: companies.lookups, cacheHits: companies.hits }),
      close() {
        ledger?.close();
        return companies.stop();
      },
    };
  },
};
