/**
 * The built-in ZB ERP emulator: a real HTTP server speaking the mobile-ASP JSON protocol, used
 * in-process by tests (port 0), by `npm start`, and standalone by `zbport emulator`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseLenient } from '../erp/decode.js';
import { FaultPlan, NO_FAULTS, type FaultKind, type Faults } from './faults.js';
import { dialectNamed, type Dialect } from './dialects.js';
import { Handlers, newCounters, type Counters, type EmulatorRequest } from './handlers.js';
import type { SeedSize } from './seed.js';
import { EmulatorStore } from './store.js';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Persistence; undefined keeps everything in memory. */
  dataDir?: string;
  /** Sizes of the dataset seeded into an empty store. */
  seed?: Partial<SeedSize>;
  /** Accounts; default admin / zbport. */
  users?: Array<{ user: string; password: string }>;
  faults?: Partial<Faults>;
  /** The emulator's clock (birthday reminders, 添加时间). */
  now?: () => Date;
  quiet?: boolean;
  /** Which installation to play (src/emulator/dialects.ts): a name or a dialect of the caller's own. */
  dialect?: string | Dialect;
}

export interface Emulator {
  url: string;
  port: number;
  dialect: Dialect;
  store: EmulatorStore;
  counters: Counters;
  setFaults(f: Partial<Faults>): void;
  resetFaults(): void;
  resetCounters(): void;
  /** Ends every session now (as a session timeout would). */
  expireSessions(): void;
  /** Session tokens currently valid. */
  sessions(): string[];
  /** The first requests since the start or the last resetCounters(), in order of arrival. */
  requestLog(): LoggedRequest[];
  close(): Promise<void>;
}

export const DEFAULT_USERS = [{ user: 'admin', password: 'zbport' }];
const MAX_BODY = 16 * 1024 * 1024;

/**
 * One request as the server saw it, for telling what a client sends one after another and what
 * together (a run's start): times in ms since the emulator started, `datas` for list reads only
 * (their paging, sorting and filters; no login's password, no save's row).
 */
export interface LoggedRequest {
  path: string;
  cmdkey: string;
  save: boolean;
  datas?: Record<string, string>;
  arrived: number;
  answered: number;
}

/** Requests kept in the log: a run's start, not a benchmark's million saves. */
const LOGGED_REQUESTS = 2000;

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const now = opts.now ?? (() => new Date());
  const store = EmulatorStore.open(opts.dataDir, opts.seed, now());
  const plan = new FaultPlan({ ...NO_FAULTS, ...opts.faults });
  const initialFaults = { ...NO_FAULTS, ...opts.faults };
  const counters = newCounters();
  const log: LoggedRequest[] = [];
  const epoch = performance.now();
  const dialect = typeof opts.dialect === 'object' ? opts.dialect : dialectNamed(opts.dialect ?? 'standard');
  const handlers = new Handlers({ store, faults: plan, counters, users: opts.users ?? DEFAULT_USERS, now, dialect });
  const waiting: Array<() => void> = [];
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      void serve(req, res, Buffer.concat(chunks), size > MAX_BODY, arrived);
    });
  });
  server.keepAliveTimeout = 30_000;

  async function serve(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer, tooBig: boolean, arrived: number): Promise<void> {
    if (req.method === 'GET' && req.url === '/zbport/stats') {
      // Not part of the ERP's protocol: lets benchmarks and rehearsals read the counters of a standalone emulator.
      res.writeHead(200, { 'content-type': 'application/json' });
      // cpuMs: the emulator process's CPU time, so a benchmark can tell which side was the bottleneck.
      const cpu = process.cpuUsage();
      res.end(JSON.stringify({ ...counters, cpuMs: (cpu.user + cpu.system) / 1000, customers: store.customers().length, contacts: store.contacts().length, followups: store.followups().length }));
      return;
    }
    if (req.method === 'GET' && req.url === '/zbport/requests') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(log));
      return;
    }
    counters.requests++;
    const cap = plan.faults.maxInFlight;
    if (cap > 0 && counters.inFlight >= cap) {
      if (plan.faults.overflow === 'fail') return sendHtml(res, 500, '服务器太忙 (Server Too Busy)');
      await new Promise<void>((r) => waiting.push(r));
    }
    counters.inFlight++;
    counters.inFlightMax = Math.max(counters.inFlightMax, counters.inFlight);
    // Service time runs from the request's arrival (its body read included), after any wait for the in-flight cap.
    const t0 = cap > 0 ? performance.now() : arrived;
    let save = false;
    let parsed: EmulatorRequest | undefined;
    try {
      const delay = plan.latency();
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (req.method !== 'POST') return sendHtml(res, 405, 'HTTP 错误 405.0 - Method Not Allowed');
      if (tooBig) return sendHtml(res, 413, 'HTTP 错误 413.1 - Request Entity Too Large');
      parsed = parseRequest(url, raw);
      if (!parsed) return sendJson(res, { header: { status: '11', message: '请求数据格式不正确。' } }, false);
      const isSave = handlers.isSave(parsed);
      save = isSave;
      const fault = plan.draw(isSave);
      if (fault && !fault.afterWrite) return injectFault(res, fault.kind);
      const doc = handlers.handle(parsed);
      if (!doc) return sendHtml(res, 404, `HTTP 错误 404.0 - Not Found：${url.pathname}`);
      if (fault) return injectFault(res, fault.kind);
      sendJson(res, doc, plan.faults.controlChars);
    } catch (err) {
      sendJson(res, { header: { status: '11', message: `服务器异常: ${(err as Error).message}` } }, false);
    } finally {
      counters.serviceMs += performance.now() - t0;
      if (save) counters.saveServiceMs += performance.now() - t0;
      counters.inFlight--;
      waiting.shift()?.();
      if (log.length < LOGGED_REQUESTS) {
        const path = (req.url ?? '/').split('?')[0];
        const cmdkey = parsed?.cmdkey ?? '';
        log.push({ path, cmdkey, save, ...(cmdkey === 'refresh' ? { datas: parsed!.datas } : {}), arrived: arrived - epoch, answered: performance.now() - epoch });
      }
    }
  }

  function injectFault(res: http.ServerResponse, kind: FaultKind): void {
    counters.faults[kind] = (counters.faults[kind] ?? 0) + 1;
    switch (kind) {
      case 'html500':
        return sendHtml(res, 500, '<h2>500 - 内部服务器错误。</h2><p>您查找的资源存在问题，因而无法显示。</p>');
      case 'plain':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('系统【服务端】未正常启动，请联系管理员。');
        return;
      case 'status11':
        return sendJson(res, { header: { status: '11', message: "缺少对象: 'bill.AddTool(...)'" } }, false);
      case 'drop':
        res.socket?.destroy();
        return;
      case 'hang':
        // Never answers; the client's time limit must end it. Closed when the server stops.
        hanging.add(res);
        return;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1'}:${port}`;
  if (!opts.quiet) process.stderr.write(`zbport emulator listening on ${url}\n`);

  return {
    url,
    port,
    dialect,
    store,
    counters,
    setFaults: (f) => plan.set(f),
    resetFaults: () => plan.set(initialFaults),
    resetCounters: () => {
      Object.assign(counters, newCounters(), { inFlight: counters.inFlight });
      log.length = 0;
    },
    requestLog: () => [...log],
    expireSessions: () => handlers.expireAll(),
    sessions: () => handlers.activeSessions(),
    async close() {
      for (const r of hanging) r.socket?.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}

/** The body as the runtime reads it: JSON or a JS literal; `cmdkey` from `?__msgId`, the body, or `?action`. */
export function parseRequest(url: URL, raw: Buffer): EmulatorRequest | undefined {
  let text = raw.toString('utf8');
  if (raw.length >= 2 && raw[0] === 0xff && raw[1] === 0xfe) text = raw.subarray(2).toString('utf16le');
  const body = text.trim() ? (parseLenient(text.replace(/^\uFEFF/, '')) as Record<string, unknown> | undefined) : {};
  if (!body || typeof body !== 'object') return undefined;
  const datas: Record<string, string> = {};
  if (Array.isArray(body.datas)) {
    for (const d of body.datas as Array<{ id?: unknown; val?: unknown }>) {
      if (d && typeof d.id === 'string' && !(d.id in datas)) datas[d.id] = d.val === null || d.val === undefined ? '' : String(d.val);
    }
  }
  return {
    path: url.pathname,
    query: url.searchParams,
    session: typeof body.session === 'string' ? body.session : '',
    cmdkey: url.searchParams.get('__msgId') ?? (typeof body.cmdkey === 'string' && body.cmdkey ? body.cmdkey : url.searchParams.get('action') ?? ''),
    datas,
  };
}

function sendJson(res: http.ServerResponse, doc: unknown, controlChars: boolean): void {
  let text = JSON.stringify(doc);
  // Raw control characters inside strings, as some installations send them.
  if (controlChars) text = text.replace(/"message":"/g, '"message":"\t').replace(/"text":"/g, '"text":"\u0001');
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text);
}

function sendHtml(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!DOCTYPE html><html><head><title>IIS</title></head><body>${text}</body></html>`);
}

export type { Faults, FaultKind } from './faults.js';
export { DIALECTS, DIALECT_NAMES, type Dialect } from './dialects.js';
export type { Counters } from './handlers.js';
export { EmulatorStore } from './store.js';
