/**
 * The reading thread of a legacy workbook: SheetJS reads the whole file (it has no streaming
 * reader for these formats), the chosen sheet becomes rows as people see them, the workbook is
 * let go, and the rows go to the main thread a batch at a time, when asked for. The thread runs
 * with a heap limit and the main thread's clock on it, so a crafted file costs at most this
 * thread, never the process.
 */
import * as XLSX from '@e965/xlsx';
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError, InputError } from '../../errors.js';
import type { SourceRow } from '../types.js';
import { headerTexts, pickSheet, sheetRows, ZH_CN_BUILTIN_FORMATS } from './cells.js';
import { odsParts } from './ods-parts.js';
import type { FromThread, LegacyThreadData, ToThread } from './thread-messages.js';

const BATCH_ROWS = 500;

// SheetJS reports oddities it copes with (format codes it cannot translate, sheets past column IV)
// on the console; they would land in the middle of the user's progress bar.
for (const k of ['log', 'info', 'warn', 'error', 'debug'] as const) console[k] = () => {};
XLSX.SSF.load_table(ZH_CN_BUILTIN_FORMATS);

const port = parentPort!;
const send = (m: FromThread) => port.postMessage(m);
const o = workerData as LegacyThreadData;

async function read(): Promise<{ sheet: string; headers: string[]; headerRow: number; rows: SourceRow[] }> {
  let buf: Buffer = await readFile(o.file);
  if (o.kind === 'ods') buf = await odsParts(o.file, buf, o.maxOdsXmlBytes);
  else if (isBiff5(buf)) {
    // Excel 95 (BIFF5) and old WPS files keep text in the system code page (GBK for Chinese).
    // The code page tables take most of a second to load, so only these files load them.
    XLSX.set_cptable(await import('@e965/xlsx/dist/cpexcel.full.mjs'));
  }
  let wb: XLSX.WorkBook;
  try {
    wb = XLSX.read(buf, {
      type: 'buffer', dense: true, cellNF: true, cellDates: false, cellHTML: false, cellStyles: false, cellFormula: false, bookVBA: false,
    });
  } catch (err) {
    throw libraryError(err);
  }
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  const sheets = wb.SheetNames.map((name, i) => ({ name, hidden: Boolean(wb.Workbook?.Sheets?.[i]?.Hidden) }));
  const sheet = pickSheet(o.file, sheets, o.sheet);
  const ws = wb.Sheets[sheet.name];
  const all = ws ? sheetRows(ws, date1904) : [];
  const headerRow = o.headerRow ?? 1;
  const at = all.findIndex((r) => r.row >= headerRow);
  if (at < 0 || all[at].row !== headerRow) {
    throw new InputError(o.file, `工作表“${sheet.name}”的第 ${headerRow} 行没有表头 / sheet \`${sheet.name}\` has no header in row ${headerRow} (the sheet is empty or the header row is set wrong)`);
  }
  return { sheet: sheet.name, headers: headerTexts(all[at].cells), headerRow, rows: all.slice(at + 1) };
}

/** An OLE2 file whose workbook stream is `Book` (Excel 5.0/95), not `Workbook` (Excel 97 and later). */
function isBiff5(buf: Buffer): boolean {
  try {
    const cfb = XLSX.CFB.read(buf, { type: 'buffer' });
    return !XLSX.CFB.find(cfb, 'Workbook') && Boolean(XLSX.CFB.find(cfb, 'Book'));
  } catch {
    return false; // XLSX.read below meets the same damage and says so
  }
}

/** SheetJS's own words for what is wrong, turned into what the user can do about it. */
function libraryError(err: unknown): InputError {
  const msg = String((err as Error)?.message ?? err).split('\n')[0];
  if (/password|encrypt/i.test(msg)) {
    return new InputError(o.file, '工作簿设有打开密码，无法读取；请在 Excel 或 WPS 中去掉密码（文件 → 信息 → 保护工作簿）另存后再导入 / the workbook is password-protected: remove the password in Excel or WPS, save it and import that');
  }
  if (/Cannot find Workbook stream|Unsupported Works|Quattro|PerfectOffice/i.test(msg)) {
    return new InputError(o.file, '这个文件不是 Excel 工作簿（可能是 Word 等其他 Office 文件）/ this file is not an Excel workbook (an Office file of another kind, such as a Word document)');
  }
  const what = o.kind === 'ods' ? '.ods 文件已损坏 / the .ods file is corrupt' : 'Excel 97-2003 工作簿已损坏 / the Excel 97-2003 workbook is corrupt';
  return new InputError(o.file, `${what}: ${msg}`);
}

read().then(
  ({ sheet, headers, headerRow, rows }) => {
    send({ type: 'header', sheet, headers, headerRow, lastRow: rows.length ? rows[rows.length - 1].row : headerRow });
    let next = 0;
    port.on('message', (m: ToThread) => {
      if (m.type !== 'next') return;
      if (next >= rows.length) return send({ type: 'end' });
      const batch = rows.slice(next, next + BATCH_ROWS);
      // Rows sent are let go, so the thread's memory shrinks as the import goes on.
      rows.fill(undefined as unknown as SourceRow, next, next + batch.length);
      next += batch.length;
      send({ type: 'rows', rows: batch, done: batch[batch.length - 1].row });
    });
  },
  (err: unknown) => {
    const e = err as Error & { details?: string[] };
    // Anything else SheetJS or the file system threw on the way is still about this file.
    const message = e instanceof ConfigError ? e.message : `${o.file}: 无法读取 / cannot be read: ${String(e?.message ?? err).split('\n')[0]}`;
    send({ type: 'error', error: { message, details: e?.details ?? [] } });
  },
);
