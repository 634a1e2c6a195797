/** Messages between the main thread and a legacy-workbook reading thread. */
import type { SourceRow } from '../types.js';

export interface LegacyThreadData {
  file: string;
  kind: 'xls' | 'ods';
  sheet?: string | number;
  headerRow?: number;
  /** Cap on the unpacked parts of an .ods that are read. */
  maxOdsXmlBytes: number;
}

export type FromThread =
  | { type: 'header'; sheet: string; headers: string[]; headerRow: number; lastRow: number }
  | { type: 'rows'; rows: SourceRow[]; done: number }
  | { type: 'end' }
  | { type: 'error'; error: { message: string; details: string[] } };

export type ToThread = { type: 'next' };
