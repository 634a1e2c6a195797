/**
 * Every existing record keyed by its match-key values, loaded once by paging through the entity's
 * list. A dry run matches a million rows against it without a request per row; a real run still
 * asks the ERP row by row, since records change while it writes.
 */
import { comparable } from '../lookup/company-resolver.js';
import type { ContactRef } from '../run/import-erp.js';

export class RecordIndex {
  private constructor(private readonly map: Map<string, ContactRef[]>, private readonly keys: string[]) {}

  static async load(records: AsyncIterable<ContactRef>, keys: string[]): Promise<RecordIndex> {
    const map = new Map<string, ContactRef[]>();
    for await (const c of records) {
      const k = indexKey(keys, c.values);
      const list = map.get(k);
      if (list) list.push(c);
      else map.set(k, [c]);
    }
    return new RecordIndex(map, keys);
  }

  find(values: Record<string, string>): ContactRef[] {
    return this.map.get(indexKey(this.keys, values)) ?? [];
  }

  get size(): number {
    return this.map.size;
  }
}

function indexKey(keys: string[], values: Record<string, string>): string {
  return keys.map((k) => comparable(values[k] ?? '')).join('\u0000');
}
