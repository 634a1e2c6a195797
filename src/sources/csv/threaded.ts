/**
 * A large CSV file read on a second thread: parsing costs as much as everything else a dry run
 * does to a row, so the two run side by side on two cores. Rows, errors and line numbers are
 * exactly those of the in-thread reader, which the parsing thread runs.
 */
import { Worker } from 'node:worker_threads';
import { InputError, InternalError } from '../../errors.js';
import { nulProblems } from '../nul.js';
import type { SourceReader, SourceRow } from '../types.js';
import { unpackBatch } from './batch-codec.js';
import type { CsvOptions } from './csv-stream.js';
import type { ToMain, ToThread } from './thread-messages.js';

/** Batches the parsing thread may run ahead: enough to keep both threads busy, few enough to stay small. */
const AHEAD = 8;
/** Batches worked on before their credits go back together: the thread still has AHEAD − this ahead. */
const CREDIT_RETURN = 4;

export async function openCsvInThread(o: CsvOptions, size: number): Promise<SourceReader> {
  const worker = new Worker(new URL('./parse-thread-entry.mjs', import.meta.url), { workerData: { ...o, size } });
  const inbox: ToMain[] = [];
  let waiting: (() => void) | undefined;
  let exited = false;
  worker.on('message', (m: ToMain) => {
    inbox.push(m);
    waiting?.();
  });
  worker.on('error', (err) => {
    inbox.push({ type: 'error', error: { input: false, message: err.message, details: [] } });
    waiting?.();
  });
  worker.on('exit', () => {
    exited = true;
    waiting?.();
  });
  const tell = (m: ToThread) => {
    if (!exited) worker.postMessage(m);
  };
  const receive = async (): Promise<ToMain> => {
    for (;;) {
      const m = inbox.shift();
      if (m) return m;
      if (exited) return { type: 'error', error: { input: false, message: 'the CSV parsing thread stopped', details: [] } };
      await new Promise<void>((r) => (waiting = r));
      waiting = undefined;
    }
  };
  const fail = (e: Extract<ToMain, { type: 'error' }>['error']): Error => {
    if (!e.input) return new InternalError(`${o.file}: ${e.message}`);
    const err = new InputError(e.file ?? o.file, '', e.details);
    err.message = e.message;
    return err;
  };
  let done = 0;
  const close = async () => {
    tell({ type: 'stop' });
    await worker.terminate();
  };

  const first = await receive();
  if (first.type !== 'header') {
    await close();
    throw first.type === 'error' ? fail(first.error) : new InternalError(`${o.file}: the parsing thread sent ${first.type} before the header`);
  }
  const headers = first.headers;
  const markNul = (row: SourceRow) => {
    const problems = nulProblems(row, headers, o.file);
    if (problems) row.problems = problems;
  };

  let owed = 0;
  async function* rows(): AsyncGenerator<SourceRow> {
    // The thread starts parsing when rows are first asked for: by then it has been told how to
    // validate them (validateWith), and every row it sends can be validated there.
    tell({ type: 'credit', n: AHEAD });
    try {
      for (;;) {
        const m = await receive();
        if (m.type === 'error') throw fail(m.error);
        if (m.type === 'end') {
          done = m.bytes;
          return;
        }
        if (m.type !== 'rows') continue;
        done = m.bytes;
        // Credits go back as soon as batches are here, so the thread parses the next ones while
        // these are worked on; a few at a time, since each message costs the main thread a
        // message event (3% of a dry run's main thread, one a batch).
        if (++owed === CREDIT_RETURN) {
          tell({ type: 'credit', n: owed });
          owed = 0;
        }
        yield* unpackBatch(m.rows, markNul);
      }
    } finally {
      await close();
    }
  }

  return {
    file: o.file,
    headers: first.headers,
    headerRow: first.headerRow,
    rows: rows(),
    progress: () => ({ done, total: size }),
    // Validation in the parsing thread's spare time: the main thread is the busier one in a dry run.
    // Rows sent before the thread has the options arrive plain and are validated where they land.
    validateWith: (options) => tell({ type: 'validate', options }),
    close,
  };
}
