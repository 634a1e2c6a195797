/**
 * Matches a pipeline's mapping to the columns of one source file. Header matching ignores
 * spaces and full-width/half-width differences (the seed's own captions read "性 别", "手 机").
 * Every problem (missing header, a header twice) is collected before reporting.
 */
import { columnLetter } from '../errors.js';
import { normalizeHeader } from '../validate/index.js';
import type { MappingEntryConfig } from '../definition/schema.js';

export interface MappedColumn {
  /** Catalog field id. */
  field: string;
  /** 0-based column index, or -1 for a constant. */
  index: number;
  /** Header as written in the file (for messages and reports). */
  header: string;
  /** Excel column letter. */
  letter: string;
  /** A constant value instead of a column. */
  constant?: string;
  /** Transforms named on this entry (after the pipeline's default ones). */
  transforms: string[];
}

export interface HeaderPlan {
  columns: MappedColumn[];
  /** Headers no mapping uses: ignored, and listed once. */
  unmapped: string[];
  problems: string[];
}

export function entrySources(entry: MappingEntryConfig): { from: string[]; value?: string; transforms: string[] } {
  if (typeof entry === 'string') return { from: [entry], transforms: [] };
  if (Array.isArray(entry)) return { from: entry, transforms: [] };
  const from = entry.from === undefined ? [] : Array.isArray(entry.from) ? entry.from : [entry.from];
  return { from, value: entry.value, transforms: entry.transforms ?? [] };
}

/**
 * @param extraColumns headers used outside the mapping (e.g. a follow-up's contact lookup columns), by role.
 */
export function planHeaders(
  headers: string[],
  mapping: Record<string, MappingEntryConfig>,
  extraColumns: Record<string, string | undefined> = {},
): HeaderPlan & { extra: Record<string, MappedColumn> } {
  const byNorm = new Map<string, number[]>();
  headers.forEach((h, i) => {
    const n = normalizeHeader(h);
    if (!n) return;
    const list = byNorm.get(n);
    if (list) list.push(i);
    else byNorm.set(n, [i]);
  });
  const used = new Set<number>();
  const problems: string[] = [];
  const find = (names: string[], what: string): number | undefined => {
    for (const name of names) {
      const hits = byNorm.get(normalizeHeader(name));
      if (!hits) continue;
      if (hits.length > 1) {
        problems.push(`${what}: the header \`${name}\` appears ${hits.length} times (columns ${hits.map((i) => columnLetter(i + 1)).join(', ')}); rename one of them`);
        return undefined;
      }
      return hits[0];
    }
    problems.push(`${what}: no column named ${names.map((n) => `\`${n}\``).join(' or ')}`);
    return undefined;
  };

  const columns: MappedColumn[] = [];
  for (const [field, entry] of Object.entries(mapping)) {
    const src = entrySources(entry);
    if (src.value !== undefined) {
      columns.push({ field, index: -1, header: `=${src.value}`, letter: '', constant: src.value, transforms: src.transforms });
      continue;
    }
    const i = find(src.from, `mapping.${field}`);
    if (i === undefined) continue;
    used.add(i);
    columns.push({ field, index: i, header: headers[i], letter: columnLetter(i + 1), transforms: src.transforms });
  }
  const extra: Record<string, MappedColumn> = {};
  for (const [role, name] of Object.entries(extraColumns)) {
    if (!name) continue;
    const i = find([name], role);
    if (i === undefined) continue;
    used.add(i);
    extra[role] = { field: role, index: i, header: headers[i], letter: columnLetter(i + 1), transforms: [] };
  }
  if (problems.length) problems.push(`the file's headers are: ${headers.filter(Boolean).map((h) => `\`${h}\``).join(', ') || '(none)'}`);
  const unmapped = headers.filter((h, i) => h && !used.has(i));
  return { columns, unmapped, problems, extra };
}
