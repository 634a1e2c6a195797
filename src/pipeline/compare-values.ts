/**
 * Whether two values of a field mean the same, as the ERP shows them back: list and detail
 * cells may carry dates as `1985/1/2 0:00:00`, numbers with thousands separators, and text
 * with surrounding spaces trimmed.
 */
import type { FieldSpec } from '../catalog/index.js';

export function sameValue(field: FieldSpec | undefined, a: string, b: string): boolean {
  if (a === b) return true;
  const ta = a.trim();
  const tb = b.trim();
  if (ta === tb) return true;
  if (!field) return false;
  if (field.type === 'int' || field.type === 'number') {
    const na = Number(ta.replace(/,/g, ''));
    const nb = Number(tb.replace(/,/g, ''));
    return ta !== '' && tb !== '' && Number.isFinite(na) && na === nb;
  }
  if (field.type === 'date' || field.type === 'datetime') return canonicalDate(ta) === canonicalDate(tb);
  return false;
}

/** `1985/1/2 0:00:00`, `1985-01-02` and `1985-01-02 00:00:00` all → `1985-01-02`; a real time is kept. */
export function canonicalDate(s: string): string {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?/.exec(s);
  if (!m) return s;
  const [, y, mo, d, h, mi, se] = m;
  const date = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const time = h === undefined ? '' : `${h.padStart(2, '0')}:${mi}:${(se ?? '00').padStart(2, '0')}`;
  return time && time !== '00:00:00' ? `${date} ${time}` : date;
}
