/**
 * `write.concurrency: auto` against an ERP that takes N requests at once and answers the rest
 * with HTTP 500 "服务器太忙 (Server Too Busy)": the limit settles near N and no row fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { runCommand } from '../src/commands/run.js';
import { tempDir, writeCsv } from './helpers/files.js';
import { captureOutput } from './helpers/capture.js';

const N = 12;
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0, quiet: true, seed: { customers: 20, contacts: 0, randomSeed: 5 }, users: [{ user: 'admin', password: 'auto-pw' }],
    faults: { latencyMs: 50, maxInFlight: N, overflow: 'fail' },
  });
});
afterAll(async () => emu?.close());

describe('write.concurrency: auto', () => {
  it(`grows from 8 to within 20% of an ERP that takes ${N} requests at once, without a failed row`, async () => {
    // The default write block: concurrency auto, from 8, up to 64.
    const summary = await importAuto(workspace(1500, '并发'));
    const said = JSON.stringify({ ...summary, reports: undefined });
    expect(summary.created, said).toBe(1500);
    expect(summary.concurrency.mode).toBe('auto');
    expect(emu.counters.inFlightMax).toBeLessThanOrEqual(N);
    expect(summary.concurrency.max, said).toBeGreaterThan(8);
    expect(summary.concurrency.median, said).toBeGreaterThanOrEqual(N * 0.8);
    expect(summary.concurrency.median, said).toBeLessThanOrEqual(N * 1.2);
  }, 120_000);

  it(`started above what the ERP takes, comes down to within 20% of ${N} on its refusals, without a failed row`, async () => {
    emu.counters.inFlightMax = 0;
    const summary = await importAuto(workspace(1500, '回退', 'write: { initialConcurrency: 30 }\n'));
    const said = JSON.stringify({ ...summary, reports: undefined });
    expect(summary.created, said).toBe(1500);
    // It was refused (HTTP 500 服务器太忙), retried those requests and came back near N.
    expect(summary.concurrency.failures, said).toBeGreaterThan(0);
    expect(emu.counters.inFlightMax).toBe(N);
    expect(summary.concurrency.median, said).toBeGreaterThanOrEqual(N * 0.8);
    expect(summary.concurrency.median, said).toBeLessThanOrEqual(N * 1.2);
    expect(summary.concurrency.final, said).toBeLessThan(30);
  }, 120_000);

  it('an ERP that freezes is noticed as fast as with a fixed limit: the rows in flight keep their slots while the limit falls', async () => {
    emu.setFaults({ maxInFlight: 0, latencyMs: 20 });
    const { input, pipeline } = workspace(600, '冻结');
    const cap = captureOutput();
    let code: number;
    const running = runCommand({ pipeline, input, dryRun: false, json: true, fullRefresh: false, quiet: true, env: env() });
    let frozenAt = 0;
    try {
      while (emu.store.contacts().filter((c) => c.person_name.startsWith('冻结')).length < 50) await new Promise((r) => setTimeout(r, 50));
      // Every request from now on is accepted and never answered.
      emu.setFaults({ failRate: 1, failKinds: ['hang'] });
      frozenAt = Date.now();
      code = await running;
    } finally {
      cap.restore();
      emu.resetFaults();
    }
    const stoppedAfter = Date.now() - frozenAt;
    const summary = JSON.parse(cap.stdout);
    const said = JSON.stringify({ ...summary, reports: undefined });
    expect(code, said).toBe(3);
    expect(summary.aborted, said).toMatch(/ERP 不可用|stopped answering/);
    expect(summary.failed, said).toBe(0);
    // The limit fell (time-outs are failures) and the stop came within the minute of test/stops.test.ts.
    expect(summary.concurrency.final, said).toBeLessThan(summary.concurrency.max);
    expect(stoppedAfter, said).toBeLessThan(60_000);
  }, 120_000);
});

/** Runs the import with --json; it must end with status 0 and no failed row. */
async function importAuto(w: { input: string; pipeline: string }) {
  const cap = captureOutput();
  let code: number;
  try {
    code = await runCommand({ pipeline: w.pipeline, input: w.input, dryRun: false, json: true, fullRefresh: false, quiet: true, env: env() });
  } finally {
    cap.restore();
  }
  const summary = JSON.parse(cap.stdout);
  // A failed row's reason, for the message of a failing test.
  const failedRows = summary.reports.results ? readFileSync(summary.reports.results, 'utf8').split('\n').filter((l) => l.includes('failed')).slice(0, 3) : [];
  const said = JSON.stringify({ ...summary, reports: undefined, failedRows });
  expect(code, said).toBe(0);
  expect(summary.failed, said).toBe(0);
  return summary;
}

const env = () => ({ ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'auto-pw' });

/** A CSV of `rows` contacts named `tag`00000…, and a pipeline with the default write block (concurrency auto). */
function workspace(rows: number, tag: string, extra = ''): { dir: string; input: string; pipeline: string } {
  const dir = tempDir();
  const customers = emu.store.customers().filter((c) => emu.store.customers().filter((x) => x.name === c.name).length === 1);
  const data = [['客户名称', '联系人姓名', '手机']];
  for (let i = 0; i < rows; i++) data.push([customers[i % customers.length].name, `${tag}${String(i).padStart(5, '0')}`, `1${String(3e9 + i * 7).padStart(10, '0')}`]);
  const input = writeCsv(path.join(dir, 'in.csv'), data, 'utf8-bom');
  const pipeline = path.join(dir, 'p.yaml');
  writeFileSync(pipeline, `name: auto\nkind: import\nentity: contact\nsource: { file: in.csv }\nmapping: { company: 客户名称, person_name: 联系人姓名, mobile: 手机 }\nreports: { dir: '${path.join(dir, 'reports', '{time}')}' }\nstateDir: ${path.join(dir, 'state')}\n${extra}`);
  return { dir, input, pipeline };
}
