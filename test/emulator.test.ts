/**
 * The emulator through its real HTTP server: raw requests (as any client would send them) and
 * the project's own client; every endpoint, every refusal, every fault switch, persistence.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync } from 'node:fs';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { ErpClient } from '../src/erp/client.js';
import { BusinessError, TransientError } from '../src/erp/errors.js';
import { DEFAULT_LAYOUTS } from '../src/catalog/index.js';
const CONTACT_LIST_COLUMNS = DEFAULT_LAYOUTS.contact;
const CONTACT_PICK_COLUMNS = DEFAULT_LAYOUTS.contactPick;
const CUSTOMER_LIST_COLUMNS = DEFAULT_LAYOUTS.customer;
import { birthdayWindow } from '../src/emulator/lists.js';
import { tempDir } from './helpers/files.js';

let emu: Emulator;
let session: string;

async function raw(path: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(emu.url + path, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

const datas = (o: Record<string, string>) => Object.entries(o).map(([id, val]) => ({ id, val }));
const login = async (serial = 'dev1') => (await raw('/webapi/v3/ov1/login', { datas: datas({ user: 'txt:admin', password: 'txt:zbport', serialnum: `txt:${serial}` }) })).json.header.session as string;
const call = (path: string, cmdkey: string, d: Record<string, string>, s = session) => raw(path, { session: s, cmdkey, datas: datas(d) });
const PERSON = '/sysa/mobilephone/salesmanage/person/add.asp';
const LIST = '/sysa/mobilephone/salesmanage/person/list.asp';
const CLIST = '/sysa/mobilephone/salesmanage/custom/list.asp';
const CADD = '/sysa/mobilephone/salesmanage/custom/add.asp';
const REPLY = '/sysa/mobilephone/systemmanage/reply.asp';

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 40, contacts: 1200, randomSeed: 5 }, quiet: true });
});
afterAll(async () => emu?.close());
beforeEach(async () => {
  emu.resetFaults();
  session = await login();
});

describe('login and sessions', () => {
  it('logs in with txt: credentials on both endpoints, and refuses others', async () => {
    const ok = await raw('/sysa/mobilephone/login.asp', { datas: datas({ user: 'txt:admin', password: 'txt:zbport', serialnum: 'txt:dev1' }) }, 'application/zsml; charset=utf-8');
    expect(ok.json.header).toMatchObject({ status: 0, message: 'API鉴权成功.', appversion: '32.17' });
    expect(ok.json.body).toMatchObject({ model: 'init', action: 'sys' });
    const noPrefix = await raw('/webapi/v3/ov1/login', { datas: datas({ user: 'admin', password: 'zbport', serialnum: 'dev1' }) });
    expect(noPrefix.json.header.status).not.toBe(0);
    const wrong = await raw('/sysa/mobilephone/login.asp', { datas: datas({ user: 'txt:admin', password: 'txt:nope', serialnum: 'txt:dev1' }) });
    expect(wrong.json.header.status).not.toBe(0);
    expect(wrong.json.header.message).toContain('密码');
    expect(wrong.json.body.fail.message).toContain('密码');
  });

  it('asks for the captcha after three failures', async () => {
    const u = { user: 'txt:nobody', password: 'txt:x', serialnum: 'txt:d' };
    for (let i = 0; i < 3; i++) await raw('/sysa/mobilephone/login.asp', { datas: datas(u) });
    const fourth = await raw('/sysa/mobilephone/login.asp', { datas: datas(u) });
    expect(fourth.json.body.fail.newrndcode).toBeTruthy();
  });

  it('answers status 1 to an unknown, expired, kicked or logged-out session', async () => {
    expect((await call(LIST, 'refresh', {}, 'bogus')).json.header.status).toBe(1);
    expect((await call(LIST, 'refresh', {}, '')).json.header.status).toBe(1);
    const other = await login('otherdevice');
    const kicked = await call(LIST, 'refresh', {}, session);
    expect(kicked.json.header).toMatchObject({ status: 1, message: '您的账号已在其它移动设备上登录，请您重新登录。' });
    expect((await call(LIST, 'refresh', {}, other)).json.header.status).toBe(0);
    await raw('/sysa/mobilephone/logout.asp', { session: other, datas: [] });
    expect((await call(LIST, 'refresh', {}, other)).json.header.status).toBe(1);
    const s = await login('dev1');
    emu.setFaults({ sessionTtlSeconds: 0.05 });
    await new Promise((r) => setTimeout(r, 120));
    expect((await call(LIST, 'refresh', {}, s)).json.header).toMatchObject({ status: 1, message: '会话超时，请您重新登录。' });
    expect(emu.counters.sessionsExpired).toBeGreaterThan(0);
  });
});

describe('contacts', () => {
  it('creates, reads back as a bill, updates (unposted fields become empty) and refuses bad saves', async () => {
    const c = emu.store.customers()[2];
    const created = await call(PERSON, '__sys_dosave', { company: c.ord, person_name: '新建𠮷', mobile: '13800000001', sex: '女', age: '30', year1: '1985/1/2', joy: '书法' });
    expect(created.json.body).toMatchObject({ model: 'message', message: { text: '保存成功！' } });
    const rec = emu.store.contactsOfCompany(c.ord).find((x) => x.person_name === '新建𠮷')!;
    expect(rec).toMatchObject({ mobile: '13800000001', sex: '女', year1: '1985-01-02' });

    const detail = await raw(`${PERSON}?edit=1`, { session, datas: datas({ edit: '1', ord: rec.ord }) });
    expect(detail.json.body.model).toBe('bill');
    expect(detail.json.body.bill.value).toBe(rec.ord);
    const fields = detail.json.body.bill.groups[0].fields as Array<{ id: string; text: string; value: string; maxl: number; notnull: boolean }>;
    expect(fields.find((f) => f.id === 'person_name')).toMatchObject({ value: '新建𠮷', maxl: 50, notnull: true });
    expect(fields.find((f) => f.id === 'company')).toMatchObject({ value: c.ord, text: c.name });

    await call(PERSON, '__sys_dosave', { ord: rec.ord, company: c.ord, person_name: '新建𠮷', mobile: '13800000002' });
    expect(emu.store.getContact(rec.ord)).toMatchObject({ mobile: '13800000002', joy: '', sex: '' });

    const refusals: Array<[Record<string, string>, string]> = [
      [{ company: c.ord, person_name: '' }, '联系人姓名不能为空'],
      [{ company: '', person_name: 'x' }, '关联客户不能为空'],
      [{ company: '999999', person_name: 'x' }, '关联客户不存在'],
      [{ company: c.ord, person_name: `${'名'.repeat(49)}𠮷` }, '不能超过50个字'],
      [{ company: c.ord, person_name: 'x', qq: '1'.repeat(21) }, 'QQ不能超过20个字'],
      [{ company: c.ord, person_name: 'x', joy: 'j'.repeat(3001) }, '爱好特长不能超过3000个字'],
      [{ company: c.ord, person_name: 'x', intro: 'i'.repeat(5001) }, '备注不能超过5000个字'],
      [{ company: c.ord, person_name: 'x', sex: '未知' }, '性别的值'],
      [{ company: c.ord, person_name: 'x', age: '3.5' }, '年龄必须是整数'],
      [{ company: c.ord, person_name: 'x', year1: '1990-02-30' }, '生日不是有效的日期'],
      [{ ord: '99999999', company: c.ord, person_name: 'x' }, '不存在'],
    ];
    for (const [d, text] of refusals) {
      const r = await call(PERSON, '__sys_dosave', d);
      expect(r.status).toBe(200);
      expect(r.json.header.status).toBe(0);
      expect(r.json.body.message.text, JSON.stringify(d).slice(0, 60)).toContain(text);
    }
    // Exactly 50 UTF-16 units is accepted.
    expect((await call(PERSON, '__sys_dosave', { company: c.ord, person_name: `${'名'.repeat(48)}𠮷` })).json.body.message.text).toBe('保存成功！');
  });

  it('lists with every filter, paging, sorting, and the picking mode', async () => {
    const client = new ErpClient({ baseUrl: emu.url, user: 'admin', password: 'zbport', serialnum: 'dev1' });
    const all = emu.store.contacts();
    const p1 = await client.listPage('contact', {}, { pagesize: 50, pageindex: 2 });
    expect(p1.page).toEqual({ recordcount: all.length, pagesize: 50, pagecount: Math.ceil(all.length / 50), pageindex: 2 });
    expect(p1.cols.map((c) => c.id)).toEqual(CONTACT_LIST_COLUMNS.map((c) => c.id));
    expect(p1.rows[0].ord).toBe(all[50].ord);
    const pick = await client.listPage('contactPick', {}, { pagesize: 5 });
    expect(pick.cols.map((c) => c.id)).toEqual(CONTACT_PICK_COLUMNS.map((c) => c.id));

    const sample = all[123];
    const company = emu.store.getCustomer(sample.company)!;
    const cases: Array<[Record<string, string>, (c: (typeof all)[number]) => boolean]> = [
      [{ company: sample.company }, (c) => c.company === sample.company],
      [{ person_name: sample.person_name.slice(0, 1) }, (c) => c.person_name.includes(sample.person_name.slice(0, 1))],
      [{ name: company.name.slice(0, 2) }, (c) => emu.store.getCustomer(c.company)!.name.includes(company.name.slice(0, 2))],
      [{ mobile: sample.mobile.slice(3, 8) }, (c) => c.mobile.includes(sample.mobile.slice(3, 8))],
      [{ email: 'EXAMPLE.com' }, (c) => c.email.toLowerCase().includes('example.com')],
      [{ sex: '女' }, (c) => c.sex === '女'],
      [{ job: '经理' }, (c) => c.job.includes('经理')],
      [{ part1: '技术' }, (c) => c.part1.includes('技术')],
      [{ joy: '书法' }, (c) => c.joy.includes('书法')],
      [{ date1_0: '2020-01-01', date1_1: '2021-12-31' }, (c) => c.date1.slice(0, 10) >= '2020-01-01' && c.date1.slice(0, 10) <= '2021-12-31'],
      [{ searchKey: sample.mobile.slice(-6) }, (c) => [c.mobile, c.phone, c.qq, c.email, c.person_name].some((v) => v.includes(sample.mobile.slice(-6)))],
      [{ trade: company.trade }, (c) => emu.store.getCustomer(c.company)!.trade === company.trade],
      [{ area: `${company.area},999` }, (c) => emu.store.getCustomer(c.company)!.area === company.area],
    ];
    for (const [filters, pred] of cases) {
      const got: string[] = [];
      for await (const r of client.iterate('contact', filters, { pagesize: 100 })) got.push(r.ord);
      expect(got, JSON.stringify(filters)).toEqual(all.filter(pred).map((c) => c.ord));
    }
    const birthdays: string[] = [];
    for await (const r of client.iterate('contact', { stype: '1', remind: '7' })) birthdays.push(r.ord);
    const window = birthdayWindow(new Date(), 7);
    expect(birthdays.length).toBeGreaterThan(0);
    expect(birthdays).toEqual(all.filter((c) => c.year1 && window.has(c.year1.slice(5, 10))).map((c) => c.ord));

    const sorted = await client.listPage('contact', {}, { sort: '-person_name', pagesize: 30 });
    const names = sorted.rows.map((r) => r.person_name);
    expect(names).toEqual([...names].sort().reverse());
    const byOrdDesc = await client.listPage('contact', {}, { sort: '-ord', pagesize: 3 });
    expect(byOrdDesc.rows[0].ord).toBe(String(Math.max(...all.map((c) => Number(c.ord)))));
    const none = await client.listPage('contact', { person_name: '不存在的名字zzz' });
    expect(none).toEqual({ rows: [], cols: [], raw: [], page: { recordcount: 0, pagesize: 0, pagecount: 0, pageindex: 0 } });
    client.close();
  });

  it('returns the report skeleton without refresh, and takes ?__msgId=refresh', async () => {
    const skeleton = await call(LIST, '', {});
    expect(skeleton.json.body.model).toBe('report');
    expect(skeleton.json.body.report.sorts.sortoptions).toContainEqual({ n: '联系人姓名(降)', v: '-person_name' });
    expect(skeleton.json.body.source).toBeUndefined();
    const viaQuery = await raw(`${LIST}?__msgId=refresh`, { session, datas: datas({ pagesize: '2' }) });
    expect(viaQuery.json.body.source.table.rows).toHaveLength(2);
    const lenient = await raw(LIST, `{session:'${session}',cmdkey:'refresh',datas:[{id:'pagesize',val:'1'}]}`);
    expect(lenient.json.body.source.table.rows).toHaveLength(1);
  });
});

describe('customers and follow-ups', () => {
  it('allocates an ord, saves the customer with it, finds it fuzzily and by number', async () => {
    const client = new ErpClient({ baseUrl: emu.url, user: 'admin', password: 'zbport', serialnum: 'dev1' });
    const { ord, khid } = await client.allocateCustomer();
    expect(khid).toMatch(/^KH/);
    await expect(client.saveCustomer({ ord: '424242', name: '未分配', sort1: '1', person_name: 'x' })).rejects.toBeInstanceOf(BusinessError);
    await expect(client.saveCustomer({ ord, name: '', sort1: '1', person_name: 'x' })).rejects.toThrow(/客户名称不能为空/);
    expect((await client.saveCustomer({ ord, name: '测试新客户有限公司', khid, sort1: '1,3', person_name: '联系人', mobile: '13912345678', '@personpym': 'lxr' })).outcome).toBe('saved');
    // The add form's contact section is the customer's first contact, created with it (once).
    expect(emu.store.contactsOfCompany(ord).map((c) => [c.person_name, c.mobile, c.pym])).toEqual([['联系人', '13912345678', 'lxr']]);
    expect((await client.saveCustomer({ ord, name: '测试新客户有限公司', khid, sort1: '1,3', person_name: '联系人' })).outcome).toBe('saved');
    expect(emu.store.contactsOfCompany(ord)).toHaveLength(1);
    const found = await client.listPage('customer', { name: '新客户' });
    expect(found.rows.map((r) => r.ord)).toEqual([ord]);
    expect(found.cols.map((c) => c.id)).toEqual(CUSTOMER_LIST_COLUMNS.map((c) => c.id));
    const radio = await call(`${CLIST}?checktype=radio`, 'refresh', { khid });
    expect(radio.json.body.source.uitype).toBe('radio');
    expect(radio.json.body.source.table.rows[0][7]).toBe(ord); // where one public client reads the ord
    const dupe = await client.allocateCustomer();
    await expect(client.saveCustomer({ ord: dupe.ord, name: '另一个', khid, sort1: '1', person_name: 'y' })).rejects.toThrow(/客户编号已被使用/);
    client.close();
  });

  it('allocates a customer id on every request shape of the vendor\'s demo: ord absent, empty or 0', async () => {
    const seen = new Set<string>();
    for (const datas of [{}, { ord: '' }, { edit: '0', intsort: '1', ord: '0' }, { edit: '', ord: '0' }] as Array<Record<string, string>>) {
      const r = await call(`${CADD}?intsort=1`, '', datas);
      expect(r.json.header.status, JSON.stringify(datas)).toBe(0);
      const ord = String(r.json.body.bill.value);
      expect(ord, JSON.stringify(datas)).toMatch(/^\d+$/);
      expect(emu.store.getCustomer(ord)).toBeUndefined();
      seen.add(ord);
    }
    expect(seen.size).toBe(4);
  });

  it('saves follow-ups with the fields each plantype needs, for contacts and customers', async () => {
    const contact = emu.store.contacts()[0];
    const base = { ord: contact.ord, intro: '106', sort: '481' };
    const save = (d: Record<string, string>, datatype = 'person') => call(`${REPLY}?datatype=${datatype}`, '__sys_dosave', d);
    expect((await save({ ...base, plantype: '0', '@title2': 'ignored' })).json.body.message.text).toBe('保存成功！');
    expect(emu.store.followups().at(-1)).toMatchObject({ ord: contact.ord, intro: '106', plantype: '0', datatype: 'person' });
    expect(emu.store.followups().at(-1)!['@title2']).toBeUndefined();
    expect((await save({ ...base, plantype: '2' })).json.body.message.text).toContain('开始时间不能为空');
    expect((await save({ ...base, plantype: '2', '@ret2_0': '2024-01-02 09:00', '@ret2_1': '2024-01-02 10:00', '@title2': '拜访', '@intro2': '已完成' })).json.body.message.text).toBe('保存成功！');
    expect((await save({ ...base, plantype: '1', '@ret_0': '2024-01-02', '@ret_1': '2024-01-03', '@title1': '回访' })).json.body.message.text).toContain('是否提醒不能为空');
    expect((await save({ ...base, sort: '999', plantype: '0' })).json.body.message.text).toContain('跟进方式的值');
    expect((await save({ ...base, plantype: '5' })).json.body.message.text).toContain('日程类型的值');
    expect((await save({ ...base, intro: '', plantype: '0' })).json.body.message.text).toContain('选择模板不能为空');
    expect((await save({ ...base, intro: '自由文本的洽谈记录', plantype: '0' })).json.body.message.text).toBe('保存成功！');
    expect((await save({ ...base, ord: '99999999', plantype: '0' })).json.body.message.text).toContain('联系人不存在');
    const customer = emu.store.customers()[0];
    expect((await save({ ord: customer.ord, intro: '107', sort: '482', plantype: '0', lead: '0' }, 'tel')).json.body.message.text).toBe('保存成功！');
    expect(emu.store.followups().at(-1)).toMatchObject({ datatype: 'tel', ord: customer.ord, lead: '0' });
  });

  it('answers unknown pages with an IIS 404, and saves in documentation mode with "ok" but stores nothing', async () => {
    const r = await call('/sysa/mobilephone/nothing.asp', '', {});
    expect(r.status).toBe(404);
    expect(r.text).toContain('404');
    const before = emu.store.contacts().length;
    const doc = await call(`${PERSON}?apihelptype=save`, '__sys_dosave', { company: '1', person_name: '文档模式' });
    expect(doc.json).toEqual({ header: { status: 0 } });
    expect(emu.store.contacts().length).toBe(before);
  });
});

describe('fault switches', () => {
  it('injects every transient fault kind, counted', async () => {
    for (const kind of ['html500', 'plain', 'status11', 'drop'] as const) {
      emu.setFaults({ failRate: 1, failKinds: [kind] });
      const before = emu.counters.faults[kind] ?? 0;
      const r = await fetch(`${emu.url}${LIST}`, { method: 'POST', body: JSON.stringify({ session, cmdkey: 'refresh', datas: [] }) }).then(async (x) => ({ status: x.status, text: await x.text() }), (e) => ({ status: 0, text: String(e) }));
      if (kind === 'html500') expect(r).toMatchObject({ status: 500 });
      if (kind === 'plain') expect(r.text).toContain('未正常启动');
      if (kind === 'status11') expect(JSON.parse(r.text).header.status).toBe('11');
      if (kind === 'drop') expect(r.status).toBe(0);
      expect(emu.counters.faults[kind]).toBe(before + 1);
    }
    emu.setFaults({ failRate: 1, failKinds: ['hang'] });
    const client = new ErpClient({ baseUrl: emu.url, user: 'admin', password: 'zbport', serialnum: 'dev1', timeoutMs: 150, retries: 0 });
    await expect(client.listPage('contact', {})).rejects.toBeInstanceOf(TransientError);
    client.close();
  });

  it('stores a save before the fault when told to (the case that doubles naive clients)', async () => {
    const c = emu.store.customers()[3];
    emu.setFaults({ failRate: 1, failKinds: ['drop'], faultAfterWriteRate: 1 });
    const before = emu.store.contactsOfCompany(c.ord).length;
    await call(PERSON, '__sys_dosave', { company: c.ord, person_name: '写后断线' }).catch(() => undefined);
    expect(emu.store.contactsOfCompany(c.ord).length).toBe(before + 1);
  });

  it('answers "ok" with an empty body to dropped saves, storing nothing', async () => {
    emu.setFaults({ dropSaveRate: 1 });
    const c = emu.store.customers()[3];
    const before = emu.store.contacts().length;
    const r = await call(PERSON, '__sys_dosave', { company: c.ord, person_name: '静默丢弃' });
    expect(r.json).toEqual({ header: { status: 0, message: 'ok', session } });
    expect(emu.store.contacts().length).toBe(before);
    expect(emu.counters.savesDropped).toBeGreaterThan(0);
  });

  it('serialises rows as objects, numbers with separators, and raw control characters, and the client copes', async () => {
    emu.setFaults({ rowsAsObjects: true, thousands: true, controlChars: true });
    const r = await call(LIST, 'refresh', { pagesize: '2', _rpt_sort: '-ord' });
    expect(r.json).toBeUndefined(); // not strict JSON any more
    expect(r.text).toMatch(/"value":\[/);
    expect(r.text).toMatch(/"\d{1,3},\d{3}"/);
    const client = new ErpClient({ baseUrl: emu.url, user: 'admin', password: 'zbport', serialnum: 'dev1' });
    const page = await client.listPage('contact', {}, { pagesize: 2, sort: '-ord' });
    const max = Math.max(...emu.store.contacts().map((c) => Number(c.ord)));
    expect(page.rows[0].ord).toBe(String(max));
    expect(page.rows[0].person_name).toBe(emu.store.getContact(String(max))!.person_name);
    client.close();
  });

  it('pages the unfiltered list by ord without sorting the table, as the general path pages it', async () => {
    const ordId = CONTACT_LIST_COLUMNS.find((c) => c.field === 'ord')!.id;
    const n = emu.store.contacts().length;
    expect(n).toBeGreaterThan(30);
    for (const sort of [`-${ordId}`, ordId]) {
      for (const [pagesize, pageindex] of [[7, 1], [7, 3], [13, Math.ceil(n / 13)], [n + 5, 1], [10, Math.ceil(n / 10) + 1]]) {
        const q = { pagesize: String(pagesize), pageindex: String(pageindex), _rpt_sort: sort };
        const fast = await call(LIST, 'refresh', q);
        // The general path: filter, copy and sort the whole table.
        emu.store.contactsInOrdOrder = false;
        const general = await call(LIST, 'refresh', q).finally(() => (emu.store.contactsInOrdOrder = true));
        expect(fast.json.body.source.table).toEqual(general.json.body.source.table);
        expect(fast.json.body.source.table.page).toMatchObject({ recordcount: n, pagecount: Math.ceil(n / pagesize) });
      }
    }
    const ords = (await call(LIST, 'refresh', { pagesize: '3', _rpt_sort: `-${ordId}` })).json.body.source.table.rows.map((r: string[]) => Number(r[CONTACT_LIST_COLUMNS.findIndex((c) => c.field === 'ord')]));
    expect(ords).toEqual([...ords].sort((a, b) => b - a));
  });

  it('caps requests in flight: beyond the cap they queue, or fail when told to', async () => {
    emu.setFaults({ maxInFlight: 2, latencyMs: 20 });
    emu.resetCounters();
    await Promise.all(Array.from({ length: 8 }, () => call(LIST, 'refresh', { pagesize: '1' })));
    expect(emu.counters.inFlightMax).toBeLessThanOrEqual(2);
    emu.setFaults({ maxInFlight: 1, latencyMs: 30, overflow: 'fail' });
    const results = await Promise.all(Array.from({ length: 4 }, () => call(LIST, 'refresh', { pagesize: '1' })));
    expect(results.some((x) => x.status === 500)).toBe(true);
  });
});

describe('persistence', () => {
  it('keeps saved records across a restart, regenerates the same seed, and survives a torn last line', async () => {
    const dir = tempDir();
    const a = await startEmulator({ dataDir: dir, seed: { customers: 10, contacts: 30 }, quiet: true });
    const seeded = a.store.contacts().map((c) => `${c.ord}:${c.person_name}:${c.mobile}`);
    const client = new ErpClient({ baseUrl: a.url, user: 'admin', password: 'zbport', serialnum: 'p1' });
    await client.saveContact({ company: '3', person_name: '持久化', mobile: '13912345678' });
    client.close();
    await a.close();
    appendFileSync(`${dir}/changes.jsonl`, '{"k":"contact","v":{"ord":"9999","compa');
    const b = await startEmulator({ dataDir: dir, seed: { customers: 99, contacts: 99 }, quiet: true });
    expect(b.store.contacts().filter((c) => c.ord !== '9999').slice(0, 30).map((c) => `${c.ord}:${c.person_name}:${c.mobile}`)).toEqual(seeded);
    expect(b.store.contacts().find((c) => c.person_name === '持久化')).toMatchObject({ company: '3', mobile: '13912345678' });
    expect(b.store.getContact('9999')).toBeUndefined();
    expect(b.store.customers()).toHaveLength(10); // the directory's own seed, not the new options
    await b.close();
  });

  it('seeds near-duplicate names: a company and its 分公司, and two customers with one name', async () => {
    const names = emu.store.customers().map((c) => c.name);
    expect(names).toContain('华为技术有限公司');
    expect(names.some((n) => n.startsWith('华为技术有限公司') && n.endsWith('分公司'))).toBe(true);
    expect(names.length - new Set(names).size).toBeGreaterThan(0);
  });
});
