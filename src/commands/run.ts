/**
 * `zbport run <pipeline>`: loads the definition, connects to the ERP (or the built-in emulator
 * when the pipeline allows it), runs the import or export, writes the summary and turns the
 * outcome into an exit status.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadPipeline, type LoadedPipeline } from '../pipeline/load.js';
import { formatProblem } from '../pipeline/problems.js';
import { connectErp } from '../pipeline/connect.js';
import { runImport, type ImportSummary } from '../pipeline/run-import.js';
import type { ImportConfig } from '../pipeline/schema.js';
import { stderrLogger, type Logger } from '../report/logger.js';
import { takeRunLock } from '../state/run-lock.js';
import { createProgress } from '../report/progress.js';

export interface RunOptions {
  pipeline: string;
  input?: string;
  dryRun: boolean;
  json: boolean;
  fullRefresh: boolean;
  output?: string;
  quiet: boolean;
  /** Environment to read ERP settings from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

export async function runCommand(o: RunOptions): Promise<number> {
  const loaded = await loadPipeline(o.pipeline);
  if (!loaded.ok) {
    for (const p of loaded.problems) process.stderr.write(`${formatProblem(p)}\n`);
    return 2;
  }
  const log = stderrLogger(o.quiet);
  for (const w of loaded.pipeline.warnings) log.warn(formatProblem(w));
  // Every run that writes holds its pipeline's lock throughout (src/state/run-lock.ts).
  const lock = takeRunLock(loaded.pipeline.config, o, log);
  if (!lock.ok) return 3;
  try {
    return await runLoaded(o, loaded, log);
  } finally {
    lock.release();
  }
}

async function runLoaded(o: RunOptions, loaded: { pipeline: LoadedPipeline }, log: Logger): Promise<number> {
  const { config } = loaded.pipeline;
  if (config.kind === 'export') {
    const { runExportCommand } = await import('./export.js');
    return runExportCommand({ ...o, pipeline: { ...loaded.pipeline, config } });
  }

  const conn = await connectErp(config.erp, o.env ?? process.env, log, { concurrency: config.write.concurrency, rateLimit: config.write.rateLimit, retries: config.write.retries });
  const ac = new AbortController();
  const stop = () => {
    log.warn('interrupted: finishing the rows in flight, then stopping (press Ctrl-C again to force)');
    ac.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let summary: ImportSummary;
  try {
    log.info(`${config.name}: importing ${config.entity} rows into ${conn.target}${o.dryRun ? ' (dry run: nothing is written)' : ''}`);
    summary = await runImport({
      pipeline: { ...loaded.pipeline, config: config as ImportConfig },
      input: o.input,
      dryRun: o.dryRun,
      erp: conn.erp,
      target: conn.target,
      log,
      progress: createProgress(config.name, process.stderr, o.quiet),
      signal: ac.signal,
    });
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await conn.close();
  }
  const summaryFile = path.join(summary.reports.dir, 'summary.json');
  mkdirSync(summary.reports.dir, { recursive: true });
  summary.reports.summary = summaryFile;
  writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  if (summary.fatal) log.error(summary.fatal.message);
  if (o.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  printSummary(summary, o.quiet);
  return exitStatus(summary);
}

export function exitStatus(s: ImportSummary): number {
  if (s.fatal?.kind === 'auth') return 2;
  if (s.aborted) return 3;
  return s.rejected + s.failed > 0 ? 1 : 0;
}

function printSummary(s: ImportSummary, quiet: boolean): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const parts = s.dryRun
    ? [`would create ${n(s.wouldCreate)}`, `would update ${n(s.wouldUpdate)}`, `would skip ${n(s.wouldSkip)}`]
    : [`created ${n(s.created)}`, `updated ${n(s.updated)}`, `unchanged ${n(s.unchanged)}`, `skipped ${n(s.skipped)}`, `failed ${n(s.failed)}`];
  if (s.doneEarlier) parts.push(`done in an earlier run ${n(s.doneEarlier)}`);
  const lines = [
    `${s.pipeline}: ${n(s.read)} rows read, ${n(s.valid)} valid, ${n(s.rejected)} rejected; ${parts.join(', ')} — ${(s.durationMs / 1000).toFixed(1)} s, ${n(s.rowsPerSecond)} rows/s`,
  ];
  if (s.aborted) lines.push(`aborted: ${s.aborted}`);
  if (s.reports.rejects) lines.push(`rejected rows (fix and re-import this file): ${s.reports.rejects}`);
  if (s.reports.results) lines.push(`row-by-row results: ${s.reports.results}`);
  if (s.reports.summary) lines.push(`summary: ${s.reports.summary}`);
  if (!quiet || s.aborted || s.rejected || s.failed) process.stderr.write(`${lines.join('\n')}\n`);
}
