/**
 * A streaming UTF-8 validator: finds the absolute byte offset of the first byte that breaks
 * UTF-8's rules (overlongs, surrogates and code points past U+10FFFF included), carrying a
 * sequence cut at a chunk boundary over to the next chunk.
 */
export class Utf8Validator {
  private need = 0;
  private lower = 0x80;
  private upper = 0xbf;
  private seqStart = 0;
  private seen = 0;

  /** Bytes of an unfinished sequence at the end of what was pushed so far. */
  pending(): number {
    return this.need ? this.seen : 0;
  }

  /** Checks a chunk that starts at absolute offset `offset`; returns the offset of the first bad byte, or -1. */
  push(b: Uint8Array, offset: number): number {
    let i = 0;
    const n = b.length;
    while (i < n) {
      const c = b[i];
      if (this.need === 0) {
        if (c < 0x80) {
          i++;
          // Fast path for ASCII runs.
          while (i < n && b[i] < 0x80) i++;
          continue;
        }
        this.seqStart = offset + i;
        this.seen = 1;
        if (c >= 0xc2 && c <= 0xdf) this.need = 1;
        else if (c >= 0xe0 && c <= 0xef) {
          this.need = 2;
          this.lower = c === 0xe0 ? 0xa0 : 0x80;
          this.upper = c === 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
          this.need = 3;
          this.lower = c === 0xf0 ? 0x90 : 0x80;
          this.upper = c === 0xf4 ? 0x8f : 0xbf;
        } else return offset + i;
        i++;
        continue;
      }
      if (c < this.lower || c > this.upper) return this.seqStart;
      this.lower = 0x80;
      this.upper = 0xbf;
      this.need--;
      this.seen++;
      i++;
    }
    return -1;
  }
}
