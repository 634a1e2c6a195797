/**
 * exceljs, loaded when a workbook is first written rather than at start: it costs 30 MB of
 * memory, which a CSV import with no rejected row never needs.
 */
import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';

let loaded: typeof ExcelJS | undefined;

export function exceljs(): typeof ExcelJS {
  loaded ??= createRequire(import.meta.url)('exceljs') as typeof ExcelJS;
  return loaded;
}
