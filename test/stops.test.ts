/**
 * Issue 12, items 5 and 7: runs that stop part-way end like any run (summary and reports complete,
 * an exit status that does not claim nothing was written) and within a bound; the next run
 * finishes the work with nothing written twice. The real command against the emulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { tempDir } from './helpers/files.js';
import { STACK_TRACE, zbport } from './helpers/cli.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const PIPELINE = (concurrency = 4) => `name: stops\nkind: import\nentity: contact\nsource: { file: in.csv }\nmapping: { company: 客户名称, person_name: 联系人姓名, mobile: 手机 }\nwrite: { concurrency: ${concurrency} }\n`;
const rowsOf = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `华为技术有限公司,${tag}${i},139${String(i).padStart(8, '0')}`);
const mine = (tag: string) => emu!.store.contacts().filter((c) => c.person_name.startsWith(tag)).map((c) => c.person_name);

function workspace(csv: Buffer | string, concurrency?: number): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir('zbport-stops-');
  writeFileSync(path.join(dir, 'in.csv'), csv);
  writeFileSync(path.join(dir, 'p.yaml'), PIPELINE(concurrency));
  return { dir, env: { ZB_BASE_URL: emu!.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' } };
}

describe('a mid-file input error after rows were written', () => {
  it('finishes and reports the rows before it, exits 3 (not "nothing was written"), and a re-run of the fixed file resumes', async () => {
    emu = await startEmulator({ port: 0, seed: { customers: 20, contacts: 10 }, quiet: true });
    const lines = ['客户名称,联系人姓名,手机', ...rowsOf('编码', 3000)];
    // Line 2,002 of the file (row 2,001) is GBK in a UTF-8 file, as an old system's dump appends it.
    const bad = 2001;
    const bytes = Buffer.concat(lines.map((l, i) => (i === bad ? iconv.encode(`${l}\r\n`, 'gbk') : Buffer.from(`${l}\r\n`))));
    const { dir, env } = workspace(bytes);
    const r = await zbport(['run', 'p.yaml', '--json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/2002|2,002/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    const summary = JSON.parse(r.stdout);
    expect(existsSync(summary.reports.summary)).toBe(true);
    expect(summary.fatal.kind).toBe('config');
    expect(summary.created).toBeGreaterThan(0);
    // Every row taken before the error is accounted for, in the summary and in results.csv.
    const results = readFileSync(summary.reports.results, 'utf8').trim().split(/\r?\n/).slice(1);
    expect(results.length).toBe(summary.created + summary.failed + summary.rejected + summary.interrupted);
    expect(mine('编码').length).toBe(summary.created);

    // Fixed and run again: the rows already in the ERP are found, the rest created; none twice.
    writeFileSync(path.join(dir, 'in.csv'), `${lines.join('\r\n')}\r\n`);
    const again = await zbport(['run', 'p.yaml', '--json'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    const names = mine('编码');
    expect(names.length).toBe(3000);
    expect(new Set(names).size).toBe(3000);
  }, 120_000);
});

describe('bounded stops', () => {
  it('an ERP that freezes mid-run: the run ends within a minute with the cause, and the next run finishes exactly once', async () => {
    emu = await startEmulator({ port: 0, seed: { customers: 20, contacts: 10 }, faults: { latencyMs: 20 }, quiet: true });
    const { dir, env } = workspace(`客户名称,联系人姓名,手机\r\n${rowsOf('冻结', 600).join('\r\n')}\r\n`, 8);
    const started = Date.now();
    const running = zbport(['run', 'p.yaml', '--json'], { cwd: dir, env });
    while (mine('冻结').length < 50) await new Promise((r) => setTimeout(r, 50));
    // Every request from now on is accepted and never answered.
    emu.setFaults({ failRate: 1, failKinds: ['hang'] });
    const frozenAt = Date.now();
    const r = await running;
    const stoppedAfter = Date.now() - frozenAt;
    expect(r.code, r.stderr).toBe(3);
    expect(stoppedAfter).toBeLessThan(60_000);
    expect(r.stderr).toMatch(/ERP 不可用|stopped answering/);
    expect(r.stderr).toMatch(/no answer within|超时/);
    const summary = JSON.parse(r.stdout);
    expect(summary.failed).toBe(0);
    void started;

    emu.resetFaults();
    const again = await zbport(['run', 'p.yaml', '--json'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    const names = mine('冻结');
    expect(names.length).toBe(600);
    expect(new Set(names).size).toBe(600);
  }, 180_000);

  it('SIGTERM during a hang ends the run within 10 s, in-doubt saves pending, and the next run finishes exactly once', async () => {
    emu = await startEmulator({ port: 0, seed: { customers: 20, contacts: 10 }, faults: { latencyMs: 20 }, quiet: true });
    const { dir, env } = workspace(`客户名称,联系人姓名,手机\r\n${rowsOf('终止', 600).join('\r\n')}\r\n`, 8);
    const child = spawn(process.execPath, [path.resolve('bin/zbport.js'), 'run', 'p.yaml', '--json'], { cwd: dir, env: { ...process.env, ...env, ZBPORT_INSTALLATION: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? 128 : 1))));
    while (mine('终止').length < 50) await new Promise((r) => setTimeout(r, 50));
    // From now on nothing is answered (saves are stored first): every row in flight is stuck, those
    // past their save in doubt. Stop once all eight are stuck.
    emu.setFaults({ failRate: 1, failKinds: ['hang'], faultAfterWriteRate: 1 });
    const savesAtFreeze = emu.counters.saves;
    while ((emu.counters.faults.hang ?? 0) < 8) await new Promise((r) => setTimeout(r, 20));
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    const took = Date.now() - sentAt;
    expect(took, stderr).toBeLessThan(10_000);
    expect(code, stderr).toBe(3);
    expect(stderr).not.toMatch(STACK_TRACE);
    const summary = JSON.parse(stdout);
    expect(existsSync(summary.reports.summary)).toBe(true);
    expect(summary.failed).toBe(0);
    // The saves in doubt are left pending in the journal, for the next run to look for first.
    const stateDir = path.join(dir, '.zbport/state');
    const journal = readdirSync(stateDir).find((f) => f.endsWith('.journal.jsonl'));
    expect(journal, readdirSync(stateDir).join(', ')).toBeDefined();
    const entries = readFileSync(path.join(stateDir, journal!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { k: string; s: string });
    const done = new Set(entries.filter((e) => e.s === 'done').map((e) => e.k));
    // Every save stored but never answered is a row left pending (not done, not sent again).
    const inDoubt = emu.counters.saves - savesAtFreeze;
    expect(entries.filter((e) => e.s === 'pending' && !done.has(e.k)).length).toBeGreaterThanOrEqual(inDoubt);

    emu.resetFaults();
    const again = await zbport(['run', 'p.yaml', '--json'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    const names = mine('终止');
    expect(names.length).toBe(600);
    expect(new Set(names).size).toBe(600);
  }, 180_000);
});
