/**
 * Runs the real `zbport` command in a child process, as a user would: from a folder of the
 * test's own (relative paths in pipelines resolve there), with the environment it is given.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = path.resolve('bin/zbport.js');

export function zbport(args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: o.cwd, env: { ...process.env, ZB_BASE_URL: '', ZBPORT_INSTALLATION: '', ...o.env }, timeout: o.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** No stack trace reached the user. */
export const STACK_TRACE = /\n\s+at .+:\d+:\d+/;
