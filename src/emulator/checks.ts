/**
 * The emulator's server-side checks, derived from the field catalog: required fields (and the
 * ones required only for some plantype), lengths counted as SQL Server nvarchar counts them
 * (UTF-16 code units), integers, dates, enums. The wording of the refusals is invented (the real
 * texts are unknown) but follows the runtime's style: "联系人姓名不能为空！".
 */
import { plainCaption, utf16Length, type FieldSpec } from '../catalog/index.js';
import { parseDateText } from '../validate/dates.js';

/** The first problem with the posted fields, as the ERP would word it, or undefined. */
export function checkFields(fields: FieldSpec[], datas: Record<string, string>): string | undefined {
  for (const f of fields) {
    if (f.key) continue;
    const v = datas[f.id] ?? '';
    const name = plainCaption(f.caption);
    if (f.requiredWhen && !f.requiredWhen.in.includes(datas[f.requiredWhen.field] ?? '')) continue;
    if (f.required && v.trim() === '') return `${name}不能为空！`;
    if (v === '') continue;
    if (f.maxLength && utf16Length(v) > f.maxLength) return `${name}不能超过${f.maxLength}个字！`;
    if (f.type === 'int' && !/^-?\d+$/.test(v.trim())) return `${name}必须是整数！`;
    if (f.type === 'number' && !Number.isFinite(Number(v.replace(/,/g, '')))) return `${name}必须是数字！`;
    if (f.range && !f.options && (Number(v.replace(/,/g, '')) < f.range.min || Number(v.replace(/,/g, '')) > f.range.max)) return `${name}超出范围（${f.range.min}～${f.range.max}）！`;
    if (f.type === 'datetime' || f.type === 'date') {
      const day = parseServerDate(v)?.slice(0, 10);
      if (!day) return `${name}不是有效的日期！`;
      if (f.dateRange && (day < f.dateRange.min || day > f.dateRange.max)) return `${name}超出范围（${f.dateRange.min}～${f.dateRange.max}）！`;
    }
    if (f.options && !f.freeText && !f.options.some((o) => o.value === v)) return `${name}的值“${v}”无效！`;
  }
  return undefined;
}

/**
 * Dates as SQL Server would take them: `YYYY-MM-DD` or `YYYY/M/D`, an optional time; real calendar
 * dates only. The calendar is zbport's one date parser's; a server takes no 年月日 or serials.
 */
export function parseServerDate(v: string): string | undefined {
  const t = v.trim();
  if (!/^\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?$/.test(t)) return undefined;
  const r = parseDateText(t.replace('T', ' '));
  return r.ok ? r.date : undefined;
}
