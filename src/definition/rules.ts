/**
 * Cross-checks of a shape-valid pipeline against the field catalog and the step registries.
 * Each rule is named after the invariant it keeps; all of them run, and every problem is kept.
 */
import path from 'node:path';
import { CONTACT_LIST_FILTERS, CUSTOMER_LIST_FILTERS, FOLLOWUP_FIELDS, CONTACT_FIELDS, CUSTOMER_FIELDS, LIST_FIELDS, LIST_NAMES, plainCaption } from '../catalog/index.js';
import type { InstallationConfig, ListsConfig } from '../installation/profile-schema.js';
import { TRANSFORM_NAMES } from '../validate/index.js';
import { ENTITIES } from '../entities/index.js';
import type { DefinitionConfig, ExportConfig, ImportConfig } from './schema.js';
import type { ConfigProblem } from './problems.js';

type RuleProblem = Omit<ConfigProblem, 'file'>;

export function checkRules(config: DefinitionConfig): RuleProblem[] {
  if (config.kind === 'installation') return checkProfile(config);
  const out = config.kind === 'import' ? checkImport(config) : checkExport(config);
  if (config.lists) out.push(...listColumnsExist(config.lists, 'lists'));
  return out;
}

/** Every enum field of every entity, by id: what `enums:` may name. */
const ENUM_FIELDS = new Map([...CONTACT_FIELDS, ...FOLLOWUP_FIELDS, ...CUSTOMER_FIELDS].filter((f) => f.options).map((f) => [f.id, f]));

function checkProfile(c: InstallationConfig): RuleProblem[] {
  const out = listColumnsExist(c.lists, 'lists');
  // enumOverridesNameEnumFields
  for (const [field, overrides] of Object.entries(c.enums)) {
    if (!ENUM_FIELDS.has(field)) {
      out.push({ path: `enums.${field}`, level: 'error', message: `\`${field}\` is not an enum field`, known: [...ENUM_FIELDS.keys()] });
      continue;
    }
    for (const [label, id] of Object.entries(overrides)) {
      if (!/^\S+$/.test(id)) out.push({ path: `enums.${field}.${label}`, level: 'error', message: 'id must not be empty or contain spaces' });
    }
  }
  return out;
}

/** listColumnsExist: keys are fields the list can show, and no column carries two fields. */
function listColumnsExist(lists: ListsConfig, at: string): RuleProblem[] {
  const out: RuleProblem[] = [];
  for (const name of LIST_NAMES) {
    const columns = lists[name]?.columns;
    if (!columns) continue;
    const known = LIST_FIELDS[name].map((f) => f.key);
    const owner = new Map<string, string>();
    for (const [key, id] of Object.entries(columns)) {
      if (!known.includes(key)) out.push({ path: `${at}.${name}.columns.${key}`, level: 'error', message: `\`${key}\` is not a field of the ${name} list`, known });
      if (!id) continue;
      const other = owner.get(id);
      if (other) out.push({ path: `${at}.${name}.columns.${key}`, level: 'error', message: `column \`${id}\` is already mapped to \`${other}\`: one column carries one field` });
      owner.set(id, key);
    }
  }
  return out;
}

/**
 * Rules that need only part of a definition, run even when its shape is wrong elsewhere, so one
 * look at the report shows every problem.
 */
export function checkPartial(raw: Record<string, unknown>): RuleProblem[] {
  const entity = typeof raw.entity === 'string' ? ENTITIES[raw.entity as keyof typeof ENTITIES] : undefined;
  if (raw.kind !== 'import' || !entity || !raw.mapping || typeof raw.mapping !== 'object') return [];
  return mappingTargetsExist(entity, Object.keys(raw.mapping));
}

function mappingTargetsExist(entity: (typeof ENTITIES)[keyof typeof ENTITIES], targets: string[]): RuleProblem[] {
  const mappable = entity.mappable.map((f) => f.id);
  return targets
    .filter((t) => !mappable.includes(t))
    .map((t) => ({ path: `mapping.${t}`, level: 'error' as const, message: `\`${t}\` is not a ${entity.name} field`, known: mappable }));
}

function checkImport(c: ImportConfig): RuleProblem[] {
  const out: RuleProblem[] = [];
  const entity = ENTITIES[c.entity];
  const mapped = new Set(Object.keys(c.mapping));
  out.push(...mappingTargetsExist(entity, Object.keys(c.mapping)));
  // transformsExist
  const checkTransforms = (names: string[], at: string) =>
    names.forEach((t, i) => {
      if (!TRANSFORM_NAMES.includes(t)) out.push({ path: `${at}.${i}`, level: 'error', message: `unknown transform \`${t}\``, known: [...TRANSFORM_NAMES] });
    });
  checkTransforms(c.transforms, 'transforms');
  for (const [target, entry] of Object.entries(c.mapping)) {
    if (typeof entry === 'object' && !Array.isArray(entry)) {
      if (entry.transforms) checkTransforms(entry.transforms, `mapping.${target}.transforms`);
      if (entry.from === undefined && entry.value === undefined) {
        out.push({ path: `mapping.${target}`, level: 'error', message: 'needs `from` (a source header) or `value` (a constant)' });
      }
      if (entry.from !== undefined && entry.value !== undefined) {
        out.push({ path: `mapping.${target}`, level: 'error', message: 'takes `from` or `value`, not both' });
      }
      if (entry.optional && entry.value !== undefined) {
        out.push({ path: `mapping.${target}.optional`, level: 'error', message: '常量不会缺少，不能设为可选 / a constant (`value`) is never missing: `optional` is for columns' });
      }
    }
  }
  // requiredFieldsNotOptional: a field the ERP requires cannot be left out when its column is
  // missing (in update mode the ERP already holds it, so it may).
  const optional = new Set(Object.entries(c.mapping).filter(([, e]) => typeof e === 'object' && !Array.isArray(e) && e.optional).map(([t]) => t));
  if (c.write.mode !== 'update') {
    for (const f of entity.fields) {
      if (optional.has(f.id) && f.required && !f.requiredWhen && !f.key) {
        out.push({ path: `mapping.${f.id}.optional`, level: 'error', message: `\`${f.id}\`（${plainCaption(f.caption)}）是 ERP 的必填字段，不能设为可选 / \`${f.id}\` is required by the ERP: its column cannot be optional` });
      }
    }
  }
  // sourcePatternInFileName: `*` picks the newest file of one folder, never a folder.
  if (/[*?]/.test(path.dirname(c.source.file))) {
    out.push({ path: 'source.file', level: 'error', message: '通配符 * 只能用在文件名中，不能用在文件夹中 / `*` may stand in the file name only, not in a folder name' });
  }
  // requiredFieldsMapped: a field the ERP requires must come from somewhere, except in update mode,
  // where the ERP already holds it.
  if (c.write.mode !== 'update') {
    for (const f of entity.fields) {
      if (f.required && !f.requiredWhen && !f.key && !mapped.has(f.id) && !entity.resolved?.includes(f.id)) {
        out.push({ path: 'mapping', level: 'error', message: `required field \`${f.id}\` (${f.caption.replace(/\s+/g, '')}) is not mapped` });
      }
    }
  }
  // matchKeysAreMapped: written keys must be mapped; of the default keys, the mapped ones are used.
  (c.write.matchKeys ?? []).forEach((k, i) => {
    if (!mapped.has(k)) out.push({ path: `write.matchKeys.${i}`, level: 'error', message: `match key \`${k}\` is not mapped`, known: [...mapped] });
  });
  const matchKeys = effectiveMatchKeys(c);
  // matchKeysNotOptional: a missing key column would match every row on a blank value.
  for (const k of matchKeys) {
    if (optional.has(k)) out.push({ path: `mapping.${k}.optional`, level: 'error', message: `\`${k}\` 是匹配键，不能设为可选 / \`${k}\` is a match key: its column cannot be optional (a missing column would match every row on a blank ${k})` });
  }
  const allDefaults = entity.defaultMatchKeys(new Set(entity.mappable.map((f) => f.id)));
  if (!c.write.matchKeys && c.entity === 'contact' && matchKeys.length < allDefaults.length) {
    out.push({ path: 'write.matchKeys', level: 'warning', message: `default match keys ${allDefaults.join(', ')} are not all mapped: matching on ${matchKeys.join(', ') || 'nothing'}` });
  }
  // The entity's own rules (match keys it needs, its lookup settings).
  out.push(...entity.rules(c, matchKeys));
  // enumOverridesNameEnumFields
  for (const [field, overrides] of Object.entries(c.enums)) {
    const spec = entity.fields.find((f) => f.id === field);
    if (!spec?.options) {
      out.push({ path: `enums.${field}`, level: 'error', message: `\`${field}\` is not an enum field`, known: entity.fields.filter((f) => f.options).map((f) => f.id) });
      continue;
    }
    for (const [label, id] of Object.entries(overrides)) {
      if (!/^\S+$/.test(id)) out.push({ path: `enums.${field}.${label}`, level: 'error', message: 'id must not be empty or contain spaces' });
    }
  }
  return out;
}

/** The match keys a run uses: the written ones, or the entity's default keys that are mapped. */
export function effectiveMatchKeys(c: ImportConfig): string[] {
  const mapped = new Set(Object.keys(c.mapping));
  return c.write.matchKeys ?? ENTITIES[c.entity].defaultMatchKeys(mapped);
}

function checkExport(c: ExportConfig): RuleProblem[] {
  const out: RuleProblem[] = [];
  const filters = (c.entity === 'contact' ? CONTACT_LIST_FILTERS : CUSTOMER_LIST_FILTERS).map((f) => f.id).filter((id) => !['pagesize', 'pageindex', '_rpt_sort', 'checktype'].includes(id));
  const fields = LIST_FIELDS[c.entity === 'contact' ? 'contact' : 'customer'].map((f) => f.key);
  // filtersExist
  for (const f of Object.keys(c.filters)) {
    if (!filters.includes(f)) out.push({ path: `filters.${f}`, level: 'error', message: `unknown ${c.entity} list filter \`${f}\``, known: filters });
  }
  // columnsExist: by field, whatever the installation calls its columns
  const known = new Set(fields);
  (c.columns ?? []).forEach((col, i) => {
    const id = typeof col === 'string' ? col : col.field;
    if (c.entity === 'contact' && id === 'name') {
      out.push({ path: `columns.${i}`, level: 'warning', message: '`name` is read as `customer_name` (客户名称); write `customer_name`: in some installations the contact\'s own name is a column called `name`' });
    } else if (!known.has(id)) out.push({ path: `columns.${i}`, level: 'error', message: `unknown ${c.entity} list field \`${id}\``, known: [...known] });
  });
  if (c.sort && !known.has(c.sort.replace(/^-/, ''))) {
    out.push({ path: 'sort', level: 'error', message: `unknown sort field \`${c.sort}\``, known: [...known] });
  }
  for (const [id, key] of Object.entries(c.columnMap)) {
    if (!known.has(key)) out.push({ path: `columnMap.${id}`, level: 'error', message: `unknown ${c.entity} list field \`${key}\``, known: [...known] });
  }
  if (!/\.(xlsx|csv)$/i.test(c.output.file)) {
    out.push({ path: 'output.file', level: 'error', message: 'must end in .xlsx or .csv' });
  }
  return out;
}
