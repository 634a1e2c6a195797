/**
 * Every existing contact keyed by its match-key values, loaded once by paging through the
 * contact list. A dry run matches a million rows against it without a request per row; a real
 * run still asks the ERP row by row, since records change while it writes.
 */
import { comparable } from '../lookup/company-resolver.js';
import type { ContactRef, ImportErp } from '../run/import-erp.js';

export class ContactIndex {
  private constructor(private readonly map: Map<string, ContactRef[]>, private readonly keys: string[]) {}

  static async load(erp: ImportErp, keys: string[]): Promise<ContactIndex> {
    const map = new Map<string, ContactRef[]>();
    for await (const c of erp.allContacts()) {
      const k = indexKey(keys, c.values);
      const list = map.get(k);
      if (list) list.push(c);
      else map.set(k, [c]);
    }
    return new ContactIndex(map, keys);
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
