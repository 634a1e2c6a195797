/**
 * The emulator's records, in memory, persisted to a data directory:
 * - meta.json: the seed parameters and the seed date; the seeded base is regenerated from them;
 * - changes.jsonl: every change after seeding, appended as it happens (jsonl.ts), so what a client
 *   was told is saved survives a restart.
 */
import { closeSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { appendJsonLine, openJsonLines } from '../jsonl.js';
import path from 'node:path';
import { CONTACT_FIELDS } from '../catalog/index.js';
import { DEFAULT_SEED, seedContacts, seedCustomers, type SeedSize } from './seed.js';
import { ensureDir } from '../ensure-dir.js';

export type CustomerRecord = Record<string, string> & { ord: string; name: string };
export type ContactRecord = Record<string, string> & { ord: string; company: string; date1: string };
export type FollowupRecord = Record<string, string> & { id: string; datatype: string; ord: string; date7: string };

type Change =
  | { k: 'customer'; v: CustomerRecord }
  | { k: 'contact'; v: ContactRecord }
  | { k: 'followup'; v: FollowupRecord }
  | { k: 'allocate'; v: { ord: string } };

interface Meta {
  version: 1;
  seed: SeedSize;
  /** The date the seed was made for (birthdays "next week" are relative to it). */
  seededOn: string;
}

export const CONTACT_FIELD_IDS = CONTACT_FIELDS.filter((f) => !f.key).map((f) => f.id);

export class EmulatorStore {
  private readonly customerList: CustomerRecord[] = [];
  private readonly customerByOrd = new Map<string, CustomerRecord>();
  private readonly contactList: ContactRecord[] = [];
  private readonly contactByOrd = new Map<string, ContactRecord>();
  private readonly contactsByCompany = new Map<string, ContactRecord[]>();
  private readonly followupList: FollowupRecord[] = [];
  private readonly allocated = new Set<string>();
  private nextOrd = 1;
  private nextFollowup = 1;
  private fd: number | undefined;
  /** Bumped on every change: list caches key on it. */
  version = 0;

  private constructor() {}

  /** Opens a data directory (seeding it when empty), or an in-memory store when `dir` is undefined. */
  static open(dir: string | undefined, seed: Partial<SeedSize> = {}, today: Date = new Date()): EmulatorStore {
    const s = new EmulatorStore();
    let meta: Meta = { version: 1, seed: { ...DEFAULT_SEED, ...seed }, seededOn: today.toISOString().slice(0, 10) };
    let changes: Change[] = [];
    if (dir) {
      ensureDir(dir);
      const metaFile = path.join(dir, 'meta.json');
      if (existsSync(metaFile)) meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Meta;
      else writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
      const log = openJsonLines<Change>(path.join(dir, 'changes.jsonl'));
      changes = log.records;
      s.fd = log.fd;
    }
    s.seed(meta.seed, new Date(`${meta.seededOn}T00:00:00`));
    for (const c of changes) s.apply(c);
    return s;
  }

  private seed(size: SeedSize, today: Date): void {
    for (const c of seedCustomers(size)) this.putCustomer(c as unknown as CustomerRecord);
    for (const c of seedContacts(size, this.nextOrd, today)) this.putContact(c);
  }

  private apply(c: Change): void {
    if (c.k === 'customer') this.putCustomer(c.v);
    else if (c.k === 'contact') this.putContact(c.v);
    else if (c.k === 'followup') this.addFollowup(c.v);
    else this.allocated.add(c.v.ord);
    this.bump(Number(c.k === 'followup' ? 0 : c.v.ord));
  }

  private bump(ord: number): void {
    if (Number.isFinite(ord) && ord >= this.nextOrd) this.nextOrd = ord + 1;
  }

  private persist(c: Change): void {
    this.version++;
    if (this.fd !== undefined) appendJsonLine(this.fd, c);
  }

  private putCustomer(c: CustomerRecord): void {
    const old = this.customerByOrd.get(c.ord);
    if (old) Object.assign(old, c);
    else {
      this.customerList.push(c);
      this.customerByOrd.set(c.ord, c);
    }
    this.bump(Number(c.ord));
  }

  private putContact(c: ContactRecord): void {
    const old = this.contactByOrd.get(c.ord);
    if (old) {
      if (old.company !== c.company) {
        const list = this.contactsByCompany.get(old.company);
        if (list) list.splice(list.indexOf(old), 1);
        this.index(old, c.company);
      }
      Object.assign(old, c);
    } else {
      const last = this.contactList.at(-1);
      if (last && Number(last.ord) >= Number(c.ord)) this.contactsInOrdOrder = false;
      this.contactList.push(c);
      this.contactByOrd.set(c.ord, c);
      this.index(c, c.company);
    }
    this.bump(Number(c.ord));
  }

  private index(c: ContactRecord, company: string): void {
    const list = this.contactsByCompany.get(company);
    if (list) list.push(c);
    else this.contactsByCompany.set(company, [c]);
  }

  private addFollowup(f: FollowupRecord): void {
    this.followupList.push(f);
    const n = Number(f.id);
    if (n >= this.nextFollowup) this.nextFollowup = n + 1;
  }

  // ---- reads (tests use these to prove nothing was lost or doubled) ----

  customers(): readonly CustomerRecord[] {
    return this.customerList;
  }

  /** Whether contacts() is in ascending ord order (ords only grow, unless a seed or test put one out of turn). */
  contactsInOrdOrder = true;

  contacts(): readonly ContactRecord[] {
    return this.contactList;
  }

  followups(): readonly FollowupRecord[] {
    return this.followupList;
  }

  getCustomer(ord: string): CustomerRecord | undefined {
    return this.customerByOrd.get(ord);
  }

  getContact(ord: string): ContactRecord | undefined {
    return this.contactByOrd.get(ord);
  }

  contactsOfCompany(company: string): readonly ContactRecord[] {
    return this.contactsByCompany.get(company) ?? [];
  }

  isAllocated(ord: string): boolean {
    return this.allocated.has(ord);
  }

  // ---- writes ----

  createContact(fields: Record<string, string>, now: string): ContactRecord {
    const ord = String(this.nextOrd++);
    const rec = { ...blankContact(), ...pick(fields), ord, company: fields.company, date1: now } as ContactRecord;
    this.putContact(rec);
    this.persist({ k: 'contact', v: rec });
    return rec;
  }

  /** The real form save writes every posted field; a field not posted is written empty. */
  updateContact(ord: string, fields: Record<string, string>): ContactRecord {
    const old = this.contactByOrd.get(ord)!;
    const rec = { ...blankContact(), ...pick(fields), ord, company: fields.company, date1: old.date1 } as ContactRecord;
    this.putContact(rec);
    this.persist({ k: 'contact', v: rec });
    return old;
  }

  allocateCustomer(): string {
    const ord = String(this.nextOrd++);
    this.allocated.add(ord);
    this.persist({ k: 'allocate', v: { ord } });
    return ord;
  }

  saveCustomer(rec: CustomerRecord): CustomerRecord {
    this.putCustomer(rec);
    this.persist({ k: 'customer', v: rec });
    return this.customerByOrd.get(rec.ord)!;
  }

  addFollowupRecord(fields: Record<string, string>, datatype: string, now: string): FollowupRecord {
    const rec = { ...fields, id: String(this.nextFollowup++), datatype, ord: fields.ord, date7: now } as FollowupRecord;
    this.addFollowup(rec);
    this.persist({ k: 'followup', v: rec });
    return rec;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function blankContact(): Record<string, string> {
  const r: Record<string, string> = {};
  for (const id of CONTACT_FIELD_IDS) r[id] = '';
  return r;
}

function pick(fields: Record<string, string>): Record<string, string> {
  const r: Record<string, string> = {};
  for (const id of CONTACT_FIELD_IDS) if (fields[id] !== undefined) r[id] = fields[id];
  return r;
}
