/**
 * The parts of a workbook read before any sheet: sheet names and paths, shared strings
 * (rich-text runs joined, phonetic runs left out), and which styles format numbers as dates.
 */
import path from 'node:path';
import { eachElement, GuardedXml, XmlRefused } from './xml.js';

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

/**
 * The shared strings table, held compactly: the text of many items joined into a few large
 * strings plus one offset per item. As one JS string per item, a table of short items took four
 * to five times its XML size (64 MiB of `<si><t>ab</t></si>` → 124 MB of heap, 294 MB RSS,
 * measured), so a crafted table within any useful cap could still exhaust memory; joined, it takes
 * at most the size of its text plus four bytes an item. A lookup slices the joined string, which
 * V8 does without copying (a sliced string) for all but the shortest items.
 */
export class SharedStrings {
  constructor(
    private readonly chunks: string[],
    /** Index of the first item of each chunk. */
    private readonly firstItem: number[],
    /** Start of each item in its chunk. */
    private readonly starts: Uint32Array,
    readonly count: number,
    /** Whether an item holds U+0000 (only an `_x0000_` escape can put one there). */
    readonly hasNul: boolean,
  ) {}

  static readonly empty = new SharedStrings([], [], new Uint32Array(0), 0, false);

  get(i: number): string | undefined {
    if (!(i >= 0 && i < this.count) || !Number.isInteger(i)) return undefined;
    // The chunk holding item i: the last whose first item is at or before i.
    let lo = 0;
    let hi = this.firstItem.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firstItem[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    const chunk = this.chunks[lo];
    const lastOfChunk = lo + 1 < this.firstItem.length ? this.firstItem[lo + 1] - 1 : this.count - 1;
    return chunk.slice(this.starts[i], i < lastOfChunk ? this.starts[i + 1] : chunk.length);
  }
}

/** Items joined per chunk: large enough for few chunks, small enough that joining stays cheap. */
const CHUNK_CHARS = 4 * 1024 * 1024;
const CHUNK_ITEMS = 65_536;

/**
 * Builds the shared strings table from its XML as it streams in (rich-text runs joined,
 * phonetic runs left out).
 */
export class SharedStringsBuilder {
  private readonly xml: GuardedXml;
  private readonly chunks: string[] = [];
  private readonly firstItem: number[] = [];
  private starts = new Uint32Array(1024);
  private count = 0;
  private pieces: string[] = [];
  private piecesLength = 0;
  private hasNul = false;
  private cur: string[] | undefined;
  private inT = false;
  private phonetic = 0;

  constructor(private readonly maxItems: number) {
    this.xml = new GuardedXml({
      open: (t) => {
        const n = local(t.name);
        if (n === 'si') this.cur = [];
        else if (n === 'rPh') this.phonetic++;
        else if (n === 't' && this.phonetic === 0) this.inT = true;
      },
      text: (s) => {
        if (this.inT && this.cur) this.cur.push(s);
      },
      close: (t) => {
        const n = local(t.name);
        if (n === 't') this.inT = false;
        else if (n === 'rPh') this.phonetic--;
        else if (n === 'si') {
          this.add(unescapeOoxml((this.cur ?? []).join('')));
          this.cur = undefined;
        }
      },
    });
  }

  write(text: string): void {
    this.xml.write(text);
  }

  finish(): SharedStrings {
    this.xml.close();
    this.flush();
    return new SharedStrings(this.chunks, this.firstItem, this.starts.subarray(0, this.count), this.count, this.hasNul);
  }

  private add(item: string): void {
    if (this.count >= this.maxItems) {
      throw new XmlRefused(`共享字符串超过 ${this.maxItems.toLocaleString('en-US')} 条 / more than ${this.maxItems.toLocaleString('en-US')} shared strings`);
    }
    if (this.count === this.starts.length) {
      const grown = new Uint32Array(this.starts.length * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    if (!this.pieces.length) this.firstItem.push(this.count);
    this.starts[this.count++] = this.piecesLength;
    this.pieces.push(item);
    this.piecesLength += item.length;
    if (!this.hasNul && item.includes('\u0000')) this.hasNul = true;
    if (this.piecesLength >= CHUNK_CHARS || this.pieces.length >= CHUNK_ITEMS) this.flush();
  }

  private flush(): void {
    if (!this.pieces.length) return;
    this.chunks.push(this.pieces.join(''));
    this.pieces = [];
    this.piecesLength = 0;
  }
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
  eachElement(xml, {
    open: (t) => fn(t.name, t.attributes as Record<string, string>, false),
    close: (t) => fn(t.name, {}, true),
  });
}

export function local(name: string): string {
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}
