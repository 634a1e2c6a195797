import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Journal } from './journal.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'zbport-journal-'));

describe('Journal', () => {
  it('reads back pending and done rows written by an earlier run', () => {
    const file = path.join(tmp(), 'state', 'p.journal.jsonl');
    const a = Journal.open(file);
    a.pending('k1', 2, ['7']);
    a.done('k1', 2, 'created', '42');
    a.pending('k2', 3, []);
    a.close();
    const b = Journal.open(file);
    expect(b.resumed).toBe(2);
    expect(b.get('k1')?.done).toMatchObject({ o: 'created', ord: '42' });
    expect(b.get('k2')?.pending).toMatchObject({ r: 3, before: [] });
    expect(b.get('k2')?.done).toBeUndefined();
    expect(b.get('k3')).toBeUndefined();
    b.close();
  });

  it('ignores a line torn by a crash in the middle of a write', () => {
    const file = path.join(tmp(), 'p.journal.jsonl');
    const a = Journal.open(file);
    a.done('k1', 2, 'created', '1');
    a.close();
    appendFileSync(file, '{"k":"k2","s":"do');
    const b = Journal.open(file);
    expect(b.get('k1')?.done?.ord).toBe('1');
    expect(b.get('k2')).toBeUndefined();
    b.done('k3', 4, 'updated', '3');
    b.close();
    // The torn line stays where it was; the next record starts on a line of its own.
    const c = Journal.open(file);
    expect(c.get('k3')?.done?.o).toBe('updated');
    c.close();
  });

  it('archives a finished journal so the next run of the same file starts afresh', () => {
    const dir = tmp();
    const file = path.join(dir, 'p.journal.jsonl');
    const a = Journal.open(file);
    a.done('k1', 2, 'created', '1');
    const to = a.archive();
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(to, 'utf8')).toContain('"k1"');
    expect(readdirSync(dir).some((n) => n.endsWith('.done.jsonl'))).toBe(true);
    expect(Journal.open(file).resumed).toBe(0);
  });

  it('writes a pending record at once, and the done records that wait with it, in order', () => {
    const file = path.join(tmp(), 'p.journal.jsonl');
    const a = Journal.open(file);
    a.pending('k1', 2, []);
    expect(readFileSync(file, 'utf8')).toContain('"k1","s":"pending"');
    a.done('k1', 2, 'created', '1');
    a.done('k0', 1, 'updated', '9');
    // A process killed now leaves k1 pending: the next run looks for it before sending anything.
    expect(Journal.open(file).get('k1')).toMatchObject({ pending: { r: 2 } });
    expect(Journal.open(file).get('k1')?.done).toBeUndefined();
    a.pending('k2', 3, ['1']);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { k: string; s: string });
    expect(lines.map((l) => `${l.k}:${l.s}`)).toEqual(['k1:pending', 'k1:done', 'k0:done', 'k2:pending']);
    a.done('k2', 3, 'created', '2');
    a.flush();
    expect(Journal.open(file).get('k2')?.done?.ord).toBe('2');
    a.done('k3', 4, 'skipped');
    a.close();
    expect(Journal.open(file).get('k3')?.done?.o).toBe('skipped');
  });

  it('writes the done records that wait when the process exits without closing the journal', () => {
    const file = path.join(tmp(), 'p.journal.jsonl');
    const code = `import { Journal } from ${JSON.stringify(path.resolve('src/state/journal.ts'))};
const j = Journal.open(${JSON.stringify(file)});
j.pending('k1', 2, []);
j.done('k1', 2, 'created', '5');
process.exit(1);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    expect(Journal.open(file).get('k1')?.done?.ord).toBe('5');
  });
});
