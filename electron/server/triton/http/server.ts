/**
 * KServe v2 HTTP/REST with Triton's extensions (http_server.cc): the same
 * routes, methods, status codes and error bodies ({"error": "..."}), the
 * binary tensor data extension, gzip/deflate bodies and Triton's restricted
 * APIs. Safe to leave running on loopback: requests sent by web pages and
 * DNS-rebinding requests are refused before routing (guard.ts), bodies are
 * bounded before they are buffered (body.ts, with the endpoint's caps in
 * body-reader.ts), stalled connections time out or make room for new ones,
 * and an answer its client does not read is cut off after the send timeout
 * (connections.ts, response-writer.ts). Inferences in flight are bounded by
 * the core, counted once a request's body has arrived. Routing is in
 * routes.ts and the handlers per route family in handlers.ts; this module
 * admits requests, writes their replies, listens and closes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { errorMessage } from '../../../engine/errors';
import type { TritonCore } from '../core';
import type { Restrictions } from '../restricted';
import { BodyBudget, Reservation } from './body';
import { bodyReader } from './body-reader';
import { ConnectionGuard, type ConnectionLimits } from './connections';
import { type Exchange, type HttpReply, errorReply, fromError } from './exchange';
import { type GuardOptions, admit, corsHeaders } from './guard';
import type { HandlerContext } from './handlers';
import { writeAnswer } from './response-writer';
import { route } from './routes';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Triton's --http-max-input-size: JSON part, raw input, inflated body (default 64 MiB). */
  maxInputBytes?: number;
  /** The largest body with binary tensor data (default 1 GiB); larger ones are refused before reading. */
  maxBodyBytes?: number;
  /** Bytes of request bodies and unsent responses held at once, server-wide (default 2 GiB, never below one largest body). */
  bodyBudgetBytes?: number;
  /** A budget shared with the gRPC endpoint (serve.ts); takes the place of bodyBudgetBytes. */
  budget?: BodyBudget;
  /** Origins whose web pages may call the API (--http-allow-origin); none by default. */
  allowOrigins?: readonly string[];
  /** Triton's --http-restricted-api. */
  restricted?: Restrictions;
  /** Headers must arrive within this (default 30 s). */
  headerTimeoutMs?: number;
  /** A body must arrive within this of its headers (default 120 s). */
  bodyTimeoutMs?: number;
  /** Open connections at most (default 1024); stalled ones make room for new ones. */
  maxConnections?: number;
  /** An answer its client reads none of for this long is cut off (default 60 s). */
  sendTimeoutMs?: number;
  log?: (level: 'info' | 'warning' | 'error' | 'verbose', message: string) => void;
}

const MiB = 1024 * 1024;

export const HTTP_DEFAULTS = {
  maxInputBytes: 64 * MiB,
  maxBodyBytes: 1024 * MiB,
  bodyBudgetBytes: 2048 * MiB,
  headerTimeoutMs: 30_000,
  bodyTimeoutMs: 120_000,
  maxConnections: 1024,
  sendTimeoutMs: 60_000,
} as const;

export interface RunningHttpServer {
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);

/** Which of gzip / deflate / identity the client prefers (Triton's CompressionTypeUsed). */
function acceptedEncoding(header: string | undefined): 'gzip' | 'deflate' | undefined {
  if (!header) return undefined;
  let best: 'gzip' | 'deflate' | 'identity' = 'identity';
  let weight = 0;
  for (const part of header.split(',')) {
    const [type, q] = part.trim().split(';q=');
    const w = q === undefined ? 1 : Number(q);
    if (!Number.isFinite(w)) continue;
    if ((type === 'identity' || type === 'gzip' || type === 'deflate') && w > weight) {
      best = type;
      weight = w;
    }
  }
  return best === 'identity' ? undefined : best;
}

/** What answering a request needs, fixed when the server starts. */
interface Frontend {
  budget: BodyBudget;
  guard: GuardOptions;
  handlers: HandlerContext;
  connections: ConnectionGuard;
  limits: ConnectionLimits;
  log: HttpServerOptions['log'];
}

/**
 * Writes a reply: compressed as the client prefers (an inference 200 with a body), its bytes held in the budget
 * in place of the body's while it waits for a slow reader, sent in slices under the send timeout.
 */
async function send(f: Frontend, ex: Exchange, reply: HttpReply): Promise<void> {
  const { req, res } = ex;
  if (res.headersSent || res.destroyed) return;
  let parts = typeof reply.body === 'string' ? (reply.body === '' ? [] : [Buffer.from(reply.body)]) : reply.body;
  const headers: Record<string, string | number> = { ...reply.headers, ...(ex.corsOrigin ? corsHeaders(ex.corsOrigin) : {}) };
  const enc = reply.status === 200 && reply.compress && parts.length > 0 ? acceptedEncoding(req.headers['accept-encoding']) : undefined;
  if (enc) {
    parts = [await (enc === 'gzip' ? gzip : deflate)(Buffer.concat(parts))];
    headers['Content-Encoding'] = enc;
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  headers['Content-Length'] = total;
  if (ex.outcome.closeConnection) headers['Connection'] = 'close';
  // The body's share of the budget is done with; an answer waiting for a slow reader holds memory like a body does.
  ex.reservation.replace(total);
  res.writeHead(reply.status, headers);
  const progress = f.connections.sending(res, () => {
    f.log?.('verbose', `HTTP ${req.method} ${req.url}: the client read none of the answer for ${f.limits.sendTimeoutMs / 1000} s (--http-send-timeout-secs); closing the connection`);
  });
  await writeAnswer(res, parts, total, progress);
}

/** 408 with an error body if nothing was answered yet; the connection closes either way. */
function bodyTimedOut(f: Frontend, ex: Exchange): void {
  const { req, res } = ex;
  f.log?.('verbose', `HTTP ${req.method} ${req.url}: request body not received within the body timeout; closing the connection`);
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  ex.outcome.closeConnection = true;
  void send(f, ex, errorReply(`request body not received within ${f.limits.bodyTimeoutMs / 1000} s (--http-body-timeout-secs)`, 408));
  setTimeout(() => req.socket.destroy(), 1000).unref();
}

/** One request: admitted before routing (or refused, or a preflight answered), routed, answered; a reply that fails to go out is logged. */
function answer(f: Frontend, req: http.IncomingMessage, res: http.ServerResponse): void {
  const ex: Exchange = { req, res, reservation: new Reservation(f.budget), outcome: { closeConnection: false } };
  // The answer's share goes back once it is all handed to the system, or the connection is gone.
  res.once('finish', () => ex.reservation.release());
  res.once('close', () => ex.reservation.release());
  f.connections.track(req, res, () => bodyTimedOut(f, ex));
  const admission = admit(req, f.guard);
  if (admission.kind === 'preflight') {
    res.writeHead(204, admission.headers);
    res.end();
    return;
  }
  if (admission.kind === 'refused') {
    void send(f, ex, errorReply(admission.refusal.message, admission.refusal.status));
    return;
  }
  if (admission.corsOrigin) ex.corsOrigin = admission.corsOrigin;
  route(f.handlers, f.guard.restricted, ex)
    .catch(fromError)
    .then((reply) => send(f, ex, reply))
    .catch((err: unknown) => {
      f.log?.('error', `HTTP ${req.method} ${req.url}: ${errorMessage(err)}`);
      if (res.headersSent || res.destroyed) return;
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: errorMessage(err) }));
    });
}

/** The endpoint's limits, defaults filled in: the body caps and budget, and the connections' timeouts and cap. */
function limitsOf(opts: HttpServerOptions): { maxInputBytes: number; maxBodyBytes: number; budget: BodyBudget; connections: ConnectionLimits } {
  const maxInputBytes = opts.maxInputBytes ?? HTTP_DEFAULTS.maxInputBytes;
  // A body with binary data also carries a JSON header of up to maxInputBytes.
  const maxBodyBytes = Math.max(opts.maxBodyBytes ?? HTTP_DEFAULTS.maxBodyBytes, maxInputBytes);
  const budget = opts.budget ?? new BodyBudget(opts.bodyBudgetBytes ?? Math.max(HTTP_DEFAULTS.bodyBudgetBytes, maxBodyBytes, maxInputBytes));
  const connections: ConnectionLimits = {
    headerTimeoutMs: opts.headerTimeoutMs ?? HTTP_DEFAULTS.headerTimeoutMs,
    bodyTimeoutMs: opts.bodyTimeoutMs ?? HTTP_DEFAULTS.bodyTimeoutMs,
    maxConnections: opts.maxConnections ?? HTTP_DEFAULTS.maxConnections,
    sendTimeoutMs: opts.sendTimeoutMs ?? HTTP_DEFAULTS.sendTimeoutMs,
  };
  return { maxInputBytes, maxBodyBytes, budget, connections };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startHttpServer(core: TritonCore, opts: HttpServerOptions): Promise<RunningHttpServer> {
  const { maxInputBytes, maxBodyBytes, budget, connections: limits } = limitsOf(opts);
  const restricted: Restrictions = opts.restricted ?? {};
  const handlers: HandlerContext = { core, bodies: bodyReader({ maxInputBytes, maxBodyBytes, budget }), maxInputBytes };
  const server = http.createServer({ connectionsCheckingInterval: ConnectionGuard.checkingIntervalMs(limits) }, (req, res) => answer(frontend, req, res));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, limits));
  const guard: GuardOptions = { host: opts.host, allowOrigins: opts.allowOrigins ?? [], restricted };
  const frontend: Frontend = { budget, guard, handlers, connections: new ConnectionGuard(server, limits), limits, log: opts.log };
  server.keepAliveTimeout = 65_000;

  await listen(server, opts.port, opts.host);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        frontend.connections.closeAll(2000);
      }),
  };
}

/** What Node's HTTP parser refused (or headers that came too late), answered with a JSON error as everything else. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, limits: ConnectionLimits): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', `request headers not received within ${limits.headerTimeoutMs / 1000} s (--http-header-timeout-secs)`]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'request headers are too large']
        : [400, 'Bad Request', `malformed HTTP request: ${err.message}`];
  const body = JSON.stringify({ error: message });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
