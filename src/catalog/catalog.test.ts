import { describe, expect, it } from 'vitest';
import {
  APIS, CATALOG_HASH, CONTACT_FIELDS, CONTACT_LIST_FILTERS, FOLLOWUP_FIELDS, INTRO_TEMPLATE_OPTIONS, describeRule, plainCaption, utf16Length,
} from './index.js';

const byId = (fields: typeof CONTACT_FIELDS) => new Map(fields.map((f) => [f.id, f]));

describe('field catalog', () => {
  it('holds every field of the seed contact table with its type, requiredness and limit', () => {
    const seed: Array<[string, string, boolean, number | undefined]> = [
      ['ord', 'int', false, undefined], ['company', 'int', true, undefined], ['person_name', 'string', true, 50], ['pym', 'string', false, 50],
      ['sex', 'string', false, 50], ['age', 'int', false, undefined], ['year1', 'datetime', false, undefined], ['part1', 'string', false, 50],
      ['job', 'string', false, 50], ['phone', 'string', false, 50], ['fax', 'string', false, 50], ['mobile', 'string', false, 50],
      ['mobile2', 'string', false, 50], ['phone2', 'string', false, 50], ['email', 'string', false, 50], ['qq', 'string', false, 20],
      ['weixinAcc', 'string', false, 50], ['XiQueIntro', 'string', false, 50], ['msn', 'string', false, 50], ['jg', 'string', false, 50],
      ['zip', 'string', false, 10], ['joy', 'string', false, 3000], ['intro', 'string', false, 5000],
    ];
    expect(CONTACT_FIELDS.map((f) => f.id)).toEqual(seed.map((s) => s[0]));
    const m = byId(CONTACT_FIELDS);
    for (const [id, type, required, max] of seed) expect(m.get(id), id).toMatchObject({ type, required, ...(max ? { maxLength: max } : {}) });
    expect(m.get('person_name')!.maxLength).toBe(50);
    expect(m.get('joy')!.maxLength).toBe(3000);
    expect(m.get('intro')!.maxLength).toBe(5000);
    expect(m.get('sex')!.options!.map((o) => o.value)).toEqual(['男', '女']);
  });

  it('holds the follow-up table with its enums and plantype-dependent fields', () => {
    expect(FOLLOWUP_FIELDS.map((f) => f.id)).toEqual(['ord', 'intro', 'files', 'sort', 'plantype', '@ret2_0', '@ret2_1', '@title2', '@intro2', '@cateid', '@remind', '@ret_0', '@ret_1', '@title1']);
    const m = byId(FOLLOWUP_FIELDS);
    expect(m.get('sort')!.options).toEqual([{ value: '484', label: '其他' }, { value: '483', label: '上门' }, { value: '482', label: '邮件' }, { value: '481', label: '电话' }]);
    expect(m.get('plantype')!.options!.map((o) => o.value)).toEqual(['2', '1', '0']);
    expect(m.get('@remind')!.options).toEqual([{ value: '0', label: '提醒' }, { value: '1', label: '不提醒' }]);
    expect(m.get('intro')).toMatchObject({ maxLength: 1000, required: true, freeText: true });
    expect(INTRO_TEMPLATE_OPTIONS.every((o) => Number(o.value) >= 106 && Number(o.value) <= 120)).toBe(true);
    expect(m.get('@ret2_0')!.requiredWhen).toEqual({ field: 'plantype', in: ['2'] });
    expect(m.get('@title1')!.requiredWhen).toEqual({ field: 'plantype', in: ['1'] });
  });

  it('holds the contact list filters', () => {
    const ids = CONTACT_LIST_FILTERS.map((f) => f.id);
    for (const id of ['stype', 'company', 'remind', 'checktype', 'person_name', 'pym', 'name', 'telsort', 'area', 'trade', 'part1', 'job', 'mobile', 'phone', 'fax', 'qq', 'email', 'joy', 'intro', 'sex', 'date1_0', 'date1_1', 'searchKey', 'pagesize', 'pageindex', '_rpt_sort']) {
      expect(ids).toContain(id);
    }
    expect(APIS.contactList.cmdkey).toBe('refresh');
    expect(APIS.contactSave.cmdkey).toBe('__sys_dosave');
  });

  it('counts lengths in UTF-16 code units, as SQL Server nvarchar does', () => {
    expect(utf16Length('张三')).toBe(2);
    expect(utf16Length('𠮷')).toBe(2);
    expect(utf16Length(`${'名'.repeat(48)}𠮷`)).toBe(50);
    expect(utf16Length(`${'名'.repeat(49)}𠮷`)).toBe(51);
  });

  it('describes rules for people and has a stable hash', () => {
    expect(describeRule(byId(CONTACT_FIELDS).get('person_name')!)).toBe('联系人姓名：必填，50字以内');
    expect(plainCaption('备　　注')).toBe('备注');
    expect(plainCaption('性 别')).toBe('性别');
    expect(CATALOG_HASH).toMatch(/^[0-9a-f]{16}$/);
  });
});
