/**
 * Whether two values of a field mean the same, as the ERP shows them back: list and detail
 * cells may carry dates as `1985/1/2 0:00:00`, numbers with thousands separators, and text
 * with surrounding spaces trimmed.
 */
import type { FieldSpec } from '../catalog/index.js';
import { canonicalDate } from '../validate/dates.js';

/** Whether two values of this field are the same only when they are equal once trimmed (no number or date reading). */
export function comparedAsText(field: FieldSpec | undefined): boolean {
  return !field || !(field.type === 'int' || field.type === 'number' || field.type === 'date' || field.type === 'datetime');
}

export function sameValue(field: FieldSpec | undefined, a: string, b: string): boolean {
  if (a === b) return true;
  const ta = a.trim();
  const tb = b.trim();
  if (ta === tb) return true;
  if (!field || comparedAsText(field)) return false;
  if (field.type === 'int' || field.type === 'number') {
    const na = Number(ta.replace(/,/g, ''));
    const nb = Number(tb.replace(/,/g, ''));
    return ta !== '' && tb !== '' && Number.isFinite(na) && na === nb;
  }
  return canonicalDate(ta) === canonicalDate(tb);
}
