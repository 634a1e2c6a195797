/**
 * NUL characters in a cell: what a damaged file, a stray UTF-16 fragment or a binary paste leaves
 * in text. The ERP must never receive one, and a whole file should not be refused for one bad
 * row, so each is a row problem naming the row and the column, reported in rejects.
 */
import { columnLetter, shorten, type RowProblem } from '../errors.js';
import type { SourceRow } from './types.js';

/** Problems for the cells of `row` that hold U+0000, or undefined when none does. */
export function nulProblems(row: SourceRow, headers: string[], file: string, sheet?: string): RowProblem[] | undefined {
  let out: RowProblem[] | undefined;
  for (let i = 0; i < row.cells.length; i++) {
    const c = row.cells[i];
    if (typeof c !== 'string' || !c.includes('\u0000')) continue;
    const column = headers[i] || undefined;
    const letter = columnLetter(i + 1);
    const name = column ?? letter;
    (out ??= []).push({
      code: 'BAD_ENCODING',
      file,
      sheet,
      row: row.row,
      column,
      columnLetter: letter,
      value: shorten(c.replace(/\u0000/g, '␀')),
      message: {
        zh: `“${name}”列含有 NUL 字节（\\0），文件可能已损坏或混入了 UTF-16 文本；rejects.xlsx 中已去掉这些字节`,
        en: `column \`${name}\` holds NUL bytes (\\0): the file may be damaged or hold UTF-16 text; rejects.xlsx leaves them out`,
      },
    });
  }
  return out;
}

/** Whether any header cell holds U+0000 (then the header cannot be matched to the mapping). */
export function headerHasNul(headers: string[]): boolean {
  return headers.some((h) => h.includes('\u0000'));
}
