/**
 * Nothing lost, nothing doubled: imports under injected faults, and imports killed with
 * SIGKILL at random points and run again, checked against the emulator's store row by row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { runCommand } from '../src/commands/run.js';
import { tempDir, writeCsv } from './helpers/files.js';
import { captureOutput } from './helpers/capture.js';

let emu: Emulator;
const PASSWORD = 'reliability-pw';

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 20, contacts: 0, randomSeed: 3 }, users: [{ user: 'admin', password: PASSWORD }], quiet: true });
});
afterAll(async () => emu?.close());

function writeInput(dir: string, rows: number, tag: string): { file: string; names: string[] } {
  const customers = emu.store.customers().filter((c) => emu.store.customers().filter((x) => x.name === c.name).length === 1);
  const names: string[] = [];
  const data = [['客户名称', '联系人姓名', '手机', '备注']];
  for (let i = 0; i < rows; i++) {
    const name = `${tag}${String(i).padStart(5, '0')}`;
    names.push(name);
    data.push([customers[i % customers.length].name, name, `1${String(3e9 + i * 7).padStart(10, '0')}`, `第${i}行`]);
  }
  return { file: writeCsv(path.join(dir, `${tag}.csv`), data, 'utf8-bom'), names };
}

function writePipeline(dir: string, edit: (yaml: string) => string = (y) => y): string {
  const file = path.join(dir, 'p.yaml');
  writeFileSync(file, edit(`
name: reliability
kind: import
entity: contact
erp:
  timeoutMs: 1500
source:
  file: unused.csv
mapping:
  company: 客户名称
  person_name: 联系人姓名
  mobile: 手机
  intro: 备注
write:
  mode: upsert
  concurrency: 16
  retries: 8
  maxConsecutiveFailures: 1000
reports:
  dir: ${path.join(dir, 'reports', '{time}')}
stateDir: ${path.join(dir, 'state')}
`));
  return file;
}

/** Every name appears exactly once in the store; returns the names missing. */
function checkStore(names: string[]): { missing: string[]; doubled: string[] } {
  const count = new Map<string, number>();
  for (const c of emu.store.contacts()) if (c.person_name) count.set(c.person_name, (count.get(c.person_name) ?? 0) + 1);
  return { missing: names.filter((n) => !count.has(n)), doubled: names.filter((n) => (count.get(n) ?? 0) > 1) };
}

const env = () => ({ ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: PASSWORD });

describe('import reliability', () => {
  it('under 10% transient faults, session expiry and silent drops, every row ends created exactly once or reported', async () => {
    const dir = tempDir();
    const { file, names } = writeInput(dir, 5000, '故障');
    emu.setFaults({ failRate: 0.1, dropSaveRate: 0.01, sessionTtlSeconds: 2, randomSeed: 11, faultAfterWriteRate: 0.5 });
    const expire = setInterval(() => emu.expireSessions(), 1500);
    const cap = captureOutput();
    let code: number;
    try {
      code = await runCommand({ pipeline: writePipeline(dir), input: file, dryRun: false, json: true, fullRefresh: false, quiet: true, env: env() });
    } finally {
      clearInterval(expire);
      cap.restore();
      emu.resetFaults();
    }
    const summary = JSON.parse(cap.stdout);
    const faults = Object.values(emu.counters.faults).reduce((a, b) => a + b, 0);
    expect(faults).toBeGreaterThan(100);
    expect(emu.counters.savesDropped).toBeGreaterThan(0);
    const { missing, doubled } = checkStore(names);
    expect(doubled).toEqual([]);
    // A row not in the store must be one the summary reports as failed.
    const said = `summary: ${JSON.stringify({ ...summary, reports: undefined })}`;
    expect(missing.length, said).toBe(summary.failed);
    expect(summary.created + summary.failed, said).toBe(names.length);
    expect([0, 1]).toContain(code);
  }, 240_000);

  it('killed with SIGKILL at random points and run again, ends with every row exactly once', async () => {
    const dir = tempDir();
    const { file, names } = writeInput(dir, 600, '断电');
    const pipeline = writePipeline(dir);
    const bin = path.resolve('bin/zbport.js');
    emu.setFaults({ latencyMs: 3, jitterMs: 3 });
    const runChild = (killAfterCreates?: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [bin, 'run', pipeline, '--input', file, '--quiet'], { env: { ...process.env, ...env() }, stdio: 'ignore' });
        const start = emu.counters.creates;
        let timer: NodeJS.Timeout | undefined;
        if (killAfterCreates !== undefined) {
          timer = setInterval(() => {
            if (emu.counters.creates - start >= killAfterCreates) child.kill('SIGKILL');
          }, 2);
        }
        child.on('exit', (code) => {
          clearInterval(timer);
          resolve(code);
        });
      });
    // Random points, a few rows in or well into the run.
    const points = [1 + Math.floor(Math.random() * 20), 20 + Math.floor(Math.random() * 150), 1 + Math.floor(Math.random() * 80)];
    for (const after of points) {
      const code = await runChild(after);
      expect(code).toBe(null); // killed, not finished
    }
    const before = checkStore(names);
    expect(before.doubled).toEqual([]);
    expect(before.missing.length).toBeGreaterThan(0);
    expect(await runChild()).toBe(0);
    emu.resetFaults();
    const after = checkStore(names);
    expect(after.doubled).toEqual([]);
    expect(after.missing).toEqual([]);
  }, 120_000);

  it('stops a run that fails row after row (circuit breaker, exit 3)', async () => {
    const dir = tempDir();
    const data = [['客户名称', '联系人姓名', '手机', '备注'], ...Array.from({ length: 200 }, (_, i) => [emu.store.customers()[0].name, `拒绝${i}`, '', ''])];
    const file = writeCsv(path.join(dir, 'in.csv'), data);
    const pipeline = writePipeline(dir, (y) => y.replace('retries: 8', 'retries: 0').replace('maxConsecutiveFailures: 1000', 'maxConsecutiveFailures: 5').replace('concurrency: 16', 'concurrency: 2'));
    // Reads work, every save fails: the ERP is up, so this is row after row failing, not an outage.
    emu.setFaults({ failRate: 1, failKinds: ['html500'], failScope: 'saves' });
    const cap = captureOutput();
    let code: number;
    try {
      code = await runCommand({ pipeline, input: file, dryRun: false, json: true, fullRefresh: false, quiet: true, env: env() });
    } finally {
      cap.restore();
      emu.resetFaults();
    }
    const summary = JSON.parse(cap.stdout);
    expect(code).toBe(3);
    expect(summary.aborted).toMatch(/in a row/);
    expect(summary.read).toBeLessThan(200);
    expect(summary.failed).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it('killed while creates await their batch verification, the re-run neither loses nor doubles them', async () => {
    const dir = tempDir();
    const { file, names } = writeInput(dir, 400, '待核');
    const pipeline = writePipeline(dir);
    // Verification waits two seconds for its batch: a kill finds many saves not yet verified.
    const env2 = { ...env(), ZBPORT_VERIFY_WAIT_MS: '2000' };
    const start = emu.counters.creates;
    const child = spawn(process.execPath, [path.resolve('bin/zbport.js'), 'run', pipeline, '--input', file, '--quiet'], { env: { ...process.env, ...env2 }, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setInterval(() => {
        if (emu.counters.creates - start >= 120) child.kill('SIGKILL');
      }, 2);
      child.on('exit', (c) => {
        clearInterval(timer);
        resolve(c);
      });
    });
    expect(code).toBe(null);
    const saved = emu.counters.creates - start;
    expect(saved).toBeGreaterThanOrEqual(120);
    // The journal holds them as pending (sent, not yet seen), not done.
    const stateDir = path.join(dir, 'state');
    const journal = readdirSync(stateDir).find((f) => f.endsWith('.journal.jsonl'))!;
    const entries = readFileSync(path.join(stateDir, journal), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { k: string; s: string });
    const done = new Set(entries.filter((e) => e.s === 'done').map((e) => e.k));
    expect(entries.filter((e) => e.s === 'pending' && !done.has(e.k)).length).toBeGreaterThan(0);

    const again = await new Promise<number | null>((resolve) => {
      spawn(process.execPath, [path.resolve('bin/zbport.js'), 'run', pipeline, '--input', file, '--quiet'], { env: { ...process.env, ...env() }, stdio: 'ignore' }).on('exit', resolve);
    });
    expect(again).toBe(0);
    expect(checkStore(names)).toEqual({ missing: [], doubled: [] });
  }, 120_000);
});
