/**
 * Row keys for the journal: a hash of what the row will write, plus its occurrence among
 * identical rows, so a re-run recognises a row even if rows were moved, and two identical
 * follow-up rows (which the ERP cannot tell apart) stay two.
 */
import { createHash } from 'node:crypto';

/** 128-bit content hash in base64url (22 characters). */
export function contentHash(entity: string, values: Record<string, string>): string {
  // One update of the joined text: the same bytes, hence the same hash as journals already hold,
  // for one call into the hash instead of four per field.
  let text = entity;
  for (const k of sortedKeys(values)) text += `\u0000${k}\u0001${values[k]}`;
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

// The rows of a run have the same fields in the same order: their sorted order is kept, not
// sorted again at every row.
let lastKeys: string[] = [];
let lastSorted: string[] = [];

function sortedKeys(values: Record<string, string>): string[] {
  const keys = Object.keys(values);
  if (keys.length === lastKeys.length && keys.every((k, i) => k === lastKeys[i])) return lastSorted;
  lastKeys = keys;
  lastSorted = [...keys].sort();
  return lastSorted;
}

/** Counts occurrences of each content hash within one run. */
export class OccurrenceCounter {
  private readonly seen = new Map<string, number>();
  next(hash: string): string {
    const n = (this.seen.get(hash) ?? 0) + 1;
    this.seen.set(hash, n);
    return n === 1 ? hash : `${hash}#${n}`;
  }
}
