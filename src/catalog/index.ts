/**
 * The field catalog: lookups over the seed's API tables and the rules every layer shares.
 */
import { createHash } from 'node:crypto';
import { APIS } from './fields.js';
import { DEFAULT_LAYOUTS, LIST_FIELDS } from './lists.js';
import type { FieldSpec } from './types.js';

export * from './types.js';
export * from './fields.js';
export * from './lists.js';

/**
 * Length as SQL Server's nvarchar counts it: UTF-16 code units. JavaScript strings are
 * UTF-16, so `.length` is exactly that (𠮷 counts 2); named so callers say what they mean.
 */
export function utf16Length(value: string): number {
  return value.length;
}

/** A caption with every kind of space removed (`性 别` → `性别`, `备　　注` → `备注`). */
export function plainCaption(caption: string): string {
  return caption.replace(/[\s\u3000]+/g, '');
}

/** Every header a field is known by: its caption, then its aliases. */
export function fieldNames(field: FieldSpec): string[] {
  return [field.caption, ...(field.aliases ?? [])];
}

export function fieldById(fields: FieldSpec[], id: string): FieldSpec | undefined {
  return fields.find((f) => f.id === id);
}

/** The rule a person reads in a template note: `联系人姓名：必填，50字以内`. */
export function describeRule(field: FieldSpec): string {
  const parts: string[] = [];
  if (field.required && !field.requiredWhen) parts.push('必填');
  if (field.requiredWhen) parts.push(`${field.requiredWhen.field}=${field.requiredWhen.in.join('/')}时必填`);
  if (field.type === 'int') parts.push('整数');
  if (field.type === 'number') parts.push('数字');
  if (field.type === 'datetime' || field.type === 'date') parts.push('日期');
  if (field.maxLength) parts.push(`${field.maxLength}字以内`);
  if (field.options) parts.push(`可选：${field.options.map((o) => o.label).join('、')}${field.freeText ? '（或自由文本）' : ''}`);
  return `${plainCaption(field.caption)}：${parts.join('，') || '选填'}`;
}

/** A stable hash of the whole catalog, so a template made from an older catalog can be told apart. */
// Aliases only help find a column; they change no rule, so templates made before an alias was
// added do not warn about an older catalog.
export const CATALOG_HASH: string = createHash('sha256')
  .update(JSON.stringify({ APIS, DEFAULT_LAYOUTS, LIST_FIELDS: Object.fromEntries(Object.entries(LIST_FIELDS).map(([k, v]) => [k, v.map((f) => f.key)])) }, (k, v) => (k === 'aliases' ? undefined : v)))
  .digest('hex')
  .slice(0, 16);
