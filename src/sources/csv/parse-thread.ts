/**
 * The parsing thread of a large CSV file: reads, decodes and parses with the same stream, line
 * numbering and errors as the in-thread reader, and sends rows in batches. Records are taken
 * from the record stream synchronously (no promise per row: that alone costs a fifth of the
 * parse). The thread runs ahead of the main thread by at most a few batches (credits), so memory
 * stays flat and a slow ERP still slows the reading.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from '../../errors.js';
import { packBatch, packRow } from './batch-codec.js';
import { openCsvStream, type CsvHeader, type CsvOptions } from './csv-stream.js';
import type { ToMain, ToThread } from './thread-messages.js';
import { RowPreparer } from '../../run/row-preparer.js';

// Batches stay under V8's large-object size (128 KiB; Chinese text takes 2 bytes a character):
// larger strings live outside the young generation and are freed only by full collections, so
// the heap of both threads would grow by a batch per batch until one ran.
const BATCH_ROWS = 256;
const BATCH_CHARS = 40 * 1024;

const port = parentPort!;
const send = (m: ToMain) => port.postMessage(m);
let credits = 0;
let stopped = false;
let wake: (() => void) | undefined;

let preparer: RowPreparer | undefined;
/**
 * Rows validated here, out of every SHARE_SPAN: validating on this thread helps only while the
 * main thread is the slower one (this thread then waits for credits); when this thread is the
 * slower one it only delays the rows. So the share rises each time this thread had to wait and
 * falls a little with each batch sent without waiting: it settles where both threads are busy.
 * It starts full: at the start the main thread is the busy one (logging in, loading indexes).
 */
const SHARE_SPAN = 16;
let share = SHARE_SPAN;
let turn = 0;
let waited = false;

port.on('message', (m: ToThread) => {
  if (m.type === 'credit') credits += m.n;
  else if (m.type === 'validate') preparer = new RowPreparer(m.options);
  else stopped = true;
  wake?.();
});

async function main(): Promise<void> {
  const { file, size, ...o } = workerData as CsvOptions & { size: number };
  const s = await openCsvStream({ file, ...o }, size);
  const parser = s.parser;
  let header: CsvHeader | undefined;
  // Rows are packed as they come, so their cell arrays die young; only the lines wait for the batch.
  let lines: string[] = [];
  let chars = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const pump = () => {
        wake = undefined;
        if (stopped) return resolve();
        for (;;) {
          // Out of credits: stop taking records; the record stream's buffer fills and the file read pauses.
          if (header && credits === 0) {
            waited = true;
            wake = pump;
            return;
          }
          const record = parser.read() as string[] | null;
          if (record === null) return;
          const row = s.toRow(record);
          if (!row) continue;
          if (!header) {
            header = s.headerOf(row);
            if (header) send({ type: 'header', ...header });
            continue;
          }
          if (++turn === SHARE_SPAN) turn = 0;
          const line = packRow(row.row, row.cells as string[], s.controls(), preparer && turn < share ? preparer.digest(row) : undefined);
          lines.push(line);
          chars += line.length;
          if (lines.length >= BATCH_ROWS || chars >= BATCH_CHARS) flush();
        }
      };
      parser.on('readable', pump);
      parser.on('error', (err) => reject(s.toError(err)));
      parser.on('end', () => {
        const failure = s.failure();
        if (!header) return reject(failure ?? s.noHeader());
        // The last batch goes without waiting for a credit: it is the end (or the rows before a
        // part of the file that cannot be decoded, whose error follows them).
        if (lines.length) flush();
        if (failure) return reject(failure);
        resolve();
      });
    });
  } finally {
    await s.close();
  }
  if (!stopped) send({ type: 'end', bytes: size });

  function flush(): void {
    credits--;
    share = waited ? Math.min(SHARE_SPAN, share + 4) : Math.max(0, share - 1);
    waited = false;
    send({ type: 'rows', rows: packBatch(lines), bytes: s.progress().done });
    lines = [];
    chars = 0;
  }
}

main().catch((err: unknown) => {
  const e = err as Error & { file?: string; details?: string[] };
  send({
    type: 'error',
    error: { input: e instanceof ConfigError, file: e.file, message: e?.message ?? String(err), details: e.details ?? [] },
  });
});
