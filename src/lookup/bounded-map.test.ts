import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';

describe('BoundedMap', () => {
  it('keeps the newest entries, dropping the oldest first', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('c', 3);
    expect([...m.entries()]).toEqual([['b', 2], ['c', 3]]);
    m.set('b', 4);
    expect(m.size).toBe(2);
    expect(m.get('b')).toBe(4);
  });
});
