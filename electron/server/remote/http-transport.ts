/**
 * One bounded HTTP(S) exchange with a remote server, over a keep-alive agent (one per connection, as
 * tritonclient.http keeps its connection pool): the server's headers are sent on every request, the
 * whole exchange has a deadline, and the body is refused before it grows past the caller's limit (a
 * hostile or broken server can send a Content-Length of terabytes, or a body that never ends).
 * Times for the profiler: `sendNs` until the request is handed to the socket, `recvNs` from the
 * response's first bytes to its last.
 */
import http from 'node:http';
import https from 'node:https';
import type { TritonConnectOptions } from '../../engine/remote/types';
import { LabError } from '../../engine/errors';
import { remoteError, timeoutError, transportError } from './errors';

export const MiB = 1024 * 1024;
/** What one answer may be: JSON answers, inference answers, Prometheus text. */
export const LIMITS = { json: 4 * MiB, infer: 64 * MiB, metrics: 8 * MiB } as const;

export interface HttpExchange {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  sendNs: number;
  recvNs: number;
}

export interface HttpTarget {
  tls: boolean;
  hostname: string;
  port: number;
  /** For messages: scheme://host:port. */
  url: string;
}

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: Buffer | undefined;
  headers?: Record<string, string | number>;
  limit: number;
  signal?: AbortSignal | undefined;
}

export function makeAgent(target: HttpTarget, opts: Omit<TritonConnectOptions, 'url'>): http.Agent {
  if (!target.tls) return new http.Agent({ keepAlive: true });
  return new https.Agent({
    keepAlive: true,
    ...(opts.caPem !== undefined ? { ca: opts.caPem } : {}),
    rejectUnauthorized: opts.skipVerify !== true,
    ...(opts.skipVerify === true ? { checkServerIdentity: () => undefined } : {}),
  });
}

const now = (): bigint => process.hrtime.bigint();

function tooLarge(target: HttpTarget, limit: number, size?: number): LabError {
  const got = size !== undefined ? ` (${size} bytes)` : '';
  return remoteError('UNAVAILABLE', 'REMOTE_PROTOCOL', `The answer from ${target.url} is larger than ${Math.round(limit / MiB)} MiB${got}; not read`);
}

/** A kept-alive socket the server had already closed: the request never reached it. */
function staleSocket(err: unknown, r: http.ClientRequest, answered: boolean): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return r.reusedSocket && !answered && (code === 'ECONNRESET' || code === 'EPIPE');
}

/**
 * Sends one request and reads the whole bounded answer. A request that went out on a kept-alive
 * socket the server closed meanwhile (reset before any answer) is sent once more on a new one, as
 * Node's documentation advises; the deadline covers both.
 */
export function exchange(
  target: HttpTarget,
  agent: http.Agent,
  opts: Omit<TritonConnectOptions, 'url'>,
  req: ExchangeRequest,
  deadline = Date.now() + opts.timeoutMs,
  retried = false,
): Promise<HttpExchange> {
  return new Promise<HttpExchange>((resolve, reject) => {
    // Before any request exists: one destroyed before its error listener would throw out of the process.
    if (req.signal?.aborted) return reject(new LabError('CANCELLED', 'The request was cancelled'));
    const t0 = now();
    let sendNs = 0;
    let settled = false;
    let answered = false;
    const headers: Record<string, string | number> = { ...opts.headers, ...req.headers, ...(req.body ? { 'Content-Length': req.body.byteLength } : {}) };
    const mod = target.tls ? https : http;
    const r = mod.request({ host: target.hostname, port: target.port, method: req.method, path: req.path, agent, headers });
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      r.destroy();
      reject(err instanceof LabError ? err : transportError(err, target.url, target.tls));
    };
    const timer = setTimeout(() => fail(timeoutError(target.url, opts.timeoutMs)), Math.max(0, deadline - Date.now()));
    const onAbort = (): void => fail(new LabError('CANCELLED', 'The request was cancelled'));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    r.on('error', (err) => {
      if (settled || retried || !staleSocket(err, r, answered)) return fail(err);
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      resolve(exchange(target, agent, opts, req, deadline, true));
    });
    r.on('finish', () => (sendNs = Number(now() - t0)));
    r.on('response', (res) => {
      answered = true;
      const t1 = now();
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > req.limit) return fail(tooLarge(target, req.limit, declared));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.byteLength;
        if (size > req.limit) return fail(tooLarge(target, req.limit));
        chunks.push(c);
      });
      res.on('error', fail);
      res.on('aborted', () => fail(transportError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), target.url, target.tls)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size), sendNs, recvNs: Number(now() - t1) });
      });
    });
    r.end(req.body);
  });
}
