/**
 * Typed ERP failures. The kind decides what the caller does:
 * - transient: the ERP or the network had a passing fault; retry with backoff. `ambiguous` is set
 *   when the request may have reached the server, so a non-idempotent write may have happened.
 * - session: the session expired or was kicked (header.status 1); log in again and replay.
 * - business: the ERP refused the request with a message (validation, duplicate…); do not retry.
 * - auth: the login itself was refused (wrong password, captcha required); stop.
 * - protocol: the answer has a shape we do not understand; not retried blindly.
 * - cancelled: the run is stopping (SIGTERM, Ctrl-C): the request was dropped unanswered; a save
 *   may or may not have happened, so its row stays pending in the journal.
 * Messages name the endpoint and never carry the password or the session token: every message
 * (and the ERP's own words) passes the scrubber (scrub.ts), whatever the ERP echoed into it.
 */
import { scrub } from './scrub.js';

export type ErpErrorKind = 'transient' | 'session' | 'business' | 'auth' | 'protocol' | 'cancelled';

export class ErpError extends Error {
  override name = 'ErpError';
  constructor(
    readonly kind: ErpErrorKind,
    message: string,
    readonly path: string,
  ) {
    super(scrub(message));
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, message: this.message, path: this.path };
  }
}

export class TransientError extends ErpError {
  override name = 'TransientError';
  constructor(
    message: string,
    path: string,
    /** The request may have reached the server (timeout after sending, reset, 5xx, status 11…). */
    readonly ambiguous: boolean,
    /** What went wrong: a network code (ECONNREFUSED…), `TIMEOUT`, `HTML` or `PLAIN` (a body that is not JSON). */
    readonly cause_?: string,
    /** The HTTP status, when an answer came. */
    readonly httpStatus?: number,
  ) {
    super('transient', message, path);
  }
}

export class SessionError extends ErpError {
  override name = 'SessionError';
  constructor(message: string, path: string) {
    super('session', message, path);
  }
}

export class BusinessError extends ErpError {
  override name = 'BusinessError';
  /** The ERP's own words (body.message.text), scrubbed. */
  readonly text: string;
  constructor(text: string, path: string) {
    super('business', `${path}: ERP 拒绝 / the ERP refused: ${text}`, path);
    this.text = scrub(text);
  }
}

export class AuthError extends ErpError {
  override name = 'AuthError';
  constructor(
    message: string,
    path: string,
    /** Set when the ERP asks for a captcha (more than 3 failed logins). */
    readonly captchaUrl?: string,
  ) {
    super('auth', message, path);
    this.captchaUrl = scrub(captchaUrl);
  }
}

export class ProtocolError extends ErpError {
  override name = 'ProtocolError';
  constructor(message: string, path: string, readonly httpStatus?: number) {
    super('protocol', message, path);
  }
}

export class CancelledError extends ErpError {
  override name = 'CancelledError';
  constructor(message: string, path: string) {
    super('cancelled', message, path);
  }
}

/**
 * Whether a failure may pass if the same thing is tried again later: the one answer to that
 * question, used by the client's retries and by the writers. An answer of a shape zbport does not
 * understand (protocol) is not: it stops the run, as does everything else that is not about one row.
 */
export function isTransient(err: unknown): boolean {
  return (err as { kind?: string } | undefined)?.kind === 'transient';
}
