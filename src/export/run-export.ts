/**
 * Runs an export pipeline: pages through the ERP's list (in parallel, written in order,
 * deduplicated by ord), writes the spreadsheet to a temporary name and moves it into place only
 * when it is complete, reconciles the rows written with the ERP's record count, and keeps the
 * incremental watermark for the next run.
 *
 * Files are never replaced (a second incremental export on one day once replaced the day's
 * 2,020-row file with an empty one): when the pipeline's name for the file is taken, the run writes
 * beside it with the time added (`联系人-20261128-143005.xlsx`, then `-2`, `-3` …) and says so; an
 * explicit `--output` that exists is refused (exit 2). The watermark moves only once the file is
 * on disk under its final name.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_LAYOUTS, LIST_FIELDS, type ListName } from '../catalog/index.js';
import { ConfigError } from '../errors.js';
import type { ErpClient } from '../erp/client.js';
import type { ColumnNeed, ListLayout } from '../installation/list-layout.js';
import { fillTemplate } from '../definition/name-template.js';
import type { ExportConfig } from '../definition/schema.js';
import type { Logger } from '../report/logger.js';
import { exportColumn, type ExportColumn } from './cells.js';
import { orderedPages } from '../erp/pages.js';
import { CSV_NO_TYPES_NOTE, csvWriter, xlsxWriter } from './writers.js';
import { OrdSet } from './ord-set.js';
import { placeWithoutReplacing, removeDeadTemps, tempPathFor } from '../state/atomic-file.js';
import { exportStatePath, readExportState, writeExportState, type ExportState } from '../state/watermark.js';
import { writableDir } from '../ensure-dir.js';

export type { ExportState };

export interface ExportOptions {
  config: ExportConfig;
  client: ErpClient;
  target: string;
  /** Output file instead of the pipeline's. */
  output?: string;
  fullRefresh: boolean;
  dryRun: boolean;
  log: Logger;
  now?: Date;
  /** Called after each page is written (tests use it to interrupt a run mid-way). */
  onPage?: (pageindex: number) => void;
}

export interface ExportSummary {
  pipeline: string;
  entity: string;
  target: string;
  file?: string;
  /** The pipeline's name for the file, when an earlier file had it and this run wrote beside it. */
  notReplaced?: string;
  format: 'xlsx' | 'csv';
  dryRun: boolean;
  incremental: boolean;
  filters: Record<string, string>;
  rows: number;
  sheets: number;
  /** Records the ERP reported when the export started and when it ended. */
  recordcount: number;
  finalRecordcount: number;
  /** Rows seen twice while paging (records shifting between pages), written once. */
  duplicatesSkipped: number;
  /** Rows skipped because an earlier incremental run exported them. */
  exportedEarlier: number;
  reconciliation: { ok: boolean; note: string };
  /** CSV only: what the format cannot carry (cell types, so leading zeros), and what to do. */
  csvNote?: string;
  watermark?: string;
  durationMs: number;
  rowsPerSecond: number;
  /** The process's peak memory (resident set), for sizing scheduled runs. */
  peakRssMB?: number;
}

export function statePath(config: ExportConfig): string {
  return exportStatePath(config.stateDir, config.name);
}

export function readState(config: ExportConfig): ExportState {
  return readExportState(statePath(config));
}

/** The list an export reads. */
export function exportList(config: ExportConfig): ListName {
  return config.entity === 'contact' ? 'contact' : 'customer';
}

/** The installation's layout with this export's own column overrides (`columnMap`, id → field). */
export function exportLayout(config: ExportConfig, base: ListLayout): ListLayout {
  const overrides = Object.fromEntries(Object.entries(config.columnMap).map(([id, key]) => [key, id]));
  return Object.keys(overrides).length ? base.with(overrides, `${base.origin} + columnMap`) : base;
}

/** The fields an export asks for by name (`name` in a contact export is the customer's name, as it always was). */
function chosenKeys(config: ExportConfig): Array<{ key: string; caption?: string }> | undefined {
  return config.columns?.map((entry) => {
    const key = typeof entry === 'string' ? entry : entry.field;
    return { key: config.entity === 'contact' && key === 'name' ? 'customer_name' : key, caption: typeof entry === 'string' ? undefined : entry.caption };
  });
}

/** Columns the export relies on: ord to write each record once, 添加时间 for the watermark, and every column asked for. */
export function exportNeeds(config: ExportConfig): ColumnNeed[] {
  const needs: ColumnNeed[] = [{ anyOf: ['ord'], why: '去重与核对行数 / each record once' }];
  if (config.incremental) needs.push({ anyOf: ['date1'], why: '增量导出的水位 / the incremental watermark' });
  for (const c of chosenKeys(config) ?? []) if (c.key !== 'ord' && c.key !== 'date1') needs.push({ anyOf: [c.key], why: '导出列 / an exported column' });
  return needs;
}

/**
 * The columns written: the ones asked for, or every field the installation's list shows, in one
 * order whatever the installation's own (zbport's default layout first), so exports of two
 * installations look alike.
 */
export function exportColumns(config: ExportConfig, layout: ListLayout, returned?: Array<{ id: string }>): ExportColumn[] {
  const list = exportList(config);
  const fields = LIST_FIELDS[list];
  const chosen = chosenKeys(config);
  if (chosen) return chosen.map((c) => exportColumn(fields.find((f) => f.key === c.key) ?? { key: c.key, caption: c.key, type: 'string' }, c.caption));
  const shown = returned ? new Set(returned.map((c) => c.id)) : undefined;
  const rank = (key: string) => {
    const i = DEFAULT_LAYOUTS[list].findIndex((c) => c.field === key);
    return i >= 0 ? i : 1000 + fields.findIndex((f) => f.key === key);
  };
  return layout
    .keys()
    .filter((k) => !shown || shown.has(layout.idOf(k)!))
    .sort((a, b) => rank(a) - rank(b))
    .map((k) => exportColumn(fields.find((f) => f.key === k)!));
}

export async function runExport(o: ExportOptions): Promise<ExportSummary> {
  const started = Date.now();
  const { config } = o;
  const now = o.now ?? new Date();
  const format = /\.csv$/i.test(o.output ?? config.output.file) ? 'csv' : 'xlsx';
  const wanted = path.resolve(fillTemplate(o.output ?? config.output.file, config.name, now));
  if (o.output && existsSync(wanted)) {
    throw new ConfigError(`文件已存在，不会覆盖 / the output file exists and is never replaced: ${wanted}`, [
      '删除或改名，或换一个 --output / remove or rename it, or choose another --output',
      "或不用 --output：流水线的文件名被占用时会自动加上时间 / or leave out --output: the pipeline's output.file then gets the time added when its name is taken",
    ]);
  }
  const list0 = exportList(config);
  const layout = exportLayout(config, o.client.layouts[list0]);
  const needs = exportNeeds(config);
  const state = readState(config);
  const incremental = config.incremental && !o.fullRefresh && !!state.watermark;
  const filters: Record<string, string> = Object.fromEntries(Object.entries(config.filters).map(([k, v]) => [k, String(v)]));
  if (incremental) filters.date1_0 = state.watermark!.slice(0, 10);
  const earlier = new Set(incremental ? state.ordsOnWatermarkDay ?? [] : []);
  const list = (pageindex: number, pagesize = config.pageSize) =>
    o.client.listPage(list0, filters, { pageindex, pagesize, sort: config.sort ?? 'ord', need: needs, layout });

  const summary: ExportSummary = {
    pipeline: config.name, entity: config.entity, target: o.target, format, dryRun: o.dryRun, incremental, filters,
    rows: 0, sheets: 0, recordcount: 0, finalRecordcount: 0, duplicatesSkipped: 0, exportedEarlier: 0,
    reconciliation: { ok: true, note: '' }, durationMs: 0, rowsPerSecond: 0,
    ...(format === 'csv' ? { csvNote: CSV_NO_TYPES_NOTE } : {}),
  };
  // One row first: its columns decide what a default export writes, and a list that lacks a
  // column the export relies on stops here, before any file is made.
  const probe = await list(1, 1);
  const columns = exportColumns(config, layout, probe.cols.length ? probe.cols : undefined);
  if (o.dryRun) {
    summary.recordcount = summary.finalRecordcount = probe.page.recordcount;
    summary.reconciliation.note = `试运行：将导出 ${summary.recordcount} 条记录到 ${freeName(wanted, now)} / dry run: ${summary.recordcount} records would be exported to ${freeName(wanted, now)}`;
    summary.durationMs = Date.now() - started;
    return summary;
  }

  const dir = path.dirname(wanted);
  writableDir('output.file', dir);
  for (const t of removeDeadTemps(dir)) o.log.info(`删除了中断运行留下的临时文件（pid ${t.pid}）/ removed a leftover of a killed run (pid ${t.pid}): ${t.file}`);
  let file = freeName(wanted, now);
  // Same folder as the target, so moving it into place is atomic: complete or not at all.
  const tmp = tempPathFor(file);
  const writer = format === 'csv' ? csvWriter(tmp, columns, config.output.encoding) : xlsxWriter(tmp, columns, config.output.sheetName, config.output.maxRowsPerSheet);
  const seen = new OrdSet();
  let watermark = state.watermark ?? '';
  let watermarkOrds = new Set(incremental ? state.ordsOnWatermarkDay ?? [] : []);
  try {
    for await (const page of orderedPages(list, config.concurrency)) {
      if (page.pageindex === 1) summary.recordcount = page.page.recordcount;
      for (const row of page.rows) {
        const ord = row.ord ?? '';
        if (ord && !seen.add(ord)) {
          summary.duplicatesSkipped++;
          continue;
        }
        if (earlier.has(ord)) {
          summary.exportedEarlier++;
          continue;
        }
        await writer.write(row);
        summary.rows++;
        const added = row.date1 ?? '';
        if (added > watermark) {
          if (added.slice(0, 10) !== watermark.slice(0, 10)) watermarkOrds = new Set();
          watermark = added;
        }
        if (added && added.slice(0, 10) === watermark.slice(0, 10)) watermarkOrds.add(ord);
      }
      o.onPage?.(page.pageindex);
    }
    await writer.close();
    summary.finalRecordcount = (await list(1, 1)).page.recordcount;
    // Another run (of another pipeline, or a person) may have taken the name meanwhile.
    while (!placeWithoutReplacing(tmp, file)) file = freeName(wanted, now);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  summary.file = file;
  if (file !== wanted) {
    summary.notReplaced = wanted;
    o.log.warn(`${wanted} 已存在（早前一次运行写的），未覆盖；本次写入 ${file} / ${wanted} exists (from an earlier run) and is not replaced; this run wrote ${file}`);
  }
  summary.sheets = writer.sheets();
  summary.reconciliation = reconcile(summary);
  if (summary.reconciliation.note) o.log.warn(summary.reconciliation.note);
  if (watermark && config.incremental) {
    summary.watermark = watermark;
    const next: ExportState = { watermark, ordsOnWatermarkDay: [...watermarkOrds], lastSuccess: now.toISOString(), lastFile: file };
    // Only now, with the file complete and in place: a run that died before keeps the old watermark.
    writeExportState(statePath(config), next);
  }
  summary.durationMs = Date.now() - started;
  summary.rowsPerSecond = summary.durationMs ? Math.round((summary.rows * 1000) / summary.durationMs) : summary.rows;
  summary.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  return summary;
}

/** Rows accounted for equal the ERP's count, or the summary says why not. */
function reconcile(s: ExportSummary): { ok: boolean; note: string } {
  const accounted = s.rows + s.exportedEarlier;
  if (accounted === s.recordcount && s.recordcount === s.finalRecordcount) return { ok: true, note: '' };
  if (s.recordcount !== s.finalRecordcount) {
    return {
      ok: true,
      note: `导出期间 ERP 的记录数有变化（${s.recordcount} → ${s.finalRecordcount}），期间有记录被添加或删除；已导出 ${accounted} 条 / the ERP's count changed during the export (${s.recordcount} → ${s.finalRecordcount}): records were added or removed meanwhile; ${accounted} were exported`,
    };
  }
  return { ok: false, note: `导出了 ${accounted} 条记录，但 ERP 报告共 ${s.recordcount} 条，文件可能不完整 / exported ${accounted} records but the ERP reports ${s.recordcount}: the file may be incomplete` };
}

/**
 * `wanted` if free, else `wanted` with the run's time added before the extension, then `-2`, `-3` …
 * (no second time when the name already holds it). Two runs choosing one free name at once are
 * told apart when the file is placed: the second finds it taken and chooses again.
 */
function freeName(wanted: string, now: Date): string {
  const free = (f: string) => !existsSync(f);
  if (free(wanted)) return wanted;
  const ext = path.extname(wanted);
  const stem = wanted.slice(0, wanted.length - ext.length);
  const time = fillTemplate('{time}', '', now);
  const base = path.basename(stem).includes(time) ? stem : `${stem}-${time}`;
  if (free(`${base}${ext}`)) return `${base}${ext}`;
  for (let i = 2; ; i++) if (free(`${base}-${i}${ext}`)) return `${base}-${i}${ext}`;
}
