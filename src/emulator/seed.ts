/**
 * A realistic, deterministic Chinese dataset for an empty emulator: customers with
 * near-duplicate names (a company and its 分公司, two customers with one name), contacts with
 * Chinese names, mobiles, e-mails and birthdays spread over the year (some always within the
 * next week), 添加时间 over past years. The same parameters always give the same records.
 */

export interface SeedSize {
  customers: number;
  contacts: number;
  followups: number;
  randomSeed: number;
}

export const DEFAULT_SEED: SeedSize = { customers: 200, contacts: 2000, followups: 0, randomSeed: 20240601 };

/** mulberry32: tiny, fast and deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMPANIES = [
  '华为技术有限公司', '腾讯科技（深圳）有限公司', '阿里巴巴（中国）有限公司', '北京字节跳动科技有限公司', '小米通讯技术有限公司',
  '比亚迪股份有限公司', '美的集团股份有限公司', '海尔集团公司', '联想（北京）有限公司', '中兴通讯股份有限公司',
  '格力电器股份有限公司', '上海汽车集团股份有限公司', '京东世纪贸易有限公司', '网易（杭州）网络有限公司', '百度在线网络技术（北京）有限公司',
];
const CITIES = ['深圳', '上海', '北京', '广州', '杭州', '成都', '武汉', '南京', '西安', '苏州'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳司马诸葛';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文斌俊峰婷雪琳晨宇浩然子涵欣怡梓轩一诺雨桐思远博文';
const JOBS = ['总经理', '采购经理', '销售总监', '技术主管', '财务', '行政专员', '项目经理', '工程师', '董事长助理', '市场部经理'];
const PARTS = ['采购部', '销售部', '技术部', '财务部', '行政部', '市场部', '研发中心', '总经办'];
const JOYS = ['羽毛球', '登山', '书法', '摄影', '钓鱼', '围棋', '跑步', '茶艺', ''];
const SORT1 = ['1', '1,3', '2', '2,5', '3'];
const PINYIN = ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun'];
const GIVEN_PY = ['w', 'f', 'n', 'x', 'y', 'm', 'j', 'l', 'q', 'h'];
const REMARKS = ['重要客户，季度回访', '年底前跟进报价', '只接受邮件联系', '对价格敏感', '老客户介绍'];

export interface SeedCustomer {
  ord: string;
  name: string;
  khid: string;
  sort1: string;
  ly: string;
  trade: string;
  area: string;
  phone: string;
  address: string;
  date1: string;
  person_name: string;
}

export type SeedContact = Record<string, string> & { ord: string; company: string; date1: string };

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function dateTime(r: () => number, fromYear: number, toYear: number): string {
  const y = fromYear + Math.floor(r() * (toYear - fromYear + 1));
  const m = 1 + Math.floor(r() * 12);
  const d = 1 + Math.floor(r() * 28);
  return `${y}-${pad(m, 2)}-${pad(d, 2)} ${pad(8 + Math.floor(r() * 10), 2)}:${pad(Math.floor(r() * 60), 2)}:${pad(Math.floor(r() * 60), 2)}`;
}

/** Customer names: well-known companies, their 分公司, one duplicated name, then generated ones. */
export function customerName(i: number): string {
  const known = COMPANIES.length;
  if (i < known) return COMPANIES[i];
  const branch = i - known;
  if (branch < known) return `${COMPANIES[branch].replace(/（.*?）/, '')}${CITIES[branch % CITIES.length]}分公司`;
  if (i === 2 * known) return COMPANIES[1]; // two customers with one name
  // Mixed Chinese and Latin text, as office suites store in rich-text runs.
  return `${CITIES[i % CITIES.length]}客户${pad(i, 5)}有限公司`;
}

export function* seedCustomers(size: SeedSize): Generator<SeedCustomer> {
  const r = prng(size.randomSeed);
  for (let i = 0; i < size.customers; i++) {
    const ord = String(i + 1);
    yield {
      ord,
      name: customerName(i),
      khid: `KH${pad(i + 1, 6)}`,
      sort1: SORT1[i % SORT1.length],
      ly: ['171', '172', '173', '174', '977'][i % 5],
      trade: ['137', '139', '966', '967', '968'][i % 5],
      area: String(1 + (i % 10)),
      phone: `0${10 + (i % 80)}-${pad(Math.floor(r() * 1e8), 8)}`,
      address: `${CITIES[i % CITIES.length]}市科技园${1 + (i % 99)}号`,
      date1: dateTime(r, 2015, 2023),
      person_name: '',
    };
  }
}

/** Contacts: ords continue after the customers' (one ord sequence, as one database's would not, but distinct). */
export function* seedContacts(size: SeedSize, firstOrd: number, today: Date = new Date()): Generator<SeedContact> {
  const r = prng(size.randomSeed ^ 0x5eed);
  // A second stream for the sparsely filled fields, so the first one (and every value drawn from
  // it) is the same as before they were filled: real lists have some faxes and remarks, and
  // discovery needs a few to tell those columns apart.
  const sparse = prng(size.randomSeed ^ 0x5a17);
  const some = (share: number, v: () => string) => (sparse() < share ? v() : '');
  for (let i = 0; i < size.contacts; i++) {
    const surname = SURNAMES[Math.floor(r() * SURNAMES.length)];
    const given = GIVEN[Math.floor(r() * GIVEN.length)] + (r() < 0.6 ? GIVEN[Math.floor(r() * GIVEN.length)] : '');
    const company = size.customers ? String(1 + Math.floor(r() * size.customers)) : '1';
    let birthday: string;
    if (i % 50 === 0) {
      // Always a birthday within the next week, so the reminder list is never empty.
      const d = new Date(Date.UTC(today.getFullYear(), today.getMonth(), today.getDate() + (i % 7)));
      birthday = `${1960 + (i % 40)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
    } else {
      birthday = r() < 0.8 ? dateTime(r, 1960, 2000).slice(0, 10) : '';
    }
    const py = PINYIN[i % PINYIN.length];
    const sparseValues = {
      pym: some(0.3, () => `${py}${GIVEN_PY[i % GIVEN_PY.length]}`),
      fax: some(0.15, () => `0755-8${pad(Math.floor(sparse() * 1e7), 7)}`),
      mobile2: some(0.12, () => `13${pad(Math.floor(sparse() * 1e9), 9)}`),
      phone2: some(0.12, () => `020-${pad(Math.floor(sparse() * 1e8), 8)}`),
      weixinAcc: some(0.25, () => `wx_${py}${i}`),
      XiQueIntro: some(0.12, () => `喜鹊${1 + (i % 9)}号`),
      msn: some(0.12, () => `${py}${i}@hotmail.com`),
      intro: some(0.2, () => REMARKS[i % REMARKS.length]),
    };
    yield {
      ord: String(firstOrd + i),
      company,
      person_name: surname + given,
      pym: sparseValues.pym,
      sex: r() < 0.5 ? '男' : '女',
      age: birthday ? String(today.getFullYear() - Number(birthday.slice(0, 4))) : '',
      year1: birthday,
      part1: PARTS[i % PARTS.length],
      job: JOBS[Math.floor(r() * JOBS.length)],
      phone: r() < 0.5 ? `0755-${pad(Math.floor(r() * 1e8), 8)}` : '',
      fax: sparseValues.fax,
      mobile: `1${3 + Math.floor(r() * 7)}${pad(Math.floor(r() * 1e9), 9)}`,
      mobile2: sparseValues.mobile2,
      phone2: sparseValues.phone2,
      email: `${py}${i}@example.com`,
      qq: r() < 0.4 ? String(10000 + Math.floor(r() * 9e8)) : '',
      weixinAcc: sparseValues.weixinAcc,
      XiQueIntro: sparseValues.XiQueIntro,
      msn: sparseValues.msn,
      jg: CITIES[i % CITIES.length],
      zip: r() < 0.3 ? `0${pad(Math.floor(r() * 99999), 5)}` : '',
      joy: JOYS[i % JOYS.length],
      intro: sparseValues.intro,
      date1: dateTime(r, 2016, 2024),
    };
  }
}
