/**
 * A compact set of row keys with the row that first had each: 64-bit hashes in typed arrays
 * (about 16 bytes a row, against a hundred and more for a Map of strings), so checking a million
 * rows for duplicates does not take a gigabyte. Two different keys share a 64-bit hash with a
 * chance of about 3 in 100 million for a million rows; such a row would be reported as a
 * duplicate, never silently dropped.
 */
export class KeySet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private rows: Int32Array;
  private size = 0;

  constructor(capacity = 1 << 16) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.rows = new Int32Array(capacity);
  }

  /** Adds `key` for `row`; returns the earlier row that had the same key, or undefined. */
  addOrGet(key: string, row: number): number | undefined {
    if ((this.size + 1) * 2 > this.rows.length) this.grow();
    const [h, l] = hash64(key);
    return this.insert(h, l === 0 && h === 0 ? 1 : l, row);
  }

  /** The value stored for `key`, or undefined. */
  get(key: string): number | undefined {
    const [h, l0] = hash64(key);
    const l = l0 === 0 && h === 0 ? 1 : l0;
    const mask = this.rows.length - 1;
    for (let i = (l ^ h) & mask; ; i = (i + 1) & mask) {
      if (this.rows[i] === 0) return undefined;
      if (this.hi[i] === h && this.lo[i] === l) return this.rows[i];
    }
  }

  /** Stores `value` (not 0) for `key`, replacing the one stored before. */
  set(key: string, value: number): void {
    if ((this.size + 1) * 2 > this.rows.length) this.grow();
    const [h, l0] = hash64(key);
    const l = l0 === 0 && h === 0 ? 1 : l0;
    const mask = this.rows.length - 1;
    for (let i = (l ^ h) & mask; ; i = (i + 1) & mask) {
      if (this.rows[i] === 0) {
        this.hi[i] = h;
        this.lo[i] = l;
        this.rows[i] = value;
        this.size++;
        return;
      }
      if (this.hi[i] === h && this.lo[i] === l) {
        this.rows[i] = value;
        return;
      }
    }
  }

  private insert(h: number, l: number, row: number): number | undefined {
    const mask = this.rows.length - 1;
    for (let i = (l ^ h) & mask; ; i = (i + 1) & mask) {
      if (this.rows[i] === 0) {
        this.hi[i] = h;
        this.lo[i] = l;
        this.rows[i] = row;
        this.size++;
        return undefined;
      }
      if (this.hi[i] === h && this.lo[i] === l) return this.rows[i];
    }
  }

  private grow(): void {
    const { hi, lo, rows } = this;
    this.hi = new Uint32Array(rows.length * 2);
    this.lo = new Uint32Array(rows.length * 2);
    this.rows = new Int32Array(rows.length * 2);
    this.size = 0;
    for (let i = 0; i < rows.length; i++) if (rows[i] !== 0) this.insert(hi[i], lo[i], rows[i]);
  }
}

/** Two independent 32-bit hashes (FNV-1a and a murmur-style mix) of the UTF-16 units. */
export function hash64(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  return [a >>> 0, (b ^ (b >>> 16)) >>> 0];
}
