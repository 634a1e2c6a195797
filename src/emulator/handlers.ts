/**
 * The emulator's endpoints: one handler set, used in-process by tests and standalone by
 * `zbport emulator`. Shapes follow ../shared/erp-protocol.md §7; everything it marks as
 * inferred is listed in src/emulator/README.md.
 */
import { randomBytes } from 'node:crypto';
import {
  CONTACT_FIELDS, CUSTOMER_FIELDS, CUSTOMER_FOLLOWUP_FIELDS, FOLLOWUP_FIELDS, plainCaption, type FieldSpec,
} from '../catalog/index.js';
import type { Dialect } from './dialects.js';
import { PATHS, SESSION_MESSAGES, type ResponseEnvelope } from '../erp/protocol.js';
import { checkFields, parseServerDate } from './checks.js';
import type { FaultPlan } from './faults.js';
import { ListQueries } from './lists.js';
import type { CustomerRecord, EmulatorStore } from './store.js';

export interface EmulatorRequest {
  path: string;
  query: URLSearchParams;
  session: string;
  cmdkey: string;
  datas: Record<string, string>;
}

export interface Counters {
  requests: number;
  saves: number;
  creates: number;
  updates: number;
  refusals: number;
  savesDropped: number;
  followups: number;
  logins: number;
  loginFailures: number;
  sessionsExpired: number;
  inFlight: number;
  inFlightMax: number;
  /** Total time spent serving requests (after any queueing for the in-flight cap), ms. */
  serviceMs: number;
  /** The part of serviceMs spent on saves (a benchmark's bound is one save per row). */
  saveServiceMs: number;
  faults: Record<string, number>;
}

export function newCounters(): Counters {
  return {
    requests: 0, saves: 0, creates: 0, updates: 0, refusals: 0, savesDropped: 0, followups: 0, logins: 0,
    loginFailures: 0, sessionsExpired: 0, inFlight: 0, inFlightMax: 0, serviceMs: 0, saveServiceMs: 0, faults: {},
  };
}

interface Session {
  user: string;
  serial: string;
  lastUsed: number;
  /** Why it no longer works, when it does not. */
  ended?: string;
}

/** The captcha the emulator accepts after three failed logins. */
export const EMULATOR_CAPTCHA = '8888';

export interface HandlerContext {
  store: EmulatorStore;
  faults: FaultPlan;
  counters: Counters;
  users: Array<{ user: string; password: string }>;
  now: () => Date;
  dialect: Dialect;
}

/** `source.asp?enumid=N`: which field's options each enum id serves (protocol notes §3.6, §5). */
const ENUM_SOURCES: Record<string, { fields: 'followup' | 'customer'; id: string }> = {
  '98': { fields: 'followup', id: 'sort' },
  '13': { fields: 'customer', id: 'ly' },
  '11': { fields: 'customer', id: 'trade' },
  '14': { fields: 'customer', id: 'jz' },
};

/** The catalog's fields with this installation's enum ids. */
function withEnums(fields: FieldSpec[], enums: Dialect['enums']): FieldSpec[] {
  return fields.map((f) => {
    const ids = enums[f.id];
    if (!ids || !f.options) return f;
    return { ...f, options: f.options.map((o) => ({ ...o, value: ids[o.label] ?? o.value })) };
  });
}

const optionsOf = (f: FieldSpec) => (f.options ? { source: { type: 'options', options: f.options.map((o) => ({ n: o.label, v: o.value })) } } : {});

export class Handlers {
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, number>();
  private readonly lists: ListQueries;
  private readonly fields: { contact: FieldSpec[]; followup: FieldSpec[]; customerFollowup: FieldSpec[]; customer: FieldSpec[] };

  constructor(private readonly ctx: HandlerContext) {
    this.lists = new ListQueries(ctx.store, ctx.now, ctx.dialect);
    const e = ctx.dialect.enums;
    this.fields = { contact: withEnums(CONTACT_FIELDS, e), followup: withEnums(FOLLOWUP_FIELDS, e), customerFollowup: withEnums(CUSTOMER_FOLLOWUP_FIELDS, e), customer: withEnums(CUSTOMER_FIELDS, e) };
  }

  /** Session tokens currently valid (tests check they never leak). */
  activeSessions(): string[] {
    return [...this.sessions].filter(([, s]) => !s.ended).map(([k]) => k);
  }

  expireAll(): void {
    for (const s of this.sessions.values()) if (!s.ended) s.ended = SESSION_MESSAGES.timeout;
  }

  /** A save's effects are split so a fault can strike before or after the record is stored. */
  isSave(r: EmulatorRequest): boolean {
    return r.cmdkey === '__sys_dosave';
  }

  handle(r: EmulatorRequest): ResponseEnvelope | null {
    const p = r.path.toLowerCase();
    if (p === PATHS.login.toLowerCase() || p === PATHS.mobileLogin.toLowerCase()) return this.login(r, p === PATHS.mobileLogin.toLowerCase());
    if (p === PATHS.logout.toLowerCase()) return this.logout(r);
    const session = this.checkSession(r.session);
    if (session !== undefined) return session;
    const docMode = [...r.query.keys()].some((k) => /^apihelp/i.test(k));
    if (docMode) return r.cmdkey === '__sys_dosave' ? { header: { status: 0 } } : this.ok(r, { model: 'message', action: '', message: msg('接口文档模式') });
    switch (p) {
      case PATHS.contactSave.toLowerCase():
        if (r.cmdkey === '__sys_dosave') return this.saveContact(r);
        return this.contactDetail(r);
      case PATHS.contactList.toLowerCase():
        return this.list(r, 'contact');
      case PATHS.customerList.toLowerCase():
        return this.list(r, 'customer');
      case PATHS.customerAdd.toLowerCase():
        return r.cmdkey === '__sys_dosave' ? this.saveCustomer(r) : this.customerBill(r);
      case PATHS.followup.toLowerCase():
        return this.saveFollowup(r);
      case PATHS.enumSource.toLowerCase():
        return this.enumSource(r);
      default:
        return null;
    }
  }

  private ok(r: EmulatorRequest, body: ResponseEnvelope['body']): ResponseEnvelope {
    return { header: { status: 0, message: 'ok', session: r.session }, body };
  }

  private refuse(r: EmulatorRequest, text: string): ResponseEnvelope {
    this.ctx.counters.refusals++;
    return this.ok(r, { model: 'message', action: '', message: msg(text, 'none') });
  }

  private login(r: EmulatorRequest, mobile: boolean): ResponseEnvelope {
    const strip = (v: string | undefined) => (v?.startsWith('txt:') ? v.slice(4) : undefined);
    const user = strip(r.datas.user);
    const password = strip(r.datas.password);
    const serial = strip(r.datas.serialnum) ?? r.datas.serialnum ?? '';
    const key = user ?? r.datas.user ?? '';
    const fails = this.failures.get(key) ?? 0;
    const fail = (message: string, captcha = false): ResponseEnvelope => {
      this.ctx.counters.loginFailures++;
      this.failures.set(key, fails + 1);
      const body = mobile ? { model: 'init', action: 'fail', fail: { message, newrndcode: captcha || fails + 1 > 3 ? '/sysa/mobilephone/rndcode.asp' : '', newappurl: '' } } : undefined;
      const { refusedStatus, captchaStatus } = this.ctx.dialect.login;
      return { header: { status: captcha ? captchaStatus : refusedStatus, message }, ...(body ? { body } : {}) };
    };
    if (fails >= 3 && r.datas.rndcode !== EMULATOR_CAPTCHA) return fail('请输入正确的验证码。', true);
    if (user === undefined || password === undefined) return fail('用户名或密码错误（明文需加前缀 txt:）。');
    const account = this.ctx.users.find((u) => u.user === user);
    if (!account || account.password !== password) return fail('用户名或密码错误。');
    if (!/^[A-Za-z0-9]{1,20}$/.test(serial)) return fail('用户串号无效。');
    this.failures.delete(key);
    // A login from another device kicks the sessions of the same account.
    for (const s of this.sessions.values()) if (s.user === user && s.serial !== serial && !s.ended) s.ended = SESSION_MESSAGES.kickedMobile;
    const token = randomBytes(18).toString('base64url');
    this.sessions.set(token, { user, serial, lastUsed: Date.now() });
    this.ctx.counters.logins++;
    const header = { status: 0, message: 'API鉴权成功.', session: token, appversion: this.ctx.dialect.login.appversion };
    if (!mobile) return { header };
    return { header, body: { model: 'init', action: 'sys', sys: { info: { user, ratebit: this.ctx.faults.faults.sessionTtlSeconds || 3600 } } } };
  }

  private logout(r: EmulatorRequest): ResponseEnvelope {
    const s = this.sessions.get(r.session);
    if (s && !s.ended) s.ended = SESSION_MESSAGES.loggedOut;
    return { header: { status: 0, message: 'ok' }, body: { model: 'message', action: '', message: msg('您已安全退出。') } };
  }

  /** A refusal document when the session does not work, else undefined. */
  private checkSession(token: string): ResponseEnvelope | undefined {
    const s = token ? this.sessions.get(token) : undefined;
    if (!s) return { header: { status: 1, message: token ? SESSION_MESSAGES.invalid : SESSION_MESSAGES.notLoggedIn } };
    const ttl = this.ctx.faults.faults.sessionTtlSeconds;
    if (!s.ended && ttl > 0 && Date.now() - s.lastUsed > ttl * 1000) {
      s.ended = SESSION_MESSAGES.timeout;
      this.ctx.counters.sessionsExpired++;
    }
    if (s.ended) return { header: { status: 1, message: s.ended } };
    s.lastUsed = Date.now();
    return undefined;
  }

  private saveContact(r: EmulatorRequest): ResponseEnvelope {
    this.ctx.counters.saves++;
    const d = r.datas;
    const ord = (d.ord ?? '').trim();
    if (ord && ord !== '0' && !this.ctx.store.getContact(ord)) return this.refuse(r, '该联系人不存在或已被删除！');
    if (!(d.company ?? '').trim()) return this.refuse(r, '关联客户不能为空！');
    if (!this.ctx.store.getCustomer(d.company.trim())) return this.refuse(r, '关联客户不存在！');
    const problem = checkFields(this.fields.contact, d);
    if (problem) return this.refuse(r, problem);
    const fields = { ...d, company: d.company.trim(), year1: d.year1 ? parseServerDate(d.year1) ?? d.year1 : '' };
    if (this.ctx.faults.dropSave()) {
      this.ctx.counters.savesDropped++;
      return { header: { status: 0, message: 'ok', session: r.session } };
    }
    if (ord && ord !== '0') {
      this.ctx.store.updateContact(ord, fields);
      this.ctx.counters.updates++;
    } else {
      this.ctx.store.createContact(fields, stamp(this.ctx.now()));
      this.ctx.counters.creates++;
    }
    return this.ok(r, { model: 'message', action: '', message: msg('保存成功！') });
  }

  private contactDetail(r: EmulatorRequest): ResponseEnvelope {
    const ord = (r.datas.ord ?? '').trim();
    const c = this.ctx.store.getContact(ord);
    if (!c) return this.refuse(r, '该联系人不存在或已被删除！');
    const customer = this.ctx.store.getCustomer(c.company);
    const fields = this.fields.contact.filter((f) => !f.key).map((f) => ({
      id: f.id,
      caption: f.caption,
      dbtype: f.type === 'date' ? 'datetime' : f.type,
      type: f.options ? 'select' : f.id === 'company' ? 'source' : f.maxLength && f.maxLength > 200 ? 'textarea' : 'text',
      text: f.id === 'company' ? customer?.name ?? '' : c[f.id] ?? '',
      value: c[f.id] ?? '',
      notnull: f.required,
      maxl: f.maxLength ?? 0,
      minl: 0,
      onlyread: false,
      visible: true,
      ...optionsOf(f),
    }));
    return this.ok(r, {
      model: 'bill', action: 'init',
      bill: { id: 'person', caption: '联系人详情', uitype: '', value: c.ord, tools: [], groups: [{ id: 'base', caption: '基本信息', visible: true, uitype: '', fields }] },
    });
  }

  private list(r: EmulatorRequest, kind: 'contact' | 'customer'): ResponseEnvelope {
    const pick = (r.query.get('checktype') ?? r.datas.checktype) === 'radio';
    if (r.cmdkey !== 'refresh') {
      const lists = this.ctx.dialect.lists;
      const cols = kind === 'customer' ? lists.customer : pick ? lists.contactPick : lists.contact;
      const sortoptions = this.ctx.dialect.sortCaptions ? cols.flatMap((c) => [{ n: `${c.caption}(升)`, v: c.id }, { n: `${c.caption}(降)`, v: `-${c.id}` }]) : [];
      return this.ok(r, {
        model: 'report', action: 'init',
        report: {
          id: kind === 'contact' ? 'personlist' : 'customlist', caption: kind === 'contact' ? '联系人列表' : '客户列表', tools: [], group: [],
          sorts: { id: '_rpt_sort', value: '', post: true, sortoptions },
          search: { keybox: { id: 'searchKey', caption: '快速检索' } },
        },
      });
    }
    const { rowsAsObjects, thousands } = this.ctx.faults.faults;
    const table = kind === 'contact' ? this.lists.contacts(r.datas, pick, { rowsAsObjects, thousands }) : this.lists.customers(r.datas, { rowsAsObjects, thousands });
    return this.ok(r, { model: 'source', action: 'table', source: { type: 'table', uitype: pick ? 'radio' : '', text: `list_${kind}`, table: table as never } });
  }

  private customerBill(r: EmulatorRequest): ResponseEnvelope {
    // The vendor's own demo allocates with `edit=0, intsort=1, ord=0` in datas: `ord` absent, empty
    // or 0 (and `edit` absent or 0) asks for a new id; only a real ord in edit mode opens a customer.
    const edit = (r.query.get('edit') ?? r.datas.edit ?? '').trim();
    const asked = (r.datas.ord ?? '').trim();
    const editOrd = edit && edit !== '0' && asked && asked !== '0' ? asked : '';
    const existing = editOrd ? this.ctx.store.getCustomer(editOrd) : undefined;
    if (editOrd && !existing) return this.refuse(r, '该客户不存在或已被删除！');
    const ord = existing?.ord ?? this.ctx.store.allocateCustomer();
    const fields = this.fields.customer.filter((f) => !f.key).map((f) => ({
      id: f.id, caption: f.caption, dbtype: f.type === 'date' ? 'datetime' : f.type, type: f.options ? 'select' : 'text',
      text: existing?.[f.id] ?? '', value: existing ? existing[f.id] ?? '' : f.id === 'khid' ? `KH${ord.padStart(6, '0')}` : '',
      notnull: f.required, maxl: f.maxLength ?? 0, visible: true, ...optionsOf(f),
    }));
    return this.ok(r, { model: 'bill', action: 'init', bill: { id: 'custom', caption: existing ? '客户详情' : '单位客户添加', uitype: '', value: ord, tools: [], groups: [{ id: 'base', caption: '基本信息', visible: true, uitype: '', fields }] } });
  }

  private saveCustomer(r: EmulatorRequest): ResponseEnvelope {
    this.ctx.counters.saves++;
    const d = r.datas;
    const ord = (d.ord ?? '').trim();
    const existing = this.ctx.store.getCustomer(ord);
    if (!ord || (!existing && !this.ctx.store.isAllocated(ord))) return this.refuse(r, '客户ID无效，请先分配新客户ID！');
    const problem = checkFields(this.fields.customer.filter((f) => !(existing && f.id === 'person_name')), d);
    if (problem) return this.refuse(r, problem);
    if (d.khid && this.ctx.store.customers().some((c) => c.khid === d.khid && c.ord !== ord)) return this.refuse(r, '客户编号已被使用，不能保存！');
    if (this.ctx.faults.dropSave()) {
      this.ctx.counters.savesDropped++;
      return { header: { status: 0, message: 'ok', session: r.session } };
    }
    const rec: CustomerRecord = { ...(existing ?? {}), ...d, ord, name: d.name, date1: existing?.date1 ?? stamp(this.ctx.now()) } as CustomerRecord;
    this.ctx.store.saveCustomer(rec);
    if (existing) this.ctx.counters.updates++;
    else {
      this.ctx.counters.creates++;
      // The add form's 联系人 section is the customer's first contact: it is created with it.
      if ((d.person_name ?? '').trim()) {
        const contact: Record<string, string> = { company: ord };
        for (const f of this.fields.contact) if (!f.key && f.id !== 'company' && d[f.id] !== undefined) contact[f.id] = d[f.id];
        if (d['@personpym'] !== undefined) contact.pym = d['@personpym'];
        if (contact.year1) contact.year1 = parseServerDate(contact.year1) ?? contact.year1;
        this.ctx.store.createContact(contact, stamp(this.ctx.now()));
      }
    }
    return this.ok(r, { model: 'message', action: '', message: msg('保存成功！') });
  }

  private saveFollowup(r: EmulatorRequest): ResponseEnvelope {
    if (r.cmdkey !== '__sys_dosave') {
      const fields = this.fields.followup.filter((f) => !f.key).map((f) => ({ id: f.id, caption: f.caption, dbtype: f.type, type: f.options ? 'select' : 'text', text: '', value: '', notnull: f.required, maxl: f.maxLength ?? 0, ...optionsOf(f) }));
      return this.ok(r, { model: 'bill', action: 'init', bill: { id: 'reply', caption: '洽谈进展', uitype: '', value: r.datas.ord ?? '', tools: [], groups: [{ id: 'base', caption: '洽谈进展', visible: true, uitype: '', fields }] } });
    }
    this.ctx.counters.saves++;
    const datatype = (r.query.get('datatype') ?? r.datas.datatype ?? 'person').toLowerCase();
    const d = r.datas;
    const ord = (d.ord ?? '').trim();
    if (datatype === 'person' && !this.ctx.store.getContact(ord)) return this.refuse(r, '关联的联系人不存在！');
    if (datatype === 'tel' && !this.ctx.store.getCustomer(ord)) return this.refuse(r, '关联的客户不存在！');
    if (datatype !== 'person' && datatype !== 'tel') return this.refuse(r, `不支持的数据类型 ${datatype}！`);
    const spec = datatype === 'tel' ? this.fields.customerFollowup : this.fields.followup;
    const problem = checkFields(spec, d);
    if (problem) return this.refuse(r, problem);
    if (this.ctx.faults.dropSave()) {
      this.ctx.counters.savesDropped++;
      return { header: { status: 0, message: 'ok', session: r.session } };
    }
    // Schedule fields of another plantype are ignored, as the form would.
    const kept: Record<string, string> = { ord };
    for (const f of spec) {
      if (f.key) continue;
      if (f.requiredWhen && !f.requiredWhen.in.includes(d[f.requiredWhen.field] ?? '')) continue;
      if (d[f.id] !== undefined) kept[f.id] = d[f.id];
    }
    this.ctx.store.addFollowupRecord(kept, datatype, stamp(this.ctx.now()));
    this.ctx.counters.followups++;
    this.ctx.counters.creates++;
    return this.ok(r, { model: 'message', action: '', message: msg('保存成功！') });
  }

  /** `source.asp?enumid=N`: an enum's options in this installation's ids. */
  private enumSource(r: EmulatorRequest): ResponseEnvelope {
    const enumid = r.query.get('enumid') ?? r.datas.enumid ?? '';
    const src = ENUM_SOURCES[enumid];
    const field = src ? this.fields[src.fields].find((f) => f.id === src.id) : undefined;
    const options = field?.options?.map((o) => ({ n: o.label, v: o.value })) ?? [];
    return this.ok(r, { model: 'source', action: 'options', source: { type: 'options', uitype: '', options } });
  }
}

function msg(text: string, target = 'close') {
  return { title: '', text, url: '', wait: 0, target, uitype: '', data: '' };
}

/** `YYYY-MM-DD HH:mm:ss` in local time, as the runtime's serializer formats dates. */
export function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export { plainCaption };
