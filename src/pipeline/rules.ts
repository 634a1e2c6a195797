/**
 * Cross-checks of a shape-valid pipeline against the field catalog and the step registries.
 * Each rule is named after the invariant it keeps; all of them run, and every problem is kept.
 */
import { CONTACT_LIST_COLUMNS, CONTACT_LIST_FILTERS, CUSTOMER_LIST_COLUMNS, CUSTOMER_LIST_FILTERS } from '../catalog/index.js';
import { TRANSFORM_NAMES } from '../validate/index.js';
import { ENTITIES } from './entities.js';
import type { ExportConfig, ImportConfig, PipelineConfig } from './schema.js';
import type { ConfigProblem } from './problems.js';

type RuleProblem = Omit<ConfigProblem, 'file'>;

export function checkRules(config: PipelineConfig): RuleProblem[] {
  return config.kind === 'import' ? checkImport(config) : checkExport(config);
}

function checkImport(c: ImportConfig): RuleProblem[] {
  const out: RuleProblem[] = [];
  const entity = ENTITIES[c.entity];
  const mappable = entity.mappable.map((f) => f.id);
  const known = new Set(mappable);
  const mapped = new Set(Object.keys(c.mapping));

  // mappingTargetsExist
  for (const target of Object.keys(c.mapping)) {
    if (!known.has(target)) {
      out.push({ path: `mapping.${target}`, level: 'error', message: `\`${target}\` is not a ${entity.name} field`, known: mappable });
    }
  }
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
    }
  }
  // requiredFieldsMapped: a field the ERP requires must come from somewhere, except in update mode,
  // where the ERP already holds it.
  if (c.write.mode !== 'update') {
    for (const f of entity.fields) {
      if (f.required && !f.requiredWhen && !f.key && !mapped.has(f.id) && !(c.entity === 'followup' && f.id === entity.reference.field)) {
        out.push({ path: 'mapping', level: 'error', message: `required field \`${f.id}\` (${f.caption.replace(/\s+/g, '')}) is not mapped` });
      }
    }
  }
  if (c.entity === 'followup') {
    const l = c.contactLookup;
    const need: Record<string, Array<keyof typeof l>> = { 'company+name': ['companyColumn', 'nameColumn'], mobile: ['mobileColumn'], ord: ['ordColumn'] };
    for (const key of need[l.by]) {
      if (!l[key]) out.push({ path: `contactLookup.${key}`, level: 'error', message: `is required when contactLookup.by is \`${l.by}\`` });
    }
  }
  // matchKeysAreMapped
  const matchKeys = c.write.matchKeys ?? entity.defaultMatchKeys;
  matchKeys.forEach((k, i) => {
    if (!mapped.has(k)) {
      out.push({
        path: c.write.matchKeys ? `write.matchKeys.${i}` : 'write.matchKeys',
        level: c.write.mode === 'insert' && c.entity === 'followup' ? 'warning' : 'error',
        message: `match key \`${k}\` is not mapped`,
        known: [...mapped],
      });
    }
  });
  if (c.entity === 'contact' && c.write.mode === 'update' && !matchKeys.length) {
    out.push({ path: 'write.matchKeys', level: 'error', message: 'update mode needs match keys to find the records to update' });
  }
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

function checkExport(c: ExportConfig): RuleProblem[] {
  const out: RuleProblem[] = [];
  const filters = (c.entity === 'contact' ? CONTACT_LIST_FILTERS : CUSTOMER_LIST_FILTERS).map((f) => f.id).filter((id) => !['pagesize', 'pageindex', '_rpt_sort', 'checktype'].includes(id));
  const columns = (c.entity === 'contact' ? CONTACT_LIST_COLUMNS : CUSTOMER_LIST_COLUMNS).map((col) => col.id);
  // filtersExist
  for (const f of Object.keys(c.filters)) {
    if (!filters.includes(f)) out.push({ path: `filters.${f}`, level: 'error', message: `unknown ${c.entity} list filter \`${f}\``, known: filters });
  }
  // columnsExist
  const known = new Set([...columns, ...Object.keys(c.columnMap)]);
  (c.columns ?? []).forEach((col, i) => {
    const id = typeof col === 'string' ? col : col.field;
    if (!known.has(id)) out.push({ path: `columns.${i}`, level: 'error', message: `unknown ${c.entity} list column \`${id}\``, known: [...known] });
  });
  if (c.sort && !known.has(c.sort.replace(/^-/, ''))) {
    out.push({ path: 'sort', level: 'error', message: `unknown sort column \`${c.sort}\``, known: [...known] });
  }
  if (!/\.(xlsx|csv)$/i.test(c.output.file)) {
    out.push({ path: 'output.file', level: 'error', message: 'must end in .xlsx or .csv' });
  }
  return out;
}
