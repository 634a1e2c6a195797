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

async function importOnce(dir: string, erp = '', profile = PROFILE): Promise<{ code: number; summary: Record<string, unknown>; log: LoggedRequest[] }> {
  const pipeline = path.join(dir, 'p.yaml');
  writeFileSync(pipeline, `name: startup\nkind: import\nentity: contact\n${profile ? `installation: ${profile}\n` : ''}${erp}source: { file: in.csv }\nmapping: { company: 客户名称, person_name: 联系人姓名, mobile: 手机 }\nwrite: { concurrency: 1 }\nreports: { dir: '${dir}/reports/{time}' }\nstateDir: ${dir}/state\n`);
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

async function scenario(contacts: number, erp = '', matching = 0, profile = PROFILE) {
  emu = await startEmulator({ port: 0, seed: { customers: CUSTOMERS, contacts }, faults: { latencyMs: 20 }, quiet: true });
  const dir = tempDir('zbport-startup-');
  const rows = [...existingRows(matching), ...newRows(ROWS - matching)];
  writeCsv(path.join(dir, 'in.csv'), [['客户名称', '联系人姓名', '手机'], ...rows]);
  const first = await importOnce(dir, erp, profile);
  expect(first.code, JSON.stringify(first.summary)).toBe(0);
  expect(first.summary).toMatchObject({ read: ROWS, created: ROWS - matching, unchanged: matching, failed: 0, rejected: 0 });
  // The contacts created are exactly the rows: each once.
  const mine = emu.store.contacts().filter((c) => c.person_name.startsWith('启动')).map((c) => `${c.person_name}/${c.mobile}`).sort();
  expect(mine).toEqual(newRows(ROWS - matching).map((r) => `${r[1]}/${r[2]}`).sort());
  expect(emu.store.contacts()).toHaveLength(contacts + ROWS - matching);
  const again = await importOnce(dir, erp, profile);
  expect(again.code, JSON.stringify(again.summary)).toBe(0);
  expect(again.summary).toMatchObject({ created: 0, unchanged: ROWS, failed: 0 });
  expect(emu.store.contacts()).toHaveLength(contacts + ROWS - matching);
  return first;
}

/**
 * A list read's kind, from its paging, sorting and filters: a list's first unfiltered, unsorted
 * read is its column check (of five rows, or of a whole page where the run loads that page).
 */
function kinds(log: LoggedRequest[]): Map<LoggedRequest, string> {
  const out = new Map<LoggedRequest, string>();
  const checked = new Set<string>();
  for (const r of log) {
    const d = r.datas;
    const list = r.path.includes('/custom/') ? 'customer' : 'contact';
    const unfiltered = d && Object.keys(d).every((k) => k === 'pagesize' || k === 'pageindex');
    let k: string;
    if (r.path.endsWith('/login')) k = 'login';
    else if (r.save) k = 'save';
    else if (!d) k = `${list} other`;
    else if (unfiltered && d.pageindex === '1' && !checked.has(list)) {
      checked.add(list);
      k = `${list} check`;
    } else if (d.pagesize === '1') k = `${list} count`;
    else if (d._rpt_sort === '-ord') k = `${list} newest`;
    else if (d.name || d.person_name) k = `${list} lookup`;
    else k = `${list} load`;
    out.set(r, k);
  }
  return out;
}

/** The checks answer before anything is written; the verifier's first page before the first save. */
function expectOrder(log: LoggedRequest[]): void {
  const kind = kinds(log);
  const checks = log.filter((r) => kind.get(r)!.endsWith('check'));
  expect(checks).toHaveLength(2);
  const preflightOver = Math.max(...checks.map((r) => r.answered));
  const firstSave = log.find((r) => r.save)!;
  expect(firstSave.arrived).toBeGreaterThanOrEqual(preflightOver);
  const mark = log.find((r) => kind.get(r) === 'contact newest')!;
  expect(mark.answered).toBeLessThanOrEqual(firstSave.arrived);
}

/**
 * A run whose contacts fill one page or more: its reads before the first save overlap, in fewer
 * round trips than `before`, in the order expectOrder asks; with its log's request kinds.
 */
async function startOf(run: ReturnType<typeof scenario>, before: { oneAfterAnother: number }) {
  const { log } = await run;
  const start = beforeFirstSave(log);
  expect(start.mostInFlight).toBeGreaterThan(1);
  expect(start.oneAfterAnother).toBeLessThan(before.oneAfterAnother);
  expectOrder(log);
  return { log, kind: kinds(log) };
}

// Measured before the run's start was changed (commit 136288e): requests of the first run, and
// before its first save, all of them one after another.
const BEFORE = { none: { total: 46, oneAfterAnother: 8 }, onePage: { total: 46, oneAfterAnother: 16 }, pages: { total: 50, oneAfterAnother: 20 } };

describe('the start of an import at one row in flight', () => {
  it('no contacts yet: the reads before the first save go out together, in two round trips', async () => {
    const { log } = await scenario(0);
    const kind = kinds(log);
    const start = beforeFirstSave(log);
    // login; then together: the two lists' checks, whose pages carry the lists' record counts (the
    // customers' check reads a whole page, which holds all 50 and is the resolver's load), and
    // the verifier's first page. The contact index is empty without a read.
    expect(start.requests.map((r) => kind.get(r)).sort()).toEqual(['contact check', 'contact newest', 'customer check', 'login']);
    expect(start.mostInFlight).toBe(3);
    expect(start.oneAfterAnother).toBe(2);
    // No count of its own: the checks' pages told them; no load of the customers: the check read them.
    expect(log.filter((r) => kind.get(r)!.endsWith('count'))).toEqual([]);
    expect(log.filter((r) => kind.get(r) === 'customer load')).toEqual([]);
    expectOrder(log);
    // No lookup at all: every row's customer is in the loaded list, and no contact exists.
    expect(log.filter((r) => kind.get(r)!.endsWith('lookup'))).toEqual([]);
    expect(log.length).toBeLessThan(BEFORE.none.total);
  });

  it('one page of contacts: loaded at once, with the customers, and no row looked up', async () => {
    const { log, kind } = await startOf(scenario(120, '', 5), BEFORE.onePage);
    expect(log.filter((r) => kind.get(r) === 'contact load')).toHaveLength(1);
    expect(log.filter((r) => kind.get(r)!.endsWith('lookup'))).toEqual([]);
    expect(log.length).toBeLessThan(BEFORE.onePage.total);
  });

  it('several pages of contacts: rows are looked up until loading them costs less, as before', async () => {
    const { log, kind } = await startOf(scenario(120, 'erp: { maxPageSize: 50 }\n', 5), BEFORE.pages);
    // Three pages (120 contacts, 50 a page): three rows looked up, then the list loaded once.
    const loads = log.filter((r) => kind.get(r) === 'contact load');
    expect(loads.map((r) => r.datas!.pageindex)).toEqual(['1', '2', '3']);
    expect(log.filter((r) => kind.get(r) === 'contact lookup' && r.arrived < loads[0].arrived)).toHaveLength(3);
    expect(log.length).toBeLessThanOrEqual(BEFORE.pages.total);
  });

  it('without a profile: the verifier\'s first page waits for the checks, which may correct the columns it reads', async () => {
    const { log } = await scenario(120, '', 5, '');
    const kind = kinds(log);
    const checks = log.filter((r) => kind.get(r)!.endsWith('check'));
    const newest = log.find((r) => kind.get(r) === 'contact newest')!;
    expect(newest.arrived).toBeGreaterThanOrEqual(Math.max(...checks.map((r) => r.answered)));
    expectOrder(log);
  });
});
