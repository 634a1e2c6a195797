/**
 * Runs an import pipeline: source → prepare (map, transform, validate) → in-file duplicate check
 * → reference lookup → write (mode, verify, journal) → reports.
 *
 * Rows are pulled by a fixed pool of workers, so at most `concurrency` rows are in flight and
 * the reader is only asked for a row when a worker is free: back-pressure from the ERP all the
 * way to the file, and memory that does not grow with the row count. With `concurrency: auto`
 * the pool is as large as the maximum and each row first takes a slot of the ERP's current
 * limit (src/erp/concurrency-limit.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RowProblem } from '../errors.js';
import { RejectsWorkbook } from '../report/rejects-workbook.js';
import { ResultsFile } from '../report/results-file.js';
import type { ImportSummary } from '../report/summary.js';
import { cellText, type Cell, type SourceReader, type SourceRow } from '../sources/types.js';
import { comparable } from '../lookup/company-resolver.js';
import { OUTCOME_COUNTER, type WriteResult } from '../write/outcomes.js';
import { isTransient } from '../erp/errors.js';
import { ENTITIES } from '../entities/index.js';
import type { StartReads } from '../entities/types.js';
import { planHeaders } from './header-map.js';
import type { ImportErp } from './import-erp.js';
import { Journal } from '../state/journal.js';
import type { LoadedPipeline } from '../definition/load.js';
import { openSource, sourceIdentity, type OpenedSource } from '../sources/index.js';
import { contentHash, OccurrenceCounter } from '../write/row-key.js';
import { KeySet } from '../write/key-set.js';
import { RowPreparer, type RowPreparerOptions } from './row-preparer.js';
import type { ImportConfig } from '../definition/schema.js';
import { effectiveMatchKeys } from '../definition/rules.js';
import { checkTemplateOrigin } from '../template/check-origin.js';
import { withoutExampleRow } from '../template/example-row.js';
import { ConfigError } from '../errors.js';
import { fillTemplate } from '../definition/name-template.js';
import { progressCounts, type Progress } from '../report/progress.js';
import type { Logger } from '../report/logger.js';
import type { ListNeeds } from '../installation/list-layout.js';
import type { RunTimeline } from '../report/run-timeline.js';
import { rowReason } from '../report/lang.js';
import { plainCaption } from '../catalog/index.js';
import { fixedSummary } from '../erp/concurrency-limit.js';
import { ensureDir, writable } from '../ensure-dir.js';

export interface ImportRunOptions {
  pipeline: LoadedPipeline & { config: ImportConfig };
  /** Source file instead of the pipeline's. */
  input?: string;
  dryRun: boolean;
  erp: ImportErp;
  /** Where the rows go, for the summary and the journal's identity (never carries secrets). */
  target: string;
  log: Logger;
  progress?: Progress;
  /** Stops pulling new rows (Ctrl-C); rows in flight finish and are journalled. */
  signal?: AbortSignal;
  /** Clock for report folder names (tests pin it). */
  now?: Date;
  /**
   * Connects and checks the ERP for these list columns before any row is read (preflight.ts);
   * throws a ConfigError or ConnectionError to stop the run. `reads` may go out with the checks.
   */
  prepare?: (needs: ListNeeds, reads: StartReads) => Promise<void>;
  /** This installation's enum ids (label → id per field); the pipeline's `enums` override them. */
  enums?: Record<string, Record<string, string>>;
  /**
   * Asks whether the ERP still answers at all: the cause when it does not. Called when a row has
   * failed for good, to tell an outage (stop, resume later) from one bad row.
   */
  health?: () => Promise<string | undefined>;
  /** Records row outcomes over time for the HTML run report. */
  timeline?: RunTimeline;
}

export type { ImportSummary };


export async function runImport(opts: ImportRunOptions): Promise<ImportSummary> {
  const started = Date.now();
  const { config } = opts.pipeline;
  const file = opts.input ?? config.source.file;
  const reader = await openSource({ ...config.source, file });
  try {
    return await importRows(opts, reader, file, started);
  } finally {
    // Whatever stops the run (the ERP unreachable while preparing included), the file is let go:
    // a CSV parsing thread left running would keep the process from exiting.
    await reader.close();
  }
}

async function importRows(opts: ImportRunOptions, reader: OpenedSource, file: string, started: number): Promise<ImportSummary> {
  const { config } = opts.pipeline;
  const entity = ENTITIES[config.entity];
  if (reader.kind.templates) {
    // A filled template made for another pipeline or an older catalog still imports, with a warning.
    for (const w of await checkTemplateOrigin(file, config).catch(() => [])) opts.log.warn(w);
  }
  const now = opts.now ?? new Date();
  const reportDir = uniqueDir(path.resolve(fillTemplate(config.reports.dir, config.name, now)));

  const plan = planHeaders(reader.headers, config.mapping, entity.extraColumns(config), entity.fields);
  if (plan.problems.length) {
    throw new ConfigError(`${where(reader)}: 流水线的映射与文件的表头（第 ${reader.headerRow} 行）对不上 / the pipeline's mapping does not fit the file's header row (row ${reader.headerRow})`, plan.problems);
  }
  for (const note of plan.notes) opts.log.info(note);
  if (plan.unmapped.length) opts.log.info(`未映射、不导入的列 / ignored columns (not mapped): ${plan.unmapped.join(', ')}`);

  const preparing: RowPreparerOptions = {
    file: reader.file, sheet: reader.sheet, fields: entity.fields, columns: plan.columns,
    defaultTransforms: config.transforms, enums: mergeEnums(opts.enums ?? {}, config.enums),
    references: entity.references(config),
  };
  const preparer = new RowPreparer(preparing);
  const matchKeys = effectiveMatchKeys(config);
  // Match keys as people read them: the file's headers (客户名称+联系人姓名+手机), not field ids.
  const keyNames = matchKeys.map((k) => plan.columns.find((c) => c.field === k && c.index >= 0)?.header || plainCaption(entity.fields.find((f) => f.id === k)?.caption ?? k)).join('+');
  // Connection and list columns are checked before any row is read or anything written.
  await opts.prepare?.(entity.needs(config, matchKeys), entity.startReads?.(config, matchKeys, opts.dryRun) ?? {});
  const journalFile = opts.dryRun ? undefined : await journalPath(opts.pipeline, await sourceIdentity({ ...config.source, file }), opts.target);
  const journal = journalFile ? writable('stateDir', config.stateDir, () => Journal.open(journalFile)) : undefined;
  if (journal?.resumed) opts.log.info(`继续上次中断的运行：${journal.file} 中记录了 ${journal.resumed} 行 / resuming an interrupted run: ${journal.resumed} rows were recorded in ${journal.file}`);
  const run = await entity.start({ config, erp: opts.erp, journal, dryRun: opts.dryRun, matchKeys, target: opts.target, log: opts.log, writable });
  writable('reports.dir', reportDir, () => ensureDir(reportDir));
  const rejects = config.reports.rejects
    ? new RejectsWorkbook({ file: path.join(reportDir, 'rejects.xlsx'), sheet: reader.sheet ?? 'Sheet1', headers: reader.headers, headerRow: reader.headerRow })
    : undefined;
  const results = config.reports.results ? new ResultsFile(path.join(reportDir, 'results.csv')) : undefined;

  const s: ImportSummary = {
    pipeline: config.name, file, sheet: reader.sheet, target: opts.target, dryRun: opts.dryRun,
    read: 0, valid: 0, invalid: 0, lookupRejected: 0, erpRejected: 0, rejected: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, interrupted: 0, notAttempted: 0, continuationRows: 0, doneEarlier: 0,
    wouldCreate: 0, wouldUpdate: 0, wouldSkip: 0, unmappedColumns: plan.unmapped, durationMs: 0, rowsPerSecond: 0,
    reports: { dir: reportDir }, lookups: { companies: 0, cacheHits: 0 }, problems: {},
  };
  const firstRowOfKey = new KeySet();
  // Identical rows: the same record twice (rejected as duplicates) or two records (follow-ups).
  const occurrences = entity.identicalRows === 'distinct' ? new OccurrenceCounter() : undefined;
  // ZB's own layout: a row whose customer cell is blank continues the customer row above it (where
  // that cell is a column of the file).
  const continuationColumn = config.source.layout === 'zb' && entity.continuation ? plan.columns.find((c) => c.field === entity.continuation!.field && c.index >= 0) : undefined;
  const continuation = continuationColumn && { then: entity.continuation!.then, index: continuationColumn.index };
  // Rows validated where they are read (the CSV parsing thread), unless a row takes a cell from the one above.
  if (!continuation) reader.validateWith?.(preparing);
  let owner: Cell;
  let consecutiveFailures = 0;
  let abort: string | undefined;

  // `stage`: where a rejected row was turned away, for the counts (README: the count identities).
  const reject = (src: SourceRow, problems: RowProblem[], stage: 'invalid' | 'lookup' | 'erp', outcome: 'rejected' | 'failed' = 'rejected', ord?: string) => {
    if (outcome === 'rejected') {
      s.rejected++;
      s[stage === 'invalid' ? 'invalid' : stage === 'lookup' ? 'lookupRejected' : 'erpRejected']++;
    } else s.failed++;
    for (const p of problems) s.problems[p.code] = (s.problems[p.code] ?? 0) + 1;
    opts.timeline?.row(outcome, problems);
    rejects?.add(src.cells, problems);
    results?.add({ row: src.row, outcome, ord, code: problems[0]?.code, reason: problems.map((p) => rowReason(p.message)).join('；') });
  };

  const processRow = async (src: SourceRow): Promise<{ later: Promise<void> } | undefined> => {
    if (continuation) {
      const i = continuation.index;
      if (cellText(src.cells[i]).trim() === '') {
        if (continuation.then === 'skip') {
          s.continuationRows++;
          return;
        }
        // The customer of the row above, on a copy: the row as read stays as the user wrote it.
        src = { ...src, cells: Object.assign([...src.cells], { [i]: owner }) };
      } else owner = src.cells[i];
    }
    s.read++;
    const prep = preparer.prepare(src);
    if (prep.problems.length) {
      reject(src, prep.problems, 'invalid');
      return undefined;
    }
    s.valid++;
    if (matchKeys.length && entity.identicalRows === 'duplicate') {
      const mk = matchKeys.map((k) => comparable(prep.values[k] ?? '')).join('\u0000');
      const first = firstRowOfKey.addOrGet(mk, src.row);
      if (first !== undefined) {
        reject(src, [preparer.problem(src.row, undefined, matchKeys.join('+'), '', 'DUPLICATE_IN_FILE', {
          zh: `与第 ${first} 行重复（匹配键：${keyNames}）`,
          en: `duplicate of row ${first} (match key: ${keyNames})`,
        })], 'lookup');
        return undefined;
      }
    }
    // The prepared values are this row's own: references are replaced by their ids in place.
    const values = prep.values;
    const extra = (role: string) => {
      const col = plan.extra[role];
      return col ? cellText(src.cells[col.index]).normalize('NFKC').trim() : undefined;
    };
    const resolved = await run.resolve(values, extra);
    if (!resolved.ok) {
      const j = resolved.rejection;
      const col = j.field ? plan.columns.find((c) => c.field === j.field) : j.role ? plan.extra[j.role] : undefined;
      reject(src, [preparer.problem(src.row, col, j.field ?? '', j.value, j.code, j.message)], j.code.startsWith('ERP_') ? 'erp' : 'lookup');
      return undefined;
    }
    // The row key of the journal and the follow-up ledger; a dry run keeps no journal.
    const key = journal || occurrences ? (occurrences ? occurrences.next(contentHash(config.entity, values)) : contentHash(config.entity, values)) : '';
    const result = await run.write({ row: src.row, key, values, blanks: prep.blanks, companyName: resolved.companyName });
    const finish = (r: WriteResult) => record(src, resolved.note && r.outcome !== 'rejected' && r.outcome !== 'failed' ? { ...r, note: [resolved.note, 'note' in r ? r.note : undefined].filter(Boolean).join('；') } as WriteResult : r);
    // Saved, verified later in a batch: the worker takes the next row meanwhile.
    if ('deferred' in result) return { later: result.deferred.then(finish) };
    await finish(result);
    return undefined;
  };

  const record = async (src: SourceRow, r: WriteResult) => {
    if (r.outcome === 'failed' && r.code === 'ERP_FAILED' && opts.signal?.aborted) {
      // Failing while the run is being stopped: the stop, not the row, is why.
      s.interrupted++;
      results?.add({ row: src.row, outcome: 'interrupted', ord: r.ord, code: r.code, reason: '运行被中止，未完成 / the run was stopped before this row was done' });
      return;
    }
    if (r.outcome === 'failed' && r.code === 'ERP_FAILED' && opts.health) {
      // A row that failed for good during an outage is not a bad row: stop, and resume later.
      const down = await outage();
      if (down) {
        s.interrupted++;
        results?.add({ row: src.row, outcome: 'interrupted', ord: r.ord, code: r.code, reason: `ERP 中断，未完成：${down} / interrupted by an ERP outage` });
        return;
      }
    }
    if (r.outcome === 'rejected' || r.outcome === 'failed') {
      consecutiveFailures++;
      reject(src, [preparer.problem(src.row, undefined, '', '', r.code, { zh: r.zh, en: r.en })], r.code === 'ERP_REJECTED' ? 'erp' : 'lookup', r.outcome, r.ord);
      if (consecutiveFailures >= config.write.maxConsecutiveFailures && !abort) {
        abort = `连续 ${consecutiveFailures} 行被拒绝或失败（write.maxConsecutiveFailures），为保护 ERP 已停止 / ${consecutiveFailures} rows in a row were refused or failed (write.maxConsecutiveFailures); stopped to protect the ERP`;
      }
      return;
    }
    consecutiveFailures = 0;
    s[OUTCOME_COUNTER[r.outcome]]++;
    opts.timeline?.row(r.outcome);
    results?.add({ row: src.row, outcome: r.outcome, ord: r.ord, reason: 'note' in r ? r.note : undefined });
  };

  let inputError: unknown;
  let outageCause: string | undefined;
  let outageCheck: Promise<string | undefined> | undefined;
  // One health check at a time; its answer is shared by the rows failing together.
  const outage = async (): Promise<string | undefined> => {
    if (outageCause) return outageCause;
    outageCheck ??= opts.health!().finally(() => {
      setTimeout(() => (outageCheck = undefined), 2000).unref();
    });
    const cause = await outageCheck;
    if (cause && !outageCause) {
      outageCause = cause;
      abort ??= `ERP 不可用，已停止：${cause}；ERP 恢复后原样重新运行同一命令即可继续 / the ERP stopped answering (${cause}); run the same command again when it is back to resume`;
    }
    return cause;
  };
  const onAbort = () => {
    abort ??= 'interrupted';
  };
  opts.signal?.addEventListener('abort', onAbort);
  // A filled template's grey example row is not data.
  const iterator = serialized((reader.kind.templates ? await withoutExampleRow(file, reader, opts.log) : reader.rows)[Symbol.asyncIterator]());
  const tick = setInterval(() => opts.progress?.update(progressCounts(s), reader.progress?.()), 250);
  let fatal: unknown;
  // write.concurrency: auto: a pool as large as the maximum, each row holding a slot of the ERP's
  // current limit from before it is read until it is recorded.
  const slots = config.write.concurrency === 'auto' ? opts.erp.rowSlots : undefined;
  const rowsAtOnce = config.write.concurrency === 'auto' ? config.write.initialConcurrency : config.write.concurrency;
  // At a fixed number, one row more than the ERP is sent at once (the client's cap, not this pool,
  // bounds its requests): that row is read, validated, matched and journalled while the others'
  // saves are on their way, and its save waits in the cap to go out the moment one answers. Each
  // row's own work then costs the ERP no idle time. Not where a row a kill leaves pending is
  // reported rather than looked for: one more such row a kill would be one more for a person.
  const ahead = config.write.concurrency !== 'auto' && entity.pendingAfterKill === 'look' ? 1 : 0;
  const poolSize = slots?.most ?? rowsAtOnce + ahead;
  if (slots) opts.progress?.showLimit?.(() => slots.limit);
  const pull = !slots ? iterator : async (): Promise<IteratorResult<SourceRow>> => {
    await slots.acquire();
    if (abort || fatal !== undefined) {
      slots.release();
      return { done: true, value: undefined };
    }
    const r = await iterator().catch((err: unknown) => {
      slots.release();
      throw err;
    });
    if (r.done) slots.release();
    return r;
  };
  const inSlot = !slots ? processRow : (src: SourceRow) => processRow(src).finally(() => slots.release());
  try {
    // What becomes of a row whose write threw: stopped (not a bad row), failed for good, or the
    // end of the run (an error that is not about one row).
    const rowError = async (row: SourceRow, err: unknown) => {
      if ((err as { kind?: string }).kind === 'cancelled') {
        // Stopped while this row was being written: not a bad row; a create stays pending in
        // the journal and the next run looks for it before sending anything.
        s.interrupted++;
        results?.add({ row: row.row, outcome: 'interrupted', code: 'ERP_FAILED', reason: '运行被中止，未完成 / the run was stopped before this row was done' });
        return;
      }
      if (isTransient(err)) {
        // The ERP kept failing for this row (lookups included) beyond the client's retries.
        await record(row, { outcome: 'failed', code: 'ERP_FAILED', zh: `ERP 多次出错：${(err as Error).message}`, en: `the ERP kept failing: ${(err as Error).message}` });
        return;
      }
      // Errors that are not about one row (login refused, session lost for good, a bug): stop the run.
      // The row it was writing is not a bad row: it is left for the next run (a create stays
      // pending in the journal), and counted so the identities of the summary hold.
      fatal ??= err;
      abort ??= `已停止 / stopped: ${(err as Error).message}`;
      s.interrupted++;
      results?.add({ row: row.row, outcome: 'interrupted', reason: '运行因错误停止，未完成 / the run stopped on an error before this row was done' });
    };
    // Rows saved and waiting for their batch verification: bounded, so memory does not grow with the run.
    const later = new Set<Promise<void>>();
    const worker = async () => {
      while (!abort && fatal === undefined) {
        // A request's socket write waits for a tick that comes only once the promise jobs queued
        // before it have run, and a row's work (validation, matching, the journal) is a chain of
        // them: the next row starts after a turn of the event loop, so the save another worker
        // has just sent leaves first (the ERP sat idle about 0.4 ms longer between saves at 1 in
        // flight otherwise, in the emulator's request log). Not in a dry run: it sends no saves.
        if (!opts.dryRun) await new Promise<void>((resolve) => setImmediate(resolve));
        let next: IteratorResult<SourceRow>;
        try {
          next = await pull();
        } catch (err) {
          // The file cannot be read further (bytes that do not decode, a corrupt part…): the rows
          // read so far are finished and reported like any run's, and the run stops.
          inputError ??= err;
          abort ??= `输入文件无法继续读取 / the input file cannot be read further: ${(err as Error).message}`;
          return;
        }
        if (next.done) return;
        const row = next.value;
        try {
          const deferred = await inSlot(row);
          if (deferred) {
            const p = deferred.later.catch((err) => rowError(row, err)).finally(() => later.delete(p));
            later.add(p);
            if (later.size >= MAX_WAITING_VERIFICATION) await Promise.race(later);
          }
        } catch (err) {
          await rowError(row, err);
        }
      }
    };
    await Promise.all(Array.from({ length: poolSize }, worker));
    run.drain?.();
    while (later.size) await Promise.all([...later]);
    // Rows left in the file, for the summary: not after a stop signal (it must end within seconds),
    // nor past a part of the file that cannot be read.
    if (abort && (outageCause || fatal !== undefined) && inputError === undefined && !opts.signal?.aborted) s.notAttempted = await countRest(iterator);
  } finally {
    clearInterval(tick);
    opts.signal?.removeEventListener('abort', onAbort);
    opts.progress?.done(progressCounts(s), reader.progress?.());
    journal?.close();
    await run.close();
    s.reports.results = results?.close();
    s.reports.rejects = await rejects?.close();
  }
  if (abort) s.aborted = abort;
  // A finished run closes its journal, so running the same file again later is a new run.
  if (journal && !abort && s.failed === 0) journal.archive();
  s.lookups = run.lookups();
  s.concurrency = slots?.summary() ?? fixedSummary(rowsAtOnce);
  s.durationMs = Date.now() - started;
  s.rowsPerSecond = s.durationMs ? Math.round((s.read * 1000) / s.durationMs) : s.read;
  s.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  if (fatal === undefined && inputError !== undefined) fatal = inputError;
  if (fatal !== undefined) {
    const details = (fatal as { details?: string[] }).details;
    s.fatal = { kind: (fatal as { kind?: string }).kind ?? 'internal', message: (fatal as Error).message ?? String(fatal), ...(details?.length ? { details } : {}) };
  }
  return s;
}

/** Rows saved and waiting for their batch verification at most; a worker waits when there are more. */
const MAX_WAITING_VERIFICATION = 1000;

/** Label → id per field: the installation's ids, then the pipeline's own overrides. */
function mergeEnums(a: Record<string, Record<string, string>>, b: Record<string, Record<string, string>>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = { ...a };
  for (const [field, map] of Object.entries(b)) out[field] = { ...(a[field] ?? {}), ...map };
  return out;
}

/** Rows left in the source, counted (not processed) for a stopped run's summary; at most 10 s of reading. */
async function countRest(next: () => Promise<IteratorResult<unknown>>): Promise<number> {
  const until = Date.now() + 10_000;
  let n = 0;
  try {
    while (Date.now() < until && !(await next()).done) n++;
  } catch {
    // An unreadable rest of the file: the count so far is what can be said.
  }
  return n;
}

/** A folder the run must write to, or a configuration error that names it (never a stack trace). */

/** Two runs in the same second must not write into each other's reports. */
function uniqueDir(dir: string): string {
  if (!existsSync(dir)) return dir;
  for (let i = 2; ; i++) if (!existsSync(`${dir}-${i}`)) return `${dir}-${i}`;
}

function where(r: SourceReader): string {
  return r.sheet ? `${r.file} [${r.sheet}]` : r.file;
}

/** Concurrent callers of an iterator get rows one at a time, in order. */
function serialized<T>(it: AsyncIterator<T>): () => Promise<IteratorResult<T>> {
  let chain: Promise<unknown> = Promise.resolve();
  return () => {
    const p = chain.then(() => it.next());
    chain = p.catch(() => undefined);
    return p;
  };
}

/**
 * The journal belongs to one source file version, one target and one pipeline: resuming only
 * makes sense for the same work.
 */
async function journalPath(p: LoadedPipeline & { config: ImportConfig }, source: unknown[], target: string): Promise<string> {
  const c = p.config;
  const id = createHash('sha256')
    .update(JSON.stringify([...source, target, c.entity, c.write.mode, c.write.matchKeys ?? null]))
    .digest('hex')
    .slice(0, 12);
  return path.resolve(c.stateDir, `${c.name}-${id}.journal.jsonl`);
}
