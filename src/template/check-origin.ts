/**
 * Notices a filled template that was made for another pipeline or from an older field catalog:
 * its hidden sheet records both. Only that small sheet is read, never the data.
 */
import { CATALOG_HASH } from '../catalog/index.js';
import type { ImportConfig } from '../definition/schema.js';
import { openXlsx } from '../sources/xlsx/index.js';
import { XlsxZip } from '../sources/xlsx/zip.js';
import { parseWorkbook } from '../sources/xlsx/parts.js';
import { cellText } from '../sources/types.js';
import { mappingHash, META_SHEET } from './build-template.js';

/** The hidden sheet's records (pipeline, hashes, example row …), or undefined when the file is not one of our templates. */
export async function readTemplateMeta(file: string): Promise<Map<string, string> | undefined> {
  const zip = await XlsxZip.open(file);
  let hasMeta = false;
  try {
    const info = parseWorkbook(await zip.text('xl/workbook.xml'), zip.has('xl/_rels/workbook.xml.rels') ? await zip.text('xl/_rels/workbook.xml.rels') : '');
    hasMeta = info.sheets.some((s) => s.name === META_SHEET);
  } finally {
    zip.close();
  }
  if (!hasMeta) return undefined;
  const reader = await openXlsx({ file, sheet: META_SHEET });
  try {
    const meta = new Map<string, string>([[reader.headers[0], reader.headers[1] ?? '']]);
    // A small sheet of our own; a crafted one is cut short rather than read to its end.
    let n = 0;
    for await (const row of reader.rows) {
      meta.set(cellText(row.cells[0]), cellText(row.cells[1]));
      if (++n > 100) break;
    }
    return meta;
  } finally {
    await reader.close();
  }
}

/** Warnings (empty when the file is not one of our templates, or fits the pipeline). */
export async function checkTemplateOrigin(file: string, config: ImportConfig): Promise<string[]> {
  const meta = await readTemplateMeta(file);
  if (!meta) return [];
  const out: string[] = [];
  if (meta.get('pipeline') !== config.name) {
    out.push(`${file}: this template was made for pipeline \`${meta.get('pipeline')}\`, not \`${config.name}\` (模板属于其他流水线)`);
  } else if (meta.get('mappingHash') !== mappingHash(config)) {
    out.push(`${file}: the pipeline's mapping changed since this template was made (${meta.get('generatedAt')}); check the columns (流水线映射已变更)`);
  }
  if (meta.get('catalogHash') !== CATALOG_HASH) {
    out.push(`${file}: this template was made from an older field catalog; its rules may differ from today's (模板基于旧版字段目录)`);
  }
  return out;
}
