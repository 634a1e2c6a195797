/**
 * Installations the emulator can play. Real ZB ERP installations differ exactly where the
 * protocol notes say "unknown" (§3.5a, §8): list column ids and order, date and number formats in
 * list cells, enum ids, the status code of a refused login. Each dialect is data, here and only
 * here; handlers and list queries read it, so a rehearsal (and every integration test) can meet
 * an installation that is not zbport's own guess.
 */
import { DEFAULT_LAYOUTS, FOLLOWUP_SORT_OPTIONS, INTRO_TEMPLATE_OPTIONS, type ListColumn, type ListName } from '../catalog/index.js';

export interface Dialect {
  name: string;
  description: string;
  /** Columns of each list, in order; `field` is the logical key each carries. */
  lists: Record<ListName, ListColumn[]>;
  /** List date cells: `1990-01-02` / `2024-03-05 14:22:01` (iso) or `1990/01/02` / `2024/03/05 14:22:01` (slash). */
  listDates: 'iso' | 'slash';
  /** Numeric list cells with thousands separators (`12,345`). */
  thousands: boolean;
  login: { refusedStatus: number; captchaStatus: number; appversion: string };
  /** This installation's enum ids, per field: label → id; fields left out keep the catalog's demo ids. */
  enums: Record<string, Record<string, string>>;
  /** Whether the list skeleton (no `refresh`) captions its sort options (`客户名称(升)`). */
  sortCaptions: boolean;
}

const col = (id: string, dbtype: ListColumn['dbtype'], field: string, caption: string): ListColumn => ({ id, dbtype, field, caption });

/** zbport's own guess: the layout the client assumes when no profile says otherwise. */
const STANDARD: Dialect = {
  name: 'standard',
  description: 'zbport 内置默认布局（catalog DEFAULT_LAYOUTS）/ the built-in guess (catalog DEFAULT_LAYOUTS)',
  lists: DEFAULT_LAYOUTS,
  listDates: 'iso',
  thousands: false,
  login: { refusedStatus: 2, captchaStatus: 2, appversion: '32.17' },
  enums: {},
  sortCaptions: true,
};

/**
 * Pinyin abbreviations as sibling lists of the ERP use them (khmc, htid, cpname…), in another
 * order, dates with slashes, numbers with separators, other enum ids, another refusal status.
 */
const PINYIN_CONTACT: ListColumn[] = [
  col('xm', 'string', 'person_name', '联系人'),
  col('khmc', 'string', 'customer_name', '客户名称'),
  col('sj', 'string', 'mobile', '手机'),
  col('xb', 'string', 'sex', '性别'),
  col('bm', 'string', 'part1', '部门'),
  col('zw', 'string', 'job', '职务'),
  col('dh', 'string', 'phone', '电话'),
  col('cz', 'string', 'fax', '传真'),
  col('sj2', 'string', 'mobile2', '手机2'),
  col('jtdh', 'string', 'phone2', '家庭电话'),
  col('yx', 'string', 'email', '电子邮件'),
  col('qq', 'string', 'qq', 'QQ'),
  col('wx', 'string', 'weixinAcc', '微信'),
  col('xqss', 'string', 'XiQueIntro', '喜鹊声声'),
  col('msn', 'string', 'msn', 'MSN'),
  col('jg', 'string', 'jg', '籍贯'),
  col('yb', 'string', 'zip', '邮编'),
  col('pym', 'string', 'pym', '拼音码'),
  col('nl', 'int', 'age', '年龄'),
  col('sr', 'date', 'year1', '生日'),
  col('ah', 'string', 'joy', '爱好特长'),
  col('bz', 'string', 'intro', '备注'),
  col('tjsj', 'date', 'date1', '添加时间'),
  col('khord', 'int', 'company', '客户ID'),
  col('ord', 'int', 'ord', 'ID'),
];

const PINYIN: Dialect = {
  name: 'pinyin',
  description: '拼音缩写列名（khmc 客户名称、xm 联系人、sj 手机）、其他列序、日期 1990/01/02、千分位数字、其他枚举 ID、登录拒绝状态码 3 / pinyin column ids in another order, slashed dates, thousands separators, other enum ids, refused login status 3',
  lists: {
    contact: PINYIN_CONTACT,
    contactPick: [
      col('ord', 'int', 'ord', 'ID'),
      col('khmc', 'string', 'customer_name', '客户名称'),
      col('xm', 'string', 'person_name', '联系人'),
      col('zw', 'string', 'job', '职务'),
      col('sj', 'string', 'mobile', '手机'),
      col('yx', 'string', 'email', '电子邮件'),
    ],
    customer: [
      col('khord', 'int', 'ord', 'ID'),
      col('khbh', 'string', 'khid', '客户编号'),
      col('khmc', 'string', 'name', '客户名称'),
      col('khfl', 'string', 'sort1', '客户分类'),
      col('dz', 'string', 'address', '客户地址'),
      col('dh', 'string', 'phone', '办公电话'),
      col('hy', 'int', 'trade', '客户行业'),
      col('ly', 'int', 'ly', '客户来源'),
      col('qy', 'string', 'area', '客户区域'),
      col('tjsj', 'date', 'date1', '添加时间'),
    ],
  },
  listDates: 'slash',
  thousands: true,
  login: { refusedStatus: 3, captchaStatus: 4, appversion: '32.16' },
  enums: {
    sort: { 其他: '1104', 上门: '1103', 邮件: '1102', 电话: '1101' },
    intro: Object.fromEntries(INTRO_TEMPLATE_OPTIONS.map((o, i) => [o.label, String(2301 + i)])),
  },
  sortCaptions: false,
};

/**
 * The trap the protocol notes warn of: a public client's model names the contact's own name
 * `name`, the id zbport's guess reads as the customer's name. Ids from a table model (`id`,
 * `company`, `name`), the customer's name under `khmc`, fewer columns.
 */
const CLASSIC: Dialect = {
  name: 'classic',
  description: '表字段名列（联系人姓名 name、客户 ID company、客户名称 khmc、ord 为 id）/ table-model ids: the contact\'s name is `name`',
  lists: {
    contact: [
      col('id', 'int', 'ord', 'ID'),
      col('name', 'string', 'person_name', '联系人'),
      col('company', 'int', 'company', '客户'),
      col('khmc', 'string', 'customer_name', '客户名称'),
      col('sex', 'string', 'sex', '性别'),
      col('age', 'int', 'age', '年龄'),
      col('year1', 'date', 'year1', '生日'),
      col('part1', 'string', 'part1', '部门'),
      col('job', 'string', 'job', '职务'),
      col('phone', 'string', 'phone', '办公电话'),
      col('fax', 'string', 'fax', '传真'),
      col('mobile', 'string', 'mobile', '手机'),
      col('mobile2', 'string', 'mobile2', '手机2'),
      col('phone2', 'string', 'phone2', '家庭电话'),
      col('email', 'string', 'email', '电子邮件'),
      col('qq', 'string', 'qq', 'QQ'),
      col('weixinAcc', 'string', 'weixinAcc', '微信'),
      col('XiQueIntro', 'string', 'XiQueIntro', '喜鹊声声'),
      col('msn', 'string', 'msn', 'MSN'),
      col('jg', 'string', 'jg', '籍贯'),
      col('zip', 'string', 'zip', '邮编'),
      col('pym', 'string', 'pym', '拼音码'),
      col('joy', 'string', 'joy', '爱好特长'),
      col('intro', 'string', 'intro', '备注'),
      col('date1', 'date', 'date1', '添加时间'),
    ],
    contactPick: [
      col('name', 'string', 'person_name', '联系人'),
      col('khmc', 'string', 'customer_name', '客户名称'),
      col('mobile', 'string', 'mobile', '手机'),
      col('id', 'int', 'ord', 'ID'),
    ],
    customer: [
      col('id', 'int', 'ord', 'ID'),
      col('name', 'string', 'name', '客户名称'),
      col('khid', 'string', 'khid', '客户编号'),
      col('phone', 'string', 'phone', '办公电话'),
      col('address', 'string', 'address', '客户地址'),
      col('date1', 'date', 'date1', '添加时间'),
    ],
  },
  listDates: 'iso',
  thousands: false,
  login: { refusedStatus: 1001, captchaStatus: 1002, appversion: '31.90' },
  enums: { sort: Object.fromEntries(FOLLOWUP_SORT_OPTIONS.map((o) => [o.label, String(Number(o.value) + 5000)])) },
  sortCaptions: false,
};

export const DIALECTS: Record<string, Dialect> = { standard: STANDARD, pinyin: PINYIN, classic: CLASSIC };
export const DIALECT_NAMES = Object.keys(DIALECTS);

export function dialectNamed(name: string): Dialect {
  const d = DIALECTS[name];
  if (!d) throw new Error(`unknown emulator dialect \`${name}\` (known: ${DIALECT_NAMES.join(', ')})`);
  return d;
}
