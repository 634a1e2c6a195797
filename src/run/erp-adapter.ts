/**
 * The import's view of the ERP (ImportErp) over the protocol client. Every list page it reads is
 * held to the columns the import relies on (`require`): a page that lacks one stops the run with
 * a ColumnMapError instead of being read as "no such record".
 */
import type { ListName } from '../catalog/index.js';
import type { ErpClient } from '../erp/client.js';
import type { ColumnNeed } from '../installation/list-layout.js';
import { orderedPages } from '../erp/pages.js';
import type { ContactRef, CustomerRef, ImportErp, SaveOutcome } from './import-erp.js';

export class ErpAdapter implements ImportErp {
  private readonly needs: Partial<Record<ListName, ColumnNeed[]>> = {};

  constructor(private readonly client: ErpClient) {}

  get rowSlots() {
    return this.client.adaptive?.rows;
  }

  /** Columns every page of `list` must show from now on. */
  require(list: ListName, needs: ColumnNeed[]): void {
    this.needs[list] = needs;
  }

  shows(list: ListName, key: string): boolean {
    return this.client.layouts[list].has(key);
  }

  private async customers(filters: Record<string, string>): Promise<CustomerRef[]> {
    const out: CustomerRef[] = [];
    for await (const r of this.client.iterate('customer', filters, { need: this.needs.customer })) out.push(customerRef(r));
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

  customerCount(): Promise<number> {
    return this.count('customer');
  }

  /** A list's record count: the one a read has just shown, or one cheap read of the run's own. */
  private async count(list: ListName): Promise<number> {
    const known = this.client.recentCount(list);
    if (known !== undefined) return known;
    return (await this.client.listPage(list, {}, { pagesize: 1, pageindex: 1, background: true })).page.recordcount;
  }

  async *allCustomers(o: { background?: boolean } = {}): AsyncIterable<CustomerRef> {
    // Loaded at the run's start (`background`), before any row could have made a customer, its
    // first page may be the one the column checks have just read (checkLists' wholeFirstPage).
    for await (const r of this.client.iterate('customer', {}, { need: this.needs.customer, background: o.background, recent: o.background })) yield customerRef(r);
  }

  /**
   * Every record a list returns for these filters, once each: rows that shift between pages
   * while paging may repeat. Held to the columns the run relies on.
   */
  private async *records(list: ListName, filters: Record<string, string>, sort?: string): AsyncGenerator<ContactRef> {
    const seen = new Set<string>();
    for await (const r of this.client.iterate(list, filters, { sort, need: this.needs[list] })) {
      if (!r.ord || seen.has(r.ord)) continue;
      seen.add(r.ord);
      yield { ord: r.ord, values: r };
    }
  }

  private async collect(records: AsyncIterable<ContactRef>): Promise<ContactRef[]> {
    const out: ContactRef[] = [];
    for await (const r of records) out.push(r);
    return out;
  }

  contacts(filters: Record<string, string>, opts: { pick?: boolean } = {}): Promise<ContactRef[]> {
    return this.collect(this.records(opts.pick ? 'contactPick' : 'contact', filters));
  }

  /** Every contact, pages read four at a time and handed over in order (a large ERP loads in a fraction of the time). */
  async *allContacts(o: { background?: boolean } = {}): AsyncIterable<ContactRef> {
    const seen = new Set<string>();
    const pagesize = this.client.maxPageSize;
    const page = (pageindex: number) => this.client.listPage('contact', {}, { sort: 'ord', pagesize, pageindex, need: this.needs.contact, background: o.background });
    for await (const p of orderedPages(page, 4)) {
      for (const r of p.rows) {
        if (!r.ord || seen.has(r.ord)) continue;
        seen.add(r.ord);
        yield { ord: r.ord, values: r };
      }
    }
  }

  contactCount(): Promise<number> {
    return this.count('contact');
  }

  async newestContacts(pagesize: number, pageindex: number): Promise<{ rows: ContactRef[] }> {
    const p = await this.client.listPage('contact', {}, { sort: '-ord', pagesize, pageindex, need: this.needs.contact, background: true });
    return { rows: p.rows.filter((r) => r.ord).map((r) => ({ ord: r.ord, values: r })) };
  }

  private early: Promise<{ rows: ContactRef[] } | undefined> | undefined;

  /**
   * Reads the newest contacts (the batch verifier's first page) now, with the column checks, and
   * keeps them for `newestAtStart`. Any newest ord read before the first save will do for the
   * verifier (a save sent later gets a larger ord), so it need not wait for the checks. A failed
   * read is only not kept: the verifier reads again.
   */
  readNewestEarly(pagesize: number): void {
    this.early = this.newestContacts(pagesize, 1).catch(() => undefined);
  }

  /** Waits for the reads readNewestEarly sent (a run stopping before its first row). */
  async settleEarlyReads(): Promise<void> {
    await this.early;
  }

  /** The page readNewestEarly read, once, or a read now. */
  async newestAtStart(pagesize: number): Promise<{ rows: ContactRef[] }> {
    const early = await this.early;
    this.early = undefined;
    return early && early.rows.length <= pagesize ? { rows: early.rows } : this.newestContacts(pagesize, 1);
  }

  get maxPageSize(): number {
    return this.client.maxPageSize;
  }

  customerRecords(filters: Record<string, string>): Promise<ContactRef[]> {
    return this.collect(this.records('customer', filters));
  }

  allCustomerRecords(): AsyncIterable<ContactRef> {
    return this.records('customer', {}, 'ord');
  }

  async customerDetail(ord: string): Promise<Record<string, string> | undefined> {
    return (await this.client.customerDetail(ord))?.values;
  }

  async allocateCustomer(): Promise<{ ord: string; suggested: Record<string, string> }> {
    const { ord, khid } = await this.client.allocateCustomer();
    return { ord, suggested: khid ? { khid } : {} };
  }

  saveCustomer(values: Record<string, string>): Promise<SaveOutcome> {
    return this.client.saveCustomer(values);
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
