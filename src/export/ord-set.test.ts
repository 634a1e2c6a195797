import { describe, expect, it } from 'vitest';
import { OrdSet } from './ord-set.js';

describe('OrdSet', () => {
  it('tells a new ord from one seen before, exactly, across growth and for any text', () => {
    const s = new OrdSet();
    let added = 0;
    let again = 0;
    for (let i = 0; i < 100_000; i++) if (s.add(String(i * 7))) added++;
    for (let i = 0; i < 100_000; i++) if (s.add(String(i * 7))) again++;
    expect([added, again]).toEqual([100_000, 0]);
    expect(s.add('1')).toBe(true);
    expect(s.add('999999999')).toBe(true);
    expect(s.add('999999999')).toBe(false);
    for (const odd of ['12345678901', 'A-17', '007', ' 7']) {
      expect(s.add(odd), odd).toBe(true);
      expect(s.add(odd), odd).toBe(false);
    }
  });
});
