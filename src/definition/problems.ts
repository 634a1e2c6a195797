/**
 * Configuration problems: every one found is collected before stopping, each with where it is.
 */

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

export function formatProblem(p: ConfigProblem): string {
  const where = p.line ? `${p.file}:${p.line}${p.col ? `:${p.col}` : ''}` : p.file;
  const known = p.known?.length ? ` (known: ${p.known.join(', ')})` : '';
  return `${where} ${p.level} ${p.path ? `\`${p.path}\`: ` : ''}${p.message}${known}`;
}

export function dotPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((k) => String(k)).join('.');
}
