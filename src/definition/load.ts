/**
 * Loads a pipeline definition in three phases (as changesets does): YAML syntax, shape (zod),
 * then rules that check references against the field catalog. Every problem is collected
 * with its file, line and dot path before anything is reported.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { Definition, type DefinitionConfig, type PipelineConfig } from './schema.js';
import { checkPartial, checkRules } from './rules.js';
import { dotPath, type ConfigProblem } from './problems.js';

export interface LoadedDefinition<C = DefinitionConfig> {
  file: string;
  /** Folder of the file: relative paths in it are relative to this. */
  dir: string;
  config: C;
  warnings: ConfigProblem[];
}

export type LoadedPipeline = LoadedDefinition<PipelineConfig>;

export type LoadResult<C = DefinitionConfig> = { ok: true; pipeline: LoadedDefinition<C> } | { ok: false; problems: ConfigProblem[] };

/** A pipeline is a page of settings; a larger file is not one (and 50 MB scalars are how YAML is attacked). */
export const MAX_PIPELINE_BYTES = 1024 * 1024;
/**
 * Aliases (`*name`) a pipeline may expand (the yaml package's own default, stated): a few
 * anchors nested in each other ("billion laughs") expand to gigabytes.
 */
export const MAX_ALIAS_COUNT = 100;

/** Reads and checks a pipeline (an installation profile is refused here, with a hint). */
export async function loadPipeline(file: string): Promise<LoadResult<PipelineConfig>> {
  const r = await loadDefinition(file);
  if (r.ok && r.pipeline.config.kind === 'installation') {
    return { ok: false, problems: [{ file, path: 'kind', line: 1, level: 'error', message: '这是安装配置文件，不是流水线：请在流水线中引用（`installation:`）或用 `--installation` 指定 / this is an installation profile, not a pipeline: name it in a pipeline (`installation:`) or with `--installation`' }] };
  }
  return r as LoadResult<PipelineConfig>;
}

/** Reads, parses and checks one definition file (pipeline or profile). Never throws for bad content: problems are returned. */
export async function loadDefinition(file: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readCapped(file);
  } catch (err) {
    if (err instanceof TooLarge) {
      return { ok: false, problems: [{ file, path: '', level: 'error', message: `文件超过 ${MAX_PIPELINE_BYTES / 1024 / 1024} MiB，不是流水线定义 / larger than ${MAX_PIPELINE_BYTES / 1024 / 1024} MiB: not a pipeline definition (pipelines are at most 1 MiB)` }] };
    }
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? '文件不存在 / file not found' : code === 'EISDIR' ? '这是文件夹，不是文件 / is a folder, not a file' : `无法读取 / cannot read (${code ?? String(err)})`;
    return { ok: false, problems: [{ file, path: '', level: 'error', message: reason }] };
  }
  return parsePipeline(file, text);
}

class TooLarge extends Error {}

/** The file's text, reading at most one byte past the cap (a device or a growing file included). */
async function readCapped(file: string): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(MAX_PIPELINE_BYTES + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > MAX_PIPELINE_BYTES) throw new TooLarge();
    }
    return buf.toString('utf8', 0, n);
  } finally {
    await fh.close();
  }
}

/** Parses definition text (a pipeline or a profile); `file` is used for messages and relative paths. */
export function parsePipeline(file: string, text: string): LoadResult {
  if (Buffer.byteLength(text) > MAX_PIPELINE_BYTES) {
    return { ok: false, problems: [{ file, path: '', level: 'error', message: `文件超过 ${MAX_PIPELINE_BYTES / 1024 / 1024} MiB，不是流水线定义 / larger than ${MAX_PIPELINE_BYTES / 1024 / 1024} MiB: not a pipeline definition` }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    problems.push({ file, path: '', line: pos?.line, col: pos?.col, level: 'error', message: `YAML 格式错误 / YAML: ${e.message.split('\n')[0]}` });
  }
  if (problems.length) return { ok: false, problems };

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // The yaml package throws (a ReferenceError) when aliases expand past the count.
    const alias = firstAlias(doc);
    const pos = alias !== undefined ? lineCounter.linePos(alias) : undefined;
    const excessive = /alias/i.test((err as Error).message);
    return {
      ok: false,
      problems: [{
        file, path: '', line: pos?.line, col: pos?.col, level: 'error',
        message: excessive
          ? `YAML 别名（*name）展开过多，疑似“十亿笑”攻击；流水线最多展开 ${MAX_ALIAS_COUNT} 次别名 / YAML aliases (*name) expand too far (a "billion laughs" file?): a pipeline may expand at most ${MAX_ALIAS_COUNT}`
          : `YAML 格式错误 / YAML: ${(err as Error).message.split('\n')[0]}`,
      }],
    };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ file, path: '', line: 1, level: 'error', message: '应是一组设置（kind、name、source…）/ expected a mapping of settings (kind, name, source, …)' }] };
  }
  const locate = locator(doc, lineCounter);
  const parsed = Definition.safeParse(raw);
  if (!parsed.success) {
    for (const issue of flattenIssues(parsed.error.issues)) {
      problems.push({ file, level: 'error', ...locate(issue.path), ...describeIssue(issue, raw) });
    }
    for (const p of checkPartial(raw as Record<string, unknown>)) problems.push({ file, ...locate(p.path), ...p });
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return { ok: false, problems };
  }
  const ruleProblems = checkRules(parsed.data).map((p) => ({ file, ...locate(p.path), ...p }));
  const errors = ruleProblems.filter((p) => p.level === 'error');
  if (errors.length) return { ok: false, problems: ruleProblems };
  return {
    ok: true,
    pipeline: { file, dir: path.dirname(path.resolve(file)), config: parsed.data, warnings: ruleProblems },
  };
}

type Issue = z.core.$ZodIssue;

/** A union failure hides its useful branch; pick the branch that got furthest. */
function flattenIssues(issues: Issue[], prefix: PropertyKey[] = []): Array<Issue & { path: PropertyKey[] }> {
  const out: Array<Issue & { path: PropertyKey[] }> = [];
  for (const issue of issues) {
    const full = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length) {
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0];
      if (depth(best) > 0) {
        out.push(...flattenIssues(best, full));
        continue;
      }
    }
    out.push({ ...issue, path: full });
  }
  return out;
}

const depth = (issues: Issue[]) => Math.max(0, ...issues.map((i) => i.path.length));

function describeIssue(issue: Issue & { path: PropertyKey[] }, raw: unknown): { path: string; message: string; known?: string[] } {
  const p = dotPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(issue.path);
      const keys = issue.keys.map((k) => `\`${k}\``).join(', ');
      return { path: p, message: `未知的设置 ${keys} / unknown setting${issue.keys.length > 1 ? 's' : ''} ${keys}`, known };
    }
    case 'invalid_value':
      return { path: p, message: `不允许的值 \`${String(valueAt(raw, issue.path))}\` / \`${String(valueAt(raw, issue.path))}\` is not allowed`, known: issue.values.map(String) };
    case 'invalid_union':
      if (issue.path.length === 0 || p === 'kind') return { path: 'kind', message: '应是 `import`、`export` 或 `installation` / must be `import`, `export` or `installation`', known: ['import', 'export', 'installation'] };
      return describeUnion(issue, raw) ?? { path: p, message: `设置无效 / not valid: ${issue.message}` };
    case 'invalid_type': {
      const got = valueAt(raw, issue.path);
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return {
        path: p,
        message: got === undefined
          ? `必填（应为${expected}）/ is required (expected ${issue.expected})`
          : `应为${expected}，实际为${describe(got, 'zh')} / expected ${issue.expected}, got ${describe(got, 'en')}`,
      };
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const n = String(small ? issue.minimum : issue.maximum);
      const strict = !issue.inclusive;
      if (issue.origin === 'string') {
        return { path: p, message: small ? `至少 ${n} 个字符 / must be at least ${n} characters` : `最多 ${n} 个字符 / must be at most ${n} characters` };
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        return { path: p, message: small ? `至少 ${n} 项 / needs at least ${n} items` : `最多 ${n} 项 / takes at most ${n} items` };
      }
      return {
        path: p,
        message: small
          ? (strict ? `应大于 ${n} / must be more than ${n}` : `应不小于 ${n} / must be at least ${n}`)
          : (strict ? `应小于 ${n} / must be less than ${n}` : `应不大于 ${n} / must be at most ${n}`),
      };
    }
    default:
      return { path: p, message: `设置无效 / not valid: ${issue.message}` };
  }
}

/**
 * A value that fits none of a setting's forms (`auto` or a number): a form whose type it has but
 * whose range it misses is the one to explain (300 → "at most 256"); otherwise every form is named.
 */
function describeUnion(issue: Issue & { code: 'invalid_union'; path: PropertyKey[] }, raw: unknown): { path: string; message: string } | undefined {
  const branches = issue.errors.filter((b) => b.length && b.every((i) => i.path.length === 0));
  if (!branches.length || branches.length !== issue.errors.length) return undefined;
  const near = branches.find((b) => b.every((i) => i.code !== 'invalid_type' && i.code !== 'invalid_value'));
  if (near) return describeIssue({ ...near[0], path: issue.path } as Issue & { path: PropertyKey[] }, raw);
  const zh: string[] = [];
  const en: string[] = [];
  for (const i of branches.flat()) {
    if (i.code === 'invalid_value') {
      for (const v of i.values) zh.push(`\`${String(v)}\``), en.push(`\`${String(v)}\``);
    } else if (i.code === 'invalid_type') {
      zh.push(TYPE_NAMES[i.expected] ?? i.expected);
      en.push(i.expected);
    } else return undefined;
  }
  const got = valueAt(raw, issue.path);
  return { path: dotPath(issue.path), message: `应为${zh.join('或')}，实际为${describe(got, 'zh')} / expected ${en.join(' or ')}, got ${describe(got, 'en')}` };
}

/** Zod's type names, as a person reads them in Chinese. */
const TYPE_NAMES: Record<string, string> = { string: '文本', number: '数字', boolean: '是或否（true/false）', object: '一组设置', array: '列表', int: '整数' };

function describe(v: unknown, l: 'zh' | 'en'): string {
  if (Array.isArray(v)) return l === 'zh' ? '列表' : 'a list';
  if (v === null) return l === 'zh' ? '空' : 'nothing';
  if (typeof v === 'object') return l === 'zh' ? '一组设置' : 'a mapping';
  return l === 'zh' ? `${TYPE_NAMES[typeof v] ?? typeof v} \`${String(v)}\`` : `${typeof v} \`${String(v)}\``;
}

function valueAt(raw: unknown, p: PropertyKey[]): unknown {
  let cur: unknown = raw;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

/** Known keys of the object schema at a path, for "unknown setting" messages. */
function knownKeysAt(p: PropertyKey[]): string[] | undefined {
  const shape = (schema: unknown): Record<string, unknown> | undefined => {
    const s = schema as { shape?: Record<string, unknown>; def?: { innerType?: unknown; type?: string } };
    if (s?.shape) return s.shape;
    if (s?.def?.innerType) return shape(s.def.innerType);
    return undefined;
  };
  const options = Definition.options.map((o) => o.shape as Record<string, unknown>);
  const keys = new Set<string>();
  for (const root of options) {
    let cur: Record<string, unknown> | undefined = root;
    for (const k of p) {
      cur = cur ? shape(cur[String(k)]) : undefined;
    }
    if (cur) Object.keys(cur).forEach((k) => keys.add(k));
  }
  return keys.size ? [...keys] : undefined;
}

/** Maps a dot path to the line of the YAML node that holds it (or its nearest parent). */
function locator(doc: Document, lc: LineCounter) {
  return (p: ReadonlyArray<PropertyKey> | string): { path: string; line?: number; col?: number } => {
    const parts = typeof p === 'string' ? (p ? p.split('.') : []) : p.map(String);
    for (let n = parts.length; n >= 0; n--) {
      const sub = parts.slice(0, n);
      const node = n === 0 ? doc.contents : doc.getIn(sub, true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) {
        // Point at the key of a mapping entry rather than its value when the key exists.
        const keyPos = n > 0 ? keyOffset(doc, sub) : undefined;
        const pos = lc.linePos(keyPos ?? range[0]);
        return { path: parts.join('.'), line: pos.line, col: pos.col };
      }
    }
    return { path: parts.join('.') };
  };
}

/** Offset of the first alias in the document, for the message's line. */
function firstAlias(doc: Document): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Alias(_, node) {
      at = node.range?.[0];
      return visit.BREAK;
    },
  });
  return at;
}

function keyOffset(doc: Document, sub: string[]): number | undefined {
  const parent = sub.length === 1 ? doc.contents : doc.getIn(sub.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === sub[sub.length - 1]);
  const key = pair?.key as { range?: [number, number, number] } | undefined;
  return key?.range?.[0];
}
