/**
 * The language of what people read on the terminal: Chinese first with English alongside
 * (`both`, the default), Chinese only (`zh`) or English only (`en`).
 *
 * Messages are written once, bilingual, in the shape `中文 / English` (README: "Chinese first");
 * the output points (logger, fatal errors, lint, summaries, progress, help) pass them through
 * `localize`, which keeps the part the reader asked for. It only drops a part when the part kept
 * carries every piece of data of the part dropped (numbers, paths, names in backticks or quotes,
 * Chinese data in an English part): when it cannot tell, the message stays bilingual, never
 * shortened into something that lost the file name or the row number.
 *
 * Files zbport writes keep their shape whatever the language (rejects.xlsx is re-imported,
 * summary.json is read by programs); only the row reasons in them follow it (`rowReason`).
 */

export type Lang = 'zh' | 'en' | 'both';
export const LANGS: readonly Lang[] = ['zh', 'en', 'both'];

/**
 * The language a locale asks for. POSIX order: `LC_ALL`, then `LC_MESSAGES`, then `LANG` (the
 * first one set and not empty). Chinese, `C`/`POSIX` and no locale at all (cron, Windows) give
 * `both`; any other language gives `en`. `ZBPORT_LANG` (zh, en, both) comes before the locale:
 * servers often run with `en_US.UTF-8` whatever their admins read.
 */
export function langFromEnv(env: NodeJS.ProcessEnv): Lang {
  const own = env.ZBPORT_LANG?.trim().toLowerCase();
  if (own && isLang(own)) return own;
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].map((v) => v?.trim()).find((v) => v);
  if (!locale) return 'both';
  const language = locale.split(/[_.@-]/)[0].toLowerCase();
  if (language === 'zh' || language === 'c' || language === 'posix' || language === '') return 'both';
  return 'en';
}

/** `--lang` when given (and valid), else the environment's. */
export function resolveLang(flag: string | undefined, env: NodeJS.ProcessEnv): Lang {
  const f = flag?.trim().toLowerCase();
  return f && isLang(f) ? f : langFromEnv(env);
}

export function isLang(s: string): s is Lang {
  return (LANGS as readonly string[]).includes(s);
}

let current: Lang | undefined;

/** Set once by the command line (src/cli/main.ts) before anything is printed. */
export function setLang(l: Lang): void {
  current = l;
}

/** The language in force: the command line's, or the environment's when no command line set it. */
export function lang(): Lang {
  return (current ??= langFromEnv(process.env));
}

/** A message written here, in the language in force: `中文 / English` for both. */
export function say(zh: string, en: string, l: Lang = lang()): string {
  return l === 'zh' ? zh : l === 'en' ? en : `${zh} / ${en}`;
}

/** A row's reason as the result files carry it: Chinese, unless English only was asked for. */
export function rowReason(m: { zh: string; en: string }, l: Lang = lang()): string {
  return l === 'en' ? m.en || m.zh : m.zh || m.en;
}

/** Longer lines are data (a header row, an ERP's page), not messages: left as they are. */
const MAX_LINE = 2000;

/** Every bilingual part of `text` (one or more lines) reduced to the language in force. */
export function localize(text: string, l: Lang = lang()): string {
  if (l === 'both' || !WIDE.test(text)) return text;
  return text.split('\n').map((line) => localizeLine(line, l)).join('\n');
}

// Han characters, CJK punctuation and full-width forms: where Chinese text is.
const HAN = /\p{Script=Han}/u;
const WIDE = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;
// Groups are replaced by one private-use character each while a line is cut into its parts.
const PUA_BASE = 0xe000;
const PUA_MAX = 0xf8ff;
const PAIRS: Record<string, string> = { '（': '）', '(': ')', '[': ']', '“': '”', '「': '」', '‘': '’', '`': '`', '"': '"' };
// Quotes hold data (a header, a value): never looked into. Brackets may hold a bilingual pair.
const QUOTES = new Set(['“', '「', '‘', '`', '"']);
const WIDE_OPENERS = new Set(['（', '“', '「', '‘']);
const SEPARATOR = /\s+\/\s+|(?<=[\ue000-\uf8ff）”」])\/\s+/g;
// A marker where an English bracket replaced a Chinese one: a space goes there unless one is.
const SPACE_BEFORE = '\u0000';

interface Group {
  open: string;
  close: string;
  /** The inner text, localized when the group is a bracket. */
  inner: string;
  /** The inner text as written. */
  raw: string;
}

function localizeLine(line: string, l: 'zh' | 'en'): string {
  if (line.length > MAX_LINE || !WIDE.test(line)) return line;
  const groups: Group[] = [];
  const flat = flatten(line, groups, l);
  if (flat === undefined) return line;
  const expand = (s: string, localized: boolean) => s.replace(/[\ue000-\uf8ff]/g, (ch) => {
    const g = groups[ch.charCodeAt(0) - PUA_BASE];
    if (!g) return ch;
    if (!localized) return g.open + g.raw + g.close;
    // An English bracket in English text: `（read only）` → ` (read only)`.
    if (l === 'en' && g.open === '（' && !HAN.test(g.inner)) return `${SPACE_BEFORE}(${g.inner})`;
    return g.open + g.inner + g.close;
  });
  const isWideChar = (ch: string) => {
    const code = ch.charCodeAt(0);
    if (code >= PUA_BASE && code <= PUA_MAX) {
      const g = groups[code - PUA_BASE];
      return g ? WIDE_OPENERS.has(g.open) || (QUOTES.has(g.open) ? false : HAN.test(g.raw)) : false;
    }
    return WIDE.test(ch);
  };
  const firstWide = (s: string) => {
    let i = 0;
    for (const ch of s) {
      if (isWideChar(ch)) return i;
      i += ch.length;
    }
    return -1;
  };

  const isQuote = (ch: string | undefined) => {
    const g = ch === undefined ? undefined : groups[ch.charCodeAt(0) - PUA_BASE];
    return !!g && QUOTES.has(g.open);
  };
  const segs = splitPairs(flat, isQuote);
  if (segs.length < 2) {
    // No pair at this level; bracketed pairs inside were localized.
    return spaced(expand(flat, true));
  }

  // The first part: a prefix shared by both languages (`zbport: `, `file.xlsx: `, indentation),
  // then the first Chinese part.
  const seg0 = segs[0];
  const w0 = firstWide(seg0);
  if (w0 < 0) return line;
  const firstHan = firstHanAt(seg0, isWideChar);
  const colon = Math.max(seg0.lastIndexOf(': ', (firstHan < 0 ? w0 : firstHan) - 2), seg0.lastIndexOf('：', (firstHan < 0 ? w0 : firstHan) - 1));
  let prefix = '';
  let zh0: string;
  if (colon >= 0 && colon < (firstHan < 0 ? w0 : firstHan)) {
    const end = seg0[colon] === '：' ? colon + 1 : colon + 2;
    prefix = seg0.slice(0, end);
    zh0 = seg0.slice(end).trimStart();
  } else {
    prefix = /^\s*/.exec(seg0)![0];
    zh0 = seg0.slice(prefix.length);
  }

  const zhs: string[] = [zh0];
  const ens: string[] = [];
  const delims: string[] = [];
  for (let k = 1; k < segs.length; k++) {
    const seg = segs[k];
    if (k === segs.length - 1) {
      ens.push(seg);
      break;
    }
    // A middle part is the English of one pair, then the Chinese of the next.
    const w = firstHanAt(seg, isWideChar);
    if (w < 0) return line;
    let j = w;
    while (j > 0 && /[A-Za-z0-9_. -]/.test(seg[j - 1])) j--;
    if (j > 0 && /[，；。、,;:：]/.test(seg[j - 1])) {
      ens.push(seg.slice(0, j - 1).trimEnd());
      delims.push(seg[j - 1]);
    } else {
      ens.push(seg.slice(0, j).trimEnd());
      delims.push(' ');
    }
    zhs.push(seg.slice(j).trimStart());
  }

  let out = l === 'en' && prefix.endsWith('：') ? `${prefix.slice(0, -1)}: ` : prefix;
  for (let i = 0; i < zhs.length; i++) {
    const zh = expand(zhs[i], true);
    const en = expand(ens[i], true);
    const zhRaw = expand(zhs[i], false);
    const enRaw = expand(ens[i], false);
    if (i > 0) out += l === 'zh' ? zhDelimiter(delims[i - 1]) : enDelimiter(delims[i - 1]);
    out += pick(zh, en, zhRaw, enRaw, l, i === 0);
  }
  return spaced(out);
}

/**
 * The line cut at its separators: ` / `, or `/ ` right after a closing bracket or quote. A slash
 * between two quoted names (`\`联系人\` / \`姓名\``) or two numbers is data, not a separator.
 */
function splitPairs(flat: string, isQuote: (ch: string | undefined) => boolean): string[] {
  const out: string[] = [];
  let from = 0;
  for (const m of flat.matchAll(SEPARATOR)) {
    const before = flat[m.index - 1];
    const after = flat[m.index + m[0].length];
    if ((isQuote(before) && isQuote(after)) || (/\d/.test(before ?? '') && /\d/.test(after ?? ''))) continue;
    out.push(flat.slice(from, m.index));
    from = m.index + m[0].length;
  }
  out.push(flat.slice(from));
  return out;
}

/**
 * Index of the first Chinese word: a Han character, or a group holding Chinese, that is not part
 * of a file name (`x/联系人.xlsx`).
 */
function firstHanAt(s: string, isWide: (ch: string) => boolean): number {
  const chars = Array.from(s);
  const han = (ch: string | undefined) => ch !== undefined && (HAN.test(ch) || (ch.charCodeAt(0) >= PUA_BASE && ch.charCodeAt(0) <= PUA_MAX && isWide(ch)));
  let at = 0;
  for (let i = 0; i < chars.length; i++) {
    if (han(chars[i]) && !han(chars[i - 1])) {
      let end = i;
      while (han(chars[end])) end++;
      const inPath = /[/\\]/.test(chars[i - 1] ?? '') || /[./\\]/.test(chars[end] ?? '');
      if (!inPath) return at;
    }
    at += chars[i].length;
  }
  return -1;
}

/** One pair, in the language asked for, or both parts when the one kept would lose data. */
function pick(zh: string, en: string, zhRaw: string, enRaw: string, l: 'zh' | 'en', mayShareSubject: boolean): string {
  const both = `${zh} / ${en}`;
  if (l === 'en') {
    let zhData = zhRaw;
    let subject = '';
    // `pipelines/x.yaml 已存在 / exists and …`: the subject before the Chinese is the English one's too.
    const lead = /^[^\p{Script=Han}\u3000-\u303f\uff00-\uffef]*/u.exec(zhRaw)![0].trim();
    if (mayShareSubject && lead && /[A-Za-z0-9]/.test(lead) && !includes(enRaw, lead)) {
      subject = `${lead} `;
      zhData = zhRaw.slice(zhRaw.indexOf(lead) + lead.length);
    }
    return missing(dataOfChinese(zhData), enRaw).length ? both : subject + en;
  }
  const lost = missing(dataOfEnglish(enRaw), zhRaw);
  if (!lost.length) return zh;
  // `文件已存在 / the file exists: exports/x.xlsx`: the data after the English colon goes along.
  const colon = en.indexOf(': ');
  if (colon > 0 && !missing(dataOfEnglish(en.slice(0, colon)), zhRaw).length) return `${zh}：${en.slice(colon + 2)}`;
  // `无法读取 / cannot read (EACCES)`: so does a closing bracket of data.
  const bracket = /^(.*?)\s*\(([^()]*)\)(:?)$/.exec(en);
  if (bracket && !missing(dataOfEnglish(bracket[1]), zhRaw).length && !missing(lost, bracket[2]).length) {
    return `${zh}（${bracket[2]}）${bracket[3] ? '：' : ''}`;
  }
  return both;
}

function enDelimiter(d: string): string {
  return d === '，' || d === '、' ? ', ' : d === '；' ? '; ' : d === '。' ? '. ' : d === '：' ? ': ' : d === ' ' ? ' ' : `${d} `;
}

function zhDelimiter(d: string): string {
  return d === ',' ? '，' : d === ';' ? '；' : d === ':' ? '：' : d;
}

function spaced(s: string): string {
  return s.replace(/(\s*)\u0000/g, (_m, _sp: string, at: number) => (at === 0 ? '' : ' '));
}

const includes = (hay: string, needle: string) => hay.toLowerCase().includes(needle.toLowerCase());
const missing = (tokens: string[], hay: string) => tokens.filter((t) => !includes(hay, t));

/** What a Chinese part says that is not words: Latin words, numbers, names, quoted text. */
function dataOfChinese(s: string): string[] {
  const out = quoted(s);
  for (const m of s.matchAll(/[A-Za-z0-9][A-Za-z0-9_.\-/:@+%=]*[A-Za-z0-9]|[A-Za-z0-9]/g)) out.push(m[0]);
  return out;
}

// Latin abbreviations an English part may use where the Chinese has none.
const PLAIN_WORDS = new Set(['e.g.', 'i.e.', 'etc.', 'vs.', 'e.g', 'i.e']);

/** What an English part says that is not words: numbers, paths, names, flags, Chinese (data). */
function dataOfEnglish(s: string): string[] {
  const out = quoted(s);
  for (const m of s.matchAll(/\p{Script=Han}[\p{Script=Han}\w]*/gu)) out.push(m[0]);
  const bare = s.replace(/`[^`]*`|“[^”]*”|「[^」]*」|"[^"]*"/g, ' ');
  for (const m of bare.matchAll(/[^\s,;!?()[\]{}'"`“”「」，；：。、（）]+/g)) {
    const w = m[0].replace(/[.:]+$/, '');
    if (!w || PLAIN_WORDS.has(w.toLowerCase()) || PLAIN_WORDS.has(m[0].toLowerCase())) continue;
    if (HAN.test(w)) continue;
    // Numbers, paths, names with dots or underscores, flags, system error codes (EACCES).
    if (/\d/.test(w) || /\w[._/@=\\]\w/.test(w) || /^--?\w/.test(w) || /^[./]\w/.test(w) || /^E[A-Z]{3,}$/.test(w)) out.push(w);
  }
  return out;
}

function quoted(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/`([^`]+)`|“([^”]+)”|「([^」]+)」|"([^"]+)"/g)) {
    const t = (m[1] ?? m[2] ?? m[3] ?? m[4]).trim();
    if (t) out.push(t);
  }
  return out;
}

/**
 * The line with each balanced group (brackets, quotes) replaced by one private-use character,
 * bracket groups localized inside. Undefined when the line has more groups than characters to
 * stand for them.
 */
function flatten(line: string, groups: Group[], l: 'zh' | 'en'): string | undefined {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    const close = PAIRS[ch];
    const end = close === undefined ? -1 : matching(line, i, ch, close);
    if (end < 0) {
      out += ch;
      i++;
      continue;
    }
    const raw = line.slice(i + 1, end);
    if (PUA_BASE + groups.length > PUA_MAX) return undefined;
    groups.push({ open: ch, close: close!, raw, inner: QUOTES.has(ch) ? raw : localizeLine(raw, l) });
    out += String.fromCharCode(PUA_BASE + groups.length - 1);
    i = end + 1;
  }
  return out;
}

/** Where the group opened at `start` closes (nested brackets of its kind counted, quotes skipped), or -1. */
function matching(s: string, start: number, open: string, close: string): number {
  if (QUOTES.has(open)) return s.indexOf(close, start + 1);
  let depth = 0;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '`' || c === '“' || c === '「' || c === '"') {
      const q = s.indexOf(PAIRS[c], i + 1);
      if (q < 0) continue;
      i = q;
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i;
  }
  return -1;
}
