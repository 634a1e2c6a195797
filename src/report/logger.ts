/**
 * Plain log lines on stderr, so stdout stays free for --json. Secrets never reach here:
 * callers pass messages built from typed errors, which carry none. Messages are written
 * bilingual (`中文 / English`) and printed in the language in force (lang.ts).
 */
import { localize } from './lang.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function stderrLogger(quiet = false): Logger {
  const w = (level: string, msg: string) => process.stderr.write(`${new Date().toISOString()} ${level} ${localize(msg)}\n`);
  return {
    info: (m) => !quiet && w('info', m),
    warn: (m) => w('warn', m),
    error: (m) => w('error', m),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
