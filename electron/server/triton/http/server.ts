/**
 * KServe v2 HTTP/REST with Triton's extensions (http_server.cc): the same
 * routes, methods, status codes and error bodies ({"error": "..."}), the
 * binary tensor data extension, gzip/deflate bodies and Triton's restricted
 * APIs. Safe to leave running on loopback: requests sent by web pages and
 * DNS-rebinding requests are refused before routing (guard.ts), bodies are
 * bounded before they are buffered (body.ts), stalled connections time
 * out or make room for new ones, and an answer its client does not read is
 * cut off after the send timeout (connections.ts, response-writer.ts).
 * Inferences in flight are bounded by the core, counted once a request's
 * body has arrived.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { LabError, errorMessage, toLabError } from '../../../engine/errors';
import { httpStatusOf } from '../../http-status';
import type { LoadParameter, TritonCore } from '../core';
import type { RestrictedCategory, Restrictions } from '../restricted';
import type { TraceChange } from '../trace-settings';
import { BodyBudget, type BodyOutcome, type BodyRules, Reservation, checkEncoding, inflatedTooLarge, readBody } from './body';
import { ConnectionGuard, type ConnectionLimits } from './connections';
import { admit, corsHeaders, restrictedRefusal } from './guard';
import { encodeInferResponse } from './infer-response';
import { headerLengthOf, readInferRequest } from './infer-request';
import { parseJsonBody } from './json-body';
import { writeAnswer } from './response-writer';

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

const MODEL_RE = /^\/v2\/models\/([^/]+)(?:\/versions\/([0-9]+))?(?:\/(infer|generate|generate_stream|ready|config|stats|trace\/setting))?$/;
const SERVER_RE = /^\/v2(?:\/health\/(live|ready))?$/;
const CONTROL_RE = /^\/v2\/repository(?:\/([^/]+))?\/(index|models\/([^/]+)\/(load|unload))$/;
const SHM_RE = /^\/v2\/(system|cuda)sharedmemory(?:\/region\/([^/]+))?\/(status|register|unregister)$/;

class HttpReply {
  constructor(
    readonly status: number,
    readonly body: string | Uint8Array[] = '',
    readonly headers: Record<string, string> = {},
  ) {}
}

const json = (value: unknown, status = 200): HttpReply => new HttpReply(status, JSON.stringify(value), { 'Content-Type': 'application/json' });
const errorReply = (message: string, status: number): HttpReply => json({ error: message }, status);
const fromError = (err: unknown): HttpReply => {
  const e = toLabError(err);
  return errorReply(e.message, httpStatusOf(e.code));
};
const METHOD_NOT_ALLOWED = (): HttpReply => errorReply('Method Not Allowed', 405);

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

/** A percent-encoded path segment (a model name); malformed encodings are the client's error. */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new LabError('INVALID_ARG', `malformed percent-encoding in the request path: '${part}'`);
  }
}

/** One request and what it holds while it is answered. */
interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  reservation: Reservation;
  outcome: BodyOutcome;
  corsOrigin?: string;
}

export async function startHttpServer(core: TritonCore, opts: HttpServerOptions): Promise<RunningHttpServer> {
  const maxInputBytes = opts.maxInputBytes ?? HTTP_DEFAULTS.maxInputBytes;
  // A body with binary data also carries a JSON header of up to maxInputBytes.
  const maxBodyBytes = Math.max(opts.maxBodyBytes ?? HTTP_DEFAULTS.maxBodyBytes, maxInputBytes);
  const budget = opts.budget ?? new BodyBudget(opts.bodyBudgetBytes ?? Math.max(HTTP_DEFAULTS.bodyBudgetBytes, maxBodyBytes, maxInputBytes));
  const restricted = opts.restricted ?? {};
  const guardOptions = { host: opts.host, allowOrigins: opts.allowOrigins ?? [], restricted };
  const limits: ConnectionLimits = {
    headerTimeoutMs: opts.headerTimeoutMs ?? HTTP_DEFAULTS.headerTimeoutMs,
    bodyTimeoutMs: opts.bodyTimeoutMs ?? HTTP_DEFAULTS.bodyTimeoutMs,
    maxConnections: opts.maxConnections ?? HTTP_DEFAULTS.maxConnections,
    sendTimeoutMs: opts.sendTimeoutMs ?? HTTP_DEFAULTS.sendTimeoutMs,
  };

  const busy = (): LabError => new LabError('UNAVAILABLE', `Server is busy: request bodies being received already hold ${budget.inUse} of ${budget.limit} bytes; retry later`);
  // A compressed body is refused once it could only inflate past the cap (stored deflate blocks add a little).
  const compressedWire = maxInputBytes + Math.ceil(maxInputBytes / 1000) + 1024;

  /** The caps of a body: JSON, raw input or binary data (Triton's wording for the first two). */
  const rulesFor = (req: http.IncomingMessage, kind: 'json' | 'raw' | 'binary'): BodyRules => {
    const compressed = checkEncoding(req) !== undefined;
    const over = (n: number | undefined, max: number): string => (n === undefined ? `more than ${max}` : String(n));
    const tooLarge = (n: number | undefined): LabError => {
      if (compressed) return inflatedTooLarge(maxInputBytes);
      if (kind === 'raw') {
        return new LabError('INVALID_ARG', `Raw input has a byte_size (${over(n, maxInputBytes)} bytes) that exceeds the maximum allowed value of ${maxInputBytes} bytes. Use --http-max-input-size to increase the limit.`);
      }
      if (kind === 'binary') {
        return new LabError('INVALID_ARG', `request body ${n === undefined ? '' : `of ${n} bytes `}exceeds the maximum allowed size of ${maxBodyBytes} bytes for a request with binary data. Use --http-max-body-size to increase the limit.`);
      }
      return new LabError('INVALID_ARG', `request JSON size ${n === undefined ? '' : `of ${n} bytes `}exceeds the maximum allowed input size of ${maxInputBytes} bytes. Use --http-max-input-size to increase the limit.`);
    };
    const wire = compressed ? compressedWire : kind === 'binary' ? maxBodyBytes : maxInputBytes;
    return { maxWireBytes: wire, maxInflatedBytes: maxInputBytes, tooLarge, busy };
  };

  const bodyOf = (ex: Exchange, kind: 'json' | 'raw' | 'binary'): Promise<Buffer> => readBody(ex.req, rulesFor(ex.req, kind), ex.reservation, ex.outcome);

  /** A body that may be empty; otherwise a JSON object. */
  const jsonBody = async (ex: Exchange, what: string): Promise<Record<string, unknown> | undefined> => {
    const body = await bodyOf(ex, 'json');
    if (body.byteLength === 0) return undefined;
    const v = parseJsonBody(body, body.byteLength, maxInputBytes);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LabError('INTERNAL', `failed to parse the ${what} request JSON: expected an object`);
    return v as Record<string, unknown>;
  };

  /** A model that cannot be resolved is left for the inference path to report in its own words. */
  const isDecoupled = (model: string, version: string | undefined): boolean => {
    try {
      return core.modelConfigMessage(model, version).modelTransactionPolicy?.decoupled === true;
    } catch {
      return false;
    }
  };

  /** JSON, raw (Inference-Header-Content-Length: 0) or binary data, read from the header before the body. */
  const inferKind = (req: http.IncomingMessage): 'json' | 'raw' | 'binary' => {
    const v = req.headers['inference-header-content-length'];
    if (v === undefined) return 'json';
    return Number.parseInt(String(v).trim(), 10) === 0 ? 'raw' : 'binary';
  };

  const handleInfer = async (ex: Exchange, model: string, version: string | undefined): Promise<HttpReply> => {
    const { req } = ex;
    if (req.method !== 'POST') return METHOD_NOT_ALLOWED();
    // Checked before the body is read, as Triton's HandleInfer does (CheckTransactionPolicy).
    if (isDecoupled(model, version)) return errorReply("HTTP end point doesn't support models with decoupled transaction policy", httpStatusOf('UNSUPPORTED'));
    // As in Triton's HTTP frontend, a request runs to the end even if its client goes away.
    const body = await bodyOf(ex, inferKind(req));
    const headerLength = headerLengthOf(req.headers['inference-header-content-length'] as string | undefined, body.byteLength);
    const parsed = readInferRequest(body, headerLength, model, { maxInputBytes });
    const resp = await core.infer(model, version, parsed.request);
    const enc = encodeInferResponse(resp, parsed.kinds, parsed.defaultKind);
    if (enc.binary.length === 0) return new HttpReply(200, enc.json, { 'Content-Type': 'application/json' });
    const head = Buffer.from(enc.json);
    return new HttpReply(200, [head, ...enc.binary], { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(head.byteLength) });
  };

  const handleTrace = async (ex: Exchange, model?: string): Promise<HttpReply> => {
    const { req } = ex;
    if (req.method !== 'GET' && req.method !== 'POST') return METHOD_NOT_ALLOWED();
    if (model !== undefined && !core.modelReady(model)) return errorReply(`Request for unknown model : ${model}`, 400);
    if (req.method === 'POST') {
      const body = (await jsonBody(ex, 'trace')) ?? {};
      const changes: Record<string, TraceChange> = {};
      for (const [k, v] of Object.entries(body)) {
        if (v === null) changes[k] = null;
        else if (k === 'trace_level') {
          if (!Array.isArray(v)) throw new LabError('INTERNAL', 'attempt to access JSON non-array as array');
          changes[k] = v.map((x) => {
            if (typeof x !== 'string') throw new LabError('INTERNAL', 'attempt to access JSON non-string as string');
            return x;
          });
        } else if (typeof v === 'string') changes[k] = v;
        else throw new LabError('INTERNAL', 'attempt to access JSON non-string as string');
      }
      core.traceSettings.update(model, changes);
    }
    const s = core.traceSettings.get(model);
    return json({ trace_level: s.trace_level, trace_rate: s.trace_rate, trace_count: s.trace_count, log_frequency: s.log_frequency, trace_file: s.trace_file, trace_mode: s.trace_mode });
  };

  const handleLogging = async (ex: Exchange): Promise<HttpReply> => {
    const { req } = ex;
    if (req.method !== 'GET' && req.method !== 'POST') return METHOD_NOT_ALLOWED();
    if (req.method === 'POST') {
      const body = (await jsonBody(ex, 'dynamic logging')) ?? {};
      const changes: Record<string, boolean | number | string | null> = {};
      for (const [k, v] of Object.entries(body)) {
        if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') changes[k] = v;
        else throw new LabError('INTERNAL', `attempt to access JSON non-scalar value for '${k}'`);
      }
      core.logSettings.update(changes);
    }
    return json(core.logSettings.get());
  };

  const handleLoad = async (ex: Exchange, name: string): Promise<HttpReply> => {
    const body = await jsonBody(ex, 'load model');
    const params: Record<string, LoadParameter> = {};
    const given = body?.['parameters'];
    if (given !== undefined) {
      if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new LabError('INTERNAL', 'attempt to get members for non-object');
      for (const [k, v] of Object.entries(given as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new LabError('INTERNAL', 'attempt to access JSON non-string as string');
        if (k === 'config') params[k] = { type: 'STRING', value: v };
        else if (k.startsWith('file:')) params[k] = { type: 'BYTES', value: decodeBase64(v, k) };
        else throw new LabError('INTERNAL', 'unexpected error on creating Triton parameter');
      }
    }
    await core.load(name, params);
    return new HttpReply(200, '', { 'Content-Type': 'application/json' });
  };

  const handleControl = async (ex: Exchange, repo: string | undefined, kind: string, model: string | undefined, action: string | undefined): Promise<HttpReply> => {
    if (ex.req.method !== 'POST') return METHOD_NOT_ALLOWED();
    if (kind === 'index') {
      const body = await jsonBody(ex, 'registry index');
      const ready = body?.['ready'];
      if (ready !== undefined && typeof ready !== 'boolean') return errorReply("Invalid value for 'ready': expected a boolean", 400);
      return json(core.repositoryIndex(ready === true));
    }
    if (repo) return errorReply("'repository_name' specification is not supported", httpStatusOf('UNSUPPORTED'));
    const name = decodePart(model ?? '');
    if (action === 'load') return handleLoad(ex, name);
    const body = await jsonBody(ex, 'unload model');
    const given = body?.['parameters'] as Record<string, unknown> | undefined;
    const ud = given?.['unload_dependents'];
    if (ud !== undefined && typeof ud !== 'boolean') {
      return errorReply("Unable to parse 'unload_dependents': attempt to access JSON non-boolean as boolean", 500);
    }
    await core.unload(name, { unloadDependents: ud === true });
    return new HttpReply(200, '', { 'Content-Type': 'application/json' });
  };

  /** A route of /v2/models/<name>[/versions/<v>][/<kind>], with the restricted category Triton checks for it. */
  const modelRoute = (ex: Exchange, m: RegExpExecArray): { category: RestrictedCategory; run: () => Promise<HttpReply> | HttpReply } | undefined => {
    const method = ex.req.method ?? 'GET';
    const version = m[2];
    const model = (): string => decodePart(m[1]!);
    const get = (fn: () => HttpReply): (() => HttpReply) => () => (method !== 'GET' ? METHOD_NOT_ALLOWED() : fn());
    switch (m[3] ?? '') {
      case 'ready':
        return { category: 'health', run: get(() => (core.modelReady(model(), version) ? new HttpReply(200) : errorReply('Model version not ready', 400))) };
      case 'infer':
        return { category: 'inference', run: () => handleInfer(ex, model(), version) };
      case 'generate':
      case 'generate_stream':
        return { category: 'inference', run: () => errorReply(`the generate extension is not supported by Model Lab; use /v2/models/${model()}/infer`, httpStatusOf('UNSUPPORTED')) };
      case 'config':
        return { category: 'model-config', run: get(() => json(core.modelConfig(model(), version))) };
      case 'stats':
        return { category: 'statistics', run: get(() => json(core.statistics(model(), version))) };
      case 'trace/setting':
        return version === undefined ? { category: 'trace', run: () => handleTrace(ex, model()) } : undefined;
      default:
        return { category: 'metadata', run: get(() => json(core.modelMetadata(model(), version))) };
    }
  };

  /** Finds the handler of a path and the restricted category it belongs to (undefined: Not Found). */
  const resolve = (ex: Exchange, path: string): { category: RestrictedCategory; run: () => Promise<HttpReply> | HttpReply } | undefined => {
    const method = ex.req.method ?? 'GET';
    const onlyGet = (fn: () => HttpReply) => () => (method !== 'GET' ? METHOD_NOT_ALLOWED() : fn());
    if (path === '/v2/models/stats') return { category: 'statistics', run: onlyGet(() => json(core.statistics())) };
    if (path === '/v2/logging') return { category: 'logging', run: () => handleLogging(ex) };
    const m = MODEL_RE.exec(path);
    const model = m ? modelRoute(ex, m) : undefined;
    if (model) return model;
    if (path === '/v2') return { category: 'metadata', run: onlyGet(() => json(core.serverMetadata())) };
    const s = SERVER_RE.exec(path);
    if (s) return { category: 'health', run: onlyGet(() => new HttpReply((s[1] === 'live' ? core.live() : core.ready()) ? 200 : 400)) };
    const shm = SHM_RE.exec(path);
    if (shm) return { category: 'shared-memory', run: () => sharedMemory(method, shm[3]!) };
    const c = CONTROL_RE.exec(path);
    if (c) return { category: 'model-repository', run: () => handleControl(ex, c[1], c[2]!.startsWith('models') ? 'models' : 'index', c[3], c[4]) };
    if (path === '/v2/trace/setting') return { category: 'trace', run: () => handleTrace(ex) };
    return undefined;
  };

  const route = async (ex: Exchange): Promise<HttpReply> => {
    const found = resolve(ex, (ex.req.url ?? '/').split('?')[0]!);
    if (!found) return errorReply('Not Found', 404);
    // Triton checks the restriction first in every handler, before the method.
    const refused = restrictedRefusal(ex.req, restricted, found.category);
    if (refused) return errorReply(refused.message, refused.status);
    return found.run();
  };

  const send = async (ex: Exchange, reply: HttpReply): Promise<void> => {
    const { req, res } = ex;
    if (res.headersSent || res.destroyed) return;
    let parts = typeof reply.body === 'string' ? (reply.body === '' ? [] : [Buffer.from(reply.body)]) : reply.body;
    const headers: Record<string, string | number> = { ...reply.headers, ...(ex.corsOrigin ? corsHeaders(ex.corsOrigin) : {}) };
    const enc = reply.status === 200 && parts.length > 0 ? acceptedEncoding(req.headers['accept-encoding']) : undefined;
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
    const progress = connections.sending(res, () => {
      opts.log?.('verbose', `HTTP ${req.method} ${req.url}: the client read none of the answer for ${limits.sendTimeoutMs / 1000} s (--http-send-timeout-secs); closing the connection`);
    });
    await writeAnswer(res, parts, total, progress);
  };

  /** 408 with an error body if nothing was answered yet; the connection closes either way. */
  const bodyTimedOut = (ex: Exchange): void => {
    const { req, res } = ex;
    opts.log?.('verbose', `HTTP ${req.method} ${req.url}: request body not received within the body timeout; closing the connection`);
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    ex.outcome.closeConnection = true;
    void send(ex, errorReply(`request body not received within ${limits.bodyTimeoutMs / 1000} s (--http-body-timeout-secs)`, 408));
    setTimeout(() => req.socket.destroy(), 1000).unref();
  };

  const server = http.createServer({ connectionsCheckingInterval: ConnectionGuard.checkingIntervalMs(limits) }, (req, res) => {
    const ex: Exchange = { req, res, reservation: new Reservation(budget), outcome: { closeConnection: false } };
    // The answer's share goes back once it is all handed to the system, or the connection is gone.
    res.once('finish', () => ex.reservation.release());
    res.once('close', () => ex.reservation.release());
    connections.track(req, res, () => bodyTimedOut(ex));
    const admission = admit(req, guardOptions);
    if (admission.kind === 'preflight') {
      res.writeHead(204, admission.headers);
      res.end();
      return;
    }
    if (admission.kind === 'refused') {
      void send(ex, errorReply(admission.refusal.message, admission.refusal.status));
      return;
    }
    if (admission.corsOrigin) ex.corsOrigin = admission.corsOrigin;
    route(ex)
      .catch(fromError)
      .then((reply) => send(ex, reply))
      .catch((err: unknown) => {
        opts.log?.('error', `HTTP ${req.method} ${req.url}: ${errorMessage(err)}`);
        if (res.headersSent || res.destroyed) return;
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: errorMessage(err) }));
      });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, limits));
  const connections = new ConnectionGuard(server, limits);
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        connections.closeAll(2000);
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

/** Shared memory cannot be registered with the lab: status lists no regions, register is refused. */
function sharedMemory(method: string, action: string): HttpReply {
  if (action === 'status') {
    if (method !== 'GET') return METHOD_NOT_ALLOWED();
    return json([]);
  }
  if (method !== 'POST') return METHOD_NOT_ALLOWED();
  if (action === 'unregister') return new HttpReply(200, '', { 'Content-Type': 'application/json' });
  return errorReply('Shared memory feature is not supported by Model Lab; send tensor data in the request body instead', httpStatusOf('UNSUPPORTED'));
}

function decodeBase64(v: string, key: string): Uint8Array {
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(v)) throw new LabError('INVALID_ARG', `failed to decode base64 for '${key}'`);
  return Buffer.from(v, 'base64');
}
