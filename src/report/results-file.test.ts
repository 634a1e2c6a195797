import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { prng } from '../emulator/seed.js';
import { scrub } from '../erp/scrub.js';
import { RESULTS_HEADER, ResultsFile, resultLine, type RowOutcome } from './results-file.js';

describe('results file', () => {
  it('one CSV line per row, reasons quoted by csv-stringify, UTF-8 with BOM and CRLF', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'results-')), 'results.csv');
    const r = new ResultsFile(file);
    for (let i = 0; i < 1000; i++) r.add({ row: i + 2, outcome: i % 2 ? 'created' : 'rejected', ord: i % 2 ? String(9000 + i) : undefined, code: i % 2 ? undefined : 'BAD_DATE', reason: i % 2 ? undefined : `生日“1990-02-30”不是有效日期, "引号"\n第二行 ${i}` });
    expect(r.close()).toBe(file);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    const text = bytes.toString('utf8');
    expect(text).toMatch(/^\uFEFF行号 row,结果 outcome,ord,代码 code,原因 reason,匹配键 key\r\n2,rejected,,BAD_DATE,"生日/);
    const rows = parse(text, { bom: true }) as string[][];
    expect(rows[0]).toEqual(RESULTS_HEADER);
    expect(rows).toHaveLength(1001);
    expect(rows[1]).toEqual(['2', 'rejected', '', 'BAD_DATE', '生日“1990-02-30”不是有效日期, "引号"\n第二行 0', '']);
    expect(rows[1000]).toEqual(['1001', 'created', '9999', '', '', '']);
  });

  it('joins plain lines by hand exactly as csv-stringify formats them, and leaves the others to it', () => {
    const rnd = prng(3);
    const alphabet = ['a', '1', ' ', ',', '"', '\r', '\n', '\r\n', '生', '“', '=', '-', '\t', '；', '𠮷', "'"];
    const text = () => Array.from({ length: Math.floor(rnd() * 6) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    const outcomes: RowOutcome[] = ['created', 'updated', 'rejected', 'failed', 'skipped'];
    let quoted = 0;
    for (let i = 0; i < 5000; i++) {
      const r = { row: i + 2, outcome: outcomes[i % outcomes.length], ord: rnd() < 0.5 ? text() : undefined, code: rnd() < 0.5 ? text() : undefined, reason: rnd() < 0.5 ? text() : undefined, key: rnd() < 0.5 ? text() : undefined };
      const expected = stringify([[String(r.row), r.outcome, r.ord ?? '', r.code ?? '', r.reason ? scrub(r.reason) : '', r.key ?? '']], { record_delimiter: 'windows' });
      expect(resultLine(r)).toBe(expected);
      if (expected.includes('"')) quoted++;
    }
    expect(quoted).toBeGreaterThan(1000);
  });
});
