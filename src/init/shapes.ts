/**
 * What a column's values look like, for `zbport init` to guess the field of a header it does not
 * know: mobiles (11 digits starting with 1), e-mail addresses, dates, landlines, 6-digit zips,
 * QQ numbers, ages, the labels of an enum field, Chinese personal and company names.
 */
import type { FieldSpec } from '../catalog/index.js';
import { cellText, type Cell } from '../sources/types.js';

export type Shape = 'mobile' | 'email' | 'date' | 'landline' | 'zip' | 'qq' | 'age' | 'company-name' | 'person-name' | 'integer';

export interface ShapeMatch {
  shape: Shape;
  /** Values of that shape, of `of` non-empty ones. */
  hits: number;
  of: number;
}

/** A share of the non-empty values a shape must reach to be a column's shape. */
export const SHAPE_SHARE = 0.8;

const text = (c: Cell) => (c !== undefined && typeof c !== 'string' && c.kind === 'date' ? c.text : cellText(c).normalize('NFKC').trim());

const TESTS: Record<Shape, (v: string, cell: Cell) => boolean> = {
  mobile: (v) => /^(\+?86)?1[3-9]\d{9}$/.test(v.replace(/[\s-]/g, '')),
  email: (v) => /^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(v),
  date: (v, cell) => (typeof cell === 'object' && cell?.kind === 'date') || /^(19|20)\d{2}([-/.])\d{1,2}\2\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?$/.test(v) || /^(19|20)\d{2}年\d{1,2}月\d{1,2}日$/.test(v),
  landline: (v) => /^(\(?0\d{2,3}\)?[-\s]?)?[2-9]\d{6,7}([-转#]\d{1,6})?$/.test(v),
  zip: (v) => /^\d{6}$/.test(v),
  qq: (v) => /^[1-9]\d{4,10}$/.test(v),
  age: (v) => /^\d{1,3}$/.test(v) && +v >= 16 && +v <= 100,
  'company-name': (v) => /(有限|公司|集团|厂|研究院|研究所|事务所|银行|大学|学院|学校|医院|商行|工作室|协会|中心)/.test(v),
  'person-name': (v) => /^[\u4e00-\u9fff]{1,2}[\u4e00-\u9fff·]{1,3}$/.test(v),
  integer: (v) => /^-?\d+$/.test(v),
};

/** In order of preference: the more specific shape first (a mobile is also an integer). */
const ORDER: Shape[] = ['email', 'mobile', 'date', 'zip', 'qq', 'landline', 'age', 'company-name', 'person-name'];

/** The column's shape, when most of its values share one (undefined for an empty or mixed column). */
export function columnShape(cells: Cell[]): ShapeMatch | undefined {
  const values = cells.map((c) => [text(c), c] as const).filter(([v]) => v !== '');
  if (!values.length) return undefined;
  for (const shape of ORDER) {
    const hits = values.filter(([v, c]) => TESTS[shape](v, c)).length;
    if (hits / values.length >= SHAPE_SHARE) {
      // A column of 6-digit numbers is a zip column; QQ numbers vary in length.
      if (shape === 'qq' && values.every(([v]) => v.length === 6)) continue;
      return { shape, hits, of: values.length };
    }
  }
  return undefined;
}

/** How many values have this shape (for checking a column matched by its header). */
export function shapeShare(cells: Cell[], shape: Shape): ShapeMatch {
  const values = cells.map((c) => [text(c), c] as const).filter(([v]) => v !== '');
  return { shape, hits: values.filter(([v, c]) => TESTS[shape](v, c)).length, of: values.length };
}

/** Whether the values are labels (or ids) of an enum field, e.g. 电话/邮件/上门 for 跟进方式. */
export function enumShare(cells: Cell[], field: FieldSpec): ShapeMatch | undefined {
  if (!field.options) return undefined;
  const known = new Set(field.options.flatMap((o) => [o.label, o.value]));
  const values = cells.map(text).filter((v) => v !== '');
  if (!values.length) return undefined;
  const hits = values.filter((v) => known.has(v)).length;
  return hits / values.length >= SHAPE_SHARE ? { shape: 'integer', hits, of: values.length } : undefined;
}

/** The shape a field's values have, when it has a telling one. */
export const FIELD_SHAPE: Record<string, Shape> = {
  mobile: 'mobile', mobile2: 'mobile', email: 'email', year1: 'date', zip: 'zip', qq: 'qq', age: 'age',
};

/** Chinese and English words for a shape, in messages. */
export const SHAPE_WORDS: Record<Shape, { zh: string; en: string }> = {
  mobile: { zh: '手机号', en: 'mobile numbers' },
  email: { zh: '电子邮件地址', en: 'e-mail addresses' },
  date: { zh: '日期', en: 'dates' },
  landline: { zh: '固定电话', en: 'landline numbers' },
  zip: { zh: '6 位邮编', en: '6-digit zip codes' },
  qq: { zh: 'QQ 号', en: 'QQ numbers' },
  age: { zh: '年龄', en: 'ages' },
  'company-name': { zh: '公司名称', en: 'company names' },
  'person-name': { zh: '中文姓名', en: 'Chinese personal names' },
  integer: { zh: '选项值', en: 'option labels' },
};
