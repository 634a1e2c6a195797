import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret, registerUrlCredentials, scrub, withoutCredentials } from './scrub.js';

const PASSWORD = 'Pa55"w&rd/密码%';
const SESSION = 'q1W2e3R4t5Y6u7I8o9P0aSdF';
const LOGIN = JSON.stringify({ session: SESSION, cmdkey: '', datas: [{ id: 'user', val: 'txt:admin' }, { id: 'password', val: `txt:${PASSWORD}` }] });

const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const numericEntities = (s: string) => [...s].map((c) => `&#${c.codePointAt(0)};`).join('');
const hexEntities = (s: string) => [...s].map((c) => `&#x${c.codePointAt(0)!.toString(16).toUpperCase()};`).join('');
const jsonAscii = (s: string) => JSON.stringify(s).slice(1, -1).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function leaks(text: string): string[] {
  return [PASSWORD, SESSION, 'Pa55', 'txt:admin'].filter((s) => text.includes(s));
}

describe('scrub', () => {
  afterEach(() => clearSecrets());

  const echoes: Array<[string, (s: string) => string]> = [
    ['as sent', (s) => s],
    ['JSON-escaped', (s) => JSON.stringify(s)],
    ['JSON-escaped twice', (s) => JSON.stringify(JSON.stringify(s))],
    ['JSON with \\u escapes', jsonAscii],
    ['URL-encoded', encodeURIComponent],
    ['URL-encoded, lower-case hex', (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ['URL-encoded twice', (s) => encodeURIComponent(encodeURIComponent(s))],
    ['form-encoded', (s) => new URLSearchParams({ body: s }).toString()],
    ['HTML-escaped', htmlEscape],
    ['HTML-escaped twice', (s) => htmlEscape(htmlEscape(s))],
    ['decimal entities', numericEntities],
    ['hex entities', hexEntities],
    ['partly encoded (quotes as entities, the rest URL-encoded)', (s) => s.replace(/"/g, '&quot;').replace(/[&/%]/g, (c) => (c === '&' ? c : encodeURIComponent(c)))],
    ['entities inside JSON', (s) => JSON.stringify(htmlEscape(s))],
  ];
  it.each(echoes)('removes the password, the session and txt: values from a body echoed %s', (_name, encode) => {
    registerSecret(PASSWORD);
    registerSecret(SESSION, 'session');
    const text = `保存失败：请求 ${encode(LOGIN)} 无效。`;
    const out = scrub(text);
    expect(leaks(out)).toEqual([]);
    expect(out).toMatch(/^保存失败：请求 /);
    expect(out).toMatch(/ 无效。$/);
  });

  it('takes out the secrets only, keeping every character around them', () => {
    registerSecret(PASSWORD);
    registerSecret(SESSION, 'session');
    const pieces = ['{"session":"', '","cmdkey":"","datas":[{"id":"user","val":"txt:', '"},{"id":"password","val":"txt:', '"}]}'];
    expect(scrub(LOGIN)).toBe(pieces.join('***'));
    expect(scrub(encodeURIComponent(LOGIN))).toBe(pieces.map(encodeURIComponent).join('***'));
    expect(scrub(htmlEscape(LOGIN))).toBe(pieces.map(htmlEscape).join('***'));
  });

  it('finds a form-encoded secret with spaces (`+`) and keeps a `+` of the secret itself', () => {
    registerSecret('my secret pw');
    registerSecret('a+b=c/secret');
    expect(scrub(new URLSearchParams({ p: 'my secret pw', q: 'a+b=c/secret' }).toString())).toBe('p=***&q=***');
    expect(scrub(encodeURIComponent(JSON.stringify({ p: 'a+b=c/secret"' })))).toBe(`${encodeURIComponent('{"p":"')}***${encodeURIComponent('\\""}')}`);
  });

  it('removes txt: values and session keys of secrets nobody registered', () => {
    const out = scrub(`echo: ${LOGIN} | ${encodeURIComponent(LOGIN)} | ${htmlEscape(LOGIN)}`);
    expect(out).not.toContain('Pa55');
    expect(out).not.toContain(SESSION);
    expect(out).not.toContain('admin');
  });

  it('removes an echo cut short inside the secret, with or without an ellipsis', () => {
    registerSecret('correcthorsebattery');
    expect(scrub('HTTP 500: password=correcthor')).toBe('HTTP 500: password=***');
    expect(scrub('HTTP 500: password=correcthorse…')).toBe('HTTP 500: password=***…');
    // three characters are not the secret's start
    expect(scrub('see cor')).toBe('see cor');
  });

  it('leaves text without secrets as it is, and does not search secrets shorter than 4 characters', () => {
    registerSecret('abc');
    registerSecret(PASSWORD);
    const text = '联系人姓名不能为空！ abc 100% & C++ \\n';
    expect(scrub(text)).toBe(text);
  });

  it('removes the credentials of a URL and their Basic-auth token', () => {
    registerUrlCredentials('http://proxy%40user:s%3Acret99@erp.example.com:8088', 'admin');
    const basic = Buffer.from('proxy@user:s:cret99').toString('base64');
    const out = scrub(`Authorization: Basic ${basic}; user proxy@user; pass s:cret99 / s%3Acret99`);
    expect(out).not.toMatch(/proxy|cret99/);
    expect(out).not.toContain(basic);
  });

  it('keeps the ERP account name shown in messages anyway when it is also the URL user', () => {
    registerUrlCredentials('http://admin:longsecret@erp', 'admin');
    expect(scrub('login refused for user `admin`: longsecret')).toBe('login refused for user `admin`: ***');
  });

  it('takes credentials out of URLs, parseable or not', () => {
    expect(withoutCredentials('http://user:pass@erp.example.com:8088/x')).toBe('http://***@erp.example.com:8088/x');
    expect(withoutCredentials('user:pa/ss@erp.example.com')).toBe('***@erp.example.com');
    expect(withoutCredentials('http://u:p@ss@erp')).toBe('http://***@erp');
    expect(withoutCredentials('http://erp.example.com:8088')).toBe('http://erp.example.com:8088');
  });

  it('keeps only the latest session tokens', () => {
    for (let i = 0; i < 40; i++) registerSecret(`session-token-${i}`, 'session');
    expect(scrub('session-token-39')).toBe('***');
    expect(scrub('session-token-0 x')).toBe('session-token-0 x');
  });
});
