/**
 * `zbport run <export pipeline>`: connects, exports, prints the summary. The pipeline's lock is
 * already held (run.ts takes it for every run that writes). Exit status 0 only when the file is
 * complete.
 */
import path from 'node:path';
import { DEFAULT_RETRIES } from '../erp/retry-policy.js';
import { exportList, exportNeeds, runExport } from '../export/run-export.js';
import { checkConnection, checkLists } from '../installation/preflight.js';
import { connectErp } from '../run/connect.js';
import type { LoadedPipeline } from '../definition/load.js';
import type { ExportConfig } from '../definition/schema.js';
import { stderrLogger } from '../report/logger.js';
import { writeFileAtomic } from '../state/atomic-file.js';
import { lang, localize, say } from '../report/lang.js';

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
  const conn = await connectErp({ pipeline: config, installation: o.installation, env: o.env ?? process.env, log, tuning: { concurrency: config.concurrency, rateLimit: 0, retries: DEFAULT_RETRIES } });
  try {
    await checkConnection(conn.client, log);
    await checkLists(conn.client, conn.installation, { [exportList(config)]: exportNeeds(config) }, log);
    const summary = await runExport({ config, client: conn.client, target: conn.target, output: o.output, fullRefresh: o.fullRefresh, dryRun: o.dryRun, log });
    // A dry run leaves the state folder as it was.
    if (!summary.dryRun) writeFileAtomic(path.resolve(config.stateDir, `${config.name}.last-run.json`), `${JSON.stringify(summary, null, 2)}\n`);
    if (o.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    // The one-line result is printed under --quiet too: a cron log must show that the export ran.
    process.stderr.write(`${config.name}: ${summary.dryRun ? localize(summary.reconciliation.note) : resultLine(summary)}\n`);
    if (summary.csvNote && !o.quiet) process.stderr.write(`${say('注意', 'note')}: ${localize(summary.csvNote)}\n`);
    return summary.reconciliation.ok ? 0 : 1;
  } finally {
    await conn.close();
  }
}

/** `2,020 rows → exports/联系人-20261128.xlsx, 3.1 s`, with its Chinese first. */
function resultLine(s: { rows: number; file?: string; sheets: number; durationMs: number }): string {
  const rows = s.rows.toLocaleString('en-US');
  const secs = (s.durationMs / 1000).toFixed(1);
  const zh = `导出 ${rows} 行 → ${s.file}${s.sheets > 1 ? `（${s.sheets} 个工作表）` : ''}，用时 ${secs} 秒`;
  const en = `${rows} rows → ${s.file}${s.sheets > 1 ? ` (${s.sheets} sheets)` : ''}, ${secs} s`;
  const l = lang();
  return l === 'zh' ? zh : l === 'en' ? en : `导出 ${rows} 行 / ${en}`;
}
