import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contentHash, OccurrenceCounter } from '../write/row-key.js';
import { connectErp } from '../run/connect.js';
import { silentLogger } from '../report/logger.js';
import { erpIdentity, Ledger } from './ledger.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'zbport-ledger-'));
const ERP = 'http://erp.example.com:8088';

describe('Ledger', () => {
  it('remembers pending, done and not-stored follow-ups across openings', () => {
    const dir = tmp();
    const a = Ledger.open(dir, ERP)!;
    a.pending('k1', 2, '77');
    a.done('k1', 2);
    a.pending('k2', 3);
    a.pending('k3', 4);
    a.notStored('k3', 4);
    a.close();
    const b = Ledger.open(dir, ERP)!;
    expect([b.get('k1'), b.get('k2'), b.get('k3'), b.get('k4')]).toEqual(['done', 'pending', undefined, undefined]);
    expect(b.posted).toBe(1);
    // A repost's pending line does not undo the earlier done.
    b.pending('k1', 2);
    b.close();
    expect(Ledger.open(dir, ERP)!.get('k1')).toBe('done');
    const meta = JSON.parse(readFileSync(b.file.replace(/\.jsonl$/, '.json'), 'utf8'));
    expect(meta).toMatchObject({ erp: ERP, entity: 'followup', posted: 1 });
  });

  it('keeps one ledger per ERP, and a read-only one (dry runs) writes nothing', () => {
    const dir = tmp();
    expect(Ledger.open(dir, ERP, { readOnly: true })).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    const a = Ledger.open(dir, ERP)!;
    a.done('k', 1);
    a.close();
    expect(Ledger.open(dir, 'http://other:8088')!.get('k')).toBeUndefined();
    const ro = Ledger.open(dir, ERP, { readOnly: true })!;
    expect(ro.get('k')).toBe('done');
    expect(() => ro.done('k2', 2)).toThrow();
  });

  it('ignores a line torn by a kill, and starts the next record on a line of its own', () => {
    const dir = tmp();
    const a = Ledger.open(dir, ERP)!;
    a.done('k1', 1);
    a.close();
    appendFileSync(a.file, '{"k":"k2","s":"d');
    const b = Ledger.open(dir, ERP)!;
    expect(b.get('k2')).toBeUndefined();
    b.done('k3', 3);
    b.close();
    const c = Ledger.open(dir, ERP)!;
    expect([c.get('k1'), c.get('k2'), c.get('k3')]).toEqual(['done', undefined, 'done']);
  });

  it('holds 40,000 row keys, occurrences of identical rows apart, and reads them back', () => {
    const dir = tmp();
    const a = Ledger.open(dir, ERP)!;
    const occ = new OccurrenceCounter();
    const keys: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const h = contentHash('followup', { ord: String(i), intro: `第${i}次洽谈` });
      keys.push(occ.next(h), occ.next(h)); // each row twice: #1 and #2
    }
    for (const k of keys) a.done(k, 1);
    a.close();
    const b = Ledger.open(dir, ERP)!;
    expect(b.posted).toBe(40_000);
    expect(keys.every((k) => b.get(k) === 'done')).toBe(true);
    const h = contentHash('followup', { ord: '5', intro: '第5次洽谈' });
    expect(b.get(`${h}#3`)).toBeUndefined();
    expect(b.get(contentHash('followup', { ord: '5', intro: '第5次洽谈 ' }))).toBeUndefined();
  });
});

describe('erpIdentity', () => {
  it('names the ERP without credentials, trailing slash or case differences', () => {
    expect(erpIdentity('http://user:secret@ERP.example.com:8088/')).toBe('http://erp.example.com:8088');
    expect(erpIdentity('http://erp.example.com:80')).toBe('http://erp.example.com');
  });

  it('gives the built-in emulator on one data folder one name, whatever port it gets', async () => {
    const data = path.join(tmp(), 'emu');
    const block = { baseUrlEnv: 'NO_SUCH_VAR_ZB', userEnv: 'U', passwordEnv: 'P', serialnumEnv: 'S', login: 'webapi' as const, fallback: 'emulator' as const, emulatorData: data, timeoutMs: 5000 };
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const conn = await connectErp({ pipeline: { erp: block }, env: {}, log: silentLogger, tuning: { concurrency: 1, rateLimit: 0, retries: 0 } });
      ids.push(erpIdentity(conn.target));
      await conn.close();
    }
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).toBe(`emulator:${path.resolve(data)}`);
    expect(existsSync(data)).toBe(true);
  }, 60_000);
});
