/**
 * A lock file so that two runs never write the same thing at once (cron overlapping a manual run
 * of one import stored 1,767 of 4,950 rows twice). The file says who holds it: pid, host, start
 * time and command. A lock whose process ended on this host is taken over; a lock of another host
 * never is, since its pid means nothing here: a person removes it.
 *
 * Hand-written rather than proper-lockfile: that library judges staleness by the lock's age
 * (a holder must touch it every few seconds, and one paused longer, e.g. a suspended VM, loses it
 * while still writing) and cannot say who holds a lock; here a lock is stale exactly when its
 * process is gone.
 *
 * Atomicity: the holder's description is written to a file of its own first and hard-linked to the
 * lock's name, which fails if the name exists, so a lock never exists half-written. Taking over a
 * stale lock goes through a second, short-lived lock (`.takeover`), under which the stale content
 * is read again before it is removed: two runs finding one stale lock cannot both take it.
 */
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { tempPathFor } from './atomic-file.js';
import { isDeadHere, thisProcess, type ProcessMark } from './process-alive.js';
import { ensureDir } from '../ensure-dir.js';

export interface LockHolder extends ProcessMark {
  /** ISO time the lock was taken. */
  since: string;
  /** The command that holds it, as a person would type it. */
  command?: string;
}

export type LockResult =
  | { ok: true; file: string; holder: LockHolder; release(): void; /** A stale lock this one replaced. */ tookOver?: LockHolder }
  | { ok: false; file: string; holder: LockHolder; /** `other-host`: never taken over automatically. */ why: 'running' | 'other-host' };

/** An unreadable lock younger than this may be one being written by a filesystem without links. */
const UNREADABLE_GRACE_MS = 10_000;

/**
 * Takes the lock at `file`, or says who holds it. Throws only for filesystem errors (a folder that
 * cannot be written), which the caller reports as a configuration problem.
 */
export function acquireLock(file: string, command: string): LockResult {
  ensureDir(path.dirname(file));
  const me: LockHolder = { ...thisProcess(), since: new Date().toISOString(), command };
  const text = JSON.stringify(me);
  let tookOver: LockHolder | undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    if (createExclusive(file, text)) {
      let released = false;
      return {
        ok: true,
        file,
        holder: me,
        tookOver,
        release() {
          if (released) return;
          released = true;
          // Only our own lock is removed, should a person have replaced it meanwhile.
          if (readText(file) === text) unlinkQuietly(file);
        },
      };
    }
    const seen = readText(file);
    if (seen === undefined) continue; // released between our attempt and our look: try again
    const holder = parseHolder(seen);
    const stale = holder ? isDeadHere(holder) : ageMs(file) > UNREADABLE_GRACE_MS;
    if (!stale) {
      const shown = holder ?? { pid: 0, host: '?', since: '?' };
      return { ok: false, file, holder: shown, why: holder && !isHere(holder) ? 'other-host' : 'running' };
    }
    if (replaceStale(file, seen, text)) tookOver = holder ?? { pid: 0, host: '?', since: '?' };
    else sleep(5 + attempt * 5);
  }
  const holder = parseHolder(readText(file) ?? '') ?? { pid: 0, host: '?', since: '?' };
  return { ok: false, file, holder, why: 'running' };
}

/** What the lock at `file` says, without taking it (a dry run mentions a real run in progress). */
export function peekLock(file: string): LockHolder | undefined {
  const text = readText(file);
  const holder = text === undefined ? undefined : parseHolder(text);
  return holder && !isDeadHere(holder) ? holder : undefined;
}

function isHere(holder: LockHolder): boolean {
  return holder.host === thisProcess().host;
}

/** Creates `file` with `text` unless it exists; never leaves it half-written. */
function createExclusive(file: string, text: string): boolean {
  // Named as temporary files are, so one left by a kill at this instant is cleaned up later.
  const draft = tempPathFor(file);
  const fd = openSync(draft, 'w');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(draft, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    // No hard links here: exclusive create, then write (a reader may briefly see it empty).
    return createByOpen(file, text);
  } finally {
    unlinkQuietly(draft);
  }
}

function createByOpen(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes the lock if it still holds `staleText`, under the takeover guard. The guard is held for
 * microseconds; one left by a process killed in that instant is removed when its process is gone.
 * Exported for its test only.
 */
export function replaceStale(file: string, staleText: string, myText: string): boolean {
  const guard = `${file}.takeover`;
  if (!createExclusive(guard, myText)) {
    const g = readText(guard);
    const gh = g === undefined ? undefined : parseHolder(g);
    if (g !== undefined && (gh ? isDeadHere(gh) : ageMs(guard) > UNREADABLE_GRACE_MS) && readText(guard) === g) unlinkQuietly(guard);
    return false;
  }
  try {
    if (readText(file) !== staleText) return false;
    unlinkQuietly(file);
    return true;
  } finally {
    unlinkQuietly(guard);
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as LockHolder;
    return v && typeof v.pid === 'number' && typeof v.host === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
