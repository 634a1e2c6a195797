import { describe, expect, it } from 'vitest';
import { parsePipeline } from '../definition/load.js';
import type { Cell } from '../sources/types.js';
import { propose } from './propose.js';
import { renderPipeline, yamlScalar } from './render.js';
import type { Sample } from './sample.js';

const sample = (headers: string[], rows: Cell[][]): Sample => ({ file: 'in.xlsx', sheet: 'Sheet1', headerRow: 1, headers, rows });
const mapping = (p: ReturnType<typeof propose>) => Object.fromEntries(p.fields.map((f) => [f.field, f.header ?? `=${f.value}`]));

describe('init: proposing a pipeline', () => {
  it('maps unknown headers by the shape of their values, with a lower confidence and the reason', () => {
    const p = propose(sample(['单位', '人', '号码', '邮件地址X', '座机号', '出生', '码', 'Q', '男女'], [
      ['华为技术有限公司', '张三', '13800138000', 'a@example.com', '010-62345678', { kind: 'date', text: '1980-01-02' }, '100080', '12345', '男'],
      ['腾讯科技有限公司', '李四', '13900139000', 'b@example.com', '0755-8123456', '1990/2/3', '200030', '1234567', '女'],
      ['小米通讯技术有限公司', '王五', '+86 139 0013 9001', 'c@example.com', '', '1991年3月4日', '', '98765432', '女'],
    ]));
    expect(p.entity).toBe('contact');
    expect(mapping(p)).toEqual({ company: '单位', person_name: '人', sex: '男女', year1: '出生', phone: '座机号', mobile: '号码', email: '邮件地址X', qq: 'Q', zip: '码' });
    const mobile = p.fields.find((f) => f.field === 'mobile')!;
    expect(mobile).toMatchObject({ confidence: 'medium', transforms: ['phone'] });
    expect(mobile.why.zh).toMatch(/按内容推断：样本中 3\/3 个值像手机号/);
    expect(p.fields.find((f) => f.field === 'person_name')!.confidence).toBe('low');
    expect(p.fields.find((f) => f.field === 'sex')!.transforms).toEqual(['sex']);
    expect(p.write).toMatchObject({ mode: 'upsert', matchKeys: ['company', 'person_name', 'mobile'] });
  });

  it('a header whose values contradict it is trusted less, and says why', () => {
    const p = propose(sample(['客户名称', '姓名', '手机'], [['甲公司', '张三', '62345678'], ['乙公司', '李四', '62345679'], ['丙公司', '王五', '无']]));
    const mobile = p.fields.find((f) => f.field === 'mobile')!;
    expect(mobile.confidence).toBe('medium');
    expect(mobile.why.en).toMatch(/only 0 of 3 sample values look like mobile numbers/);
  });

  it('an exported workbook with ord becomes an update keyed on ord; a customer number is the lookup without a name column', () => {
    const exported = propose(sample(['数据唯一标识', '联系人姓名', '关联客户', '手机'], [['101', '张三', '7', '13800138000']]));
    expect(exported.write).toMatchObject({ mode: 'update', matchKeys: ['ord'] });
    expect(exported.lookup!.by).toBe('id');
    const coded = propose(sample(['客户编号', '联系人'], [['KH000001', '张三']]));
    expect(mapping(coded)).toMatchObject({ company: '客户编号', person_name: '联系人' });
    expect(coded.lookup!.by).toBe('code');
    expect(coded.unmapped).toEqual([]);
  });

  it('required fields without a column: a placeholder, a warning, and still a pipeline that lints', () => {
    const p = propose(sample(['备注'], [['x']]));
    expect(p.fields.filter((f) => f.placeholder).map((f) => f.field)).toEqual(['company', 'person_name']);
    expect(p.warnings.map((w) => w.en).join()).toMatch(/required field company/);
    const text = renderPipeline(p, sample(['备注'], [['x']]), { name: 'x', pipelineFile: 'pipelines/x.yaml', sourceFile: 'in.xlsx' });
    expect(text).toMatch(/company: 客户名称 +# 未找到，请修改 \/ NOT FOUND, edit this/);
    expect(parsePipeline('x.yaml', text).ok).toBe(true);
  });

  it('follow-ups: chosen from their headers, the contact named by company + name, a missing 日程类型 a constant', () => {
    const headers = ['客户名称', '联系人', '洽谈内容', '方式', '开始时间', '家庭地址'];
    const f = propose(sample(headers, [['甲公司', '张三', '谈的很好', '电话', '2024-01-01', ''], ['乙公司', '李四', '再联系', '上门', '', '']]));
    expect(f.entity).toBe('followup');
    // One follow-up column among contact ones (ZB's contact template has 洽谈进展): a contact file.
    expect(propose(sample(['客户名称', '联系人', '职位', '洽谈进展'], [])).entity).toBe('contact');
    expect(f.contactLookup).toMatchObject({ by: 'company+name', companyColumn: '客户名称', nameColumn: '联系人' });
    expect(mapping(f)).toEqual({ intro: '洽谈内容', sort: '方式', plantype: '=不生成' });
    expect(f.unmapped.find((u) => u.header === '开始时间')!.why.en).toMatch(/may be any of @ret2_0, @ret_0/);
    const text = renderPipeline(f, sample(headers, []), { name: 'f', pipelineFile: 'pipelines/f.yaml', sourceFile: 'in.xlsx' });
    const loaded = parsePipeline('f.yaml', text);
    expect(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.problems)).toBe(true);
  });

  it('headers that are not plain text are quoted, and cannot add settings or break comments', () => {
    for (const s of ['a: b', '# x', 'yes', '123', ' 前后空格 ', '@ret', 'x, y', '[a]', '"q"']) expect(yamlScalar(s)).toBe(JSON.stringify(s));
    for (const s of ['客户名称', 'QQ', 'E-mail', '备注(内部)']) expect(yamlScalar(s)).toBe(s);
    const headers = ['客户名称', '联系人', 'evil\nwrite:\n  mode: insert', '手机: #1'];
    const s = sample(headers, [['甲公司', '张三', 'x', '13800138000']]);
    const text = renderPipeline(propose(s), s, { name: 'e', pipelineFile: 'pipelines/e.yaml', sourceFile: 'in.xlsx' });
    const loaded = parsePipeline('e.yaml', text);
    expect(loaded.ok).toBe(true);
    if (loaded.ok && loaded.pipeline.config.kind === 'import') {
      expect(loaded.pipeline.config.write.mode).toBe('upsert');
      expect(loaded.pipeline.config.mapping.mobile).toEqual({ from: '手机: #1', transforms: ['phone'] });
    }
  });
});
