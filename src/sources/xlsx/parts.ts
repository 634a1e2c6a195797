/**
 * The small parts of a workbook read before any sheet: sheet names and paths, shared strings
 * (rich-text runs joined, phonetic runs left out), and which styles format numbers as dates.
 */
import { SaxesParser } from 'saxes';
import path from 'node:path';

export interface SheetRef {
  name: string;
  /** Zip path, e.g. `xl/worksheets/sheet1.xml`. */
  path: string;
  hidden: boolean;
}

export interface WorkbookInfo {
  sheets: SheetRef[];
  date1904: boolean;
}

/** `_x000D_` escapes Excel writes for characters XML cannot hold. */
export function unescapeOoxml(s: string): string {
  return s.includes('_x') ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : s;
}

export function parseWorkbook(workbookXml: string, relsXml: string): WorkbookInfo {
  const rels = new Map<string, string>();
  each(relsXml, (name, attrs) => {
    if (local(name) === 'Relationship') rels.set(attrs.Id, attrs.Target);
  });
  const sheets: SheetRef[] = [];
  let date1904 = false;
  each(workbookXml, (name, attrs) => {
    const n = local(name);
    if (n === 'workbookPr') date1904 = attrs.date1904 === '1' || attrs.date1904 === 'true';
    if (n !== 'sheet') return;
    const rid = attrs['r:id'] ?? Object.entries(attrs).find(([k]) => k.endsWith(':id'))?.[1] ?? '';
    const target = rels.get(rid);
    if (!target) return;
    const p = target.startsWith('/') ? target.slice(1) : path.posix.normalize(path.posix.join('xl', target));
    sheets.push({ name: attrs.name, path: p, hidden: attrs.state === 'hidden' || attrs.state === 'veryHidden' });
  });
  return { sheets, date1904 };
}

export function parseSharedStrings(xml: string): string[] {
  const out: string[] = [];
  const p = new SaxesParser({ xmlns: false });
  let cur: string[] | undefined;
  let inT = false;
  let phonetic = 0;
  p.on('opentag', (t) => {
    const n = local(t.name);
    if (n === 'si') cur = [];
    else if (n === 'rPh') phonetic++;
    else if (n === 't' && phonetic === 0) inT = true;
  });
  p.on('text', (s) => {
    if (inT && cur) cur.push(s);
  });
  p.on('cdata', (s) => {
    if (inT && cur) cur.push(s);
  });
  p.on('closetag', (t) => {
    const n = local(t.name);
    if (n === 't') inT = false;
    else if (n === 'rPh') phonetic--;
    else if (n === 'si') {
      out.push(unescapeOoxml((cur ?? []).join('')));
      cur = undefined;
    }
  });
  p.write(xml).close();
  return out;
}

export interface NumberStyles {
  /** Per cellXfs index: the number format is a date/time format. */
  isDate: boolean[];
  /** Per cellXfs index: a format code worth honouring for plain numbers (`00000`, `@`, `0`). */
  code: Array<string | undefined>;
}

const BUILTIN_DATES = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

export function parseStyles(xml: string | undefined): NumberStyles {
  const styles: NumberStyles = { isDate: [], code: [] };
  if (!xml) return styles;
  const custom = new Map<number, string>();
  let inCellXfs = false;
  each(xml, (name, attrs, closing) => {
    const n = local(name);
    if (n === 'cellXfs') inCellXfs = !closing;
    if (closing) return;
    if (n === 'numFmt') custom.set(Number(attrs.numFmtId), attrs.formatCode ?? '');
    if (n === 'xf' && inCellXfs) {
      const id = Number(attrs.numFmtId ?? 0);
      const code = custom.get(id);
      styles.isDate.push(BUILTIN_DATES.has(id) || (code !== undefined && isDateFormat(code)));
      styles.code.push(id === 49 ? '@' : id === 1 ? '0' : code);
    }
  });
  return styles;
}

/** A custom number format shows a date when it has y/m/d/h/s outside quotes, brackets and escapes. */
export function isDateFormat(code: string): boolean {
  const bare = code.replace(/"[^"]*"/g, '').replace(/\[[^\]]*\]/g, '').replace(/\\./g, '').replace(/_.|\*./g, '');
  return /[yYmMdDhHsS]/.test(bare.split(';')[0]) && !/^general$/i.test(bare.trim());
}

/** Calls `fn` for every element start (and end, with closing=true) of a small XML document. */
function each(xml: string, fn: (name: string, attrs: Record<string, string>, closing: boolean) => void): void {
  const p = new SaxesParser({ xmlns: false });
  p.on('opentag', (t) => fn(t.name, t.attributes as Record<string, string>, false));
  p.on('closetag', (t) => fn(t.name, {}, true));
  p.write(xml).close();
}

export function local(name: string): string {
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}
