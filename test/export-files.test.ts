/**
 * Issue 12, item 3: a second incremental export on the same day replaced
 * `exports/联系人-20261128.xlsx` (2,020 rows) with a file of 0 rows, while the watermark had moved
 * past those contacts; a killed export left its `.tmp` file forever. Here an existing file is never
 * replaced, the watermark moves only once the new file is in place, and leftovers of a killed run
 * are removed by the next one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { ErpClient } from '../src/erp/client.js';
import { runCommand } from '../src/commands/run.js';
import { tempPathFor } from '../src/state/atomic-file.js';
import { openXlsx } from '../src/sources/xlsx/index.js';
import { captureOutput } from './helpers/capture.js';
import { tempDir } from './helpers/files.js';

let emu: Emulator;
const env = () => ({ ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' });

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 20, contacts: 1500, randomSeed: 17 }, quiet: true });
});
afterAll(async () => emu?.close());

function pipeline(dir: string, body: string, name = 'files-test'): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nkind: export\nentity: contact\nstateDir: ${dir}/state\n${body}`);
  return file;
}

async function run(p: string, extra: { output?: string } = {}) {
  const cap = captureOutput();
  let code: number;
  try {
    code = await runCommand({ pipeline: p, dryRun: false, json: true, fullRefresh: false, output: extra.output, quiet: false, env: env() });
  } finally {
    cap.restore();
  }
  return { code, summary: cap.stdout.trim() ? JSON.parse(cap.stdout) : undefined, stderr: cap.stderr };
}

async function rowCount(file: string): Promise<number> {
  const r = await openXlsx({ file });
  let n = 0;
  for await (const _ of r.rows) n++;
  return n;
}

const addContacts = async (names: string[]) => {
  const client = new ErpClient({ baseUrl: emu.url, user: 'admin', password: 'zbport', serialnum: 'files1' });
  for (const n of names) await client.saveContact({ company: emu.store.customers()[3].ord, person_name: n });
  client.close();
};

const dayOf = (d: Date) => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;

describe('export files', () => {
  it('two incremental exports on one day: the first file intact, the second beside it, the watermark right', async () => {
    const dir = tempDir();
    const p = pipeline(dir, `incremental: true\npageSize: 250\noutput:\n  file: ${dir}/exports/联系人-{date}.xlsx\n`);
    const first = await run(p);
    expect(first.code).toBe(0);
    const firstFile = `${dir}/exports/联系人-${dayOf(new Date())}.xlsx`;
    expect(first.summary.file).toBe(firstFile);
    const total = emu.store.contacts().length;
    expect(await rowCount(firstFile)).toBe(total);
    const firstBytes = readFileSync(firstFile);

    await addContacts(['同日新增一', '同日新增二']);
    const second = await run(p);
    expect(second.code).toBe(0);
    expect(second.summary.rows).toBe(2);
    expect(second.summary.file).not.toBe(firstFile);
    expect(path.basename(second.summary.file)).toMatch(new RegExp(`^联系人-${dayOf(new Date())}-\\d{6}(-\\d+)?\\.xlsx$`));
    expect(second.stderr).toMatch(/未覆盖/);
    expect(second.stderr).toMatch(/not replaced/);
    expect(readFileSync(firstFile).equals(firstBytes)).toBe(true);
    expect(await rowCount(second.summary.file)).toBe(2);

    // A third run the same second finds nothing new and still replaces nothing.
    const third = await run(p);
    expect(third.summary.rows).toBe(0);
    expect(new Set([firstFile, second.summary.file, third.summary.file]).size).toBe(3);
    expect(await rowCount(second.summary.file)).toBe(2);

    const state = JSON.parse(readFileSync(`${dir}/state/files-test.export-state.json`, 'utf8'));
    const newest = emu.store.contacts().map((c) => c.date1).sort().at(-1);
    expect(state.watermark).toBe(newest);
    expect(state.lastFile).toBe(third.summary.file);
    expect(readdirSync(`${dir}/exports`).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(`${dir}/state`).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an explicit --output that exists (exit 2, naming the file and the ways out)', async () => {
    const dir = tempDir();
    const p = pipeline(dir, `output:\n  file: ${dir}/x.csv\n`);
    writeFileSync(`${dir}/mine.csv`, 'keep me');
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.resolve('bin/zbport.js'), 'run', p, '--output', `${dir}/mine.csv`], { env: { ...process.env, ...env() } }, (err, _out, stderr) =>
        resolve({ code: err ? (err as { code?: number }).code ?? null : 0, stderr }));
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${dir}/mine.csv`);
    expect(r.stderr).toMatch(/已存在/);
    expect(r.stderr).toMatch(/exists/);
    expect(r.stderr).toMatch(/--output/);
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(readFileSync(`${dir}/mine.csv`, 'utf8')).toBe('keep me');
  }, 60_000);

  it('a failed incremental export leaves the watermark where it was', async () => {
    const dir = tempDir();
    const p = pipeline(dir, `incremental: true\npageSize: 100\noutput:\n  file: ${dir}/wm-{time}.csv\n`);
    expect((await run(p)).code).toBe(0);
    const stateFile = `${dir}/state/files-test.export-state.json`;
    const before = readFileSync(stateFile, 'utf8');
    await addContacts(['失败后仍在']);
    emu.setFaults({ failRate: 1, failKinds: ['html500'] });
    const cap = captureOutput();
    const failed = await runCommand({ pipeline: p, dryRun: false, json: true, fullRefresh: false, quiet: true, env: env() }).then(() => 'finished', () => 'failed');
    cap.restore();
    emu.resetFaults();
    expect(failed).toBe('failed');
    expect(readFileSync(stateFile, 'utf8')).toBe(before);
    const next = await run(p);
    expect(next.summary.rows).toBe(1);
    expect(readFileSync(next.summary.file, 'utf8')).toContain('失败后仍在');
  });

  it('removes the .tmp leftovers of a dead process, and only those', async () => {
    const dir = tempDir();
    mkdirSync(`${dir}/out`);
    const target = `${dir}/out/left.csv`;
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const deadTmp = tempPathFor(target, dead);
    const liveTmp = tempPathFor(`${dir}/out/other.csv`, process.pid);
    writeFileSync(deadTmp, 'half an export');
    writeFileSync(liveTmp, 'a run in progress');
    writeFileSync(`${dir}/out/.notes.tmp`, 'not ours');
    const r = await run(pipeline(dir, `output:\n  file: ${target}\n`));
    expect(r.code).toBe(0);
    expect(existsSync(deadTmp)).toBe(false);
    expect(existsSync(liveTmp)).toBe(true);
    expect(existsSync(`${dir}/out/.notes.tmp`)).toBe(true);
    expect(r.stderr).toContain(path.basename(deadTmp));
    expect(path.basename(deadTmp)).toContain(String(dead));
    expect(path.basename(deadTmp)).toContain(hostname().replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40));
  });

  it('an export killed mid-way: the next run takes over its lock and removes its .tmp', async () => {
    const dir = tempDir();
    const p = pipeline(dir, `pageSize: 20\nconcurrency: 1\noutput:\n  file: ${dir}/out/killed.csv\n`, 'kill-test');
    emu.setFaults({ latencyMs: 30 });
    const child = spawn(process.execPath, [path.resolve('bin/zbport.js'), 'run', p, '--quiet'], { env: { ...process.env, ...env() }, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Wait until the temporary file has some rows in it, then kill.
    for (let i = 0; i < 600; i++) {
      const tmps = existsSync(`${dir}/out`) ? readdirSync(`${dir}/out`).filter((f) => f.endsWith('.tmp')) : [];
      if (tmps.length && statSync(`${dir}/out/${tmps[0]}`).size > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
    emu.resetFaults();
    expect(readdirSync(`${dir}/out`).filter((f) => f.endsWith('.tmp'))).toHaveLength(1);
    expect(existsSync(`${dir}/state/kill-test.lock`)).toBe(true);
    const r = await run(p);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/took over/);
    expect(readdirSync(`${dir}/out`)).toEqual(['killed.csv']);
    expect(parse(readFileSync(`${dir}/out/killed.csv`), { bom: true })).toHaveLength(emu.store.contacts().length + 1);
  }, 90_000);
});
