/**
 * Counts the fields of the record being read, as csv-parse will split it, and says when one has
 * more than Excel's 16,384 columns. csv-parse has no such cap, and its `max_record_size` counts
 * the characters of fields, not the delimiters between them: one line of 50 million commas (a
 * 50 MB file) became a record of 50 million empty fields and took 2.3 GB before anything could
 * refuse it. Counting here, on the bytes on their way to the parser, costs about 2 ns a byte.
 */
import { MAX_COLUMNS } from '../limits.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export class FieldCounter {
  private quoted = false;
  private fields = 1;
  /** Physical line (1-based) reached, for the message. */
  line = 1;
  private readonly delimiter: number;

  /**
   * `delimiter`: one character; for a longer one its first character is counted, which can only
   * count more fields than there are (a cap that fires early, never late).
   */
  constructor(delimiter: string) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Feeds bytes of an ASCII-compatible encoding (UTF-8); false once a record has too many fields. */
  bytes(b: Uint8Array): boolean {
    const d = this.delimiter;
    let quoted = this.quoted;
    let fields = this.fields;
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      if (c === QUOTE) quoted = !quoted;
      else if (c === LF) {
        this.line++;
        if (!quoted) fields = 1;
      } else if (quoted) continue;
      else if (c === d) {
        if (++fields > MAX_COLUMNS) return this.stop(quoted, fields);
      } else if (c === CR) fields = 1;
    }
    this.quoted = quoted;
    this.fields = fields;
    return true;
  }

  /**
   * Feeds decoded text (GB18030, UTF-16); false once a record has too many fields. The same loop
   * as bytes(), over char codes: one generic loop over either would cost a call per character
   * in the hottest path of a dry run.
   */
  text(s: string): boolean {
    const d = this.delimiter;
    let quoted = this.quoted;
    let fields = this.fields;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === QUOTE) quoted = !quoted;
      else if (c === LF) {
        this.line++;
        if (!quoted) fields = 1;
      } else if (quoted) continue;
      else if (c === d) {
        if (++fields > MAX_COLUMNS) return this.stop(quoted, fields);
      } else if (c === CR) fields = 1;
    }
    this.quoted = quoted;
    this.fields = fields;
    return true;
  }

  private stop(quoted: boolean, fields: number): false {
    this.quoted = quoted;
    this.fields = fields;
    return false;
  }
}
