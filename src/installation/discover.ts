/**
 * Reads an installation without writing anything: its lists (with `refresh`), the detail of a
 * few listed records, filtered probes, its list skeletons, its enum options (bill field options,
 * `source.asp?enumid=`). Turns what it read into evidence for infer-columns.ts.
 *
 * Request budget per list: one skeleton, one page, a detail for each ord candidate tried and up
 * to four sampled rows, one name-filter probe and up to two date-filter probes.
 */
import { FOLLOWUP_FIELDS, CONTACT_FIELDS, CUSTOMER_FIELDS, LIST_FIELDS, type FieldSpec, type ListName } from '../catalog/index.js';
import { billOptions, billTexts, type ErpClient } from '../erp/client.js';
import type { Bill, TablePage } from '../erp/protocol.js';
import {
  asId, canonical, captionsFromSkeleton, inferColumns, isDateTimeCell, ordCandidates,
  type ColumnInference, type DetailSample, type ListEvidence,
} from './infer-columns.js';

export interface ListDiscovery {
  list: ListName;
  cols: Array<{ id: string; dbtype: string }>;
  rows: string[][];
  page: TablePage;
  columns: ColumnInference[];
  /** Problems reading the list (empty, no detail found…). */
  notes: string[];
}

const SAMPLE_ROWS = 50;
const DETAILS = 5;

/** One list, read and inferred. */
export async function discoverList(client: ErpClient, list: ListName): Promise<ListDiscovery> {
  const notes: string[] = [];
  const captions = captionsFromSkeleton(await client.listSkeleton(list).catch(() => undefined));
  const first = await client.rawList(list, { pagesize: SAMPLE_ROWS, pageindex: 1 });
  const base = { list, cols: first.cols, rows: first.rows, page: first.page };
  if (!first.rows.length) {
    notes.push('列表为空，无法根据数据推断；只能凭列名猜测 / the list is empty: nothing to infer from but names');
    return { ...base, columns: inferColumns({ list, cols: first.cols, rows: [], details: [], captions }), notes };
  }
  const detailOf = list === 'customer' ? (ord: string) => client.customerDetail(ord) : (ord: string) => client.contactDetail(ord);
  const evidence: ListEvidence = { list, cols: first.cols, rows: first.rows, details: [], captions, customerNameFrom: list === 'customer' ? undefined : 'company' };

  // The record id: the candidate whose detail agrees best with the rest of its row.
  let best: { id: string; index: number; agree: number; details: DetailSample[] } | undefined;
  for (const id of ordCandidates(first.cols, first.rows).slice(0, 4)) {
    const index = first.cols.findIndex((c) => c.id === id);
    const ord = asId(first.rows[0][index])!;
    const detail = await detailOf(ord).catch(() => undefined);
    if (!detail || detail.ord !== ord) continue;
    const sample = toSample(0, detail.bill, detail.values);
    const agree = agreement(list, first.cols, first.rows[0], sample, index);
    if (!best || agree > best.agree) best = { id, index, agree, details: [sample] };
  }
  const enough = Math.min(2, first.cols.length - 1);
  if (!best || best.agree < enough) {
    notes.push('没有一列能通过详情往返确认为记录 ID (ord) / no column could be confirmed as the record id through a detail round trip');
  } else {
    const detail = list === 'customer' ? 'custom/add.asp?edit=1' : 'person/add.asp?edit=1';
    evidence.ord = { id: best.id, evidence: `用该列的值打开详情 (${detail})，详情与该行其余 ${best.agree} 列一致 / opening the detail (${detail}) by this value returns the same record (${best.agree} other cells agree)` };
    evidence.details = best.details;
    for (const r of pickRows(first.rows, DETAILS).filter((r) => r !== 0)) {
      const ord = asId(first.rows[r][best.index]);
      const detail = ord ? await detailOf(ord).catch(() => undefined) : undefined;
      if (detail) evidence.details.push(toSample(r, detail.bill, detail.values));
    }
  }

  // The customer's name by the `name` filter: the column whose cells all contain the value.
  const probeIndex = nameProbeColumn(list, first.cols, first.rows, evidence);
  if (probeIndex >= 0) {
    const value = first.rows.map((r) => r[probeIndex]).find((v) => v && v.trim().length >= 2)?.trim();
    if (value) {
      const hit = await client.rawList(list, { name: value, pagesize: SAMPLE_ROWS, pageindex: 1 }).catch(() => undefined);
      if (hit?.rows.length && hit.page.recordcount <= first.page.recordcount) {
        const columns = hit.cols.filter((_, i) => hit.rows.every((r) => (r[i] ?? '').includes(value))).map((c) => c.id);
        evidence.nameFilterHits = { value, columns };
      }
    }
  }

  // 添加时间: the date column the date1_0/date1_1 filters select by.
  if (LIST_FIELDS[list].some((f) => f.key === 'date1')) {
    const dated = first.cols.map((c, i) => i).filter((i) => first.rows.some((r) => isDateTimeCell(r[i] ?? ''))).slice(0, 2);
    evidence.addedFilterHits = [];
    for (const i of dated) {
      const day = canonical('date', first.rows.find((r) => isDateTimeCell(r[i] ?? ''))![i]).slice(0, 10);
      const filters = list === 'customer' ? { date1_0: day, date1_1: day } : { date1_0: day, date1_1: day };
      const hit = await client.rawList(list, { ...filters, pagesize: SAMPLE_ROWS, pageindex: 1 }).catch(() => undefined);
      const j = hit?.cols.findIndex((c) => c.id === first.cols[i].id) ?? -1;
      if (hit?.rows.length && j >= 0 && hit.page.recordcount < first.page.recordcount && hit.rows.every((r) => canonical('date', r[j] ?? '').startsWith(day))) {
        evidence.addedFilterHits.push(first.cols[i].id);
      }
    }
  }
  return { ...base, columns: inferColumns(evidence), notes };
}

function toSample(row: number, bill: Bill, values: Record<string, string>): DetailSample {
  return { row, values, texts: billTexts(bill) };
}

/** How many other cells of the row equal some value or text of the detail. */
function agreement(list: ListName, cols: ListEvidence['cols'], cells: string[], d: DetailSample, skip: number): number {
  const seen = new Set<string>();
  for (const v of [...Object.values(d.values), ...Object.values(d.texts)]) {
    const t = v.trim();
    if (t.length >= 2) {
      seen.add(canonical('text', t));
      seen.add(canonical('date', t));
      seen.add(canonical('number', t));
    }
  }
  let n = 0;
  cells.forEach((c, i) => {
    if (i === skip || (c ?? '').trim().length < 2) return;
    if (seen.has(canonical('text', c)) || seen.has(canonical('date', c)) || seen.has(canonical('number', c))) n++;
  });
  void list;
  void cols;
  return n;
}

/**
 * Rows whose details say the most: greedily, the row that fills the most columns no row chosen so
 * far fills (row 0 first, it is already read), so sparse columns get evidence too.
 */
function pickRows(rows: string[][], n: number): number[] {
  const chosen = [0];
  const covered = new Set(rows[0]?.map((v, j) => (v && v.trim() ? j : -1)).filter((j) => j >= 0));
  while (chosen.length < Math.min(n, rows.length)) {
    let best = -1;
    let gain = -1;
    rows.forEach((r, i) => {
      if (chosen.includes(i)) return;
      const g = r.filter((v, j) => v && v.trim() && !covered.has(j)).length;
      if (g > gain) [best, gain] = [i, g];
    });
    if (best < 0) break;
    chosen.push(best);
    rows[best].forEach((v, j) => v && v.trim() && covered.add(j));
  }
  return chosen;
}

/**
 * The column to probe the `name` filter with: the one the details say is the customer's name if
 * any, else the first text column whose sampled cells are not all the same and not numeric.
 */
function nameProbeColumn(list: ListName, cols: ListEvidence['cols'], rows: string[][], e: ListEvidence): number {
  const nameOf = (d: DetailSample) => (list === 'customer' ? d.values.name : d.texts.company) ?? '';
  if (e.details.length) {
    const want = canonical('text', nameOf(e.details[0]));
    const i = cols.findIndex((_, j) => want && canonical('text', rows[e.details[0].row]?.[j] ?? '') === want);
    if (i >= 0) return i;
  }
  return cols.findIndex((c, j) => c.dbtype === 'string' && rows.some((r) => /[\u4e00-\u9fff]{4,}/.test(r[j] ?? '')) && j !== cols.findIndex((x) => x.id === e.ord?.id));
}

/** An enum as this installation numbers it. */
export interface EnumDiscovery {
  field: string;
  caption: string;
  /** Where the options came from: `source.asp?enumid=98`, `洽谈进展表单`… */
  from: string;
  /** label → id as the server gave them. */
  options: Record<string, string>;
  /** Catalog labels the server did not offer. */
  missing: string[];
}

const ENUM_IDS: Array<{ field: FieldSpec; enumid: string }> = [
  { field: FOLLOWUP_FIELDS.find((f) => f.id === 'sort')!, enumid: '98' },
  { field: CUSTOMER_FIELDS.find((f) => f.id === 'ly')!, enumid: '13' },
  { field: CUSTOMER_FIELDS.find((f) => f.id === 'trade')!, enumid: '11' },
  { field: CUSTOMER_FIELDS.find((f) => f.id === 'jz')!, enumid: '14' },
];

/**
 * Enum options the ERP exposes: the follow-up form's select fields (跟进方式, 日程类型, 洽谈模板,
 * 是否提醒), the contact detail's (性别), the customer form's, and `source.asp?enumid=`. Where the
 * ERP exposes none, the catalog's ids stay, and the caller says so.
 */
export async function discoverEnums(client: ErpClient, contactOrd: string | undefined, customerOrd: string | undefined): Promise<EnumDiscovery[]> {
  const found = new Map<string, EnumDiscovery>();
  const take = (field: FieldSpec, from: string, options: Array<{ n: string; v: string }> | undefined) => {
    if (!options?.length || !field.options || found.has(field.id)) return;
    const map = Object.fromEntries(options.filter((o) => o.n && o.v).map((o) => [o.n.trim(), o.v.trim()]));
    const missing = field.options.filter((o) => !(o.label in map)).map((o) => o.label);
    found.set(field.id, { field: field.id, caption: field.caption.replace(/[\s\u3000]+/g, ''), from, options: map, missing });
  };
  const fromBill = (bill: Bill | undefined, fields: FieldSpec[], from: string) => {
    if (!bill) return;
    const opts = billOptions(bill);
    for (const f of fields) take(f, from, opts[f.id]);
  };
  if (contactOrd) {
    fromBill(await client.followupForm(contactOrd).catch(() => undefined), FOLLOWUP_FIELDS, '洽谈进展表单 reply.asp (不保存 / not saved)');
    fromBill((await client.contactDetail(contactOrd).catch(() => undefined))?.bill, CONTACT_FIELDS, '联系人详情 person/add.asp?edit=1');
  }
  if (customerOrd) fromBill((await client.customerDetail(customerOrd).catch(() => undefined))?.bill, CUSTOMER_FIELDS, '客户表单 custom/add.asp?edit=1');
  for (const { field, enumid } of ENUM_IDS) {
    if (found.has(field.id)) continue;
    take(field, `source.asp?enumid=${enumid}`, await client.enumOptions(enumid).catch(() => undefined));
  }
  return [...found.values()];
}
