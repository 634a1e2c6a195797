/**
 * Writes fixtures/customers-sample.xlsx in ZB's own layout: a customer row (客户编号, 客户名称, 客户分类
 * … and its first contact) followed by rows of that customer's further contacts, whose customer
 * cells are blank. New customers, one that the emulator's default seed already holds (KH000003,
 * 比亚迪股份有限公司, with a changed address: an update), one without 客户分类 (rejected).
 * Run: npx tsx scripts/make-customers-sample.mts
 */
import ExcelJS from 'exceljs';
import { customerName } from '../src/emulator/seed.js';

const HEADERS = ['客户编号', '客户名称', '客户分类', '客户来源', '客户行业', '客户地址', '联系人', '性别', '职位', '手机', '电话', '电子邮件', '备注'];
type Row = Array<string | number>;
const customer = (khid: string, name: string, sort1: string, ly: string, trade: string, address: string): Row => [khid, name, sort1, ly, trade, address];
const contact = (name: string, sex: string, job: string, mobile: number | string, phone = '', email = '', intro = ''): Row => [name, sex, job, mobile, phone, email, intro];
const blank = ['', '', '', '', '', ''];

const rows: Row[] = [
  [...customer('KH900001', '深圳市前海示例科技有限公司', '1', '网站注册', '银行', '深圳市南山区前海路1号'), ...contact('林晓', '女', '总经理', 13800001001, '0755-86000001', 'linxiao@example.com', '示例数据')],
  [...blank, ...contact('黄立', '男', '采购经理', 13800001002, '', 'huangli@example.com')],
  [...blank, ...contact('陈佳', '女', '财务', 13800001003)],
  [...customer('KH900002', '杭州西湖示例贸易有限公司', '1,3', '朋友介绍', '印刷', '杭州市西湖区文三路88号'), ...contact('王涛', '男', '董事长', 13800002001, '0571-88000002')],
  [...blank, ...contact('赵敏', '女', '销售总监', 13800002002, '', 'zhaomin@example.com')],
  [...customer('KH900003', '成都天府示例物流有限公司', '2', '陌生开发', '电表', '成都市高新区天府大道100号'), ...contact('周宁', '男', '项目经理', 13800003001)],
  // Already in the ERP (the emulator's default seed): its address changes, an update.
  [...customer('KH000006', customerName(5), '1', '广告宣传', '银行', '深圳市坪山区比亚迪路3009号'), ...contact('孙明', '男', '采购部长', 13800004001)],
  // No 客户分类: the ERP requires it, the row is rejected with the reason beside the cell.
  [...customer('KH900005', '南京玄武示例咨询有限公司', '', '网站注册', '银行', '南京市玄武区中山路1号'), ...contact('吴越', '男', '顾问', 13800005001)],
  [...blank, ...contact('郑洁', '女', '助理', 13800005002)],
  [...customer('KH900006', '武汉光谷示例电子有限公司', '3', 'VIP', '防水头', '武汉市东湖高新区光谷大道77号'), ...contact('冯琳', '女', '技术主管', 13800006001, '027-87000006')],
];

const wb = new ExcelJS.Workbook();
const ws = wb.addWorksheet('客户');
ws.addRow(HEADERS).font = { bold: true };
for (const r of rows) ws.addRow(r);
ws.columns.forEach((c) => (c.width = 18));
ws.getColumn(10).numFmt = '0';
await wb.xlsx.writeFile('fixtures/customers-sample.xlsx');
console.log('wrote fixtures/customers-sample.xlsx');
