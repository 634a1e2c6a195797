/**
 * The part of a spreadsheet `zbport init` looks at: its header row (found among the first rows
 * when a title sits above it) and the first data rows, read through the same readers as an
 * import (any format openSource reads), never the whole file.
 */
import { openSource } from '../sources/index.js';
import { cellText, type Cell } from '../sources/types.js';
import { headerKey } from '../run/header-map.js';

export interface Sample {
  file: string;
  /** Sheet name for workbooks. */
  sheet?: string;
  headerRow: number;
  headers: string[];
  /** The first data rows' cells, in column order. */
  rows: Cell[][];
}

/** Data rows looked at: enough to tell a column's shape, few enough to read any file in a moment. */
export const SAMPLE_ROWS = 200;
/** Rows searched for the header when it is not the first. */
const HEADER_SEARCH_ROWS = 10;

export interface SampleOptions {
  file: string;
  sheet?: string | number;
  /** The header row as Excel shows it; found when left out. */
  headerRow?: number;
  /** Headers known to the catalog (normalised), to tell the header row from a title above it. */
  known: Set<string>;
}

export async function readSample(o: SampleOptions): Promise<Sample> {
  let headerRow = o.headerRow;
  if (headerRow === undefined) headerRow = await findHeaderRow(o);
  const reader = await openSource({ file: o.file, sheet: o.sheet, headerRow });
  try {
    const rows: Cell[][] = [];
    for await (const r of reader.rows) {
      rows.push(r.cells);
      if (rows.length >= SAMPLE_ROWS) break;
    }
    return { file: o.file, sheet: reader.sheet, headerRow: reader.headerRow, headers: reader.headers, rows };
  } finally {
    await reader.close();
  }
}

/** The row among the first ones whose cells most often name known fields (the first row when none does). */
async function findHeaderRow(o: SampleOptions): Promise<number> {
  const reader = await openSource({ file: o.file, sheet: o.sheet, headerRow: 1 });
  try {
    const score = (cells: Array<Cell | string>) => cells.filter((c) => o.known.has(headerKey(cellText(c as Cell)))).length;
    let best = { row: 1, score: score(reader.headers) };
    let seen = 0;
    for await (const r of reader.rows) {
      if (r.row > HEADER_SEARCH_ROWS || ++seen > HEADER_SEARCH_ROWS) break;
      const s = score(r.cells);
      if (s > best.score) best = { row: r.row, score: s };
    }
    return best.row;
  } finally {
    await reader.close();
  }
}
