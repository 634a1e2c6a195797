/**
 * `mkdir -p` that always ends. Node's recursive mkdir spins forever, at full CPU, where a folder
 * exists but cannot hold the child it is asked for: under /proc (which answers ENOENT, read as "the
 * parent is missing", for a child it will never make) or behind a dangling symlink (nodejs/node
 * behaviour on Linux, reproduced on Node 20). Pipelines and --output name folders, so a crafted or
 * mistyped path would hang the tool: here each missing level is made on its own, and the first
 * refusal is the error.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';

export function ensureDir(dir: string): void {
  const missing: string[] = [];
  for (let cur = path.resolve(dir); ; ) {
    try {
      if (statSync(cur).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${cur}'`), { code: 'ENOTDIR', path: cur, syscall: 'mkdir' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const up = path.dirname(cur);
      if (up === cur) break;
      missing.push(cur);
      cur = up;
    }
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      // Made meanwhile by another process: fine if it is a folder (statSync throws otherwise).
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(d).isDirectory()) throw err;
    }
  }
}

/**
 * Runs `open` (making a folder, opening a file in it); a refusal of the file system (EACCES,
 * ENOENT under /proc, ENOTDIR…) becomes a configuration error naming the setting, not a crash.
 */
export function writable<T>(setting: string, dir: string, open: () => T): T {
  try {
    return open();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!code) throw err;
    throw new ConfigError(`无法写入 ${setting} \`${dir}\`（${code}），它必须是当前用户可写的文件夹 / cannot write to ${setting} \`${dir}\` (${code}): it must be a folder this user can write to`);
  }
}

/** A folder a command writes into: made if missing, and writable by this user, or a configuration error naming `setting`. */
export function writableDir(setting: string, dir: string): void {
  writable(setting, dir, () => {
    ensureDir(dir);
    accessSync(dir, constants.W_OK);
  });
}
