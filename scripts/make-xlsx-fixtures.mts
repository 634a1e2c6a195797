/**
 * Writes the workbooks the XLSX reader tests read, then has LibreOffice save the large one in its
 * own layout (sheet before shared strings in the zip, rich-text runs for mixed Chinese/Latin text).
 * Run: npx tsx scripts/make-xlsx-fixtures.mts   (needs soffice for fixtures/xlsx/libreoffice-30000.xlsx)
 * The generated content is a pure function of the row number: tests recompute it to compare.
 */
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { largeRow, LARGE_HEADERS, LARGE_ROWS } from '../test/helpers/xlsx-content.js';

mkdirSync('fixtures/xlsx', { recursive: true });

// 1. The large workbook, via LibreOffice.
const tmp = '/tmp/zbport-fixture-src';
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: `${tmp}/libreoffice-30000.xlsx`, useSharedStrings: true, useStyles: true });
const ws = wb.addWorksheet('联系人');
ws.addRow(LARGE_HEADERS).commit();
for (let i = 1; i <= LARGE_ROWS; i++) {
  const r = largeRow(i);
  const row = ws.addRow([r.company, r.name, r.mobileNumber, r.birthday, r.age, r.note, r.zip]);
  row.getCell(4).numFmt = 'yyyy-mm-dd';
  row.getCell(7).numFmt = '00000';
  row.commit();
}
await wb.commit();
execFileSync('soffice', ['--headless', '--calc', '--convert-to', 'xlsx:Calc MS Excel 2007 XML', '--outdir', `${tmp}/out`, `${tmp}/libreoffice-30000.xlsx`], { stdio: 'inherit' });
renameSync(`${tmp}/out/libreoffice-30000.xlsx`, 'fixtures/xlsx/libreoffice-30000.xlsx');

// 2. Edge cases, written by exceljs (typed cells as Excel holds them).
const e = new ExcelJS.Workbook();
const s1 = e.addWorksheet('数据');
s1.addRow(['名称', '数值', '日期', '公式', '错误', '布尔', '邮编', '日期时间']);
s1.addRow(['客户00001有限公司', 13800138000, new Date(Date.UTC(1985, 11, 31)), { formula: 'B2*2', result: 27600276000 }, { error: '#N/A' }, true, 1234, new Date(Date.UTC(2024, 0, 2, 13, 45, 0))]);
s1.addRow(['0.1+0.2', 0.30000000000000004, new Date(Date.UTC(1900, 0, 1)), { formula: 'A3&"!"', result: '0.1+0.2!' }, { error: '#DIV/0!' }, false, 1, null]);
s1.getRow(4).getCell(1).value = '隔行';
s1.getRow(6).getCell(3).value = new Date(Date.UTC(2000, 1, 29));
s1.getRow(6).getCell(8).value = '第六行';
s1.getRow(7).getCell(1).value = { richText: [{ text: '客户' }, { font: { bold: true }, text: '00002' }, { text: '有限公司' }] };
for (const r of [2, 3, 6]) s1.getRow(r).getCell(3).numFmt = 'yyyy"年"m"月"d"日"';
s1.getRow(2).getCell(8).numFmt = 'yyyy-mm-dd hh:mm:ss';
for (const r of [2, 3]) s1.getRow(r).getCell(7).numFmt = '00000';
const hidden = e.addWorksheet('隐藏', { state: 'hidden' });
hidden.addRow(['秘密']);
const s3 = e.addWorksheet('表头在第三行');
s3.addRow(['联系人导入']);
s3.addRow([]);
s3.addRow(['姓名', '手机']);
s3.addRow(['张三', '13900000000']);
e.addWorksheet('空表');
await e.xlsx.writeFile('fixtures/xlsx/edge-cases.xlsx');
console.log('wrote fixtures/xlsx/libreoffice-30000.xlsx and fixtures/xlsx/edge-cases.xlsx');
