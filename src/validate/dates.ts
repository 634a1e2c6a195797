/**
 * Dates as people type them and Excel stores them, to `YYYY-MM-DD` (or with ` HH:mm:ss`), with
 * no timezone anywhere: a Date is never built from local text. Impossible dates (1990-02-30,
 * month 13) are errors, never rolled over into the next month.
 */

export type DateResult = { ok: true; date: string; hasTime: boolean } | { ok: false };

const pad = (n: number) => String(n).padStart(2, '0');

export function isValidDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || y < 1753 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/**
 * Excel serial → calendar date by integer arithmetic (days since 1899-12-30), honouring
 * Excel's fictitious 1900-02-29 (serial 60), which has no real date.
 */
export function fromExcelSerial(serial: number, date1904 = false): DateResult {
  if (!Number.isFinite(serial) || serial < 1) return { ok: false };
  let days = Math.floor(serial);
  const frac = serial - days;
  if (!date1904) {
    if (days === 60) return { ok: false };
    if (days < 60) days += 1; // serials before the phantom leap day are one day off from 1899-12-30
  } else days += 1462;
  const ms = Date.UTC(1899, 11, 30) + days * 86_400_000;
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const secs = Math.round(frac * 86_400);
  if (!secs || secs >= 86_400) return { ok: true, date, hasTime: false };
  return { ok: true, date: `${date} ${pad(Math.floor(secs / 3600))}:${pad(Math.floor((secs % 3600) / 60))}:${pad(secs % 60)}`, hasTime: true };
}

const PATTERNS: RegExp[] = [
  /^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:\s*(?:[T\s])\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$/,
  /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(?:\s*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})秒?)?)?$/,
  /^(\d{4})(\d{2})(\d{2})$/,
];

/** Parses typed date text or an Excel serial given as text. */
export function parseDateText(text: string): DateResult {
  const t = text.trim();
  if (!t) return { ok: false };
  for (const re of PATTERNS) {
    const m = re.exec(t);
    if (!m) continue;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!isValidDate(y, mo, d)) return { ok: false };
    const date = `${y}-${pad(mo)}-${pad(d)}`;
    if (m[4] === undefined) return { ok: true, date, hasTime: false };
    const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
    if (h > 23 || mi > 59 || s > 59) return { ok: false };
    return { ok: true, date: `${date} ${pad(h)}:${pad(mi)}:${pad(s)}`, hasTime: h + mi + s > 0 };
  }
  // A bare number in a date column: Excel's serial (a date cell read as its number).
  if (/^\d{1,6}(\.\d+)?$/.test(t)) {
    const n = Number(t);
    if (n >= 1 && n < 2_958_466) return fromExcelSerial(n);
  }
  return { ok: false };
}

/**
 * How the ERP shows a date back (list cells, details): `1985/1/2 0:00:00`, `1985-01-02` and
 * `1985-01-02 00:00:00` all → `1985-01-02`; a real time is kept. Text that is not a date is
 * returned as it is.
 */
export function canonicalDate(s: string): string {
  // Most cells are already canonical (a list page of 400 records has a date or two in each):
  // answered without the regular expression and the strings it makes.
  return isCanonical(s) ? s : canonicalDateByPattern(s);
}

/** canonicalDate without its shortcut (tests check the shortcut against it). */
export function canonicalDateByPattern(s: string): string {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?/.exec(s);
  if (!m) return s;
  const [, y, mo, d, h, mi, se] = m;
  const date = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const time = h === undefined ? '' : `${h.padStart(2, '0')}:${mi}:${(se ?? '00').padStart(2, '0')}`;
  return time && time !== '00:00:00' ? `${date} ${time}` : date;
}

const isDigit = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

/** `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` with a time other than midnight: what canonicalDate returns unchanged. */
function isCanonical(s: string): boolean {
  if (s.length !== 10 && s.length !== 19) return false;
  if (!(isDigit(s, 0) && isDigit(s, 1) && isDigit(s, 2) && isDigit(s, 3) && s.charCodeAt(4) === 45 && isDigit(s, 5) && isDigit(s, 6) && s.charCodeAt(7) === 45 && isDigit(s, 8) && isDigit(s, 9))) return false;
  if (s.length === 10) return true;
  return s.charCodeAt(10) === 32 && isDigit(s, 11) && isDigit(s, 12) && s.charCodeAt(13) === 58 && isDigit(s, 14) && isDigit(s, 15) && s.charCodeAt(16) === 58 && isDigit(s, 17) && isDigit(s, 18) && !s.endsWith(' 00:00:00');
}
