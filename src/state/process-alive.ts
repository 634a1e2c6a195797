/**
 * Who we are, and whether a process named in a lock or a temporary file still runs, for deciding
 * what a run may take over or remove. Only a process of this host can be judged: a pid means
 * nothing on another machine sharing the folder.
 *
 * On Linux the boot id and the process's start time are recorded too, so a pid reused after a
 * reboot or by an unrelated process is not mistaken for the run that wrote the lock (a nightly
 * cron job would otherwise be blocked until that unrelated process ends).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessMark {
  pid: number;
  host: string;
  /** Linux boot id, when readable. */
  boot?: string;
  /** Start time of the process in clock ticks since boot (Linux /proc/<pid>/stat field 22). */
  start?: number;
}

let bootId: string | undefined | null = null;

function currentBoot(): string | undefined {
  if (bootId === null) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
    } catch {
      bootId = undefined;
    }
  }
  return bootId;
}

function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(rest[19]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A file-name-safe form of this host's name (temporary files carry it). */
export function hostTag(host = hostname()): string {
  return host.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40) || 'host';
}

export function thisProcess(): ProcessMark {
  const mark: ProcessMark = { pid: process.pid, host: hostname() };
  const boot = currentBoot();
  const start = startTicks(process.pid);
  if (boot) mark.boot = boot;
  if (start !== undefined) mark.start = start;
  return mark;
}

/**
 * Whether the process `mark` names is certainly gone. Only answers for this host (another host's
 * process is never declared dead) and only says "dead" when sure: a process of another user that
 * exists (EPERM) counts as alive.
 */
export function isDeadHere(mark: Partial<ProcessMark>): boolean {
  if (mark.host !== hostname()) return false;
  const pid = Number(mark.pid);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  const boot = currentBoot();
  if (mark.boot && boot && mark.boot !== boot) return true; // the machine restarted since
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (mark.start !== undefined) {
    const now = startTicks(pid);
    if (now !== undefined && now !== mark.start) return true; // the pid now belongs to another process
  }
  return false;
}

/** Whether a pid of this host is certainly gone (temporary files record only host and pid). */
export function isPidDeadHere(pid: number): boolean {
  return isDeadHere({ pid, host: hostname() });
}
