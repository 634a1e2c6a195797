/**
 * Turns an HTTP answer into a ZBDocument, surviving every odd shape the protocol notes list:
 * status as number or string, empty bodies, plain-text and HTML bodies, raw control characters
 * inside JSON strings, JS-literal bodies (unquoted keys, single quotes), rows as arrays or
 * objects, HTML entities in texts. The texts a person may read (header.message, the message
 * text, a login's fail message, snippets of bodies that are not documents) pass the scrubber
 * here, where they enter: an ERP that echoes the request would otherwise hand back the password
 * and the session.
 */
import type { ResponseEnvelope, SourceTable, TableColumn } from './protocol.js';
import { ProtocolError, TransientError } from './errors.js';
import { scrub } from './scrub.js';

export interface Decoded {
  envelope: ResponseEnvelope;
  /** header.status as a number (NaN when it is not numeric). */
  status: number;
  /** The HTTP body was empty, or the document had no body: "ok", but nothing to show for it. */
  emptyBody: boolean;
}

/** Decodes one HTTP answer. Throws TransientError or ProtocolError for answers that are not documents. */
export function decodeResponse(httpStatus: number, text: string, path: string): Decoded {
  if (httpStatus >= 500 || httpStatus === 429 || httpStatus === 408) {
    throw new TransientError(`${path}: HTTP ${httpStatus}${snippet(text)}`, path, httpStatus !== 429 && httpStatus !== 503, `HTTP${httpStatus}`, httpStatus);
  }
  if (httpStatus !== 200) {
    throw new ProtocolError(`${path}: HTTP ${httpStatus}${snippet(text)}（基础地址或路径不对？/ wrong base URL or path?）`, path, httpStatus);
  }
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (!trimmed) return { envelope: { header: { status: 0 } }, status: 0, emptyBody: true };
  if (trimmed[0] !== '{') {
    // The runtime answers plain text when it is not started, IIS answers HTML pages.
    const what = /^</.test(trimmed) ? ['网页', 'an HTML page'] : ['纯文本', 'plain text'];
    throw new TransientError(`${path}: ERP 返回的是${what[0]}，不是 JSON / the ERP answered with ${what[1]} instead of JSON${snippet(trimmed)}`, path, true, /^</.test(trimmed) ? 'HTML' : 'PLAIN', httpStatus);
  }
  const parsed = parseLenient(trimmed);
  if (parsed === undefined || typeof parsed !== 'object' || parsed === null) {
    throw new TransientError(`${path}: ERP 返回的内容不是 JSON 文档 / the ERP answered with a body that is not a JSON document${snippet(trimmed)}`, path, true);
  }
  const doc = parsed as ResponseEnvelope;
  if (!doc.header || typeof doc.header !== 'object') {
    throw new TransientError(`${path}: ERP 的应答缺少 header / the ERP answered without a header${snippet(trimmed)}`, path, true);
  }
  const status = typeof doc.header.status === 'number' ? doc.header.status : Number(String(doc.header.status ?? '0').trim() || '0');
  if (doc.header.message) doc.header.message = scrub(decodeEntities(String(doc.header.message)));
  if (doc.body?.message?.text) doc.body.message.text = scrub(decodeEntities(String(doc.body.message.text)));
  const fail = doc.body?.fail;
  if (fail && typeof fail === 'object') {
    if (fail.message) fail.message = scrub(decodeEntities(String(fail.message)));
    if (fail.newrndcode) fail.newrndcode = scrub(String(fail.newrndcode));
  }
  const emptyBody = !doc.body || Object.keys(doc.body).length === 0;
  return { envelope: doc, status, emptyBody };
}

/** JSON first; then JSON with raw control characters escaped; then a JS-literal reading. */
export function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // fall through
  }
  const escaped = escapeControlCharacters(text);
  try {
    return JSON.parse(escaped);
  } catch {
    // fall through
  }
  try {
    return new LiteralParser(escaped).parseDocument();
  } catch {
    return undefined;
  }
}

/** Escapes raw control characters that appear inside string literals. */
export function escapeControlCharacters(text: string): string {
  let out = '';
  let inString: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') {
        out += ch + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (ch === inString) inString = undefined;
      else if (ch.charCodeAt(0) < 0x20) {
        out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
        continue;
      }
    } else if (ch === '"' || ch === "'") {
      inString = ch;
    }
    out += ch;
  }
  return out;
}

/** A small reader of JavaScript object literals: unquoted keys, single-quoted strings, trailing commas. */
class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseDocument(): unknown {
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) throw new Error('trailing text');
    return v;
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  private value(): unknown {
    this.ws();
    const ch = this.s[this.i];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"' || ch === "'") return this.string();
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|undefined)/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) throw new Error(`unexpected ${ch}`);
    this.i += m[0].length;
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    if (m[0] === 'null' || m[0] === 'undefined') return null;
    return Number(m[0]);
  }

  private object(): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return o;
      }
      const key = this.s[this.i] === '"' || this.s[this.i] === "'" ? this.string() : this.ident();
      this.ws();
      if (this.s[this.i++] !== ':') throw new Error('expected :');
      o[key] = this.value();
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw new Error('expected , or }');
    }
  }

  private array(): unknown[] {
    const a: unknown[] = [];
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return a;
      }
      a.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== ']') throw new Error('expected , or ]');
    }
  }

  private ident(): string {
    const m = /^[A-Za-z_$@][\w$@]*/.exec(this.s.slice(this.i, this.i + 256));
    if (!m) throw new Error('expected a key');
    this.i += m[0].length;
    return m[0];
  }

  private string(): string {
    const q = this.s[this.i++];
    let out = '';
    while (this.i < this.s.length) {
      const ch = this.s[this.i++];
      if (ch === q) return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = this.s[this.i++];
      if (e === 'u') {
        out += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 4), 16));
        this.i += 4;
      } else out += ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e;
    }
    throw new Error('unterminated string');
  }
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** `&#20320;`, `&#x4F60;`, `&amp;` → text. The server passes cell text through an HTML step. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

/**
 * `source.table` with rows normalised to string[][] in the order of `cols`. Rows may arrive as
 * arrays, as objects `{value: [...], ord}`, as objects keyed by column id, or as one bare object.
 * An empty list may come with no cols and a zeroed page.
 */
export function normaliseTable(raw: unknown): SourceTable {
  const t = (raw ?? {}) as Partial<SourceTable> & { rows?: unknown };
  const cols: TableColumn[] = Array.isArray(t.cols) ? t.cols.map((c) => ({ id: String(c.id), dbtype: String(c.dbtype ?? 'string') })) : [];
  let rows: unknown = t.rows ?? [];
  if (!Array.isArray(rows)) rows = rows && typeof rows === 'object' ? [rows] : [];
  const out: string[][] = [];
  for (const r of rows as unknown[]) {
    let cells: unknown[];
    if (Array.isArray(r)) cells = r;
    else if (r && typeof r === 'object') {
      const o = r as Record<string, unknown>;
      if (Array.isArray(o.value)) cells = o.value;
      else cells = cols.map((c) => o[c.id]);
    } else continue;
    out.push(cells.map(cellString));
  }
  const p = (t.page ?? {}) as Partial<SourceTable['page']>;
  const num = (v: unknown) => {
    const n = Number(String(v ?? '0').replace(/,/g, ''));
    return Number.isFinite(n) ? n : 0;
  };
  return {
    cols,
    rows: out,
    page: { recordcount: num(p.recordcount), pagesize: num(p.pagesize), pagecount: num(p.pagecount), pageindex: num(p.pageindex) },
  };
}

function cellString(v: unknown): string {
  if (v === null || v === undefined) return '';
  return decodeEntities(typeof v === 'string' ? v : String(v));
}

/** `"1,234.50"` → 1234.5; what the server formats with thousands separators. NaN when not a number. */
export function parseNumber(s: string): number {
  const t = s.replace(/[,\s]/g, '');
  return t === '' ? Number.NaN : Number(t);
}

/**
 * The start of a body for a message, scrubbed before it is cut to 120 characters (a secret cut in
 * two is harder to recognise) and again once tags are gone. Only the first 16 KiB are looked at:
 * a 10 MB error page costs no more than a small one.
 */
function snippet(text: string): string {
  const plain = scrub(scrub(text.slice(0, 16_384)).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim());
  return plain ? `: ${plain.slice(0, 120)}${plain.length > 120 ? '…' : ''}` : '';
}
