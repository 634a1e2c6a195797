/**
 * Text normalisation shared by header matching, transforms and exact comparisons.
 */

const CJK = /[\u3400-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]/u;
const FULLWIDTH = /[\uff01-\uff5e\u3000]/;
const FULLWIDTH_ALNUM_ALL = /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g;
const FULLWIDTH_ALL = /[\uff01-\uff5e]/g;
const toHalf = (c: string) => String.fromCharCode(c.charCodeAt(0) - 0xfee0);

/**
 * Full-width digits and letters (１２３, ＡＢＣ) → half-width. Full-width punctuation is part of
 * Chinese writing (，（）：) and stays, unless the value has no Chinese at all: then it is an
 * e-mail, a phone or a code typed in full-width mode (ａ＠ｂ．ｃｏｍ, ＋８６), and all of it is converted.
 */
export function halfwidth(s: string): string {
  // Runs for every cell: most have nothing full-width, and the Chinese ones only punctuation.
  if (!FULLWIDTH.test(s)) return s;
  if (CJK.test(s)) return s.replace(FULLWIDTH_ALNUM_ALL, toHalf);
  return s.replace(FULLWIDTH_ALL, toHalf).replace(/\u3000/g, ' ');
}

/**
 * A header as compared: full-width → half-width (NFKC), every kind of space removed, Latin
 * lower-cased; so `性 别`, `手　机`, `ＱＱ` and ` email ` match `性别`, `手机`, `qq`, `Email`.
 */
export function normalizeHeader(s: string): string {
  return s.normalize('NFKC').replace(/[\s\u3000\u00a0\u200b\ufeff]+/g, '').toLowerCase();
}
