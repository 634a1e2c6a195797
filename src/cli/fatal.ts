/**
 * The one place an uncaught error becomes a message and an exit status.
 * Known errors are the user's to fix and get a clear message, no stack; anything else is a bug.
 */
import { ConfigError, ConnectionError, InternalError } from '../errors.js';
import { scrub } from '../erp/scrub.js';
import { localize, say } from '../report/lang.js';

export function reportFatal(err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(localize(`zbport: ${err.message}\n${err.details.map((d) => `  ${d}\n`).join('')}`));
    return err instanceof ConnectionError ? err.exitCode : 2;
  }
  const e = err as { kind?: string; message?: string };
  if (e && typeof e.kind === 'string' && typeof e.message === 'string') {
    // ERP errors are typed and already free of secrets.
    process.stderr.write(`zbport: ${say(`ERP 错误（${e.kind}）`, `ERP ${e.kind} error`)}: ${localize(e.message)}\n`);
    return e.kind === 'auth' ? 2 : 3;
  }
  const label = err instanceof InternalError
    ? say('内部错误（zbport 的缺陷，请报告）', 'internal error (a bug in zbport, please report it)')
    : say('意外错误（请报告）', 'unexpected error (please report it)');
  const detail = err instanceof Error ? `${err.message}\n${process.env.ZBPORT_DEBUG ? err.stack ?? '' : ''}` : String(err);
  // An unexpected error may quote anything (a URL with its credentials included): scrubbed.
  process.stderr.write(scrub(`zbport: ${label}: ${detail}\n`));
  return 3;
}
