import { describe, expect, it } from 'vitest';
import { decodeEntities, decodeResponse, normaliseTable, parseLenient, parseNumber } from './decode.js';
import { ProtocolError, TransientError } from './errors.js';

const P = '/sysa/mobilephone/salesmanage/person/list.asp';

/** Every odd shape the protocol notes list (../shared/erp-protocol.md §2–§6), as raw bodies. */
const SHAPES: Array<{ name: string; http?: number; body: string; expect: (d: ReturnType<typeof decodeResponse>) => void }> = [
  { name: 'status as a number', body: '{"header":{"status":0,"message":"ok","session":"s"}}', expect: (d) => expect(d.status).toBe(0) },
  { name: 'status as a string', body: '{"header":{"status":"1","message":"会话超时，请您重新登录。"}}', expect: (d) => expect(d.status).toBe(1) },
  { name: 'business error as body.message.text with status 0', body: '{"header":{"status":0},"body":{"model":"message","message":{"text":"联系人姓名不能为空！"}}}', expect: (d) => expect(d.envelope.body?.message?.text).toBe('联系人姓名不能为空！') },
  { name: 'empty HTTP body', body: '', expect: (d) => expect(d).toMatchObject({ status: 0, emptyBody: true }) },
  { name: 'header only (no body)', body: '{"header":{"status":0,"message":"ok"}}', expect: (d) => expect(d.emptyBody).toBe(true) },
  { name: 'BOM and whitespace', body: '\uFEFF  {"header":{"status":0}}\r\n', expect: (d) => expect(d.status).toBe(0) },
  { name: 'raw control characters inside strings', body: '{"header":{"status":0},"body":{"message":{"text":"第一行\n第二行\t完"}}}', expect: (d) => expect(d.envelope.body?.message?.text).toBe('第一行\n第二行\t完') },
  { name: 'JS literal: unquoted keys, single quotes, trailing comma', body: "{header:{status:0,message:'ok',},body:{model:'message',message:{text:'保存成功！'}}}", expect: (d) => expect(d.envelope.body?.message?.text).toBe('保存成功！') },
  { name: 'HTML entities in texts', body: '{"header":{"status":0},"body":{"message":{"text":"&#20320;&#x597D; &amp; 再见"}}}', expect: (d) => expect(d.envelope.body?.message?.text).toBe('你好 & 再见') },
  { name: 'unknown keys and post:null', body: '{"header":{"status":0,"language":"cn"},"post":null,"body":{"model":"x","extra":1}}', expect: (d) => expect(d.status).toBe(0) },
];

const FAULTS: Array<{ name: string; http?: number; body: string; kind: typeof TransientError | typeof ProtocolError; ambiguous?: boolean }> = [
  { name: 'plain text (runtime not started)', body: '系统【服务端】未正常启动…', kind: TransientError, ambiguous: true },
  { name: 'HTML 500 page', http: 500, body: '<html><body><h2>500 - 内部服务器错误。</h2></body></html>', kind: TransientError, ambiguous: true },
  { name: 'HTML page with HTTP 200', body: '<!DOCTYPE html><html>IIS</html>', kind: TransientError, ambiguous: true },
  { name: 'JSON without a header', body: '{"Code":500,"Msg":"x"}', kind: TransientError },
  { name: 'truncated JSON', body: '{"header":{"status":0', kind: TransientError },
  { name: 'HTTP 404 (wrong path)', http: 404, body: '<html>404</html>', kind: ProtocolError },
  { name: 'HTTP 503 (not processed)', http: 503, body: 'busy', kind: TransientError, ambiguous: false },
];

describe('decodeResponse', () => {
  for (const s of SHAPES) it(`survives ${s.name}`, () => s.expect(decodeResponse(s.http ?? 200, s.body, P)));
  for (const f of FAULTS) {
    it(`classifies ${f.name}`, () => {
      let err: unknown;
      try {
        decodeResponse(f.http ?? 200, f.body, P);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(f.kind);
      expect((err as Error).message).toContain(P);
      if (f.ambiguous !== undefined) expect((err as TransientError).ambiguous).toBe(f.ambiguous);
    });
  }
});

describe('normaliseTable', () => {
  const cols = [{ id: 'ord', dbtype: 'int' }, { id: 'person_name', dbtype: 'string' }];
  const page = { recordcount: 2, pagesize: 20, pagecount: 1, pageindex: 1 };
  it('takes rows as arrays of arrays', () => {
    expect(normaliseTable({ cols, rows: [['1', '张三'], [2, null]], page }).rows).toEqual([['1', '张三'], ['2', '']]);
  });
  it('takes rows as objects {value: [...], ord}', () => {
    expect(normaliseTable({ cols, rows: [{ value: ['1', '张三'], ord: '1' }], page }).rows).toEqual([['1', '张三']]);
  });
  it('takes rows as objects keyed by column id, and a single bare object', () => {
    expect(normaliseTable({ cols, rows: [{ ord: '5', person_name: '李四' }], page }).rows).toEqual([['5', '李四']]);
    expect(normaliseTable({ cols, rows: { ord: '6', person_name: '王五' }, page }).rows).toEqual([['6', '王五']]);
  });
  it('takes an empty list with no cols and a zeroed or missing page', () => {
    expect(normaliseTable({ rows: [] })).toEqual({ cols: [], rows: [], page: { recordcount: 0, pagesize: 0, pagecount: 0, pageindex: 0 } });
    expect(normaliseTable(undefined).rows).toEqual([]);
  });
  it('reads page numbers written with thousands separators', () => {
    expect(normaliseTable({ cols, rows: [], page: { recordcount: '1,234', pagesize: 20, pagecount: 62, pageindex: 1 } }).page.recordcount).toBe(1234);
  });
});

describe('helpers', () => {
  it('parses numbers with thousands separators', () => {
    expect(parseNumber('1,234.50')).toBe(1234.5);
    expect(parseNumber('12,345,678')).toBe(12345678);
    expect(parseNumber('')).toBeNaN();
    expect(parseNumber('abc')).toBeNaN();
  });
  it('decodes entities and leaves plain text alone', () => {
    expect(decodeEntities('A&lt;B&gt;&quot;&#39;')).toBe('A<B>"\'');
    expect(decodeEntities('无实体')).toBe('无实体');
    expect(decodeEntities('&bogus;')).toBe('&bogus;');
  });
  it('returns undefined for text that is no document at all', () => {
    expect(parseLenient('{not json at all')).toBeUndefined();
  });
});
