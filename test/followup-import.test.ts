/**
 * Follow-up (洽谈进展) imports through the same pipeline machinery as contacts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { ErpClient } from '../src/erp/client.js';
import { runCommand } from '../src/commands/run.js';
import { captureOutput } from './helpers/capture.js';
import { tempDir, writeXlsx, type CellInput } from './helpers/files.js';

let emu: Emulator;
const env = () => ({ ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' });
const HEADERS = ['客户', '联系人', '手机', '联系人ID', '内容', '方式', '日程', '开始', '结束', '日程内容', '完成情况', '计划开始', '计划结束', '待办', '提醒'];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 30, contacts: 300, randomSeed: 9 }, quiet: true });
});
afterAll(async () => emu?.close());

/** Contacts whose company name, company+name and mobile are each unique, so every lookup way works. */
function uniqueContacts() {
  const customers = emu.store.customers();
  const nameCount = (n: string) => customers.filter((c) => c.name === n).length;
  const all = emu.store.contacts();
  return all.filter((c) => {
    const company = emu.store.getCustomer(c.company)!.name;
    return nameCount(company) === 1
      && all.filter((x) => x.company === c.company && x.person_name === c.person_name).length === 1
      && all.filter((x) => x.mobile === c.mobile).length === 1;
  });
}

function pipeline(dir: string, by: string, extra = ''): string {
  const file = path.join(dir, `f-${by.replace('+', '-')}.yaml`);
  writeFileSync(file, `
name: f-test
kind: import
entity: followup
source:
  file: in.xlsx
contactLookup:
  by: ${by}
  companyColumn: 客户
  nameColumn: 联系人
  mobileColumn: 手机
  ordColumn: 联系人ID
mapping:
  intro: 内容
  sort: 方式
  plantype: 日程
  '@ret2_0': 开始
  '@ret2_1': 结束
  '@title2': 日程内容
  '@intro2': 完成情况
  '@ret_0': 计划开始
  '@ret_1': 计划结束
  '@title1': 待办
  '@remind': 提醒
write:
  concurrency: 4
reports:
  dir: ${path.join(dir, 'reports', '{time}')}
stateDir: ${path.join(dir, 'state')}
${extra}`);
  return file;
}

async function run(p: string, input: string) {
  const cap = captureOutput();
  let code: number;
  try {
    code = await runCommand({ pipeline: p, input, dryRun: false, json: true, fullRefresh: false, quiet: true, env: env() });
  } finally {
    cap.restore();
  }
  return { code, summary: JSON.parse(cap.stdout) };
}

const followupsWith = (intro: string) => emu.store.followups().filter((f) => f.intro === intro);

describe('follow-up import', () => {
  it('finds the contact by company + name, by mobile and by ord', async () => {
    const [a, b, c] = uniqueContacts();
    const dir = tempDir();
    const row = (x: typeof a, text: string): CellInput[] => [emu.store.getCustomer(x.company)!.name, x.person_name, x.mobile, x.ord, text, '电话', '不生成'];
    const input = await writeXlsx(path.join(dir, 'in.xlsx'), { S: [HEADERS, row(a, '按名称找到'), row(b, '按名称找到2')] });
    expect((await run(pipeline(dir, 'company+name'), input)).summary).toMatchObject({ created: 2, rejected: 0 });
    expect(followupsWith('按名称找到')).toMatchObject([{ ord: a.ord, sort: '481', plantype: '0', datatype: 'person' }]);
    const byMobile = await writeXlsx(path.join(dir, 'm.xlsx'), { S: [HEADERS, row(c, '按手机找到')] });
    expect((await run(pipeline(dir, 'mobile'), byMobile)).summary).toMatchObject({ created: 1 });
    expect(followupsWith('按手机找到')[0].ord).toBe(c.ord);
    const byOrd = await writeXlsx(path.join(dir, 'o.xlsx'), { S: [HEADERS, row(b, '按ID找到')] });
    expect((await run(pipeline(dir, 'ord'), byOrd)).summary).toMatchObject({ created: 1 });
    expect(followupsWith('按ID找到')[0].ord).toBe(b.ord);
  });

  it('rejects rows whose contact is missing or ambiguous, with candidates, into the rejects workbook', async () => {
    const [a] = uniqueContacts();
    const company = emu.store.getCustomer(a.company)!.name;
    // Make a second contact with the same name at the same company: ambiguous.
    const twin = uniqueContacts()[1];
    const twinCompany = emu.store.getCustomer(twin.company)!.name;
    const dir = tempDir();
    const client = new ErpClient({ baseUrl: emu.url, user: 'admin', password: 'zbport', serialnum: 'twin1' });
    await client.saveContact({ company: twin.company, person_name: twin.person_name });
    client.close();
    const input = await writeXlsx(path.join(dir, 'in.xlsx'), {
      S: [HEADERS, [company, '查无此人', '', '', '找不到', '电话', '不生成'], [twinCompany, twin.person_name, '', '', '两个人', '电话', '不生成'], ['没有的公司', a.person_name, '', '', '没有公司', '电话', '不生成']],
    });
    const r = await run(pipeline(dir, 'company+name'), input);
    expect(r.code).toBe(1);
    expect(r.summary).toMatchObject({ rejected: 3, created: 0 });
    expect(r.summary.problems).toMatchObject({ LOOKUP_MISS: 2, LOOKUP_AMBIGUOUS: 1 });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(r.summary.reports.rejects);
    const reasonOf = (content: string) => {
      const ws = wb.worksheets[0];
      // 原始行号 and 错误原因 first, then the source's columns.
      for (const i of [2, 3, 4]) if (ws.getRow(i).getCell(2 + 5).value === content) return String(ws.getRow(i).getCell(2).value);
      return '';
    };
    expect(reasonOf('找不到')).toContain('查无此人');
    expect(reasonOf('两个人')).toContain('不唯一');
    expect(reasonOf('两个人')).toContain(twin.ord);
    expect(reasonOf('没有公司')).toContain('没有的公司');
    expect([2, 3, 4].map((i) => wb.worksheets[0].getRow(i).getCell(1).value)).toEqual([2, 3, 4]);
  });

  it('requires the schedule fields of the chosen plantype only, and maps labels and ids', async () => {
    const [a, b, c, d] = uniqueContacts();
    const dir = tempDir();
    const co = (x: typeof a) => emu.store.getCustomer(x.company)!.name;
    const input = await writeXlsx(path.join(dir, 'in.xlsx'), {
      S: [
        HEADERS,
        [co(a), a.person_name, '', '', '谈的很好，让发合同。', '上门', '已完成日程', '2024-03-01 09:00', '2024-03-01 10:00', '拜访', '顺利'],
        [co(b), b.person_name, '', '', '完成缺字段', '邮件', '2', '2024-03-01 09:00'],
        [co(c), c.person_name, '', '', '待办', '482', '待完成日程', '', '', '', '', '2024/4/1 14:00', '2024/4/1 15:00', '回访', '不提醒'],
        [co(d), d.person_name, '', '', '待办缺字段', '电话', '1', '', '', '', '', '2024/4/1 14:00'],
        [co(d), d.person_name, '', '', '不生成忽略日程', '其他', '不生成', '2024-03-01 09:00', '', '忽略'],
        [co(d), d.person_name, '', '', '坏方式', '传真', '不生成'],
        [co(d), d.person_name, '', '', '坏日程', '电话', '3'],
        [co(d), d.person_name, '', '', '坏时间', '电话', '2', '2024-02-30 09:00', '2024-03-01', '拜访', '好'],
      ],
    });
    const r = await run(pipeline(dir, 'company+name'), input);
    expect(r.summary).toMatchObject({ created: 3, rejected: 5 });
    expect(r.summary.problems).toMatchObject({ REQUIRED: 6, BAD_ENUM: 2, BAD_DATE: 1 });
    expect(followupsWith('106')).toContainEqual(expect.objectContaining({ ord: a.ord, sort: '483', plantype: '2', '@ret2_0': '2024-03-01 09:00:00', '@title2': '拜访' }));
    expect(followupsWith('待办')[0]).toMatchObject({ ord: c.ord, sort: '482', plantype: '1', '@remind': '1', '@ret_0': '2024-04-01 14:00:00' });
    const ignored = followupsWith('不生成忽略日程')[0];
    expect(ignored).toMatchObject({ sort: '484', plantype: '0' });
    expect(ignored['@ret2_0']).toBeUndefined();
  });

  it('maps labels to installation-specific ids from the pipeline', async () => {
    const [a] = uniqueContacts();
    const dir = tempDir();
    const input = await writeXlsx(path.join(dir, 'in.xlsx'), { S: [HEADERS, [emu.store.getCustomer(a.company)!.name, a.person_name, '', '', '覆盖编号', '电话', '不生成']] });
    const r = await run(pipeline(dir, 'company+name', "enums:\n  sort: { 电话: '484' }\n"), input);
    expect(r.summary).toMatchObject({ created: 1 });
    expect(followupsWith('覆盖编号')[0].sort).toBe('484');
  });

  it('killed with SIGKILL and run again, posts no follow-up twice', async () => {
    const contacts = uniqueContacts();
    const dir = tempDir();
    const rows: CellInput[][] = [HEADERS];
    const texts: string[] = [];
    for (let i = 0; i < 300; i++) {
      const x = contacts[i % contacts.length];
      texts.push(`批量洽谈${i}`);
      rows.push([emu.store.getCustomer(x.company)!.name, x.person_name, '', '', `批量洽谈${i}`, '电话', '不生成']);
    }
    const input = await writeXlsx(path.join(dir, 'in.xlsx'), { S: rows });
    const p = pipeline(dir, 'company+name');
    emu.setFaults({ latencyMs: 4, jitterMs: 3 });
    const runChild = (killAfter?: number) =>
      new Promise<number | null>((resolve) => {
        const before = emu.counters.followups;
        const child = spawn(process.execPath, [path.resolve('bin/zbport.js'), 'run', p, '--input', input, '--quiet'], { env: { ...process.env, ...env() }, stdio: 'ignore' });
        const t = killAfter === undefined ? undefined : setInterval(() => emu.counters.followups - before >= killAfter && child.kill('SIGKILL'), 2);
        child.on('exit', (code) => {
          clearInterval(t);
          resolve(code);
        });
      });
    expect(await runChild(40)).toBe(null);
    expect(await runChild(60)).toBe(null);
    const last = await run(p, input);
    emu.resetFaults();
    const counts = texts.map((t) => followupsWith(t).length);
    expect(counts.filter((n) => n > 1)).toEqual([]);
    // Rows that may have been in flight at a kill are reported for a person to check, not posted
    // again: every row is posted once, or reported.
    const missing = counts.filter((n) => n === 0).length;
    expect(last.summary.failed).toBeGreaterThanOrEqual(missing);
    expect(last.summary.failed).toBeLessThanOrEqual(2 * 4);
    expect(last.summary.problems.ERP_UNVERIFIED ?? 0).toBe(last.summary.failed);
    expect(last.summary.doneEarlier + last.summary.created + last.summary.failed).toBe(300);
  }, 90_000);
});
