/**
 * An append-only text file written through a small buffer with synchronous writes: bounded
 * memory whatever the row count, and what was flushed survives a crash of the process.
 *
 * The buffer holds bytes, not strings: lines kept as strings until a flush outlive a collection
 * or two of the young generation and are promoted, and a 1,000,000-row dry run's results then
 * filled the old generation with a hundred megabytes of them (the process's peak memory, not its
 * live data).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ensureDir } from '../ensure-dir.js';

const BUFFER_BYTES = 64 * 1024;

export class LineFile {
  private fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private size = 0;

  constructor(readonly file: string, header?: string) {
    ensureDir(path.dirname(file));
    this.fd = openSync(file, 'w');
    if (header !== undefined) this.write(header);
  }

  write(text: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8 (a surrogate pair 4 for 2 units).
    if (this.size + text.length * 3 > BUFFER_BYTES) {
      this.flush();
      if (text.length * 3 > BUFFER_BYTES) {
        writeSync(this.fd, text);
        return;
      }
    }
    this.size += this.buf.write(text, this.size, 'utf8');
  }

  flush(): void {
    if (!this.size) return;
    writeSync(this.fd, this.buf, 0, this.size);
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
