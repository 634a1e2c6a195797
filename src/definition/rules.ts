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
      out.push({ path: `enums.${field}`, level: 'error', message: `\`${field}\` 不是枚举字段 / \`${field}\` is not an enum field`, known: [...ENUM_FIELDS.keys()] });
      continue;
    }
    for (const [label, id] of Object.entries(overrides)) {
      if (!/^\S+$/.test(id)) out.push({ path: `enums.${field}.${label}`, level: 'error', message: ID_NOT_BLANK });
    }
  }
  return out;
}

const ID_NOT_BLANK = 'ID 不能为空，也不能含空格 / id must not be empty or contain spaces';

/** listColumnsExist: keys are fields the list can show, and no column carries two fields. */
function listColumnsExist(lists: ListsConfig, at: string): RuleProblem[] {
  const out: RuleProblem[] = [];
  for (const name of LIST_NAMES) {
    const columns = lists[name]?.columns;
    if (!columns) continue;
    const known = LIST_FIELDS[name].map((f) => f.key);
    const owner = new Map<string, string>();
    for (const [key, id] of Object.entries(columns)) {
      if (!known.includes(key)) out.push({ path: `${at}.${name}.columns.${key}`, level: 'error', message: `\`${key}\` 不是 ${name} 列表的字段 / \`${key}\` is not a field of the ${name} list`, known });
      if (!id) continue;
      const other = owner.get(id);
      if (other) out.push({ path: `${at}.${name}.columns.${key}`, level: 'error', message: `列 \`${id}\` 已对应 \`${other}\`，一列只能对应一个字段 / column \`${id}\` is already mapped to \`${other}\`: one column carries one field` });
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
    .map((t) => ({ path: `mapping.${t}`, level: 'error' as const, message: `\`${t}\` 不是${entity.title}的字段 / \`${t}\` is not a ${entity.name} field`, known: mappable }));
}

function checkImport(c: ImportConfig): RuleProblem[] {
  const out: RuleProblem[] = [];
  const entity = ENTITIES[c.entity];
  const mapped = new Set(Object.keys(c.mapping));
  out.push(...mappingTargetsExist(entity, Object.keys(c.mapping)));
  // transformsExist
  const checkTransforms = (names: string[], at: string) =>
    names.forEach((t, i) => {
      if (!TRANSFORM_NAMES.includes(t)) out.push({ path: `${at}.${i}`, level: 'error', message: `未知的转换 \`${t}\` / unknown transform \`${t}\``, known: [...TRANSFORM_NAMES] });
    });
  checkTransforms(c.transforms, 'transforms');
  for (const [target, entry] of Object.entries(c.mapping)) {
    if (typeof entry === 'object' && !Array.isArray(entry)) {
      if (entry.transforms) checkTransforms(entry.transforms, `mapping.${target}.transforms`);
      if (entry.from === undefined && entry.value === undefined) {
        out.push({ path: `mapping.${target}`, level: 'error', message: '需要 `from`（文件中的列名）或 `value`（常量）/ needs `from` (a source header) or `value` (a constant)' });
      }
      if (entry.from !== undefined && entry.value !== undefined) {
        out.push({ path: `mapping.${target}`, level: 'error', message: '`from` 和 `value` 只能写一个 / takes `from` or `value`, not both' });
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
        out.push({ path: `mapping.${f.id}.optional`, level: 'error', message: `${plainCaption(f.caption)}（${f.id}）是 ERP 的必填字段，不能设为可选 / ${plainCaption(f.caption)} (\`${f.id}\`) is required by the ERP: its column cannot be optional` });
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
        out.push({ path: 'mapping', level: 'error', message: `必填字段${plainCaption(f.caption)}（${f.id}）没有对应的列 / required field ${plainCaption(f.caption)} (\`${f.id}\`) is not mapped` });
      }
    }
  }
  // matchKeysAreMapped: written keys must be mapped; of the default keys, the mapped ones are used.
  (c.write.matchKeys ?? []).forEach((k, i) => {
    if (!mapped.has(k)) out.push({ path: `write.matchKeys.${i}`, level: 'error', message: `匹配键 \`${k}\` 没有对应的列 / match key \`${k}\` is not mapped`, known: [...mapped] });
  });
  const matchKeys = effectiveMatchKeys(c);
  // matchKeysNotOptional: a missing key column would match every row on a blank value.
  for (const k of matchKeys) {
    if (optional.has(k)) out.push({ path: `mapping.${k}.optional`, level: 'error', message: `\`${k}\` 是匹配键，不能设为可选（缺少该列时每一行都会按空的 ${k} 匹配）/ \`${k}\` is a match key: its column cannot be optional (a missing column would match every row on a blank ${k})` });
  }
  const allDefaults = entity.defaultMatchKeys(new Set(entity.mappable.map((f) => f.id)));
  if (!c.write.matchKeys && c.entity === 'contact' && matchKeys.length < allDefaults.length) {
    out.push({ path: 'write.matchKeys', level: 'warning', message: `默认匹配键 ${allDefaults.join(', ')} 没有全部对应到列，按 ${matchKeys.join(', ') || '（无）'} 匹配 / default match keys ${allDefaults.join(', ')} are not all mapped: matching on ${matchKeys.join(', ') || 'nothing'}` });
  }
  // The entity's own rules (match keys it needs, its lookup settings).
  out.push(...entity.rules(c, matchKeys));
  // enumOverridesNameEnumFields
  for (const [field, overrides] of Object.entries(c.enums)) {
    const spec = entity.fields.find((f) => f.id === field);
    if (!spec?.options) {
      out.push({ path: `enums.${field}`, level: 'error', message: `\`${field}\` 不是枚举字段 / \`${field}\` is not an enum field`, known: entity.fields.filter((f) => f.options).map((f) => f.id) });
      continue;
    }
    for (const [label, id] of Object.entries(overrides)) {
      if (!/^\S+$/.test(id)) out.push({ path: `enums.${field}.${label}`, level: 'error', message: ID_NOT_BLANK });
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
    if (!filters.includes(f)) out.push({ path: `filters.${f}`, level: 'error', message: `未知的${c.entity === 'contact' ? '联系人' : '客户'}列表筛选条件 \`${f}\` / unknown ${c.entity} list filter \`${f}\``, known: filters });
  }
  // columnsExist: by field, whatever the installation calls its columns
  const known = new Set(fields);
  (c.columns ?? []).forEach((col, i) => {
    const id = typeof col === 'string' ? col : col.field;
    if (c.entity === 'contact' && id === 'name') {
      out.push({ path: `columns.${i}`, level: 'warning', message: '`name` 按客户名称（`customer_name`）读取，请写 `customer_name`：有的安装中联系人本人的姓名列也叫 `name` / `name` is read as `customer_name` (客户名称); write `customer_name`: in some installations the contact\'s own name is a column called `name`' });
    } else if (!known.has(id)) out.push({ path: `columns.${i}`, level: 'error', message: unknownListField(c.entity, id), known: [...known] });
  });
  if (c.sort && !known.has(c.sort.replace(/^-/, ''))) {
    out.push({ path: 'sort', level: 'error', message: `未知的排序字段 \`${c.sort}\` / unknown sort field \`${c.sort}\``, known: [...known] });
  }
  for (const [id, key] of Object.entries(c.columnMap)) {
    if (!known.has(key)) out.push({ path: `columnMap.${id}`, level: 'error', message: unknownListField(c.entity, key), known: [...known] });
  }
  if (!/\.(xlsx|csv)$/i.test(c.output.file)) {
    out.push({ path: 'output.file', level: 'error', message: '文件名应以 .xlsx 或 .csv 结尾 / must end in .xlsx or .csv' });
  }
  return out;
}

function unknownListField(entity: string, id: string): string {
  return `未知的${entity === 'contact' ? '联系人' : '客户'}列表字段 \`${id}\` / unknown ${entity} list field \`${id}\``;
}
