/**
 * `zbport run <pipeline>`: loads the definition, connects to the ERP (or the built-in emulator
 * when the pipeline allows it), runs the import or export, writes the summary and turns the
 * outcome into an exit status.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadPipeline, type LoadedPipeline } from '../definition/load.js';
import { formatProblem } from '../definition/problems.js';
import { connectErp } from '../run/connect.js';
import { checkConnection, checkLists } from '../installation/preflight.js';
import { runImport, type ImportSummary } from '../run/run-import.js';
import { isPattern, resolveSourceFile } from '../run/source-file.js';
import type { ImportConfig } from '../definition/schema.js';
import { stderrLogger, type Logger } from '../report/logger.js';
import { takeRunLock } from '../state/run-lock.js';
import { createProgress } from '../report/progress.js';
import { reportFatal } from '../cli/fatal.js';
import { writeRunReport } from '../report/html-report.js';
import { RunTimeline } from '../report/run-timeline.js';
import { scrub } from '../erp/scrub.js';
import { lang, localize, say } from '../report/lang.js';
import { ensureDir } from '../ensure-dir.js';

export interface RunOptions {
  pipeline: string;
  input?: string;
  dryRun: boolean;
  json: boolean;
  fullRefresh: boolean;
  output?: string;
  quiet: boolean;
  /** `--installation FILE`: the installation profile instead of the pipeline's. */
  installation?: string;
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
  const { pipeline } = loaded;
  const { config } = pipeline;
  if (config.kind === 'export') {
    const { runExportCommand } = await import('./export.js');
    return runExportCommand({ ...o, pipeline: { ...loaded.pipeline, config } });
  }

  const conn = await connectErp({
    pipeline: config, installation: o.installation, env: o.env ?? process.env, log,
    tuning: { concurrency: config.write.concurrency, maxConcurrency: config.write.maxConcurrency, initialConcurrency: config.write.initialConcurrency, rateLimit: config.write.rateLimit, retries: config.write.retries },
  });
  const timeline = new RunTimeline();
  conn.client.onRequest = (ms, ok) => timeline.request(ms, ok);
  const ac = new AbortController();
  // A stop (Ctrl-C, SIGTERM from systemd or cron) ends the run within seconds: no new rows are
  // taken, the rows in flight get STOP_GRACE_MS to finish, then what is still waiting on the ERP
  // is dropped (its rows stay pending in the journal), and the reports are written.
  const stop = () => {
    log.warn(`收到停止信号：进行中的行最多再等 ${STOP_GRACE_MS / 1000} 秒，然后停止（再按一次 Ctrl-C 立即退出）/ stopping: rows in flight get ${STOP_GRACE_MS / 1000} s to finish (press Ctrl-C again to quit at once)`);
    ac.abort();
    setTimeout(() => conn.client.cancel('运行被中止 / the run was stopped'), STOP_GRACE_MS).unref();
    process.once('SIGINT', () => process.exit(130));
    process.once('SIGTERM', () => process.exit(143));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let summary: ImportSummary;
  try {
    summary = await importWith();
  } catch (err) {
    // Stopped before any row was read (connection, list columns, the file's header): said once, with its exit status.
    return reportFatal(err);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await conn.close();
  }
  async function importWith(): Promise<ImportSummary> {
    const what = ENTITY_WORDS[config.entity] ?? [config.entity, config.entity];
    log.info(`${config.name}: 导入${what[0]}到 ${conn.target}${o.dryRun ? '（试运行：不写入任何数据）' : ''} / importing ${what[1]} rows into ${conn.target}${o.dryRun ? ' (dry run: nothing is written)' : ''}`);
    // `source.file: exports/联系人-*.xlsx` reads the newest export; the summary names the file read.
    const { source } = config as ImportConfig;
    const input = o.input ?? (isPattern(source.file) ? await resolveSourceFile(source.file) : undefined);
    if (input && !o.input) log.info(`读取 ${input}（与 ${source.file} 匹配的最新文件）/ reading ${input}, the newest file matching ${source.file}`);
    // The login's round trip goes out while the file is opened and its header matched; its error,
    // if any, is thrown where the run waits for it, before any list is read.
    const loggedIn = checkConnection(conn.client, log);
    loggedIn.catch(() => undefined);
    return runImport({
      pipeline: { ...pipeline, config: config as ImportConfig },
      input,
      dryRun: o.dryRun,
      erp: conn.erp,
      target: conn.target,
      log,
      progress: createProgress(config.name, process.stderr, o.quiet),
      signal: ac.signal,
      enums: conn.installation.enums,
      prepare: async (needs, reads) => {
        await loggedIn;
        // Where the contact list's columns are the profile's (not guesses the checks may correct),
        // the verifier's first page goes out with the checks.
        if (reads.newestContacts && !conn.installation.guessed.includes('contact') && conn.erp.shows('contact', 'ord')) conn.erp.readNewestEarly(reads.newestContacts);
        try {
          await checkLists(conn.client, conn.installation, needs, log, { wholeFirstPage: reads.wholeFirstPage });
        } catch (err) {
          // Stopped here: that read ends before the run's logout.
          await conn.erp.settleEarlyReads();
          throw err;
        }
        for (const [list, n] of Object.entries(needs)) conn.erp.require(list as keyof typeof needs, n ?? []);
      },
      health: () => conn.client.health(),
      timeline,
    });
  }
  const summaryFile = path.join(summary.reports.dir, 'summary.json');
  ensureDir(summary.reports.dir);
  summary.reports.summary = summaryFile;
  summary.reports.report = path.join(summary.reports.dir, 'report.html');
  scrubMessages(summary);
  writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  writeRunReport(summary, timeline);
  if (summary.fatal) log.error([summary.fatal.message, ...(summary.fatal.details ?? []).map((d) => `  ${d}`)].join('\n'));
  if (o.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  printSummary(summary, o.quiet);
  return exitStatus(summary);
}

/** What an import makes, for its first line: [Chinese, English]. */
const ENTITY_WORDS: Record<string, [string, string]> = { contact: ['联系人', 'contact'], followup: ['洽谈进展', 'follow-up'], customer: ['客户', 'customer'] };

/** How long rows in flight may take to finish after a stop signal (the whole stop stays under 10 s). */
export const STOP_GRACE_MS = 5000;

/**
 * The summary's free texts may quote the ERP or an unexpected error: scrubbed once more before
 * summary.json, --json, report.html and the lines below show them. Only these fields (paths and
 * names are the user's own and stay as written), and not zbport's own configuration messages.
 */
function scrubMessages(s: ImportSummary): void {
  if (s.aborted) s.aborted = scrub(s.aborted);
  if (s.fatal && s.fatal.kind !== 'config' && s.fatal.kind !== 'outage') {
    s.fatal = { ...s.fatal, message: scrub(s.fatal.message), ...(s.fatal.details ? { details: s.fatal.details.map((d) => scrub(d)) } : {}) };
  }
}

export function exitStatus(s: ImportSummary): number {
  // A configuration problem found before anything was written: 2, as documented; after writes
  // began, the run was stopped part-way: 3, so the status never claims nothing was written.
  const wrote = s.created + s.updated + s.failed + s.interrupted > 0;
  if ((s.fatal?.kind === 'auth' || s.fatal?.kind === 'config') && !wrote) return 2;
  if (s.aborted) return 3;
  return s.rejected + s.failed > 0 ? 1 : 0;
}

function printSummary(s: ImportSummary, quiet: boolean): void {
  const n = (x: number) => x.toLocaleString('en-US');
  // One line in Chinese, one in English, with the same identities as summary.json and report.html:
  // read = valid + invalid; the valid rows' outcomes add up to valid; rejected = invalid + lookup + ERP.
  const zh: string[] = [];
  const en: string[] = [];
  const part = (count: number, z: string, e: string, always = false) => {
    if (!count && !always) return;
    zh.push(`${z} ${n(count)}`);
    en.push(`${e} ${n(count)}`);
  };
  if (s.dryRun) {
    part(s.wouldCreate, '将创建', 'would create', true);
    part(s.wouldUpdate, '将更新', 'would update', true);
    part(s.unchanged, '无变化', 'unchanged', true);
    part(s.wouldSkip, '将跳过', 'would skip', true);
  } else {
    part(s.created, '创建', 'created', true);
    part(s.updated, '更新', 'updated', true);
    part(s.unchanged, '无变化', 'unchanged', true);
    part(s.skipped, '跳过', 'skipped', true);
  }
  part(s.doneEarlier, '此前已完成', 'done in an earlier run');
  part(s.lookupRejected, '查找或匹配拒绝', 'rejected by lookup or match');
  part(s.erpRejected, 'ERP 拒绝', 'refused by the ERP');
  part(s.failed, '失败', 'failed', true);
  part(s.interrupted, '中断未完成', 'interrupted');
  const secs = (s.durationMs / 1000).toFixed(1);
  const zhLine = `读取 ${n(s.read)} 行 = 有效 ${n(s.valid)} + 无效 ${n(s.invalid)}；有效行：${zh.join('，')}；共拒绝 ${n(s.rejected)} 行`;
  const enLine = `${n(s.read)} rows read = ${n(s.valid)} valid + ${n(s.invalid)} invalid; valid rows: ${en.join(', ')}; ${n(s.rejected)} rejected in all — ${secs} s, ${n(s.rowsPerSecond)} rows/s`;
  // One line in each language: the counts do not fit one line twice.
  const l = lang();
  const lines = l === 'zh' ? [`${s.pipeline}: ${zhLine}，用时 ${secs} 秒，每秒 ${n(s.rowsPerSecond)} 行`]
    : l === 'en' ? [`${s.pipeline}: ${enLine}`]
    : [`${s.pipeline}: ${zhLine}`, `  ${enLine}`];
  // `标签：值` in Chinese, `label: value` otherwise.
  const label = (zhText: string, enText: string) => (l === 'zh' ? `${zhText}：` : `${say(zhText, enText)}: `);
  if (s.aborted) lines.push(`${label('已中止', 'aborted')}${localize(s.aborted)}`);
  if (s.notAttempted || s.interrupted) {
    lines.push(say(`尚未处理 ${n(s.notAttempted + s.interrupted)} 行（不是错误行，不要修改）；原样重新运行同一命令即可继续`, `${n(s.notAttempted + s.interrupted)} rows not yet done (not bad rows: nothing to fix); run the same command again to resume`));
  }
  if (s.reports.rejects) lines.push(`${label('被拒绝的行（修改后重新导入此文件）', 'rejected rows (fix and re-import this file)')}${s.reports.rejects}`);
  if (s.reports.results) lines.push(`${label('逐行结果', 'row-by-row results')}${s.reports.results}`);
  if (s.reports.summary) lines.push(`${label('汇总', 'summary')}${s.reports.summary}`);
  if (s.reports.report) lines.push(`${label('运行报告', 'run report')}${s.reports.report}`);
  // --quiet keeps the one-line result (a cron log must show that the run happened and how it
  // ended), and the rest when there is something to look at.
  process.stderr.write(`${(!quiet || s.aborted || s.rejected || s.failed ? lines : lines.slice(0, 1)).join('\n')}\n`);
}
