/**
 * One CSV file as a stream of records, on whichever thread parses it: the encoding detected
 * (UTF-8 with or without BOM, GB18030/GBK as Excel saves CSV on Chinese Windows, UTF-16 with or
 * without BOM) or set, the delimiter set or detected, every byte checked as it is decoded.
 * Undecodable bytes stop the file at their line: a silent '�' in a migration is a customer's name
 * lost. index.ts reads it on the main thread, parse-thread.ts on a second one.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { InputError } from '../../errors.js';
import { MAX_COLUMNS, MAX_ROW_CHARS } from '../limits.js';
import { headerHasNul } from '../nul.js';
import type { SourceRow } from '../types.js';
import { FieldCounter } from './fields.js';
import { RecordSplitter, splittable } from './record-splitter.js';
import { Utf8Validator } from './utf8.js';

export type CsvEncoding = 'auto' | 'utf8' | 'gb18030' | 'gbk' | 'utf16le' | 'utf16be';

export interface CsvOptions {
  file: string;
  encoding?: CsvEncoding;
  delimiter?: string;
  /** Line number of the header (default 1). */
  headerRow?: number;
  /**
   * Files at least this large are parsed on a second thread (see threaded.ts). Default 1 MiB, or
   * ZBPORT_CSV_THREAD_MIN_BYTES; machines with one core never use one.
   */
  threadMinBytes?: number;
}

const SAMPLE = 64 * 1024;

export interface CsvHeader {
  headers: string[];
  headerRow: number;
}

/** A CSV file's records as csv-parse makes them (record-splitter.ts), with what is needed to number and report them. */
export interface CsvStream {
  parser: Readable;
  /** Numbers a record as a text editor shows its line; undefined for blank lines, which are skipped. */
  toRow(record: string[]): SourceRow | undefined;
  /** The header when `row` is the header row: the first row at or after the configured line. */
  headerOf(row: SourceRow): CsvHeader | undefined;
  toError(err: unknown): Error;
  /** Raised once every record before it was delivered: the part of the file that could not be decoded. */
  failure(): Error | undefined;
  noHeader(): InputError;
  progress(): { done: number; total: number };
  /** Whether the text read so far holds U+0000 or U+0001, which cells rarely do. */
  controls(): boolean;
  close(): Promise<void>;
}

export async function openCsvStream(o: CsvOptions, size: number): Promise<CsvStream> {
  const sample = await readSample(o.file);
  const detected = detectEncoding(sample);
  const encoding = o.encoding && o.encoding !== 'auto' ? o.encoding : detected.encoding;
  if (detected.binary && (!o.encoding || o.encoding === 'auto')) {
    throw new InputError(o.file, '这不是文本文件（含有二进制数据），请导出为 CSV 或 .xlsx / this is not a text file (it holds binary data): export it as CSV or .xlsx', [
      '若它是不带 BOM 的 UTF-16 文本，请在流水线中设置 source.encoding: utf16le（或 utf16be）/ if it is UTF-16 text without a byte-order mark, set source.encoding: utf16le (or utf16be)',
    ]);
  }
  const bomLength = bomOf(sample, encoding);
  const sampleText = decodeSample(sample.subarray(bomLength), encoding);
  const delimiter = !o.delimiter || o.delimiter === 'auto' ? detectDelimiter(sampleText) : o.delimiter === '\\t' ? '\t' : o.delimiter;
  const headerRow = o.headerRow ?? 1;

  let bytesRead = 0;
  const input = createReadStream(o.file, { start: bomLength, highWaterMark: 64 * 1024 });
  input.on('data', (c) => {
    bytesRead += c.length;
  });
  const decoder = decoderFor(encoding, o.file, bomLength, new FieldCounter(delimiter));
  // max_record_size: characters in a record's fields; the delimiters between them are counted by FieldCounter.
  const parser = splittable(delimiter)
    ? new RecordSplitter({ delimiter, maxRecordSize: MAX_ROW_CHARS })
    : parse({ delimiter, relax_column_count: true, skip_empty_lines: false, max_record_size: MAX_ROW_CHARS, bom: false });
  input.on('error', (e) => parser.destroy(e));
  decoder.on('error', (e) => parser.destroy(e));
  // Undecodable bytes: what came before reaches the parser, nothing after it is read.
  decoder.once('stop', () => {
    input.unpipe(decoder);
    input.destroy();
    decoder.end();
  });
  input.pipe(decoder).pipe(parser);

  // Line numbers as a text editor shows them: each record takes one line, plus the line breaks
  // inside its quoted fields (csv-parse's own count treats a CRLF inside quotes as two lines, and
  // asking it for raw records or info costs a fifth of the parse).
  let line = 1;
  return {
    parser,
    headerOf: (row) => {
      if (row.row < headerRow) return undefined;
      const headers = (row.cells as string[]).map((h) => h.trim());
      if (headerHasNul(headers)) {
        throw new InputError(o.file, `表头（第 ${row.row} 行）含有 NUL 字节：文件可能是不带 BOM 的 UTF-16 或已损坏 / the header (line ${row.row}) holds NUL bytes: the file may be UTF-16 without a byte-order mark, or damaged`, [
          '可设置 source.encoding: utf16le 或 utf16be / set source.encoding: utf16le or utf16be if it is UTF-16',
        ]);
      }
      return { headers, headerRow: row.row };
    },
    toRow(record) {
      const start = line;
      line += 1 + innerLineBreaks(record);
      if (record.length === 1 && record[0] === '') return undefined;
      if (record.every((c) => c === '')) return undefined;
      return { row: start, cells: record };
    },
    toError: (err) => toInputError(o.file, err, encoding),
    failure: () => decoder.failure,
    noHeader: () => new InputError(o.file, `没有找到表头行（第 ${headerRow} 行起）/ no header row found at or after line ${headerRow}`),
    progress: () => ({ done: bytesRead, total: size }),
    controls: () => decoder.controls,
    close: async () => {
      input.destroy();
      parser.destroy();
    },
  };
}

/** Line breaks inside a record's quoted fields (LF or CRLF). */
function innerLineBreaks(record: string[]): number {
  let n = 0;
  for (const c of record) for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) n++;
  return n;
}

async function readSample(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(SAMPLE);
    const { bytesRead } = await fh.read(b, 0, SAMPLE, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * The encoding of a file from its first 64 KiB. NUL bytes alone do not make a file binary: a
 * damaged text file can hold some anywhere, and they become row problems (nul.ts); other control
 * bytes do (zip, PDF and image files are a tenth control bytes), as does a sample mostly of NULs.
 */
export function detectEncoding(b: Buffer): { encoding: Exclude<CsvEncoding, 'auto'>; binary: boolean } {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf8', binary: false };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf16le', binary: false };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf16be', binary: false };
  const utf16 = bomlessUtf16(b);
  if (utf16) return { encoding: utf16, binary: false };
  let nul = 0;
  let control = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0) nul++;
    else if (b[i] < 0x09 || (b[i] > 0x0d && b[i] < 0x20 && b[i] !== 0x1b)) control++;
  }
  const binary = control > b.length / 50 || nul > b.length / 4;
  // UTF-8 unless the sample breaks its rules (a sequence cut at the sample's end is not a break).
  const v = new Utf8Validator();
  const bad = v.push(b, 0);
  return { encoding: bad === -1 ? 'utf8' : 'gb18030', binary };
}

/**
 * UTF-16 saved without a byte-order mark: the NUL high bytes of ASCII characters (delimiters,
 * digits, line breaks) fall on one parity only, and the sample decodes to text (no unpaired
 * surrogates, hardly any control characters, a line break or a delimiter).
 */
export function bomlessUtf16(b: Buffer): 'utf16le' | 'utf16be' | undefined {
  const n = b.length & ~1;
  if (n < 4) return undefined;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) even++;
    if (b[i + 1] === 0) odd++;
  }
  const le = odd > even;
  const zeros = le ? odd : even;
  const other = le ? even : odd;
  if (zeros < Math.max(2, n / 2 / 50) || other > zeros / 10) return undefined;
  const units = Buffer.from(b.subarray(0, n));
  if (!le) units.swap16();
  const text = units.toString('utf16le');
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else if (i !== text.length - 1) return undefined;
    } else if (c >= 0xdc00 && c <= 0xdfff) return undefined;
    else if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) control++;
  }
  if (control > text.length / 100 || !/[\n,\t;|]/.test(text)) return undefined;
  return le ? 'utf16le' : 'utf16be';
}

function bomOf(b: Buffer, encoding: string): number {
  if (encoding === 'utf8' && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 3;
  if (encoding === 'utf16le' && b[0] === 0xff && b[1] === 0xfe) return 2;
  if (encoding === 'utf16be' && b[0] === 0xfe && b[1] === 0xff) return 2;
  return 0;
}

function decodeSample(b: Buffer, encoding: string): string {
  return encoding === 'utf8' ? b.toString('utf8') : iconv.decode(b, encoding);
}

/** Comma, tab, semicolon or pipe: whichever the header line has most of, outside quotes. */
export function detectDelimiter(text: string): string {
  const counts: Record<string, number> = { ',': 0, '\t': 0, ';': 0, '|': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch]++;
  }
  const best = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
  return best[1] > 0 ? best[0] : ',';
}

/** A decoding stream that fails on undecodable bytes, naming their position, and on records wider than Excel allows. */
function decoderFor(encoding: string, file: string, offset: number, fields: FieldCounter): CheckedDecoder {
  if (encoding === 'utf8') return new Utf8Decode(file, offset, fields);
  return new CheckedIconvDecode(file, encoding, offset, fields);
}

/** A decoder that also tells whether the text so far holds U+0000 or U+0001 (see batch-codec.ts). */
interface CheckedDecoder extends Transform {
  controls: boolean;
  /**
   * Bytes that do not decode stop the stream at the last line break before them: the records
   * before it reach the parser and are processed as any run's, and this error is raised after
   * the last of them (a run must not lose rows it could read because a later line is bad).
   */
  failure?: Error;
}

/** The bytes of `chunk` up to and including its last line break before `end`. */
function wholeLines(chunk: Buffer, end: number): Buffer {
  const nl = chunk.lastIndexOf(10, Math.max(0, end - 1));
  return nl < 0 || nl >= end ? Buffer.alloc(0) : chunk.subarray(0, nl + 1);
}

export class Utf8Decode extends Transform implements CheckedDecoder {
  controls = false;
  // Checked and decoded in one native pass (half the time of checking in JS, then decoding): the
  // record splitter works on text. Only when it fails is the Utf8Validator asked where.
  // ignoreBOM: a BOM is skipped by offset; another one is text, as it always was.
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** The bytes of a sequence the chunks so far left unfinished (the decoder holds them). */
  private tail: Buffer = EMPTY;
  private pos: number;
  private line = 1;

  constructor(private readonly file: string, offset: number, private readonly fields: FieldCounter) {
    // The readable side keeps text as text (without an encoding, pushed strings become bytes again).
    super({ encoding: 'utf8' });
    this.pos = offset;
  }

  failure?: Error;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.failure) return cb();
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      this.stop(chunk, cb);
      return;
    }
    if (!this.fields.text(text)) {
      cb(tooManyFields(this.file, this.fields.line));
      return;
    }
    this.pos += chunk.length;
    this.line += countNewlines(chunk);
    if (!this.controls && (chunk.includes(0) || chunk.includes(1))) this.controls = true;
    this.tail = unfinished(this.tail, chunk);
    cb(null, text || undefined);
  }

  /** Bytes that are not UTF-8 in `chunk`: the lines before them go on, the error waits for them (see failure). */
  private stop(chunk: Buffer, cb: TransformCallback): void {
    const v = new Utf8Validator();
    v.push(this.tail, this.pos - this.tail.length);
    let bad = v.push(chunk, this.pos);
    // The two checkers follow the same table (Unicode's well-formed byte sequences); were they
    // ever to differ, the chunk is refused from its start.
    if (bad === -1) bad = this.pos;
    const line = this.line + countNewlines(chunk.subarray(0, Math.max(0, bad - this.pos)));
    this.failure = undecodable(this.file, 'UTF-8', bad, line);
    const good = wholeLines(chunk, bad - this.pos);
    this.emit('stop');
    // A sequence left unfinished is a U+FFFD at the end of the last record, as csv-parse made it
    // of the same bytes.
    const decode = (b: Buffer) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b);
    const lines = good.length ? decode(Buffer.concat([this.tail, good])) : '';
    const text = lines && this.fields.text(lines) ? lines : decode(this.tail);
    cb(null, text || undefined);
  }

  override _flush(cb: TransformCallback): void {
    if (this.failure) return cb();
    if (this.tail.length) {
      cb(undecodable(this.file, 'UTF-8', this.pos - this.tail.length, this.line));
      return;
    }
    cb();
  }
}

/** The end of `before` + `chunk` (UTF-8 so far) that starts a sequence still missing bytes. */
function unfinished(before: Buffer, chunk: Buffer): Buffer {
  const end = chunk.length >= 3 ? chunk.subarray(chunk.length - 3) : Buffer.concat([before, chunk]).subarray(-3);
  for (let i = end.length - 1; i >= 0; i--) {
    const c = end[i];
    if (c >= 0x80 && c < 0xc0) continue;
    const length = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    return end.length - i < length ? Buffer.from(end.subarray(i)) : EMPTY;
  }
  return EMPTY;
}

const EMPTY = Buffer.alloc(0);

/**
 * iconv-lite turns undecodable bytes into U+FFFD. GB18030 can encode U+FFFD itself (84 31 A4 37),
 * so a '�' is only an error when the bytes do not hold that sequence.
 */
class CheckedIconvDecode extends Transform implements CheckedDecoder {
  controls = false;
  private readonly decoder: iconv.DecoderStream;
  private pos: number;
  private line = 1;
  private readonly label: string;

  constructor(private readonly file: string, encoding: string, offset: number, private readonly fields: FieldCounter) {
    super({ decodeStrings: true, encoding: 'utf8' });
    this.decoder = iconv.getDecoder(encoding) as unknown as iconv.DecoderStream;
    this.pos = offset;
    this.label = encoding.toUpperCase();
  }

  failure?: Error;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.failure) return cb();
    const text = (this.decoder as unknown as { write(b: Buffer): string }).write(chunk);
    const bad = text.indexOf('\uFFFD');
    if (bad !== -1 && !chunk.includes(Buffer.from([0x84, 0x31, 0xa4, 0x37]))) {
      const line = this.line + countNewlinesText(text.slice(0, bad));
      this.failure = undecodable(this.file, this.label, this.pos, line);
      const nl = text.lastIndexOf('\n', Math.max(0, bad - 1));
      const good = nl >= 0 && nl < bad ? text.slice(0, nl + 1) : '';
      this.emit('stop');
      cb(null, good && this.fields.text(good) ? good : undefined);
      return;
    }
    if (!this.fields.text(text)) {
      cb(tooManyFields(this.file, this.fields.line));
      return;
    }
    this.pos += chunk.length;
    this.line += countNewlinesText(text);
    if (!this.controls && (text.includes('\u0000') || text.includes('\u0001'))) this.controls = true;
    cb(null, text);
  }

  override _flush(cb: TransformCallback): void {
    if (this.failure) return cb();
    const rest = (this.decoder as unknown as { end(): string | undefined }).end() ?? '';
    if (rest.includes('\u0000') || rest.includes('\u0001')) this.controls = true;
    if (rest.includes('\uFFFD')) {
      cb(undecodable(this.file, this.label, this.pos, this.line));
      return;
    }
    cb(null, rest);
  }
}

function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  return n;
}

function countNewlinesText(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function undecodable(file: string, encoding: string, byteOffset: number, line: number): InputError {
  const hint = encoding === 'UTF-8'
    ? '文件可能是 GB18030/GBK 编码（Excel 在中文 Windows 上另存的 CSV），请在流水线中设置 source.encoding: gb18030 / the file may be GB18030/GBK (as Excel saves CSV on Chinese Windows): set source.encoding: gb18030'
    : '文件可能是 UTF-8 编码，请设置 source.encoding: utf8 或 auto / the file may be UTF-8: set source.encoding: utf8 or auto';
  return new InputError(file, `第 ${line} 行附近（字节 ${byteOffset}）有无法按 ${encoding} 解码的字节 / bytes that are not valid ${encoding} near line ${line} (byte ${byteOffset})`, [hint]);
}

function tooManyFields(file: string, line: number): InputError {
  return new InputError(file, `第 ${line} 行附近的一条记录超过 ${MAX_COLUMNS.toLocaleString('en-US')} 列（Excel 的上限），文件已损坏或被篡改 / the record near line ${line} has more than ${MAX_COLUMNS.toLocaleString('en-US')} fields (Excel's limit): a damaged or crafted file`);
}

function toInputError(file: string, err: unknown, encoding: string): Error {
  if (err instanceof InputError) return err;
  const e = err as { code?: string; message?: string; lines?: number };
  if (e?.code?.startsWith('CSV_') || e?.code === 'INVALID_OPENING_QUOTE') {
    return new InputError(file, `CSV 格式错误 / malformed CSV${e.lines ? ` at line ${e.lines}` : ''}: ${e.message ?? e.code}`, [`encoding ${encoding}`]);
  }
  return new InputError(file, `读取失败 / cannot read: ${e?.message ?? String(err)}`);
}
