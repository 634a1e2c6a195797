/**
 * A lock file so two runs of one pipeline never overlap (a slow nightly export still running when
 * the next one starts). A lock left by a process that no longer exists on this host is taken over.
 */
import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

export interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

export type LockResult = { ok: true; release(): void } | { ok: false; holder: LockInfo };

export function acquireLock(file: string): LockResult {
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      const info: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      return {
        ok: true,
        release() {
          if (released) return;
          released = true;
          try {
            unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: LockInfo;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
      } catch {
        holder = { pid: 0, host: hostname(), since: '?' };
      }
      if (holder.host === hostname() && !alive(holder.pid)) {
        unlinkSync(file); // stale: its process died without releasing it
        continue;
      }
      return { ok: false, holder };
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}

function alive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
