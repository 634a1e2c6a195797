/**
 * Issue 12, item 6: secrets never leave. An ERP whose error pages echo the request (the request
 * body as sent, JSON-escaped, URL-encoded, entity-encoded, cut short; the login body; the
 * Authorization header) and a base URL with credentials (`http://user:pass@host`): imports of
 * contacts and follow-ups and an export run through the CLI, and no file they leave (reports,
 * state, exports; workbooks unzipped to their XML) nor their output holds the password, the
 * URL's user or password, the Basic-auth token, a session token or a `txt:` value.
 *
 * The echoing ERP is a small proxy in front of the emulator: it forwards every request and, for
 * rows marked 回显 (echo), answers with the echo instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { zbport, type CliResult } from './helpers/cli.js';
import { tempDir, writeCsv } from './helpers/files.js';

const PASSWORD = 'S3cr"et<&>%密码+/2026';
const WRONG_PASSWORD = 'Wr0ng!Secret#Pw99';
const URL_USER = 'proxyUser7';
const URL_PASS = 'pr0xy:P@ss';
const BASIC = Buffer.from(`${URL_USER}:${URL_PASS}`).toString('base64');

const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const numericEntities = (s: string) => [...s].map((c) => `&#${c.codePointAt(0)};`).join('');

interface EchoProxy {
  url: string;
  /** Session tokens the ERP handed out through the proxy. */
  sessions: Set<string>;
  /** Answers that echoed the request, by kind. */
  echoes: Record<string, number>;
  close(): Promise<void>;
}

/**
 * Forwards to the emulator; echoes the request back where a row asks for it:
 * - a contact named 回显拒绝 or a follow-up whose text has 回显: a refusal (body.message.text);
 * - a contact named 回显网页: an HTML 500 page;
 * - a contact named 回显状态: `status "11"` with the echo as header.message;
 * - the export's second list page, once: an HTML 500 page;
 * - a refused login: the refusal's header.message.
 */
async function startEchoProxy(upstream: string): Promise<EchoProxy> {
  const sessions = new Set<string>();
  const echoes: Record<string, number> = {};
  let lastLogin = '';
  let pageTwoFailed = false;
  const echo = (body: string, auth: string) => {
    const cut = lastLogin.slice(0, lastLogin.indexOf('txt:S3c') + 7);
    return [
      body, JSON.stringify(body), encodeURIComponent(body), htmlEscape(body), numericEntities(body),
      lastLogin, JSON.stringify(JSON.stringify(lastLogin)), encodeURIComponent(encodeURIComponent(lastLogin)), htmlEscape(lastLogin),
      `Authorization: ${auth}`, `${cut}…`,
    ].join(' | ');
  };
  const count = (k: string) => (echoes[k] = (echoes[k] ?? 0) + 1);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const auth = req.headers.authorization ?? '';
      const url = req.url ?? '/';
      const isLogin = /login/i.test(url);
      if (isLogin) lastLogin = body;
      const json = (doc: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(doc));
      };
      const page = () => {
        res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<html><body><h2>500 - 内部服务器错误。</h2><pre>${htmlEscape(echo(body, auth))}</pre><!-- ${echo(body, auth)} --></body></html>`);
      };
      const save = body.includes('__sys_dosave');
      if (save && /person\/add\.asp/i.test(url) && body.includes('回显拒绝')) {
        count('refusal');
        return json({ header: { status: 0, message: 'ok' }, body: { model: 'message', action: '', message: { text: `保存失败，请求有误：${echo(body, auth)}`, target: 'none' } } });
      }
      if (save && /person\/add\.asp/i.test(url) && body.includes('回显网页')) {
        count('html500');
        return page();
      }
      if (save && /person\/add\.asp/i.test(url) && body.includes('回显状态')) {
        count('status11');
        return json({ header: { status: '11', message: `脚本错误：${echo(body, auth)}` } });
      }
      if (save && /reply\.asp/i.test(url) && body.includes('回显')) {
        count('followup');
        return json({ header: { status: 0, message: 'ok' }, body: { model: 'message', action: '', message: { text: `洽谈进展保存失败：${echo(body, auth)}`, target: 'none' } } });
      }
      if (/person\/list\.asp/i.test(url) && /"pageindex","val":"2"/.test(body) && !pageTwoFailed) {
        pageTwoFailed = true;
        count('list500');
        return page();
      }
      try {
        const up = await fetch(new URL(url, upstream), { method: 'POST', body, headers: { 'content-type': req.headers['content-type'] ?? 'application/json' } });
        const text = await up.text();
        for (const m of text.matchAll(/"session":"([^"]+)"/g)) sessions.add(m[1]);
        if (isLogin) {
          const doc = JSON.parse(text) as { header: { status: number | string; message?: string } };
          if (Number(doc.header.status) !== 0) {
            count('login');
            doc.header.message = `${doc.header.message ?? ''} 请求：${echo(body, auth)}`;
            return json(doc);
          }
        }
        res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      } catch (err) {
        res.writeHead(502);
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${URL_USER}:${encodeURIComponent(URL_PASS)}@127.0.0.1:${port}`,
    sessions,
    echoes,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** Every file under `dir` as text: workbooks unzipped, each entry's XML appended. */
async function filesAsText(dir: string): Promise<Array<{ file: string; text: string }>> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = async (d: string) => {
    for (const name of readdirSync(d)) {
      const f = path.join(d, name);
      if (statSync(f).isDirectory()) await walk(f);
      else out.push({ file: f, text: /\.xlsx$/i.test(f) ? await unzipText(f) : readFileSync(f, 'utf8') });
    }
  };
  await walk(dir);
  return out;
}

function unzipText(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const parts: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            parts.push(`== ${entry.fileName}\n${Buffer.concat(chunks).toString('utf8')}`);
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(parts.join('\n')));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

let emu: Emulator;
let proxy: EchoProxy;
let dir: string;
const outputs: Array<{ what: string; r: CliResult }> = [];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 20, contacts: 60, randomSeed: 21 }, users: [{ user: 'admin', password: PASSWORD }], quiet: true });
  proxy = await startEchoProxy(emu.url);
  dir = tempDir('secrets-');
}, 30_000);
afterAll(async () => {
  await proxy?.close();
  await emu?.close();
});

/** What must never appear, in any of the forms an echo could take. */
function secrets(): string[] {
  // Whole secrets, and pieces of the password (an echo may cut it, or encode parts differently).
  const plain = [PASSWORD, 'S3cr"et', 'et<&>%密码', '密码+/2026', WRONG_PASSWORD, 'Wr0ng!', URL_USER, URL_PASS, encodeURIComponent(URL_PASS), BASIC, ...proxy.sessions];
  const forms = new Set<string>();
  const encodings = [
    (s: string) => s, (s: string) => JSON.stringify(s).slice(1, -1), (s: string) => JSON.stringify(JSON.stringify(s)).slice(3, -3),
    encodeURIComponent, (s: string) => encodeURIComponent(encodeURIComponent(s)), htmlEscape, numericEntities,
  ];
  for (const s of plain) for (const encode of encodings) forms.add(encode(s));
  return [...forms];
}

function env(password = PASSWORD): NodeJS.ProcessEnv {
  return { ZB_BASE_URL: proxy.url, ZB_USER: 'admin', ZB_PASSWORD: password };
}

function run(what: string, args: string[], password?: string): Promise<CliResult> {
  return zbport(args, { cwd: dir, env: env(password) }).then((r) => {
    outputs.push({ what, r });
    return r;
  });
}

const COMMON = `
reports:
  dir: reports/{name}/{date}-{time}
stateDir: state
`;

describe('an ERP that echoes the request, reached through a URL with credentials (issue 12)', () => {
  it('leaves no password, URL credential, session token or txt: value in any output or file', async () => {
    const customers = emu.store.customers().filter((c, _i, all) => all.filter((x) => x.name === c.name).length === 1);
    const [a, b] = customers;

    // Contacts: a good row, a refusal echo, an HTML 500 echo, a status-11 echo.
    writeFileSync(path.join(dir, 'contacts.yaml'), `name: secret-contacts
kind: import
entity: contact
source: { file: contacts.csv }
mapping: { company: 客户名称, person_name: 联系人姓名, mobile: 手机 }
write: { retries: 1, concurrency: 2 }
${COMMON}`);
    writeCsv(path.join(dir, 'contacts.csv'), [
      ['客户名称', '联系人姓名', '手机'],
      [a.name, '正常甲', '13700000001'],
      [a.name, '回显拒绝', '13700000002'],
      [b.name, '回显网页', '13700000003'],
      [b.name, '回显状态', '13700000004'],
    ]);
    const contacts = await run('contacts import', ['run', 'contacts.yaml', '--json']);
    expect(contacts.code, contacts.stderr).toBe(1);
    const summary = JSON.parse(contacts.stdout);
    expect(summary).toMatchObject({ read: 4, created: 1, rejected: 1, failed: 2 });

    // Follow-ups of an existing contact: one stored, one refused with an echo.
    const contact = emu.store.contacts().find((c) => c.company === a.ord && c.person_name === '正常甲')!;
    expect(contact).toBeDefined();
    writeFileSync(path.join(dir, 'followups.yaml'), `name: secret-followups
kind: import
entity: followup
source: { file: followups.csv }
contactLookup: { by: ord, ordColumn: 联系人ID }
mapping: { intro: 内容, sort: 方式, plantype: 日程 }
${COMMON}`);
    writeCsv(path.join(dir, 'followups.csv'), [
      ['联系人ID', '内容', '方式', '日程'],
      [contact.ord, '电话沟通，已报价', '电话', '不生成'],
      [contact.ord, '回显：客户要求回电', '电话', '不生成'],
    ]);
    const followups = await run('follow-up import', ['run', 'followups.yaml', '--json']);
    expect(followups.code, followups.stderr).toBe(1);
    expect(JSON.parse(followups.stdout)).toMatchObject({ read: 2, created: 1, rejected: 1 });

    // An export whose second page first meets an echoing error page (retried).
    writeFileSync(path.join(dir, 'export.yaml'), `name: secret-export
kind: export
entity: contact
pageSize: 20
concurrency: 1
incremental: true
output:
  file: 'exports/联系人-{date}.xlsx'
stateDir: state
`);
    const exported = await run('export', ['run', 'export.yaml', '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout).rows).toBe(emu.store.contacts().length);

    // A refused login whose message echoes the login body (wrong password).
    const refused = await run('refused login', ['run', 'contacts.yaml'], WRONG_PASSWORD);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/拒绝登录/);

    // A base URL that is not http(s): the message shows it without its credentials.
    const bad = await zbport(['run', 'contacts.yaml'], { cwd: dir, env: { ...env(), ZB_BASE_URL: `${URL_USER}:${URL_PASS}@127.0.0.1:1` } });
    outputs.push({ what: 'bad URL', r: bad });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('***@127.0.0.1:1');

    // The echoes happened, and their words reached the reports scrubbed.
    expect(proxy.echoes).toMatchObject({ refusal: 1, followup: 1, list500: 1, login: expect.any(Number) });
    expect(proxy.echoes.html500).toBeGreaterThanOrEqual(1);
    expect(proxy.echoes.status11).toBeGreaterThanOrEqual(1);
    expect(proxy.sessions.size).toBeGreaterThan(0);

    const files = await filesAsText(dir);
    const reports = files.filter((f) => f.file.includes(`${path.sep}reports${path.sep}`));
    expect(reports.map((f) => path.basename(f.file))).toEqual(expect.arrayContaining(['results.csv', 'rejects.xlsx', 'summary.json', 'report.html']));
    const results = reports.filter((f) => path.basename(f.file) === 'results.csv').map((f) => f.text).join('\n');
    expect(results).toContain('保存失败，请求有误');
    expect(results).toContain('洽谈进展保存失败');
    expect(results).toContain('***');
    expect(files.some((f) => f.file.includes(`${path.sep}state${path.sep}`))).toBe(true);
    expect(files.some((f) => f.file.includes(`${path.sep}exports${path.sep}`))).toBe(true);

    const leaks: string[] = [];
    const forms = secrets();
    const check = (where: string, text: string) => {
      for (const s of forms) if (text.includes(s)) leaks.push(`${where}: ${JSON.stringify(s)}`);
      const txt = /txt(?::|%3A|&#58;|&#x3a;)(?!\*\*\*)/i.exec(text);
      if (txt) leaks.push(`${where}: txt: value at ${txt.index}: ${JSON.stringify(text.slice(txt.index, txt.index + 30))}`);
    };
    for (const f of files) if (!/\.(csv|yaml)$/.test(f.file) || f.file.includes(`${path.sep}reports${path.sep}`)) check(path.relative(dir, f.file), f.text);
    for (const { what, r } of outputs) {
      check(`${what}: stdout`, r.stdout);
      check(`${what}: stderr`, r.stderr);
    }
    expect(leaks).toEqual([]);
  }, 120_000);
});
