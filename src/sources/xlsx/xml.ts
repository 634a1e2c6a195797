/**
 * saxes with the guards every workbook part needs. OOXML never carries a DTD, and a DTD is how
 * XML bombs expand entities, so any `<!DOCTYPE` is refused. saxes holds a text node, an attribute
 * or a comment whole until it ends and keeps a stack of open elements, so a node larger than a
 * row may be and nesting deeper than any real part are refused too: memory stays bounded
 * whatever the part holds.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { MAX_ROW_CHARS } from '../limits.js';

/** A part's XML was refused or is malformed; the caller adds the file and part to the message. */
export class XmlRefused extends Error {
  override name = 'XmlRefused';
}

export interface XmlHandlers {
  open?(tag: SaxesTagPlain): void;
  close?(tag: SaxesTagPlain): void;
  text?(s: string): void;
}

/** Real parts nest six or seven elements deep (extension lists a few more). */
const MAX_DEPTH = 256;
/** Characters written to the parser without any event firing: a node that large is refused. */
const MAX_NODE_CHARS = MAX_ROW_CHARS + 1024 * 1024;

export const DTD_REFUSED = '含有 DTD（<!DOCTYPE>），Excel 工作簿从不包含 DTD，为防止实体炸弹拒绝读取 / holds a DTD (<!DOCTYPE>): workbooks never do, and DTD entities are how XML bombs work, so it is refused';

export class GuardedXml {
  private readonly parser = new SaxesParser({ xmlns: false });
  private pending = 0;
  private depth = 0;
  private inRoot = false;

  constructor(h: XmlHandlers) {
    const p = this.parser;
    p.on('doctype', () => {
      throw new XmlRefused(DTD_REFUSED);
    });
    p.on('error', (err) => {
      throw new XmlRefused(describe(err.message));
    });
    p.on('opentag', (t) => {
      this.pending = 0;
      this.inRoot = true;
      if (++this.depth > MAX_DEPTH) throw new XmlRefused(`元素嵌套超过 ${MAX_DEPTH} 层 / elements nested more than ${MAX_DEPTH} deep`);
      h.open?.(t as SaxesTagPlain);
    });
    p.on('closetag', (t) => {
      this.pending = 0;
      this.depth--;
      h.close?.(t as SaxesTagPlain);
    });
    // Without a text handler saxes does not collect text at all.
    if (h.text) {
      const text = h.text;
      const onText = (s: string) => {
        this.pending = 0;
        text(s);
      };
      p.on('text', onText);
      p.on('cdata', onText);
    }
  }

  write(s: string): void {
    // The DTD is refused before saxes reads it whole (its own event comes after the closing `>`).
    if (!this.inRoot && s.includes('<!DOCTYPE')) throw new XmlRefused(DTD_REFUSED);
    this.pending += s.length;
    if (this.pending > MAX_NODE_CHARS) {
      throw new XmlRefused(`一个 XML 节点（文本、属性或注释）超过 ${MAX_NODE_CHARS} 个字符 / one XML node (text, attribute or comment) is longer than ${MAX_NODE_CHARS} characters`);
    }
    this.parser.write(s);
  }

  close(): void {
    this.parser.close();
  }
}

function describe(message: string): string {
  const m = message.split('\n')[0];
  if (/entity/i.test(m)) return `含有 XML 实体引用，拒绝读取 / holds an XML entity reference, which is refused (${m})`;
  return `XML 格式错误 / malformed XML (${m})`;
}

/** A refusal's message with where it happened put before both its Chinese and its English half. */
export function located(err: XmlRefused, zh: string, en: string): string {
  const at = err.message.indexOf(' / ');
  return at === -1 ? `${zh}${err.message}` : `${zh}${err.message.slice(0, at)} / ${en}${err.message.slice(at + 3)}`;
}

/** Calls the handlers for every element of a small XML document held whole. */
export function eachElement(xml: string, h: XmlHandlers): void {
  const g = new GuardedXml(h);
  // In slices, so the node guard counts as it would for a stream; never between a surrogate pair.
  for (let i = 0; i < xml.length;) {
    let end = Math.min(xml.length, i + 1024 * 1024);
    if (end < xml.length && /[\uD800-\uDBFF]/.test(xml[end - 1])) end++;
    g.write(xml.slice(i, end));
    i = end;
  }
  g.close();
}
