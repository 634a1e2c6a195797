/**
 * Configuration problems: every one found is collected before stopping, each with where it is.
 * Messages are bilingual, `中文 / English`.
 */
import { lang, localize, say } from '../report/lang.js';

export interface ConfigProblem {
  file: string;
  /** Dot path inside the definition (`write.mode`, `mapping.sex`). */
  path: string;
  /** 1-based line and column in the file, when known. */
  line?: number;
  col?: number;
  level: 'error' | 'warning';
  message: string;
  /** The values that would have been accepted, when a name is unknown. */
  known?: string[];
}

/** One problem as lint prints it: where, level, dot path, then the message in the language in force. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line ? `${p.file}:${p.line}${p.col ? `:${p.col}` : ''}` : p.file;
  const l = lang();
  const known = !p.known?.length ? '' : l === 'zh' ? `（可选值：${p.known.join(', ')}）` : ` (${say('可选值', 'known', l)}: ${p.known.join(', ')})`;
  // The level stays a grep-able word (`error`, `warning`) unless Chinese only was asked for.
  const level = l === 'zh' ? (p.level === 'error' ? '错误' : '警告') : p.level;
  return `${where} ${level} ${p.path ? `\`${p.path}\`: ` : ''}${localize(p.message)}${known}`;
}

export function dotPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((k) => String(k)).join('.');
}
