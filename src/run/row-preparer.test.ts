/**
 * A row validated on the CSV parsing thread (digest, packed by the batch codec) must come out of
 * the preparer exactly as one validated where it lands: the same values in the same order, the
 * same blanks, the same removed fields. Checked on random rows of contacts and of follow-ups
 * (whose schedule fields are removed or required by 日程类型).
 */
import { describe, expect, it } from 'vitest';
import { CONTACT_FIELDS, FOLLOWUP_FIELDS, type FieldSpec } from '../catalog/index.js';
import { prng } from '../emulator/seed.js';
import { packRow, unpackBatch } from '../sources/csv/batch-codec.js';
import type { SourceRow } from '../sources/types.js';
import { RowPreparer } from './row-preparer.js';
import type { MappedColumn, RowPreparerOptions } from './row-plan.js';

const SAMPLES: Record<string, string[]> = {
  any: ['', ' ', '张三', ' 李四 ', 'ＡＢＣ１２３', 'a＠b．com', '（备注）', 'x'.repeat(60), '13800138000', '＋86 138 0013 8000', '\u3000王五\u3000', '𠮷野家', 'M', '女士', '男', 'abc'],
  int: ['', '1', '２', '30', ' 40 ', '1,000', '200', '-1', 'abc', '3.0', '电话', '1'],
  datetime: ['', '1990-01-02', '1990/1/2', '1990年1月2日', '19900102', '2024-02-30', 'yesterday', '33000', '2020-05-06 08:30', '2020-05-06 08:30:00'],
};

/** Mostly values that pass, so that whole rows pass often enough. */
const VALID: Record<string, string[]> = {
  any: ['', '张三', ' 李四 ', 'ＡＢＣ１２３', '13800138000', '\u3000王五\u3000'],
  int: ['', '1', '２', ' 40 '],
  datetime: ['', '1990-01-02', '1990/1/2', '1990年1月2日', '2020-05-06 08:30'],
};

function samplesFor(f: FieldSpec, valid = false): string[] {
  if (valid) {
    const own = f.options ? ['', ...f.options.flatMap((o) => [o.label, o.value])] : f.type === 'int' || f.type === 'number' ? VALID.int : f.type === 'datetime' || f.type === 'date' ? VALID.datetime : VALID.any;
    return f.required && !f.requiredWhen ? own.filter(Boolean) : own;
  }
  const own = f.type === 'int' || f.type === 'number' ? SAMPLES.int : f.type === 'datetime' || f.type === 'date' ? SAMPLES.datetime : SAMPLES.any;
  return [...own, ...(f.options ?? []).flatMap((o) => [o.label, o.value]), ...SAMPLES.any.slice(0, 3)];
}

function plan(fields: FieldSpec[], constant: string): RowPreparerOptions {
  const mapped = fields.filter((f) => !f.key);
  const columns: MappedColumn[] = mapped.map((f, i) => ({ field: f.id, index: i, header: f.caption, letter: String.fromCharCode(65 + (i % 26)), transforms: [] }));
  // The last field from a constant, as a mapping can give it.
  columns[columns.length - 1] = { ...columns[columns.length - 1], index: -1, constant };
  return { file: 'in.csv', fields, columns, defaultTransforms: ['trim', 'halfwidth'], enums: {}, references: fields === CONTACT_FIELDS ? ['company'] : [] };
}

function check(fields: FieldSpec[], seed: number, rows: number): { digested: number; plain: number } {
  const rnd = prng(seed);
  const pick = <T,>(a: T[]) => a[Math.floor(rnd() * a.length)];
  const opts = plan(fields, pick(samplesFor(fields[fields.length - 1])));
  const here = new RowPreparer(opts);
  // The thread's preparer is a second one, made from the options as the thread receives them.
  const thread = new RowPreparer(structuredClone(opts));
  const counts = { digested: 0, plain: 0 };
  for (let r = 2; r < rows + 2; r++) {
    const cells = opts.columns.map((c) => (c.index < 0 ? '' : pick(samplesFor(fields.find((f) => f.id === c.field)!, rnd() < 0.97))));
    const src: SourceRow = { row: r, cells };
    const expected = here.prepare(src);
    const digest = thread.digest({ row: r, cells: [...cells] });
    if (expected.problems.length) {
      expect(digest).toBeUndefined();
      counts.plain++;
      continue;
    }
    expect(digest).toBeDefined();
    counts.digested++;
    const [received] = [...unpackBatch(packRow(r, cells, true, digest))];
    expect(received.cells).toEqual(cells);
    const got = here.prepare(received);
    expect(got).toEqual(expected);
    expect(Object.keys(got.values)).toEqual(Object.keys(expected.values));
  }
  return counts;
}

describe('RowPreparer digest', () => {
  it('rebuilds contacts exactly as validated where they land', () => {
    const n = check(CONTACT_FIELDS, 7, 3000);
    // Both kinds of row occur, or the test says nothing.
    expect(n.digested).toBeGreaterThan(100);
    expect(n.plain).toBeGreaterThan(100);
  });

  it('rebuilds follow-ups, whose schedule fields are removed by 日程类型, exactly', () => {
    const n = check(FOLLOWUP_FIELDS, 11, 20000);
    expect(n.digested).toBeGreaterThan(20);
  });

  it('sends a row plain when a value would hold the codec\'s separators', () => {
    const opts = plan(CONTACT_FIELDS, 'a\u0000b');
    const p = new RowPreparer(opts);
    const cells = opts.columns.map((c) => (c.field === 'company' || c.field === 'person_name' ? '张三' : ''));
    const digest = p.digest({ row: 2, cells });
    expect(digest?.values).toContain('a\u0000b');
    const [received] = [...unpackBatch(packRow(2, cells, false, digest))];
    expect(received.prepared).toBeUndefined();
    expect(received.cells).toEqual(cells);
  });
});
