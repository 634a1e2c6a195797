/**
 * Import pipelines end to end: the real CLI command against the emulator as a real HTTP server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { runCommand } from '../src/commands/run.js';
import { tempDir, writeCsv, writeXlsx } from './helpers/files.js';
import { captureOutput } from './helpers/capture.js';

let emu: Emulator;
let dir: string;
let env: NodeJS.ProcessEnv;

const PASSWORD = 'S3cret-Pw-9431';
const HEADERS = ['客户名称', '联系人姓名', '性 别', '年龄', '生日', '手 机', '电子邮件', '爱好特长', '备注'];

function pipeline(extra = '', mapping = ''): string {
  const file = path.join(dir, `p-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `
name: t-import
kind: import
entity: contact
source:
  file: ${path.join(dir, 'in.xlsx')}
mapping:
  company: 客户名称
  person_name: 联系人姓名
  sex: { from: 性别, transforms: [sex] }
  age: 年龄
  year1: 生日
  mobile: { from: 手机, transforms: [phone] }
  email: 电子邮件
  joy: 爱好特长
  intro: 备注
${mapping}
reports:
  dir: ${path.join(dir, 'reports', '{name}-{time}')}
stateDir: ${path.join(dir, 'state')}
${extra}
`);
  return file;
}

async function run(pipelineFile: string, input: string, flags: { dryRun?: boolean } = {}) {
  const cap = captureOutput();
  let code: number;
  try {
    code = await runCommand({ pipeline: pipelineFile, input, dryRun: flags.dryRun ?? false, json: true, fullRefresh: false, quiet: true, env });
  } finally {
    cap.restore();
  }
  const summary = cap.stdout.trim() ? JSON.parse(cap.stdout) : undefined;
  if (summary) expect(JSON.parse(readFileSync(summary.reports.summary, 'utf8'))).toEqual(summary);
  return { code, stderr: cap.stderr, summary };
}

const contactsOf = (company: string) => emu.store.contacts().filter((c) => c.company === company);

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 40, contacts: 50, randomSeed: 7 }, users: [{ user: 'admin', password: PASSWORD }], quiet: true });
  env = { ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: PASSWORD };
});
afterAll(async () => emu?.close());
beforeEach(() => {
  dir = tempDir();
  emu.resetFaults();
});

function customer(name: string) {
  const c = emu.store.customers().find((x) => x.name === name);
  if (!c) throw new Error(`seed has no customer ${name}`);
  return c;
}

describe('contact import', () => {
  it('creates every valid row, once, with the values the file holds', async () => {
    const c = emu.store.customers()[3];
    const input = await writeXlsx(path.join(dir, 'in.xlsx'), {
      Sheet1: [
        HEADERS,
        [c.name, '测试甲', ' 男 ', 30, new Date(Date.UTC(1985, 11, 31)), 13800138000, 'a@example.com', '𠮷'.repeat(10), '备注一'],
        [c.name, '测试乙', '女', null, '1990/1/2', '138-0013-8001', '', '', ''],
      ],
    });
    const before = contactsOf(c.ord).length;
    const r = await run(pipeline(), input);
    expect(r.code).toBe(0);
    expect(r.summary).toMatchObject({ read: 2, valid: 2, rejected: 0, created: 2, failed: 0 });
    const mine = contactsOf(c.ord).filter((x) => x.person_name.startsWith('测试'));
    expect(contactsOf(c.ord).length).toBe(before + 2);
    const a = mine.find((x) => x.person_name === '测试甲')!;
    expect(a).toMatchObject({ sex: '男', age: '30', mobile: '13800138000', email: 'a@example.com', joy: '𠮷'.repeat(10), intro: '备注一' });
    expect(a.year1.slice(0, 10)).toBe('1985-12-31');
    const b = mine.find((x) => x.person_name === '测试乙')!;
    expect(b).toMatchObject({ sex: '女', mobile: '13800138001' });
    expect(b.year1.slice(0, 10)).toBe('1990-01-02');
    // The results file maps each source row to its ord.
    const results = readFileSync(r.summary.reports.results, 'utf8');
    expect(results).toContain(`2,created,${a.ord}`);
    expect(results).toContain(`3,created,${b.ord}`);

    // Running the same file again finds them and writes nothing new.
    const again = await run(pipeline(), input);
    expect(again.code).toBe(0);
    expect(again.summary).toMatchObject({ created: 0, unchanged: 2 });
    expect(contactsOf(c.ord).length).toBe(before + 2);
  });

  it('rejects bad rows into a workbook that can be fixed and re-imported as it is', async () => {
    const c = emu.store.customers()[4];
    const long = `${'名'.repeat(49)}𠮷`; // 51 UTF-16 units
    const input = await writeXlsx(path.join(dir, 'in.xlsx'), {
      联系人: [
        HEADERS,
        [c.name, '好行', '男', 20, '1990-01-02', '13900000001', '', '', ''],
        [c.name, long, '男', 20, '', '', '', '', ''],
        [c.name, '坏日期', '男', 20, '1990-02-30', '', '', '', ''],
        [c.name, '坏性别', '未知', 20, '', '', '', '', ''],
        [c.name, '坏年龄', '女', 'abc', '', '', '', '', ''],
        [c.name, '错误格', '女', { error: '#N/A' }, '', '', '', '', ''],
        [c.name, '', '女', 20, '', '', '', '', ''],
        ['没有这个客户有限公司', '找不到', '女', 20, '', '', '', '', ''],
        [c.name, '好行', '男', 20, '1990-01-02', '13900000001', '', '', ''],
        [c.name, '长备注', '女', 20, '', '', '', '', 'x'.repeat(5001)],
      ],
    });
    const r = await run(pipeline(), input);
    expect(r.code).toBe(1);
    expect(r.summary).toMatchObject({ read: 10, created: 1, rejected: 9 });
    expect(r.summary.problems).toMatchObject({ TOO_LONG: 2, BAD_DATE: 1, BAD_ENUM: 1, NOT_INTEGER: 1, CELL_ERROR: 1, REQUIRED: 1, LOOKUP_MISS: 1, DUPLICATE_IN_FILE: 1 });

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(r.summary.reports.rejects);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('联系人');
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(['原始行号', '错误原因', ...HEADERS]);
    expect(ws.actualRowCount).toBe(10);
    // Rows in source order with their row numbers, whatever order the import finished them in.
    expect(Array.from({ length: 9 }, (_, i) => ws.getRow(i + 2).getCell(1).value)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const nameCell = ws.getRow(2).getCell(4);
    expect(nameCell.value).toBe(long);
    expect(JSON.stringify(nameCell.note)).toContain('TOO_LONG');
    expect(String(ws.getRow(2).getCell(2).value)).toContain('50');
    // Numbers stay numbers (年龄), as the source had them.
    expect(ws.getRow(2).getCell(6).value).toBe(20);
    const reasons = Array.from({ length: 9 }, (_, i) => String(ws.getRow(i + 2).getCell(2).value)).join('\n');
    expect(reasons).toContain('没有这个客户有限公司');
    expect(reasons).toContain('第 2 行');
    // The rejects file goes through the same pipeline: the same rows are rejected for the same reasons.
    const again = await run(pipeline(), r.summary.reports.rejects);
    expect(again.summary).toMatchObject({ read: 9, rejected: 8, created: 0 });
    expect(again.summary.unmappedColumns).toEqual(['原始行号', '错误原因']);
    expect(again.summary.problems).toMatchObject({ TOO_LONG: 2, BAD_DATE: 1, BAD_ENUM: 1, NOT_INTEGER: 1, REQUIRED: 1, LOOKUP_MISS: 1 });
  });

  it('resolves companies exactly although the ERP matches names fuzzily, and lists candidates', async () => {
    const seed = emu.store.customers();
    const branch = seed.find((x) => /分公司$/.test(x.name) && seed.some((y) => y.name !== x.name && x.name.startsWith(y.name)));
    expect(branch, 'the seed has a company and its 分公司').toBeTruthy();
    const parentName = seed.find((y) => branch!.name.startsWith(y.name) && y.name !== branch!.name)!.name;
    const dup = seed.find((x) => seed.filter((y) => y.name === x.name).length > 1);
    expect(dup, 'the seed has two customers with one name').toBeTruthy();
    const input = await writeXlsx(path.join(dir, 'in.xlsx'), {
      Sheet1: [HEADERS, [parentName, '总部联系人', '男', 40, '', '', '', '', ''], [` ${branch!.name} `, '分公司联系人', '女', 41, '', '', '', '', ''], [dup!.name, '重名客户的人', '女', 41, '', '', '', '', '']],
    });
    const r = await run(pipeline(), input);
    expect(r.summary).toMatchObject({ created: 2, rejected: 1 });
    expect(r.summary.problems).toMatchObject({ LOOKUP_AMBIGUOUS: 1 });
    const parent = seed.find((x) => x.name === parentName)!;
    expect(contactsOf(parent.ord).some((x) => x.person_name === '总部联系人')).toBe(true);
    expect(contactsOf(branch!.ord).some((x) => x.person_name === '分公司联系人')).toBe(true);
  });

  it('updates without blanking what the file leaves empty, and honours each mode', async () => {
    const c = emu.store.customers()[5];
    const first = await writeXlsx(path.join(dir, 'in.xlsx'), { Sheet1: [HEADERS, [c.name, '模式测试', '男', 33, '1980-05-06', '13700000000', 'm@example.com', '游泳', '原备注']] });
    expect((await run(pipeline(), first)).summary).toMatchObject({ created: 1 });
    const edit = await writeXlsx(path.join(dir, 'edit.xlsx'), { Sheet1: [HEADERS, [c.name, '模式测试', '', 34, '', '13700000000', '', '', '新备注']] });
    const r = await run(pipeline(), edit);
    expect(r.summary).toMatchObject({ updated: 1, created: 0 });
    const rec = contactsOf(c.ord).find((x) => x.person_name === '模式测试')!;
    expect(rec).toMatchObject({ sex: '男', age: '34', email: 'm@example.com', joy: '游泳', intro: '新备注' });

    const insert = await run(pipelineWithMode('insert'), edit);
    expect(insert.summary.problems).toMatchObject({ EXISTS: 1 });
    expect((await run(pipelineWithMode('skip-existing'), edit)).summary).toMatchObject({ skipped: 1 });
    const missing = await writeXlsx(path.join(dir, 'missing.xlsx'), { Sheet1: [HEADERS, [c.name, '不存在的人', '男', 1, '', '13700000009', '', '', '']] });
    expect((await run(pipelineWithMode('update'), missing)).summary.problems).toMatchObject({ NOT_FOUND: 1 });
    expect(contactsOf(c.ord).filter((x) => x.person_name === '不存在的人')).toHaveLength(0);
  });

  it('dry-run reports what would happen and writes nothing', async () => {
    const c = emu.store.customers()[6];
    const existing = emu.store.contacts().find((x) => x.mobile && x.company !== c.ord)!;
    const existingCompany = emu.store.getCustomer(existing.company)!.name;
    const input = await writeXlsx(path.join(dir, 'in.xlsx'), {
      Sheet1: [HEADERS, [c.name, '演练', '男', 1, '', '13600000000', '', '', ''], [c.name, '', '男', 1, '', '', '', '', ''], [existingCompany, existing.person_name, '', '', '', existing.mobile, '', '', '演练更新']],
    });
    const saves = emu.counters.saves;
    const r = await run(pipeline(), input, { dryRun: true });
    expect(r.summary).toMatchObject({ dryRun: true, wouldCreate: 1, wouldUpdate: 1, rejected: 1, created: 0 });
    expect(readFileSync(r.summary.reports.results, 'utf8')).toContain(`would-update,${existing.ord}`);
    expect(emu.counters.saves).toBe(saves);
  });

  it('reads GB18030 CSV as Excel saves it on Chinese Windows', async () => {
    const c = emu.store.customers()[7];
    const input = writeCsv(path.join(dir, 'in.csv'), [HEADERS, [c.name, '编码䶮测试', '女', '22', '2001年2月3日', '13500000000', '', '', '']], 'gb18030');
    const r = await run(pipeline(), input);
    expect(r.summary).toMatchObject({ created: 1 });
    const rec = contactsOf(c.ord).find((x) => x.person_name === '编码䶮测试')!;
    expect(rec.year1.slice(0, 10)).toBe('2001-02-03');
  });

  it('imports a CSV parsed on a second thread (as large files are) with the same rows, numbers and rejections', async () => {
    const c = emu.store.customers()[9];
    const rows = Array.from({ length: 1500 }, (_, i) => [c.name, `线程${i}`, i % 2 ? '男' : '女', '', '', `139${String(i).padStart(8, '0')}`, '', '', i === 700 ? '长'.repeat(5001) : `第${i}行`]);
    rows[1200] = [...rows[3]];
    const input = writeCsv(path.join(dir, 'in.csv'), [HEADERS, ...rows], 'utf8');
    const before = contactsOf(c.ord).length;
    process.env.ZBPORT_CSV_THREAD_MIN_BYTES = '0';
    let r;
    try {
      r = await run(pipeline('write: { concurrency: 8 }'), input);
    } finally {
      delete process.env.ZBPORT_CSV_THREAD_MIN_BYTES;
    }
    expect(r.summary).toMatchObject({ read: 1500, rejected: 2, created: 1498, failed: 0 });
    expect(r.summary.problems).toEqual({ TOO_LONG: 1, DUPLICATE_IN_FILE: 1 });
    const mine = contactsOf(c.ord).filter((x) => x.person_name.startsWith('线程'));
    expect(contactsOf(c.ord).length).toBe(before + 1498);
    expect(new Set(mine.map((x) => x.person_name)).size).toBe(1498);
    expect(mine.find((x) => x.person_name === '线程1499')).toMatchObject({ mobile: '13900001499', intro: '第1499行' });
    const results = readFileSync(r.summary.reports.results, 'utf8');
    expect(results).toMatch(/^702,rejected,,TOO_LONG,/m);
    expect(results).toMatch(/^1202,rejected,,DUPLICATE_IN_FILE,.*第 5 行/m);
  });

  it('never shows the password or the session', async () => {
    const c = emu.store.customers()[8];
    const input = await writeXlsx(path.join(dir, 'in.xlsx'), { Sheet1: [HEADERS, [c.name, '保密', '男', 1, '', '', '', '', '']] });
    const r = await run(pipeline(), input);
    const everything = [r.stderr, JSON.stringify(r.summary), readFileSync(r.summary.reports.results, 'utf8')].join('\n');
    expect(everything).not.toContain(PASSWORD);
    const cap = captureOutput();
    let bad: number;
    try {
      bad = await runCommand({ pipeline: pipeline(), input, dryRun: false, json: false, fullRefresh: false, quiet: false, env: { ...env, ZB_PASSWORD: 'wrong-secret-pw' } });
    } finally {
      cap.restore();
    }
    expect(bad).toBe(2);
    expect(cap.stderr).toMatch(/login|登录|密码/i);
    expect(cap.stderr + cap.stdout).not.toContain('wrong-secret-pw');
  });
});

function pipelineWithMode(mode: string): string {
  return pipeline(`write:\n  mode: ${mode}\n`);
}

