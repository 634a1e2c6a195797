/**
 * The ZB ERP protocol client: one shared session with single-flight re-login, the request
 * envelope, response classification, retries with backoff and jitter for transient faults only,
 * a rate limit and a cap on requests in flight. Typed helpers for the APIs in scope.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { CONTACT_LIST_COLUMNS, CONTACT_PICK_COLUMNS, CUSTOMER_LIST_COLUMNS, type ListColumn } from '../catalog/index.js';
import { decodeResponse, normaliseTable, parseNumber, type Decoded } from './decode.js';
import { AuthError, BusinessError, ErpError, ProtocolError, SessionError, TransientError } from './errors.js';
import { PATHS, type Bill, type DataItem, type ResponseEnvelope, type TablePage } from './protocol.js';
import { RateLimiter } from './rate-limit.js';
import { Transport } from './transport.js';
import type { ErpSettings } from './config.js';

export interface ErpClientOptions extends ErpSettings {
  /** Login endpoint: /webapi/v3/ov1/login (default) or /sysa/mobilephone/login.asp. */
  loginPath?: 'webapi' | 'mobile';
  /** Time limit of one request (default 30 s). */
  timeoutMs?: number;
  /** Retries of a transient fault (default 5). */
  retries?: number;
  /** Requests in flight at most (default 8). */
  concurrency?: number;
  /** Requests per second at most (default: no limit). */
  rateLimit?: number;
  /** Send `application/zsml` instead of `application/json`. */
  zsml?: boolean;
  /** Message texts that mean "saved"; anything else from a save is a refusal. */
  successTexts?: string[];
  /** First backoff step in ms (default 200), doubled per retry up to `backoffMaxMs` (default 8000). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export interface ErpLogger {
  debug?(msg: string): void;
  info?(msg: string): void;
  warn?(msg: string): void;
}

export interface CallOptions {
  cmdkey?: string;
  datas?: Record<string, unknown> | DataItem[];
  /** Query parameters added to the path. */
  query?: Record<string, string>;
  /** May the request be sent again after a fault where it may have reached the server? */
  idempotent?: boolean;
}

export interface SaveResult {
  /** saved: a success text; unknown: "ok" with no message (empty body): verify by reading back. */
  outcome: 'saved' | 'unknown';
  text: string;
}

export interface ListPage {
  /** Rows keyed by field (through the column map), numbers without thousands separators. */
  rows: Array<Record<string, string>>;
  cols: Array<{ id: string; dbtype: string }>;
  page: TablePage;
}

export interface ListOptions {
  pageindex?: number;
  pagesize?: number;
  /** Picking mode: `?checktype=radio`. */
  pick?: boolean;
  sort?: string;
  /** Column id → field overrides for installations whose list columns differ. */
  columnMap?: Record<string, string>;
}

export interface ClientStats {
  requests: number;
  retries: number;
  logins: number;
  relogins: number;
  transientFaults: number;
}

export const DEFAULT_SUCCESS_TEXTS = ['保存成功', '添加成功', '修改成功', '操作成功', '提交成功', '成功'];

const SESSION_HINT = /会话|登录|下线|session/i;

/** Fresh sessions refused one after another, with no call answered between them, before giving up. */
const MAX_SESSIONS_REFUSED = 4;
/** Re-logins one call may go through (sessions that expire under load while others succeed). */
const MAX_RELOGINS_PER_CALL = 8;

export class ErpClient {
  readonly stats: ClientStats = { requests: 0, retries: 0, logins: 0, relogins: 0, transientFaults: 0 };
  /**
   * Told after every HTTP exchange (retries each count; waiting for a free slot or the rate limit
   * does not): its time in ms and whether it brought an answer that was not a fault. The run
   * report charts ERP latency from it.
   */
  onRequest?: (ms: number, ok: boolean) => void;
  private readonly transport: Transport;
  private readonly limit: LimitFunction;
  private readonly rate: RateLimiter | undefined;
  private session: string | undefined;
  /**
   * Sessions refused since a call last succeeded. An ERP that expires sessions often still
   * answers calls in between; one that refuses every new session (the account kicked again and
   * again by another login) never does, and then the run must stop.
   */
  private sessionsRefusedInARow = 0;
  private loginInFlight: Promise<string> | undefined;
  private readonly o: Required<Omit<ErpClientOptions, 'rateLimit' | 'zsml'>> & Pick<ErpClientOptions, 'rateLimit' | 'zsml'>;

  constructor(options: ErpClientOptions, private readonly env: { logger?: ErpLogger } = {}) {
    this.o = {
      loginPath: 'webapi', timeoutMs: 30_000, retries: 5, concurrency: 8, successTexts: DEFAULT_SUCCESS_TEXTS,
      backoffBaseMs: 200, backoffMaxMs: 8000, ...options,
    };
    // The password must not show up when someone logs or serialises the client.
    Object.defineProperty(this, 'o', { enumerable: false });
    this.transport = new Transport(options.baseUrl, this.o.timeoutMs, Math.max(1, this.o.concurrency) + 2, options.zsml ? 'application/zsml; charset=utf-8' : 'application/json; charset=utf-8');
    this.limit = pLimit(Math.max(1, this.o.concurrency));
    this.rate = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
  }

  /** Base URL without credentials, for messages. */
  get origin(): string {
    return this.transport.origin;
  }

  toJSON(): Record<string, unknown> {
    return { origin: this.origin, user: this.o.user, stats: this.stats };
  }

  /** Logs in (once, however many callers ask at the same time). */
  login(): Promise<string> {
    this.loginInFlight ??= this.doLogin().finally(() => {
      this.loginInFlight = undefined;
    });
    return this.loginInFlight;
  }

  private async doLogin(): Promise<string> {
    const path = this.o.loginPath === 'mobile' ? PATHS.mobileLogin : PATHS.login;
    const datas = [
      { id: 'user', val: `txt:${this.o.user}` },
      { id: 'password', val: `txt:${this.o.password}` },
      { id: 'serialnum', val: `txt:${this.o.serialnum}` },
    ];
    const d = await this.send(path, { session: '', cmdkey: '', datas }, true);
    this.stats.logins++;
    const session = d.envelope.header.session;
    if (d.status !== 0 || !session) {
      const fail = d.envelope.body?.fail;
      const reason = d.envelope.header.message || fail?.message || `status ${String(d.envelope.header.status)}`;
      throw new AuthError(`login refused for user \`${this.o.user}\`: ${reason}${fail?.newrndcode ? ' (the ERP now asks for a captcha: log in once in a browser, then retry)' : ''}`, path, fail?.newrndcode || undefined);
    }
    this.session = session;
    this.env.logger?.debug?.(`logged in to ${this.origin} as ${this.o.user}`);
    return session;
  }

  async logout(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    await this.send(PATHS.logout, { session, cmdkey: '', datas: [] }, true).catch(() => undefined);
  }

  close(): void {
    this.transport.close();
  }

  /**
   * One API call with the session, re-login after session expiry (status 1), and retries of
   * transient faults. Throws typed ErpErrors; returns the decoded document otherwise.
   */
  async call(path: string, opts: CallOptions = {}): Promise<Decoded> {
    const datas = toDatas(opts.datas);
    const target = withQuery(path, opts.query);
    let relogins = 0;
    for (;;) {
      const session = this.session ?? (await this.login());
      const d = await this.send(target, { session, cmdkey: opts.cmdkey ?? '', datas }, opts.idempotent ?? true);
      if (d.status === 0) {
        this.sessionsRefusedInARow = 0;
        return d;
      }
      const message = d.envelope.header.message ?? '';
      if (d.status === 1 || SESSION_HINT.test(message)) {
        // Only the first caller to see this session fail clears it and counts it; the others reuse the new one.
        if (this.session === session) {
          this.session = undefined;
          this.sessionsRefusedInARow++;
        }
        if (this.sessionsRefusedInARow > MAX_SESSIONS_REFUSED || relogins++ >= MAX_RELOGINS_PER_CALL) {
          throw new SessionError(`${path}: the session keeps being refused: ${message}`, path);
        }
        this.stats.relogins++;
        this.env.logger?.info?.(`session ended (${message}); logging in again`);
        continue;
      }
      throw new ProtocolError(`${path}: the ERP answered status ${String(d.envelope.header.status)}: ${message}`, path);
    }
  }

  /** Sends with the concurrency cap, the rate limit and retries of transient faults. */
  private async send(path: string, env: { session: string; cmdkey: string; datas: DataItem[] }, idempotent: boolean): Promise<Decoded> {
    const body = JSON.stringify(env);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.limit(async () => {
          if (this.rate) await this.rate.take();
          this.stats.requests++;
          const started = performance.now();
          let ok = false;
          try {
            const answer = await this.transport.post(path, body);
            const d = decodeResponse(answer.status, answer.text, path.split('?')[0]);
            if (String(d.envelope.header.status).trim() === '11') {
              throw new TransientError(`${path.split('?')[0]}: the ERP reported a server error: ${d.envelope.header.message ?? ''}`, path, true);
            }
            this.env.logger?.debug?.(`POST ${path.split('?')[0]} ${env.cmdkey || '-'} ${Math.round(performance.now() - started)} ms status ${String(d.envelope.header.status)}`);
            ok = true;
            return d;
          } finally {
            this.onRequest?.(performance.now() - started, ok);
          }
        });
      } catch (err) {
        if (!(err instanceof TransientError)) throw err;
        this.stats.transientFaults++;
        if (attempt >= this.o.retries || (err.ambiguous && !idempotent)) throw err;
        this.stats.retries++;
        const step = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** attempt);
        await sleep(step / 2 + Math.random() * (step / 2));
      }
    }
  }

  /** A save (`__sys_dosave`): the outcome, or BusinessError with the ERP's own words. */
  async save(path: string, fields: Record<string, unknown>, query?: Record<string, string>): Promise<SaveResult> {
    const d = await this.call(path, { cmdkey: '__sys_dosave', datas: fields, query, idempotent: false });
    const text = d.envelope.body?.message?.text?.trim() ?? '';
    if (d.emptyBody || !d.envelope.body?.message) return { outcome: 'unknown', text };
    if (/^服务器异常/.test(text)) throw new TransientError(`${path}: ${text}`, path, true);
    if (this.o.successTexts.some((s) => text.includes(s)) && !/失败|错误|不能|不可|无效|超过/.test(text)) return { outcome: 'saved', text };
    if (!text) return { outcome: 'unknown', text };
    throw new BusinessError(text, path);
  }

  saveContact(fields: Record<string, unknown>): Promise<SaveResult> {
    return this.save(PATHS.contactSave, fields);
  }

  saveFollowup(fields: Record<string, unknown>, datatype: 'person' | 'tel' = 'person'): Promise<SaveResult> {
    return this.save(PATHS.followup, fields, { datatype });
  }

  /** Allocates a customer ord (custom/add.asp without cmdkey) and the suggested customer number. */
  async allocateCustomer(intsort: '1' | '2' = '1'): Promise<{ ord: string; khid: string }> {
    const d = await this.call(PATHS.customerAdd, { query: { intsort }, datas: { edit: '', intsort } });
    const bill = d.envelope.body?.bill;
    if (!bill?.value) throw new ProtocolError(`${PATHS.customerAdd}: no new customer id in the answer`, PATHS.customerAdd);
    return { ord: String(bill.value), khid: billValues(bill).khid ?? '' };
  }

  saveCustomer(fields: Record<string, unknown>, intsort: '1' | '2' = '1'): Promise<SaveResult> {
    return this.save(PATHS.customerAdd, fields, { intsort });
  }

  /** A contact's detail, or undefined when the ERP has no such contact. */
  async contactDetail(ord: string): Promise<{ ord: string; values: Record<string, string>; bill: Bill } | undefined> {
    const d = await this.call(PATHS.contactSave, { query: { edit: '1' }, datas: { edit: '1', ord } });
    const bill = d.envelope.body?.bill;
    if (!bill) {
      // A missing record comes back as a message, not a bill.
      if (d.envelope.body?.message || d.emptyBody) return undefined;
      throw new ProtocolError(`${PATHS.contactSave}?edit=1: no bill in the answer`, PATHS.contactSave);
    }
    if (!bill.value || String(bill.value) === '0') return undefined;
    return { ord: String(bill.value), values: billValues(bill), bill };
  }

  /** One page of a list (`cmdkey: refresh`), rows keyed by field through the column map. */
  async listPage(path: string, filters: Record<string, unknown>, o: ListOptions & { columns?: ListColumn[] } = {}): Promise<ListPage> {
    const datas: Record<string, unknown> = { ...filters, pagesize: o.pagesize ?? 20, pageindex: o.pageindex ?? 1 };
    if (o.sort) datas._rpt_sort = o.sort;
    if (o.pick) datas.checktype = 'radio';
    const d = await this.call(path, { cmdkey: 'refresh', datas, query: o.pick ? { checktype: 'radio' } : undefined });
    const source = d.envelope.body?.source;
    if (!source) {
      if (d.emptyBody) return { rows: [], cols: [], page: { recordcount: 0, pagesize: 0, pagecount: 0, pageindex: 0 } };
      throw new ProtocolError(`${path}: expected a list (body.source) but got ${d.envelope.body?.model ?? 'nothing'}`, path);
    }
    const table = normaliseTable(source.table);
    const map = columnMap(o.columns ?? [], o.columnMap);
    const numeric = table.cols.map((c) => c.dbtype === 'int' || c.dbtype === 'number');
    const keys = table.cols.map((c) => map.get(c.id) ?? c.id);
    const rows = table.rows.map((cells) => {
      const r: Record<string, string> = {};
      for (let i = 0; i < keys.length; i++) {
        const v = cells[i] ?? '';
        r[keys[i]] = numeric[i] && v ? normaliseNumber(v) : v;
      }
      return r;
    });
    return { rows, cols: table.cols, page: table.page };
  }

  listContacts(filters: Record<string, unknown>, o: ListOptions = {}): Promise<ListPage> {
    return this.listPage(PATHS.contactList, filters, { ...o, columns: o.pick ? CONTACT_PICK_COLUMNS : CONTACT_LIST_COLUMNS });
  }

  listCustomers(filters: Record<string, unknown>, o: ListOptions = {}): Promise<ListPage> {
    return this.listPage(PATHS.customerList, filters, { ...o, columns: CUSTOMER_LIST_COLUMNS });
  }

  /**
   * Every row of a list, page by page, until `pageindex >= pagecount` or an empty page.
   * Rows that shift between pages while paging may repeat: callers that care dedupe by ord.
   */
  async *iterate(path: string, filters: Record<string, unknown>, o: ListOptions & { columns?: ListColumn[] } = {}): AsyncGenerator<Record<string, string>> {
    const pagesize = o.pagesize ?? 500;
    for (let pageindex = 1; ; pageindex++) {
      const p = await this.listPage(path, filters, { ...o, pagesize, pageindex });
      yield* p.rows;
      if (!p.rows.length || pageindex >= p.page.pagecount) return;
    }
  }

  iterateContacts(filters: Record<string, unknown>, o: ListOptions = {}): AsyncGenerator<Record<string, string>> {
    return this.iterate(PATHS.contactList, filters, { ...o, columns: o.pick ? CONTACT_PICK_COLUMNS : CONTACT_LIST_COLUMNS });
  }

  iterateCustomers(filters: Record<string, unknown>, o: ListOptions = {}): AsyncGenerator<Record<string, string>> {
    return this.iterate(PATHS.customerList, filters, { ...o, columns: CUSTOMER_LIST_COLUMNS });
  }
}

/** Field id → value of a bill: `value` when it has content, else `text` (protocol notes §2.2). */
export function billValues(bill: Bill): Record<string, string> {
  const out: Record<string, string> = {};
  for (const g of bill.groups ?? []) {
    for (const f of g.fields ?? []) {
      const v = f.value === undefined || f.value === null || f.value === '' ? f.text : f.value;
      out[f.id] = v === undefined || v === null ? '' : String(v);
    }
  }
  return out;
}

function columnMap(columns: ListColumn[], overrides: Record<string, string> = {}): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of columns) if (c.field) m.set(c.id, c.field);
  for (const [id, field] of Object.entries(overrides)) m.set(id, field);
  return m;
}

/** `"1,234.50"` → `"1234.5"`: numeric cells come formatted with the installation's separators. */
function normaliseNumber(v: string): string {
  const n = parseNumber(v);
  return Number.isNaN(n) ? v : String(n);
}

/** The envelope's `datas`: every value a string ("" for nothing), as the server reads them. */
export function toDatas(datas: CallOptions['datas']): DataItem[] {
  if (!datas) return [];
  const entries = Array.isArray(datas) ? datas.map((d) => [d.id, d.val] as const) : Object.entries(datas);
  return entries.map(([id, val]) => ({ id, val: val === null || val === undefined ? '' : String(val) }));
}

/** Adds query parameters; never `apihelp`/`apihelptype`, which switch pages into documentation mode. */
export function withQuery(path: string, query?: Record<string, string>): string {
  const [base, existing] = path.split('?');
  const params = new URLSearchParams(existing ?? '');
  for (const [k, v] of Object.entries(query ?? {})) params.set(k, v);
  for (const k of [...params.keys()]) if (/^apihelp/i.test(k)) params.delete(k);
  const q = params.toString();
  return q ? `${base}?${q}` : base;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export type { ResponseEnvelope };
export { ErpError };
