/**
 * Legacy and other workbooks: Excel 97-2003 `.xls` (BIFF8 in an OLE2 compound file), WPS `.et`
 * (the same format) and OpenDocument `.ods`, read through SheetJS with the rows, header matching
 * and messages of the `.xlsx` reader.
 *
 * SheetJS (the community edition, republished on npm as @e965/xlsx from SheetJS's own release
 * tags; the `xlsx` package on npm stopped at 0.18.5, which has the prototype-pollution and ReDoS
 * advisories CVE-2023-30533 and CVE-2024-22363, fixed in 0.19.3 and 0.20.2) is the well-kept
 * reader of these formats; writing a BIFF8 parser here would be the riskier choice. It reads a
 * whole file into memory, so these files are hostile input handled at arm's length: a size cap
 * before reading, and the reading on a thread of its own with a heap limit and a time limit.
 * Whatever goes wrong there (corrupt file, out of memory, too slow) becomes an InputError naming
 * the file; the process never goes down with it.
 */
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../errors.js';
import type { SourceReader, SourceRow } from '../types.js';
import type { FromThread, LegacyThreadData, ToThread } from './thread-messages.js';

export interface LegacyLimits {
  /** Largest file read at all. A full 65,536-row .xls of 15 columns is about 23 MB. */
  maxFileBytes: number;
  /** Largest unpacked content of an .ods (its content.xml is about 2 KB a row of 15 cells). */
  maxOdsXmlBytes: number;
  /** Heap of the reading thread: SheetJS needs about 450 bytes a filled cell while it reads. */
  heapMb: number;
  /** From the start of reading until the header row is ready (the rows themselves are already read by then). */
  timeoutMs: number;
}

export const LEGACY_LIMITS: LegacyLimits = {
  maxFileBytes: 64 * 2 ** 20,
  maxOdsXmlBytes: 256 * 2 ** 20,
  heapMb: 1024,
  timeoutMs: 120_000,
};

export interface LegacyOptions {
  file: string;
  kind: 'xls' | 'ods';
  /** Sheet name or 1-based index; default: the first visible sheet. */
  sheet?: string | number;
  headerRow?: number;
  /** Tests lower these to reach them quickly. */
  limits?: Partial<LegacyLimits>;
}

const SAVE_AS_ZH = '请在 Excel、WPS 或 LibreOffice 中另存为 .xlsx 或 CSV 后再导入';
const SAVE_AS_EN = 'save it as .xlsx or CSV (both are read as streams) and import that';

export async function openLegacy(o: LegacyOptions): Promise<SourceReader> {
  const limits = { ...LEGACY_LIMITS, ...o.limits };
  const size = (await stat(o.file).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(o.file, err.code === 'ENOENT' ? '文件不存在 / file not found' : `无法读取 / cannot read (${err.code})`);
  })).size;
  if (size > limits.maxFileBytes) {
    const mb = (n: number) => Math.round(n / 2 ** 20);
    throw new InputError(o.file, `文件有 ${mb(size)} MB，超过旧版工作簿 (.xls/.et/.ods) ${mb(limits.maxFileBytes)} MB 的上限；${SAVE_AS_ZH} / the file is ${mb(size)} MB, over the ${mb(limits.maxFileBytes)} MB cap for .xls/.et/.ods workbooks: ${SAVE_AS_EN}`);
  }

  const data: LegacyThreadData = { file: o.file, kind: o.kind, sheet: o.sheet, headerRow: o.headerRow, maxOdsXmlBytes: limits.maxOdsXmlBytes };
  const worker = new Worker(new URL('./legacy-thread-entry.mjs', import.meta.url), {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: limits.heapMb },
  });
  const inbox: FromThread[] = [];
  let waiting: (() => void) | undefined;
  let stopped: InputError | undefined;
  let closed = false;
  const wake = () => waiting?.();
  const stop = (err: InputError) => {
    stopped ??= err;
    wake();
  };
  worker.on('message', (m: FromThread) => {
    inbox.push(m);
    wake();
  });
  worker.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      stop(new InputError(o.file, `文件太大，读取时超出 ${limits.heapMb} MB 的内存上限；${SAVE_AS_ZH} / too large to read within the ${limits.heapMb} MB memory cap: ${SAVE_AS_EN}`));
    } else {
      stop(new InputError(o.file, `无法读取 / cannot be read: ${err.message.split('\n')[0]}`));
    }
  });
  worker.on('exit', () => stop(new InputError(o.file, '读取线程意外结束 / the reading thread stopped unexpectedly')));
  const tell = (m: ToThread) => {
    if (!closed) worker.postMessage(m);
  };
  const close = async () => {
    if (closed) return;
    closed = true;
    await worker.terminate();
  };
  const receive = async (): Promise<FromThread> => {
    for (;;) {
      const m = inbox.shift();
      if (m) return m;
      if (stopped) throw stopped;
      await new Promise<void>((r) => (waiting = r));
      waiting = undefined;
    }
  };
  const fail = (e: Extract<FromThread, { type: 'error' }>['error']): InputError => {
    const err = new InputError(o.file, '', e.details);
    err.message = e.message;
    return err;
  };

  const timer = setTimeout(() => {
    const secs = Math.round(limits.timeoutMs / 1000);
    stop(new InputError(o.file, `读取超过 ${secs} 秒仍未完成（文件可能已损坏或被特意构造）；${SAVE_AS_ZH} / reading took longer than ${secs} s (the file may be damaged or crafted): ${SAVE_AS_EN}`));
  }, limits.timeoutMs);
  let first: FromThread;
  try {
    first = await receive();
  } catch (err) {
    await close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  if (first.type !== 'header') {
    await close();
    throw first.type === 'error' ? fail(first.error) : new InputError(o.file, `无法读取 / cannot be read (the reading thread sent ${first.type} first)`);
  }
  const header = first;
  let done = header.headerRow;
  // One batch is asked for ahead, so the thread prepares it while the last one is worked on.
  tell({ type: 'next' });

  async function* rows(): AsyncGenerator<SourceRow> {
    try {
      for (;;) {
        const m = await receive();
        if (m.type === 'error') throw fail(m.error);
        if (m.type === 'end') return;
        if (m.type !== 'rows') continue;
        done = m.done;
        tell({ type: 'next' });
        yield* m.rows;
      }
    } finally {
      await close();
    }
  }

  return {
    file: o.file,
    sheet: header.sheet,
    headers: header.headers,
    headerRow: header.headerRow,
    rows: rows(),
    progress: () => ({ done: done - header.headerRow, total: header.lastRow - header.headerRow }),
    close,
  };
}
