/**
 * The preflight's list checks go out together, yet say what one check after another would: the
 * warnings in the order of the lists asked for, the first failing list's error whichever answers
 * first, and nothing of the lists after it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUTS, type ListName } from '../src/catalog/index.js';
import type { ErpClient } from '../src/erp/client.js';
import { checkLists } from '../src/installation/preflight.js';
import { ColumnMapError, ListLayout, type ListNeeds } from '../src/installation/list-layout.js';
import type { Installation } from '../src/installation/resolve.js';
import { CONNECTION_DEFAULTS } from '../src/installation/profile-schema.js';

const NEEDS: ListNeeds = {
  customer: [{ anyOf: ['ord'], why: 'the customer id' }, { anyOf: ['name'], why: 'finding customers by name' }],
  contact: [{ anyOf: ['ord'], why: 'the contact id' }, { anyOf: ['mobile'], why: 'the match key mobile' }],
};

function installation(): Installation {
  const layouts = {} as Record<ListName, ListLayout>;
  for (const list of ['contact', 'contactPick', 'customer'] as ListName[]) layouts[list] = ListLayout.fromColumns(list, DEFAULT_LAYOUTS[list], 'test profile');
  return { name: 'test', file: 'test.yaml', connection: { ...CONNECTION_DEFAULTS }, layouts, enums: {}, guessed: [] };
}

/** A client whose list pages answer after the given delays with the given columns (none: an empty list). */
function client(pages: Partial<Record<ListName, { ms: number; cols: string[] }>>) {
  const asked: ListName[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const fake = {
    layouts: installation().layouts,
    async rawList(list: ListName) {
      asked.push(list);
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      const p = pages[list]!;
      await new Promise((r) => setTimeout(r, p.ms));
      inFlight--;
      return { cols: p.cols.map((id) => ({ id, dbtype: 'text' })), rows: p.cols.length ? [p.cols.map(() => '1')] : [], page: { recordcount: p.cols.length ? 1 : 0, pagesize: 5, pagecount: 1, pageindex: 1 } };
    },
  };
  return { client: fake as unknown as ErpClient, asked, mostInFlight: () => mostInFlight };
}

function logger() {
  const lines: string[] = [];
  return { lines, log: { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) } };
}

describe('checkLists', () => {
  it('reads the lists at the same time and warns in the order they were asked for', async () => {
    const c = client({ customer: { ms: 40, cols: [] }, contact: { ms: 5, cols: [] } });
    const { lines, log } = logger();
    const r = await checkLists(c.client, installation(), NEEDS, log);
    expect(c.mostInFlight()).toBe(2);
    expect(r.unchecked).toEqual(['customer', 'contact']);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warn 客户列表/);
    expect(lines[1]).toMatch(/^warn 联系人列表/);
  });

  it('throws the first failing list\'s error, even when a later list fails sooner, and says nothing of the lists after it', async () => {
    const c = client({ customer: { ms: 40, cols: ['ord'] }, contact: { ms: 5, cols: ['ord'] } });
    const { lines, log } = logger();
    const err = await checkLists(c.client, installation(), NEEDS, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ColumnMapError);
    expect((err as ColumnMapError).problems.map((p) => p.list)).toEqual(['customer']);
    expect(lines).toEqual([]);
  });

  it('reports the lists before the failing one, as a check one after another would', async () => {
    const c = client({ customer: { ms: 40, cols: [] }, contact: { ms: 5, cols: ['ord'] } });
    const { lines, log } = logger();
    const err = await checkLists(c.client, installation(), NEEDS, log).catch((e: unknown) => e);
    expect((err as ColumnMapError).problems.map((p) => p.list)).toEqual(['contact']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn 客户列表/);
  });
});
