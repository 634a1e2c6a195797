/**
 * Issue 14: customers as a second entity. The sample pipelines (a workbook in ZB's own layout:
 * customer rows, each followed by rows of its further contacts) against the emulator and every
 * dialect; exactly once under the fault mix and kill -9; a contact import that creates the
 * companies it names when asked, and only then. The real command, in a folder of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DIALECT_NAMES, startEmulator, type Emulator } from '../src/emulator/index.js';
import { tempDir, writeCsv } from './helpers/files.js';
import { STACK_TRACE, zbport } from './helpers/cli.js';

const SEED = { customers: 60, contacts: 100, randomSeed: 20240601 };
const ENV = (emu: Emulator) => ({ ZB_BASE_URL: emu.url, ZB_USER: 'admin', ZB_PASSWORD: 'zbport' });

function workspace(): string {
  const dir = tempDir('zbport-cust-');
  cpSync('pipelines', path.join(dir, 'pipelines'), { recursive: true });
  cpSync('fixtures', path.join(dir, 'fixtures'), { recursive: true });
  return dir;
}

const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, number> & { reports: { results: string; rejects?: string } };
const COUNTS = ['read', 'valid', 'invalid', 'rejected', 'created', 'updated', 'unchanged', 'failed', 'continuationRows', 'lookupRejected'];
const counts = (s: Record<string, unknown>) => Object.fromEntries(COUNTS.map((k) => [k, s[k]]));
const NEW = ['深圳市前海示例科技有限公司', '杭州西湖示例贸易有限公司', '成都天府示例物流有限公司', '武汉光谷示例电子有限公司'];

describe('the customer sample in ZB\'s own layout', () => {
  const outcomes: Record<string, unknown[]> = {};
  for (const dialect of DIALECT_NAMES) {
    it(`${dialect}: customers created, updated and rejected once; their contacts after them, none twice`, async () => {
      const emu = await startEmulator({ port: 0, seed: SEED, dialect, quiet: true });
      try {
        const dir = workspace();
        const o = { cwd: dir, env: ENV(emu) };
        const flags: string[] = [];
        if (dialect !== 'standard') {
          const doctor = await zbport(['doctor', '--output', 'installations/erp.yaml'], o);
          expect(doctor.code, doctor.stderr).toBe(0);
          flags.push('--installation', 'installations/erp.yaml');
        }
        const byd = emu.store.customers().find((c) => c.khid === 'KH000006')!;
        const first = await zbport(['run', 'pipelines/customers-import.yaml', '--json', ...flags], o);
        expect(first.code, first.stderr).toBe(1);
        expect(first.stderr).not.toMatch(STACK_TRACE);
        const s1 = json(first);
        expect(s1).toMatchObject({ read: 6, valid: 5, invalid: 1, created: 4, updated: 1, failed: 0, continuationRows: 4 });
        // Each new customer once, with the number the row gives; the seeded one updated in place.
        for (const name of NEW) expect(emu.store.customers().filter((c) => c.name === name), name).toHaveLength(1);
        expect(emu.store.customers().find((c) => c.name === NEW[0])).toMatchObject({ khid: 'KH900001', sort1: '1', address: '深圳市南山区前海路1号' });
        expect(emu.store.getCustomer(byd.ord)).toMatchObject({ address: '深圳市坪山区比亚迪路3009号' });
        // The row without 客户分类 is rejected with the reason, and nothing was made of it.
        expect(emu.store.customers().some((c) => c.name === '南京玄武示例咨询有限公司')).toBe(false);
        expect(readFileSync(s1.reports.results, 'utf8')).toMatch(/客户分类/);

        const again = json(await zbport(['run', 'pipelines/customers-import.yaml', '--json', ...flags], o));
        expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 5, failed: 0 });

        const contacts = await zbport(['run', 'pipelines/customers-contacts-import.yaml', '--json', ...flags], o);
        const c1 = json(contacts);
        // 4 first contacts came with their customers (found, unchanged); 4 further ones created; the
        // rejected customer's 2 contacts have no customer.
        expect(c1).toMatchObject({ read: 10, created: 4, unchanged: 4, lookupRejected: 2, failed: 0 });
        const people = emu.store.contacts().filter((c) => ['林晓', '黄立', '陈佳', '王涛', '赵敏', '周宁', '孙明', '冯琳'].includes(c.person_name));
        expect(people).toHaveLength(8);
        const company = (name: string) => emu.store.customers().find((c) => c.name === name)!.ord;
        expect(people.find((p) => p.person_name === '黄立')!.company).toBe(company(NEW[0]));
        expect(people.find((p) => p.person_name === '孙明')!.company).toBe(byd.ord);
        outcomes[dialect] = [counts(s1), counts(again), counts(c1)];
      } finally {
        await emu.close();
      }
    }, 120_000);
  }
  it('gives every dialect the outcomes of the standard one', () => {
    for (const d of DIALECT_NAMES) expect(outcomes[d], d).toEqual(outcomes.standard);
  });
});

describe('customers, exactly once', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, seed: { customers: 10, contacts: 0 }, quiet: true });
  });
  afterAll(async () => emu?.close());

  function customers(dir: string, n: number, tag: string): { file: string; names: string[] } {
    const names = Array.from({ length: n }, (_, i) => `${tag}${String(i).padStart(4, '0')}有限公司`);
    const file = writeCsv(path.join(dir, `${tag}.csv`), [['客户编号', '客户名称', '客户分类', '联系人', '手机'], ...names.map((name, i) => [`${tag}-${i}`, name, '1', `联系人${i}`, `139${String(i).padStart(8, '0')}`])]);
    writeFileSync(path.join(dir, 'p.yaml'), `name: cust\nkind: import\nentity: customer\nerp: { timeoutMs: 1500 }\nsource: { file: ${file} }\nmapping: { khid: 客户编号, name: 客户名称, sort1: 客户分类, person_name: 联系人, mobile: 手机 }\nwrite: { concurrency: 12, retries: 8, maxConsecutiveFailures: 1000 }\nreports: { dir: '${dir}/reports/{time}' }\nstateDir: ${dir}/state\n`);
    return { file, names };
  }
  const check = (names: string[]) => {
    const count = new Map<string, number>();
    for (const c of emu.store.customers()) count.set(c.name, (count.get(c.name) ?? 0) + 1);
    return { missing: names.filter((n) => !count.has(n)), doubled: names.filter((n) => (count.get(n) ?? 0) > 1) };
  };

  it('under the 10% fault mix and silent drops, each customer ends created once or reported', async () => {
    const dir = tempDir('zbport-cust-');
    const { names } = customers(dir, 400, '故障客户');
    emu.setFaults({ failRate: 0.1, dropSaveRate: 0.02, randomSeed: 5, faultAfterWriteRate: 0.5 });
    let r;
    try {
      r = await zbport(['run', 'p.yaml', '--json'], { cwd: dir, env: ENV(emu) });
    } finally {
      emu.resetFaults();
    }
    const s = json(r);
    const { missing, doubled } = check(names);
    expect(doubled).toEqual([]);
    expect(missing.length, r.stderr.slice(-2000)).toBe(s.failed);
    expect(s.created + s.failed).toBe(names.length);
    // The customer form's first contact: once per customer.
    const firsts = emu.store.contacts().filter((c) => c.person_name.startsWith('联系人') && names.includes(emu.store.getCustomer(c.company)?.name ?? ''));
    expect(firsts.length).toBe(names.length - missing.length);
  }, 240_000);

  it('killed with SIGKILL at random points and run again, ends with every customer exactly once', async () => {
    const dir = tempDir('zbport-cust-');
    const { names } = customers(dir, 300, '断电客户');
    emu.setFaults({ latencyMs: 3, jitterMs: 3 });
    const runChild = (killAfterCreates?: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [path.resolve('bin/zbport.js'), 'run', 'p.yaml', '--quiet'], { cwd: dir, env: { ...process.env, ...ENV(emu), ZBPORT_INSTALLATION: '' }, stdio: 'ignore' });
        const start = emu.counters.creates;
        const timer = killAfterCreates === undefined ? undefined : setInterval(() => {
          if (emu.counters.creates - start >= killAfterCreates) child.kill('SIGKILL');
        }, 2);
        child.on('exit', (code) => {
          clearInterval(timer);
          resolve(code);
        });
      });
    for (const after of [1 + Math.floor(Math.random() * 10), 10 + Math.floor(Math.random() * 60), 1 + Math.floor(Math.random() * 40)]) {
      expect(await runChild(after)).toBe(null);
    }
    expect(check(names).doubled).toEqual([]);
    expect(await runChild()).toBe(0);
    emu.resetFaults();
    expect(check(names)).toEqual({ missing: [], doubled: [] });
  }, 240_000);
});

describe('a contact import whose companies are missing', () => {
  it('rejects the rows unless asked, and then creates each company once, reported per row', async () => {
    const emu = await startEmulator({ port: 0, seed: { customers: 10, contacts: 0 }, quiet: true });
    try {
      const dir = tempDir('zbport-cust-');
      writeCsv(path.join(dir, 'in.csv'), [
        ['客户名称', '联系人姓名', '手机'],
        ['新建示例有限公司', '甲', '13900000001'],
        ['新建示例有限公司', '乙', '13900000002'],
        ['另一家新建有限公司', '丙', '13900000003'],
        [emu.store.customers()[0].name, '丁', '13900000004'],
      ]);
      const pipeline = (extra: string) => writeFileSync(path.join(dir, 'p.yaml'), `name: missing\nkind: import\nentity: contact\nsource: { file: in.csv }\nmapping: { company: 客户名称, person_name: 联系人姓名, mobile: 手机 }\n${extra}`);
      const o = { cwd: dir, env: ENV(emu) };
      const before = emu.store.customers().length;

      pipeline('');
      const refused = json(await zbport(['run', 'p.yaml', '--json'], o));
      expect(refused).toMatchObject({ created: 1, lookupRejected: 3 });
      expect(emu.store.customers().length).toBe(before);

      pipeline('lookup:\n  createMissing: { values: { sort1: "1", ly: "172" } }\n');
      const r = await zbport(['run', 'p.yaml', '--json'], o);
      expect(r.code, r.stderr).toBe(0);
      const s = json(r);
      expect(s.lookups).toMatchObject({ created: 2 });
      expect(emu.store.customers().length).toBe(before + 2);
      const made = emu.store.customers().find((c) => c.name === '新建示例有限公司')!;
      expect(made).toMatchObject({ sort1: '1', ly: '172' });
      // 甲 came with the new customer (its first contact) and 乙 after it; none twice.
      const people = emu.store.contacts().filter((c) => ['甲', '乙', '丙', '丁'].includes(c.person_name));
      expect(people.map((p) => p.person_name).sort()).toEqual(['丁', '丙', '乙', '甲']);
      expect(people.find((p) => p.person_name === '乙')!.company).toBe(made.ord);
      expect(readFileSync(s.reports.results, 'utf8')).toMatch(/客户“新建示例有限公司”已新建/);

      // Run again: nothing new.
      const again = json(await zbport(['run', 'p.yaml', '--json'], o));
      expect(again).toMatchObject({ created: 0, failed: 0 });
      expect(emu.store.customers().length).toBe(before + 2);
    } finally {
      await emu.close();
    }
  }, 120_000);

  it('a contact the customer form made along with its new company is not created again once the contacts are indexed', async () => {
    // One row at a time: the first rows load the index of existing contacts before the row that
    // makes a company comes; its contact is then in the ERP but not in the index.
    const emu = await startEmulator({ port: 0, seed: { customers: 10, contacts: 0 }, quiet: true });
    try {
      const dir = tempDir('zbport-cust-');
      const known = emu.store.customers()[0].name;
      writeCsv(path.join(dir, 'in.csv'), [
        ['客户名称', '联系人姓名', '手机'],
        [known, '甲', '13900000011'],
        [known, '乙', '13900000012'],
        [known, '丙', '13900000013'],
        ['索引后新建有限公司', '丁', '13900000014'],
        ['索引后新建有限公司', '戊', '13900000015'],
      ]);
      writeFileSync(path.join(dir, 'p.yaml'), `name: indexed\nkind: import\nentity: contact\nsource: { file: in.csv }\nmapping: { company: 客户名称, person_name: 联系人姓名, mobile: 手机 }\nlookup:\n  createMissing: { values: { sort1: "1" } }\nwrite: { concurrency: 1 }\n`);
      const r = await zbport(['run', 'p.yaml', '--json'], { cwd: dir, env: ENV(emu) });
      expect(r.code, r.stderr).toBe(0);
      const people = emu.store.contacts().map((c) => c.person_name).sort();
      expect(people).toEqual(['丁', '丙', '乙', '戊', '甲']);
      const again = json(await zbport(['run', 'p.yaml', '--json'], { cwd: dir, env: ENV(emu) }));
      expect(again).toMatchObject({ created: 0, failed: 0 });
      expect(emu.store.contacts()).toHaveLength(5);
    } finally {
      await emu.close();
    }
  }, 120_000);
});
