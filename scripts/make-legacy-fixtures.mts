/**
 * Writes the legacy-workbook fixtures in fixtures/legacy/: a few workbooks written by exceljs (as
 * Excel holds them: typed cells), then saved by LibreOffice as Excel 97-2003 (.xls, BIFF8) and
 * OpenDocument (.ods), the way admins' old files come. Tests read the committed files, so they do
 * not need LibreOffice; run this again only to change them.
 * Run: npx tsx scripts/make-legacy-fixtures.mts   (needs soffice)
 */
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const OUT = 'fixtures/legacy';
mkdirSync(OUT, { recursive: true });
const HEADERS = ['客户名称', '联系人姓名', '性 别', '年龄', '生日', '部门', '职务', '办公电话', '手 机', '电子邮件', 'QQ', '微信', '邮编', '爱好特长', '备注'];

// 1. Rows that import and rows that are rejected, with an empty row between them, so a test can
//    compare outcomes and row numbers between the .xlsx and its legacy copies. Company names come
//    from the emulator's default seed (as in fixtures/contacts-sample.xlsx).
{
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('联系人');
  ws.addRow(HEADERS);
  const rows: unknown[][] = [
    ['华为技术有限公司', '旧表甲', '男', 41, new Date(Date.UTC(1983, 4, 6)), '采购部', '经理', '0755-81234567', 13912345678, 'jia@example.com', 12345, '', 10010, '围棋', '来自旧系统'],
    ['阿里巴巴（中国）有限公司', '旧表乙', '女', { formula: '20+19', result: 39 }, new Date(Date.UTC(1986, 0, 31)), '销售部', '主管', '', 13800000002, 'yi@example.com', '', 'wx_yi', '010020', '', ''],
    ['没有这家公司', '旧表丙', '男', 30, '1990-01-02', '', '', '', 13800000003, '', '', '', '', '', ''],
    [],
    ['小米通讯技术有限公司', '旧表丁', '男', 'abc', '1990-02-30', '', '', '', 13800000004, 'ding@example.com', '', '', '', '', ''],
    ['比亚迪股份有限公司', '旧表戊', '女', 28, { error: '#N/A' }, '', '', '', 13800000005, '', '', '', '', '', ''],
    ['海尔集团公司', `${'名'.repeat(50)}长`, '男', 33, '', '', '', '', '', '', '', '', '', '', ''],
    ['华为技术有限公司', '旧表甲', '男', 41, '', '', '', '', 13912345678, '', '', '', '', '', '同一文件重复'],
  ];
  for (const r of rows) ws.addRow(r);
  ws.getColumn(5).numFmt = 'yyyy-mm-dd';
  // 邮编 formatted 000000 and stored as a number (10010 shows as 010010), as people type it.
  ws.getCell('M2').numFmt = '000000';
  ws.getCell('M3').numFmt = '@';
  await wb.xlsx.writeFile(`${OUT}/contacts-mixed.xlsx`);
}

// 2. Cells as people see them, header in row 3 under a title, on the second sheet.
{
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('说明').addRow(['第二张表是数据']);
  const ws = wb.addWorksheet('数据');
  ws.addRow(['联系人导入（旧版 Excel）']);
  ws.addRow([]);
  ws.addRow(['名称', '手机', '邮编', '生日', '时间', '公式', '错误', '布尔', '小数', '文本数字']);
  ws.addRow(['客户00001有限公司', 13912345678, 10010, new Date(Date.UTC(1985, 11, 31)), new Date(Date.UTC(2024, 0, 2, 13, 45, 30)), { formula: 'B4*2', result: 27824691356 }, { error: '#N/A' }, true, 0.30000000000000004, '0123456']);
  ws.addRow([]);
  ws.addRow(['客户00002有限公司', 18600000000, 1, new Date(Date.UTC(2000, 1, 29)), null, { formula: 'A6&"!"', result: '客户00002有限公司!' }, { error: '#DIV/0!' }, false, 3.14, '000001']);
  for (const r of [4, 6]) {
    ws.getCell(`C${r}`).numFmt = '000000';
    ws.getCell(`D${r}`).numFmt = 'yyyy"年"m"月"d"日"';
    ws.getCell(`J${r}`).numFmt = '@';
  }
  ws.getCell('E4').numFmt = 'yyyy-mm-dd hh:mm:ss';
  wb.addWorksheet('空表');
  await wb.xlsx.writeFile(`${OUT}/cells.xlsx`);
}

// 3. A workbook in the 1904 date system (Excel for Mac before 2011 saved these by default): serial
//    0 is 1904-01-01, so the same day has a serial 1462 smaller than in the 1900 system.
{
  const wb = new ExcelJS.Workbook();
  wb.properties.date1904 = true;
  const ws = wb.addWorksheet('日期');
  ws.addRow(['姓名', '生日', '时间']);
  ws.addRow(['张三', new Date(Date.UTC(1985, 11, 31)), new Date(Date.UTC(2024, 0, 2, 8, 30, 0))]);
  ws.addRow(['李四', new Date(Date.UTC(1904, 0, 2)), null]);
  ws.getColumn(2).numFmt = 'yyyy-mm-dd';
  ws.getColumn(3).numFmt = 'yyyy-mm-dd hh:mm:ss';
  await wb.xlsx.writeFile(`${OUT}/dates-1904.xlsx`);
}

// 4. LibreOffice saves each as .xls (BIFF8 in an OLE2 compound file) and .ods.
const sources = [path.resolve('fixtures/contacts-sample.xlsx'), ...['contacts-mixed', 'cells', 'dates-1904'].map((n) => path.resolve(`${OUT}/${n}.xlsx`))];
for (const [ext, filter] of [['xls', 'xls:MS Excel 97'], ['ods', 'ods:calc8']] as const) {
  const tmp = mkdtempSync(path.join(tmpdir(), 'zbport-legacy-'));
  execFileSync('soffice', ['--headless', '--calc', '--convert-to', filter, '--outdir', tmp, ...sources], { stdio: 'inherit', timeout: 300_000 });
  for (const f of readdirSync(tmp)) if (f.endsWith(`.${ext}`)) renameSync(path.join(tmp, f), path.join(OUT, f));
  rmSync(tmp, { recursive: true, force: true });
}

// 5. WPS Spreadsheets' .et files are BIFF8 compound files like .xls (WPS writes the same
//    records); a copy of LibreOffice's .xls under the .et name stands for one.
copyFileSync(`${OUT}/contacts-sample.xls`, `${OUT}/contacts-sample.et`);
copyFileSync(`${OUT}/contacts-mixed.xls`, `${OUT}/contacts-mixed.et`);
console.log(`wrote ${readdirSync(OUT).sort().join(', ')} in ${OUT}/`);
