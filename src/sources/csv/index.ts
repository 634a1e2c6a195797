/**
 * CSV reader: the file's records (csv-stream.ts) as rows, parsed on this thread, or on a second
 * one for large files (threaded.ts), so that parsing and the rest of a run use two cores.
 */
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import { nulProblems } from '../nul.js';
import type { SourceReader, SourceRow } from '../types.js';
import { openCsvStream, type CsvHeader, type CsvOptions } from './csv-stream.js';
import { openCsvInThread } from './threaded.js';

export { detectDelimiter, detectEncoding, bomlessUtf16, openCsvStream, type CsvEncoding, type CsvHeader, type CsvOptions, type CsvStream } from './csv-stream.js';

// From about 5,000 rows. Starting the thread costs ~30 ms; parsing on the main thread costs it
// ~0.04 ms a row, a tenth of its time per row at 64 rows in flight, where that thread is what
// limits an import (bench: import, concurrency 64).
const THREAD_MIN_BYTES = 1024 * 1024;

export async function openCsv(o: CsvOptions): Promise<SourceReader> {
  const size = await sizeOf(o.file);
  const threadMin = o.threadMinBytes ?? Number(process.env.ZBPORT_CSV_THREAD_MIN_BYTES || THREAD_MIN_BYTES);
  if (size >= threadMin && availableParallelism() > 1) return openCsvInThread(o, size);
  const s = await openCsvStream(o, size);
  const iterator = (s.parser as AsyncIterable<string[]>)[Symbol.asyncIterator]();
  const next = async (): Promise<SourceRow | undefined> => {
    try {
      for (;;) {
        const r = await iterator.next();
        if (r.done) {
          const failure = s.failure();
          if (failure) throw failure;
          return undefined;
        }
        const row = s.toRow(r.value);
        if (row) return row;
      }
    } catch (err) {
      throw s.toError(err);
    }
  };

  let header: CsvHeader | undefined;
  while (!header) {
    const row = await next();
    if (!row) {
      await s.close();
      throw s.noHeader();
    }
    header = s.headerOf(row);
  }

  const headers = header.headers;
  async function* rows(): AsyncGenerator<SourceRow> {
    try {
      for (;;) {
        const rec = await next();
        if (!rec) return;
        // The decoder has seen every byte of a record before the record stream yields it.
        if (s.controls()) {
          const problems = nulProblems(rec, headers, o.file);
          if (problems) rec.problems = problems;
        }
        yield rec;
      }
    } finally {
      await s.close();
    }
  }

  return {
    file: o.file,
    ...header,
    rows: rows(),
    progress: s.progress,
    close: s.close,
  };
}

async function sizeOf(file: string): Promise<number> {
  const size = (await stat(file).catch(() => {
    throw new InputError(file, '文件不存在或无法读取 / file not found or unreadable');
  })).size;
  if (size === 0) throw new InputError(file, '文件为空 / the file is empty');
  return size;
}

