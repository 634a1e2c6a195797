/**
 * A template's example row (grey, right under the header, its first cell starting with 示例) is
 * not data: import skips it. Both marks must hold, the row number the hidden sheet records and
 * the 示例 in its first cell, so a row someone typed over the example, or a first data row after
 * the example was deleted, is imported like any other.
 */
import type { Logger } from '../report/logger.js';
import { cellText, type SourceReader, type SourceRow } from '../sources/types.js';
import { EXAMPLE_MARK } from './build-template.js';
import { readTemplateMeta } from './check-origin.js';

/** The rows of `reader` without the template's example row (the same rows when the file is no template of ours). */
export async function withoutExampleRow(file: string, reader: SourceReader, log: Logger): Promise<AsyncIterable<SourceRow>> {
  const meta = await readTemplateMeta(file).catch(() => undefined);
  const row = Number(meta?.get('exampleRow'));
  if (!Number.isInteger(row) || row <= reader.headerRow) return reader.rows;
  return skipRow(reader.rows, row, log);
}

async function* skipRow(rows: AsyncIterable<SourceRow>, example: number, log: Logger): AsyncGenerator<SourceRow> {
  for await (const r of rows) {
    if (r.row === example && cellText(r.cells[0]).trimStart().startsWith(EXAMPLE_MARK)) {
      log.info(`跳过模板的示例行（第 ${example} 行）/ skipped the template's example row (row ${example})`);
      continue;
    }
    yield r;
  }
}
