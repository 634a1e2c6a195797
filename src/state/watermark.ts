/**
 * The incremental export's watermark: what the last successful run exported, so the next one
 * starts there. It is written atomically, and only after the run's file is complete and in place:
 * a run that dies before that leaves the watermark where it was, and the next run exports those
 * records again rather than never.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';

export interface ExportState {
  /** 添加时间 of the newest record exported so far. */
  watermark?: string;
  /** ords exported whose 添加时间 falls on the watermark's day (the next run starts on that day). */
  ordsOnWatermarkDay?: string[];
  lastSuccess?: string;
  lastFile?: string;
}

export function exportStatePath(stateDir: string, name: string): string {
  return path.resolve(stateDir, `${name}.export-state.json`);
}

export function readExportState(file: string): ExportState {
  if (!existsSync(file)) return {};
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as ExportState;
    if (v && typeof v === 'object') return v;
  } catch {
    // falls through to the message below
  }
  throw new ConfigError(`导出水位文件已损坏 / the export's state file is damaged: ${file}`, [
    '删除它并用 --full-refresh 重新全量导出 / delete it and run with --full-refresh to export everything again',
  ]);
}

export function writeExportState(file: string, state: ExportState): void {
  writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}
