/**
 * The ZB ERP protocol client: one shared session with single-flight re-login, the request
 * envelope, response classification, retries with backoff and jitter for transient faults only,
 * a rate limit and a cap on requests in flight. Typed helpers for the APIs in scope.
 */
import { DEFAULT_LAYOUTS, type ListName } from '../catalog/index.js';
import { ColumnMapError, ListLayout, type ColumnNeed } from '../installation/list-layout.js';
import { decodeResponse, normaliseTable, type Decoded } from './decode.js';
import { AuthError, BusinessError, CancelledError, ErpError, ProtocolError, SessionError, TransientError } from './errors.js';
import { PATHS, type Bill, type DataItem, type ResponseEnvelope, type TablePage } from './protocol.js';
import { RateLimiter } from './rate-limit.js';
import { RequestCap } from './request-cap.js';
import { AdaptiveLimit, AUTO_LIMIT_DEFAULTS } from './concurrency-limit.js';
import { AdaptiveTimeout, BACKOFF_BASE_MS, BACKOFF_MAX_MS, backoffDelay, DEFAULT_RETRIES, sleep } from './retry-policy.js';
import { CONNECTION_DEFAULTS } from './config.js';
import { registerSecret, registerUrlCredentials } from './scrub.js';
import { Transport } from './transport.js';
import type { ErpSettings } from './config.js';

export interface ErpClientOptions extends ErpSettings {
  /** Login endpoint: /webapi/v3/ov1/login (default) or /sysa/mobilephone/login.asp. */
  loginPath?: 'webapi' | 'mobile';
  /** Time limit of one request (default 30 s). */
  timeoutMs?: number;
  /** Retries of a transient fault (default 5). */
  retries?: number;
  /** Requests in flight at most (default 8), or `auto`: found from the ERP's latency and failures (concurrency-limit.ts). */
  concurrency?: number | 'auto';
  /** With `auto`: the limit at most (default 64) and to start from (default 8). */
  maxConcurrency?: number;
  initialConcurrency?: number;
  /** Requests per second at most (default: no limit). */
  rateLimit?: number;
  /** Send `application/zsml` instead of `application/json`. */
  zsml?: boolean;
  /** Message texts that mean "saved"; anything else from a save is a refusal. */
  successTexts?: string[];
  /** First backoff step in ms (default: retry-policy.ts), doubled per retry up to `backoffMaxMs`. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Rows per list page at most (the installation's limit; default 500). */
  maxPageSize?: number;
  /** Column maps of the lists (default: zbport's built-in guess). */
  layouts?: Partial<Record<ListName, ListLayout>>;
  /**
   * The credentials are public (the built-in emulator's documented admin / zbport): not
   * registered with the scrubber, which would otherwise take the word `zbport` out of messages.
   */
  publicCredentials?: boolean;
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
  /** Retries of transient faults for this call (default: the client's). */
  retries?: number;
  /**
   * Outside a fixed cap on requests in flight, which counts rows (the rate limit still applies): a
   * run's own reads, no row's (batch verification, the checks and counts at its start), must not
   * take a row's place, nor wait for one another at one row in flight. The auto limit counts them:
   * it bounds what the ERP receives.
   */
  background?: boolean;
}

export interface SaveResult {
  /** saved: a success text; unknown: "ok" with no message (empty body): verify by reading back. */
  outcome: 'saved' | 'unknown';
  text: string;
}

export interface ListPage {
  /** Rows keyed by logical key (through the list's layout), numbers and dates canonical. */
  rows: Array<Record<string, string>>;
  cols: Array<{ id: string; dbtype: string }>;
  /** The cells as the ERP sent them, in the order of `cols`. */
  raw: string[][];
  page: TablePage;
}

export interface ListOptions {
  pageindex?: number;
  pagesize?: number;
  /** Sort by logical key, `-` for descending; sent as this installation's column id. */
  sort?: string;
  /** Columns the caller relies on: a page without them stops with a ColumnMapError, never a guess. */
  need?: ColumnNeed[];
  /** Another layout than the client's for this list (an export's column overrides). */
  layout?: ListLayout;
  /** Outside a fixed cap on requests in flight (CallOptions.background). */
  background?: boolean;
  /** The same page read with `keep` in the last few seconds will do (rawList). */
  recent?: boolean;
}

/**
 * How old a page may be and still stand for a new read, its record count (`recentCount`) or the
 * whole page (`keep`/`recent`): the column checks' pages, used by the run's start that follows them
 * (a count is a snapshot whenever it is taken, and a list changes while a run reads it anyway).
 */
const RECENT_PAGE_MS = 5000;

/** Where each list is served. */
const LIST_PATHS: Record<ListName, { path: string; pick: boolean }> = {
  contact: { path: PATHS.contactList, pick: false },
  contactPick: { path: PATHS.contactList, pick: true },
  customer: { path: PATHS.customerList, pick: false },
};

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

/** Faults blamed on the auto limit's overshoot that a request may meet beyond its retries. */
const MAX_OVERSHOOT_RETRIES = 20;

/** Parameters of a list read that leave the whole list in its count. */
const UNFILTERED = new Set(['pagesize', 'pageindex', '_rpt_sort']);

export class ErpClient {
  readonly stats: ClientStats = { requests: 0, retries: 0, logins: 0, relogins: 0, transientFaults: 0 };
  /** What the ERP said about itself at login (version), once logged in. */
  serverInfo: { appversion?: string; message?: string } = {};
  readonly layouts: Record<ListName, ListLayout>;
  /**
   * Told after every HTTP exchange (retries each count; waiting for a free slot or the rate limit
   * does not): its time in ms and whether it brought an answer that was not a fault. The run
   * report charts ERP latency from it.
   */
  onRequest?: (ms: number, ok: boolean) => void;
  private readonly transport: Transport;
  private readonly cap: RequestCap;
  /** With `concurrency: auto`: the limit that follows the ERP (its `rows` gate the import's rows). */
  readonly adaptive: AdaptiveLimit | undefined;
  private readonly rate: RateLimiter | undefined;
  private session: string | undefined;
  /**
   * Sessions refused since a call last succeeded. An ERP that expires sessions often still
   * answers calls in between; one that refuses every new session (the account kicked again and
   * again by another login) never does, and then the run must stop.
   */
  private sessionsRefusedInARow = 0;
  private loginInFlight: Promise<string> | undefined;
  /** Faults of requests sent under a higher auto limit than the one now (see send). */
  private readonly overshoots = new WeakSet<object>();
  private readonly o: Required<Omit<ErpClientOptions, 'rateLimit' | 'zsml' | 'layouts' | 'publicCredentials' | 'maxConcurrency' | 'initialConcurrency'>> & Pick<ErpClientOptions, 'rateLimit' | 'zsml'>;

  constructor(options: ErpClientOptions, private readonly env: { logger?: ErpLogger } = {}) {
    this.o = {
      loginPath: CONNECTION_DEFAULTS.login, timeoutMs: CONNECTION_DEFAULTS.timeoutMs, retries: DEFAULT_RETRIES, concurrency: 8, successTexts: DEFAULT_SUCCESS_TEXTS,
      backoffBaseMs: BACKOFF_BASE_MS, backoffMaxMs: BACKOFF_MAX_MS, maxPageSize: CONNECTION_DEFAULTS.maxPageSize, ...options,
    };
    this.timeouts = new AdaptiveTimeout(this.o.timeoutMs);
    const builtIn = (n: ListName) => ListLayout.fromColumns(n, DEFAULT_LAYOUTS[n], 'zbport 内置默认 / built-in default');
    this.layouts = { contact: options.layouts?.contact ?? builtIn('contact'), contactPick: options.layouts?.contactPick ?? builtIn('contactPick'), customer: options.layouts?.customer ?? builtIn('customer') };
    // The password must not show up when someone logs or serialises the client, nor when the ERP
    // echoes it back: the scrubber removes it (and the base URL's credentials) from quoted text.
    Object.defineProperty(this, 'o', { enumerable: false });
    if (!options.publicCredentials) {
      registerSecret(options.password);
      registerUrlCredentials(options.baseUrl, options.user);
    }
    const auto = this.o.concurrency === 'auto';
    const most = auto ? Math.max(1, options.maxConcurrency ?? AUTO_LIMIT_DEFAULTS.max) : Math.max(1, Number(this.o.concurrency));
    this.transport = new Transport(options.baseUrl, this.o.timeoutMs, most + 2, options.zsml ? 'application/zsml; charset=utf-8' : 'application/json; charset=utf-8');
    this.cap = new RequestCap(most);
    this.adaptive = auto ? new AdaptiveLimit({ max: most, initial: options.initialConcurrency, trace: (line) => this.env.logger?.debug?.(line) }) : undefined;
    this.rate = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
  }

  /** Base URL without credentials, for messages. */
  get origin(): string {
    return this.transport.origin;
  }

  toJSON(): Record<string, unknown> {
    return { origin: this.origin, user: this.o.user, stats: this.stats };
  }

  private cancelled: string | undefined;
  /** Time limits that follow the ERP's measured latency (retry-policy.ts). */
  private readonly timeouts: AdaptiveTimeout;

  /**
   * Drops every request in flight and refuses new ones (a run that must stop now): callers get a
   * CancelledError. Saves in flight may or may not have happened; their rows stay pending.
   */
  cancel(reason: string): void {
    this.cancelled = reason;
    this.transport.close();
  }

  /** Logs in (once, however many callers ask at the same time). */
  login(): Promise<string> {
    this.loginInFlight ??= this.doLogin().finally(() => {
      this.loginInFlight = undefined;
    });
    return this.loginInFlight;
  }

  /**
   * Logs in with few retries, as a check before a run: an ERP that cannot be reached should stop
   * a run within seconds, not after a full backoff.
   */
  async checkLogin(retries = 2): Promise<void> {
    await this.doLogin(retries);
  }

  /** Which login endpoint the client uses. */
  get loginPath(): 'webapi' | 'mobile' {
    return this.o.loginPath;
  }

  set loginPath(p: 'webapi' | 'mobile') {
    this.o.loginPath = p;
  }

  private async doLogin(retries = this.o.retries): Promise<string> {
    const path = this.o.loginPath === 'mobile' ? PATHS.mobileLogin : PATHS.login;
    const datas = [
      { id: 'user', val: `txt:${this.o.user}` },
      { id: 'password', val: `txt:${this.o.password}` },
      { id: 'serialnum', val: `txt:${this.o.serialnum}` },
    ];
    const d = await this.send(path, { session: '', cmdkey: '', datas }, true, retries);
    this.stats.logins++;
    const session = d.envelope.header.session;
    if (d.status !== 0 || !session) {
      const fail = d.envelope.body?.fail;
      const reason = d.envelope.header.message || fail?.message || `status ${String(d.envelope.header.status)}`;
      throw new AuthError(`用户 \`${this.o.user}\` 登录被拒绝 / login refused for user \`${this.o.user}\`: ${reason}${fail?.newrndcode ? '（ERP 现在要求输入验证码：请先在浏览器中登录一次再重试 / the ERP now asks for a captcha: log in once in a browser, then retry）' : ''}`, path, fail?.newrndcode || undefined);
    }
    registerSecret(session, 'session');
    this.session = session;
    this.serverInfo = { appversion: d.envelope.header.appversion ? String(d.envelope.header.appversion) : undefined, message: d.envelope.header.message };
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
    this.adaptive?.close();
  }

  /**
   * One API call with the session, re-login after session expiry (status 1), and retries of
   * transient faults. Throws typed ErpErrors; returns the decoded document otherwise.
   */
  async call(path: string, opts: CallOptions = {}): Promise<Decoded> {
    const target = withQuery(path, opts.query);
    let relogins = 0;
    for (;;) {
      const session = this.session ?? (await this.login());
      // The items are made for each attempt and not kept while it waits: only the body they are
      // written into lives that long (hundreds of requests in flight are what the collector copies).
      const d = await this.send(target, { session, cmdkey: opts.cmdkey ?? '', datas: toDatas(opts.datas) }, opts.idempotent ?? true, opts.retries, opts.background);
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
          throw new SessionError(`${path}: 会话不断被拒绝 / the session keeps being refused: ${message}`, path);
        }
        this.stats.relogins++;
        this.env.logger?.info?.(`会话已结束（${message}），重新登录 / session ended (${message}); logging in again`);
        continue;
      }
      throw new ProtocolError(`${path}: ERP 返回状态 ${String(d.envelope.header.status)} / the ERP answered status ${String(d.envelope.header.status)}: ${message}`, path);
    }
  }

  /** Sends with the concurrency cap, the rate limit and retries of transient faults. */
  private async send(path: string, env: { session: string; cmdkey: string; datas: DataItem[] }, idempotent: boolean, retries = this.o.retries, background = false): Promise<Decoded> {
    const body = JSON.stringify(env);
    const cmdkey = env.cmdkey;
    let overshoots = 0;
    for (let attempt = 0; ; attempt++) {
      if (this.cancelled) throw new CancelledError(`${path.split('?')[0]}: ${this.cancelled}`, path);
      try {
        // `free`: the fixed cap's slot, given back as soon as the exchange is over (request-cap.ts).
        const task = async (free?: () => void): Promise<Decoded> => {
          // With the adaptive limit, slot() takes the rate limit before a request slot.
          if (this.rate && !this.adaptive) await this.rate.take();
          if (this.cancelled) throw new CancelledError(`${path.split('?')[0]}: ${this.cancelled}`, path);
          this.stats.requests++;
          const started = performance.now();
          let ok = false;
          try {
            const answer = await this.transport.post(path, body, this.timeouts.current(), free);
            // Any answer (an error page too) tells how long this ERP takes; a time-out does not.
            this.timeouts.record(performance.now() - started);
            const d = decodeResponse(answer.status, answer.text, path.split('?')[0]);
            if (String(d.envelope.header.status).trim() === '11') {
              throw new TransientError(`${path.split('?')[0]}: ERP 报告服务器错误 / the ERP reported a server error: ${d.envelope.header.message ?? ''}`, path, true);
            }
            this.env.logger?.debug?.(`POST ${path.split('?')[0]} ${cmdkey || '-'} ${Math.round(performance.now() - started)} ms status ${String(d.envelope.header.status)}`);
            ok = true;
            return d;
          } finally {
            this.onRequest?.(performance.now() - started, ok);
          }
        };
        // A background read stays outside a fixed cap (that cap counts rows), but takes a slot of the
        // auto limit: the limit is what the ERP takes, whoever sends.
        return await (background && !this.adaptive ? task() : this.slot(path, cmdkey, task));
      } catch (err) {
        if (this.cancelled) throw new CancelledError(`${path.split('?')[0]}: ${this.cancelled}`, path);
        if (!(err instanceof TransientError)) throw err;
        this.stats.transientFaults++;
        if (err.ambiguous && !idempotent) throw err;
        if (this.overshoots.has(err) && overshoots++ < MAX_OVERSHOOT_RETRIES) {
          // Sent under an auto limit that has since backed off: the fault was most likely our own
          // overshoot, not this request's trouble, and does not use up its retries (an ERP that
          // fails everything drives the limit to 1, where they count again).
          this.stats.retries++;
          attempt--;
          await sleep(backoffDelay(1, this.o.backoffBaseMs, this.o.backoffMaxMs));
          continue;
        }
        if (attempt >= retries) throw err;
        this.stats.retries++;
        await sleep(backoffDelay(attempt + 1, this.o.backoffBaseMs, this.o.backoffMaxMs));
      }
    }
  }

  /**
   * One attempt in a request slot: the fixed cap, or the adaptive limit, told the attempt's time
   * and whether it failed. The rate limit comes first there, so waiting for it never holds a slot
   * (nor counts as the ERP's latency).
   */
  private async slot<T>(path: string, cmdkey: string, attempt: (free?: () => void) => Promise<T>): Promise<T> {
    const a = this.adaptive;
    if (!a) return this.cap.run(attempt);
    if (this.rate) await this.rate.take();
    const permit = await a.acquire();
    const started = performance.now();
    try {
      const r = await attempt();
      a.release(permit, { ms: performance.now() - started, kind: `${path}\u0000${cmdkey}` });
      return r;
    } catch (err) {
      // Transient faults (5xx such as 服务器太忙 / Server Too Busy, time-outs, dropped connections)
      // mean back off; a refusal of the request itself or a stop says nothing about load.
      a.release(permit, err instanceof TransientError ? 'failed' : undefined);
      if (err instanceof TransientError && a.overshot(permit)) this.overshoots.add(err);
      throw err;
    }
  }

  /**
   * Whether the ERP answers at all (one small list read, one retry): undefined when it does, else
   * the cause. Used to tell an outage from one row's trouble.
   */
  async health(): Promise<string | undefined> {
    try {
      await this.call(PATHS.customerList, { cmdkey: 'refresh', datas: { pagesize: 1, pageindex: 1 }, retries: 1 });
      return undefined;
    } catch (err) {
      const kind = (err as { kind?: string }).kind;
      if (kind === 'transient' || kind === 'session' || kind === 'auth' || kind === 'cancelled') return (err as Error).message;
      return undefined;
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

  /** A customer's form in edit mode (custom/add.asp?edit=1): a read, nothing is allocated or saved. */
  async customerDetail(ord: string): Promise<{ ord: string; values: Record<string, string>; bill: Bill } | undefined> {
    const d = await this.call(PATHS.customerAdd, { query: { intsort: '1', edit: '1' }, datas: { edit: '1', ord, intsort: '1' } });
    const bill = d.envelope.body?.bill;
    if (!bill?.value || String(bill.value) !== ord) return undefined;
    return { ord, values: billValues(bill), bill };
  }

  /** The follow-up form of a contact, without saving: its fields carry the installation's options. */
  async followupForm(contactOrd: string): Promise<Bill | undefined> {
    const d = await this.call(PATHS.followup, { query: { datatype: 'person' }, datas: { ord: contactOrd } });
    return d.envelope.body?.bill;
  }

  /** The options of an enum (`source.asp?enumid=N`), or undefined when the ERP does not serve them. */
  async enumOptions(enumid: string): Promise<Array<{ n: string; v: string }> | undefined> {
    const d = await this.call(PATHS.enumSource, { query: { enumid }, datas: { enumid } });
    const options = d.envelope.body?.source?.options;
    return Array.isArray(options) ? options.map((o) => ({ n: String(o.n ?? ''), v: String(o.v ?? '') })) : undefined;
  }

  /** Rows per page this installation allows. */
  get maxPageSize(): number {
    return this.o.maxPageSize;
  }

  /**
   * One page of a list as the ERP sent it (`cmdkey: refresh`): columns, cells and paging, with no
   * mapping. Discovery and the column checks read this; everything else reads `listPage`. `keep`:
   * the page is kept RECENT_PAGE_MS for a listPage that asks for the same page with `recent` (a
   * check that reads the page a run then loads).
   */
  async rawList(list: ListName, datas: Record<string, unknown>, background = false, keep = false): Promise<{ cols: Array<{ id: string; dbtype: string }>; rows: string[][]; page: TablePage }> {
    const { path, pick } = LIST_PATHS[list];
    const d = await this.call(path, { cmdkey: 'refresh', datas: pick ? { ...datas, checktype: 'radio' } : datas, query: pick ? { checktype: 'radio' } : undefined, background });
    const source = d.envelope.body?.source;
    if (!source) {
      if (d.emptyBody) return { rows: [], cols: [], page: { recordcount: 0, pagesize: 0, pagecount: 0, pageindex: 0 } };
      throw new ProtocolError(`${path}: expected a list (body.source) but got ${d.envelope.body?.model ?? 'nothing'}`, path);
    }
    const table = normaliseTable(source.table);
    // The record count of the whole list, which any unfiltered first page carries (the preflight's
    // column checks read one): the run's start needs no request of its own to learn it.
    if (Object.keys(datas).every((k) => UNFILTERED.has(k)) && Number(datas.pageindex ?? 1) === 1) this.counts.set(list, { count: table.page.recordcount, at: Date.now() });
    if (keep) {
      const kept = { key: JSON.stringify(datas), table };
      this.kept.set(list, kept);
      // Let go when its time is up, taken or not (a list too long to load at once is not).
      setTimeout(() => this.kept.get(list) === kept && this.kept.delete(list), RECENT_PAGE_MS).unref();
    }
    return table;
  }

  /** Pages read with `keep`, one a list, taken once by a `recent` listPage of the same page. */
  private readonly kept = new Map<ListName, { key: string; table: Awaited<ReturnType<ErpClient['rawList']>> }>();

  /** The list's record count as a read at most RECENT_PAGE_MS ago showed it, if one did. */
  recentCount(list: ListName): number | undefined {
    const c = this.counts.get(list);
    return c && Date.now() - c.at <= RECENT_PAGE_MS ? c.count : undefined;
  }

  private readonly counts = new Map<ListName, { count: number; at: number }>();

  /** The list page without `refresh`: the report skeleton, whose sort options caption the column ids. */
  async listSkeleton(list: ListName): Promise<unknown> {
    const { path, pick } = LIST_PATHS[list];
    const d = await this.call(path, { datas: pick ? { checktype: 'radio' } : {}, query: pick ? { checktype: 'radio' } : undefined });
    return d.envelope.body?.report;
  }

  /** One page of a list, rows keyed by logical key through the list's layout. */
  async listPage(list: ListName, filters: Record<string, unknown>, o: ListOptions = {}): Promise<ListPage> {
    const layout = o.layout ?? this.layouts[list];
    const datas: Record<string, unknown> = { ...filters, pagesize: Math.min(o.pagesize ?? 20, this.o.maxPageSize), pageindex: o.pageindex ?? 1 };
    if (o.sort) {
      const sort = layout.sortId(o.sort);
      if (!sort) throw new ColumnMapError([{ list, need: { anyOf: [o.sort.replace(/^-/, '')], why: '排序 / sorting' }, kind: 'unmapped', ids: [] }], undefined, layout.origin);
      datas._rpt_sort = sort;
    }
    const kept = o.recent ? this.kept.get(list) : undefined;
    const fits = kept?.key === JSON.stringify(datas);
    if (fits) this.kept.delete(list);
    const table = fits ? kept!.table : await this.rawList(list, datas, o.background);
    if (o.need?.length) {
      const problems = layout.check(table.cols, o.need);
      if (problems.length) throw new ColumnMapError(problems, table, layout.origin);
    }
    return { rows: layout.rows(table), cols: table.cols, raw: table.rows, page: table.page };
  }

  /**
   * Every row of a list, page by page, until `pageindex >= pagecount` or an empty page.
   * Rows that shift between pages while paging may repeat: callers that care dedupe by ord.
   */
  async *iterate(list: ListName, filters: Record<string, unknown>, o: ListOptions = {}): AsyncGenerator<Record<string, string>> {
    const pagesize = Math.min(o.pagesize ?? this.o.maxPageSize, this.o.maxPageSize);
    for (let pageindex = 1; ; pageindex++) {
      const p = await this.listPage(list, filters, { ...o, pagesize, pageindex });
      yield* p.rows;
      if (!p.rows.length || pageindex >= p.page.pagecount) return;
    }
  }
}

/** Field id → value of a bill: `value` when it has content, else `text` (protocol notes §2.2). */
/** Field id → `text` of a bill (the display text: a select's label, a reference's name). */
export function billTexts(bill: Bill): Record<string, string> {
  const out: Record<string, string> = {};
  for (const g of bill.groups ?? []) for (const f of g.fields ?? []) out[f.id] = f.text === undefined || f.text === null ? '' : String(f.text);
  return out;
}

/** Field id → option list of a bill's select fields (`source.options`), where it carries one. */
export function billOptions(bill: Bill): Record<string, Array<{ n: string; v: string }>> {
  const out: Record<string, Array<{ n: string; v: string }>> = {};
  for (const g of bill.groups ?? []) {
    for (const f of g.fields ?? []) {
      const options = (f.source as { options?: Array<{ n?: unknown; v?: unknown }> } | undefined)?.options;
      if (Array.isArray(options)) out[f.id] = options.map((o) => ({ n: String(o.n ?? ''), v: String(o.v ?? '') }));
    }
  }
  return out;
}

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

/** The envelope's `datas`: every value a string ("" for nothing), as the server reads them. */
export function toDatas(datas: CallOptions['datas']): DataItem[] {
  if (!datas) return [];
  const asText = (val: unknown) => (val === null || val === undefined ? '' : String(val));
  if (Array.isArray(datas)) return datas.map((d) => ({ id: d.id, val: asText(d.val) }));
  // One pass, no [key, value] pairs: a save's forty fields, at every save.
  const out: DataItem[] = [];
  for (const id in datas) if (Object.hasOwn(datas, id)) out.push({ id, val: asText(datas[id]) });
  return out;
}

/** Adds query parameters; never `apihelp`/`apihelptype`, which switch pages into documentation mode. */
export function withQuery(path: string, query?: Record<string, string>): string {
  // Most calls (every save) have neither: no URLSearchParams to build and print.
  if (!path.includes('?') && (!query || Object.keys(query).length === 0)) return path;
  const [base, existing] = path.split('?');
  const params = new URLSearchParams(existing ?? '');
  for (const [k, v] of Object.entries(query ?? {})) params.set(k, v);
  for (const k of [...params.keys()]) if (/^apihelp/i.test(k)) params.delete(k);
  const q = params.toString();
  return q ? `${base}?${q}` : base;
}


export type { ResponseEnvelope };
export { ErpError };
