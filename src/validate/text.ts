/**
 * Text normalisation shared by header matching, transforms and exact comparisons.
 */

const isFullwidthAlnum = (c: number) => (c >= 0xff10 && c <= 0xff19) || (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a);
const CJK = /[\u3400-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]/u;

/**
 * Full-width digits and letters (１２３, ＡＢＣ) → half-width. Full-width punctuation is part of
 * Chinese writing (，（）：) and stays, unless the value has no Chinese at all: then it is an
 * e-mail, a phone or a code typed in full-width mode (ａ＠ｂ．ｃｏｍ, ＋８６), and all of it is converted.
 */
export function halfwidth(s: string): string {
  let hasFull = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0xff01 && c <= 0xff5e) || c === 0x3000) {
      hasFull = true;
      break;
    }
  }
  if (!hasFull) return s;
  const all = !CJK.test(s);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isFullwidthAlnum(c) || (all && c >= 0xff01 && c <= 0xff5e)) out += String.fromCharCode(c - 0xfee0);
    else if (all && c === 0x3000) out += ' ';
    else out += s[i];
  }
  return out;
}

/**
 * A header as compared: full-width → half-width (NFKC), every kind of space removed, Latin
 * lower-cased; so `性 别`, `手　机`, `ＱＱ` and ` email ` match `性别`, `手机`, `qq`, `Email`.
 */
export function normalizeHeader(s: string): string {
  return s.normalize('NFKC').replace(/[\s\u3000\u00a0\u200b\ufeff]+/g, '').toLowerCase();
}
