/**
 * The emulator's server-side checks, derived from the field catalog: required fields (and the
 * ones required only for some plantype), lengths counted as SQL Server nvarchar counts them
 * (UTF-16 code units), integers, dates, enums. The wording of the refusals is invented (the real
 * texts are unknown) but follows the runtime's style: "联系人姓名不能为空！".
 */
import { plainCaption, utf16Length, type FieldSpec } from '../catalog/index.js';

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
    if ((f.type === 'datetime' || f.type === 'date') && !parseServerDate(v)) return `${name}不是有效的日期！`;
    if (f.options && !f.freeText && !f.options.some((o) => o.value === v)) return `${name}的值“${v}”无效！`;
  }
  return undefined;
}

/** Dates as SQL Server would take them: `YYYY-MM-DD` or `YYYY/M/D`, an optional time; real calendar dates only. */
export function parseServerDate(v: string): string | undefined {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(v.trim());
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1).map((x) => x ?? undefined) as string[];
  const Y = Number(y), M = Number(mo), D = Number(d);
  if (M < 1 || M > 12 || D < 1) return undefined;
  const days = [31, Y % 4 === 0 && (Y % 100 !== 0 || Y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][M - 1];
  if (D > days || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const p = (n: string | number) => String(n).padStart(2, '0');
  const date = `${y}-${p(M)}-${p(D)}`;
  return m[4] === undefined ? date : `${date} ${p(h)}:${p(mi)}:${p(s ?? 0)}`;
}
