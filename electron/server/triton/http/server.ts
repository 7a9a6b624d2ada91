/**
 * KServe v2 HTTP/REST with Triton's extensions (http_server.cc): the same
 * routes, methods, status codes and error bodies ({"error": "..."}), the
 * binary tensor data extension, gzip/deflate bodies, and limits that keep a
 * flood of requests from exhausting memory: a bounded request body and a
 * bounded number of inferences in flight.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { LabError, errorMessage, toLabError } from '../../../engine/errors';
import { httpStatusOf } from '../../http-status';
import type { LoadParameter, TritonCore } from '../core';
import type { TraceChange } from '../trace-settings';
import { encodeInferResponse } from './infer-response';
import { headerLengthOf, readInferRequest } from './infer-request';
import { parseJsonBody } from './json-body';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Triton's --http-max-input-size (default 64 MiB). */
  maxInputBytes?: number;
  /** The largest request body read at all (default 1 GiB); larger ones are refused before buffering. */
  maxBodyBytes?: number;
  /** Inferences in flight before new ones are refused with 503 (default 1024). */
  maxInflight?: number;
  log?: (level: 'info' | 'warning' | 'error' | 'verbose', message: string) => void;
}

export interface RunningHttpServer {
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
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

export async function startHttpServer(core: TritonCore, opts: HttpServerOptions): Promise<RunningHttpServer> {
  const maxInputBytes = opts.maxInputBytes ?? 64 * 1024 * 1024;
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024 * 1024;
  const maxInflight = opts.maxInflight ?? 1024;
  let inflight = 0;

  const readBody = (req: http.IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBodyBytes) {
        reject(new LabError('INVALID_ARG', `request body of ${declared} bytes exceeds the maximum allowed size of ${maxBodyBytes} bytes`));
        req.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.byteLength;
        if (size > maxBodyBytes) {
          reject(new LabError('INVALID_ARG', `request body exceeds the maximum allowed size of ${maxBodyBytes} bytes`));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
      req.on('error', reject);
    });

  const decompressed = async (req: http.IncomingMessage, body: Buffer): Promise<Buffer> => {
    const enc = req.headers['content-encoding'];
    if (!enc || enc === 'identity') return body;
    if (enc !== 'gzip' && enc !== 'deflate') throw new LabError('UNSUPPORTED', 'Unsupported compression type');
    try {
      return await (enc === 'gzip' ? gunzip : inflate)(body, { maxOutputLength: maxBodyBytes });
    } catch (err) {
      throw new LabError('INVALID_ARG', `failed to decompress the request body (${enc}): ${errorMessage(err)}`);
    }
  };

  /** A body that may be empty; otherwise a JSON object. */
  const jsonBody = async (req: http.IncomingMessage, kind: string): Promise<Record<string, unknown> | undefined> => {
    const body = await decompressed(req, await readBody(req));
    if (body.byteLength === 0) return undefined;
    const v = parseJsonBody(body, body.byteLength, maxInputBytes);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LabError('INTERNAL', `failed to parse the ${kind} request JSON: expected an object`);
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

  const handleInfer = async (req: http.IncomingMessage, model: string, version: string | undefined): Promise<HttpReply> => {
    if (req.method !== 'POST') return METHOD_NOT_ALLOWED();
    // Checked before the body is read, as Triton's HandleInfer does (CheckTransactionPolicy).
    if (isDecoupled(model, version)) {
      req.resume();
      return errorReply("HTTP end point doesn't support models with decoupled transaction policy", httpStatusOf('UNSUPPORTED'));
    }
    if (inflight >= maxInflight) {
      req.resume();
      return errorReply(`Server is busy: ${inflight} inference requests are in flight (the limit is ${maxInflight}); retry later`, 503);
    }
    inflight++;
    // As in Triton's HTTP frontend, a request runs to the end even if its client goes away.
    try {
      const body = await decompressed(req, await readBody(req));
      const headerLength = headerLengthOf(req.headers['inference-header-content-length'] as string | undefined, body.byteLength);
      const parsed = readInferRequest(body, headerLength, model, { maxInputBytes });
      const resp = await core.infer(model, version, parsed.request);
      const enc = encodeInferResponse(resp, parsed.kinds, parsed.defaultKind);
      if (enc.binary.length === 0) return new HttpReply(200, enc.json, { 'Content-Type': 'application/json' });
      const head = Buffer.from(enc.json);
      return new HttpReply(200, [head, ...enc.binary], { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(head.byteLength) });
    } finally {
      inflight--;
    }
  };

  const handleTrace = async (req: http.IncomingMessage, model?: string): Promise<HttpReply> => {
    if (req.method !== 'GET' && req.method !== 'POST') return METHOD_NOT_ALLOWED();
    if (model !== undefined && !core.modelReady(model)) return errorReply(`Request for unknown model : ${model}`, 400);
    if (req.method === 'POST') {
      const body = (await jsonBody(req, 'trace')) ?? {};
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

  const handleLogging = async (req: http.IncomingMessage): Promise<HttpReply> => {
    if (req.method !== 'GET' && req.method !== 'POST') return METHOD_NOT_ALLOWED();
    if (req.method === 'POST') {
      const body = (await jsonBody(req, 'dynamic logging')) ?? {};
      const changes: Record<string, boolean | number | string | null> = {};
      for (const [k, v] of Object.entries(body)) {
        if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') changes[k] = v;
        else throw new LabError('INTERNAL', `attempt to access JSON non-scalar value for '${k}'`);
      }
      core.logSettings.update(changes);
    }
    return json(core.logSettings.get());
  };

  const handleControl = async (req: http.IncomingMessage, repo: string | undefined, kind: string, model: string | undefined, action: string | undefined): Promise<HttpReply> => {
    if (req.method !== 'POST') return METHOD_NOT_ALLOWED();
    if (kind === 'index') {
      const body = await jsonBody(req, 'registry index');
      const ready = body?.['ready'];
      if (ready !== undefined && typeof ready !== 'boolean') return errorReply("Invalid value for 'ready': expected a boolean", 400);
      return json(core.repositoryIndex(ready === true));
    }
    if (repo) return errorReply("'repository_name' specification is not supported", httpStatusOf('UNSUPPORTED'));
    const name = decodeURIComponent(model ?? '');
    if (action === 'load') {
      const body = await jsonBody(req, 'load model');
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
    }
    const body = await jsonBody(req, 'unload model');
    const given = body?.['parameters'] as Record<string, unknown> | undefined;
    const ud = given?.['unload_dependents'];
    if (ud !== undefined && typeof ud !== 'boolean') {
      return errorReply("Unable to parse 'unload_dependents': attempt to access JSON non-boolean as boolean", 500);
    }
    await core.unload(name, { unloadDependents: ud === true });
    return new HttpReply(200, '', { 'Content-Type': 'application/json' });
  };

  const route = async (req: http.IncomingMessage): Promise<HttpReply> => {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    if (path === '/v2/models/stats') {
      if (method !== 'GET') return METHOD_NOT_ALLOWED();
      return json(core.statistics());
    }
    if (path === '/v2/logging') return handleLogging(req);
    const m = MODEL_RE.exec(path);
    if (m) {
      const model = decodeURIComponent(m[1]!);
      const version = m[2];
      const kind = m[3] ?? '';
      switch (kind) {
        case 'ready':
          if (method !== 'GET') return METHOD_NOT_ALLOWED();
          return core.modelReady(model, version) ? new HttpReply(200) : errorReply('Model version not ready', 400);
        case 'infer':
          return handleInfer(req, model, version);
        case 'generate':
        case 'generate_stream':
          return errorReply(`the generate extension is not supported by Model Lab; use /v2/models/${model}/infer`, httpStatusOf('UNSUPPORTED'));
        case 'config':
          if (method !== 'GET') return METHOD_NOT_ALLOWED();
          return json(core.modelConfig(model, version));
        case 'stats':
          if (method !== 'GET') return METHOD_NOT_ALLOWED();
          return json(core.statistics(model, version));
        case 'trace/setting':
          if (version === undefined) return handleTrace(req, model);
          break;
        default:
          if (method !== 'GET') return METHOD_NOT_ALLOWED();
          return json(core.modelMetadata(model, version));
      }
    }
    if (path === '/v2') {
      if (method !== 'GET') return METHOD_NOT_ALLOWED();
      return json(core.serverMetadata());
    }
    const s = SERVER_RE.exec(path);
    if (s) {
      if (method !== 'GET') return METHOD_NOT_ALLOWED();
      const ok = s[1] === 'live' ? core.live() : core.ready();
      return new HttpReply(ok ? 200 : 400);
    }
    const shm = SHM_RE.exec(path);
    if (shm) return sharedMemory(method, shm[3]!);
    const c = CONTROL_RE.exec(path);
    if (c) return handleControl(req, c[1], c[2]!.startsWith('models') ? 'models' : 'index', c[3], c[4]);
    if (path === '/v2/trace/setting') return handleTrace(req);
    return errorReply('Not Found', 404);
  };

  const send = async (req: http.IncomingMessage, res: http.ServerResponse, reply: HttpReply): Promise<void> => {
    let parts = typeof reply.body === 'string' ? (reply.body === '' ? [] : [Buffer.from(reply.body)]) : reply.body;
    const headers: Record<string, string | number> = { ...reply.headers };
    const enc = reply.status === 200 && parts.length > 0 ? acceptedEncoding(req.headers['accept-encoding']) : undefined;
    if (enc) {
      parts = [await (enc === 'gzip' ? gzip : deflate)(Buffer.concat(parts))];
      headers['Content-Encoding'] = enc;
    }
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    headers['Content-Length'] = total;
    res.writeHead(reply.status, headers);
    // One write for small bodies (a copy is cheaper than a writev); big tensors go out without copying.
    if (parts.length <= 1 || total <= 64 * 1024) {
      res.end(parts.length <= 1 ? parts[0] : Buffer.concat(parts, total));
      return;
    }
    res.cork();
    for (const p of parts) res.write(p);
    res.end();
    res.uncork();
  };

  const server = http.createServer((req, res) => {
    route(req)
      .catch(fromError)
      .then((reply) => send(req, res, reply))
      .catch((err: unknown) => {
        opts.log?.('error', `HTTP ${req.method} ${req.url}: ${errorMessage(err)}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: errorMessage(err) }));
      });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;

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
        server.closeIdleConnections();
      }),
  };
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
