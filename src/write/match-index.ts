/**
 * Existing records by their match keys, loaded once, for a real run to match rows without a
 * request per row (issue 13): 64-bit hashes of the keys → the record's ord, in typed arrays (about
 * 16 bytes a record: a 20,000-contact ERP costs 0.5 MB, a million 24 MB). A hit is only a lead:
 * the record's detail is read (an update reads it anyway) and its keys compared exactly, so a hash
 * collision or a record changed since the load falls back to a lookup, never to a wrong match.
 * The run keeps it current with its own creates.
 */
import { comparable } from '../lookup/company-resolver.js';
import type { ContactRef } from '../run/import-erp.js';
import { KeySet } from './key-set.js';

/** Two records have the key: matching them needs the list. */
export const AMBIGUOUS = -1;

export class MatchIndex {
  private readonly set = new KeySet(1 << 12);
  loaded = 0;

  constructor(private readonly keys: string[]) {}

  /** Loads every record; `stopped()` ends the load early (the run is over), without an index. */
  static async load(records: AsyncIterable<ContactRef>, keys: string[], stopped: () => boolean = () => false): Promise<MatchIndex | undefined> {
    const index = new MatchIndex(keys);
    for await (const r of records) {
      if (stopped()) return undefined;
      index.add(r.values, r.ord);
      index.loaded++;
    }
    return index;
  }

  /** The ord of the one record with these keys, AMBIGUOUS when several have them, undefined when none. */
  find(values: Record<string, string>): number | undefined {
    return this.set.get(this.key(values));
  }

  /** A record with these keys (loaded, or created by this run). */
  add(values: Record<string, string>, ord: string): void {
    const n = Number(ord);
    if (!Number.isSafeInteger(n) || n <= 0 || n > 0x7fffffff) return;
    const key = this.key(values);
    const had = this.set.get(key);
    this.set.set(key, had === undefined || had === n ? n : AMBIGUOUS);
  }

  /**
   * A record with these keys whose ord is not known (the customer form made it along with a new
   * customer): rows with these keys are matched through the list.
   */
  addUnknown(values: Record<string, string>): void {
    this.set.set(this.key(values), AMBIGUOUS);
  }

  private key(values: Record<string, string>): string {
    return this.keys.map((k) => comparable(values[k] ?? '')).join('\u0000');
  }
}
