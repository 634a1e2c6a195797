/**
 * Which list column holds which field, inferred from evidence the server gave, not from names:
 *
 * - a listed record's cells compared with its detail, whose field ids are the save ids (protocol
 *   notes §3.4): a column that agrees with one field on every sampled row, and disagrees with
 *   none, carries it;
 * - the customer's name as the detail's display text of the customer reference, or as the column
 *   whose cells all contain a `name` filter value;
 * - 添加时间 as the date column that the `date1_0`/`date1_1` filters select by;
 * - the list skeleton's sort captions (`客户名称(升)`) and common ZB naming habits only as
 *   candidates: they break ties, and alone they are a guess that a person must confirm.
 *
 * Pure: the I/O lives in discover.ts.
 */
import { LIST_FIELDS, type ListName } from '../catalog/index.js';
import { canonicalDate } from '../validate/dates.js';

export type Confidence = 'high' | 'medium' | 'low';

export interface ColumnInference {
  id: string;
  dbtype: string;
  /** First non-empty cell of the sample, as sent. */
  sample: string;
  key?: string;
  confidence?: Confidence;
  /** Why, Chinese first: `与 3 条详情的 手机 (mobile) 一致`. */
  evidence: string;
  /** Keys that fit equally well, when the evidence cannot choose. */
  candidates?: string[];
}

/** One sampled row with what its detail said. */
export interface DetailSample {
  row: number;
  /** Save-id → stored value (`value`, else `text`). */
  values: Record<string, string>;
  /** Save-id → display text (the customer's name for `company`). */
  texts: Record<string, string>;
}

export interface ListEvidence {
  list: ListName;
  cols: Array<{ id: string; dbtype: string }>;
  rows: string[][];
  /** The column confirmed as the record id by a detail round trip, with what confirmed it. */
  ord?: { id: string; evidence: string };
  details: DetailSample[];
  /** Detail field id whose display text is the customer's name (contacts: `company`). */
  customerNameFrom?: string;
  /** Columns whose cells all contained a `name` filter value (and the value). */
  nameFilterHits?: { value: string; columns: string[] };
  /** Date columns the `date1_0`/`date1_1` filters selected by. */
  addedFilterHits?: string[];
  /** Column id → caption from the list skeleton's sort options. */
  captions?: Record<string, string>;
}

/** Common ZB naming habits (pinyin abbreviations, table field names): candidates, never proof. */
const HABITS: Record<string, string[]> = {
  ord: ['ord', 'id', 'personord', 'khord', 'telord'],
  person_name: ['person_name', 'xm', 'lxr', 'lxrxm', 'personname'],
  customer_name: ['khmc', 'custom_name', 'company_name', 'gsmc', 'telname', 'name'],
  name: ['name', 'khmc', 'custom_name'],
  mobile: ['mobile', 'sj', 'shouji', 'mobilephone'],
  phone: ['phone', 'dh', 'tel', 'bgdh'],
  email: ['email', 'yx', 'mail'],
  company: ['company', 'khord', 'telord', 'khid'],
  khid: ['khid', 'khbh'],
  date1: ['date1', 'tjsj', 'adddate', 'date7'],
  sex: ['sex', 'xb'],
  job: ['job', 'zw'],
  part1: ['part1', 'bm'],
  year1: ['year1', 'sr', 'birthday'],
};

const CAPTION_SYNONYMS: Record<string, string[]> = {
  person_name: ['联系人', '联系人姓名', '姓名'],
  customer_name: ['客户名称', '客户', '单位名称', '公司名称'],
  name: ['客户名称', '客户', '单位名称'],
  mobile: ['手机', '手机号', '手机号码'],
  date1: ['添加时间', '添加日期', '创建时间'],
};

type Kind = 'number' | 'date' | 'text';

function kindOf(list: ListName, key: string): Kind {
  const t = LIST_FIELDS[list].find((f) => f.key === key)?.type;
  return t === 'int' || t === 'number' ? 'number' : t === 'date' || t === 'datetime' ? 'date' : 'text';
}

/** A cell or detail value in comparable form for a field of this kind. */
export function canonical(kind: Kind, v: string): string {
  const t = (v ?? '').trim();
  if (!t) return '';
  if (kind === 'number') {
    const n = Number(t.replace(/,/g, ''));
    return Number.isFinite(n) ? String(n) : t;
  }
  if (kind === 'date') return canonicalDate(t);
  return t.normalize('NFKC');
}

/** Integer-looking text, separators allowed (`12,345`): a possible record id. */
export function asId(v: string): string | undefined {
  const t = (v ?? '').trim().replace(/,/g, '');
  return /^\d+$/.test(t) && Number(t) > 0 ? String(Number(t)) : undefined;
}

export function looksLikeDateTime(v: string): boolean {
  return /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]\d{1,2}:\d{2}/.test(v.trim());
}

/** The column ids worth trying as the record id, likeliest first. */
export function ordCandidates(cols: ListEvidence['cols'], rows: string[][]): string[] {
  if (!rows.length) return [];
  const out: Array<{ id: string; score: number }> = [];
  cols.forEach((c, i) => {
    const cells = rows.map((r) => asId(r[i] ?? ''));
    if (cells.some((x) => x === undefined)) return;
    if (new Set(cells).size !== cells.length) return;
    const habit = HABITS.ord.indexOf(c.id.toLowerCase());
    out.push({ id: c.id, score: (c.dbtype === 'int' ? 10 : 0) + (habit >= 0 ? 5 - habit : 0) });
  });
  return out.sort((a, b) => b.score - a.score).map((x) => x.id);
}

/** Infers every column of one list from the evidence gathered. */
export function inferColumns(e: ListEvidence): ColumnInference[] {
  const fields = LIST_FIELDS[e.list];
  const out: ColumnInference[] = e.cols.map((c, i) => ({
    id: c.id,
    dbtype: c.dbtype,
    sample: e.rows.map((r) => r[i] ?? '').find((v) => v.trim() !== '') ?? '',
    evidence: '',
  }));
  const taken = new Map<string, number>();
  const assign = (i: number, key: string, confidence: Confidence, evidence: string) => {
    out[i].key = key;
    out[i].confidence = confidence;
    out[i].evidence = evidence;
    taken.set(key, i);
  };
  const ordIndex = e.ord ? e.cols.findIndex((c) => c.id === e.ord!.id) : -1;
  if (ordIndex >= 0) assign(ordIndex, 'ord', 'high', e.ord!.evidence);

  // Detail agreement: every field the details carry, plus the customer's name as display text.
  const detailKeys = new Map<string, (d: DetailSample) => string>();
  for (const f of fields) {
    if (f.key === 'ord' || f.key === 'customer_name') continue;
    if (e.details.some((d) => f.key in d.values)) detailKeys.set(f.key, (d) => d.values[f.key] ?? '');
  }
  if (e.customerNameFrom && fields.some((f) => f.key === 'customer_name')) {
    const from = e.customerNameFrom;
    detailKeys.set('customer_name', (d) => d.texts[from] ?? '');
  }
  const scores: Array<Array<{ key: string; agree: number }>> = e.cols.map(() => []);
  if (e.details.length) {
    e.cols.forEach((_, i) => {
      if (i === ordIndex) return;
      for (const [key, get] of detailKeys) {
        const kind = kindOf(e.list, key);
        let agree = 0;
        let contra = 0;
        for (const d of e.details) {
          const cell = canonical(kind, e.rows[d.row]?.[i] ?? '');
          const want = canonical(kind, get(d));
          if (cell === want) {
            if (cell) agree++;
          } else contra++;
        }
        if (!contra && agree) scores[i].push({ key, agree });
      }
    });
  }
  // Strongest agreements first, so a field that two columns fit goes to the better one.
  const order = scores
    .flatMap((list, i) => list.map((s) => ({ i, ...s })))
    .sort((a, b) => b.agree - a.agree);
  const decided = new Set<number>();
  for (const s of order) {
    if (decided.has(s.i) || taken.has(s.key) || out[s.i].key) continue;
    const rivals = scores[s.i].filter((x) => x.agree === s.agree && !taken.has(x.key));
    if (rivals.length > 1) {
      const tie = breakTie(e, s.i, rivals.map((r) => r.key));
      if (!tie) {
        out[s.i].candidates = rivals.map((r) => r.key);
        out[s.i].evidence = `与详情中 ${rivals.map((r) => r.key).join('、')} 都一致，无法区分 / agrees equally with ${rivals.map((r) => r.key).join(', ')} in the details`;
        decided.add(s.i);
        continue;
      }
      assign(s.i, tie.key, 'medium', `与 ${s.agree} 条详情一致，${tie.why} / agrees with ${s.agree} detail(s); ${tie.why}`);
      decided.add(s.i);
      continue;
    }
    const [zh, en] = s.key === 'customer_name' ? ['关联客户的名称', "the customer's name in the detail"] : [s.key, `the detail's ${s.key}`];
    assign(s.i, s.key, s.agree >= 2 ? 'high' : 'medium', `与 ${s.agree} 条抽样记录的详情（${zh}）一致 / equals ${en} on ${s.agree} sampled record(s)`);
    decided.add(s.i);
  }

  // The customer's name by the name filter, when the details did not show it.
  const nameKey = e.list === 'customer' ? 'name' : 'customer_name';
  if (!taken.has(nameKey) && e.nameFilterHits) {
    const hits = e.nameFilterHits.columns.map((id) => e.cols.findIndex((c) => c.id === id)).filter((i) => i >= 0 && !out[i].key);
    if (hits.length === 1) assign(hits[0], nameKey, 'high', `按客户名称筛选“${e.nameFilterHits.value}”时该列每行都包含它 / every row filtered by name contains the value`);
  }
  // 添加时间 by the date filters.
  if (!taken.has('date1') && fields.some((f) => f.key === 'date1') && e.addedFilterHits?.length) {
    const hits = e.addedFilterHits.map((id) => e.cols.findIndex((c) => c.id === id)).filter((i) => i >= 0 && !out[i].key);
    if (hits.length === 1) assign(hits[0], 'date1', 'high', '按添加时间 (date1_0/date1_1) 筛选时该列全部落在所选日期 / the date1_0/date1_1 filters select by this column');
  }

  // What is left: captions, then habits, as guesses only.
  out.forEach((c, i) => {
    if (c.key || c.candidates) return;
    const byCaption = e.captions?.[c.id] ? keyByCaption(e.list, e.captions[c.id]) : undefined;
    if (byCaption && !taken.has(byCaption)) {
      assign(i, byCaption, 'low', `仅凭列表排序选项的标题“${e.captions![c.id]}” / only the skeleton caption`);
      return;
    }
    const habit = Object.entries(HABITS).find(([key, ids]) => fields.some((f) => f.key === key) && ids.includes(c.id.toLowerCase()) && !taken.has(key))?.[0];
    if (habit) {
      assign(i, habit, 'low', `仅凭列名习惯（${c.id}）/ only the name habit`);
      return;
    }
    const emptyEverywhere = !c.sample;
    c.evidence = emptyEverywhere ? '样本中都为空，无从判断 / empty in every sampled row' : '没有找到对应字段 / no field matched';
  });
  return out;
}

function breakTie(e: ListEvidence, i: number, keys: string[]): { key: string; why: string } | undefined {
  const caption = e.captions?.[e.cols[i].id];
  if (caption) {
    const k = keyByCaption(e.list, caption);
    if (k && keys.includes(k)) return { key: k, why: `列标题“${caption}” / caption` };
  }
  const id = e.cols[i].id.toLowerCase();
  const habit = keys.find((k) => HABITS[k]?.includes(id) || k.toLowerCase() === id);
  return habit ? { key: habit, why: `列名习惯 ${e.cols[i].id} / name habit` } : undefined;
}

function keyByCaption(list: ListName, caption: string): string | undefined {
  const c = caption.replace(/\((升|降)\)$/, '').replace(/[\s\u3000]+/g, '');
  for (const [key, names] of Object.entries(CAPTION_SYNONYMS)) {
    if (names.includes(c) && LIST_FIELDS[list].some((f) => f.key === key)) return key;
  }
  return LIST_FIELDS[list].find((f) => f.caption === c)?.key;
}

/** Column id → caption from a list skeleton (`body.report.sorts.sortoptions`), when it carries them. */
export function captionsFromSkeleton(report: unknown): Record<string, string> {
  const options = (report as { sorts?: { sortoptions?: Array<{ n?: unknown; v?: unknown }> } } | undefined)?.sorts?.sortoptions;
  const out: Record<string, string> = {};
  if (!Array.isArray(options)) return out;
  for (const o of options) {
    const v = String(o?.v ?? '');
    if (!v || v.startsWith('-')) continue;
    out[v] = String(o?.n ?? '').replace(/\((升|降)\)$/, '');
  }
  return out;
}

/** Whether the inferred map is firm enough to read with: every needed key at medium or better. */
export function firmKeys(inferences: ColumnInference[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of inferences) if (c.key && (c.confidence === 'high' || c.confidence === 'medium')) out[c.key] = c.id;
  return out;
}

export { looksLikeDateTime as isDateTimeCell };
