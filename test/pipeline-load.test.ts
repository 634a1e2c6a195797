import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { parsePipeline } from '../src/definition/load.js';
import { lintCommand } from '../src/commands/lint.js';
import { formatProblem } from '../src/definition/problems.js';

const VALID = `
name: t
kind: import
entity: contact
source:
  file: a.xlsx
mapping:
  company: 客户名称
  person_name: 姓名
  mobile: 手机
`;

/** Each case: a change to a valid definition, and fragments the report must contain. */
const INVALID: Array<{ name: string; yaml: string; expect: Array<string | RegExp> }> = [
  { name: 'yaml syntax', yaml: 'name: [unclosed\nkind: import', expect: ['YAML', /:\d+/] },
  { name: 'not a mapping', yaml: '- a\n- b', expect: ['expected a mapping'] },
  { name: 'unknown kind', yaml: VALID.replace('kind: import', 'kind: imprt'), expect: ['kind', 'import', 'export'] },
  { name: 'unknown top-level key', yaml: `${VALID}\nmappings: {}\n`, expect: ['unknown setting `mappings`', 'known:', 'mapping'] },
  { name: 'unknown entity', yaml: VALID.replace('entity: contact', 'entity: person'), expect: ['entity', '`person` is not allowed', 'contact, followup'] },
  { name: 'unknown write mode', yaml: `${VALID}write:\n  mode: merge\n`, expect: ['write.mode', 'merge', 'insert, upsert, update, skip-existing', 'p.yaml:12:3'] },
  { name: 'unknown field', yaml: VALID.replace('mobile: 手机', 'mobil: 手机'), expect: ['mapping.mobil', 'not a contact field', 'mobile'] },
  { name: 'unknown transform', yaml: VALID.replace('mobile: 手机', 'mobile: { from: 手机, transforms: [phon] }'), expect: ['mapping.mobile.transforms.0', 'unknown transform `phon`', 'phone'] },
  { name: 'required not mapped', yaml: VALID.replace('  person_name: 姓名\n', ''), expect: ['person_name', 'not mapped'] },
  { name: 'match key not mapped', yaml: `${VALID}write:\n  matchKeys: [company, email]\n`, expect: ['write.matchKeys.1', '`email` is not mapped'] },
  { name: 'match keys that match nothing in update mode', yaml: `${VALID.replace('  mobile: 手机\n', '').replace('  company: 客户名称\n', '').replace('  person_name: 姓名\n', '  email: 邮箱\n')}write:\n  mode: update\n`, expect: ['update mode needs match keys'] },
  { name: 'wrong type', yaml: `${VALID}write:\n  retries: many\n`, expect: ['write.retries', 'expected number', 'many'] },
  { name: 'concurrency neither auto nor a number', yaml: `${VALID}write:\n  concurrency: many\n`, expect: ['write.concurrency', '应为`auto`或数字，实际为文本 `many` / expected `auto` or number, got string `many`'] },
  { name: 'concurrency out of range', yaml: `${VALID}write:\n  concurrency: 300\n`, expect: ['write.concurrency', '应不大于 256 / must be at most 256'] },
  { name: 'enum override on a plain field', yaml: `${VALID}enums:\n  job: { 经理: '1' }\n`, expect: ['enums.job', 'not an enum field', 'sex'] },
  { name: 'missing source', yaml: VALID.replace(/source:\n {2}file: a.xlsx\n/, ''), expect: ['source', 'is required'] },
  { name: 'a required field made optional', yaml: VALID.replace('person_name: 姓名', 'person_name: { from: 姓名, optional: true }'), expect: ['mapping.person_name.optional', '必填字段，不能设为可选', 'required by the ERP', 'p.yaml:'] },
  { name: 'a match key made optional', yaml: VALID.replace('mobile: 手机', 'mobile: { from: 手机, optional: true }'), expect: ['mapping.mobile.optional', '是匹配键', 'match key'] },
  { name: 'an optional constant', yaml: `${VALID}  age: { value: '30', optional: true }\n`, expect: ['mapping.age.optional', 'constant'] },
  { name: 'optional is a yes or no', yaml: `${VALID}  age: { from: 年龄, optional: maybe }\n`, expect: ['mapping.age.optional', 'expected boolean'] },
  { name: 'a * in a folder of source.file', yaml: VALID.replace('file: a.xlsx', 'file: exports/*/a.xlsx'), expect: ['source.file', '文件名', 'file name only'] },
];

describe('pipeline definitions', () => {
  it('accepts a valid definition and applies defaults', () => {
    const r = parsePipeline('p.yaml', VALID);
    expect(r.ok).toBe(true);
    if (!r.ok || r.pipeline.config.kind !== 'import') return;
    expect(r.pipeline.config.write.mode).toBe('upsert');
    expect(r.pipeline.config.write).toMatchObject({ concurrency: 'auto', maxConcurrency: 64, initialConcurrency: 8 });
    expect(r.pipeline.config.source.headerRow).toBe(1);
    expect(r.pipeline.config.transforms).toEqual(['trim', 'halfwidth']);
  });

  for (const c of INVALID) {
    it(`reports ${c.name}`, () => {
      const r = parsePipeline('p.yaml', c.yaml);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      const text = r.problems.map(formatProblem).join('\n');
      for (const e of c.expect) {
        if (typeof e === 'string') expect(text).toContain(e);
        else expect(text).toMatch(e);
      }
      for (const p of r.problems) expect(p.file).toBe('p.yaml');
    });
  }

  it('accepts optional columns, an optional required field in update mode, and a * in the file name', () => {
    const r = parsePipeline('p.yaml', `${VALID.replace('file: a.xlsx', 'file: exports/联系人-*.xlsx')}  age: { from: 年龄, optional: true }\n  weixinAcc: { from: [微信, 微信号], optional: true, transforms: [trim] }\n`);
    expect(r.ok, r.ok ? '' : r.problems.map(formatProblem).join('\n')).toBe(true);
    const update = parsePipeline('p.yaml', `${VALID.replace('mobile: 手机', 'ord: 数据唯一标识').replace('company: 客户名称', 'company: { from: 关联客户, optional: true }')}write:\n  mode: update\n  matchKeys: [ord]\n`);
    expect(update.ok, update.ok ? '' : update.problems.map(formatProblem).join('\n')).toBe(true);
  });

  it('reports every problem at once, each with a line', () => {
    const yaml = `${VALID.replace('mobile: 手机', 'mobil: 手机')}write:\n  mode: merge\n  concurrency: 0\n`;
    const r = parsePipeline('p.yaml', yaml);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.length).toBeGreaterThanOrEqual(2);
    expect(r.problems.every((p) => typeof p.line === 'number')).toBe(true);
  });

  it('lints every file in pipelines/', async () => {
    const lines: string[] = [];
    const files = readdirSync('pipelines').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    const code = await lintCommand({ paths: ['pipelines'], out: (l) => lines.push(l) });
    expect(lines.join('\n')).not.toMatch(/ error /);
    expect(code).toBe(0);
    expect(lines.filter((l) => l.endsWith(': ok') || l.includes(': ok ('))).toHaveLength(files.length);
  });
});
