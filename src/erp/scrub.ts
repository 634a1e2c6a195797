/**
 * The one place secrets are taken out of text before it reaches a message, a log line or a report.
 *
 * An ERP error page that echoes the request quoted the password 57 times into results.csv and
 * rejects.xlsx: the login body carries `{"id":"password","val":"txt:SECRET"}` and every call
 * carries the session token, and an echoing server may hand either back JSON-escaped,
 * URL-encoded, HTML-entity-encoded, several of these at once, twice over, or cut short. So text
 * quoted from the ERP is scrubbed where it enters our errors (decode.ts, errors.ts), and the
 * report writers scrub once more before they write.
 *
 * What is removed (replaced by `***`):
 * - every registered secret (the client registers the password, the URL's credentials, the
 *   Basic-auth token and each session token it is given), in any mix of those encodings;
 * - the tail of a text that is the start of a registered secret (an echo cut short), when at
 *   least 4 characters of it are there;
 * - whatever follows `txt:` (the protocol's plain-text marker: user, password, serial), the
 *   value of a `"session"` key, and the token after `Basic`/`Bearer`, known or not.
 *
 * Rather than a regex per encoding (dozens of variants per secret, slow on long texts), the text
 * is decoded layer by layer (entities, %XX, JSON escapes: up to three layers, for double
 * encodings), each decoded character remembering the span of the original it came from; the
 * secrets are searched with indexOf in every layer and the original spans removed. A text
 * without `&`, `%` or `\` costs one indexOf per secret.
 *
 * Secrets shorter than 4 characters are not searched as such (a password `123` would otherwise
 * eat every 123 of every message); they are still removed as `txt:` values.
 */

export const REDACTED = '***';

/** Shortest secret searched as such, and shortest cut-off start of one that is removed. */
const MIN_SECRET = 4;
/** Session tokens kept registered (the latest ones; a run logs in again when a session expires). */
const MAX_SESSIONS = 16;
/** Layers of encoding undone (`%2522` is a quote encoded twice). */
const MAX_LAYERS = 3;

type SecretKind = 'password' | 'session' | 'credential';

class SecretRegistry {
  private readonly fixed = new Set<string>();
  private readonly sessions: string[] = [];

  add(secret: string | undefined, kind: SecretKind): void {
    if (!secret || secret.length < MIN_SECRET) return;
    if (kind === 'session') {
      if (this.sessions.includes(secret)) return;
      this.sessions.push(secret);
      if (this.sessions.length > MAX_SESSIONS) this.sessions.shift();
      return;
    }
    this.fixed.add(secret);
  }

  /** Each secret as searched in every layer: as is, JSON-escaped, spaces as `+` (form encoding). */
  all(): string[] {
    const out = new Set<string>();
    for (const s of [...this.fixed, ...this.sessions]) {
      out.add(s);
      // A layer may hold the secret with its quotes still escaped while %XX around them is undone.
      out.add(JSON.stringify(s).slice(1, -1));
      if (s.includes(' ')) out.add(s.replace(/ /g, '+'));
    }
    return [...out];
  }

  clear(): void {
    this.fixed.clear();
    this.sessions.length = 0;
  }
}

const registry = new SecretRegistry();

/**
 * Registers a secret that must never be shown: a password, a session token, a credential from
 * the base URL. Lives for the process (a CLI run); sessions are kept bounded.
 */
export function registerSecret(secret: string | undefined, kind: SecretKind = 'password'): void {
  registry.add(secret, kind);
}

/** Registers the credentials of a URL as written (`http://user:pass@host`) and their Basic-auth token. */
export function registerUrlCredentials(url: string, notSecretUser?: string): void {
  let user = '';
  let pass = '';
  try {
    const u = new URL(url);
    user = u.username;
    pass = u.password;
  } catch {
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url);
    if (!m) return;
    const i = m[1].indexOf(':');
    user = i < 0 ? m[1] : m[1].slice(0, i);
    pass = i < 0 ? '' : m[1].slice(i + 1);
  }
  if (!user && !pass) return;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  for (const p of new Set([pass, decode(pass)])) registry.add(p, 'credential');
  // The user of a URL is a credential too, unless it is the ERP account shown in messages anyway.
  for (const u of new Set([user, decode(user)])) if (u !== notSecretUser) registry.add(u, 'credential');
  registry.add(`${decode(user)}:${decode(pass)}`, 'credential');
  registry.add(Buffer.from(`${decode(user)}:${decode(pass)}`).toString('base64'), 'credential');
}

/** Forgets every registered secret (tests). */
export function clearSecrets(): void {
  registry.clear();
}

/**
 * A URL as it may be shown: credentials removed, even from a URL that does not parse (the part
 * between `//` and the last `@` before the path). Anything else is left as written.
 */
export function withoutCredentials(url: string): string {
  const scheme = /^\s*(?:[a-z][a-z0-9+.-]*:)?\/\//i.exec(url)?.[0] ?? '';
  const rest = url.slice(scheme.length);
  // The last `@`, not the first: a password may hold an unencoded `@` (or `/`, which breaks parsing).
  const at = rest.lastIndexOf('@');
  if (at < 0) return url;
  return `${scheme}${REDACTED}@${rest.slice(at + 1)}`;
}

/** The text with every secret and `txt:` value replaced by `***`. */
export function scrub(text: string): string;
export function scrub(text: string | undefined): string | undefined;
export function scrub(text: string | undefined): string | undefined {
  if (!text) return text;
  const secrets = registry.all();
  const spans: Array<[number, number]> = [];
  let layer: Layer = { text, from: undefined, to: undefined };
  for (let depth = 0; ; depth++) {
    findIn(layer, secrets, spans);
    if (depth >= MAX_LAYERS || !/[&%\\]/.test(layer.text)) break;
    const next = decodeLayer(layer);
    if (next.text === layer.text) break;
    layer = next;
  }
  if (!spans.length) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [s, e] of spans) {
    if (e <= at) continue;
    if (s > at) out += text.slice(at, s);
    if (s >= at) out += REDACTED;
    at = e;
  }
  return out + text.slice(at);
}

/**
 * A text and, per character, the span of the original text it came from (undefined: the
 * original itself).
 */
interface Layer {
  text: string;
  from: Int32Array | undefined;
  to: Int32Array | undefined;
}

/** Values removed whoever they belong to: `txt:…`, a `"session"` key's value, a Basic/Bearer token. */
const VALUE_RULES: RegExp[] = [
  /txt:([^"'`,;}\]&<>\s\\]*)/dgi,
  /["']?session["']?\s*[:=]\s*["']([^"']+)["']/dgi,
  /\b(?:basic|bearer)\s+([A-Za-z0-9+/=._~-]{8,})/dgi,
];

function findIn(layer: Layer, secrets: string[], spans: Array<[number, number]>): void {
  const t = layer.text;
  const mark = (s: number, e: number) => {
    if (e <= s) return;
    spans.push(layer.from ? [layer.from[s], layer.to![e - 1]] : [s, e]);
  };
  // An echo cut short ends with the start of a secret (before an ellipsis).
  const end = /(?:…|\.\.\.)\s*$/.test(t) ? t.replace(/(?:…|\.\.\.)\s*$/, '').length : t.length;
  for (const secret of secrets) {
    for (let i = t.indexOf(secret); i >= 0; i = t.indexOf(secret, i + secret.length)) mark(i, i + secret.length);
    // Only where the secret's first characters occur near the end (one lastIndexOf for most texts).
    const head = t.lastIndexOf(secret.slice(0, MIN_SECRET), end - MIN_SECRET);
    if (head < 0 || head < end - secret.length) continue;
    for (let k = Math.min(secret.length - 1, end); k >= MIN_SECRET; k--) {
      if (t.startsWith(secret.slice(0, k), end - k)) {
        mark(end - k, end);
        break;
      }
    }
  }
  if (!VALUE_HINT.test(t)) return;
  for (const rule of VALUE_RULES) {
    rule.lastIndex = 0;
    for (let m = rule.exec(t); m; m = rule.exec(t)) {
      const [start, stop] = m.indices![1]!;
      mark(start, stop);
    }
  }
}

/** Cheap test before the value rules: most texts hold none of these words. */
const VALUE_HINT = /txt|session|basic|bearer/i;

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', colon: ':', sol: '/', bsol: '\\', comma: ',' };
const JSON_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', "'": "'", n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

/**
 * Undoes one layer of HTML entities, %XX (UTF-8) and JSON escapes, in any mix. Not `+` for a
 * space: it would turn a `+` of the password itself into a space in the layer where its quotes
 * are still escaped; a form-encoded space is searched as a variant instead (`searched`).
 */
function decodeLayer(layer: Layer): Layer {
  const t = layer.text;
  const from = new Int32Array(t.length);
  const to = new Int32Array(t.length);
  const out: string[] = [];
  let n = 0;
  const origin = (i: number) => (layer.from ? layer.from[i] : i);
  const originEnd = (i: number) => (layer.to ? layer.to[i] : i + 1);
  const emit = (s: string, start: number, end: number) => {
    // Each character of `s` stands for the original span [start, end).
    for (let k = 0; k < s.length; k++) {
      out.push(s[k]);
      from[n] = origin(start);
      to[n] = originEnd(end - 1);
      n++;
    }
  };
  for (let i = 0; i < t.length; ) {
    const ch = t[i];
    if (ch === '&') {
      const m = /^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,6});/.exec(t.slice(i, i + 12));
      if (m) {
        const e = m[1];
        let s: string | undefined;
        if (e[0] === '#') {
          const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
          if (cp >= 0 && cp <= 0x10ffff) s = String.fromCodePoint(cp);
        } else s = NAMED[e.toLowerCase()];
        if (s !== undefined) {
          emit(s, i, i + m[0].length);
          i += m[0].length;
          continue;
        }
      }
    } else if (ch === '%') {
      // A run of %XX bytes, decoded as UTF-8 together (a Chinese character is three of them).
      let j = i;
      const bytes: number[] = [];
      while (j + 2 < t.length && t[j] === '%' && /^[0-9a-fA-F]{2}$/.test(t.slice(j + 1, j + 3))) {
        bytes.push(parseInt(t.slice(j + 1, j + 3), 16));
        j += 3;
      }
      if (bytes.length) {
        // Character by character, so each maps to its own bytes (not to the whole run).
        for (let b = 0; b < bytes.length; ) {
          const lead = bytes[b];
          const len = lead < 0x80 ? 1 : lead >= 0xc0 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf8 ? 4 : 0;
          const s = len && b + len <= bytes.length ? Buffer.from(bytes.slice(b, b + len)).toString('utf8') : '\ufffd';
          const n = s.includes('\ufffd') ? 1 : len;
          emit(n === 1 && len !== 1 ? String.fromCharCode(lead) : s, i + b * 3, i + (b + n) * 3);
          b += n;
        }
        i = j;
        continue;
      }
    } else if (ch === '\\') {
      const e = t[i + 1];
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) {
        emit(String.fromCharCode(parseInt(t.slice(i + 2, i + 6), 16)), i, i + 6);
        i += 6;
        continue;
      }
      if (e !== undefined && JSON_ESCAPES[e] !== undefined) {
        emit(JSON_ESCAPES[e], i, i + 2);
        i += 2;
        continue;
      }
    }
    emit(ch, i, i + 1);
    i++;
  }
  return { text: out.join(''), from: from.subarray(0, n), to: to.subarray(0, n) };
}
