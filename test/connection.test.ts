/**
 * Issue 11, item 4: connection problems are named. An unreachable ERP, an address that answers
 * 404 or a web page, a refused login or a captcha stop the run before any row is read, with the
 * address (credentials removed) and the cause; an ERP that goes away mid-run stops the run with
 * the cause, the rows not yet attempted and "run the same command again", and the next run
 * finishes the work with nothing written twice. The real command, in a folder of its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { tempDir, writeCsv } from './helpers/files.js';
import { STACK_TRACE, zbport } from './helpers/cli.js';

const servers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!();
});

/** A server that is not a ZB ERP: answers every request the same way. */
async function fakeServer(status: number, contentType: string, body: string): Promise<string> {
  const server = http.createServer((_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(() => new Promise((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

function workspace(rows = 5): { dir: string; pipeline: string } {
  const dir = tempDir('zbport-conn-');
  writeCsv(path.join(dir, 'in.csv'), [['客户名称', '联系人姓名', '手机'], ...Array.from({ length: rows }, (_, i) => ['华为技术有限公司', `连接测试${i}`, `139${String(i).padStart(8, '0')}`])]);
  const pipeline = path.join(dir, 'p.yaml');
  writeFileSync(pipeline, `name: conn\nkind: import\nentity: contact\nsource: { file: in.csv }\nmapping: { company: 客户名称, person_name: 联系人姓名, mobile: 手机 }\nwrite: { concurrency: 4 }\n`);
  return { dir, pipeline };
}

const ENV = { ZB_USER: 'admin', ZB_PASSWORD: 'Pw-Conn-7731' };

function expectNoRowsRead(dir: string): void {
  const reports = path.join(dir, 'reports');
  expect(existsSync(reports) ? readdirSync(reports, { recursive: true }).filter((f) => String(f).endsWith('results.csv')) : []).toEqual([]);
}

describe('before any row is read', () => {
  it('an unreachable ERP: exit 3, the address and "connection refused"', async () => {
    const url = await closedPort();
    const { dir, pipeline } = workspace();
    const r = await zbport(['run', pipeline], { cwd: dir, env: { ...ENV, ZB_BASE_URL: url.replace('http://', 'http://someone:Secret-In-Url@') } });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(url);
    expect(r.stderr).toMatch(/无法连接/);
    expect(r.stderr).toMatch(/ECONNREFUSED|connection refused/);
    expect(r.stderr).not.toContain('Secret-In-Url');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expectNoRowsRead(dir);
  });

  it('an address that answers 404: exit 2, with the advice about the base URL', async () => {
    const url = await fakeServer(404, 'text/html', '<h1>404 - 找不到文件或目录。</h1>');
    const { dir, pipeline } = workspace();
    const r = await zbport(['run', pipeline], { cwd: dir, env: { ...ENV, ZB_BASE_URL: url } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(url);
    expect(r.stderr).toMatch(/HTTP 404/);
    expect(r.stderr).toMatch(/根地址|base URL/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expectNoRowsRead(dir);
  });

  it('an address that answers with a web page: exit 2, "not the ERP\'s JSON API"', async () => {
    const url = await fakeServer(200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><body>统一身份认证 登录</body></html>');
    const { dir, pipeline } = workspace();
    const r = await zbport(['run', pipeline], { cwd: dir, env: { ...ENV, ZB_BASE_URL: url } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/网页|web page/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expectNoRowsRead(dir);
  });

  it('an ERP whose server side is down (plain text): exit 3, try again later', async () => {
    const url = await fakeServer(200, 'text/plain; charset=utf-8', '系统【服务端】未正常启动，请联系管理员。');
    const { dir, pipeline } = workspace();
    const r = await zbport(['run', pipeline], { cwd: dir, env: { ...ENV, ZB_BASE_URL: url } });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/未正常启动|not running/);
    expectNoRowsRead(dir);
  });

  it('a refused login, then the captcha: exit 2 each time, saying which', async () => {
    const emu = await startEmulator({ port: 0, seed: { customers: 20, contacts: 10 }, users: [{ user: 'admin', password: ENV.ZB_PASSWORD }], quiet: true });
    servers.push(() => emu.close());
    const { dir, pipeline } = workspace();
    for (let i = 0; i < 3; i++) {
      const r = await zbport(['run', pipeline], { cwd: dir, env: { ...ENV, ZB_BASE_URL: emu.url, ZB_PASSWORD: 'wrong-password-x' } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/拒绝登录|refused the login/);
      expect(r.stderr).not.toContain('wrong-password-x');
    }
    const captcha = await zbport(['run', pipeline], { cwd: dir, env: { ...ENV, ZB_BASE_URL: emu.url } });
    expect(captcha.code, captcha.stderr).toBe(2);
    expect(captcha.stderr).toMatch(/验证码|captcha/);
    expect(emu.counters.saves).toBe(0);
    expectNoRowsRead(dir);
  });
});

describe('an ERP that goes away mid-run', () => {
  let emu: Emulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it('stops with the cause and the rows left, and the same command run again finishes the work exactly once', async () => {
    const data = path.join(tempDir('zbport-emu-'), 'data');
    emu = await startEmulator({ port: 0, dataDir: data, seed: { customers: 20, contacts: 10 }, faults: { latencyMs: 25 }, quiet: true });
    const port = emu.port;
    const { dir, pipeline } = workspace(400);
    const env = { ...ENV, ZB_PASSWORD: 'zbport', ZB_BASE_URL: emu.url };
    const running = zbport(['run', pipeline, '--json'], { cwd: dir, env });
    // Let some rows through, then take the ERP away.
    const mine = () => emu!.store.contacts().filter((c) => c.person_name.startsWith('连接测试')).length;
    while (mine() < 40) await new Promise((r) => setTimeout(r, 50));
    await emu.close();
    emu = undefined;
    const r = await running;
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/ERP 不可用|stopped answering/);
    expect(r.stderr).toMatch(/重新运行同一命令|run the same command again/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    const summary = JSON.parse(r.stdout);
    expect(summary.notAttempted + summary.interrupted).toBeGreaterThan(0);
    expect(summary.failed).toBe(0);
    expect(summary.rejected).toBe(0);
    // Rows never attempted are not offered as bad rows to fix.
    expect(summary.reports.rejects).toBeUndefined();
    const results = readFileSync(summary.reports.results, 'utf8');
    expect(results).not.toMatch(/,failed,/);

    emu = await startEmulator({ port, dataDir: data, quiet: true });
    const again = await zbport(['run', pipeline, '--json'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    const names = emu.store.contacts().filter((c) => c.person_name.startsWith('连接测试')).map((c) => c.person_name);
    expect(names.length).toBe(400);
    expect(new Set(names).size).toBe(400);
  }, 120_000);
});
