/**
 * Column layouts of the list pages. No public sample names the real column ids of
 * `person/list.asp` or `custom/list.asp` (protocol notes §3.5, §8), so these are the
 * emulator's layout and the client's default id→field mapping; pipelines can override
 * the mapping, and the client always maps by `cols[].id`, never by position.
 */
import type { ListColumn } from './types.js';
import { CONTACT_FIELDS, CUSTOMER_FIELDS } from './fields.js';

const fieldColumn = (fields: typeof CONTACT_FIELDS, id: string): ListColumn => {
  const f = fields.find((x) => x.id === id);
  if (!f) throw new Error(`catalog: no field ${id}`);
  const dbtype = f.type === 'int' ? 'int' : f.type === 'number' ? 'number' : f.type === 'datetime' || f.type === 'date' ? 'date' : 'string';
  return { id, dbtype, field: id, caption: f.caption.replace(/\s+/g, '') };
};
const contactColumn = (id: string) => fieldColumn(CONTACT_FIELDS, id);
const customerColumn = (id: string) => fieldColumn(CUSTOMER_FIELDS, id);

/** `person/list.asp` with `refresh`: every contact field plus the customer name and 添加时间. */
export const CONTACT_LIST_COLUMNS: ListColumn[] = [
  contactColumn('ord'),
  contactColumn('person_name'),
  { id: 'name', dbtype: 'string', caption: '客户名称' },
  contactColumn('company'),
  ...['sex', 'age', 'year1', 'part1', 'job', 'phone', 'fax', 'mobile', 'mobile2', 'phone2', 'email', 'qq', 'weixinAcc',
    'XiQueIntro', 'msn', 'jg', 'zip', 'pym', 'joy', 'intro'].map(contactColumn),
  { id: 'date1', dbtype: 'date', caption: '添加时间' },
];

/** `person/list.asp?checktype=radio`: the picking mode shows fewer columns, in another order. */
export const CONTACT_PICK_COLUMNS: ListColumn[] = [
  contactColumn('person_name'),
  { id: 'name', dbtype: 'string', caption: '客户名称' },
  contactColumn('mobile'),
  contactColumn('phone'),
  contactColumn('email'),
  contactColumn('job'),
  contactColumn('company'),
  contactColumn('ord'),
];

/**
 * `custom/list.asp`: one public client reads the customer ord from `rows[0][7]` in radio
 * mode, so the emulator puts `ord` eighth, to keep position-based readers honest.
 */
export const CUSTOMER_LIST_COLUMNS: ListColumn[] = [
  customerColumn('name'),
  customerColumn('khid'),
  customerColumn('sort1'),
  customerColumn('ly'),
  customerColumn('phone'),
  customerColumn('address'),
  customerColumn('date1'),
  customerColumn('ord'),
  customerColumn('area'),
  customerColumn('trade'),
];
