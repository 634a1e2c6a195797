/**
 * Append-only JSON-lines files that survive being killed mid-write: the journal of an import and
 * the emulator's change log. Records are written with synchronous writes (the journal holds back
 * only its `done` records, see journal.ts), so the kernel has them even if the process dies the
 * next instant; a line torn by a crash is skipped on reading, and the next record starts on a
 * line of its own.
 */
import { existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ensureDir } from './ensure-dir.js';

export interface JsonLines<T> {
  /** Records already in the file, in order. */
  records: T[];
  /** Descriptor open for appending. */
  fd: number;
}

export function openJsonLines<T>(file: string, accept: (v: unknown) => boolean = () => true): JsonLines<T> {
  ensureDir(path.dirname(file));
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const records: T[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (accept(v)) records.push(v as T);
    } catch {
      // Torn by a crash mid-write: what it describes was never acknowledged.
    }
  }
  const fd = openSync(file, 'a');
  if (text && !text.endsWith('\n')) writeSync(fd, '\n');
  return { records, fd };
}

export function appendJsonLine(fd: number, value: unknown): void {
  writeSync(fd, `${JSON.stringify(value)}\n`);
}
