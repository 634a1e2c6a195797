import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { placeWithoutReplacing, removeDeadTemps, tempPathFor, writeFileAtomic } from './atomic-file.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'zbport-atomic-'));

describe('atomic files', () => {
  it('writes and replaces a state file, leaving no temporary file', () => {
    const dir = tmp();
    const file = path.join(dir, 'sub', 's.json');
    writeFileAtomic(file, '{"a":1}');
    writeFileAtomic(file, '{"a":2}');
    expect(readFileSync(file, 'utf8')).toBe('{"a":2}');
    expect(readdirSync(path.dirname(file))).toEqual(['s.json']);
  });

  it('never replaces an existing file when placing an export', () => {
    const dir = tmp();
    const file = path.join(dir, '联系人.csv');
    writeFileSync(file, 'first');
    const t = tempPathFor(file);
    writeFileSync(t, 'second');
    expect(placeWithoutReplacing(t, file)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('first');
    expect(existsSync(t)).toBe(true);
    expect(placeWithoutReplacing(t, path.join(dir, '联系人-2.csv'))).toBe(true);
    expect(existsSync(t)).toBe(false);
    expect(readFileSync(path.join(dir, '联系人-2.csv'), 'utf8')).toBe('second');
  });

  it("removes only this host's temporary files whose process has ended", () => {
    const dir = tmp();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const deadTmp = tempPathFor(path.join(dir, 'a.b.xlsx'), dead);
    const liveTmp = tempPathFor(path.join(dir, 'a.b.xlsx'));
    const otherHost = path.join(dir, `.a.xlsx.some-other-host.${dead}.tmp`);
    for (const f of [deadTmp, liveTmp, otherHost, path.join(dir, 'x.tmp')]) writeFileSync(f, '');
    expect(removeDeadTemps(dir)).toEqual([{ file: deadTmp, pid: dead }]);
    expect(readdirSync(dir).sort()).toEqual([path.basename(liveTmp), path.basename(otherHost), 'x.tmp'].sort());
    expect(removeDeadTemps(path.join(dir, 'missing'))).toEqual([]);
  });
});
