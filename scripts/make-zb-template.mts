/**
 * Writes fixtures/zb-contact-template.xls: a workbook shaped like ZB ERP's own contact import
 * template (example_lxr.xls: 客户编号, 客户名称 … 联系人, 性别, 部门, 职位 … 自定义1–6), filled
 * with a few rows as an admin would, saved by LibreOffice as Excel 97-2003 (.xls, BIFF8) as the
 * ERP hands it out. Company names come from the emulator's default seed (not the one it holds twice), so every row resolves.
 * `zbport init` must map its contact columns with no edits (test/init.test.ts).
 * Run: npx tsx scripts/make-zb-template.mts   (needs soffice)
 */
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { customerName } from '../src/emulator/seed.js';

const ZB_TEMPLATE_HEADERS = [
  '客户编号', '客户名称', '客户分类', '跟进程度', '客户来源', '客户行业', '联系人', '性别', '部门', '职位', '生日', '电话', '传真', '手机',
  '电子邮件', 'QQ', 'MSN', '家庭地址', '联系人邮编', '洽谈进展', '备注', '销售人员', '添加时间', '自定义1', '自定义2', '自定义3', '自定义4', '自定义5', '自定义6',
];
const NAMES = ['赵一', '钱二', '孙三', '李四', '周五', '吴六'];

const tmp = mkdtempSync(path.join(tmpdir(), 'zbport-zb-template-'));
const wb = new ExcelJS.Workbook();
const ws = wb.addWorksheet('Sheet1');
ws.addRow(ZB_TEMPLATE_HEADERS);
NAMES.forEach((name, i) => {
  ws.addRow([
    `KH${String(i + 1).padStart(4, '0')}`, customerName([0, 2, 3, 4, 5, 6][i]), '重点客户', '意向客户', '朋友介绍', '印刷',
    name, i % 2 ? '女' : '男', ['采购部', '销售部', '技术部'][i % 3], ['经理', '主管', '工程师'][i % 3],
    new Date(Date.UTC(1980 + i, i, 10 + i)), `010-6234567${i}`, i % 2 ? '' : `010-6234568${i}`, 13912345670 + i,
    `zb${i + 1}@example.com`, 100000 + i * 12345, i % 3 ? '' : `msn${i}@hotmail.com`, `北京市海淀区中关村大街${i + 1}号`,
    i % 2 ? '' : '100080', i % 2 ? '已电话沟通' : '', i === 0 ? '老客户' : '', '王销售', new Date(Date.UTC(2024, 0, 2 + i, 10, 0, 0)),
    i === 1 ? '自定义内容' : '', '', '', '', '', '',
  ]);
});
ws.getColumn(11).numFmt = 'yyyy-mm-dd';
ws.getColumn(23).numFmt = 'yyyy-mm-dd hh:mm:ss';
ws.getColumn(19).numFmt = '@';
const xlsx = path.join(tmp, 'zb-contact-template.xlsx');
await wb.xlsx.writeFile(xlsx);
execFileSync('soffice', ['--headless', '--calc', '--convert-to', 'xls:MS Excel 97', '--outdir', tmp, xlsx], { stdio: 'inherit', timeout: 300_000 });
renameSync(path.join(tmp, 'zb-contact-template.xls'), 'fixtures/zb-contact-template.xls');
rmSync(tmp, { recursive: true, force: true });
console.log('wrote fixtures/zb-contact-template.xls');
