import { describe, expect, it } from 'vitest';
import { FieldCounter } from './fields.js';
import { prng as mulberry32 } from '../../emulator/seed.js';

describe('field counter', () => {
  it('counts fields as csv-parse splits them: quoted delimiters and line breaks are inside a field', () => {
    const wide = ','.repeat(16_383); // 16,384 fields: Excel's last column, allowed
    const c = new FieldCounter(',');
    expect(c.text(`a,"b,\n${','.repeat(20_000)}",c\r\n${wide}\n${wide}\r${wide}\n`)).toBe(true);
    expect(c.text(`${wide},`)).toBe(false);
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

/** The counter as it was, a byte at a time: the reference for the one that skips. */
class ByteByByte {
  quoted = false;
  fields = 1;
  line = 1;
  constructor(private readonly d: number, private readonly max: number) {}
  feed(codes: ArrayLike<number>): boolean {
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === 0x22) this.quoted = !this.quoted;
      else if (c === 0x0a) {
        this.line++;
        if (!this.quoted) this.fields = 1;
      } else if (this.quoted) continue;
      else if (c === this.d) {
        if (++this.fields > this.max) return false;
      } else if (c === 0x0d) this.fields = 1;
    }
    return true;
  }
}


describe('field counter against counting byte by byte', () => {
  const ALPHABET = ['"', '\n', '\r', '\r\n', ',', ',', ',,,,', ';', '\t', '|', 'a', 'bc', '中', ' '];
  for (const seed of [7, 424242]) {
    it(`agrees on 3000 random texts in random chunks (seed ${seed})`, () => {
      const r = mulberry32(seed);
      for (let i = 0; i < 3000; i++) {
        const delimiter = [',', ';', '\t', '|', '\r', '\n', '"', '||'][Math.floor(r() * 8)];
        const max = 1 + Math.floor(r() * 8);
        let text = '';
        for (let n = Math.floor(r() * 60); n > 0; n--) text += ALPHABET[Math.floor(r() * ALPHABET.length)];
        const chunks: string[] = [];
        for (let at = 0; at < text.length; ) {
          const size = 1 + Math.floor(r() * 15);
          chunks.push(text.slice(at, at + size));
          at += size;
        }
        const want = new ByteByByte(delimiter.charCodeAt(0), max);
        const got = new FieldCounter(delimiter, max);
        for (const chunk of chunks) {
          const w = want.feed(Array.from(chunk, (c) => c.charCodeAt(0)));
          const g = got.text(chunk);
          const state = (x: object) => JSON.stringify(x, ['quoted', 'fields', 'line']);
          expect([g, state(got)], `seed ${seed} case ${i} ${JSON.stringify({ delimiter, max, chunks })}`).toEqual([w, state(want)]);
          if (!w) break;
        }
      }
    });
  }
});
