import { describe, expect, it } from 'vitest';
import { eachElement, GuardedXml, XmlRefused } from './xml.js';
import { MAX_ROW_CHARS } from '../limits.js';

describe('guarded XML', () => {
  it('refuses a DTD, even split across chunks', () => {
    expect(() => eachElement('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', {})).toThrow(/DTD/);
    const g = new GuardedXml({});
    g.write('<?xml version="1.0"?><!DOC');
    expect(() => g.write('TYPE x [<!ENTITY a "b">]><x/>')).toThrow(XmlRefused);
  });

  it('refuses entity references other than XML\'s own', () => {
    const texts: string[] = [];
    eachElement('<x>a &amp; b &#x4e2d;</x>', { text: (s) => texts.push(s) });
    expect(texts.join('')).toBe('a & b 中');
    expect(() => eachElement('<x>&xxe;</x>', { text: () => {} })).toThrow(/entity reference/);
  });

  it('refuses one node larger than a row may be, before saxes holds it all', () => {
    const g = new GuardedXml({ text: () => {} });
    g.write('<x>');
    const piece = 'x'.repeat(1024 * 1024);
    let written = 0;
    expect(() => {
      for (;;) {
        g.write(piece);
        written += piece.length;
      }
    }).toThrow(/one XML node .* is longer than/);
    expect(written).toBeLessThanOrEqual(MAX_ROW_CHARS + 1024 * 1024);
  });

  it('refuses nesting deeper than any real part', () => {
    expect(() => eachElement(`${'<a>'.repeat(300)}${'</a>'.repeat(300)}`, {})).toThrow(/nested more than 256 deep/);
    expect(() => eachElement(`${'<a>'.repeat(20)}${'</a>'.repeat(20)}`, {})).not.toThrow();
  });
});
