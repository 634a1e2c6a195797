/**
 * Issue 12, item 2: re-running a finished follow-up import posted every follow-up again
 * (12 rows → 24 → 36 records). The ledger of follow-ups already posted, kept across runs and
 * files, makes a re-run or a re-import report "done earlier" instead; `write.repost: true` posts
 * again on purpose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { runCommand } from '../src/commands/run.js';
import { captureOutput } from './helpers/capture.js';
import { tempDir, writeXlsx, type CellInput } from './helpers/files.js';

let emu: Emulator;
const env = (e: Emulator = emu) => ({ ZB_BASE_URL: e.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' });
const HEADERS = ['客户', '联系人', '内容', '方式', '日程'];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 30, contacts: 300, randomSeed: 21 }, quiet: true });
});
afterAll(async () => emu?.close());

function uniqueContacts(e: Emulator = emu) {
  const customers = e.store.customers();
  const all = e.store.contacts();
  return all.filter((c) => {
    const company = e.store.getCustomer(c.company)!.name;
    return customers.filter((x) => x.name === company).length === 1 && all.filter((x) => x.company === c.company && x.person_name === c.person_name).length === 1;
  });
}

function pipeline(dir: string, extra = '', erp = ''): string {
  const file = path.join(dir, `f-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `
name: ledger-test
kind: import
entity: followup
${erp}
source:
  file: in.xlsx
contactLookup:
  by: company+name
  companyColumn: 客户
  nameColumn: 联系人
mapping:
  intro: 内容
  sort: 方式
  plantype: 日程
write:
  concurrency: 4
${extra}
reports:
  dir: ${path.join(dir, 'reports', '{time}')}
stateDir: ${path.join(dir, 'state')}
`);
  return file;
}

async function run(p: string, input: string, opts: { dryRun?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const cap = captureOutput();
  let code: number;
  try {
    code = await runCommand({ pipeline: p, input, dryRun: opts.dryRun ?? false, json: true, fullRefresh: false, quiet: false, env: opts.env ?? env() });
  } finally {
    cap.restore();
  }
  return { code, summary: JSON.parse(cap.stdout), stderr: cap.stderr };
}

const stored = (e: Emulator, intro: string) => e.store.followups().filter((f) => f.intro === intro).length;

async function followupFile(file: string, rows: Array<[ReturnType<typeof uniqueContacts>[number], string]>, e: Emulator = emu): Promise<string> {
  const data: CellInput[][] = [HEADERS, ...rows.map(([c, text]) => [e.store.getCustomer(c.company)!.name, c.person_name, text, '电话', '不生成'])];
  return writeXlsx(file, { 洽谈进展: data });
}

describe('follow-up ledger', () => {
  it('a follow-up file imported twice is stored once; the second run says done earlier', async () => {
    const cs = uniqueContacts().slice(0, 12);
    const dir = tempDir();
    const texts = cs.map((_, i) => `台账测试${i}`);
    const input = await followupFile(path.join(dir, 'in.xlsx'), cs.map((c, i) => [c, texts[i]]));
    const p = pipeline(dir);
    const first = await run(p, input);
    expect(first.code).toBe(0);
    expect(first.summary).toMatchObject({ created: 12, doneEarlier: 0 });
    const second = await run(p, input);
    expect(second.code).toBe(0);
    expect(second.summary).toMatchObject({ created: 0, doneEarlier: 12, failed: 0 });
    expect(texts.map((t) => stored(emu, t))).toEqual(texts.map(() => 1));
    const results = readFileSync(second.summary.reports.results, 'utf8');
    expect(results).toMatch(/已于早前导入/);
    expect(results).toMatch(/done earlier/);
    expect(second.stderr).toMatch(/write\.repost/);
    // A dry run predicts the same.
    const dry = await run(p, input, { dryRun: true });
    expect(dry.summary).toMatchObject({ doneEarlier: 12, wouldCreate: 0 });
  });

  it('recognises the same follow-ups in another file, in another order, and posts only the new ones', async () => {
    const cs = uniqueContacts().slice(12, 18);
    const dir = tempDir();
    const p = pipeline(dir);
    await run(p, await followupFile(path.join(dir, 'a.xlsx'), cs.slice(0, 4).map((c, i) => [c, `另一文件${i}`])));
    const rows = [...cs.slice(0, 4).map((c, i) => [c, `另一文件${i}`] as [typeof c, string]).reverse(), [cs[4], '另一文件新'] as [typeof cs[4], string]];
    const r = await run(p, await followupFile(path.join(dir, 'other name.xlsx'), rows));
    expect(r.summary).toMatchObject({ created: 1, doneEarlier: 4 });
    for (let i = 0; i < 4; i++) expect(stored(emu, `另一文件${i}`)).toBe(1);
    expect(stored(emu, '另一文件新')).toBe(1);
  });

  it('identical rows stay distinct follow-ups by their occurrence in the file', async () => {
    const [c] = uniqueContacts().slice(20, 21);
    const dir = tempDir();
    const p = pipeline(dir);
    const two = await run(p, await followupFile(path.join(dir, 'two.xlsx'), [[c, '重复行'], [c, '重复行']]));
    expect(two.summary.created).toBe(2);
    const three = await run(p, await followupFile(path.join(dir, 'three.xlsx'), [[c, '重复行'], [c, '重复行'], [c, '重复行']]));
    expect(three.summary).toMatchObject({ created: 1, doneEarlier: 2 });
    expect(stored(emu, '重复行')).toBe(3);
  });

  it('posts again on purpose with write.repost: true', async () => {
    const cs = uniqueContacts().slice(22, 25);
    const dir = tempDir();
    const input = await followupFile(path.join(dir, 'in.xlsx'), cs.map((c, i) => [c, `重发${i}`]));
    await run(pipeline(dir), input);
    const again = await run(pipeline(dir, '  repost: true'), input);
    expect(again.summary).toMatchObject({ created: 3, doneEarlier: 0 });
    for (let i = 0; i < 3; i++) expect(stored(emu, `重发${i}`)).toBe(2);
    // What was reposted is in the ledger too: without the option the next run posts nothing.
    expect((await run(pipeline(dir), input)).summary).toMatchObject({ created: 0, doneEarlier: 3 });
  });

  it('keeps one ledger per ERP: the same rows go to another ERP', async () => {
    const other = await startEmulator({ port: 0, seed: { customers: 30, contacts: 300, randomSeed: 21 }, quiet: true });
    try {
      const cs = uniqueContacts().slice(26, 28);
      const dir = tempDir();
      const input = await followupFile(path.join(dir, 'in.xlsx'), cs.map((c, i) => [c, `两个ERP${i}`]));
      await run(pipeline(dir), input);
      const r = await run(pipeline(dir), input, { env: env(other) });
      expect(r.summary).toMatchObject({ created: 2, doneEarlier: 0 });
      expect(stored(other, '两个ERP0')).toBe(1);
      expect(stored(emu, '两个ERP0')).toBe(1);
      const ledgers = readdirSync(path.join(dir, 'state')).filter((f) => f.endsWith('.ledger.jsonl'));
      expect(ledgers).toHaveLength(2);
      const meta = readdirSync(path.join(dir, 'state')).filter((f) => f.endsWith('.ledger.json')).map((f) => JSON.parse(readFileSync(path.join(dir, 'state', f), 'utf8')));
      expect(meta.map((m) => m.erp).sort()).toEqual([emu.url, other.url].sort());
    } finally {
      await other.close();
    }
  });

  it('the sample set-up (built-in emulator on a data folder, a new port each run): 12 rows stay 12', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'emu');
    const seeded = await startEmulator({ port: 0, dataDir: data, seed: { customers: 30, contacts: 200, randomSeed: 4 }, quiet: true });
    const cs = uniqueContacts(seeded).slice(0, 12);
    const input = await followupFile(path.join(dir, 'in.xlsx'), cs.map((c, i) => [c, `样例${i}`]), seeded);
    await seeded.close();
    const p = pipeline(dir, '', `erp:\n  fallback: emulator\n  emulatorData: ${data}`);
    const noErp = { PATH: process.env.PATH };
    expect((await run(p, input, { env: noErp })).summary).toMatchObject({ created: 12 });
    expect((await run(p, input, { env: noErp })).summary).toMatchObject({ created: 0, doneEarlier: 12 });
    const check = await startEmulator({ port: 0, dataDir: data, quiet: true });
    try {
      expect(cs.map((_, i) => stored(check, `样例${i}`))).toEqual(cs.map(() => 1));
    } finally {
      await check.close();
    }
  });
});
