/**
 * One list's column map: logical key ↔ the column id this installation sends. Rows are read by
 * id, never by position, and their values are canonicalised by the field's type (numbers without
 * thousands separators, dates as `YYYY-MM-DD[ HH:mm:ss]`), so every installation's rows look the
 * same to the rest of zbport.
 *
 * `check` is the "never guess silently" gate: a column zbport relies on must be mapped and must
 * be among the columns the ERP really returned, or the run stops before writing.
 */
import { LIST_FIELDS, LIST_TITLES, listField, type ListColumn, type ListName } from '../catalog/index.js';
import { ConfigError, shorten } from '../errors.js';
import { canonicalDate } from '../validate/dates.js';

export interface RawTable {
  cols: Array<{ id: string; dbtype: string }>;
  rows: string[][];
}

/** A column zbport relies on, with the alternatives that would do as well. */
export interface ColumnNeed {
  /** Logical keys, any one of which is enough (the customer: `company` ord or `customer_name`). */
  anyOf: string[];
  /** Why it is needed, for the message (读回核对, 匹配键…). */
  why: string;
}

/** The columns a command relies on, per list. */
export type ListNeeds = Partial<Record<ListName, ColumnNeed[]>>;

export interface ColumnProblem {
  list: ListName;
  need: ColumnNeed;
  /** mapped: the profile names a column the ERP did not return; unmapped: the profile names none. */
  kind: 'unmapped' | 'absent';
  /** The ids the profile names for the keys, when it names any. */
  ids: string[];
}

const NUMBERISH = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;

export class ListLayout {
  private readonly byKey = new Map<string, string>();
  private readonly byId = new Map<string, string>();

  constructor(
    readonly list: ListName,
    /** Logical key → column id; null or missing: not shown. */
    columns: Record<string, string | null>,
    /** Where this map came from, for messages (`installations/erp.yaml`, `zbport 内置默认`). */
    readonly origin: string,
  ) {
    for (const [key, id] of Object.entries(columns)) {
      if (!id) continue;
      this.byKey.set(key, id);
      this.byId.set(id, key);
    }
  }

  /** The built-in guess (the emulator's default dialect). */
  static fromColumns(list: ListName, columns: ListColumn[], origin: string): ListLayout {
    return new ListLayout(list, Object.fromEntries(columns.filter((c) => c.field).map((c) => [c.field!, c.id])), origin);
  }

  idOf(key: string): string | undefined {
    return this.byKey.get(key);
  }

  keyOf(id: string): string | undefined {
    return this.byId.get(id);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Mapped keys, in the catalog's order of the list's fields. */
  keys(): string[] {
    return LIST_FIELDS[this.list].map((f) => f.key).filter((k) => this.byKey.has(k));
  }

  /** The map as written in a profile. */
  toColumns(): Record<string, string> {
    return Object.fromEntries(this.keys().map((k) => [k, this.byKey.get(k)!]));
  }

  /** A copy with some keys re-pointed (a pipeline's `lists:` or an export's `columnMap`). */
  with(overrides: Record<string, string | null>, origin: string): ListLayout {
    const merged: Record<string, string | null> = Object.fromEntries(this.byKey);
    for (const [key, id] of Object.entries(overrides)) {
      // One column carries one field: re-pointing a column takes it from the key that had it.
      if (id) for (const [k, v] of Object.entries(merged)) if (v === id) merged[k] = null;
      merged[key] = id;
    }
    return new ListLayout(this.list, merged, origin);
  }

  /** A sort column by logical key (`ord`, `-date1`) → `_rpt_sort` by this installation's id. */
  sortId(sort: string): string | undefined {
    const desc = sort.startsWith('-');
    const id = this.idOf(sort.replace(/^-/, ''));
    return id === undefined ? undefined : `${desc ? '-' : ''}${id}`;
  }

  /**
   * Rows keyed by logical key. A column of another id is left out: keeping it under its own id
   * would let `name` (the contact's name in one installation) pass for another field.
   */
  rows(table: RawTable): Array<Record<string, string>> {
    const plan: Array<{ i: number; key: string; kind: 'number' | 'date' | 'text' }> = [];
    table.cols.forEach((c, i) => {
      const key = this.byId.get(c.id);
      if (key === undefined) return;
      const t = listField(this.list, key)?.type;
      plan.push({ i, key, kind: t === 'int' || t === 'number' ? 'number' : t === 'date' || t === 'datetime' ? 'date' : 'text' });
    });
    return table.rows.map((cells) => {
      const r: Record<string, string> = {};
      for (const p of plan) {
        const v = cells[p.i] ?? '';
        r[p.key] = v === '' || p.kind === 'text' ? v : p.kind === 'number' ? (NUMBERISH.test(v.trim()) ? v.trim().replace(/,/g, '') : v.trim()) : canonicalDate(v.trim());
      }
      return r;
    });
  }

  /** What is wrong with the map for these needs, given the columns the ERP returned (none: not known yet). */
  check(cols: RawTable['cols'] | undefined, needs: ColumnNeed[]): ColumnProblem[] {
    const returned = cols?.length ? new Set(cols.map((c) => c.id)) : undefined;
    const out: ColumnProblem[] = [];
    for (const need of needs) {
      const ids = need.anyOf.map((k) => this.byKey.get(k)).filter((x): x is string => !!x);
      if (!ids.length) out.push({ list: this.list, need, kind: 'unmapped', ids });
      else if (returned && !ids.some((id) => returned.has(id))) out.push({ list: this.list, need, kind: 'absent', ids });
    }
    return out;
  }

  /** Which of the alternatives of a need this installation can serve (mapped and returned). */
  usable(cols: RawTable['cols'] | undefined, anyOf: string[]): string | undefined {
    const returned = cols?.length ? new Set(cols.map((c) => c.id)) : undefined;
    return anyOf.find((k) => {
      const id = this.byKey.get(k);
      return id !== undefined && (!returned || returned.has(id));
    });
  }
}

/** The setting a person edits to fix a column: `lists.contact.columns.person_name`. */
export function columnSetting(list: ListName, key: string): string {
  return `lists.${list}.columns.${key}`;
}

/** A caption for a logical key: `联系人姓名 (person_name)`. */
export function keyLabel(list: ListName, key: string): string {
  const f = listField(list, key);
  return f ? `${f.caption} (${key})` : key;
}

/** The columns the ERP returned with a sample value each, for messages: `xm=张三, sj=13800138000`. */
export function describeColumns(table: RawTable | undefined, max = 40): string[] {
  if (!table?.cols.length) return ['（ERP 没有返回任何列：列表为空）/ the ERP returned no columns (empty list)'];
  const sample = table.rows.find((r) => r.some((v) => v)) ?? [];
  return table.cols.slice(0, max).map((c, i) => `${c.id} (${c.dbtype})${sample[i] ? ` = ${shorten(sample[i], 30)}` : ''}`);
}

/** One line per problem, Chinese first, naming the field, why, and the setting to fix. */
export function describeProblem(p: ColumnProblem, profileFile: string | undefined): string {
  const fields = p.need.anyOf.map((k) => keyLabel(p.list, k)).join(' 或 / or ');
  const setting = p.need.anyOf.map((k) => `\`${columnSetting(p.list, k)}\``).join(' / ');
  const where = profileFile ? `${profileFile} 中的 ${setting}` : `安装配置 (installation profile) 的 ${setting}`;
  return p.kind === 'unmapped'
    ? `${LIST_TITLES[p.list]}：不知道哪一列是 ${fields}（${p.need.why}）；请运行 \`zbport doctor\` 或在 ${where} 填写列名 / no column is mapped to ${fields} (needed for: ${p.need.why}); run \`zbport doctor\` or set ${setting}`
    : `${LIST_TITLES[p.list]}：配置的列 ${p.ids.map((i) => `\`${i}\``).join('、')}（${fields}）不在 ERP 返回的列中（${p.need.why}）；请检查 ${where} / the mapped column ${p.ids.join(', ')} for ${fields} is not among the columns the ERP returned (needed for: ${p.need.why}); fix ${setting}`;
}

/**
 * The ERP's list does not show a column zbport relies on (or the profile does not say which one
 * it is). Never a reason to guess or to save again: the run stops, listing what the ERP returned.
 */
export class ColumnMapError extends ConfigError {
  override name = 'ColumnMapError';
  constructor(
    readonly problems: ColumnProblem[],
    readonly table: RawTable | undefined,
    readonly profile: string | undefined,
  ) {
    super(
      `ERP 列表的列与安装配置不符 / the ERP's list columns do not fit the installation profile (${profile ?? 'built-in default'})`,
      [
        ...problems.map((p) => describeProblem(p, profile)),
        `ERP 返回的列 / columns the ERP returned (${problems[0] ? LIST_TITLES[problems[0].list] : ''}):`,
        ...describeColumns(table).map((c) => `  ${c}`),
      ],
    );
  }
}
