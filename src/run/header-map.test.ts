import { describe, expect, it } from 'vitest';
import { CONTACT_FIELDS, FOLLOWUP_FIELDS } from '../catalog/index.js';
import { headerKey, planHeaders } from './header-map.js';

describe('header matching', () => {
  it('ignores the * templates put on required columns, spaces and width', () => {
    for (const [a, b] of [['*联系人姓名', '联系人姓名'], ['联系人姓名*', '联系人姓名'], ['＊ 手 机', '手机'], ['**QQ', 'qq']]) expect(headerKey(a)).toBe(headerKey(b));
    const plan = planHeaders(['*客户名称', '*联系人姓名', '手机'], { company: '客户名称', person_name: '联系人姓名', mobile: '手 机' });
    expect(plan.problems).toEqual([]);
    expect(plan.columns.map((c) => [c.field, c.index, c.header])).toEqual([['company', 0, '*客户名称'], ['person_name', 1, '*联系人姓名'], ['mobile', 2, '手机']]);
  });

  it('a missing optional column is a note, not a problem; a missing required one is a problem', () => {
    const plan = planHeaders(['客户名称', '姓名'], { company: '客户名称', person_name: '姓名', age: { from: '年龄', optional: true }, weixinAcc: { from: ['微信', '微信号'], optional: true } });
    expect(plan.problems).toEqual([]);
    expect(plan.notes).toHaveLength(2);
    expect(plan.notes[0]).toMatch(/^mapping\.age：可选列 `年龄` 不在文件中.*optional column `年龄` is not in the file/);
    expect(plan.columns.map((c) => c.field)).toEqual(['company', 'person_name']);
    const strict = planHeaders(['客户名称'], { company: '客户名称', age: '年龄' });
    expect(strict.problems[0]).toBe('mapping.age: 文件中没有 `年龄` 列 / no column named `年龄`');
  });

  it('falls back to the field\'s caption and catalog aliases, and says so', () => {
    // ZB's own contact template says 联系人 and 职位 where the API says 联系人姓名 and 职务.
    const plan = planHeaders(['客户名称', '联系人', '职位', '电话'], { company: '客户名称', person_name: '联系人姓名', job: '职务', phone: '办公电话' }, {}, CONTACT_FIELDS);
    expect(plan.problems).toEqual([]);
    expect(plan.columns.map((c) => [c.field, c.header])).toEqual([['company', '客户名称'], ['person_name', '联系人'], ['job', '职位'], ['phone', '电话']]);
    expect(plan.notes.join('\n')).toMatch(/mapping\.person_name：文件中没有 `联系人姓名` 列，按字段目录的别名使用 `联系人` 列（B）/);
    // Without the catalog (or for a name two fields share) there is no fallback.
    expect(planHeaders(['联系人'], { person_name: '联系人姓名' }).problems[0]).toMatch(/no column named `联系人姓名`/);
    const followup = planHeaders(['开始时间'], { '@ret2_0': '完成开始', '@ret_0': { from: '计划开始', optional: true } }, {}, FOLLOWUP_FIELDS);
    expect(followup.problems[0]).toMatch(/mapping\.@ret2_0: .*no column named `完成开始`/);
  });

  it('a fallback never takes a column another mapping or a lookup column names', () => {
    const plan = planHeaders(['客户名称', '联系人', '手机'], { company: '公司', mobile: '手机' }, { name: '联系人' }, CONTACT_FIELDS);
    expect(plan.columns.map((c) => [c.field, c.header])).toEqual([['mobile', '手机'], ['company', '客户名称']]);
    expect(plan.extra.name.header).toBe('联系人');
    const taken = planHeaders(['电话'], { phone: '办公电话', phone2: '电话' }, {}, CONTACT_FIELDS);
    expect(taken.problems[0]).toMatch(/mapping\.phone: .*no column named `办公电话`/);
  });

  it('a header twice is a problem naming both columns', () => {
    const plan = planHeaders(['姓名', '*姓名'], { person_name: '姓名' });
    expect(plan.problems[0]).toMatch(/appears 2 times \(columns A, B\)/);
  });
});
