/**
 * Columns people's files hold that no importable field takes, each with the reason `zbport init`
 * writes beside it (ZB's own contact template has several: 家庭地址, 销售人员, 自定义1–6 …).
 * Catalog fields and their aliases live in src/catalog/fields.ts; this is only advice on the rest.
 */
import { CUSTOMER_FIELDS, plainCaption } from '../catalog/index.js';
import { headerKey } from '../run/header-map.js';

export interface Bilingual {
  zh: string;
  en: string;
}

const CUSTOMER: Bilingual = {
  zh: '客户（公司）的字段，不是联系人字段；导入联系人不会修改客户',
  en: 'a field of the customer (company), not of the contact; a contact import does not change customers',
};

const REASONS: Array<[string[] | RegExp, Bilingual]> = [
  [['家庭地址', '住址', '地址', '联系地址', '通讯地址'], { zh: 'ERP 的联系人接口没有地址字段；需要保留时可并入备注', en: "the ERP's contact API has no address field; merge it into 备注 if it must be kept" }],
  [['销售人员', '业务员', '负责人', '所属人员', '跟进人'], { zh: '由 ERP 按登录账号记录，联系人接口不能设置', en: 'the ERP records the logged-in account; the contact API cannot set it' }],
  [['添加时间', '创建时间', '录入时间', '更新时间', '修改时间'], { zh: 'ERP 保存时自动记录，不能导入', en: 'stamped by the ERP when the record is saved; not importable' }],
  [/^自定义\d*$/, { zh: '自定义字段不在 ERP 的联系人接口中', en: "custom fields are not in the ERP's contact API" }],
  [['洽谈进展', '跟进记录', '洽谈内容'], { zh: '跟进记录（洽谈进展）不是联系人字段：用 entity: followup 的流水线另行导入（zbport init --entity followup）', en: 'follow-ups are not contact fields: import them with a pipeline of entity: followup (zbport init --entity followup)' }],
  [['客户编号'], { zh: '客户的编号（khid），不是联系人字段；文件没有客户名称列时，可把 company 映射到此列并设 lookup.by: code，按编号找客户', en: 'the customer number (khid), not a contact field; with no customer-name column, map company to it with lookup.by: code' }],
  [['跟进程度', '客户级别', '客户等级', '客户类型', '客户状态'], CUSTOMER],
  [['序号', '编号', 'No', 'No.', '行号'], { zh: '序号，不导入', en: 'a row number; not imported' }],
  [['原始行号', '错误原因'], { zh: 'zbport 在 rejects.xlsx 中添加的列，导入时忽略', en: "added by zbport's rejects.xlsx; ignored on import" }],
];

/** Why a header takes no field, when it is a column zbport knows; undefined for unknown ones. */
export function knownReason(header: string): Bilingual | undefined {
  const key = headerKey(header);
  for (const [names, why] of REASONS) {
    if (names instanceof RegExp ? names.test(key) : names.some((n) => headerKey(n) === key)) return why;
  }
  if (CUSTOMER_FIELDS.some((f) => headerKey(plainCaption(f.caption)) === key)) return CUSTOMER;
  return undefined;
}

/** Every header zbport knows something about (to find the header row below a title). */
export function knownHeaderKeys(): string[] {
  return REASONS.flatMap(([names]) => (names instanceof RegExp ? [] : names.map(headerKey)));
}
