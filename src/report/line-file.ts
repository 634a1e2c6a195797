/**
 * An append-only text file written through a small buffer with synchronous writes: bounded
 * memory whatever the row count, and what was flushed survives a crash of the process.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ensureDir } from '../ensure-dir.js';

export class LineFile {
  private fd: number;
  private buf: string[] = [];
  private size = 0;

  constructor(readonly file: string, header?: string) {
    ensureDir(path.dirname(file));
    this.fd = openSync(file, 'w');
    if (header !== undefined) this.write(header);
  }

  write(text: string): void {
    this.buf.push(text);
    this.size += text.length;
    if (this.size > 64 * 1024) this.flush();
  }

  flush(): void {
    if (!this.buf.length) return;
    writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
