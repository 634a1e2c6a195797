/**
 * Issue 12, item 1: one lock for every run that writes. Two imports of one pipeline at once (cron
 * overlapping a manual run) stored 1,767 of 4,950 rows twice; here the second run exits 3 and
 * names the holder. A lock left by a dead process on this host is taken over; one from another
 * host never is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { runCommand } from '../src/commands/run.js';
import { acquireLock } from '../src/state/lock.js';
import { captureOutput } from './helpers/capture.js';
import { tempDir, writeCsv } from './helpers/files.js';

let emu: Emulator;
const env = () => ({ ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' });

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 20, contacts: 0, randomSeed: 5 }, quiet: true });
});
afterAll(async () => emu?.close());

function writeInput(dir: string, rows: number, tag: string): { file: string; names: string[] } {
  const customers = emu.store.customers().filter((c) => emu.store.customers().filter((x) => x.name === c.name).length === 1);
  const names: string[] = [];
  const data = [['客户名称', '联系人姓名', '手机']];
  for (let i = 0; i < rows; i++) {
    const name = `${tag}${String(i).padStart(5, '0')}`;
    names.push(name);
    data.push([customers[i % customers.length].name, name, `1${String(3e9 + i * 7).padStart(10, '0')}`]);
  }
  return { file: writeCsv(path.join(dir, `${tag}.csv`), data, 'utf8-bom'), names };
}

function importPipeline(dir: string, name = 'lock-test'): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `
name: ${name}
kind: import
entity: contact
source:
  file: unused.csv
mapping:
  company: 客户名称
  person_name: 联系人姓名
  mobile: 手机
write:
  concurrency: 4
reports:
  dir: ${path.join(dir, 'reports', '{time}')}
stateDir: ${path.join(dir, 'state')}
`);
  return file;
}

async function run(pipeline: string, input: string, dryRun = false) {
  const cap = captureOutput();
  let code: number;
  try {
    code = await runCommand({ pipeline, input, dryRun, json: true, fullRefresh: false, quiet: false, env: env() });
  } finally {
    cap.restore();
  }
  return { code, stderr: cap.stderr, summary: cap.stdout.trim() ? JSON.parse(cap.stdout) : undefined };
}

const countOf = (names: string[]) => {
  const count = new Map<string, number>();
  for (const c of emu.store.contacts()) count.set(c.person_name, (count.get(c.person_name) ?? 0) + 1);
  return { missing: names.filter((n) => !count.has(n)), doubled: names.filter((n) => (count.get(n) ?? 0) > 1) };
};

/** A pid that certainly belonged to a process of this host that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

describe('one lock for every run', () => {
  it('two imports of one pipeline at once: no row stored twice, the second exits 3 naming the holder', async () => {
    const dir = tempDir();
    const { file, names } = writeInput(dir, 400, '并发');
    const pipeline = importPipeline(dir);
    emu.setFaults({ latencyMs: 6, jitterMs: 2 });
    const bin = path.resolve('bin/zbport.js');
    const start = () => {
      const child = spawn(process.execPath, [bin, 'run', pipeline, '--input', file], { env: { ...process.env, ...env() }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      return { pid: child.pid!, done: new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr }))) };
    };
    const a = start();
    const b = start();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    emu.resetFaults();
    expect([ra.code, rb.code].sort()).toEqual([0, 3]);
    const [winner, loser] = ra.code === 0 ? [a, rb] : [b, ra];
    expect(loser.stderr).toMatch(/另一次运行正在进行/);
    expect(loser.stderr).toMatch(/another run is still in progress/);
    expect(loser.stderr).toContain(`pid ${winner.pid}`);
    expect(loser.stderr).toContain(hostname());
    expect(loser.stderr).toMatch(/command: zbport run .*lock-test\.yaml --input/);
    const { missing, doubled } = countOf(names);
    expect(doubled).toEqual([]);
    expect(missing).toEqual([]);
    // Released at the end: nothing left in the state folder but journals.
    expect(readdirSync(path.join(dir, 'state')).filter((f) => f.endsWith('.lock'))).toEqual([]);
  }, 120_000);

  it('takes over a lock left by a process of this host that died, and says so', async () => {
    const dir = tempDir();
    const { file, names } = writeInput(dir, 5, '接管');
    const pipeline = importPipeline(dir, 'stale-test');
    mkdirSync(path.join(dir, 'state'), { recursive: true });
    const pid = deadPid();
    writeFileSync(path.join(dir, 'state', 'stale-test.lock'), JSON.stringify({ pid, host: hostname(), since: '2026-11-27T02:30:00.000Z', command: 'zbport run stale-test.yaml' }));
    const r = await run(pipeline, file);
    expect(r.code).toBe(0);
    expect(r.summary.created).toBe(5);
    expect(r.stderr).toMatch(new RegExp(`接管.*pid ${pid}`));
    expect(r.stderr).toMatch(/took over/);
    expect(countOf(names).missing).toEqual([]);
    expect(existsSync(path.join(dir, 'state', 'stale-test.lock'))).toBe(false);
  });

  it('never takes over a lock of another host, and says how to remove it', async () => {
    const dir = tempDir();
    const { file } = writeInput(dir, 3, '他机');
    const pipeline = importPipeline(dir, 'remote-test');
    const lockFile = path.join(dir, 'state', 'remote-test.lock');
    mkdirSync(path.dirname(lockFile), { recursive: true });
    writeFileSync(lockFile, JSON.stringify({ pid: deadPid(), host: 'other-host.example', since: '2026-11-27T02:30:00.000Z', command: 'zbport run remote-test.yaml' }));
    const before = emu.counters.saves;
    const r = await run(pipeline, file);
    expect(r.code).toBe(3);
    expect(r.summary).toBeUndefined();
    expect(emu.counters.saves).toBe(before);
    expect(r.stderr).toContain('other-host.example');
    expect(r.stderr).toMatch(/不会自动接管/);
    expect(r.stderr).toMatch(/never taken over automatically/);
    expect(r.stderr).toContain(lockFile);
    expect(existsSync(lockFile)).toBe(true);
  });

  it('a dry run neither waits for nor takes the lock, and a real run meanwhile is unaffected', async () => {
    const dir = tempDir();
    const { file } = writeInput(dir, 4, '试跑');
    const pipeline = importPipeline(dir, 'dry-test');
    const held = acquireLock(path.join(dir, 'state', 'dry-test.lock'), 'zbport run dry-test.yaml');
    expect(held.ok).toBe(true);
    try {
      const dry = await run(pipeline, file, true);
      expect(dry.code).toBe(0);
      expect(dry.summary).toMatchObject({ dryRun: true, wouldCreate: 4 });
      expect(dry.stderr).toContain(`pid ${process.pid}`); // it says a real run is in progress
      const real = await run(pipeline, file);
      expect(real.code).toBe(3);
    } finally {
      if (held.ok) held.release();
    }
    expect((await run(pipeline, file)).code).toBe(0);
  });

  it('exports take the same lock', async () => {
    const dir = tempDir();
    const p = path.join(dir, 'x.yaml');
    writeFileSync(p, `name: shared-name\nkind: export\nentity: customer\nstateDir: ${dir}/state\noutput:\n  file: ${dir}/c.csv\n`);
    const held = acquireLock(path.join(dir, 'state', 'shared-name.lock'), 'zbport run other.yaml');
    try {
      const r = await run(p, '');
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('zbport run other.yaml');
      expect(existsSync(`${dir}/c.csv`)).toBe(false);
    } finally {
      if (held.ok) held.release();
    }
    expect((await run(p, '')).code).toBe(0);
    expect(existsSync(`${dir}/c.csv`)).toBe(true);
  });
});
