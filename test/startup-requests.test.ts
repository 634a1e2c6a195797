/**
 * The start of an import at one row in flight: a run must be at least as fast as a script that
 * posts one save after another, so what it reads before its first save must go out together, not
 * one request after another, and cost no more requests than before. Read off the emulator's
 * request log (arrival and answer times), against an ERP with no contacts, one page of them and
 * several pages; every run is then run again and must create nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator, type LoggedRequest } from '../src/emulator/index.js';
import { customerName } from '../src/emulator/seed.js';
import { runCommand } from '../src/commands/run.js';
import { tempDir, writeCsv } from './helpers/files.js';
import { captureOutput } from './helpers/capture.js';

const PROFILE = path.resolve('installations/emulator.yaml');
const CUSTOMERS = 50;
const ROWS = 30;

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/**
 * What reached the server before the first save: the requests, how many were in flight at once at
 * most, and how many were sent one after another (the longest chain of requests each sent after the
 * one before was answered: round trips the first save waited for).
 */
function beforeFirstSave(log: LoggedRequest[]): { requests: LoggedRequest[]; mostInFlight: number; oneAfterAnother: number } {
  const firstSave = log.findIndex((r) => r.save);
  const requests = firstSave < 0 ? log : log.slice(0, firstSave);
  let mostInFlight = 0;
  for (const r of requests) mostInFlight = Math.max(mostInFlight, requests.filter((o) => o.arrived <= r.arrived && o.answered > r.arrived).length);
  const chain = new Map<LoggedRequest, number>();
  for (const r of requests) chain.set(r, 1 + Math.max(0, ...requests.filter((o) => o.answered <= r.arrived).map((o) => chain.get(o)!)));
  return { requests, mostInFlight, oneAfterAnother: Math.max(0, ...chain.values()) };
}

const describeRequest = (r: LoggedRequest) => `${r.path} ${r.cmdkey} ${r.datas ? JSON.stringify(r.datas) : ''}`.trim();

async function importOnce(dir: string, erp = ''): Promise<{ code: number; summary: Record<string, unknown>; log: LoggedRequest[] }> {
  const pipeline = path.join(dir, 'p.yaml');
  writeFileSync(pipeline, `name: startup\nkind: import\nentity: contact\ninstallation: ${PROFILE}\n${erp}source: { file: in.csv }\nmapping: { company: 客户名称, person_name: 联系人姓名, mobile: 手机 }\nwrite: { concurrency: 1 }\nreports: { dir: '${dir}/reports/{time}' }\nstateDir: ${dir}/state\n`);
  emu!.resetCounters();
  const cap = captureOutput();
  let code: number;
  try {
    code = await runCommand({ pipeline, input: path.join(dir, 'in.csv'), dryRun: false, json: true, fullRefresh: false, quiet: true, env: { ZB_BASE_URL: emu!.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' } });
  } finally {
    cap.restore();
  }
  return { code, summary: JSON.parse(cap.stdout), log: emu!.requestLog() };
}

/** Rows for new contacts of the seed's generated customers (their names are unique). */
function newRows(n: number): string[][] {
  return Array.from({ length: n }, (_, i) => [customerName(31 + (i % (CUSTOMERS - 31))), `启动${i}`, `139${String(i).padStart(8, '0')}`]);
}

/** Rows naming contacts the ERP already has (of customers whose names are unique). */
function existingRows(n: number): string[][] {
  return emu!.store.contacts()
    .filter((c) => Number(c.company) > 31 && c.mobile)
    .slice(0, n)
    .map((c) => [emu!.store.getCustomer(c.company)!.name, c.person_name, c.mobile]);
}

async function scenario(contacts: number, erp = '', matching = 0) {
  emu = await startEmulator({ port: 0, seed: { customers: CUSTOMERS, contacts }, faults: { latencyMs: 20 }, quiet: true });
  const dir = tempDir('zbport-startup-');
  const rows = [...existingRows(matching), ...newRows(ROWS - matching)];
  writeCsv(path.join(dir, 'in.csv'), [['客户名称', '联系人姓名', '手机'], ...rows]);
  const first = await importOnce(dir, erp);
  expect(first.code, JSON.stringify(first.summary)).toBe(0);
  expect(first.summary).toMatchObject({ read: ROWS, created: ROWS - matching, unchanged: matching, failed: 0, rejected: 0 });
  // The contacts created are exactly the rows: each once.
  const mine = emu.store.contacts().filter((c) => c.person_name.startsWith('启动')).map((c) => `${c.person_name}/${c.mobile}`).sort();
  expect(mine).toEqual(newRows(ROWS - matching).map((r) => `${r[1]}/${r[2]}`).sort());
  expect(emu.store.contacts()).toHaveLength(contacts + ROWS - matching);
  const again = await importOnce(dir, erp);
  expect(again.code, JSON.stringify(again.summary)).toBe(0);
  expect(again.summary).toMatchObject({ created: 0, unchanged: ROWS, failed: 0 });
  expect(emu.store.contacts()).toHaveLength(contacts + ROWS - matching);
  return first;
}

/** A list read's kind, from its paging, sorting and filters. */
function kind(r: LoggedRequest): string {
  if (r.path.endsWith('/login')) return 'login';
  if (r.save) return 'save';
  const d = r.datas;
  const list = r.path.includes('/custom/') ? 'customer' : 'contact';
  if (!d) return `${list} other`;
  if (d.pagesize === '5') return `${list} check`;
  if (d.pagesize === '1') return `${list} count`;
  if (d._rpt_sort === '-ord') return `${list} newest`;
  if (d.name || d.person_name) return `${list} lookup`;
  return `${list} load`;
}

/** Preflight first, then the rest; no save before the verifier's first page has answered. */
function expectOrder(requests: LoggedRequest[], log: LoggedRequest[]): void {
  const checks = requests.filter((r) => kind(r).endsWith('check'));
  expect(checks).toHaveLength(2);
  const preflightOver = Math.max(...checks.map((r) => r.answered));
  for (const r of requests.slice(1)) if (!kind(r).endsWith('check')) expect(r.arrived, describeRequest(r)).toBeGreaterThanOrEqual(preflightOver);
  const mark = requests.find((r) => kind(r) === 'contact newest')!;
  expect(mark.answered).toBeLessThanOrEqual(log.find((r) => r.save)!.arrived);
}

// Measured before the run's start was changed (commit 136288e): requests of the first run, and
// before its first save, all of them one after another.
const BEFORE = { none: { total: 46, oneAfterAnother: 8 }, onePage: { total: 46, oneAfterAnother: 16 }, pages: { total: 50, oneAfterAnother: 20 } };

describe('the start of an import at one row in flight', () => {
  it('no contacts yet: the reads before the first save go out together, in three round trips', async () => {
    const { log } = await scenario(0);
    const start = beforeFirstSave(log);
    // login; the two lists' checks, whose pages carry the lists' record counts; the verifier's
    // first page with the customer list, one page (50 customers): the contact index is empty
    // without a read.
    expect(start.requests.map(kind).sort()).toEqual(['contact check', 'contact newest', 'customer check', 'customer load', 'login']);
    expect(start.mostInFlight).toBeGreaterThan(1);
    expect(start.oneAfterAnother).toBeLessThanOrEqual(3);
    // No count of its own: the checks' pages told them.
    expect(log.filter((r) => kind(r).endsWith('count'))).toEqual([]);
    expectOrder(start.requests, log);
    // No lookup at all: every row's customer is in the loaded list, and no contact exists.
    expect(log.filter((r) => kind(r).endsWith('lookup'))).toEqual([]);
    expect(log.length).toBeLessThan(BEFORE.none.total);
  });

  it('one page of contacts: loaded at once, with the customers, and no row looked up', async () => {
    const { log } = await scenario(120, '', 5);
    const start = beforeFirstSave(log);
    expect(start.mostInFlight).toBeGreaterThan(1);
    expect(start.oneAfterAnother).toBeLessThan(BEFORE.onePage.oneAfterAnother);
    expectOrder(start.requests, log);
    expect(log.filter((r) => kind(r) === 'contact load')).toHaveLength(1);
    expect(log.filter((r) => kind(r).endsWith('lookup'))).toEqual([]);
    expect(log.length).toBeLessThan(BEFORE.onePage.total);
  });

  it('several pages of contacts: rows are looked up until loading them costs less, as before', async () => {
    const { log } = await scenario(120, 'erp: { maxPageSize: 50 }\n', 5);
    const start = beforeFirstSave(log);
    expect(start.mostInFlight).toBeGreaterThan(1);
    expect(start.oneAfterAnother).toBeLessThan(BEFORE.pages.oneAfterAnother);
    expectOrder(start.requests, log);
    // Three pages (120 contacts, 50 a page): three rows looked up, then the list loaded once.
    const loads = log.filter((r) => kind(r) === 'contact load');
    expect(loads.map((r) => r.datas!.pageindex)).toEqual(['1', '2', '3']);
    expect(log.filter((r) => kind(r) === 'contact lookup' && r.arrived < loads[0].arrived)).toHaveLength(3);
    expect(log.length).toBeLessThanOrEqual(BEFORE.pages.total);
  });
});
