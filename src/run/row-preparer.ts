/**
 * Turns a source row into validated field values: picks the mapped cells, applies the
 * transforms, validates each value against the field catalog and the record's required
 * fields, and names every problem with file, sheet, row, column header and letter.
 */
import type { FieldSpec } from '../catalog/index.js';
import { shorten, type RowProblem } from '../errors.js';
import { cellText, type Cell, type SourceRow } from '../sources/types.js';
import { TRANSFORMS, validateRecord, validateValue, type ValidateOptions } from '../validate/index.js';
import type { MappedColumn } from './header-map.js';

export interface PreparedRow {
  row: number;
  values: Record<string, string>;
  /** Mapped fields whose cell was blank. */
  blanks: string[];
  problems: RowProblem[];
}

export interface RowPreparerOptions {
  file: string;
  sheet?: string;
  fields: FieldSpec[];
  columns: MappedColumn[];
  /** Transforms applied to every mapped text cell first. */
  defaultTransforms: string[];
  /** Per field: label → id overrides. */
  enums: Record<string, Record<string, string>>;
  /**
   * Fields whose column names a record to look up (the company by name or number): the cell is
   * text to resolve, not yet the field's value, so it is only checked for presence here.
   */
  references?: string[];
}

type TextFn = (s: string) => string;

export class RowPreparer {
  private readonly plan: Array<{ col: MappedColumn; field: FieldSpec; fns: TextFn[]; validate: ValidateOptions }>;

  /**
   * Builds a row's values object from the plan's values in order. An object literal of fixed
   * keys gets one hidden class at once; adding two dozen computed keys one by one goes through
   * V8's slow path for every cell, and this runs for every row.
   */
  private readonly build: (v: string[]) => Record<string, string>;

  constructor(private readonly opts: RowPreparerOptions) {
    const byId = new Map(opts.fields.map((f) => [f.id, f]));
    this.plan = opts.columns.map((col) => {
      const spec = byId.get(col.field);
      if (!spec) throw new Error(`catalog has no field ${col.field}`);
      const field: FieldSpec = opts.references?.includes(spec.id) ? { ...spec, type: 'string', maxLength: undefined, options: undefined } : spec;
      const names = [...opts.defaultTransforms, ...col.transforms];
      return { col, field, fns: names.map((n) => TRANSFORMS[n].fn), validate: { enumOverrides: opts.enums[spec.id] } };
    });
    // Field ids come from the catalog; JSON.stringify quotes them safely as property names.
    const body = this.plan.map((p, i) => `${JSON.stringify(p.field.id)}: v[${i}]`).join(', ');
    this.build = new Function('v', `return { ${body} };`) as (v: string[]) => Record<string, string>;
  }

  prepare(src: SourceRow): PreparedRow {
    const out: string[] = new Array(this.plan.length);
    const blanks: string[] = [];
    // What the reader found (NUL bytes in a cell) rejects the row with the rest.
    const problems: RowProblem[] = src.problems ? [...src.problems] : [];
    for (let i = 0; i < this.plan.length; i++) {
      const { col, field, fns, validate } = this.plan[i];
      let cell: Cell = col.index < 0 ? col.constant : src.cells[col.index];
      if (typeof cell === 'string' && cell !== '') for (const fn of fns) cell = fn(cell);
      const r = validateValue(field, cell, validate);
      if (r.ok) {
        out[i] = r.value;
        if (r.value === '') blanks.push(field.id);
      } else {
        problems.push(this.problem(src.row, col, field.id, cellText(src.cells[col.index]), r.code, r.message));
      }
    }
    const values = this.build(out);
    if (!problems.length) {
      for (const p of validateRecord(this.opts.fields, values)) {
        const col = this.opts.columns.find((c) => c.field === p.field);
        problems.push(this.problem(src.row, col, p.field, '', p.code, p.message));
      }
    }
    return { row: src.row, values, blanks, problems };
  }

  problem(row: number, col: MappedColumn | undefined, field: string, value: string, code: RowProblem['code'], message: RowProblem['message']): RowProblem {
    return {
      code,
      file: this.opts.file,
      sheet: this.opts.sheet,
      row,
      column: col && col.index >= 0 ? col.header : undefined,
      columnLetter: col?.letter || undefined,
      field,
      value: value ? shorten(value) : undefined,
      message,
    };
  }
}
