/**
 * The protocol client against small real HTTP servers that replay recorded bodies (a fake ERP,
 * not a mock of the client), and against the emulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { ErpClient } from '../src/erp/client.js';
import { resolveErpConfig } from '../src/erp/config.js';
import { AuthError, BusinessError, ErpError, SessionError, TransientError } from '../src/erp/errors.js';
import { startEmulator } from '../src/emulator/index.js';

interface Call {
  path: string;
  body: { session: string; cmdkey: string; datas: Array<{ id: string; val: string }> };
}

type Reply = { status?: number; body: string } | 'hang' | 'drop';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A fake ERP: `reply` decides each answer; it records calls and the most requests in flight. */
async function fakeErp(reply: (c: Call, n: number) => Reply | Promise<Reply>) {
  const calls: Call[] = [];
  const state = { inFlight: 0, maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      const call = { path: req.url ?? '', body: JSON.parse(raw) } as Call;
      calls.push(call);
      const r = await reply(call, calls.length);
      state.inFlight--;
      if (r === 'hang') return;
      if (r === 'drop') return req.socket.destroy();
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
      res.end(r.body);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls, state };
}

const LOGIN_OK = (n: number) => ({ body: JSON.stringify({ header: { status: 0, message: 'API鉴权成功.', session: `S${n}`, appversion: '32.17' } }) });
const SAVED = { body: JSON.stringify({ header: { status: 0 }, body: { model: 'message', message: { text: '保存成功！' } } }) };
const EXPIRED = { body: JSON.stringify({ header: { status: 1, message: '会话超时，请您重新登录。' } }) };
const isLogin = (c: Call) => c.path.includes('login');

const client = (url: string, extra: Partial<ConstructorParameters<typeof ErpClient>[0]> = {}) =>
  new ErpClient({ baseUrl: url, user: 'admin', password: 'Top-Secret-1', serialnum: 'abc123', backoffBaseMs: 5, backoffMaxMs: 20, ...extra });

describe('ErpClient', () => {
  it('logs in with txt: credentials and one stable serial, and sends every value as a string', async () => {
    const erp = await fakeErp((c, n) => (isLogin(c) ? LOGIN_OK(n) : SAVED));
    const c = client(erp.url);
    await c.saveContact({ company: 12, person_name: '张三', age: null, sex: undefined });
    const [login, save] = erp.calls;
    expect(login.path).toBe('/webapi/v3/ov1/login');
    expect(login.body.datas).toEqual([{ id: 'user', val: 'txt:admin' }, { id: 'password', val: 'txt:Top-Secret-1' }, { id: 'serialnum', val: 'txt:abc123' }]);
    expect(save.body).toMatchObject({ session: 'S1', cmdkey: '__sys_dosave' });
    expect(save.body.datas).toEqual([{ id: 'company', val: '12' }, { id: 'person_name', val: '张三' }, { id: 'age', val: '' }, { id: 'sex', val: '' }]);
    c.close();
  });

  it('re-logs in once when many concurrent callers meet an expired session', async () => {
    let session = 'S0';
    const erp = await fakeErp((call) => {
      if (isLogin(call)) {
        session = `S${erp.calls.filter(isLogin).length}`;
        return { body: JSON.stringify({ header: { status: 0, session } }) };
      }
      return call.body.session === session ? SAVED : EXPIRED;
    });
    const c = client(erp.url, { concurrency: 16 });
    await c.login();
    session = 'rotated'; // the server forgets the session: every caller gets status 1
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => c.saveContact({ person_name: `p${i}` })));
    expect(results.every((r) => r.outcome === 'saved')).toBe(true);
    expect(erp.calls.filter(isLogin)).toHaveLength(2); // the first login and exactly one re-login
    expect(c.stats.logins).toBe(2);
    c.close();
  });

  it('keeps re-logging in while sessions expire under load and calls still succeed between them', async () => {
    // Each session is refused for the first save it carries: one save meets three expired sessions in a row.
    let saves = 0;
    const erp = await fakeErp((call, n) => (isLogin(call) ? LOGIN_OK(n) : ++saves <= 3 ? EXPIRED : SAVED));
    const c = client(erp.url);
    expect((await c.saveContact({ person_name: '张三' })).outcome).toBe('saved');
    expect(c.stats.relogins).toBe(3);
    c.close();
  });

  it('gives up with a SessionError when the session is refused again and again', async () => {
    const erp = await fakeErp((call, n) => (isLogin(call) ? LOGIN_OK(n) : EXPIRED));
    const c = client(erp.url);
    await expect(c.listPage('contact', {})).rejects.toBeInstanceOf(SessionError);
    c.close();
  });

  it('retries transient faults for reads, with backoff, and recovers', async () => {
    let n = 0;
    const erp = await fakeErp((call, k) => {
      if (isLogin(call)) return LOGIN_OK(k);
      n++;
      if (n === 1) return { status: 500, body: '<html>500</html>' };
      if (n === 2) return { body: '系统【服务端】未正常启动' };
      if (n === 3) return { body: '{"header":{"status":"11","message":"缺少对象"}}' };
      if (n === 4) return 'drop';
      return { body: JSON.stringify({ header: { status: 0 }, body: { model: 'source', source: { type: 'table', table: { cols: [{ id: 'ord', dbtype: 'int' }], rows: [['1,234']], page: { recordcount: 1, pagesize: 20, pagecount: 1, pageindex: 1 } } } } }) };
    });
    const c = client(erp.url);
    const page = await c.listPage('contact', {});
    expect(page.rows).toEqual([{ ord: '1234' }]);
    expect(c.stats.retries).toBe(4);
    c.close();
  });

  it('never resends a save after a fault where it may have reached the server', async () => {
    for (const fault of [{ status: 500, body: 'x' }, { body: '{"header":{"status":"11"}}' }, 'drop' as const, { body: 'plain text' }]) {
      const erp = await fakeErp((call, k) => (isLogin(call) ? LOGIN_OK(k) : fault));
      const c = client(erp.url, { timeoutMs: 500 });
      const err = await c.saveContact({ person_name: 'x' }).catch((e) => e);
      expect(err).toBeInstanceOf(TransientError);
      expect(err.ambiguous).toBe(true);
      expect(erp.calls.filter((x) => !isLogin(x))).toHaveLength(1);
      c.close();
    }
  });

  it('retries a save when the server could not be reached at all', async () => {
    const c = client('http://127.0.0.1:1', { retries: 2 });
    const err = await c.saveContact({ person_name: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err.ambiguous).toBe(false);
    expect(c.stats.retries).toBe(2);
    c.close();
  });

  it('ends a request that never gets an answer with a TransientError, without hanging', async () => {
    const erp = await fakeErp((call, k) => (isLogin(call) ? LOGIN_OK(k) : 'hang'));
    const c = client(erp.url, { timeoutMs: 200, retries: 1 });
    const err = await c.listPage('contact', {}).catch((e) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/no answer within 200 ms/);
    c.close();
  });

  it('tells saved, unknown and refused saves apart', async () => {
    const replies = [SAVED, { body: '{"header":{"status":0}}' }, { body: '' }, { body: JSON.stringify({ header: { status: 0 }, body: { model: 'message', message: { text: '手机超过50个字！' } } }) }];
    let i = 0;
    const erp = await fakeErp((call, k) => (isLogin(call) ? LOGIN_OK(k) : replies[i++]));
    const c = client(erp.url);
    expect((await c.saveContact({})).outcome).toBe('saved');
    expect((await c.saveContact({})).outcome).toBe('unknown');
    expect((await c.saveContact({})).outcome).toBe('unknown');
    const refused = await c.saveContact({}).catch((e) => e);
    expect(refused).toBeInstanceOf(BusinessError);
    expect(refused.text).toBe('手机超过50个字！');
    expect(refused.kind).toBe('business');
    c.close();
  });

  it('holds the concurrency cap and the rate limit', async () => {
    const erp = await fakeErp(async (call, k) => {
      if (isLogin(call)) return LOGIN_OK(k);
      await new Promise((r) => setTimeout(r, 20));
      return SAVED;
    });
    const c = client(erp.url, { concurrency: 3 });
    await Promise.all(Array.from({ length: 15 }, () => c.saveContact({})));
    expect(erp.state.maxInFlight).toBeLessThanOrEqual(3);
    expect(erp.state.maxInFlight).toBeGreaterThan(1);
    c.close();

    const limited = client(erp.url, { concurrency: 10, rateLimit: 20 });
    await limited.login();
    const stamps: number[] = [];
    await Promise.all(Array.from({ length: 30 }, () => limited.saveContact({}).then(() => stamps.push(performance.now()))));
    // A token bucket of 20/s with a burst of 20: no 250 ms window holds more than 20 + 5 (+1 for rounding).
    // A slower machine only spreads them more; without the limit all 30 land within a few ms.
    stamps.sort((a, b) => a - b);
    for (let i = 0; i < stamps.length; i++) expect(stamps.filter((t) => t >= stamps[i] && t < stamps[i] + 250).length).toBeLessThanOrEqual(26);
    limited.close();
  });

  it('lets a page read with keep stand for the same page asked for with recent, once', async () => {
    const emu = await startEmulator({ port: 0, seed: { customers: 30, contacts: 0 }, quiet: true });
    try {
      const c = client(emu.url, { serialnum: undefined, password: 'zbport' });
      // The column check's read of a whole first page, then the load that follows it.
      const checked = await c.rawList('customer', { pagesize: 500, pageindex: 1 }, true, true);
      const before = emu.requestLog().length;
      const loaded = await c.listPage('customer', {}, { pagesize: 500, recent: true });
      expect(emu.requestLog().length).toBe(before);
      expect(loaded.raw).toEqual(checked.rows);
      expect(loaded.rows).toHaveLength(30);
      // Once: the next read asks the ERP, as do reads of another page or without `recent`.
      await c.listPage('customer', {}, { pagesize: 500, recent: true });
      await c.rawList('customer', { pagesize: 500, pageindex: 1 }, true, true);
      await c.listPage('customer', {}, { pagesize: 20, recent: true });
      await c.listPage('customer', {}, { pagesize: 500 });
      expect(emu.requestLog().length).toBe(before + 4);
      c.close();
    } finally {
      await emu.close();
    }
  });

  it('never sends apihelp parameters', async () => {
    const erp = await fakeErp((call, k) => (isLogin(call) ? LOGIN_OK(k) : SAVED));
    const c = client(erp.url);
    await c.call('/sysa/mobilephone/salesmanage/person/list.asp?apihelp=1&apihelptype=save', { cmdkey: 'refresh', query: { apihelptype: 'get', checktype: 'radio' } });
    expect(erp.calls[1].path).toBe('/sysa/mobilephone/salesmanage/person/list.asp?checktype=radio');
    c.close();
  });

  it('reports a refused login as an AuthError and keeps the password out of every message', async () => {
    const erp = await fakeErp(() => ({ body: JSON.stringify({ header: { status: 2, message: '用户名或密码错误。' }, body: { fail: { message: '用户名或密码错误。', newrndcode: '/rnd.asp' } } }) }));
    const c = client(erp.url);
    const err = await c.listPage('contact', {}).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toBeInstanceOf(ErpError);
    expect(err.captchaUrl).toBe('/rnd.asp');
    const texts = [err.message, JSON.stringify(err), inspect(err), JSON.stringify(c), inspect(c)];
    for (const t of texts) expect(t).not.toContain('Top-Secret-1');
    c.close();
  });

  it('keeps the session token out of errors and logs', async () => {
    const lines: string[] = [];
    const erp = await fakeErp((call) => (isLogin(call) ? { body: JSON.stringify({ header: { status: 0, session: 'SESSION-TOKEN-XYZ' } }) } : { status: 500, body: 'boom' }));
    const c = new ErpClient({ baseUrl: erp.url, user: 'u', password: 'Top-Secret-1', serialnum: 's1', retries: 1, backoffBaseMs: 1 }, { logger: { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m) } });
    const err = await c.listPage('contact', {}).catch((e) => e);
    const all = [err.message, JSON.stringify(err), inspect(err), ...lines, JSON.stringify(c)].join('\n');
    expect(all).not.toContain('SESSION-TOKEN-XYZ');
    expect(all).not.toContain('Top-Secret-1');
    c.close();
  });
});

describe('resolveErpConfig', () => {
  it('reports every missing setting and where it looked', () => {
    const r = resolveErpConfig({ passwordEnv: 'MY_PW' }, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.join('\n')).toMatch(/ZB_BASE_URL[\s\S]*ZB_USER[\s\S]*MY_PW/);
  });
  it('derives a stable serial and hides the password', () => {
    const env = { ZB_BASE_URL: 'http://erp:8088/', ZB_USER: 'admin', ZB_PASSWORD: 'pw-123' };
    const a = resolveErpConfig({}, env);
    const b = resolveErpConfig({}, env);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.config.serialnum).toBe(b.config.serialnum);
    expect(a.config.serialnum).toMatch(/^[A-Za-z0-9]{1,20}$/);
    expect(a.config.baseUrl).toBe('http://erp:8088');
    expect(JSON.stringify(a.config)).not.toContain('pw-123');
    expect(inspect(a.config)).not.toContain('pw-123');
  });
  it('rejects a serial the ERP would refuse', () => {
    const r = resolveErpConfig({}, { ZB_BASE_URL: 'http://x', ZB_USER: 'u', ZB_PASSWORD: 'p', ZB_SERIALNUM: 'has spaces and is far too long' });
    expect(r.ok).toBe(false);
  });
});
