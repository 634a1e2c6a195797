/**
 * Writes fixtures/followups-sample.xlsx: follow-ups for contacts of the emulator's default seed
 * (contacts picked so company + name is unique), one row per plantype and enum form.
 * Run: npx tsx scripts/make-followups-sample.mts
 */
import ExcelJS from 'exceljs';
import { DEFAULT_SEED, seedContacts, seedCustomers } from '../src/emulator/seed.js';

const customers = new Map([...seedCustomers(DEFAULT_SEED)].map((c) => [c.ord, c.name]));
const contacts = [...seedContacts(DEFAULT_SEED, DEFAULT_SEED.customers + 1, new Date('2026-01-01T00:00:00'))];
const key = (c: (typeof contacts)[number]) => `${c.company}|${c.person_name}`;
const count = new Map<string, number>();
for (const c of contacts) count.set(key(c), (count.get(key(c)) ?? 0) + 1);
const nameCount = new Map<string, number>();
for (const n of customers.values()) nameCount.set(n, (nameCount.get(n) ?? 0) + 1);
const usable = contacts.filter((c) => count.get(key(c)) === 1 && nameCount.get(customers.get(c.company)!) === 1).slice(0, 12);

const HEADERS = ['客户名称', '联系人', '洽谈内容', '跟进方式', '日程类型', '完成开始时间', '完成结束时间', '已完成日程', '完成情况', '计划开始时间', '计划结束时间', '待办日程', '是否提醒', '执行人员'];
const wb = new ExcelJS.Workbook();
const ws = wb.addWorksheet('洽谈进展');
ws.addRow(HEADERS).font = { bold: true };
usable.forEach((c, i) => {
  const company = customers.get(c.company)!;
  const kind = i % 3;
  const intro = i % 4 === 0 ? '谈的很好，让发合同。' : i % 4 === 1 ? '107' : `第${i + 1}次沟通：客户关心交付周期和价格`;
  const sort = ['电话', '邮件', '上门', '484'][i % 4];
  if (kind === 0) ws.addRow([company, c.person_name, intro, sort, '不生成']);
  else if (kind === 1) ws.addRow([company, c.person_name, intro, sort, '已完成日程', '2024-03-01 09:00', '2024-03-01 10:30', '上门拜访', '已完成，客户满意']);
  else ws.addRow([company, c.person_name, intro, sort, '1', '', '', '', '', `2024/4/${i + 1} 14:00`, `2024/4/${i + 1} 15:00`, '电话回访', '提醒', '']);
});
ws.columns.forEach((c) => (c.width = 18));
await wb.xlsx.writeFile('fixtures/followups-sample.xlsx');
console.log(`wrote fixtures/followups-sample.xlsx (${usable.length} rows)`);
