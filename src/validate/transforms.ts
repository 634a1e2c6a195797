/**
 * Named text transforms a pipeline can apply to a column, in order, before validation.
 * Each one leaves a value it cannot improve as it is: validation then says what is wrong.
 */
import { parseDateText } from './dates.js';
import { halfwidth } from './text.js';

export interface TransformSpec {
  summary: string;
  fn: (s: string) => string;
}

/** Mobile and landline clean-up: separators out, +86/0086 dropped from mobiles, an extension kept. */
export function cleanPhone(s: string): string {
  const t = halfwidth(s).trim();
  if (!t) return t;
  // Keep an extension written as 转/ext/x.
  const ext = /(?:转|ext\.?|x|#)\s*(\d{1,6})$/i.exec(t);
  const main = ext ? t.slice(0, ext.index) : t;
  let digits = main.replace(/[\s\-–—.()（）]/g, '');
  if (!/^\+?\d+$/.test(digits)) return t; // letters or other text: leave it for a person to see
  digits = digits.replace(/^(?:\+86|0086)(?=1\d{10}$)/, '').replace(/^86(?=1[3-9]\d{9}$)/, '').replace(/^\+/, '+');
  // A landline keeps one dash between area code and number, as people read it.
  // Area codes: 010 and 02x have three digits, the others four.
  const land = /^(0[12]\d|0[3-9]\d{2})(\d{7,8})$/.exec(digits);
  const out = land ? `${land[1]}-${land[2]}` : digits;
  return ext ? `${out}-${ext[1]}` : out;
}

/** 男/女 from the ways people write them. */
export function normalizeSex(s: string): string {
  const t = halfwidth(s).trim().toLowerCase();
  if (['男', '男性', 'm', 'male', '先生'].includes(t)) return '男';
  if (['女', '女性', 'f', 'female', '女士'].includes(t)) return '女';
  return s.trim();
}

/** What `\s` matches (U+3000 included), by code: this runs for every cell. */
function isSpace(c: number): boolean {
  return c <= 0x20 ? c === 0x20 || (c >= 0x09 && c <= 0x0d) : c === 0xa0 || c === 0x3000 || c === 0xfeff || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f;
}

/** Trims every kind of space; most cells have none, so look before running the expression. */
function trimAll(s: string): string {
  if (!s || (!isSpace(s.charCodeAt(0)) && !isSpace(s.charCodeAt(s.length - 1)))) return s;
  return s.replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
}

export const TRANSFORMS: Record<string, TransformSpec> = {
  trim: { summary: 'Remove spaces (including full-width ones) at both ends', fn: trimAll },
  halfwidth: { summary: 'Full-width letters, digits and punctuation to half-width (ＡＢＣ１２３ → ABC123); Chinese unchanged', fn: halfwidth },
  phone: { summary: 'Phone clean-up: drop spaces, dashes and dots, +86/0086 before mobiles; landlines as 010-12345678', fn: cleanPhone },
  upper: { summary: 'Upper-case Latin letters', fn: (s) => s.toUpperCase() },
  lower: { summary: 'Lower-case Latin letters', fn: (s) => s.toLowerCase() },
  'collapse-spaces': { summary: 'Runs of spaces inside the text to one space', fn: (s) => s.replace(/[\s\u3000]+/g, ' ') },
  date: { summary: 'Dates written 1990/1/2, 1990年1月2日, 19900102 or as Excel serials to 1990-01-02', fn: (s) => { const r = parseDateText(s); return r.ok ? r.date : s; } },
  sex: { summary: '男/女 from 男性, 女士, M/F, male/female', fn: normalizeSex },
};

export const TRANSFORM_NAMES: readonly string[] = Object.keys(TRANSFORMS);
