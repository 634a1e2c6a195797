/**
 * Matches a pipeline's mapping to the columns of one source file. Header matching ignores
 * spaces, full-width/half-width differences (the seed's own captions read "性 别", "手 机") and
 * the `*` templates put on required columns (`*联系人姓名`). A mapping whose written headers are
 * all missing falls back to the field's caption and catalog aliases (联系人 for 联系人姓名), and
 * says so; an optional one is noted and skipped. Every problem (missing header, a header twice)
 * is collected before reporting.
 */
import { fieldNames, type FieldSpec } from '../catalog/index.js';
import { columnLetter } from '../errors.js';
import { normalizeHeader } from '../validate/index.js';
import type { MappingEntryConfig } from '../definition/schema.js';
import type { MappedColumn } from './row-plan.js';

export type { MappedColumn };


export interface HeaderPlan {
  columns: MappedColumn[];
  /** Headers no mapping uses: ignored, and listed once. */
  unmapped: string[];
  problems: string[];
  /** Said once at the start of a run (info): optional columns missing, aliases used. */
  notes: string[];
}

export interface EntrySources {
  from: string[];
  value?: string;
  transforms: string[];
  optional: boolean;
}

export function entrySources(entry: MappingEntryConfig): EntrySources {
  if (typeof entry === 'string') return { from: [entry], transforms: [], optional: false };
  if (Array.isArray(entry)) return { from: entry, transforms: [], optional: false };
  const from = entry.from === undefined ? [] : Array.isArray(entry.from) ? entry.from : [entry.from];
  return { from, value: entry.value, transforms: entry.transforms ?? [], optional: entry.optional ?? false };
}

/**
 * A header as compared: spaces and width ignored (normalizeHeader), and the `*` that marks a
 * required column in templates (`*联系人姓名`, `联系人姓名*`, full-width `＊`) left out.
 */
export function headerKey(header: string): string {
  return normalizeHeader(header).replace(/^\*+|\*+$/g, '');
}

/**
 * @param extraColumns headers used outside the mapping (e.g. a follow-up's contact lookup columns), by role.
 * @param fields the entity's catalog fields: a mapping whose headers are all missing may use a
 *   column named by the field's caption or aliases instead (when that name is the field's alone).
 */
export function planHeaders(
  headers: string[],
  mapping: Record<string, MappingEntryConfig>,
  extraColumns: Record<string, string | undefined> = {},
  fields?: FieldSpec[],
): HeaderPlan & { extra: Record<string, MappedColumn> } {
  const byNorm = new Map<string, number[]>();
  headers.forEach((h, i) => {
    const n = headerKey(h);
    if (!n) return;
    const list = byNorm.get(n);
    if (list) list.push(i);
    else byNorm.set(n, [i]);
  });
  const used = new Set<number>();
  const problems: string[] = [];
  const notes: string[] = [];
  const duplicate = (what: string, name: string, hits: number[]) =>
    problems.push(`${what}: 表头 \`${name}\` 出现了 ${hits.length} 次（${hits.map((i) => columnLetter(i + 1)).join(', ')} 列），请改掉其中一个 / the header \`${name}\` appears ${hits.length} times (columns ${hits.map((i) => columnLetter(i + 1)).join(', ')}); rename one of them`);
  /** The column of the first name found; null when a name is there twice (a problem already). */
  const find = (names: string[], what: string): number | null | undefined => {
    for (const name of names) {
      const hits = byNorm.get(headerKey(name));
      if (!hits) continue;
      if (hits.length > 1) {
        duplicate(what, name, hits);
        return null;
      }
      return hits[0];
    }
    return undefined;
  };
  const column = (field: string, i: number, transforms: string[]): MappedColumn => ({ field, index: i, header: headers[i], letter: columnLetter(i + 1), transforms });

  const columns: MappedColumn[] = [];
  const missing: Array<{ field: string; src: EntrySources }> = [];
  // Written headers first, for every entry, so a fallback never takes a column another entry names.
  for (const [field, entry] of Object.entries(mapping)) {
    const src = entrySources(entry);
    if (src.value !== undefined) {
      columns.push({ field, index: -1, header: `=${src.value}`, letter: '', constant: src.value, transforms: src.transforms });
      continue;
    }
    const i = find(src.from, `mapping.${field}`);
    if (i === null) continue;
    if (i === undefined) {
      missing.push({ field, src });
      continue;
    }
    used.add(i);
    columns.push(column(field, i, src.transforms));
  }
  const extra: Record<string, MappedColumn> = {};
  for (const [role, name] of Object.entries(extraColumns)) {
    if (!name) continue;
    const i = find([name], role);
    if (i === null) continue;
    if (i === undefined) {
      problems.push(`${role}: 文件中没有 \`${name}\` 列 / no column named \`${name}\``);
      continue;
    }
    used.add(i);
    extra[role] = { ...column(role, i, []) };
  }
  const owners = fields ? nameOwners(fields) : new Map<string, number>();
  for (const { field, src } of missing) {
    const spec = fields?.find((f) => f.id === field);
    const written = new Set(src.from.map(headerKey));
    const alt = spec
      ? fieldNames(spec).find((n) => {
        const key = headerKey(n);
        const hits = byNorm.get(key);
        return !written.has(key) && owners.get(key) === 1 && hits?.length === 1 && !used.has(hits[0]);
      })
      : undefined;
    const wanted = src.from.map((n) => `\`${n}\``).join(' / ');
    if (alt !== undefined) {
      const i = byNorm.get(headerKey(alt))![0];
      used.add(i);
      columns.push(column(field, i, src.transforms));
      notes.push(`mapping.${field}：文件中没有 ${wanted} 列，按字段目录的别名使用 \`${headers[i]}\` 列（${columnLetter(i + 1)}）/ no column ${wanted}: using \`${headers[i]}\` (column ${columnLetter(i + 1)}), a name the field catalog knows for \`${field}\``);
    } else if (src.optional) {
      notes.push(`mapping.${field}：可选列 ${wanted} 不在文件中，本次不导入该字段 / optional column ${wanted} is not in the file: \`${field}\` is left out of this run`);
    } else {
      problems.push(`mapping.${field}: 文件中没有 ${src.from.map((n) => `\`${n}\``).join('、')} 列 / no column named ${src.from.map((n) => `\`${n}\``).join(' or ')}`);
    }
  }
  if (problems.length) problems.push(`文件的表头 / the file's headers: ${headers.filter(Boolean).map((h) => `\`${h}\``).join(', ') || '（无 / none）'}`);
  const unmapped = headers.filter((h, i) => h && !used.has(i));
  return { columns, unmapped, problems, extra, notes };
}

/** How many fields of an entity a header names (开始时间 names two follow-up fields: not a fallback). */
function nameOwners(fields: FieldSpec[]): Map<string, number> {
  const owners = new Map<string, number>();
  for (const f of fields) {
    for (const key of new Set(fieldNames(f).map(headerKey))) owners.set(key, (owners.get(key) ?? 0) + 1);
  }
  return owners;
}
