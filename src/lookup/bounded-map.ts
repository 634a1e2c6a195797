/**
 * A Map that keeps its newest `max` entries: lookup caches whose keys come from the file (names a
 * million rows may all make different) must not grow with it. A name dropped from the cache costs
 * one more lookup, nothing else.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    // Oldest first: a Map iterates in insertion order.
    if (this.size > this.max) this.delete(this.keys().next().value as K);
    return this;
  }
}
