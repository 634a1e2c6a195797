import { describe, expect, it } from 'vitest';
import { FieldCounter } from './fields.js';

describe('field counter', () => {
  it('counts fields as csv-parse splits them: quoted delimiters and line breaks are inside a field', () => {
    const wide = ','.repeat(16_383); // 16,384 fields: Excel's last column, allowed
    const c = new FieldCounter(',');
    expect(c.bytes(Buffer.from(`a,"b,\n${','.repeat(20_000)}",c\r\n${wide}\n${wide}\r${wide}\n`))).toBe(true);
    expect(c.bytes(Buffer.from(`${wide},`))).toBe(false);
    expect(c.line).toBe(5);
  });

  it('carries quotes and counts across chunks, for decoded text too', () => {
    const c = new FieldCounter('\t');
    expect(c.text('"a\t')).toBe(true);
    expect(c.text(`${'\t'.repeat(20_000)}"\tb\n`)).toBe(true);
    expect(c.text('\t'.repeat(10_000))).toBe(true);
    expect(c.text('\t'.repeat(10_000))).toBe(false);
  });
});
