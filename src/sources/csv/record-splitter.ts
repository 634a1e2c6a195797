/**
 * A CSV file's records from its decoded text, as csv-parse makes them, for a fraction of the cost.
 *
 * Why not csv-parse alone: on a dry run of a 1,000,000-row UTF-8 file the parsing thread was 94%
 * busy, two thirds of it inside csv-parse, which reads a byte at a time, copies each field into a
 * buffer and decodes it on its own (utf8Slice per field). Measured on that file (23 columns,
 * 224 MB, bench's contact rows), read as parse-thread.ts reads it, one thread, decoding included:
 * csv-parse 8.4 s, this splitter 1.7 s (118,000 vs 590,000 records/s); 200,000 rows of GB18030,
 * 2.1 s vs 0.6 s. A dry run of the 1,000,000 rows (two busy cores, so the median of paired runs)
 * reached 0.86 of bare csv-parse's speed (was 0.65) with a third less CPU; its main thread is now
 * the slower one. A file that quotes every field costs what it did: csv-parse reads all of it.
 *
 * csv-parse stays the authority on everything hard. A record without a quote character has no
 * escaping and no line break inside it, so splitting its text at the delimiter is exactly what
 * csv-parse does; nearly every row of a real dump is one. Every record that holds a `"` anywhere
 * (and one long enough to reach max_record_size) goes to csv-parse whole, with the same options:
 * its records are emitted and its errors (code, message) raised, with the file's line in place of
 * the record's. Its end is found by quote parity, at the first record delimiter after an even
 * number of quotes: where csv-parse ends it if it is well formed, and past where csv-parse fails
 * if it is not. The record delimiter is decided once, by csv-parse's own rule, and then passed to
 * csv-parse explicitly, so both always split on the same one. A record that grows past
 * HAND_OVER_CHARS without ending (an unclosed quote, say) hands the rest of the input to
 * csv-parse's streaming parser, which then behaves as it always did.
 *
 * record-splitter.test.ts checks all of this against csv-parse on random texts cut into random
 * chunks.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { Parser, type Options } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

export interface RecordSplitterOptions {
  /** The field delimiter, as csv-parse takes it; see splittable(). */
  delimiter: string;
  /** csv-parse's `max_record_size`. */
  maxRecordSize: number;
  /**
   * An unfinished record longer than this (characters) hands the rest of the input to csv-parse's
   * streaming parser. Tests set it small.
   */
  handOverChars?: number;
}

/**
 * Records are rescanned from their start as each chunk arrives, so a record this long would cost
 * more to rescan than to parse; nothing real comes near (Excel caps a cell at 32,767 characters).
 */
const HAND_OVER_CHARS = 1024 * 1024;

/**
 * Whether the splitter can take a field delimiter. One holding a quote or a line break would make
 * the quote and line-break scans below wrong; such a file goes to csv-parse alone.
 */
export function splittable(delimiter: string): boolean {
  return delimiter.length > 0 && !/["\r\n]/.test(delimiter);
}

type RecordDelimiter = '\n' | '\r' | '\r\n';

/** csv-parse's parser core, as its stream drives it (`Parser#api`, not in its typings). */
interface CsvApi {
  parse(buf: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
}

const LF = 10;

export class RecordSplitter extends Transform {
  private readonly delimiter: string;
  /** The options csv-parse gets; `record_delimiter` is added once the text shows it. */
  private options: Options;
  /** A record longer than this may exceed max_record_size (a character is at most 3 UTF-8 bytes), so csv-parse reads it. */
  private readonly fastMax: number;
  private readonly handOver: number;
  private rd: RecordDelimiter | undefined;
  /** Text from the start of the record not yet complete. */
  private head = '';
  /** csv-parse's line count (`info.lines`) where `head` starts. */
  private line = 1;
  /** Records emitted, for the count csv-parse's errors carry. */
  private records = 0;
  /** csv-parse reading the rest of the input, once a record grew past handOver. */
  private api: CsvApi | undefined;

  constructor(o: RecordSplitterOptions) {
    super({ decodeStrings: false, readableObjectMode: true });
    this.delimiter = o.delimiter;
    this.options = { delimiter: o.delimiter, relax_column_count: true, skip_empty_lines: false, max_record_size: o.maxRecordSize, bom: false };
    // A bad option fails here with csv-parse's own error, as `parse(options)` did.
    parseSync('', this.options);
    this.fastMax = o.maxRecordSize > 0 ? Math.floor(o.maxRecordSize / 3) : Infinity;
    this.handOver = o.handOverChars ?? HAND_OVER_CHARS;
  }

  override _transform(chunk: string, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.api) return cb(this.feed(Buffer.from(chunk), false));
    cb(this.split(this.head + chunk, false));
  }

  override _flush(cb: TransformCallback): void {
    if (this.api) return cb(this.feed(undefined, true));
    cb(this.split(this.head, true));
  }

  /** Emits the complete records of `text` (all of it when `final`), keeping the rest in `head`. */
  private split(text: string, final: boolean): Error | undefined {
    if (this.rd === undefined) {
      const rd = discover(text, final);
      if (rd === undefined) {
        if (!final) {
          this.head = text;
          return this.head.length > this.handOver ? this.takeOver() : undefined;
        }
        // No line break outside quotes: the whole text is one record (or none), and csv-parse,
        // given all of it, decides as it always did.
        this.head = '';
        if (text === '') return undefined;
        if (!text.includes('"') && text.length <= this.fastMax) {
          this.push(text.split(this.delimiter));
          return undefined;
        }
        return this.parse(text, this.line);
      }
      this.rd = rd;
      this.options = { ...this.options, record_delimiter: rd };
    }
    const rd = this.rd;
    const crlf = rd === '\r\n';
    const rdLength = rd.length;
    // The character that starts a record delimiter, and the other line-break character: inside a
    // record each counts as a csv-parse line.
    const first = rd === '\n' ? '\n' : '\r';
    const other = rd === '\n' ? '\r' : '\n';
    const d = this.delimiter;
    const fastMax = this.fastMax;
    const n = text.length;
    let line = this.line;
    // The next quote and the next `other` at or after the scan (n: none).
    let q = -1;
    let b = -1;
    // Consecutive records holding quotes, for csv-parse to read in one call: where each starts,
    // its csv-parse line, and where the last ends.
    const run: number[] = [];
    const runLines: number[] = [];
    let s = 0;
    while (s < n) {
      // The record delimiter after s, if no quote comes first. In a CRLF file a CR without its LF
      // is text (and a line for csv-parse); one that ends the text waits for the next chunk.
      let e = indexOf(text, first, s, n);
      let lone = 0;
      if (crlf) {
        while (e < n && text.charCodeAt(e + 1) !== LF) {
          lone++;
          e = indexOf(text, '\r', e + 1, n);
        }
      }
      if (q < s) q = indexOf(text, '"', s, n);
      if (q >= e && e - s <= fastMax) {
        if (e === n && !final) break;
        if (run.length) {
          const err = this.parseRun(text, run, runLines, s);
          if (err) return err;
        }
        if (b < s) b = indexOf(text, other, s, n);
        while (b < e) {
          lone++;
          b = indexOf(text, other, b + 1, n);
        }
        this.push(text.slice(s, e).split(d));
        this.records++;
        line += lone + 1;
        s = e + rdLength;
        continue;
      }
      // A quote (or a record long enough to reach max_record_size): csv-parse reads it, so a
      // malformed quote is csv-parse's error, raised where it stands. The record ends at the first
      // record delimiter after an even number of quotes.
      if (q < e) e = endOf(text, s, q, first, crlf, final);
      if (e === -1 || (e === n && !final)) break;
      run.push(s);
      runLines.push(line);
      line += countBreaks(text, s, e) + 1;
      s = e === n ? n : e + rdLength;
    }
    if (run.length) {
      const err = this.parseRun(text, run, runLines, s);
      if (err) return err;
    }
    this.line = line;
    this.head = s < n ? text.slice(s) : '';
    if (!final && this.head.length > this.handOver) return this.takeOver();
    return undefined;
  }

  /**
   * Records holding quotes, text[run[0], end), read by csv-parse in one call (in a file that
   * quotes every field, all the records of a chunk). On an error they are read again one by one,
   * so that those before the bad one are emitted first, as csv-parse's stream emits them.
   */
  private parseRun(text: string, run: number[], lines: number[], end: number): Error | undefined {
    const err = this.parse(text.slice(run[0], end), lines[0]);
    if (err && run.length > 1) {
      for (let i = 0; i < run.length; i++) {
        const one = this.parse(text.slice(run[i], i + 1 < run.length ? run[i + 1] : end), lines[i]);
        if (one) return one;
      }
    }
    run.length = 0;
    lines.length = 0;
    return err;
  }

  /** csv-parse on `text`, complete records from csv-parse line `line`: pushes its records, or returns its error placed in the file. */
  private parse(text: string, line: number): Error | undefined {
    let records: string[][];
    try {
      records = parseSync(text, this.options) as string[][];
    } catch (e) {
      return relocate(e, line - 1, this.records);
    }
    for (const r of records) this.push(r);
    this.records += records.length;
    return undefined;
  }

  /** From here on csv-parse reads the input itself, as it did before this splitter existed. */
  private takeOver(): Error | undefined {
    const parser = new Parser(this.options) as unknown as { api: CsvApi };
    this.api = parser.api;
    const head = this.head;
    this.head = '';
    return this.feed(Buffer.from(head), false);
  }

  private feed(buf: Buffer | undefined, end: boolean): Error | undefined {
    const err = this.api!.parse(buf, end, (r) => this.push(r), () => undefined);
    return err === undefined ? undefined : relocate(err, this.line - 1, this.records);
  }
}

function indexOf(text: string, c: string, from: number, n: number): number {
  const i = text.indexOf(c, from);
  return i === -1 ? n : i;
}

/**
 * The record delimiter as csv-parse's auto-discovery finds it: the first line break outside
 * quotes, `\r\n` before `\r`. undefined: none yet (or none at all, when `final`).
 */
function discover(text: string, final: boolean): RecordDelimiter | undefined {
  const n = text.length;
  let cr = indexOf(text, '\r', 0, n);
  let lf = indexOf(text, '\n', 0, n);
  let q = indexOf(text, '"', 0, n);
  for (;;) {
    const br = cr < lf ? cr : lf;
    if (br < q) {
      if (br === lf) return '\n';
      if (br + 1 < n) return text.charCodeAt(br + 1) === LF ? '\r\n' : '\r';
      return final ? '\r' : undefined;
    }
    if (q === n) return undefined;
    const close = text.indexOf('"', q + 1);
    if (close === -1) return undefined;
    const p = close + 1;
    if (cr < p) cr = indexOf(text, '\r', p, n);
    if (lf < p) lf = indexOf(text, '\n', p, n);
    q = indexOf(text, '"', p, n);
  }
}

/**
 * Where the record from `s` ends (the index of its record delimiter), counting quotes from the
 * first one, at `q`: at the first record delimiter with an even number of quotes before it. `n`
 * when the text ends first and it is `final`; -1 when more text is needed.
 */
function endOf(text: string, s: number, q: number, first: string, crlf: boolean, final: boolean): number {
  const n = text.length;
  let e = indexOf(text, first, s, n);
  for (;;) {
    // Outside quotes: the next record delimiter, unless a quote comes first.
    if (crlf) while (e < q && text.charCodeAt(e + 1) !== LF) e = indexOf(text, '\r', e + 1, n);
    if (e < q) return e;
    if (q === n) return final ? n : -1;
    const close = text.indexOf('"', q + 1);
    if (close === -1) return final ? n : -1;
    const p = close + 1;
    q = indexOf(text, '"', p, n);
    if (e < p) e = indexOf(text, first, p, n);
  }
}

/** `\r` and `\n` in text[s, e): csv-parse counts a line for each (a CRLF inside quotes is two). */
function countBreaks(text: string, s: number, e: number): number {
  let k = 0;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) k++;
  }
  return k;
}

/**
 * csv-parse's error for a text that started at line `offset` + 1 of the file: its line (in the
 * `lines` it carries and in its message) and record count made the file's.
 */
function relocate(err: unknown, offset: number, recordsBefore: number): Error {
  const e = err as Error & { lines?: number; records?: number };
  if (typeof e?.lines === 'number' && offset > 0) {
    const at = e.lines + offset;
    e.message = e.message.replace(`at line ${e.lines}`, `at line ${at}`);
    e.lines = at;
  }
  if (typeof e?.records === 'number') e.records += recordsBefore;
  return e;
}
