/**
 * The list pages zbport reads, in two layers:
 *
 * - LIST_FIELDS: what each list can show, by *logical* key (a catalog field id, or a list-only
 *   key such as `customer_name`, the customer's name shown beside a contact). Code reads rows by
 *   these keys only.
 * - DEFAULT_LAYOUTS: zbport's guess of the wire column ids (`cols[].id`) of each list. No public
 *   sample names the real ids of `person/list.asp` or `custom/list.asp` (protocol notes §3.5,
 *   §3.5a, §8): a column id is the SQL name of a visible header, so it differs between
 *   installations. An installation profile (src/installation) replaces this guess with ids read
 *   from the real server (`zbport doctor`); every command checks, before writing, that the ids it
 *   relies on are columns the ERP really returns.
 */
import type { FieldSpec, FieldType, ListColumn } from './types.js';
import { CONTACT_FIELDS, CUSTOMER_FIELDS } from './fields.js';

/** The lists zbport reads. `contactPick` is `person/list.asp?checktype=radio`. */
export type ListName = 'contact' | 'contactPick' | 'customer';
export const LIST_NAMES: ListName[] = ['contact', 'contactPick', 'customer'];

/** One thing a list can show, under its logical key. */
export interface ListField {
  key: string;
  /** Chinese caption, spaces removed (客户名称, 手机). */
  caption: string;
  type: FieldType;
  /** The catalog field it carries, when it is one (its ranges, textual flag, options). */
  field?: FieldSpec;
}

const plain = (s: string) => s.replace(/[\s\u3000]+/g, '');
const fromFields = (fields: FieldSpec[]): ListField[] => fields.map((f) => ({ key: f.id, caption: plain(f.caption), type: f.type, field: f }));

/** The customer's name beside a contact: not a contact field, shown by the contact lists. */
export const CUSTOMER_NAME: ListField = { key: 'customer_name', caption: '客户名称', type: 'string' };
/** 添加时间 of a contact: set by the ERP, filtered by `date1_0`/`date1_1`. */
export const CONTACT_ADDED: ListField = { key: 'date1', caption: '添加时间', type: 'datetime' };

const CONTACT_LIST_FIELDS: ListField[] = [
  ...fromFields(CONTACT_FIELDS).map((f) => (f.key === 'company' ? { ...f, caption: '关联客户' } : f)),
  CUSTOMER_NAME,
  CONTACT_ADDED,
];

export const LIST_FIELDS: Record<ListName, ListField[]> = {
  contact: CONTACT_LIST_FIELDS,
  contactPick: CONTACT_LIST_FIELDS,
  customer: fromFields(CUSTOMER_FIELDS),
};

/** What each list is, for messages and the profile (Chinese first). */
export const LIST_TITLES: Record<ListName, string> = {
  contact: '联系人列表 person/list.asp',
  contactPick: '联系人选择列表 person/list.asp?checktype=radio',
  customer: '客户列表 custom/list.asp',
};

export function listField(list: ListName, key: string): ListField | undefined {
  return LIST_FIELDS[list].find((f) => f.key === key);
}

/** The wire dbtype a column of this logical type carries. */
export function dbtypeOf(type: FieldType): ListColumn['dbtype'] {
  return type === 'int' ? 'int' : type === 'number' ? 'number' : type === 'datetime' || type === 'date' ? 'date' : 'string';
}

const column = (list: ListName, id: string, key = id): ListColumn => {
  const f = listField(list, key);
  if (!f) throw new Error(`catalog: list ${list} has no field ${key}`);
  return { id, dbtype: dbtypeOf(f.type), field: key, caption: f.caption };
};

/** `person/list.asp` with `refresh`: every contact field plus the customer name and 添加时间. */
const CONTACT_LIST_COLUMNS: ListColumn[] = [
  column('contact', 'ord'),
  column('contact', 'person_name'),
  column('contact', 'name', 'customer_name'),
  column('contact', 'company'),
  ...['sex', 'age', 'year1', 'part1', 'job', 'phone', 'fax', 'mobile', 'mobile2', 'phone2', 'email', 'qq', 'weixinAcc',
    'XiQueIntro', 'msn', 'jg', 'zip', 'pym', 'joy', 'intro'].map((id) => column('contact', id)),
  column('contact', 'date1'),
];

/** `person/list.asp?checktype=radio`: the picking mode shows fewer columns, in another order. */
const CONTACT_PICK_COLUMNS: ListColumn[] = [
  column('contactPick', 'person_name'),
  column('contactPick', 'name', 'customer_name'),
  column('contactPick', 'mobile'),
  column('contactPick', 'phone'),
  column('contactPick', 'email'),
  column('contactPick', 'job'),
  column('contactPick', 'company'),
  column('contactPick', 'ord'),
];

/**
 * `custom/list.asp`: one public client reads the customer ord from `rows[0][7]` in radio mode,
 * so `ord` is eighth, to keep position-based readers honest.
 */
const CUSTOMER_LIST_COLUMNS: ListColumn[] = ['name', 'khid', 'sort1', 'ly', 'phone', 'address', 'date1', 'ord', 'area', 'trade'].map((id) => column('customer', id));

/** zbport's guess of each list's columns (the built-in emulator's default dialect serves exactly these). */
export const DEFAULT_LAYOUTS: Record<ListName, ListColumn[]> = {
  contact: CONTACT_LIST_COLUMNS,
  contactPick: CONTACT_PICK_COLUMNS,
  customer: CUSTOMER_LIST_COLUMNS,
};
