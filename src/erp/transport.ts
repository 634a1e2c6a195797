/**
 * One POST over node:http(s) with a keep-alive agent (measured here: global fetch reaches about a
 * third of node:http's request rate on loopback), a time limit on every request, and faults
 * told apart by whether the request may have reached the server.
 */
import http from 'node:http';
import https from 'node:https';
import { TransientError } from './errors.js';

export interface HttpAnswer {
  status: number;
  text: string;
}

export class Transport {
  private readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
    maxSockets: number,
    private readonly contentType: string,
  ) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    this.mod = this.base.protocol === 'https:' ? https : http;
    this.agent = new this.mod.Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 10_000 });
  }

  /** Base URL without credentials, for messages. */
  get origin(): string {
    return this.base.origin;
  }

  /** Request targets by path and query: a client sends a handful of distinct ones, thousands of times. */
  private readonly targets = new Map<string, { path: string; options: http.RequestOptions }>();

  private target(pathAndQuery: string): { path: string; options: http.RequestOptions } {
    let t = this.targets.get(pathAndQuery);
    if (!t) {
      const url = new URL(pathAndQuery.replace(/^\//, ''), this.base);
      t = {
        path: url.pathname,
        options: {
          protocol: url.protocol,
          // As http.request does with a URL: IPv6 literals without brackets, credentials as auth.
          hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
          method: 'POST',
          agent: this.agent,
        },
      };
      if (this.targets.size < 1000) this.targets.set(pathAndQuery, t);
    }
    return t;
  }

  /**
   * One POST; `timeoutMs` overrides the transport's own limit for this request. `exchanged` is
   * called once the exchange is over (answered or failed), before the answer is decoded: a request
   * cap starts its next request there (request-cap.ts).
   */
  post(pathAndQuery: string, body: string, timeoutMs = this.timeoutMs, exchanged?: () => void): Promise<HttpAnswer> {
    const { path, options } = this.target(pathAndQuery);
    return new Promise<HttpAnswer>((resolve, reject) => {
      let settled = false;
      const fail = (e: TransientError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        exchanged?.();
        reject(e);
      };
      const req = this.mod.request(
        { ...options, headers: { 'content-type': this.contentType, 'content-length': Buffer.byteLength(body), accept: 'application/json, text/plain, */*' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            // A tick later, the socket is back in the agent's pool (node:http frees it in a tick
            // queued before this handler ran): a request started in `exchanged` reuses it, and is
            // written to it before the promise jobs queued meanwhile run.
            process.nextTick(() => {
              exchanged?.();
              resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
            });
          });
          res.on('error', (err) => fail(new TransientError(`${path}: 读取应答时连接中断 / the connection broke while reading the answer (${code(err)})`, path, true)));
          res.on('aborted', () => fail(new TransientError(`${path}: 读取应答时连接中断 / the connection broke while reading the answer`, path, true)));
        },
      );
      const timer = setTimeout(
        () => fail(new TransientError(`${path}: ${timeoutMs} 毫秒内无应答（超时）/ no answer within ${timeoutMs} ms`, path, true, 'TIMEOUT')),
        timeoutMs,
      );
      req.on('error', (err) => {
        const c = code(err);
        // Refused or unresolvable: the request never reached the server. A reset on a reused
        // keep-alive socket usually means the server closed it while idle, but a server that
        // dies after storing a save looks the same, so a reset always counts as maybe-sent.
        const notSent = c === 'ECONNREFUSED' || c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EHOSTUNREACH' || c === 'ENETUNREACH';
        fail(new TransientError(`${path}: ${notSent ? '无法连接 ERP / cannot reach the ERP' : '连接中断 / the connection broke'} (${c})`, path, !notSent, c));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? (err as Error)?.message ?? 'error';
}
