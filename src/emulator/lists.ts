/**
 * List pages (`person/list.asp`, `custom/list.asp`) with `cmdkey: refresh`: every filter of the
 * catalog's list filters, fuzzy text matching, paging and `_rpt_sort`. Results of one query are
 * cached per store version, so paging through a million contacts does not filter a million
 * rows per page.
 */
import type { ListColumn } from '../catalog/index.js';
import { canonicalDate } from '../validate/dates.js';
import type { Dialect } from './dialects.js';
import type { ContactRecord, CustomerRecord, EmulatorStore } from './store.js';

export interface TableOut {
  cols: Array<{ id: string; dbtype: string }>;
  rows: unknown[];
  page: { recordcount: number; pagesize: number; pagecount: number; pageindex: number };
}

export interface Formatting {
  rowsAsObjects: boolean;
  thousands: boolean;
}

type Pred<T> = (r: T) => boolean;

const FUZZY_CONTACT = ['person_name', 'pym', 'part1', 'job', 'mobile', 'phone', 'fax', 'qq', 'email', 'joy', 'intro'];
const TEXT_COLUMNS = ['person_name', 'pym', 'part1', 'job', 'phone', 'fax', 'mobile', 'mobile2', 'phone2', 'email', 'qq', 'weixinAcc', 'msn', 'jg', 'zip', 'joy', 'intro'];

/** A case-insensitive substring test built once per query: Chinese text needs no lower-casing. */
function matcher(needle: string): (hay: string | undefined) => boolean {
  const lower = needle.toLowerCase();
  if (lower === needle.toUpperCase()) return (hay) => !!hay && hay.includes(needle);
  return (hay) => !!hay && hay.toLowerCase().includes(lower);
}
const has = (hay: string | undefined, needle: string) => matcher(needle)(hay);
const idList = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

export class ListQueries {
  private cache = new Map<string, { version: number; ords: unknown[] }>();

  constructor(private readonly store: EmulatorStore, private readonly today: () => Date, private readonly dialect: Dialect) {}

  contacts(q: Record<string, string>, pick: boolean, fmt: Formatting): TableOut {
    const cols = pick ? this.dialect.lists.contactPick : this.dialect.lists.contact;
    const cell = (r: ContactRecord, c: ListColumn) => this.contactCell(r, c);
    // The newest contacts, unfiltered (how zbport verifies its creates a batch at a time): as a
    // database reads its primary key's index, a page costs its own rows, not the table's.
    const byOrd = ordDirection(q._rpt_sort, cols);
    if (byOrd && this.store.contactsInOrdOrder && !q.company && !this.contactPredicates(q).length) return this.page(ordView(this.store.contacts(), byOrd), cols, q, fmt, cell);
    const key = `c|${pick}|${JSON.stringify(withoutPaging(q))}`;
    const hits = this.cached(key, () => this.filterContacts(q, cols)) as ContactRecord[];
    return this.page(hits, cols, q, fmt, cell);
  }

  customers(q: Record<string, string>, fmt: Formatting): TableOut {
    const cols = this.dialect.lists.customer;
    const key = `k|${JSON.stringify(withoutPaging(q))}`;
    const hits = this.cached(key, () => this.filterCustomers(q, cols)) as CustomerRecord[];
    return this.page(hits, cols, q, fmt, (r, c) => r[c.field ?? ''] ?? '');
  }

  private cached(key: string, compute: () => unknown[]): unknown[] {
    const c = this.cache.get(key);
    if (c && c.version === this.store.version) return c.ords;
    const ords = compute();
    if (this.cache.size > 64) this.cache.clear();
    this.cache.set(key, { version: this.store.version, ords });
    return ords;
  }

  private filterContacts(q: Record<string, string>, cols: ListColumn[]): ContactRecord[] {
    const preds = this.contactPredicates(q);
    const base = q.company ? this.store.contactsOfCompany(q.company.trim()) : this.store.contacts();
    const out = preds.length ? base.filter((r) => preds.every((p) => p(r))) : [...base];
    if (q.company) out.sort((a, b) => Number(a.ord) - Number(b.ord));
    return sortBy(out, q._rpt_sort, cols, (r, c) => this.contactCell(r, c));
  }

  /** The list's filters that `q` sets (company aside), each a test of a contact. */
  private contactPredicates(q: Record<string, string>): Array<Pred<ContactRecord>> {
    const preds: Array<Pred<ContactRecord>> = [];
    for (const f of FUZZY_CONTACT) {
      if (!q[f]) continue;
      const m = matcher(q[f]);
      preds.push((r) => m(r[f]));
    }
    if (q.sex) preds.push((r) => r.sex === q.sex.trim());
    if (q.name) preds.push((r) => has(this.store.getCustomer(r.company)?.name, q.name));
    for (const f of ['telsort', 'area', 'trade'] as const) {
      if (!q[f]) continue;
      const ids = idList(q[f]);
      const field = f === 'telsort' ? 'sort1' : f;
      preds.push((r) => {
        const v = this.store.getCustomer(r.company)?.[field] ?? '';
        return ids.some((id) => v === id || v.split(',').includes(id));
      });
    }
    if (q.date1_0) preds.push((r) => r.date1.slice(0, 10) >= normDate(q.date1_0));
    if (q.date1_1) preds.push((r) => r.date1.slice(0, 10) <= normDate(q.date1_1));
    if (q.searchKey) {
      const m = matcher(q.searchKey);
      preds.push((r) => TEXT_COLUMNS.some((c) => m(r[c])) || m(this.store.getCustomer(r.company)?.name));
    }
    if (q.stype === '1') {
      const days = Number(q.remind) > 0 ? Number(q.remind) : 7;
      const window = birthdayWindow(this.today(), days);
      preds.push((r) => !!r.year1 && window.has(r.year1.slice(5, 10)));
    }
    return preds;
  }

  private filterCustomers(q: Record<string, string>, cols: ListColumn[]): CustomerRecord[] {
    const preds: Array<Pred<CustomerRecord>> = [];
    for (const f of ['name', 'pym', 'khid', 'phone', 'fax', 'url', 'address', 'zip', 'intro']) if (q[f]) preds.push((r) => has(r[f], q[f]));
    if (q.telord) preds.push((r) => r.ord === q.telord.trim());
    for (const f of ['ly', 'jz', 'area', 'trade'] as const) if (q[f]) preds.push((r) => idList(q[f]).includes(r[f] ?? ''));
    if (q.date1_0) preds.push((r) => (r.date1 ?? '').slice(0, 10) >= normDate(q.date1_0));
    if (q.date1_1) preds.push((r) => (r.date1 ?? '').slice(0, 10) <= normDate(q.date1_1));
    if (q.searchKey) preds.push((r) => ['name', 'khid', 'phone', 'address'].some((c) => has(r[c], q.searchKey)));
    const out = this.store.customers().filter((r) => preds.every((p) => p(r)));
    return sortBy(out, q._rpt_sort, cols, (r, c) => r[c.field ?? ''] ?? '');
  }

  /** A contact's cell by the logical key its column carries. */
  private contactCell(r: ContactRecord, c: ListColumn): string {
    if (c.field === 'customer_name') return this.store.getCustomer(r.company)?.name ?? '';
    return r[c.field ?? ''] ?? '';
  }

  private page<T extends Record<string, string>>(hits: Pick<T[], 'length' | 'slice'>, cols: ListColumn[], q: Record<string, string>, fmt: Formatting, cell: (r: T, c: ListColumn) => string): TableOut {
    const pagesize = positive(q.pagesize) ?? 20;
    const pageindex = positive(q.pageindex) ?? 1;
    const recordcount = hits.length;
    if (!recordcount) return { cols: [], rows: [], page: { recordcount: 0, pagesize: 0, pagecount: 0, pageindex: 0 } };
    const pagecount = Math.ceil(recordcount / pagesize);
    const slice = hits.slice((pageindex - 1) * pagesize, pageindex * pagesize);
    const thousands = fmt.thousands || this.dialect.thousands;
    const slashed = this.dialect.listDates === 'slash';
    const rows = slice.map((r) => {
      const values = cols.map((c) => {
        const v = cell(r, c);
        if (thousands && (c.dbtype === 'int' || c.dbtype === 'number') && /^\d{4,}$/.test(v)) return Number(v).toLocaleString('en-US');
        if (slashed && c.dbtype === 'date') return v.replace(/^(\d{4})-(\d{2})-(\d{2})/, '$1/$2/$3');
        return v;
      });
      return fmt.rowsAsObjects ? { value: values, ord: r.ord } : values;
    });
    return { cols: cols.map((c) => ({ id: c.id, dbtype: c.dbtype })), rows, page: { recordcount, pagesize, pagecount, pageindex } };
  }
}

function positive(v: string | undefined): number | undefined {
  const n = /^\d+$/.test(v ?? '') ? Number(v) : 0;
  return n > 0 ? n : undefined;
}

function withoutPaging(q: Record<string, string>): Record<string, string> {
  const { pagesize: _a, pageindex: _b, ...rest } = q;
  return rest;
}

function normDate(v: string): string {
  return canonicalDate(v.trim()).slice(0, 10);
}

/** Month-day strings of the next `days` days from today, wrapping the year end. */
export function birthdayWindow(today: Date, days: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < days; i++) {
    const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + i);
    out.add(`${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`);
  }
  return out;
}

/** 1 or -1 when `_rpt_sort` sorts by the list's ord column (ascending or descending). */
function ordDirection(sort: string | undefined, cols: ListColumn[]): 1 | -1 | undefined {
  if (!sort) return undefined;
  const column = cols.find((c) => c.id === sort.replace(/^-/, ''));
  if (column?.field !== 'ord') return undefined;
  return sort.startsWith('-') ? -1 : 1;
}

/** The store's records (kept in ord order: ids only grow) by ord, pages cut without a copy of the rest. */
function ordView<T>(rows: readonly T[], direction: 1 | -1): Pick<T[], 'length' | 'slice'> {
  if (direction === 1) return { length: rows.length, slice: (a?: number, b?: number) => rows.slice(a, b) };
  const n = rows.length;
  return {
    length: n,
    slice: (a = 0, b = n) => rows.slice(Math.max(0, n - Math.min(b, n)), Math.max(0, n - Math.max(a, 0))).reverse(),
  };
}

function isAscendingOrd(rows: Array<{ ord: string }>): boolean {
  for (let i = 1; i < rows.length; i++) if (Number(rows[i - 1].ord) >= Number(rows[i].ord)) return false;
  return true;
}

/** `_rpt_sort` by a column id of this list (unknown ids are ignored, as a SQL ORDER BY would refuse them). */
function sortBy<T extends { ord: string }>(rows: T[], sort: string | undefined, cols: ListColumn[], cell: (r: T, c: ListColumn) => string): T[] {
  if (!sort) return rows;
  const desc = sort.startsWith('-') ? -1 : 1;
  const column = cols.find((c) => c.id === sort.replace(/^-/, ''));
  if (!column) return rows;
  // The store keeps records in ord order (ids only grow): by ord is a copy, newest first a reversed one.
  if (column.field === 'ord' && isAscendingOrd(rows)) return desc === 1 ? rows : [...rows].reverse();
  const numeric = column.dbtype === 'int' || column.dbtype === 'number';
  // Keys computed once per row, not once per comparison: a million rows sort in about a second.
  const keyed = rows.map((r) => ({ r, k: numeric ? Number(cell(r, column)) || 0 : cell(r, column), o: Number(r.ord) }));
  keyed.sort((a, b) => {
    const c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
    return desc * c || a.o - b.o;
  });
  return keyed.map((x) => x.r);
}
