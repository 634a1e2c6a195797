import { describe, expect, it } from 'vitest';
import type { CustomerRef, ImportErp } from '../run/import-erp.js';
import { CompanyResolver } from './company-resolver.js';

/** An ERP of `total` customers named 客户N, counting what the resolver asks of it. */
function erp(total: number, o: { maxPageSize?: number; countFails?: number } = {}) {
  const customers: CustomerRef[] = Array.from({ length: total }, (_, i) => ({ ord: String(i + 1), name: `客户${i + 1}`, khid: `KH${i + 1}` }));
  const asked = { counts: 0, loads: [] as Array<boolean | undefined>, byName: [] as string[] };
  let failures = o.countFails ?? 0;
  let countAnswered = () => {};
  const counted = new Promise<void>((r) => (countAnswered = r));
  const fake: Partial<ImportErp> = {
    maxPageSize: o.maxPageSize ?? 500,
    async customerCount() {
      asked.counts++;
      await Promise.resolve();
      countAnswered();
      if (failures-- > 0) throw new Error('count failed');
      return total;
    },
    async *allCustomers(opts) {
      asked.loads.push(opts?.background);
      yield* customers;
    },
    async customersByName(name) {
      asked.byName.push(name);
      return customers.filter((c) => c.name.includes(name));
    },
  };
  return { erp: fake as ImportErp, asked, counted };
}

const settled = () => new Promise((r) => setTimeout(r, 0));

describe('CompanyResolver at the start of a run', () => {
  it('loads a list of one page when the count comes, in the background, and looks no name up', async () => {
    const e = erp(50);
    const r = new CompanyResolver(e.erp, 'name', 'auto');
    r.start();
    await settled();
    expect(e.asked).toMatchObject({ counts: 1, loads: [true], byName: [] });
    expect(await r.resolve('客户7')).toMatchObject({ ok: true, ord: '7' });
    expect(await r.resolve('没有这个客户')).toMatchObject({ ok: false, code: 'LOOKUP_MISS' });
    expect(e.asked).toMatchObject({ counts: 1, loads: [true], byName: [] });
  });

  it('reads nothing more when the ERP has no customers', async () => {
    const e = erp(0);
    const r = new CompanyResolver(e.erp, 'name', 'auto');
    r.start();
    expect(await r.resolve('客户1')).toMatchObject({ ok: false, code: 'LOOKUP_MISS' });
    expect(e.asked).toMatchObject({ counts: 1, loads: [], byName: [] });
  });

  it('looks names up one by one until they cost as many requests as the pages, then loads the list, as before', async () => {
    const e = erp(1200);
    const r = new CompanyResolver(e.erp, 'name', 'auto');
    r.start();
    await settled();
    expect(e.asked.loads).toEqual([]);
    for (const n of [1, 2, 3]) await r.resolve(`客户${n}`);
    expect(e.asked.byName).toEqual(['客户1', '客户2', '客户3']);
    expect(await r.resolve('客户4')).toMatchObject({ ok: true, ord: '4' });
    expect(e.asked).toMatchObject({ counts: 1, loads: [undefined], byName: ['客户1', '客户2', '客户3'] });
  });

  it('counts pages at the installation\'s page size when it is smaller than a load\'s', async () => {
    const e = erp(120, { maxPageSize: 50 });
    const r = new CompanyResolver(e.erp, 'name', 'auto');
    r.start();
    await settled();
    expect(e.asked.loads).toEqual([]);
  });

  it('a failed count leaves the name to be looked up, and the next lookup asks again', async () => {
    const e = erp(50, { countFails: 1 });
    const r = new CompanyResolver(e.erp, 'name', 'auto');
    r.start();
    await e.counted;
    expect(await r.resolve('客户1')).toMatchObject({ ok: true, ord: '1' });
    expect(await r.resolve('客户2')).toMatchObject({ ok: true, ord: '2' });
    expect(e.asked.counts).toBe(2);
  });

  it('asks nothing at the start with preload never or always, nor when customers are named by id', async () => {
    for (const [by, preload] of [['name', 'never'], ['name', 'always'], ['id', 'auto']] as const) {
      const e = erp(50);
      new CompanyResolver(e.erp, by, preload).start();
      await settled();
      expect(e.asked).toMatchObject({ counts: 0, loads: [], byName: [] });
    }
  });

  it('starts no load once the run is over, and waits for the count in flight', async () => {
    const e = erp(50);
    const r = new CompanyResolver(e.erp, 'name', 'auto');
    r.start();
    await r.stop();
    await settled();
    expect(e.asked).toMatchObject({ counts: 1, loads: [] });
  });
});
