/**
 * Validation of one value against its catalog field, and of a whole record's required fields.
 * Messages say what was expected and what was got, in Chinese and English.
 */
import { plainCaption, utf16Length, type FieldSpec } from '../catalog/index.js';
import type { RowProblemCode } from '../errors.js';
import { shorten } from '../errors.js';
import type { Cell } from '../sources/types.js';
import { parseDateText } from './dates.js';
import { halfwidth } from './text.js';

export type ValueResult = { ok: true; value: string } | { ok: false; code: RowProblemCode; message: { zh: string; en: string } };

export interface ValidateOptions {
  /** Label → id overrides for this field's options (installations renumber enum ids). */
  enumOverrides?: Record<string, string>;
}

const bad = (code: RowProblemCode, zh: string, en: string): ValueResult => ({ ok: false, code, message: { zh, en } });

const CAPTIONS = new WeakMap<FieldSpec, string>();
/** The caption without spaces, computed once per field (this runs for every cell). */
function captionOf(field: FieldSpec): string {
  let c = CAPTIONS.get(field);
  if (c === undefined) CAPTIONS.set(field, (c = plainCaption(field.caption)));
  return c;
}

/**
 * The field as the English reason names it: its caption, which is what the file and the ERP
 * show, with the id beside it (`生日 (year1)`).
 */
function enName(field: FieldSpec, name = captionOf(field)): string {
  return name === field.id ? name : `${name} (${field.id})`;
}

const BLANK: ValueResult = Object.freeze({ ok: true, value: '' });
const NO_OPTIONS: ValidateOptions = Object.freeze({});

export function validateValue(field: FieldSpec, input: Cell, opts: ValidateOptions = NO_OPTIONS): ValueResult {
  if (input === undefined) return BLANK;
  const name = captionOf(field);
  if (typeof input !== 'string') {
    if (input.kind === 'error') return bad('CELL_ERROR', `${name}单元格是错误值 ${input.text}`, `${enName(field, name)}: the cell holds the error ${input.text}`);
    if (field.type === 'date' || field.type === 'datetime') return checkDate(field, name, input.text);
    input = input.text;
  }
  const v = input;
  if (v === '') return BLANK;
  switch (field.type) {
    case 'int': {
      if (field.options) return enumCheck(field, name, v, opts);
      const t = halfwidth(v).trim().replace(/,/g, '');
      const m = /^([+-]?\d+)(?:\.0+)?$/.exec(t);
      if (!m || !Number.isSafeInteger(Number(m[1]))) return bad('NOT_INTEGER', `${name}应为整数，实际为“${shorten(v, 20)}”`, `${enName(field, name)} must be a whole number, got \`${shorten(v, 20)}\``);
      return outOfRange(field, name, Number(m[1])) ?? enumCheck(field, name, String(Number(m[1])), opts);
    }
    case 'number': {
      const t = halfwidth(v).trim().replace(/,/g, '');
      if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) return bad('NOT_NUMBER', `${name}应为数字，实际为“${shorten(v, 20)}”`, `${enName(field, name)} must be a number, got \`${shorten(v, 20)}\``);
      return outOfRange(field, name, Number(t)) ?? { ok: true, value: String(Number(t)) };
    }
    case 'date':
    case 'datetime':
      return checkDate(field, name, v);
    default: {
      if (field.options) {
        const r = enumCheck(field, name, v, opts);
        // A known label or id is the option's id; other text is free text where the field allows it.
        if (!r.ok || !field.freeText || r.value !== v) return r;
      }
      const n = utf16Length(v);
      if (field.maxLength && n > field.maxLength) {
        return bad('TOO_LONG', `${name}超过${field.maxLength}个字符（实际${n}）`, `${enName(field, name)} is longer than ${field.maxLength} characters (${n}; characters outside the BMP such as 𠮷 count 2)`);
      }
      return { ok: true, value: v };
    }
  }
}

function checkDate(field: FieldSpec, name: string, v: string): ValueResult {
  const r = parseDateText(v);
  if (!r.ok) return bad('BAD_DATE', `${name}不是有效日期：“${shorten(v, 30)}”（例：1990-01-02、1990/1/2、1990年1月2日）`, `${enName(field, name)} is not a valid date: \`${shorten(v, 30)}\` (e.g. 1990-01-02, 1990/1/2, 1990年1月2日)`);
  const day = r.date.slice(0, 10);
  const range = field.dateRange;
  if (range && (day < range.min || day > range.max)) {
    return bad('OUT_OF_RANGE', `${name}应在 ${range.min} 到 ${range.max} 之间，实际为 ${day}`, `${enName(field, name)} must be between ${range.min} and ${range.max}, got ${day}`);
  }
  return { ok: true, value: field.type === 'date' ? day : r.date };
}

/** A number outside the field's range (the catalog's, as every layer reads it). */
function outOfRange(field: FieldSpec, name: string, n: number): ValueResult | undefined {
  const r = field.range;
  if (!r || (n >= r.min && n <= r.max)) return undefined;
  return bad('OUT_OF_RANGE', `${name}应在 ${r.min} 到 ${r.max} 之间，实际为 ${n}`, `${enName(field, name)} must be between ${r.min} and ${r.max}, got ${n}`);
}

/** An enum value by label or by id; overrides map labels to this installation's ids. */
function enumCheck(field: FieldSpec, name: string, v: string, opts: ValidateOptions): ValueResult {
  if (!field.options) return { ok: true, value: v };
  const t = v.trim();
  const override = opts.enumOverrides?.[t];
  if (override !== undefined) return { ok: true, value: override };
  const hit = field.options.find((o) => o.value === t || o.label === t || o.label.replace(/[。.]$/, '') === t.replace(/[。.]$/, ''));
  if (hit) {
    // A label overridden for this installation maps to the installation's id.
    const byLabel = opts.enumOverrides?.[hit.label];
    return { ok: true, value: byLabel ?? hit.value };
  }
  if (opts.enumOverrides && Object.values(opts.enumOverrides).includes(t)) return { ok: true, value: t };
  if (field.freeText) return { ok: true, value: v };
  const allowed = field.options.map((o) => (o.value === o.label ? o.label : `${o.label}(${o.value})`)).join('、');
  return bad('BAD_ENUM', `${name}只能是：${allowed}；实际为“${shorten(v, 20)}”`, `${enName(field, name)} must be one of ${allowed}; got \`${shorten(v, 20)}\``);
}

export interface RecordProblem {
  field: string;
  code: RowProblemCode;
  message: { zh: string; en: string };
}

/**
 * Required fields of a record, honouring `requiredWhen`: a field required only for some value of
 * another field is checked then, and otherwise removed from the values (the ERP ignores it).
 */
export function validateRecord(fields: FieldSpec[], values: Record<string, string>): RecordProblem[] {
  const out: RecordProblem[] = [];
  for (const f of fields) {
    if (f.key) continue;
    if (f.requiredWhen) {
      const active = f.requiredWhen.in.includes(values[f.requiredWhen.field] ?? '');
      if (!active) {
        delete values[f.id];
        continue;
      }
    }
    if (f.required && f.id in values && (values[f.id] ?? '') === '') {
      out.push({ field: f.id, code: 'REQUIRED', message: { zh: `${plainCaption(f.caption)}不能为空`, en: `${enName(f)} is required` } });
    } else if (f.required && !(f.id in values) && f.requiredWhen) {
      const when = fields.find((x) => x.id === f.requiredWhen!.field);
      const whenZh = when ? captionOf(when) : f.requiredWhen.field;
      const whenEn = when ? enName(when) : f.requiredWhen.field;
      out.push({ field: f.id, code: 'REQUIRED', message: { zh: `${plainCaption(f.caption)}不能为空（${whenZh}=${values[f.requiredWhen.field]}时必填）`, en: `${enName(f)} is required when ${whenEn} is ${values[f.requiredWhen.field]}` } });
    }
  }
  return out;
}
