/**
 * Where rows come from. Each source kind (CSV, XLSX, the legacy workbooks .xls/.et/.ods) is a
 * plug-in: it says which files it reads, which `source:` options it takes, and opens a reader that
 * yields rows as a person sees them with their locations (file, sheet, row); the runner knows no
 * file format. Content decides over the extension: .xlsx and .ods are both zips (told apart by
 * the `mimetype` entry an OpenDocument file starts with), .xls and WPS's .et are OLE2 compound
 * files, and people rename files.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { openCsv } from './csv/index.js';
import { openLegacy } from './legacy/index.js';
import { openXlsx } from './xlsx/index.js';
import type { SourceReader } from './types.js';

export interface OpenSourceOptions {
  file: string;
  sheet?: string | number;
  headerRow?: number;
  encoding?: 'auto' | 'utf8' | 'gb18030' | 'gbk' | 'utf16le' | 'utf16be';
  delimiter?: string;
}

/** Extensions of workbooks in OLE2 compound files: Excel 97-2003 and its templates, WPS Spreadsheets. */
const OLE2_WORKBOOK = new Set(['.xls', '.xlt', '.et', '.ett']);
const ODS = new Set(['.ods', '.ots']);

type Head = 'zip' | 'ods' | 'ole2' | 'other';

/** A kind of source file, registered below. */
export interface SourceKind {
  name: 'xls' | 'ods' | 'xlsx' | 'csv';
  /** Whether it reads a file of this extension whose first bytes are `head`. */
  accepts(ext: string, head: Head): boolean;
  open(o: OpenSourceOptions): Promise<SourceReader>;
  /** The `source:` options it reads (the others do not apply to it). */
  options: Array<keyof OpenSourceOptions>;
  /** zbport's templates are of this kind: a file may carry their hidden sheet (origin, example row). */
  templates?: boolean;
}

/** In the order they are asked: content first, then the extension. */
export const SOURCE_KINDS: SourceKind[] = [
  { name: 'xls', accepts: (_e, h) => h === 'ole2', open: (o) => openLegacy({ file: o.file, kind: 'xls', sheet: o.sheet, headerRow: o.headerRow }), options: ['sheet', 'headerRow'] },
  { name: 'ods', accepts: (e, h) => h === 'ods' || (h === 'zip' && ODS.has(e)), open: (o) => openLegacy({ file: o.file, kind: 'ods', sheet: o.sheet, headerRow: o.headerRow }), options: ['sheet', 'headerRow'] },
  { name: 'xlsx', accepts: (e, h) => e === '.xlsx' || e === '.xlsm' || (h === 'zip' && e !== '.csv'), open: (o) => openXlsx({ file: o.file, sheet: o.sheet, headerRow: o.headerRow }), options: ['sheet', 'headerRow'], templates: true },
  { name: 'csv', accepts: (e) => e === '.csv' || e === '.txt' || e === '.tsv' || e === '', open: (o) => openCsv({ file: o.file, encoding: o.encoding, delimiter: o.delimiter, headerRow: o.headerRow }), options: ['encoding', 'delimiter', 'headerRow'] },
];

/** A reader and the kind that opened it. */
export type OpenedSource = SourceReader & { kind: SourceKind };

export async function openSource(o: OpenSourceOptions): Promise<OpenedSource> {
  const ext = path.extname(o.file).toLowerCase();
  const head = await sniff(o.file);
  const kind = SOURCE_KINDS.find((k) => k.accepts(ext, head));
  if (kind) return Object.assign(await kind.open(o), { kind });
  if (OLE2_WORKBOOK.has(ext)) {
    // Many systems "export to Excel" as a web page or text under an .xls name; Excel opens those
    // with a warning, and saving them as .xlsx gives a real workbook.
    throw new InputError(o.file, `文件扩展名是 ${ext}，但内容不是 Excel 97-2003 工作簿（可能是网页或文本格式的“导出”），请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入 / the file is named ${ext} but is not an Excel 97-2003 workbook (perhaps a web page or text saved under that name): open it in Excel or WPS, save it as .xlsx and import that`);
  }
  throw new InputError(o.file, `不支持的文件类型 ${ext} / unsupported file type \`${ext}\`: use .xlsx, .xls, .et, .ods or .csv`);
}

/**
 * What makes "the same input" for a run's journal: the file (its absolute path, size and
 * modification time) and which part of it is read. Resuming only makes sense for the same work.
 */
export async function sourceIdentity(o: OpenSourceOptions): Promise<unknown[]> {
  const st = await stat(o.file);
  return [path.resolve(o.file), st.size, Math.floor(st.mtimeMs), o.sheet ?? null, o.headerRow ?? 1];
}

const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ODS_MIMETYPES = ['application/vnd.oasis.opendocument.spreadsheet', 'application/vnd.oasis.opendocument.spreadsheet-template'];

async function sniff(file: string): Promise<Head> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? '文件不存在 / file not found' : `无法读取 / cannot read (${code})`);
  }
  try {
    const b = Buffer.alloc(128);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    if (bytesRead >= 8 && b.subarray(0, 8).equals(OLE2_MAGIC)) return 'ole2';
    if (bytesRead >= 4 && b[0] === 0x50 && b[1] === 0x4b) return odsMimetype(b.subarray(0, bytesRead)) ? 'ods' : 'zip';
    return 'other';
  } finally {
    await fh.close();
  }
}

/**
 * An OpenDocument file's first zip entry is `mimetype`, stored uncompressed (ODF 1.2 part 3,
 * 3.3), so its type can be read at a fixed place in the first bytes.
 */
function odsMimetype(b: Buffer): boolean {
  if (b.length < 30 || b.readUInt32LE(0) !== 0x04034b50) return false;
  const method = b.readUInt16LE(8);
  const size = b.readUInt32LE(18);
  const nameLen = b.readUInt16LE(26);
  const extraLen = b.readUInt16LE(28);
  if (method !== 0 || b.toString('latin1', 30, 30 + nameLen) !== 'mimetype') return false;
  const start = 30 + nameLen + extraLen;
  return ODS_MIMETYPES.includes(b.toString('latin1', start, Math.min(b.length, start + size)));
}
