import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureDir } from './ensure-dir.js';

const temp = () => mkdtempSync(path.join(tmpdir(), 'ensure-dir-'));

describe('ensureDir', () => {
  it('makes every missing level, and is content when the folder exists', () => {
    const dir = path.join(temp(), 'a', 'b', 'c');
    ensureDir(dir);
    expect(existsSync(dir)).toBe(true);
    ensureDir(dir);
  });

  it('refuses a path through a file', () => {
    const root = temp();
    writeFileSync(path.join(root, 'f'), '');
    expect(() => ensureDir(path.join(root, 'f', 'x'))).toThrow(/ENOTDIR/);
  });

  it('ends with an error behind a dangling symlink, where recursive mkdir spins forever', () => {
    const root = temp();
    symlinkSync(path.join(root, 'gone'), path.join(root, 'dangling'));
    expect(() => ensureDir(path.join(root, 'dangling', 'out'))).toThrow(/ENOENT|EEXIST/);
  });

  it.runIf(process.platform === 'linux' && existsSync('/proc/self'))('ends with an error under /proc', () => {
    expect(() => ensureDir('/proc/zbport-nope/out')).toThrow(/ENOENT/);
  });
});
