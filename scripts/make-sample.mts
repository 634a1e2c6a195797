/**
 * Writes fixtures/contacts-sample.xlsx: the workbook `npm start` imports. Company names come from
 * the emulator's default seed, so every row resolves; the cells show what admins' files hold
 * (phones stored as numbers, full-width digits, "性 别" captions, dates typed several ways).
 * Run: npx tsx scripts/make-sample.ts
 */
import ExcelJS from 'exceljs';
import { customerName } from '../src/emulator/seed.js';

const HEADERS = ['客户名称', '联系人姓名', '性 别', '年龄', '生日', '部门', '职务', '办公电话', '手 机', '电子邮件', 'QQ', '微信', '邮编', '爱好特长', '备注'];
const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '黄敏', '赵强', '吴婷', '周杰', '徐丽', '孙浩然', '马欣怡', '朱子涵', '胡博文', '郭雨桐', '何一诺', '高梓轩', '林思远', '罗晨'];
const wb = new ExcelJS.Workbook();
const ws = wb.addWorksheet('联系人');
ws.addRow(HEADERS).font = { bold: true };
NAMES.forEach((name, i) => {
  const birthday = i % 3 === 0 ? new Date(Date.UTC(1980 + i, i % 12, 1 + i)) : i % 3 === 1 ? `${1975 + i}/${1 + (i % 12)}/${2 + i}` : `${1985 + (i % 10)}年${1 + (i % 12)}月${3 + i}日`;
  ws.addRow([
    customerName(i % 3 === 2 ? 15 + (i % 15) : [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14][i % 14]),
    name,
    i % 2 ? ' 女 ' : '男',
    25 + i,
    birthday,
    ['采购部', '销售部', '技术部', '财务部'][i % 4],
    ['经理', '主管', '工程师', '专员'][i % 4],
    i % 4 === 0 ? `0755-8${String(1000000 + i * 7919).slice(0, 7)}` : '',
    i % 5 === 0 ? `１３８００１３８${String(i).padStart(3, '０')}` : 13900139000 + i,
    `sample${i + 1}@example.com`,
    i % 3 === 0 ? 10000 + i * 37 : '',
    i % 4 === 1 ? `wx_${i}` : '',
    i % 6 === 0 ? '010010' : '',
    ['羽毛球', '书法', '摄影', ''][i % 4],
    i % 7 === 0 ? '示例数据：由 zbport 导入' : '',
  ]);
});
ws.getColumn(5).numFmt = 'yyyy-mm-dd';
ws.columns.forEach((c) => (c.width = 16));
await wb.xlsx.writeFile('fixtures/contacts-sample.xlsx');
console.log('wrote fixtures/contacts-sample.xlsx');
