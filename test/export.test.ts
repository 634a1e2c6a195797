/**
 * Export pipelines against the emulator: the written file, read back, equals the ERP's contents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { ErpClient } from '../src/erp/client.js';
import { runCommand } from '../src/commands/run.js';
import { acquireLock } from '../src/state/lock.js';
import { runExport } from '../src/export/run-export.js';
import { loadPipeline } from '../src/definition/load.js';
import type { ExportConfig } from '../src/definition/schema.js';
import { openXlsx } from '../src/sources/xlsx/index.js';
import { cellText } from '../src/sources/types.js';
import { silentLogger } from '../src/report/logger.js';
import { birthdayWindow } from '../src/emulator/lists.js';
import { captureOutput } from './helpers/capture.js';
import { tempDir } from './helpers/files.js';

let emu: Emulator;
const env = () => ({ ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' });

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 40, contacts: 2500, randomSeed: 13 }, quiet: true });
});
afterAll(async () => emu?.close());

function pipeline(dir: string, body: string): string {
  const file = path.join(dir, `e${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `name: e-test\nkind: export\nentity: contact\nstateDir: ${dir}/state\n${body}`);
  return file;
}

async function run(p: string, extra: { output?: string; fullRefresh?: boolean } = {}) {
  const cap = captureOutput();
  let code: number;
  try {
    code = await runCommand({ pipeline: p, dryRun: false, json: true, fullRefresh: extra.fullRefresh ?? false, output: extra.output, quiet: true, env: env() });
  } finally {
    cap.restore();
  }
  return { code, summary: cap.stdout.trim() ? JSON.parse(cap.stdout) : undefined, stderr: cap.stderr };
}

/** Every row of every sheet, keyed by header. */
async function readBack(file: string): Promise<Array<Record<string, string>>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const out: Array<Record<string, string>> = [];
  for (let s = 1; s <= wb.worksheets.length; s++) {
    const r = await openXlsx({ file, sheet: s });
    for await (const row of r.rows) out.push(Object.fromEntries(r.headers.map((h, i) => [h, cellText(row.cells[i])])));
  }
  return out;
}

const CAPTIONS: Record<string, string> = { ord: '数据唯一标识', person_name: '联系人姓名', company: '关联客户', sex: '性别', age: '年龄', year1: '生日', mobile: '手机', email: '电子邮件', qq: 'QQ', zip: '邮编', joy: '爱好特长', intro: '备注', date1: '添加时间', name: '客户名称' };

describe('contact export', () => {
  it('writes every contact once, field by field as the ERP holds them, with a styled header', async () => {
    const dir = tempDir();
    const r = await run(pipeline(dir, `pageSize: 97\nconcurrency: 4\noutput:\n  file: ${dir}/all.xlsx\n`));
    expect(r.code).toBe(0);
    const store = emu.store.contacts();
    expect(r.summary).toMatchObject({ rows: store.length, recordcount: store.length, finalRecordcount: store.length, reconciliation: { ok: true } });
    const rows = await readBack(`${dir}/all.xlsx`);
    expect(rows).toHaveLength(store.length);
    const byOrd = new Map(rows.map((x) => [x[CAPTIONS.ord], x]));
    for (const c of store) {
      const got = byOrd.get(c.ord)!;
      for (const id of ['person_name', 'company', 'sex', 'age', 'year1', 'mobile', 'email', 'qq', 'zip', 'joy', 'intro']) expect(got[CAPTIONS[id]], `${c.ord} ${id}`).toBe(c[id] ?? '');
      expect(got[CAPTIONS.date1]).toBe(c.date1);
      expect(got[CAPTIONS.name]).toBe(emu.store.getCustomer(c.company)!.name);
    }
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(`${dir}/all.xlsx`);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('联系人');
    expect(ws.getRow(1).font?.bold ?? ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBeTruthy();
    const mobileCol = (ws.getRow(1).values as string[]).indexOf('手机');
    const zipCol = (ws.getRow(1).values as string[]).indexOf('邮编');
    const withZip = store.findIndex((c) => c.zip.startsWith('0'));
    expect(ws.getRow(withZip + 2).getCell(zipCol).value).toMatch(/^0\d+/); // leading zero kept, as text
    expect(typeof ws.getRow(2).getCell(mobileCol).value).toBe('string');
    const birthdayCol = (ws.getRow(1).values as string[]).indexOf('生日');
    const withBirthday = store.findIndex((c) => c.year1);
    expect(ws.getRow(withBirthday + 2).getCell(birthdayCol).value).toBeInstanceOf(Date);
  });

  it('applies filters, the birthday mode, CSV encodings and column choices', async () => {
    const dir = tempDir();
    const store = emu.store.contacts();
    const women = await run(pipeline(dir, `filters: { sex: 女, date1_0: '2018-01-01', date1_1: '2020-12-31' }\noutput:\n  file: ${dir}/women.csv\n`));
    const expected = store.filter((c) => c.sex === '女' && c.date1.slice(0, 10) >= '2018-01-01' && c.date1.slice(0, 10) <= '2020-12-31');
    expect(women.summary.rows).toBe(expected.length);
    const csv = readFileSync(`${dir}/women.csv`);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines).toHaveLength(expected.length + 1);
    expect(lines[0].split(',')[0]).toBe('数据唯一标识');
    // The CSV parses back to what the ERP holds (csv-stringify's quoting), and the summary says
    // what CSV cannot carry; --quiet still prints the one-line result.
    const parsed = parse(csv, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(parsed.map((r) => r['联系人姓名']).sort()).toEqual(expected.map((c) => c.person_name).sort());
    expect(women.summary.csvNote).toMatch(/^CSV 不保存单元格类型.*前导零.*CSV carries no cell types.*leading zeros/);
    expect(women.stderr).toMatch(new RegExp(`e-test: 导出 ${expected.length} 行 / ${expected.length} rows → .*women\\.csv`));
    expect(women.stderr).not.toContain('CSV 不保存'); // quiet: the note is in the summary only

    const birthdays = await run(pipeline(dir, `filters: { stype: 1, remind: 7 }\ncolumns: [person_name, { field: mobile, caption: 手机号码 }, year1]\noutput:\n  file: ${dir}/b.csv\n  encoding: gb18030\n`));
    const window = birthdayWindow(new Date(), 7);
    const want = store.filter((c) => c.year1 && window.has(c.year1.slice(5, 10)));
    expect(birthdays.summary.rows).toBe(want.length);
    const text = iconv.decode(readFileSync(`${dir}/b.csv`), 'gb18030').trim().split('\r\n');
    expect(text[0]).toBe('联系人姓名,手机号码,生日');
    expect(text.slice(1)).toEqual(want.map((c) => `${c.person_name},${c.mobile},${c.year1}`));
  });

  it('exports customers through the same machinery', async () => {
    const dir = tempDir();
    const file = path.join(dir, `c.yaml`);
    writeFileSync(file, `name: c-test\nkind: export\nentity: customer\nstateDir: ${dir}/state\nfilters: { name: 分公司 }\noutput:\n  file: ${dir}/customers.xlsx\n`);
    const r = await run(file);
    const want = emu.store.customers().filter((c) => c.name.includes('分公司'));
    expect(r.summary).toMatchObject({ entity: 'customer', rows: want.length, reconciliation: { ok: true } });
    const rows = await readBack(`${dir}/customers.xlsx`);
    expect(rows.map((x) => [x['数据唯一标识'], x['客户名称'], x['客户编号']])).toEqual(want.map((c) => [c.ord, c.name, c.khid]));
  });

  it('splits into further sheets at the row limit', async () => {
    const dir = tempDir();
    const r = await run(pipeline(dir, `output:\n  file: ${dir}/split.xlsx\n  maxRowsPerSheet: 1000\n`));
    const n = emu.store.contacts().length;
    expect(r.summary.sheets).toBe(Math.ceil(n / 1000));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(`${dir}/split.xlsx`);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['联系人', '联系人 (2)', '联系人 (3)']);
    expect(wb.worksheets.map((w) => w.actualRowCount)).toEqual([1001, 1001, n - 2000 + 1]);
    expect(String(wb.worksheets[1].getRow(1).getCell(2).value)).toBe('联系人姓名');
    expect(await readBack(`${dir}/split.xlsx`)).toHaveLength(n);
  });

  it('writes formula-like values so spreadsheets show them as text', async () => {
    const client = new ErpClient({ baseUrl: emu.url, user: 'admin', password: 'zbport', serialnum: 'inj1' });
    const company = emu.store.customers()[39].ord;
    await client.saveContact({ company, person_name: '注入测试', intro: '=HYPERLINK("http://x","y")', joy: '@SUM(A1)', mobile: '+8613800000000', job: '-2+3' });
    client.close();
    const dir = tempDir();
    const body = `filters: { company: '${company}' }\noutput:\n  file: ${dir}/inj.`;
    await run(pipeline(dir, `${body}csv\n`));
    const csv = readFileSync(`${dir}/inj.csv`, 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csv).toContain(`'@SUM(A1)`);
    expect(csv).toContain(`'+8613800000000`);
    expect(csv).toContain(`'-2+3`);
    await run(pipeline(dir, `${body}xlsx\n`));
    const JSZip = (await import('jszip')).default;
    const xml = await (await JSZip.loadAsync(readFileSync(`${dir}/inj.xlsx`))).file('xl/worksheets/sheet1.xml')!.async('string');
    expect(xml).not.toContain('<f>');
    expect(xml).toContain('=HYPERLINK(');
    const rows = await readBack(`${dir}/inj.xlsx`);
    expect(rows.find((r) => r['联系人姓名'] === '注入测试')).toMatchObject({ 备注: '=HYPERLINK("http://x","y")', 手机: '+8613800000000' });
  });

  it('exports incrementally from the last successful run, and fully on request', async () => {
    const dir = tempDir();
    const p = pipeline(dir, `incremental: true\noutput:\n  file: ${dir}/inc-{time}.csv\n`);
    const first = await run(p, { output: `${dir}/inc1.csv` });
    expect(first.summary.rows).toBe(emu.store.contacts().length);
    const client = new ErpClient({ baseUrl: emu.url, user: 'admin', password: 'zbport', serialnum: 'inc1' });
    for (const n of ['增量一', '增量二', '增量三']) await client.saveContact({ company: emu.store.customers()[1].ord, person_name: n });
    client.close();
    const second = await run(p, { output: `${dir}/inc2.csv` });
    expect(second.summary).toMatchObject({ incremental: true, rows: 3 });
    expect(readFileSync(`${dir}/inc2.csv`, 'utf8')).toMatch(/增量一[\s\S]*增量二[\s\S]*增量三/);
    const third = await run(p, { output: `${dir}/inc3.csv` });
    expect(third.summary.rows).toBe(0);
    const full = await run(p, { output: `${dir}/full.csv`, fullRefresh: true });
    expect(full.summary.rows).toBe(emu.store.contacts().length);
  });

  it('leaves no file at all when the export fails part-way', async () => {
    const dir = tempDir();
    const loaded = await loadPipeline(pipeline(dir, `pageSize: 100\noutput:\n  file: ${dir}/broken.xlsx\n`));
    if (!loaded.ok) throw new Error('pipeline');
    const client = new ErpClient({ baseUrl: emu.url, user: 'admin', password: 'zbport', serialnum: 'atom1', retries: 0 });
    const err = await runExport({
      config: loaded.pipeline.config as ExportConfig, client, target: emu.url, fullRefresh: false, dryRun: false, log: silentLogger,
      onPage: (i) => {
        if (i === 3) emu.setFaults({ failRate: 1, failKinds: ['html500'] });
      },
    }).catch((e) => e);
    emu.resetFaults();
    client.close();
    expect(err.kind).toBe('transient');
    expect(readdirSync(dir).filter((f) => f.includes('broken'))).toEqual([]);
  });

  it('never runs two exports of one pipeline at once, and takes over a stale lock', async () => {
    const dir = tempDir();
    const p = pipeline(dir, `output:\n  file: ${dir}/locked.csv\n`);
    const lock = acquireLock(`${dir}/state/e-test.lock`, 'zbport run e-test.yaml');
    expect(lock.ok).toBe(true);
    const blocked = await run(p);
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toMatch(/another run is still in progress/);
    expect(existsSync(`${dir}/locked.csv`)).toBe(false);
    if (lock.ok) lock.release();
    writeFileSync(`${dir}/state/e-test.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: 'yesterday' }));
    expect((await run(p)).code).toBe(0);
    expect(existsSync(`${dir}/locked.csv`)).toBe(true);
    expect(existsSync(`${dir}/state/e-test.lock`)).toBe(false);
  });

  it('round trip: an exported workbook edited by an admin re-imports as an update keyed on ord', async () => {
    const dir = tempDir();
    const company = emu.store.customers()[2].ord;
    await run(pipeline(dir, `filters: { company: '${company}' }\noutput:\n  file: ${dir}/rt.xlsx\n`));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(`${dir}/rt.xlsx`);
    const ws = wb.worksheets[0];
    const header = ws.getRow(1).values as string[];
    const target = ws.getRow(2);
    const ord = String(target.getCell(header.indexOf('数据唯一标识')).value);
    const before = { ...emu.store.getContact(ord)! };
    target.getCell(header.indexOf('手机')).value = '13312345678';
    target.getCell(header.indexOf('备注')).value = '管理员修改';
    target.getCell(header.indexOf('爱好特长')).value = null; // blank: keep what the ERP has
    // The sample reads the newest export by default: the edited one, written last.
    mkdirSync(`${dir}/exports`);
    writeFileSync(`${dir}/exports/联系人-20261127.xlsx`, 'an older export');
    utimesSync(`${dir}/exports/联系人-20261127.xlsx`, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await wb.xlsx.writeFile(`${dir}/exports/联系人-20261128-143005.xlsx`);
    const sample = readFileSync('pipelines/contacts-update-from-export.yaml', 'utf8');
    expect(sample).toContain('file: exports/联系人-*.xlsx');
    const updatePipeline = sample.replace('file: exports/', `file: ${dir}/exports/`) + `reports:\n  dir: ${dir}/r/{time}\nstateDir: ${dir}/state\n`;
    writeFileSync(`${dir}/update.yaml`, updatePipeline);
    const cap = captureOutput();
    let code: number;
    try {
      code = await runCommand({ pipeline: `${dir}/update.yaml`, dryRun: false, json: true, fullRefresh: false, quiet: true, env: env() });
    } finally {
      cap.restore();
    }
    const summary = JSON.parse(cap.stdout);
    expect(code, cap.stderr).toBe(0);
    expect(summary.file).toBe(`${dir}/exports/联系人-20261128-143005.xlsx`);
    // --quiet still prints the one-line result.
    expect(cap.stderr).toMatch(/^contacts-update-from-export: 读取 \d+ 行 = 有效 \d+ \+ 无效 0；有效行：创建 0，更新 1，无变化 \d+/m);
    expect(summary).toMatchObject({ updated: 1, rejected: 0, failed: 0 });
    expect(summary.unchanged).toBe(summary.read - 1);
    expect(emu.store.getContact(ord)).toMatchObject({ ...before, mobile: '13312345678', intro: '管理员修改', joy: before.joy });
  });
});
