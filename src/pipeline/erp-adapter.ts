/**
 * The import's view of the ERP (ImportErp) over the protocol client.
 */
import type { ErpClient } from '../erp/client.js';
import type { ContactRef, CustomerRef, ImportErp, SaveOutcome } from './import-erp.js';

const PAGE = 500;

export class ErpAdapter implements ImportErp {
  constructor(private readonly client: ErpClient) {}

  private async customers(filters: Record<string, string>): Promise<CustomerRef[]> {
    const out: CustomerRef[] = [];
    for await (const r of this.client.iterateCustomers(filters, { pagesize: PAGE })) out.push(customerRef(r));
    return out;
  }

  customersByName(name: string): Promise<CustomerRef[]> {
    return this.customers({ name });
  }

  customersByCode(code: string): Promise<CustomerRef[]> {
    return this.customers({ khid: code });
  }

  async customerById(ord: string): Promise<CustomerRef | undefined> {
    const found = await this.customers({ telord: ord });
    return found.find((c) => c.ord === ord);
  }

  async customerCount(): Promise<number> {
    const p = await this.client.listCustomers({}, { pagesize: 1, pageindex: 1 });
    return p.page.recordcount;
  }

  async *allCustomers(): AsyncIterable<CustomerRef> {
    for await (const r of this.client.iterateCustomers({}, { pagesize: PAGE })) yield customerRef(r);
  }

  async contacts(filters: Record<string, string>, opts: { pick?: boolean } = {}): Promise<ContactRef[]> {
    const out: ContactRef[] = [];
    const seen = new Set<string>();
    for await (const r of this.client.iterateContacts(filters, { pagesize: PAGE, pick: opts.pick })) {
      if (!r.ord || seen.has(r.ord)) continue;
      seen.add(r.ord);
      out.push({ ord: r.ord, values: r });
    }
    return out;
  }

  async *allContacts(): AsyncIterable<ContactRef> {
    const seen = new Set<string>();
    for await (const r of this.client.iterateContacts({}, { pagesize: PAGE, sort: 'ord' })) {
      if (!r.ord || seen.has(r.ord)) continue;
      seen.add(r.ord);
      yield { ord: r.ord, values: r };
    }
  }

  async contactDetail(ord: string): Promise<Record<string, string> | undefined> {
    return (await this.client.contactDetail(ord))?.values;
  }

  saveContact(values: Record<string, string>): Promise<SaveOutcome> {
    return this.client.saveContact(values);
  }

  saveFollowup(values: Record<string, string>): Promise<SaveOutcome> {
    return this.client.saveFollowup(values, 'person');
  }
}

function customerRef(r: Record<string, string>): CustomerRef {
  return { ord: r.ord ?? '', name: r.name ?? '', khid: r.khid ?? '' };
}
