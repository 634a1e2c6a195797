/**
 * Proposes an import pipeline from a sample of a spreadsheet: each header mapped to a catalog
 * field by its caption, by an alias the catalog knows (ZB's template says 联系人, 职位, 电话), or
 * by what its values look like (11 digits starting with 1 are mobiles), each with a confidence
 * and the reason; the columns left out, each with why; the company lookup, the match keys and
 * the write mode that fit what was found. Pure: the sample in, the proposal out.
 */
import { CONTACT_FIELDS, fieldNames, FOLLOWUP_FIELDS, plainCaption, type FieldSpec } from '../catalog/index.js';
import { columnLetter } from '../errors.js';
import { ENTITIES } from '../entities/index.js';
import { headerKey } from '../run/header-map.js';
import { cellText, type Cell } from '../sources/types.js';
import { knownReason, type Bilingual } from './known-columns.js';

export type { Bilingual };
import type { Sample } from './sample.js';
import { columnShape, enumShare, FIELD_SHAPE, shapeShare, SHAPE_WORDS, type Shape } from './shapes.js';


export type Confidence = 'high' | 'medium' | 'low';
export const CONFIDENCE_WORDS: Record<Confidence, Bilingual> = { high: { zh: '高', en: 'high' }, medium: { zh: '中', en: 'medium' }, low: { zh: '低', en: 'low' } };

export interface ProposedField {
  field: string;
  /** The source header as the file writes it; for a placeholder, the field's caption. */
  header?: string;
  /** A constant instead of a column. */
  value?: string;
  /** No column was found for this required field: the header is a guess the user must correct. */
  placeholder?: boolean;
  transforms: string[];
  confidence: Confidence;
  why: Bilingual;
}

export interface UnmappedColumn {
  header: string;
  letter: string;
  why: Bilingual;
}

export interface ContactLookupProposal {
  by: 'company+name' | 'mobile' | 'ord';
  companyColumn?: string;
  nameColumn?: string;
  mobileColumn?: string;
  ordColumn?: string;
  why: Bilingual;
}

export interface Proposal {
  entity: 'contact' | 'followup';
  fields: ProposedField[];
  unmapped: UnmappedColumn[];
  lookup?: { by: 'name' | 'code' | 'id'; why: Bilingual };
  contactLookup?: ContactLookupProposal;
  write?: { mode: 'upsert' | 'update'; matchKeys: string[]; why: Bilingual };
  /** What the user must look at before running (required fields without a column …). */
  warnings: Bilingual[];
}

/** Fields whose values are phone numbers: cleaned by the `phone` transform. */
const PHONE_FIELDS = new Set(['phone', 'fax', 'mobile', 'mobile2', 'phone2']);
/** What a shape, found in an unknown column, becomes in a contact import (in order of preference). */
const CONTACT_SHAPE_FIELDS: Partial<Record<Shape, string[]>> = {
  mobile: ['mobile', 'mobile2'], email: ['email'], date: ['year1'], landline: ['phone', 'phone2'], zip: ['zip'], qq: ['qq'], age: ['age'],
  'company-name': ['company'], 'person-name': ['person_name'],
};
/** Headers of a follow-up's contact id, besides the contact's own caption. */
const ORD_HEADERS = ['数据唯一标识', 'ord', '联系人ID', '联系人id'].map(headerKey);

interface Column {
  index: number;
  header: string;
  key: string;
  letter: string;
  cells: Cell[];
}

/** Caption and aliases of each field, by normalised header; a name two fields share is left out. */
function nameIndex(fields: FieldSpec[]): Map<string, FieldSpec> {
  const owners = new Map<string, FieldSpec[]>();
  for (const f of fields) for (const k of new Set(fieldNames(f).map(headerKey))) owners.set(k, [...(owners.get(k) ?? []), f]);
  return new Map([...owners].filter(([, fs]) => fs.length === 1).map(([k, fs]) => [k, fs[0]]));
}

/** Names two fields of one entity share (开始时间 …): a header that says only this is ambiguous. */
function sharedNames(fields: FieldSpec[]): Map<string, FieldSpec[]> {
  const owners = new Map<string, FieldSpec[]>();
  for (const f of fields) for (const k of new Set(fieldNames(f).map(headerKey))) owners.set(k, [...(owners.get(k) ?? []), f]);
  return new Map([...owners].filter(([, fs]) => fs.length > 1));
}

const CONTACT_NAMES = nameIndex(ENTITIES.contact.mappable);
const FOLLOWUP_NAMES = nameIndex(ENTITIES.followup.mappable);
const FOLLOWUP_SHARED = sharedNames(ENTITIES.followup.mappable);
const FIELD = (fields: FieldSpec[], id: string) => fields.find((f) => f.id === id)!;

/** Every header the catalog knows, normalised (to find the header row below a title). */
export function catalogHeaderKeys(): string[] {
  return [...CONTACT_NAMES.keys(), ...FOLLOWUP_NAMES.keys(), ...FOLLOWUP_SHARED.keys()];
}

export interface ProposeOptions {
  /** The entity to import; chosen from the headers when left out. */
  entity?: 'contact' | 'followup';
}

export function propose(sample: Sample, o: ProposeOptions = {}): Proposal {
  const columns: Column[] = [];
  const unmapped: UnmappedColumn[] = [];
  const counts = new Map<string, number>();
  sample.headers.forEach((h) => counts.set(headerKey(h), (counts.get(headerKey(h)) ?? 0) + 1));
  sample.headers.forEach((header, index) => {
    const key = headerKey(header);
    if (!key) return;
    const letter = columnLetter(index + 1);
    if (counts.get(key)! > 1) {
      unmapped.push({ header, letter, why: { zh: `表头“${header}”出现了 ${counts.get(key)} 次，导入时无法区分；请改名后再映射`, en: `the header appears ${counts.get(key)} times and cannot be told apart on import; rename one, then map it` } });
      return;
    }
    columns.push({ index, header, key, letter, cells: sample.rows.map((r) => r[index]) });
  });
  const entity = o.entity ?? chooseEntity(columns);
  const p = entity === 'followup' ? proposeFollowup(columns) : proposeContact(columns);
  p.unmapped = [...unmapped, ...p.unmapped].sort((a, b) => letterIndex(a.letter) - letterIndex(b.letter));
  return p;
}

function letterIndex(letter: string): number {
  let n = 0;
  for (const ch of letter) n = n * 26 + ch.charCodeAt(0) - 64;
  return n;
}

/** Follow-ups when their own fields (跟进方式, 日程类型, 洽谈内容 …) outnumber the contact's. */
function chooseEntity(columns: Column[]): 'contact' | 'followup' {
  const lookupish = new Set(['company', 'person_name', 'mobile']);
  const contact = columns.filter((c) => { const f = CONTACT_NAMES.get(c.key); return f && !lookupish.has(f.id); }).length;
  const followup = columns.filter((c) => FOLLOWUP_NAMES.has(c.key) || FOLLOWUP_SHARED.has(c.key)).length;
  return followup >= 2 && followup > contact ? 'followup' : 'contact';
}

const byName = (c: Column, f: FieldSpec): { how: 'caption' | 'alias'; why: Bilingual } => {
  const caption = plainCaption(f.caption);
  return headerKey(f.caption) === c.key
    ? { how: 'caption', why: { zh: `表头即字段 ${f.id} 的名称“${caption}”`, en: `the header is the caption of ${f.id}` } }
    : { how: 'alias', why: { zh: `“${c.header}”是字段 ${f.id}（${caption}）的常用名称`, en: `${c.header} is a known name of ${f.id} (${caption})` } };
};

const transformsFor = (field: string) => (PHONE_FIELDS.has(field) ? ['phone'] : field === 'sex' ? ['sex'] : []);

/** A column matched by its header whose values do not look like the field's: said, and trusted less. */
function checkValues(c: Column, field: string, why: Bilingual): { confidence: Confidence; why: Bilingual } {
  const shape = FIELD_SHAPE[field];
  if (!shape) return { confidence: 'high', why };
  const s = shapeShare(c.cells, shape);
  if (s.of < 3 || s.hits / s.of >= 0.5) return { confidence: 'high', why };
  const w = SHAPE_WORDS[shape];
  return {
    confidence: 'medium',
    why: { zh: `${why.zh}，但样本中只有 ${s.hits}/${s.of} 个值像${w.zh}`, en: `${why.en}, but only ${s.hits} of ${s.of} sample values look like ${w.en}` },
  };
}

function fromShape(c: Column, shape: Shape, hits: number, of: number, caption: string): { confidence: Confidence; why: Bilingual } {
  const w = SHAPE_WORDS[shape];
  const weak = shape === 'company-name' || shape === 'person-name' || shape === 'age' || shape === 'zip' || shape === 'qq';
  return {
    confidence: !weak && hits === of && of >= 3 ? 'medium' : 'low',
    why: { zh: `按内容推断：样本中 ${hits}/${of} 个值像${w.zh}，故为“${caption}”`, en: `from the values: ${hits} of ${of} sample values look like ${w.en}, so ${caption}` },
  };
}

function unmappedWhy(c: Column, entity: 'contact' | 'followup'): Bilingual {
  const known = knownReason(c.header);
  if (known && !(entity === 'followup' && FOLLOWUP_NAMES.has(c.key))) return known;
  const shared = entity === 'followup' ? FOLLOWUP_SHARED.get(c.key) : undefined;
  if (shared) {
    const names = shared.map((f) => `${f.id}（${fieldNames(f)[1] ?? plainCaption(f.caption)}）`).join('、');
    return { zh: `“${c.header}”可能是 ${names}，请手工选择`, en: `${c.header} may be any of ${shared.map((f) => f.id).join(', ')}: choose by hand` };
  }
  if (entity === 'contact' && (FOLLOWUP_NAMES.has(c.key) || FOLLOWUP_SHARED.has(c.key))) return knownReason('洽谈进展')!;
  if (c.cells.every((x) => cellText(x).trim() === '')) return { zh: '没有对应的字段（样本中此列为空）', en: 'no matching field (empty in the sample)' };
  return { zh: '没有对应的字段', en: 'no matching field' };
}

function proposeContact(columns: Column[]): Proposal {
  const fields = ENTITIES.contact.mappable;
  const mapped = new Map<string, ProposedField & { column?: Column }>();
  const rest: Column[] = [];
  const unmapped: UnmappedColumn[] = [];
  const warnings: Bilingual[] = [];
  // 1. By caption and alias.
  for (const c of columns) {
    const f = CONTACT_NAMES.get(c.key);
    if (!f) {
      rest.push(c);
      continue;
    }
    const taken = mapped.get(f.id);
    if (taken) {
      unmapped.push({ header: c.header, letter: c.letter, why: { zh: `“${taken.header}”列已映射到 ${f.id}`, en: `column ${taken.header} is already mapped to ${f.id}` } });
      continue;
    }
    const { why } = byName(c, f);
    mapped.set(f.id, { field: f.id, header: c.header, column: c, transforms: transformsFor(f.id), ...checkValues(c, f.id, why) });
  }
  // 2. By the values of the columns no name explains.
  for (const c of rest) {
    const known = knownReason(c.header);
    const shape = known ? undefined : columnShape(c.cells);
    const enumField = known ? undefined : fields.find((f) => f.options && !mapped.has(f.id) && enumShare(c.cells, f));
    const target = enumField?.id ?? (shape ? CONTACT_SHAPE_FIELDS[shape.shape]?.find((id) => !mapped.has(id)) : undefined);
    if (!target) {
      unmapped.push({ header: c.header, letter: c.letter, why: unmappedWhy(c, 'contact') });
      continue;
    }
    const caption = plainCaption(FIELD(fields, target).caption);
    const guess = enumField
      ? { confidence: 'medium' as const, why: { zh: `按内容推断：样本值都是“${caption}”的选项`, en: `from the values: all are options of ${caption}` } }
      : fromShape(c, shape!.shape, shape!.hits, shape!.of, caption);
    mapped.set(target, { field: target, header: c.header, column: c, transforms: transformsFor(target), ...guess });
  }

  // The company: by name, by customer number (客户编号 when there is no name column), or by id.
  let lookup: Proposal['lookup'];
  const company = mapped.get('company');
  if (company?.column && company.column.cells.some((x) => cellText(x).trim()) && company.column.cells.every((x) => /^\d*$/.test(cellText(x).trim()))) {
    lookup = { by: 'id', why: { zh: `“${company.header}”列是客户的 ord（整数）`, en: `column ${company.header} holds customer ords (integers)` } };
  } else if (company) {
    lookup = { by: 'name', why: { zh: `按“${company.header}”列的客户全称找客户`, en: `customers are found by their full name in column ${company.header}` } };
  } else {
    const code = columns.find((c) => c.key === headerKey('客户编号'));
    if (code) {
      mapped.set('company', { field: 'company', header: code.header, column: code, transforms: [], confidence: 'medium', why: { zh: '文件没有客户名称列，按客户编号找客户', en: 'no customer-name column: customers are found by their number' } });
      const i = unmapped.findIndex((u) => u.header === code.header);
      if (i >= 0) unmapped.splice(i, 1);
      lookup = { by: 'code', why: { zh: `按“${code.header}”列的客户编号找客户`, en: `customers are found by their number in column ${code.header}` } };
    }
  }
  // Required fields without a column: a placeholder that lint accepts and a run names clearly.
  for (const id of ['company', 'person_name']) {
    if (mapped.has(id)) continue;
    const f = FIELD(fields, id);
    const caption = plainCaption(f.caption);
    mapped.set(id, { field: id, header: id === 'company' ? '客户名称' : caption, placeholder: true, transforms: [], confidence: 'low', why: { zh: `文件中没有找到此必填字段的列：请改成文件中的列名`, en: 'no column found for this required field: write the header of the file' } });
    warnings.push({ zh: `没有找到必填字段 ${id}（${caption}）的列，请在流水线中填写正确的列名`, en: `no column found for the required field ${id} (${caption}): write its header in the pipeline` });
  }
  lookup ??= { by: 'name', why: { zh: '按客户全称找客户', en: 'customers are found by their full name' } };

  // Rows that carry the contact's ord (an ERP export edited by an admin) update those contacts.
  const write: Proposal['write'] = mapped.has('ord')
    ? { mode: 'update', matchKeys: ['ord'], why: { zh: '文件带有联系人的 ord（数据唯一标识）：按 ord 更新已有联系人，空单元格保留 ERP 中的值', en: "the file carries the contacts' ord: rows update those contacts, blank cells keep the ERP's values" } }
    : {
      mode: 'upsert', matchKeys: ['company', 'person_name', 'mobile'].filter((k) => mapped.has(k)),
      why: { zh: '已有的联系人（同一客户、姓名和手机）更新，没有的新建', en: 'an existing contact (same company, name and mobile) is updated, a new one created' },
    };
  const order = fields.map((f) => f.id);
  const list = [...mapped.values()].sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field)).map(({ column: _c, ...rest }) => rest);
  return { entity: 'contact', fields: list, unmapped, lookup, write, warnings };
}

function proposeFollowup(columns: Column[]): Proposal {
  const fields = ENTITIES.followup.mappable;
  const warnings: Bilingual[] = [];
  const used = new Set<Column>();
  const pick = (test: (c: Column) => boolean) => {
    const c = columns.find((x) => !used.has(x) && test(x));
    if (c) used.add(c);
    return c;
  };
  // The contact each row is about: company + name, mobile, or its ord.
  const contactField = (id: string) => new Set(fieldNames(FIELD(CONTACT_FIELDS, id)).map(headerKey));
  const company = pick((c) => contactField('company').has(c.key));
  const name = pick((c) => contactField('person_name').has(c.key));
  let contactLookup: ContactLookupProposal;
  if (company && name) {
    contactLookup = { by: 'company+name', companyColumn: company.header, nameColumn: name.header, why: { zh: `按“${company.header}”和“${name.header}”找联系人`, en: `contacts are found by ${company.header} and ${name.header}` } };
  } else {
    for (const c of [company, name]) if (c) used.delete(c);
    const mobile = pick((c) => contactField('mobile').has(c.key)) ?? pick((c) => columnShape(c.cells)?.shape === 'mobile');
    const ord = mobile ? undefined : pick((c) => ORD_HEADERS.includes(c.key));
    if (mobile) contactLookup = { by: 'mobile', mobileColumn: mobile.header, why: { zh: `按“${mobile.header}”列的手机号找联系人`, en: `contacts are found by the mobile in column ${mobile.header}` } };
    else if (ord) contactLookup = { by: 'ord', ordColumn: ord.header, why: { zh: `按“${ord.header}”列的联系人 ord 找联系人`, en: `contacts are found by their ord in column ${ord.header}` } };
    else {
      contactLookup = { by: 'company+name', companyColumn: company?.header ?? '客户名称', nameColumn: name?.header ?? '联系人', why: { zh: '没有找到标明联系人的列：请填写文件中的客户名称列和联系人列', en: 'no columns naming the contact were found: write the headers of the company and contact columns' } };
      for (const c of [company, name]) if (c) used.add(c);
      warnings.push({ zh: '没有找到标明联系人的列（客户名称+联系人、手机或联系人 ord），请在 contactLookup 中填写', en: 'no columns naming the contact (company + name, mobile or ord) were found: fill in contactLookup' });
    }
  }

  const mapped = new Map<string, ProposedField>();
  const unmapped: UnmappedColumn[] = [];
  for (const c of columns) {
    if (used.has(c)) continue;
    let f = FOLLOWUP_NAMES.get(c.key);
    let guess: { confidence: Confidence; why: Bilingual } | undefined;
    if (f) guess = { confidence: 'high', why: byName(c, f).why };
    else if (!FOLLOWUP_SHARED.has(c.key) && !knownReason(c.header)) {
      f = fields.find((x) => x.options && !x.freeText && !mapped.has(x.id) && enumShare(c.cells, x));
      if (f) guess = { confidence: 'medium', why: { zh: `按内容推断：样本值都是“${plainCaption(f.caption)}”的选项`, en: `from the values: all are options of ${plainCaption(f.caption)}` } };
    }
    if (!f || !guess || mapped.has(f.id)) {
      unmapped.push({ header: c.header, letter: c.letter, why: f && mapped.has(f.id) ? { zh: `已有列映射到 ${f.id}`, en: `another column is mapped to ${f.id}` } : unmappedWhy(c, 'followup') });
      continue;
    }
    mapped.set(f.id, { field: f.id, header: c.header, transforms: [], ...guess });
  }
  if (!mapped.has('plantype')) {
    mapped.set('plantype', { field: 'plantype', value: '不生成', transforms: [], confidence: 'medium', why: { zh: '文件中没有日程类型列：固定为“不生成”（不建日程）', en: 'no 日程类型 column: every row as 不生成 (no schedule)' } });
  }
  for (const id of ['intro', 'sort']) {
    if (mapped.has(id)) continue;
    const caption = plainCaption(FIELD(fields, id).caption);
    const header = id === 'intro' ? '洽谈内容' : caption;
    mapped.set(id, { field: id, header, placeholder: true, transforms: [], confidence: 'low', why: { zh: '文件中没有找到此必填字段的列：请改成文件中的列名', en: 'no column found for this required field: write the header of the file' } });
    warnings.push({ zh: `没有找到必填字段 ${id}（${caption}）的列，请在流水线中填写正确的列名`, en: `no column found for the required field ${id} (${caption}): write its header in the pipeline` });
  }
  const order = FOLLOWUP_FIELDS.map((f) => f.id);
  const list = [...mapped.values()].sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
  return { entity: 'followup', fields: list, unmapped, contactLookup, warnings };
}
