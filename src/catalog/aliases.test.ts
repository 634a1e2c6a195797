import { describe, expect, it } from 'vitest';
import { normalizeHeader } from '../validate/index.js';
import { CONTACT_FIELDS, FOLLOWUP_FIELDS, fieldNames, type FieldSpec } from './index.js';

const owners = (fields: FieldSpec[]) => {
  const m = new Map<string, string[]>();
  for (const f of fields) for (const n of new Set(fieldNames(f).map(normalizeHeader))) m.set(n, [...(m.get(n) ?? []), f.id]);
  return m;
};

describe('field aliases', () => {
  it('an alias names one field of its entity only', () => {
    for (const fields of [CONTACT_FIELDS, FOLLOWUP_FIELDS]) {
      const m = owners(fields);
      for (const f of fields) {
        for (const a of f.aliases ?? []) expect(m.get(normalizeHeader(a)), `${f.id}: ${a}`).toEqual([f.id]);
      }
    }
  });

  it("ZB's own contact template captions name the contact fields", () => {
    const m = owners(CONTACT_FIELDS);
    const zb: Record<string, string> = {
      客户名称: 'company', 联系人: 'person_name', 性别: 'sex', 部门: 'part1', 职位: 'job', 生日: 'year1', 电话: 'phone',
      传真: 'fax', 手机: 'mobile', 电子邮件: 'email', QQ: 'qq', MSN: 'msn', 联系人邮编: 'zip', 备注: 'intro',
    };
    for (const [caption, id] of Object.entries(zb)) expect(m.get(normalizeHeader(caption)), caption).toEqual([id]);
    // A home address has no contact field in the ERP's API.
    expect(m.get(normalizeHeader('家庭地址'))).toBeUndefined();
  });
});
