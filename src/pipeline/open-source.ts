/**
 * Opens a source file with the reader its type needs, or says clearly what to do instead.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { openCsv } from '../sources/csv/index.js';
import { openXlsx } from '../sources/xlsx/index.js';
import type { SourceReader } from '../sources/types.js';

export interface OpenSourceOptions {
  file: string;
  sheet?: string | number;
  headerRow?: number;
  encoding?: 'auto' | 'utf8' | 'gb18030' | 'gbk' | 'utf16le' | 'utf16be';
  delimiter?: string;
}

export async function openSource(o: OpenSourceOptions): Promise<SourceReader> {
  const ext = path.extname(o.file).toLowerCase();
  const head = await sniff(o.file);
  if (ext === '.xls' || head === 'ole2') {
    throw new InputError(o.file, '这是旧版 Excel 97-2003 (.xls) 文件，请在 Excel 中“另存为” Excel 工作簿 (*.xlsx) 或 CSV UTF-8 后再导入 / legacy .xls is not supported: save it as .xlsx (Excel Workbook) or CSV UTF-8 and import that');
  }
  if (ext === '.xlsx' || ext === '.xlsm' || (head === 'zip' && ext !== '.csv')) {
    return openXlsx({ file: o.file, sheet: o.sheet, headerRow: o.headerRow });
  }
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv' || ext === '') {
    return openCsv({ file: o.file, encoding: o.encoding, delimiter: o.delimiter, headerRow: o.headerRow });
  }
  throw new InputError(o.file, `不支持的文件类型 ${ext} / unsupported file type \`${ext}\`: use .xlsx or .csv`);
}

async function sniff(file: string): Promise<'zip' | 'ole2' | 'other'> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? '文件不存在 / file not found' : `无法读取 / cannot read (${code})`);
  }
  try {
    const b = Buffer.alloc(8);
    const { bytesRead } = await fh.read(b, 0, 8, 0);
    if (bytesRead >= 4 && b[0] === 0x50 && b[1] === 0x4b) return 'zip';
    if (bytesRead === 8 && b.equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) return 'ole2';
    return 'other';
  } finally {
    await fh.close();
  }
}
