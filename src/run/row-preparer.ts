/**
 * Turns a source row into validated field values: picks the mapped cells, applies the
 * transforms, validates each value against the field catalog and the record's required
 * fields, and names every problem with file, sheet, row, column header and letter.
 */
import type { FieldSpec } from '../catalog/index.js';
import { shorten, type RowProblem } from '../errors.js';
import { cellText, DIGEST_FLAGS, type Cell, type PreparedDigest, type SourceRow } from '../sources/types.js';
import { TRANSFORMS, validateRecord, validateValue, type ValidateOptions } from '../validate/index.js';
import type { MappedColumn, RowPreparerOptions } from './row-plan.js';

export type { RowPreparerOptions };

export interface PreparedRow {
  row: number;
  values: Record<string, string>;
  /** Mapped fields whose cell was blank. */
  blanks: string[];
  problems: RowProblem[];
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
    if (src.prepared) return this.fromDigest(src, src.prepared);
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

  /**
   * A valid row's values as the CSV parsing thread sends them (src/sources/csv/batch-codec.ts),
   * so that validation runs on that thread's spare time and the main thread only rebuilds them:
   * one flag a mapped field (DIGEST_FLAGS), and the values that are not the cell's text unchanged.
   * Undefined for a row with problems, which the main thread prepares again: problems are found
   * and reported by one path.
   */
  digest(src: SourceRow): PreparedDigest | undefined {
    const p = this.prepare(src);
    if (p.problems.length) return undefined;
    // Char codes, made a string once: 20-odd one-character concatenations a row cost as much as the rest.
    const flags: number[] = new Array(this.plan.length);
    const values: string[] = [];
    for (let i = 0; i < this.plan.length; i++) {
      const { col, field } = this.plan[i];
      const v = p.values[field.id];
      if (v === undefined) flags[i] = p.blanks.includes(field.id) ? DIGEST_FLAGS.removedBlank : DIGEST_FLAGS.removed;
      else if (col.index >= 0 && src.cells[col.index] === v) flags[i] = DIGEST_FLAGS.cell;
      else {
        flags[i] = DIGEST_FLAGS.value;
        values.push(v);
      }
    }
    return { flags: String.fromCharCode.apply(null, flags), values };
  }

  /** The PreparedRow `prepare` would make of the row, from its digest. */
  private fromDigest(src: SourceRow, d: PreparedDigest): PreparedRow {
    const out: string[] = new Array(this.plan.length);
    const blanks: string[] = [];
    let removed: string[] | undefined;
    let next = 0;
    for (let i = 0; i < this.plan.length; i++) {
      const { col, field } = this.plan[i];
      const flag = d.flags.charCodeAt(i);
      const v = flag === DIGEST_FLAGS.cell ? (src.cells[col.index] as string) : flag === DIGEST_FLAGS.value ? d.values[next++] : '';
      out[i] = v;
      if (v === '' && flag !== DIGEST_FLAGS.removed) blanks.push(field.id);
      if (flag === DIGEST_FLAGS.removed || flag === DIGEST_FLAGS.removedBlank) (removed ??= []).push(field.id);
    }
    const values = this.build(out);
    // Fields validateRecord removed (required only when another field has some value).
    if (removed) for (const id of removed) delete values[id];
    return { row: src.row, values, blanks, problems: [] };
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
