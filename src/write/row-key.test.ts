import { describe, expect, it } from 'vitest';
import { contentHash } from './row-key.js';

describe('contentHash', () => {
  it('stays the hash journals and ledgers already hold (it names rows across runs and versions)', () => {
    const values = { person_name: '张三', mobile: '13800000000', company: '12', intro: 'a\u0000b', x: '\ud800', y: '' };
    expect(contentHash('contact', values)).toBe('qZS7kVZeO5W-Uar0hupNlR');
    expect(contentHash('followup', {})).toBe('yZD64bU57KciVDdR1CKuHs');
  });

  it('does not depend on the order of the fields', () => {
    expect(contentHash('contact', { a: '1', b: '2' })).toBe(contentHash('contact', { b: '2', a: '1' }));
    expect(contentHash('contact', { a: '1', b: '2' })).not.toBe(contentHash('contact', { a: '12', b: '' }));
  });

  it('gives each row its own hash when rows of one shape alternate with rows of another', () => {
    const a = { person_name: '张三', mobile: '1' };
    const b = { mobile: '1', person_name: '张三', intro: '' };
    const first = [contentHash('contact', a), contentHash('contact', b)];
    for (let i = 0; i < 3; i++) expect([contentHash('contact', a), contentHash('contact', b), contentHash('contact', { ...a })]).toEqual([...first, first[0]]);
    expect(first[0]).not.toBe(first[1]);
  });
});
