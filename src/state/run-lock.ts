/**
 * The lock every run that writes takes before it starts: per pipeline and state folder
 * (`<stateDir>/<name>.lock`), and for follow-up imports also the ledger's lock of that state folder
 * (`followups.ledger.lock`), since two follow-up pipelines posting the same rows at once could
 * both miss the other's ledger entries. A run that finds a lock held exits 3 and says who holds
 * it. Dry runs write nothing the lock protects (no ERP writes, no journal, no state; their reports
 * go to a folder of their own), so they neither take nor wait for it: they only mention a real
 * run in progress.
 */
import path from 'node:path';
import { ConfigError } from '../errors.js';
import type { Logger } from '../report/logger.js';
import { removeDeadTemps } from './atomic-file.js';
import { acquireLock, peekLock, type LockHolder } from './lock.js';

/** The parts of a pipeline that name its lock (structural, so this layer imports no pipeline code). */
export interface LockedPipeline {
  name: string;
  kind: string;
  entity: string;
  stateDir: string;
}

/** The command-line choices that describe the run to whoever finds it holding the lock. */
export interface RunFlags {
  pipeline: string;
  input?: string;
  output?: string;
  dryRun: boolean;
  fullRefresh: boolean;
}

export type RunLock = { ok: true; release(): void } | { ok: false };

export const LEDGER_LOCK = 'followups.ledger.lock';

export function takeRunLock(config: LockedPipeline, o: RunFlags, log: Logger): RunLock {
  const dir = path.resolve(config.stateDir);
  const files = [path.join(dir, `${config.name}.lock`)];
  if (config.kind === 'import' && config.entity === 'followup') files.push(path.join(dir, LEDGER_LOCK));
  if (o.dryRun) {
    for (const f of files) {
      const h = peekLock(f);
      if (h) log.info(`一次正式运行正在进行（pid ${h.pid} @ ${h.host}），试运行不等待也不加锁 / a real run is in progress (pid ${h.pid} @ ${h.host}, ${h.command ?? '?'}); this dry run writes nothing and does not wait`);
    }
    return { ok: true, release() {} };
  }

  const command = describeCommand(o);
  const held: Array<() => void> = [];
  const releaseAll = () => {
    for (const r of held.splice(0).reverse()) r();
  };
  for (const file of files) {
    let r: ReturnType<typeof acquireLock>;
    try {
      r = acquireLock(file, command);
    } catch (err) {
      releaseAll();
      const code = (err as NodeJS.ErrnoException).code;
      if (!code) throw err;
      throw new ConfigError(`无法写入状态文件夹 stateDir \`${dir}\`（${code}），它必须是当前用户可写的文件夹 / cannot write to stateDir \`${dir}\` (${code}): it must be a folder this user can write to`);
    }
    if (!r.ok) {
      releaseAll();
      log.error(heldMessage(config.name, r.file, r.holder, r.why, path.basename(file) === LEDGER_LOCK));
      return { ok: false };
    }
    held.push(r.release);
    if (r.tookOver) {
      const h = r.tookOver;
      log.warn(`接管了已结束进程留下的锁（pid ${h.pid}，始于 ${h.since}，命令 ${h.command ?? '?'}）/ took over a lock left by a process that has ended (pid ${h.pid} @ ${h.host}, since ${h.since}, command: ${h.command ?? '?'}): ${r.file}`);
    }
  }
  for (const t of removeDeadTemps(dir)) log.info(`删除了中断运行留下的临时文件（pid ${t.pid}）/ removed a leftover of a killed run (pid ${t.pid}): ${t.file}`);
  // A second Ctrl-C exits at once (process.exit): the lock still goes.
  process.once('exit', releaseAll);
  return {
    ok: true,
    release() {
      process.removeListener('exit', releaseAll);
      releaseAll();
    },
  };
}

/** `zbport run <pipeline> …` as typed, for the holder's description. */
export function describeCommand(o: RunFlags): string {
  const q = (s: string) => (/^[\w@%+=:,./-]+$/u.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const parts = ['zbport', 'run', q(o.pipeline)];
  if (o.input) parts.push('--input', q(o.input));
  if (o.output) parts.push('--output', q(o.output));
  if (o.fullRefresh) parts.push('--full-refresh');
  return parts.join(' ');
}

function heldMessage(name: string, file: string, h: LockHolder, why: 'running' | 'other-host', ledger: boolean): string {
  const since = Date.parse(h.since);
  const minutes = Number.isFinite(since) ? Math.max(0, Math.round((Date.now() - since) / 60_000)) : undefined;
  const ago = minutes === undefined ? '' : `（${minutes} 分钟前 / ${minutes} min ago）`;
  const what = ledger ? '（洽谈进展台账 / follow-up ledger of this state folder）' : '';
  const lines = why === 'other-host'
    ? [
      `${name}: 锁由另一台主机 ${h.host} 持有，不会自动接管${what} / the lock is held by another host (${h.host}) and is never taken over automatically`,
    ]
    : [`${name}: 另一次运行正在进行，本次不启动${what} / another run is still in progress; not starting a second one`];
  lines.push(
    `  持有者 / held by: pid ${h.pid} @ ${h.host}`,
    `  始于 / since: ${h.since}${ago}`,
    `  命令 / command: ${h.command ?? '?'}`,
    `  锁文件 / lock file: ${file}`,
  );
  if (why === 'other-host') {
    lines.push(`  确认那台主机上的运行已经结束后，删除锁文件 / once you are sure the run there has ended, delete the lock file: rm '${file}'`);
  }
  return lines.join('\n');
}
