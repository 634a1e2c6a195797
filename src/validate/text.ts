/**
 * Text normalisation shared by header matching, transforms and exact comparisons.
 */

/** Full-width ASCII (Ｑ, １, ＠, full-width space) → half-width; CJK is left alone. */
export function halfwidth(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
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
