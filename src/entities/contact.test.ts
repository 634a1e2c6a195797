import { describe, expect, it } from 'vitest';
import { ImportPipeline } from '../definition/schema.js';
import type { ContactRef, ImportErp } from '../run/import-erp.js';
import { settle } from '../write/keyed-upsert.js';
import { CONTACT } from './contact.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * An ERP of contacts in memory, whose contact count and list load answer when the test says;
 * `asked` records, in order, what the run read. Its list does not show ord, so creates are
 * verified row by row (no batch verifier): the test drives each row to its end.
 */
function erp(existing: Array<Record<string, string>>) {
  const contacts: ContactRef[] = existing.map((values, i) => ({ ord: String(100 + i), values: { ...values, ord: String(100 + i) } }));
  const count = deferred<number>();
  const load = deferred<void>();
  const asked: string[] = [];
  const fake: Partial<ImportErp> = {
    maxPageSize: 500,
    shows: (_list, key) => key !== 'ord',
    customerCount: async () => 1,
    async *allCustomers() {
      yield { ord: '1', name: '客户一', khid: 'KH1' };
    },
    async contactCount() {
      asked.push('count');
      return count.promise;
    },
    async *allContacts() {
      asked.push('load');
      await load.promise;
      yield* contacts.slice();
    },
    async contacts(filters) {
      asked.push('lookup');
      return contacts.filter((c) => Object.entries(filters).every(([k, v]) => c.values[k] === v));
    },
    async contactDetail(ord) {
      return contacts.find((c) => c.ord === ord)?.values;
    },
    async saveContact(values) {
      asked.push('save');
      const ord = String(100 + contacts.length);
      contacts.push({ ord, values: { ...values, ord } });
      return { outcome: 'saved', text: '保存成功！' };
    },
  };
  return { erp: fake as ImportErp, contacts, count, load, asked };
}

const config = ImportPipeline.parse({ name: 't', kind: 'import', entity: 'contact', source: { file: 'in.csv' }, mapping: { company: '客户', person_name: '姓名', mobile: '手机' } });

function start(e: ReturnType<typeof erp>) {
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  return CONTACT.start({ config, erp: e.erp, dryRun: false, matchKeys: ['company', 'person_name', 'mobile'], target: 'test', log, writable: (_s, _d, open) => open() });
}

const row = (n: number, name: string, mobile: string) => ({ row: n, key: `k${n}`, values: { company: '1', person_name: name, mobile }, blanks: [] });
const turn = () => new Promise((r) => setTimeout(r, 0));

describe('the contact index at the start of a run', () => {
  it('no contacts: an empty index without a list read, and no row looked up before its save', async () => {
    const e = erp([]);
    const run = await start(e);
    e.count.resolve(0);
    await turn();
    expect(await settle(run.write(row(2, '甲', '13900000001')))).toMatchObject({ outcome: 'created' });
    // The look after the save verifies it; nothing was read before it.
    expect(e.asked).toEqual(['count', 'save', 'lookup']);
    await run.close();
  });

  it('a contact created before the count answers is in the index the count makes', async () => {
    const e = erp([]);
    const run = await start(e);
    expect(await settle(run.write(row(2, '甲', '13900000001')))).toMatchObject({ outcome: 'created' });
    // The count was served before that save, and answers only now.
    e.count.resolve(0);
    await turn();
    expect(await settle(run.write(row(3, '甲', '13900000001')))).toMatchObject({ outcome: 'unchanged' });
    expect(e.contacts).toHaveLength(1);
    await run.close();
  });

  it('one page of contacts: loaded when the count comes, and a row waits for it rather than look up', async () => {
    const e = erp([{ company: '1', person_name: '乙', mobile: '13900000002' }]);
    const run = await start(e);
    e.count.resolve(1);
    await turn();
    const written = settle(run.write(row(2, '乙', '13900000002')));
    await turn();
    e.load.resolve();
    expect(await written).toMatchObject({ outcome: 'unchanged', ord: '100' });
    expect(e.asked).toEqual(['count', 'load']);
    await run.close();
  });

  it('ends with the run: a count that answers after it starts no load', async () => {
    const e = erp([{ company: '1', person_name: '乙', mobile: '13900000002' }]);
    const run = await start(e);
    const closed = run.close();
    e.count.resolve(1);
    await closed;
    expect(e.asked).toEqual(['count']);
  });
});
