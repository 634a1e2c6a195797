/**
 * Resolves the company a row names to a customer ord, through the ERP's customer list.
 *
 * The list's name filter is fuzzy (华为技术有限公司 also returns 华为技术有限公司深圳分公司),
 * so the client compares exactly after trimming and width normalisation. One lookup per
 * distinct name (cached, single-flight); when rows name more distinct companies than it would
 * take pages to load the whole list, the whole list is loaded once instead, and at once when it
 * fits in one page (one request, never more than the lookups it replaces).
 *
 * With `create` (a contact pipeline's `lookup.createMissing`), a name no customer has is created,
 * once, from the first row that names it; rows naming it later find it in the cache.
 */
import type { CustomerRef, ImportErp } from '../run/import-erp.js';
import { BoundedMap } from './bounded-map.js';

export type Resolution =
  | { ok: true; ord: string; customer: CustomerRef; created?: boolean }
  | { ok: false; code: 'LOOKUP_MISS' | 'LOOKUP_AMBIGUOUS'; candidates: CustomerRef[] };

export type LookupBy = 'name' | 'code' | 'id';

/** Creates the customer a row names (exactly once, by the caller's write policy); undefined in a dry run. */
export type CreateCustomer = (name: string, row: Record<string, string>) => Promise<{ ok: true; customer: CustomerRef } | { ok: false; code: 'ERP_REJECTED' | 'ERP_FAILED' | 'ERP_UNVERIFIED'; zh: string; en: string }>;

/** Exact-comparison form of a name or code: NFKC (full-width → half-width), no spaces, Latin lower-cased. */
export function comparable(s: string): string {
  // Most names are already in that form (CJK ideographs, digits, lower-case Latin, no spaces):
  // this runs for every row, so look before normalising.
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c > 0x20 && c < 0x41) || (c > 0x5a && c < 0x7f) || (c >= 0x4e00 && c <= 0x9fff))) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  const n = SIMPLE.test(s) ? s : s.normalize('NFKC');
  return n.replace(/[\s\u3000]+/g, '').toLowerCase();
}

const SIMPLE = /^[\x20-\x7e\u4e00-\u9fff]*$/;

const PRELOAD_PAGE_SIZE = 500;

/** Creating a missing customer failed: the row says why. */
export type CreateFailure = { ok: false; code: 'ERP_REJECTED' | 'ERP_FAILED' | 'ERP_UNVERIFIED'; candidates: CustomerRef[]; zh: string; en: string };

/** Names whose resolution is kept, newest first: a file naming a million different companies does not hold them all (by then the list is loaded, and a name asked again is looked up in it, not in the ERP); the byText map below holds as many texts. */
const MAX_CACHED_NAMES = 100_000;

export class CompanyResolver {
  private readonly cache = new BoundedMap<string, Promise<Resolution | CreateFailure>>(MAX_CACHED_NAMES);
  private readonly byText = new Map<string, Promise<Resolution | CreateFailure>>();
  private preloaded: Promise<Map<string, CustomerRef[]>> | undefined;
  /** The ERP's customer count; undefined when the request failed (asked again by the next lookup). */
  private customerTotal: Promise<number | undefined> | undefined;
  /** Customers per page of a load: what the decision counts (the load reads pages at least this large). */
  private readonly pageSize: number;
  private stopped = false;
  /** Requests saved by the cache, for the summary. */
  hits = 0;
  lookups = 0;

  /** Customers created for names no customer had. */
  created = 0;

  constructor(
    private readonly erp: ImportErp,
    private readonly by: LookupBy,
    private readonly preload: 'auto' | 'always' | 'never',
    private readonly create?: CreateCustomer,
  ) {
    this.pageSize = Math.min(PRELOAD_PAGE_SIZE, erp.maxPageSize);
  }

  /**
   * Whether a run resolving this way loads the customer list from its first page when that page
   * holds it whole (`preload: auto`), or whatever its size (`always`): the column check may then
   * read that page for it (StartReads.wholeFirstPage).
   */
  static loadsFirstPage(by: LookupBy, preload: 'auto' | 'always' | 'never'): boolean {
    return by !== 'id' && preload !== 'never';
  }

  /**
   * Asks now, with the run's other first reads, for what the first lookup waits for: the
   * customer count (`preload: auto`), and with it a list that fits in one page. Sends nothing
   * that lookups would not have sent.
   */
  start(): void {
    if (this.preload === 'auto' && this.by !== 'id') void this.total();
  }

  /** The run is over: no load starts now, and the reads in flight are waited for (none outlives the run's session). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.customerTotal;
    await this.preloaded?.catch(() => undefined);
  }

  /** The customer `raw` names; `row` is the row's values, for creating a missing customer from it. */
  resolve(raw: string, row?: Record<string, string>): Promise<Resolution | CreateFailure> {
    // The same text again (the usual case) skips even the normalisation.
    const same = this.byText.get(raw);
    if (same) {
      this.hits++;
      return same;
    }
    const key = comparable(raw);
    let p = this.cache.get(key);
    if (p) this.hits++;
    else {
      p = this.lookupOrCreate(raw, key, row);
      this.cache.set(key, p);
      // A failed request must not poison the cache: the next row asks again.
      p.catch(() => {
        this.cache.delete(key);
        this.byText.delete(raw);
      });
    }
    if (this.byText.size < MAX_CACHED_NAMES) this.byText.set(raw, p);
    return p;
  }

  private async lookupOrCreate(raw: string, key: string, row: Record<string, string> | undefined): Promise<Resolution | CreateFailure> {
    const found = await this.lookup(raw, key);
    if (found.ok || found.code !== 'LOOKUP_MISS' || !this.create || !row) return found;
    const made = await this.create(raw.trim(), row);
    if (!made.ok) return { ok: false, code: made.code, candidates: [], zh: made.zh, en: made.en };
    this.created++;
    // Later rows naming it, and a loaded list, find it now.
    if (this.preloaded) (await this.preloaded).set(key, [made.customer]);
    return { ok: true, ord: made.customer.ord, customer: made.customer, created: true };
  }

  private async lookup(raw: string, key: string): Promise<Resolution> {
    this.lookups++;
    if (this.by === 'id') {
      const c = /^\d+$/.test(raw.trim()) ? await this.erp.customerById(raw.trim()) : undefined;
      return c ? { ok: true, ord: c.ord, customer: c } : { ok: false, code: 'LOOKUP_MISS', candidates: [] };
    }
    if (await this.shouldPreload()) {
      const index = await this.loadAll();
      return decide(index.get(key) ?? [], []);
    }
    const found = this.by === 'name' ? await this.erp.customersByName(raw.trim()) : await this.erp.customersByCode(raw.trim());
    const exact = found.filter((c) => comparable(this.by === 'name' ? c.name : c.khid) === key);
    return decide(exact, found);
  }

  private async shouldPreload(): Promise<boolean> {
    if (!CompanyResolver.loadsFirstPage(this.by, this.preload)) return false;
    if (this.preload === 'always') return true;
    if (this.preloaded) return true;
    const total = await this.total();
    // No count (its request failed): this name is looked up, and the next lookup asks again.
    if (total === undefined) return false;
    // The count started the load of a list of one page: rows wait for it, one request already on
    // its way, as they would for their own lookup.
    if (this.preloaded) return true;
    // auto: loading everything costs ceil(total / page) requests; after that many distinct
    // names, per-name lookups cost more than the whole list would have.
    return this.cache.size > Math.ceil(total / this.pageSize);
  }

  private total(): Promise<number | undefined> {
    this.customerTotal ??= this.erp.customerCount().then((n) => {
      if (this.stopped) return n;
      // No customers, or one page of them: knowing them all costs no more than the first lookup.
      if (n === 0) this.preloaded ??= Promise.resolve(new Map());
      else if (n <= this.pageSize) void this.loadAll({ background: true });
      return n;
    }, () => {
      this.customerTotal = undefined;
      return undefined;
    });
    return this.customerTotal;
  }

  /** `background`: the run's own read at its start, not a row's (ImportErp.allCustomers). */
  private loadAll(o: { background?: boolean } = {}): Promise<Map<string, CustomerRef[]>> {
    this.preloaded ??= (async () => {
      const index = new Map<string, CustomerRef[]>();
      for await (const c of this.erp.allCustomers(o)) {
        const k = comparable(this.by === 'name' ? c.name : c.khid);
        if (!k) continue;
        const list = index.get(k);
        if (list) list.push(c);
        else index.set(k, [c]);
      }
      return index;
    })();
    this.preloaded.catch(() => {
      this.preloaded = undefined;
    });
    return this.preloaded;
  }
}

function decide(exact: CustomerRef[], fuzzy: CustomerRef[]): Resolution {
  if (exact.length === 1) return { ok: true, ord: exact[0].ord, customer: exact[0] };
  if (exact.length > 1) return { ok: false, code: 'LOOKUP_AMBIGUOUS', candidates: exact };
  return { ok: false, code: 'LOOKUP_MISS', candidates: fuzzy.slice(0, 5) };
}
