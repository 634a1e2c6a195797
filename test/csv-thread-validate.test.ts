/**
 * Rows validated on the CSV parsing thread (reader.validateWith) arrive with their digest, and
 * the preparer makes of them exactly what it makes of the same cells validated on the main
 * thread; rows with problems arrive plain and are found bad where they land.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { CONTACT_FIELDS } from '../src/catalog/index.js';
import { openCsv } from '../src/sources/csv/index.js';
import { RowPreparer } from '../src/run/row-preparer.js';
import type { RowPreparerOptions } from '../src/run/row-plan.js';
import { tempDir } from './helpers/files.js';

const HEADERS = ['客户名称', '联系人姓名', '性别', '年龄', '生日', '手机', '电子邮件', '备注'];
const FIELDS = ['company', 'person_name', 'sex', 'age', 'year1', 'mobile', 'email', 'intro'];

describe('validation on the CSV parsing thread', () => {
  it('gives the rows the main thread would make, and leaves bad rows to it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'in.csv');
    const lines = [HEADERS.join(',')];
    for (let i = 0; i < 3000; i++) {
      lines.push([
        `客户${i % 7}`, i % 97 === 0 ? '' : ` 张${i} `, ['男', '女士', 'M', '', '未知'][i % 5], i % 89 === 0 ? '两百' : String(i % 120),
        ['1990/1/2', '1990年1月2日', '', '19900102', '2024-02-30'][i % 5], `１３９${String(i).padStart(8, '0')}`, `u${i}＠example．com`, `第${i}行`,
      ].join(','));
    }
    writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    const options: RowPreparerOptions = {
      file, fields: CONTACT_FIELDS, defaultTransforms: ['trim', 'halfwidth'], enums: {}, references: ['company'],
      columns: FIELDS.map((field, index) => ({ field, index, header: HEADERS[index], letter: String.fromCharCode(65 + index), transforms: field === 'sex' ? ['sex'] : [] })),
    };
    const reader = await openCsv({ file, threadMinBytes: 0 });
    expect(reader.validateWith).toBeDefined();
    reader.validateWith!(options);
    const preparer = new RowPreparer(options);
    let digested = 0;
    let bad = 0;
    try {
      for await (const row of reader.rows) {
        const got = preparer.prepare(row);
        const expected = preparer.prepare({ row: row.row, cells: row.cells });
        expect(got).toEqual(expected);
        expect(Object.keys(got.values)).toEqual(Object.keys(expected.values));
        if (row.prepared) digested++;
        if (expected.problems.length) {
          bad++;
          expect(row.prepared).toBeUndefined();
        }
      }
    } finally {
      await reader.close();
    }
    // The thread validates all it sends at first, then a share that follows which thread waits
    // for the other (parse-thread.ts): here the main thread keeps up, so the share falls.
    expect(bad).toBeGreaterThan(600);
    expect(digested).toBeGreaterThan((3000 - bad) / 2);
  });
});
