/**
 * Finds the contact a follow-up row names, through the ERP's contact-picking list
 * (`person/list.asp?checktype=radio`): by company name + contact name, by mobile, or by ord.
 * Not found and ambiguous are handled as for companies: the row is rejected with candidates.
 */
import type { ContactRef, ImportErp } from '../run/import-erp.js';
import { CompanyResolver, comparable } from './company-resolver.js';
import { BoundedMap } from './bounded-map.js';

export type ContactResolution =
  | { ok: true; ord: string }
  | { ok: false; code: 'LOOKUP_MISS' | 'LOOKUP_AMBIGUOUS'; what: string; candidates: ContactRef[] };

export interface ContactKey {
  company?: string;
  name?: string;
  mobile?: string;
  ord?: string;
}

/** Contacts whose resolution is kept, newest first (about 300 bytes each with their candidates: 15 MB). */
export const MAX_CACHED = 50_000;

export class ContactResolver {
  private readonly cache = new BoundedMap<string, Promise<ContactResolution>>(MAX_CACHED);

  constructor(
    private readonly erp: ImportErp,
    private readonly companies: CompanyResolver,
    private readonly by: 'company+name' | 'mobile' | 'ord',
  ) {}

  resolve(key: ContactKey): Promise<ContactResolution> {
    const id = `${this.by}\u0000${comparable(key.company ?? '')}\u0000${comparable(key.name ?? '')}\u0000${comparable(key.mobile ?? '')}\u0000${(key.ord ?? '').trim()}`;
    let p = this.cache.get(id);
    if (!p) {
      p = this.lookup(key);
      this.cache.set(id, p);
      p.catch(() => this.cache.delete(id));
    }
    return p;
  }

  private async lookup(key: ContactKey): Promise<ContactResolution> {
    if (this.by === 'ord') {
      const ord = (key.ord ?? '').trim();
      const detail = /^\d+$/.test(ord) ? await this.erp.contactDetail(ord) : undefined;
      return detail ? { ok: true, ord } : { ok: false, code: 'LOOKUP_MISS', what: `联系人 ord ${ord}`, candidates: [] };
    }
    if (this.by === 'mobile') {
      const mobile = (key.mobile ?? '').trim();
      const found = await this.erp.contacts({ mobile }, { pick: true });
      return decide(found.filter((c) => comparable(c.values.mobile ?? '') === comparable(mobile)), found, `手机 ${mobile}`);
    }
    const company = await this.companies.resolve(key.company ?? '');
    if (!company.ok) {
      return { ok: false, code: company.code === 'LOOKUP_AMBIGUOUS' ? 'LOOKUP_AMBIGUOUS' : 'LOOKUP_MISS', what: `客户“${key.company}”`, candidates: [] };
    }
    const name = (key.name ?? '').trim();
    const found = await this.erp.contacts({ company: company.ord, person_name: name }, { pick: true });
    return decide(found.filter((c) => comparable(c.values.person_name ?? '') === comparable(name)), found, `${key.company} 的联系人“${name}”`);
  }
}

function decide(exact: ContactRef[], fuzzy: ContactRef[], what: string): ContactResolution {
  if (exact.length === 1) return { ok: true, ord: exact[0].ord };
  if (exact.length > 1) return { ok: false, code: 'LOOKUP_AMBIGUOUS', what, candidates: exact };
  return { ok: false, code: 'LOOKUP_MISS', what, candidates: fuzzy.slice(0, 5) };
}
