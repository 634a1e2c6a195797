/**
 * The ledger of follow-ups (洽谈进展) already posted to one ERP, kept across runs and files.
 *
 * A follow-up has no natural key in the ERP and cannot be read back, and the import journal is
 * archived when a run finishes, so without this a re-run posted every follow-up again (12 rows →
 * 24 → 36 records). Each follow-up is known by its row key (row-key.ts: a content hash of the
 * resolved contact and the field values, plus its occurrence among identical rows of the file),
 * which does not depend on the file, its name or its row order.
 *
 * Like the journal it is append-only and written before the request goes out: `p` (pending: about
 * to be sent), then `d` (done) or `x` (certainly not stored: refused, or never reached the ERP).
 * One ledger per ERP (its base URL without credentials, or the built-in emulator's data folder),
 * so a rehearsal against the emulator never hides a follow-up from the real ERP.
 *
 * Memory: one 9-byte slot (a 64-bit hash and a state byte) per follow-up ever posted, at most
 * half the table full: 18–36 bytes a follow-up, 36 MB at a million. The file grows by about
 * 150 bytes a follow-up; it is read once per run, a megabyte at a time.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { ensureDir } from '../ensure-dir.js';

export type LedgerState = 'pending' | 'done';

interface LedgerLine {
  /** Row key. */
  k: string;
  /** p: pending, d: done, x: not stored. */
  s: 'p' | 'd' | 'x';
  /** Source row, for people reading the file. */
  r?: number;
  /** The contact's ord, for people checking a pending entry in the ERP. */
  c?: string;
  t?: string;
}

export interface LedgerMeta {
  erp: string;
  entity: 'followup';
  created: string;
  updated: string;
  /** Follow-ups recorded as done. */
  posted: number;
  note: string;
}

const FAST_LINE = /^\{"k":"([A-Za-z0-9_#-]*)","s":"([pdx])"/;

const EMPTY = 0;
const PENDING = 1;
const DONE = 2;
const NOT_STORED = 3;

export class Ledger {
  private fd: number | undefined;
  private readonly table = new StateTable();
  private appended = 0;

  private constructor(readonly file: string, readonly erp: string, private readonly readOnly: boolean) {}

  /**
   * Opens the ledger of `erp` in `stateDir`. A read-only ledger (dry runs) is undefined when none
   * exists yet and never writes.
   */
  static open(stateDir: string, erp: string, opts: { readOnly?: boolean } = {}): Ledger | undefined {
    const file = ledgerPath(stateDir, erp);
    if (opts.readOnly && !existsSync(file)) return undefined;
    const l = new Ledger(file, erp, !!opts.readOnly);
    if (!opts.readOnly) ensureDir(path.dirname(file));
    const endsWithNewline = l.load();
    if (!opts.readOnly) {
      l.fd = openSync(file, 'a');
      // A line torn by a kill stays; the next record starts on a line of its own.
      if (!endsWithNewline) writeSync(l.fd, '\n');
      if (!existsSync(metaPath(file))) l.writeMeta();
    }
    return l;
  }

  /** What the ledger says of `key`: posted (`done`), maybe posted (`pending`), or nothing. */
  get(key: string): LedgerState | undefined {
    const s = this.table.get(key);
    return s === DONE ? 'done' : s === PENDING ? 'pending' : undefined;
  }

  /** Follow-ups recorded as posted. */
  get posted(): number {
    return this.table.count(DONE);
  }

  /** Recorded before the post is sent. */
  pending(key: string, row: number, contact?: string): void {
    this.append({ k: key, s: 'p', r: row, ...(contact ? { c: contact } : {}) }, PENDING);
  }

  done(key: string, row: number): void {
    this.append({ k: key, s: 'd', r: row, t: new Date().toISOString() }, DONE);
  }

  /** The post certainly did not store anything (refused, or never reached the ERP). */
  notStored(key: string, row: number): void {
    this.append({ k: key, s: 'x', r: row }, NOT_STORED);
  }

  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    if (this.appended) this.writeMeta();
  }

  private append(line: LedgerLine, state: number): void {
    if (this.readOnly) throw new Error('the ledger is open read-only');
    if (this.fd === undefined) throw new Error('ledger is closed');
    // One synchronous write a record: the kernel has it even if the process dies the next instant.
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    // As when reading back: a repost's pending line does not undo the earlier done.
    if (state === DONE || this.table.get(line.k) !== DONE) this.table.set(line.k, state);
    this.appended++;
  }

  /** Reads the file a megabyte at a time into the table; returns whether it ends with a newline. */
  private load(): boolean {
    if (!existsSync(this.file)) return true;
    const fd = openSync(this.file, 'r');
    const buf = Buffer.alloc(1 << 20);
    let carry = '';
    let last = 0x0a;
    try {
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        last = buf[n - 1];
        // Cut at the last newline: a UTF-8 sequence never holds 0x0a, so no character is split.
        const cut = buf.lastIndexOf(0x0a, n - 1);
        if (cut === -1) {
          carry += buf.toString('utf8', 0, n);
          continue;
        }
        const text = carry + buf.toString('utf8', 0, cut);
        carry = buf.toString('utf8', cut + 1, n);
        let start = 0;
        for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
          this.take(text.slice(start, i));
          start = i + 1;
        }
        this.take(text.slice(start));
      }
      if (carry) this.take(carry); // a complete last line without its newline, or a torn one
    } finally {
      closeSync(fd);
    }
    return last === 0x0a;
  }

  private take(line: string): void {
    if (!line) return;
    // Lines are written by append() with `k` and `s` first: read those without a full JSON parse
    // (a million follow-ups load in about a second instead of seven).
    const m = FAST_LINE.exec(line);
    let k: string;
    let s: string;
    if (m && line.endsWith('}')) {
      k = m[1];
      s = m[2];
    } else {
      try {
        const v = JSON.parse(line) as LedgerLine;
        if (typeof v?.k !== 'string') return;
        k = v.k;
        s = v.s;
      } catch {
        return; // torn by a kill mid-write: what it describes was never acknowledged
      }
    }
    if (s === 'd') this.table.set(k, DONE);
    // A later pending (a repost) does not undo an earlier done.
    else if (s === 'p' && this.table.get(k) !== DONE) this.table.set(k, PENDING);
    else if (s === 'x' && this.table.get(k) !== DONE) this.table.set(k, NOT_STORED);
  }

  private writeMeta(): void {
    const file = metaPath(this.file);
    let created = new Date().toISOString();
    try {
      created = (JSON.parse(readFileSync(file, 'utf8')) as LedgerMeta).created ?? created;
    } catch {
      // first run, or a meta file a person broke: it is only a description
    }
    const meta: LedgerMeta = {
      erp: this.erp, entity: 'followup', created, updated: new Date().toISOString(), posted: this.posted,
      note: 'Append-only ledger of follow-ups posted to this ERP (beside it, .ledger.jsonl). Do not edit; write.repost: true posts again on purpose.',
    };
    writeFileAtomic(file, `${JSON.stringify(meta, null, 2)}\n`);
  }
}

export function ledgerPath(stateDir: string, erp: string): string {
  const id = createHash('sha256').update(erp).digest('hex').slice(0, 12);
  return path.resolve(stateDir, `followups-${id}.ledger.jsonl`);
}

function metaPath(file: string): string {
  return file.replace(/\.jsonl$/, '.json');
}

/**
 * A stable name for the ERP a run writes to: its base URL without credentials, path or trailing
 * slash; for the built-in emulator (a new port each run) its data folder. `target` is the
 * description connect.ts gives (`built-in emulator (http://127.0.0.1:39211, data in .zbport-emulator)`).
 */
export function erpIdentity(target: string): string {
  const emu = /^built-in emulator \(\S+, data in (.*)\)$/.exec(target);
  if (emu) return `emulator:${path.resolve(emu[1])}`;
  try {
    const u = new URL(target.trim());
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return target.trim();
  }
}

/**
 * Open addressing over typed arrays, keyed by 64 bits of the row key: a row key is itself a
 * SHA-256 prefix, so 64 of its bits serve as the hash (two of a million follow-ups share them
 * with a chance of about 3 in 100 million). Anything else is hashed with SHA-256 first.
 */
class StateTable {
  private hi = new Uint32Array(1024);
  private lo = new Uint32Array(1024);
  private st = new Uint8Array(1024);
  private size = 0;
  private readonly counts = [0, 0, 0, 0];

  get(key: string): number {
    const [h, l] = key64(key);
    const i = this.find(h, l);
    return this.st[i];
  }

  set(key: string, state: number): void {
    if ((this.size + 1) * 2 > this.st.length) this.grow();
    const [h, l] = key64(key);
    const i = this.find(h, l);
    if (this.st[i] === EMPTY) {
      this.hi[i] = h;
      this.lo[i] = l;
      this.size++;
    } else {
      this.counts[this.st[i]]--;
    }
    this.st[i] = state;
    this.counts[state]++;
  }

  count(state: number): number {
    return this.counts[state];
  }

  private find(h: number, l: number): number {
    const mask = this.st.length - 1;
    for (let i = (h ^ l) & mask; ; i = (i + 1) & mask) {
      if (this.st[i] === EMPTY || (this.hi[i] === h && this.lo[i] === l)) return i;
    }
  }

  private grow(): void {
    const { hi, lo, st } = this;
    this.hi = new Uint32Array(st.length * 2);
    this.lo = new Uint32Array(st.length * 2);
    this.st = new Uint8Array(st.length * 2);
    for (let j = 0; j < st.length; j++) {
      if (st[j] === EMPTY) continue;
      const i = this.find(hi[j], lo[j]);
      this.hi[i] = hi[j];
      this.lo[i] = lo[j];
      this.st[i] = st[j];
    }
  }
}

const B64 = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) B64[c.charCodeAt(0)] = i;

function key64(key: string): [number, number] {
  // A row key is 22 base64url characters (128 bits of SHA-256), then `#n` for the n-th identical row.
  const v: number[] = [];
  if (key.length === 22 || (key.length > 23 && key.charCodeAt(22) === 35)) {
    for (let i = 0; i < 12; i++) {
      const c = key.charCodeAt(i);
      const d = c < 128 ? B64[c] : -1;
      if (d < 0) break;
      v.push(d);
    }
  }
  let h: number;
  let l: number;
  if (v.length === 12) {
    h = (((v[0] << 24) | (v[1] << 18) | (v[2] << 12) | (v[3] << 6) | v[4]) * 4 + (v[5] & 3)) >>> 0;
    l = (((v[6] << 24) | (v[7] << 18) | (v[8] << 12) | (v[9] << 6) | v[10]) * 4 + (v[11] & 3)) >>> 0;
  } else {
    const b = createHash('sha256').update(key).digest();
    h = b.readUInt32BE(0);
    l = b.readUInt32BE(4);
  }
  const n = key.length > 23 && key.charCodeAt(22) === 35 ? Number(key.slice(23)) : 0;
  if (n) {
    // The occurrence of identical rows, mixed in by a bijection so #2 and #3 stay apart.
    h = (h ^ Math.imul(n, 0x9e3779b1)) >>> 0;
    l = (l ^ Math.imul(n, 0x85ebca6b)) >>> 0;
  }
  return [h, l];
}
