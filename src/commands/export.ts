/**
 * `zbport run <export pipeline>`: takes the pipeline's lock, connects, exports, prints the summary.
 * Exit status 0 only when the file is complete.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { acquireLock } from '../export/lock.js';
import { exportList, exportNeeds, runExport } from '../export/run-export.js';
import { checkConnection, checkLists } from '../installation/preflight.js';
import { connectErp } from '../pipeline/connect.js';
import type { LoadedPipeline } from '../pipeline/load.js';
import type { ExportConfig } from '../pipeline/schema.js';
import { stderrLogger } from '../report/logger.js';

export interface ExportCommandOptions {
  pipeline: LoadedPipeline & { config: ExportConfig };
  output?: string;
  dryRun: boolean;
  json: boolean;
  fullRefresh: boolean;
  quiet: boolean;
  installation?: string;
  env?: NodeJS.ProcessEnv;
}

export async function runExportCommand(o: ExportCommandOptions): Promise<number> {
  const { config } = o.pipeline;
  const log = stderrLogger(o.quiet);
  const lockFile = path.resolve(config.stateDir, `${config.name}.lock`);
  const lock = acquireLock(lockFile);
  if (!lock.ok) {
    log.error(`${config.name}: another run is still in progress (pid ${lock.holder.pid} on ${lock.holder.host} since ${lock.holder.since}); not starting a second one`);
    return 3;
  }
  const release = () => lock.release();
  process.once('exit', release);
  try {
    const conn = await connectErp({ pipeline: config, installation: o.installation, env: o.env ?? process.env, log, tuning: { concurrency: config.concurrency, rateLimit: 0, retries: 5 } });
    try {
      await checkConnection(conn.client, log);
      await checkLists(conn.client, conn.installation, { [exportList(config)]: exportNeeds(config) }, log);
      const summary = await runExport({ config, client: conn.client, target: conn.target, output: o.output, fullRefresh: o.fullRefresh, dryRun: o.dryRun, log });
      const summaryFile = path.resolve(config.stateDir, `${config.name}.last-run.json`);
      mkdirSync(path.dirname(summaryFile), { recursive: true });
      writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
      if (o.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      if (!o.quiet || !summary.reconciliation.ok) {
        process.stderr.write(`${config.name}: ${summary.dryRun ? summary.reconciliation.note : `${summary.rows.toLocaleString('en-US')} rows → ${summary.file}${summary.sheets > 1 ? ` (${summary.sheets} sheets)` : ''}, ${(summary.durationMs / 1000).toFixed(1)} s`}\n`);
      }
      return summary.reconciliation.ok ? 0 : 1;
    } finally {
      await conn.close();
    }
  } finally {
    release();
    process.removeListener('exit', release);
  }
}
