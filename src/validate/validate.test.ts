import { describe, expect, it } from 'vitest';
import { checkFields } from '../emulator/checks.js';
import { CONTACT_FIELDS, FOLLOWUP_FIELDS, type FieldSpec } from '../catalog/index.js';
import { canonicalDate, canonicalDateByPattern } from './dates.js';
import { cleanPhone, fromExcelSerial, halfwidth, normalizeHeader, normalizeSex, parseDateText, TRANSFORMS, validateRecord, validateValue } from './index.js';

const F = (fields: FieldSpec[], id: string) => fields.find((f) => f.id === id)!;
const contact = (id: string) => F(CONTACT_FIELDS, id);
const followup = (id: string) => F(FOLLOWUP_FIELDS, id);

describe('text', () => {
  it('matches headers ignoring spaces and widths', () => {
    for (const [a, b] of [['性 别', '性别'], ['手　机', '手机'], ['ＱＱ', 'qq'], [' Email ', 'email'], ['备　　注', '备注']]) expect(normalizeHeader(a)).toBe(normalizeHeader(b));
  });
  it('converts full-width digits and letters, keeps Chinese punctuation', () => {
    expect(halfwidth('１３８ＡＢｃ')).toBe('138ABc');
    expect(halfwidth('腾讯科技（深圳）有限公司，好')).toBe('腾讯科技（深圳）有限公司，好');
    expect(halfwidth('ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('abc@example.com');
    expect(halfwidth('plain')).toBe('plain');
  });
});

describe('transforms', () => {
  it('cleans phones', () => {
    expect(cleanPhone('138-0013-8000')).toBe('13800138000');
    expect(cleanPhone('+86 138 0013 8000')).toBe('13800138000');
    expect(cleanPhone('0086-13800138000')).toBe('13800138000');
    expect(cleanPhone('(010) 12345678')).toBe('010-12345678');
    expect(cleanPhone('0755-8888 6666 转 123')).toBe('0755-88886666-123');
    expect(cleanPhone('１３８００１３８０００')).toBe('13800138000');
    expect(cleanPhone('见备注')).toBe('见备注');
  });
  it('normalises sex', () => {
    for (const m of ['男', ' 男 ', '男性', 'M', 'male']) expect(normalizeSex(m)).toBe('男');
    for (const f of ['女', '女士', 'F', 'Female']) expect(normalizeSex(f)).toBe('女');
    expect(normalizeSex('未知')).toBe('未知');
  });
  it('registers every transform with a summary', () => {
    for (const [name, t] of Object.entries(TRANSFORMS)) {
      expect(t.summary, name).toBeTruthy();
      expect(typeof t.fn('x')).toBe('string');
    }
    expect(TRANSFORMS.trim.fn('　 张三 \t')).toBe('张三');
    expect(TRANSFORMS.date.fn('1990年1月2日')).toBe('1990-01-02');
  });
});

describe('dates', () => {
  it('parses the ways people write dates', () => {
    for (const t of ['1990-01-02', '1990/1/2', '1990.1.2', '1990年1月2日', '19900102', ' 1990 - 1 - 2 ', '32875']) {
      expect(parseDateText(t), t).toMatchObject({ ok: true, date: '1990-01-02' });
    }
    expect(parseDateText('1990-01-02 08:30')).toMatchObject({ ok: true, date: '1990-01-02 08:30:00', hasTime: true });
  });
  it('refuses impossible dates instead of rolling them over', () => {
    for (const t of ['1990-02-30', '1990-13-01', '1990-00-10', '1900-02-29', '2023-02-29', '1990-01-02 25:00', 'abc', '']) expect(parseDateText(t).ok, t).toBe(false);
    expect(parseDateText('2024-02-29').ok).toBe(true);
    expect(parseDateText('2000-02-29').ok).toBe(true);
  });
  it('reads Excel serials with the 1900 leap-year bug', () => {
    expect(fromExcelSerial(1)).toMatchObject({ date: '1900-01-01' });
    expect(fromExcelSerial(59)).toMatchObject({ date: '1900-02-28' });
    expect(fromExcelSerial(60).ok).toBe(false); // 1900-02-29 does not exist
    expect(fromExcelSerial(61)).toMatchObject({ date: '1900-03-01' });
    expect(fromExcelSerial(31412)).toMatchObject({ date: '1985-12-31' });
    expect(fromExcelSerial(45293.5729166667)).toMatchObject({ date: '2024-01-02 13:45:00', hasTime: true });
    expect(fromExcelSerial(0, true)).toMatchObject({ ok: false });
    expect(fromExcelSerial(1, true)).toMatchObject({ date: '1904-01-02' });
  });
});

describe('validateValue', () => {
  it('counts length in UTF-16 units: 50 passes, 51 fails', () => {
    expect(validateValue(contact('person_name'), `${'名'.repeat(48)}𠮷`)).toEqual({ ok: true, value: `${'名'.repeat(48)}𠮷` });
    const r = validateValue(contact('person_name'), `${'名'.repeat(49)}𠮷`);
    expect(r).toMatchObject({ ok: false, code: 'TOO_LONG' });
    if (!r.ok) {
      expect(r.message.zh).toBe('联系人姓名超过50个字符（实际51）');
      expect(r.message.en).toContain('联系人姓名 (person_name) is longer than 50');
    }
    expect(validateValue(contact('joy'), 'x'.repeat(3001))).toMatchObject({ ok: false, code: 'TOO_LONG' });
    expect(validateValue(contact('intro'), 'x'.repeat(5000))).toMatchObject({ ok: true });
    expect(validateValue(contact('qq'), '1'.repeat(21))).toMatchObject({ ok: false, code: 'TOO_LONG' });
  });
  it('checks integers', () => {
    expect(validateValue(contact('age'), '30')).toEqual({ ok: true, value: '30' });
    expect(validateValue(contact('age'), '30.0')).toEqual({ ok: true, value: '30' });
    expect(validateValue(contact('age'), '１２３')).toEqual({ ok: true, value: '123' });
    expect(validateValue(contact('age'), '30.5')).toMatchObject({ ok: false, code: 'NOT_INTEGER' });
    expect(validateValue(contact('age'), '三十')).toMatchObject({ ok: false, code: 'NOT_INTEGER' });
  });
  it('checks ranges from the catalog, the same the template and the emulator read', () => {
    expect(validateValue(contact('age'), '１,２３４')).toMatchObject({ ok: false, code: 'OUT_OF_RANGE' });
    expect(validateValue(contact('age'), '9999999999')).toMatchObject({ ok: false, code: 'OUT_OF_RANGE' });
    expect(validateValue(contact('age'), '-1')).toMatchObject({ ok: false, code: 'OUT_OF_RANGE' });
    expect(validateValue(contact('age'), '150')).toEqual({ ok: true, value: '150' });
    expect(validateValue(contact('year1'), '1899-12-31')).toMatchObject({ ok: false, code: 'OUT_OF_RANGE' });
    expect(validateValue(contact('year1'), '2101-01-01')).toMatchObject({ ok: false, code: 'OUT_OF_RANGE' });
    expect(validateValue(contact('year1'), '1900-01-01')).toEqual({ ok: true, value: '1900-01-01' });
    expect(checkFields(CONTACT_FIELDS, { person_name: '张三', company: '1', age: '151' })).toMatch(/年龄超出范围/);
    expect(checkFields(CONTACT_FIELDS, { person_name: '张三', company: '1', year1: '1850-01-01' })).toMatch(/生日超出范围/);
  });
  it('checks dates, typed cells and error cells', () => {
    expect(validateValue(contact('year1'), '1990/1/2')).toEqual({ ok: true, value: '1990-01-02' });
    expect(validateValue(contact('year1'), { kind: 'date', text: '1985-12-31' })).toEqual({ ok: true, value: '1985-12-31' });
    expect(validateValue(contact('year1'), '1990-02-30')).toMatchObject({ ok: false, code: 'BAD_DATE' });
    expect(validateValue(contact('mobile'), { kind: 'error', text: '#N/A' })).toMatchObject({ ok: false, code: 'CELL_ERROR' });
    expect(validateValue(followup('@ret_0'), '2024-01-02 09:30')).toEqual({ ok: true, value: '2024-01-02 09:30:00' });
  });
  it('maps enums by label or id, honours overrides, and allows free text where the field does', () => {
    expect(validateValue(contact('sex'), '女')).toEqual({ ok: true, value: '女' });
    expect(validateValue(contact('sex'), '未知')).toMatchObject({ ok: false, code: 'BAD_ENUM' });
    expect(validateValue(followup('sort'), '电话')).toEqual({ ok: true, value: '481' });
    expect(validateValue(followup('sort'), '483')).toEqual({ ok: true, value: '483' });
    expect(validateValue(followup('sort'), '电话', { enumOverrides: { 电话: '901' } })).toEqual({ ok: true, value: '901' });
    expect(validateValue(followup('sort'), '901', { enumOverrides: { 电话: '901' } })).toEqual({ ok: true, value: '901' });
    expect(validateValue(followup('sort'), '传真')).toMatchObject({ ok: false, code: 'BAD_ENUM' });
    expect(validateValue(followup('plantype'), '不生成')).toEqual({ ok: true, value: '0' });
    expect(validateValue(followup('intro'), '谈的很好，让发合同。')).toEqual({ ok: true, value: '106' });
    expect(validateValue(followup('intro'), '谈的很好，让发合同')).toEqual({ ok: true, value: '106' });
    expect(validateValue(followup('intro'), '客户说下周再联系')).toEqual({ ok: true, value: '客户说下周再联系' });
    expect(validateValue(followup('intro'), 'x'.repeat(1001))).toMatchObject({ ok: false, code: 'TOO_LONG' });
  });
});

describe('validateRecord', () => {
  it('requires what the catalog requires', () => {
    expect(validateRecord(CONTACT_FIELDS, { company: '1', person_name: '' })).toEqual([expect.objectContaining({ field: 'person_name', code: 'REQUIRED' })]);
    expect(validateRecord(CONTACT_FIELDS, { company: '1', person_name: '张三' })).toEqual([]);
  });
  it('requires schedule fields only for their plantype, and drops the others', () => {
    const v2: Record<string, string> = { intro: '106', sort: '481', plantype: '2', '@title1': '不相关' };
    const p2 = validateRecord(FOLLOWUP_FIELDS, v2);
    expect(p2.map((p) => p.field)).toEqual(['@ret2_0', '@ret2_1', '@title2', '@intro2']);
    expect(v2['@title1']).toBeUndefined();
    const v0: Record<string, string> = { intro: '106', sort: '481', plantype: '0', '@ret2_0': '2024-01-01' };
    expect(validateRecord(FOLLOWUP_FIELDS, v0)).toEqual([]);
    expect(v0['@ret2_0']).toBeUndefined();
    const v1 = { intro: '106', sort: '481', plantype: '1', '@ret_0': '2024-01-01', '@ret_1': '2024-01-02', '@title1': '回访', '@remind': '0' };
    expect(validateRecord(FOLLOWUP_FIELDS, v1)).toEqual([]);
  });
});

describe('canonicalDate', () => {
  it('returns what the full reading returns, for canonical-looking text and near misses', () => {
    const samples = ['1985-01-02', '1985-01-02 00:00:00', '1985-01-02 10:20:30', '1985/1/2 0:00:00', '1985-1-2', '1985-01-02T10:20:30', '1985-01-02 10:20', '1985-01-0x', 'abcd-ef-gh', '1985-01-02 10:20:3x', '1985-01-02 10:20:30.5', '', '第1985-01-02', '1985-01-02 24:00:00'];
    let seed = 7;
    const pick = (s: string) => s[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % s.length];
    for (let i = 0; i < 3000; i++) samples.push(Array.from({ length: i % 2 ? 10 : 19 }, (_, j) => pick(j === 4 || j === 7 ? '-/-9' : j === 10 ? ' T0' : j === 13 || j === 16 ? '::0' : '0123456789x')).join(''));
    for (const s of samples) expect(canonicalDate(s), s).toBe(canonicalDateByPattern(s));
  });
});
