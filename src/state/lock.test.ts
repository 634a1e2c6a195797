import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { acquireLock, peekLock, replaceStale } from './lock.js';
import { thisProcess } from './process-alive.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'zbport-lock-'));
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('acquireLock', () => {
  it('holds, names its holder, and releases', () => {
    const file = path.join(tmp(), 'state', 'p.lock');
    const a = acquireLock(file, 'zbport run p.yaml');
    expect(a.ok).toBe(true);
    const b = acquireLock(file, 'zbport run p.yaml --input x.csv');
    expect(b).toMatchObject({ ok: false, why: 'running', holder: { pid: process.pid, host: hostname(), command: 'zbport run p.yaml' } });
    expect(peekLock(file)?.pid).toBe(process.pid);
    if (a.ok) a.release();
    expect(existsSync(file)).toBe(false);
    expect(peekLock(file)).toBeUndefined();
    // Nothing else is left in the folder (the draft the lock is linked from included).
    expect(readdirSync(path.dirname(file))).toEqual([]);
  });

  it('takes over the lock of a process of this host that has ended', () => {
    const file = path.join(tmp(), 'p.lock');
    const pid = deadPid();
    writeFileSync(file, JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00Z', command: 'old' }));
    const r = acquireLock(file, 'new');
    expect(r).toMatchObject({ ok: true, tookOver: { pid, command: 'old' } });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, command: 'new' });
  });

  it('never takes over a lock of another host', () => {
    const file = path.join(tmp(), 'p.lock');
    writeFileSync(file, JSON.stringify({ pid: deadPid(), host: 'elsewhere', since: '2026-01-01T00:00:00Z' }));
    expect(acquireLock(file, 'x')).toMatchObject({ ok: false, why: 'other-host', holder: { host: 'elsewhere' } });
  });

  it.runIf(existsSync('/proc/self/stat'))('knows a reused pid or a restarted machine from the process that wrote the lock', () => {
    const me = thisProcess();
    const file = path.join(tmp(), 'p.lock');
    // Our own pid, but another start time: the pid now belongs to another process.
    writeFileSync(file, JSON.stringify({ ...me, start: (me.start ?? 0) + 1, since: 'then' }));
    expect(acquireLock(file, 'x')).toMatchObject({ ok: true, tookOver: { since: 'then' } });
    const other = path.join(tmp(), 'q.lock');
    writeFileSync(other, JSON.stringify({ ...me, boot: 'another-boot', since: 'then' }));
    expect(acquireLock(other, 'x').ok).toBe(true);
  });

  it('treats an unreadable lock as held while it is fresh, and as stale once old', () => {
    const file = path.join(tmp(), 'p.lock');
    writeFileSync(file, '');
    expect(acquireLock(file, 'x').ok).toBe(false);
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    expect(acquireLock(file, 'x').ok).toBe(true);
  });

  it('release leaves a lock someone else put in its place', () => {
    const file = path.join(tmp(), 'p.lock');
    const a = acquireLock(file, 'x');
    writeFileSync(file, JSON.stringify({ pid: 1, host: 'elsewhere', since: 'now' }));
    if (a.ok) a.release();
    expect(existsSync(file)).toBe(true);
  });

  it('a run that saw a stale lock does not remove the one another run took meanwhile', () => {
    const file = path.join(tmp(), 'p.lock');
    const stale = JSON.stringify({ pid: deadPid(), host: hostname(), since: 'then' });
    writeFileSync(file, stale);
    // Run B read `stale`; before it acts, run A takes the lock over.
    const a = acquireLock(file, 'A');
    expect(a).toMatchObject({ ok: true, tookOver: { since: 'then' } });
    const mine = readFileSync(file, 'utf8');
    // B now tries to remove what it saw: the lock is A's, so nothing happens.
    expect(replaceStale(file, stale, JSON.stringify({ pid: process.pid, host: hostname(), since: 'now' }))).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(mine);
    expect(acquireLock(file, 'B').ok).toBe(false);
  });
});
