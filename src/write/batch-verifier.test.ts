import { describe, expect, it } from 'vitest';
import type { ContactRef } from '../run/import-erp.js';
import { BatchVerifier } from './batch-verifier.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A list that numbers records as they are stored, read newest first, each read taking a while:
 * saves go on being stored while a read is on its way, as at an ERP.
 */
function erp(existing: number) {
  const records: ContactRef[] = Array.from({ length: existing }, (_, i) => ({ ord: String(i + 1), values: { person_name: `已有${i}` } }));
  const reads: Array<{ pagesize: number; pageindex: number }> = [];
  return {
    reads,
    store(name: string): ContactRef {
      const r = { ord: String(records.length + 1), values: { person_name: name } };
      records.push(r);
      return r;
    },
    async newest(pagesize: number, pageindex: number) {
      reads.push({ pagesize, pageindex });
      const rows = records.slice().reverse().slice((pageindex - 1) * pagesize, pageindex * pagesize);
      await pause(3);
      return { rows };
    },
  };
}

describe('BatchVerifier', () => {
  it('finds every save in one page a batch while saves go on during its reads', async () => {
    const list = erp(50);
    const v = (await BatchVerifier.start({ newest: (s, p) => list.newest(s, p), maxPageSize: 500, maxBatch: 40, maxWaitMs: 60_000 }))!;
    expect(v).toBeDefined();
    const found: Array<Promise<[ContactRef, ContactRef | undefined]>> = [];
    // Four saves in flight: each marked when sent, stored a moment later, expected once answered.
    await Promise.all(Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 100; i++) {
        const name = `新建${w}-${i}`;
        const mark = v.mark();
        await pause(1);
        const saved = list.store(name);
        await pause(0);
        found.push(v.expect(mark, (r) => r.values.person_name === name, { key: 'person_name', value: name }).then((r) => [saved, r]));
      }
    }));
    v.readNow();
    for (const [saved, seen] of await Promise.all(found)) expect(seen?.ord).toBe(saved.ord);
    const batches = list.reads.filter((r) => r.pageindex === 1).length - 1; // less start()'s page
    expect(batches).toBeGreaterThanOrEqual(400 / 40 - 1);
    // A batch's page reaches back to its oldest save: no second page.
    expect(list.reads.filter((r) => r.pageindex > 1)).toEqual([]);
    // …and is about as large as the saves it covers: a batch, those on their way, and its margin.
    for (const r of list.reads.slice(1)) expect(r.pagesize).toBeLessThanOrEqual(Math.ceil((40 + 2 * 4) * 1.2) + 20);
  });

  it('looks for a save answered after a read went out among what that read showed, then only in newer records', async () => {
    const list = erp(5);
    const v = (await BatchVerifier.start({ newest: (s, p) => list.newest(s, p), maxPageSize: 500, maxBatch: 100, maxWaitMs: 60_000 }))!;
    const marks = [v.mark(), v.mark(), v.mark()];
    const a = list.store('甲');
    const first = v.expect(marks[0], (r) => r.values.person_name === '甲');
    // 乙 is stored before the ERP reads its list, 丙 after; both are answered after the read went out.
    const b = list.store('乙');
    v.readNow();
    expect((await first)?.ord).toBe(a.ord);
    const c = list.store('丙');
    const reads = list.reads.length;
    const second = v.expect(marks[1], (r) => r.values.person_name === '乙');
    v.readNow();
    expect((await second)?.ord).toBe(b.ord);
    // Found among what the last read showed: no read of its own.
    expect(list.reads.length).toBe(reads);
    const third = v.expect(marks[2], (r) => r.values.person_name === '丙');
    v.readNow();
    expect((await third)?.ord).toBe(c.ord);
    expect(list.reads.length).toBe(reads + 1);
  });

  it('reports a save its page does not show as missing, and a later one as found', async () => {
    const list = erp(5);
    const v = (await BatchVerifier.start({ newest: (s, p) => list.newest(s, p), maxPageSize: 500, maxBatch: 2, maxWaitMs: 60_000 }))!;
    const lost = v.expect(v.mark(), (r) => r.values.person_name === '丢失', { key: 'person_name', value: '丢失' });
    const mark = v.mark();
    const saved = list.store('保存了');
    const kept = v.expect(mark, (r) => r.values.person_name === '保存了', { key: 'person_name', value: '保存了' });
    expect(await lost).toBeUndefined();
    expect((await kept)?.ord).toBe(saved.ord);
  });

  it('declines a list that does not sort newest first', async () => {
    const records = [{ ord: '1', values: {} }, { ord: '2', values: {} }];
    expect(await BatchVerifier.start({ newest: async () => ({ rows: records }), maxPageSize: 500, maxBatch: 10, maxWaitMs: 1000 })).toBeUndefined();
  });
});
