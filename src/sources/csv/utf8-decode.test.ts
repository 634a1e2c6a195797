import { describe, expect, it } from 'vitest';
import { Utf8Decode } from './csv-stream.js';
import { FieldCounter } from './fields.js';
import { Utf8Validator } from './utf8.js';
import { prng as mulberry32 } from '../../emulator/seed.js';

/**
 * The UTF-8 decoder (TextDecoder, fatal) against what it replaced: Utf8Validator on the bytes, which
 * then went on to csv-parse undecoded. Same text, same error (byte and line), same lines passed on
 * before undecodable bytes.
 */

const countLines = (b: Buffer) => b.reduce((n, c) => n + (c === 10 ? 1 : 0), 0);

function wholeLines(chunk: Buffer, end: number): Buffer {
  const nl = chunk.lastIndexOf(10, Math.max(0, end - 1));
  return nl < 0 || nl >= end ? Buffer.alloc(0) : chunk.subarray(0, nl + 1);
}

function reference(chunks: Buffer[]): { text: string; error?: string } {
  const v = new Utf8Validator();
  const out: Buffer[] = [];
  let pos = 0;
  let line = 1;
  for (const c of chunks) {
    const bad = v.push(c, pos);
    if (bad !== -1) {
      out.push(wholeLines(c, bad - pos));
      return { text: Buffer.concat(out).toString('utf8'), error: `byte ${bad}, line ${line + countLines(c.subarray(0, Math.max(0, bad - pos)))}` };
    }
    out.push(c);
    pos += c.length;
    line += countLines(c);
  }
  const pending = v.pending();
  // An unfinished sequence at the end fails the file; the record it is in never reaches anyone.
  if (pending) return { text: Buffer.concat(out).subarray(0, pos - pending).toString('utf8'), error: `byte ${pos - pending}, line ${line}` };
  return { text: Buffer.concat(out).toString('utf8') };
}

function decode(chunks: Buffer[]): { text: string; error?: string } {
  const d = new Utf8Decode('f.csv', 0, new FieldCounter(','));
  let text = '';
  let error: Error | undefined;
  const cb = (e?: Error | null, out?: string) => {
    if (e) error = e;
    if (out !== undefined) text += out;
  };
  for (const c of chunks) {
    d._transform(c, 'binary', cb);
    if (d.failure) break;
  }
  if (!d.failure) d._flush(cb);
  const e = d.failure ?? error;
  const where = e && /\(byte (\d+)\)/.exec(e.message);
  const line = e && /near line (\d+)/.exec(e.message);
  return e ? { text, error: `byte ${where?.[1]}, line ${line?.[1]}` } : { text };
}


const GOOD = ['a', 'bc', ',', '\n', '\r\n', '中', '文字', '𠮷', 'é', '\uFEFF', '\u0000', '\uFFFD'].map((s) => Buffer.from(s));
const BAD = [[0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf5], [0xe4, 0xb8], [0xf0, 0x9f], [0xff], [0xe0, 0x80, 0x80], [0xc2]].map((b) => Buffer.from(b));

describe('UTF-8 decoder', () => {
  for (const seed of [3, 99001]) {
    it(`agrees with checking by Utf8Validator on 4000 random byte strings in random chunks (seed ${seed})`, () => {
      const r = mulberry32(seed);
      let failures = 0;
      for (let i = 0; i < 4000; i++) {
        const parts: Buffer[] = [];
        const bad = r() < 0.6;
        for (let n = Math.floor(r() * 30); n > 0; n--) parts.push(bad && r() < 0.08 ? BAD[Math.floor(r() * BAD.length)] : GOOD[Math.floor(r() * GOOD.length)]);
        const bytes = Buffer.concat(parts);
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length; ) {
          const size = 1 + Math.floor(r() * (r() < 0.5 ? 4 : 40));
          chunks.push(bytes.subarray(at, at + size));
          at += size;
        }
        const want = reference(chunks);
        if (want.error) failures++;
        expect(decode(chunks), `seed ${seed} case ${i}: ${bytes.toString('hex')} in ${chunks.map((c) => c.length)}`).toEqual(want);
      }
      expect(failures).toBeGreaterThan(400);
    });
  }
});
