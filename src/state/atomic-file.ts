/**
 * Files that appear complete or not at all: written under a temporary name in the same folder,
 * flushed to disk (fsync), then moved into place by one rename or link, and the folder flushed
 * too, so neither a kill nor a power cut leaves a half-written state file or export behind.
 *
 * Temporary names carry the host and pid of their writer (`.联系人.xlsx.myhost.4242.tmp`), so the
 * next run can remove what a killed run left, and only that: never a file a live run is writing,
 * never one written from another machine sharing the folder.
 */
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { hostTag, isPidDeadHere } from './process-alive.js';
import { ensureDir } from '../ensure-dir.js';

const TEMP = /^\.(.+)\.([A-Za-z0-9-]+)\.(\d+)\.tmp$/;

/** The temporary name `file` is written under by process `pid` of this host. */
export function tempPathFor(file: string, pid = process.pid): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${hostTag()}.${pid}.tmp`);
}

/** Flushes a file's or folder's contents to disk; folders cannot be opened on every system. */
export function fsyncPath(p: string, folder = false): void {
  let fd: number | undefined;
  try {
    fd = openSync(p, 'r');
    fsyncSync(fd);
  } catch (err) {
    if (!folder) throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `data` to `file` atomically, replacing it (state files: one writer, under the run lock). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  ensureDir(path.dirname(file));
  const tmp = tempPathFor(file);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
  fsyncPath(path.dirname(file), true);
}

/**
 * Moves a finished temporary file to `file` without ever replacing an existing one: a hard link
 * fails atomically when the name is taken, where a rename would overwrite. Returns false, leaving
 * `tmp` where it is, when `file` exists. Folders without hard links (some network shares) fall
 * back to a check then a rename.
 */
export function placeWithoutReplacing(tmp: string, file: string): boolean {
  fsyncPath(tmp);
  try {
    linkSync(tmp, file);
    unlinkSync(tmp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EMLINK') throw err;
    if (existsSync(file)) return false;
    renameSync(tmp, file);
  }
  fsyncPath(path.dirname(file), true);
  return true;
}

export interface RemovedTemp {
  file: string;
  pid: number;
}

/** Removes the temporary files in `dir` left by processes of this host that have ended. */
export function removeDeadTemps(dir: string): RemovedTemp[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: RemovedTemp[] = [];
  const host = hostTag();
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || m[2] !== host) continue;
    const pid = Number(m[3]);
    if (pid === process.pid || !isPidDeadHere(pid)) continue;
    try {
      rmSync(path.join(dir, name), { force: true });
      removed.push({ file: path.join(dir, name), pid });
    } catch {
      // Another run removed it first, or it is not ours to remove: either way not this run's concern.
    }
  }
  return removed;
}
