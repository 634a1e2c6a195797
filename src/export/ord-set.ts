/**
 * The ords already written by an export, to drop a record that shifts onto a second page while
 * paging. Ords are whole numbers, kept exactly in a typed open-addressing table (4 bytes a slot,
 * against some 50 bytes for a string in a Set); anything else falls back to a Set of strings.
 */
export class OrdSet {
  private slots = new Uint32Array(1 << 12);
  private size = 0;
  private readonly other = new Set<string>();

  /** Adds `ord`; false when it was there already. */
  add(ord: string): boolean {
    // Only the canonical form of a number: `007` is another ord than `7`. Stored +1: 0 marks an empty slot.
    const n = /^(?:0|[1-9]\d{0,8})$/.test(ord) ? Number(ord) + 1 : 0;
    if (n === 0) {
      if (this.other.has(ord)) return false;
      this.other.add(ord);
      return true;
    }
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    return this.insert(n);
  }

  private insert(n: number): boolean {
    const mask = this.slots.length - 1;
    for (let i = Math.imul(n, 0x9e3779b1) >>> 0 & mask; ; i = (i + 1) & mask) {
      const v = this.slots[i];
      if (v === 0) {
        this.slots[i] = n;
        this.size++;
        return true;
      }
      if (v === n) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.size = 0;
    for (const v of old) if (v !== 0) this.insert(v);
  }
}
