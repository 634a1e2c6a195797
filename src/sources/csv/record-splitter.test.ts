import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Parser } from 'csv-parse';
import { RecordSplitter } from './record-splitter.js';
import { prng as mulberry32 } from '../../emulator/seed.js';

/**
 * The splitter against csv-parse itself: csv-parse given the whole text at once, with the options
 * csv-stream.ts used and its own record-delimiter discovery, is the reference; the splitter gets
 * the same text cut into random chunks. Records, the error code, its line and its message must
 * be the same, and so must the records before an error.
 */

interface Outcome {
  records: string[][];
  error?: { code?: string; lines?: number; message: string };
}

interface Case {
  text: string;
  delimiter: string;
  maxRecordSize: number;
  handOverChars?: number;
}

const optionsOf = (c: Case) => ({ delimiter: c.delimiter, relax_column_count: true, skip_empty_lines: false, max_record_size: c.maxRecordSize, bom: false });

const errorOf = (e: unknown) => {
  const x = e as { code?: string; lines?: number; message: string };
  return { code: x.code, lines: x.lines, message: x.message };
};

/** csv-parse's core, as its stream drives it, over the whole text in one call: the records before an error too. */
function reference(c: Case): Outcome {
  const records: string[][] = [];
  const api = (new Parser(optionsOf(c)) as unknown as { api: { parse(b: Buffer | undefined, end: boolean, push: (r: string[]) => void, close: () => void): Error | undefined } }).api;
  const err = api.parse(Buffer.from(c.text), true, (r) => records.push(r), () => undefined);
  return err ? { records, error: errorOf(err) } : { records };
}

/** Every record the splitter pushes, chunk by chunk, as the stream machinery would call it. */
function split(c: Case, chunks: string[]): Outcome {
  const records: string[][] = [];
  const s = new RecordSplitter({ delimiter: c.delimiter, maxRecordSize: c.maxRecordSize, handOverChars: c.handOverChars });
  s.push = (r: unknown) => {
    if (r !== null) records.push(r as string[]);
    return true;
  };
  let error: unknown;
  const done = (e?: Error | null) => {
    if (e) error = e;
  };
  for (const chunk of chunks) {
    (s as unknown as { _transform(c: string, e: string, cb: typeof done): void })._transform(chunk, 'utf8', done);
    if (error) return { records, error: errorOf(error) };
  }
  (s as unknown as { _flush(cb: typeof done): void })._flush(done);
  return error ? { records, error: errorOf(error) } : { records };
}


const DELIMITERS = [',', ',', ',', ';', '\t', '|', '||', '::', '，', ' '];
const SOUP = ['"', '"', '"', '""', ',', ',', ';', '\t', '\r', '\n', '\r\n', '\r\n', ' ', 'a', 'b', 'xy', '中', '文字', '\u0000', '𠮷', '|', '||', ':', '，'];
const WORDS = ['', 'a', 'bc', '张三', '13800138000', ' ', ' x ', '\u0000', '中文,', 'x\ty', '𠮷野家', 'a:b', '，'];
const INNER = ['a', '中', '""', '""', ',', ';', '\t', '\r\n', '\n', '\r', ' ', '\u0000', '|', '::', '𠮷'];
const MALFORMED = ['a"b', '"a"b', '"abc', '"a" ', 'x"', '"a""', '"', '" "x', '"a"\u0000b', '""a'];
const ENDINGS = ['\n', '\r\n', '\r'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function genCase(r: () => number): Case {
  const delimiter = pick(r, DELIMITERS);
  let text = '';
  if (r() < 0.35) {
    // Anything at all, quote-heavy.
    const n = Math.floor(r() * 40);
    for (let i = 0; i < n; i++) text += r() < 0.15 ? delimiter : pick(r, SOUP);
  } else {
    // Rows of fields, mostly well formed, some malformed, line endings set per file or mixed.
    const ending = pick(r, ENDINGS);
    const mixed = r() < 0.2;
    const rows = Math.floor(r() * 7);
    for (let i = 0; i < rows; i++) {
      const fields: string[] = [];
      const width = r() < 0.15 ? 0 : 1 + Math.floor(r() * 5);
      for (let j = 0; j < width; j++) {
        const k = r();
        if (k < 0.45) fields.push(pick(r, WORDS));
        else if (k < 0.92) {
          let inner = '';
          const m = Math.floor(r() * 5);
          for (let x = 0; x < m; x++) inner += r() < 0.2 ? delimiter : pick(r, INNER);
          fields.push(`"${inner}"`);
        } else fields.push(pick(r, MALFORMED));
      }
      text += fields.join(delimiter);
      if (i < rows - 1 || r() < 0.6) text += mixed ? pick(r, ENDINGS) : ending;
    }
  }
  const small = r();
  const maxRecordSize = small < 0.15 ? 1 + Math.floor(r() * 24) : 32 * 1024 * 1024;
  const handOverChars = r() < 0.15 ? Math.floor(r() * 30) : undefined;
  return { text, delimiter, maxRecordSize, handOverChars };
}

function chunksOf(r: () => number, text: string): string[] {
  const chunks: string[] = [];
  const style = r();
  for (let i = 0; i < text.length;) {
    const size = style < 0.2 ? 1 : style < 0.4 ? text.length : 1 + Math.floor(r() * 12);
    let end = Math.min(text.length, i + size);
    // The decoders never cut a surrogate pair.
    if (end < text.length && text.charCodeAt(end - 1) >= 0xd800 && text.charCodeAt(end - 1) <= 0xdbff) end++;
    chunks.push(text.slice(i, end));
    i = end;
  }
  if (r() < 0.1) chunks.splice(Math.floor(r() * (chunks.length + 1)), 0, '');
  return chunks;
}

const SEEDS = [1, 20240601, 0xc5f, 777];
const CASES_PER_SEED = 5000;

describe('record splitter against csv-parse', () => {
  for (const seed of SEEDS) {
    it(`agrees on ${CASES_PER_SEED} random texts (seed ${seed})`, () => {
      const r = mulberry32(seed);
      let errors = 0;
      const codes = new Set<string | undefined>();
      for (let i = 0; i < CASES_PER_SEED; i++) {
        const c = genCase(r);
        const chunks = chunksOf(r, c.text);
        const want = reference(c);
        const got = split(c, chunks);
        if (want.error) errors++;
        codes.add(want.error?.code);
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          const info = { seed, case: i, ...c, chunks };
          expect(got, `seed ${seed} case ${i}: ${JSON.stringify(info)}`).toEqual(want);
        }
      }
      // The texts must exercise errors as well as records.
      expect(errors).toBeGreaterThan(CASES_PER_SEED / 20);
      expect(errors).toBeLessThan(CASES_PER_SEED * 0.9);
      expect([...codes].sort()).toEqual(['CSV_INVALID_CLOSING_QUOTE', 'CSV_MAX_RECORD_SIZE', 'CSV_QUOTE_NOT_CLOSED', 'INVALID_OPENING_QUOTE', undefined]);
    });
  }
});

describe('record splitter', () => {
  const whole = (text: string, delimiter = ',', more: Partial<Case> = {}) => {
    const c = { text, delimiter, maxRecordSize: 32 * 1024 * 1024, ...more };
    const want = reference(c);
    for (const chunks of [[text], [...text], text.match(/[^]{1,3}/g) ?? []]) expect(split(c, chunks)).toEqual(want);
    return want;
  };

  it('matches csv-parse on the edges of a file', () => {
    expect(whole('').records).toEqual([]);
    expect(whole('姓名,手机\r\n').records).toEqual([['姓名', '手机']]);
    expect(whole('a,b').records).toEqual([['a', 'b']]);
    expect(whole('a,b\n\n').records).toEqual([['a', 'b'], ['']]);
    expect(whole('a,b,\n,\n').records).toEqual([['a', 'b', ''], ['', '']]);
    expect(whole('a\r\n\r\nb\r\n').records).toEqual([['a'], [''], ['b']]);
    expect(whole('a\r\nb\rc\nd\r').records).toEqual([['a'], ['b\rc\nd\r']]);
    expect(whole('a\rb\r\nc').records).toEqual([['a'], ['b'], ['\nc']]);
    expect(whole('"a\r\nb",c\r\n"d""e",\r\n').records).toEqual([['a\r\nb', 'c'], ['d"e', '']]);
    expect(whole('\r').records).toEqual([['']]);
    expect(whole('"only quoted, no line break"').records).toEqual([['only quoted, no line break']]);
  });

  it('matches csv-parse on a wide row and a delimiter of more than one character', () => {
    const cols = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? `"c,${i}"` : `c${i}`));
    expect(whole(`${cols.join(',')}\n${cols.join(',')}\n`).records[1]).toHaveLength(200);
    expect(whole('a||b|c||\r\n"x||y"||z\r\n', '||').records).toEqual([['a', 'b|c', ''], ['x||y', 'z']]);
    expect(whole('a;;;b\n', ';;').records).toEqual([['a', ';b']]);
  });

  it('raises csv-parse\'s errors with the file\'s line', () => {
    const rows = Array.from({ length: 100 }, (_, i) => `r${i},"x\r\ny"`).join('\r\n');
    expect(whole(`${rows}\r\nbad"quote,1\r\nnext\r\n`).error).toMatchObject({ code: 'INVALID_OPENING_QUOTE', lines: 301 });
    expect(whole(`${rows}\r\n"closed" late,1\r\n`).error).toMatchObject({ code: 'CSV_INVALID_CLOSING_QUOTE', lines: 301 });
    const open = whole(`${rows}\r\n"never closed\r\nmore\r\n`).error;
    // csv-parse counts the CR and the LF of a CRLF inside quotes as a line each.
    expect(open).toMatchObject({ code: 'CSV_QUOTE_NOT_CLOSED', lines: 304 });
    expect(open?.message).toContain('at line 304');
  });

  it('raises max_record_size as csv-parse does, on lines with and without quotes, and on a record that never ends', () => {
    const limit = { maxRecordSize: 10 };
    expect(whole('a,b\n0123456789,abc\n', ',', limit).error).toMatchObject({ code: 'CSV_MAX_RECORD_SIZE', lines: 2 });
    // Delimiters are not counted; the field being read is, in UTF-8 bytes.
    expect(whole('a,b\n,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n中文\n', ',', limit).records).toHaveLength(3);
    expect(whole('a\n中文中文\n', ',', limit).error).toMatchObject({ code: 'CSV_MAX_RECORD_SIZE', lines: 2 });
    expect(whole('a\n"0123456789abc\n', ',', { ...limit, handOverChars: 4 }).error).toMatchObject({ code: 'CSV_MAX_RECORD_SIZE', lines: 2 });
    expect(whole('a\n"0123\n', ',', { ...limit, handOverChars: 4 }).error).toMatchObject({ code: 'CSV_QUOTE_NOT_CLOSED', lines: 2 });
  });

  it('hands a record longer than its limit, and the rest, to csv-parse', () => {
    const text = 'h1,h2\n"long\nfield",x\nafter,1\n"more",2\n';
    const c = { text, delimiter: ',', maxRecordSize: 0, handOverChars: 8 };
    expect(split(c, [...text])).toEqual(reference(c));
    expect(split(c, [...text]).records).toEqual([['h1', 'h2'], ['long\nfield', 'x'], ['after', '1'], ['more', '2']]);
  });

  it('fails at construction on options csv-parse refuses, as csv-parse did', () => {
    expect(() => new RecordSplitter({ delimiter: '', maxRecordSize: 10 })).toThrow(/delimiter/);
  });
});

describe('record splitter as a stream', () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 1 ? `${i},"q${i}\n"` : `${i},plain`)).join('\r\n') + '\r\n';

  it('keeps backpressure: records are pulled, and the writer waits', async () => {
    const s = new RecordSplitter({ delimiter: ',', maxRecordSize: 1000 });
    const text = lines(5000);
    let written = 0;
    for (let i = 0; i < text.length; i += 1000) {
      if (!s.write(text.slice(i, i + 1000))) break;
      written++;
    }
    // Nobody reads: the writable side refuses more long before the text is in.
    expect(written).toBeLessThan(text.length / 1000);
    const got: string[][] = [];
    const reader = (async () => {
      for await (const r of s) got.push(r as string[]);
    })();
    for (let i = (written + 1) * 1000; i < text.length; i += 1000) {
      if (!s.write(text.slice(i, i + 1000))) await new Promise((r) => s.once('drain', r));
    }
    s.end();
    await reader;
    expect(got).toHaveLength(5000);
    expect(got[4998]).toEqual(['4998', 'plain']);
    expect(got[4]).toEqual(['4', 'q4\n']);
  });

  it('delivers records to a synchronous reader and stops when destroyed', async () => {
    const s = new RecordSplitter({ delimiter: ',', maxRecordSize: 1000 });
    const source = Readable.from([lines(3000)], { objectMode: false });
    source.pipe(s);
    let n = 0;
    await new Promise<void>((resolve) => {
      s.on('readable', () => {
        for (let r = s.read(); r !== null; r = s.read()) if (++n === 100) return s.destroy(), resolve();
      });
    });
    expect(n).toBe(100);
    expect(s.destroyed).toBe(true);
  });

  it('ends with an error after the records before it', async () => {
    const s = new RecordSplitter({ delimiter: ',', maxRecordSize: 1000 });
    const got: string[][] = [];
    const err = await pipeline(
      Readable.from(['a,b\r\n1,2\r\n3,"x" y\r\n4,5\r\n']),
      s,
      new Writable({ objectMode: true, write: (r, _e, cb) => (got.push(r), cb()) }),
    ).catch((e) => e);
    expect(got).toEqual([['a', 'b'], ['1', '2']]);
    expect(err).toMatchObject({ code: 'CSV_INVALID_CLOSING_QUOTE', lines: 3 });
  });
});
