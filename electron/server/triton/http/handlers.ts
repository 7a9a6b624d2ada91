/**
 * The HTTP endpoint's handlers, one per route family of Triton's
 * http_server.cc: inference (HandleInfer), trace settings, log settings,
 * repository control (index, load, unload) and shared memory. Each checks
 * its method, reads its body through the endpoint's limits (body-reader.ts)
 * and translates it to a TritonCore call, in Triton's order and wording.
 */
import type http from 'node:http';
import { LabError } from '../../../engine/errors';
import { httpStatusOf } from '../../http-status';
import type { CoreInferRequest, CoreInferResponse, LoadParameter, TritonCore } from '../core';
import type { TraceChange } from '../trace-settings';
import type { BodyKind, BodyReader } from './body-reader';
import { EMPTY_OK, type Exchange, HttpReply, METHOD_NOT_ALLOWED, decodePart, errorReply, json } from './exchange';
import { encodeInferResponse } from './infer-response';
import { headerLengthOf, readInferRequest } from './infer-request';
import { unknownModelSetting } from '../../../engine/triton-errors';

/** What the handlers work with. */
export interface HandlerContext {
  core: TritonCore;
  bodies: BodyReader;
  /** Triton's --http-max-input-size. */
  maxInputBytes: number;
}

/** A model that cannot be resolved is left for the inference path to report in its own words. */
function isDecoupled(core: TritonCore, model: string, version: string | undefined): boolean {
  try {
    return core.modelConfigMessage(model, version).modelTransactionPolicy?.decoupled === true;
  } catch {
    return false;
  }
}

/** JSON, raw (Inference-Header-Content-Length: 0) or binary data, read from the header before the body. */
function inferKind(req: http.IncomingMessage): BodyKind {
  const v = req.headers['inference-header-content-length'];
  if (v === undefined) return 'json';
  return Number.parseInt(String(v).trim(), 10) === 0 ? 'raw' : 'binary';
}

/**
 * Runs the request, cancelled if its client goes away first: as Triton's HTTP frontend (the
 * request-fini hook cancels the request), a queued request leaves the queue and a running model sees
 * is_cancelled().
 */
async function inferWhileConnected(core: TritonCore, ex: Exchange, model: string, version: string | undefined, request: CoreInferRequest): Promise<CoreInferResponse> {
  const abort = new AbortController();
  const gone = (): void => {
    if (!ex.res.writableFinished) abort.abort();
  };
  ex.res.once('close', gone);
  if (ex.req.socket.destroyed) gone();
  try {
    return await core.infer(model, version, { ...request, signal: abort.signal });
  } finally {
    ex.res.off('close', gone);
  }
}

export async function handleInfer({ core, bodies, maxInputBytes }: HandlerContext, ex: Exchange, model: string, version: string | undefined): Promise<HttpReply> {
  const { req } = ex;
  if (req.method !== 'POST') return METHOD_NOT_ALLOWED();
  // Checked before the body is read, as Triton's HandleInfer does (CheckTransactionPolicy).
  if (isDecoupled(core, model, version)) return errorReply("HTTP end point doesn't support models with decoupled transaction policy", httpStatusOf('UNSUPPORTED'));
  const body = await bodies.body(ex, inferKind(req));
  const headerLength = headerLengthOf(req.headers['inference-header-content-length'] as string | undefined, body.byteLength);
  const parsed = readInferRequest(body, headerLength, model, { maxInputBytes });
  const resp = await inferWhileConnected(core, ex, model, version, parsed.request);
  const enc = encodeInferResponse(resp, parsed.kinds, parsed.defaultKind);
  if (enc.binary.length === 0) return new HttpReply(200, typeof enc.json === 'string' ? enc.json : [enc.json], { 'Content-Type': 'application/json' }, true);
  const head = Buffer.from(enc.json);
  return new HttpReply(200, [head, ...enc.binary], { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(head.byteLength) }, true);
}

/** A trace settings body as changes: null clears, trace_level is a list of strings, the rest strings. */
function traceChanges(body: Record<string, unknown>): Record<string, TraceChange> {
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
  return changes;
}

/** GET or POST /v2[/models/<name>]/trace/setting. */
export async function handleTrace({ core, bodies }: HandlerContext, ex: Exchange, model?: string): Promise<HttpReply> {
  const { req } = ex;
  if (req.method !== 'GET' && req.method !== 'POST') return METHOD_NOT_ALLOWED();
  if (model !== undefined && !core.modelReady(model)) return errorReply(unknownModelSetting(model).message, 400);
  if (req.method === 'POST') {
    const body = (await bodies.json(ex, 'trace')) ?? {};
    core.traceSettings.update(model, traceChanges(body));
  }
  const s = core.traceSettings.get(model);
  return json({ trace_level: s.trace_level, trace_rate: s.trace_rate, trace_count: s.trace_count, log_frequency: s.log_frequency, trace_file: s.trace_file, trace_mode: s.trace_mode });
}

/** GET or POST /v2/logging. */
export async function handleLogging({ core, bodies }: HandlerContext, ex: Exchange): Promise<HttpReply> {
  const { req } = ex;
  if (req.method !== 'GET' && req.method !== 'POST') return METHOD_NOT_ALLOWED();
  if (req.method === 'POST') {
    const body = (await bodies.json(ex, 'dynamic logging')) ?? {};
    const changes: Record<string, boolean | number | string | null> = {};
    for (const [k, v] of Object.entries(body)) {
      if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') changes[k] = v;
      else throw new LabError('INTERNAL', `attempt to access JSON non-scalar value for '${k}'`);
    }
    core.logSettings.update(changes);
  }
  return json(core.logSettings.get());
}

function decodeBase64(v: string, key: string): Uint8Array {
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(v)) throw new LabError('INVALID_ARG', `failed to decode base64 for '${key}'`);
  return Buffer.from(v, 'base64');
}

async function handleLoad({ core, bodies }: HandlerContext, ex: Exchange, name: string): Promise<HttpReply> {
  const body = await bodies.json(ex, 'load model');
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
  return EMPTY_OK();
}

async function handleUnload({ core, bodies }: HandlerContext, ex: Exchange, name: string): Promise<HttpReply> {
  const body = await bodies.json(ex, 'unload model');
  const given = body?.['parameters'] as Record<string, unknown> | undefined;
  const ud = given?.['unload_dependents'];
  if (ud !== undefined && typeof ud !== 'boolean') {
    return errorReply("Unable to parse 'unload_dependents': attempt to access JSON non-boolean as boolean", 500);
  }
  await core.unload(name, { unloadDependents: ud === true });
  return EMPTY_OK();
}

/** POST /v2/repository[/<repo>]/index and /v2/repository[/<repo>]/models/<name>/(load|unload). */
export async function handleControl(ctx: HandlerContext, ex: Exchange, repo: string | undefined, kind: string, model: string | undefined, action: string | undefined): Promise<HttpReply> {
  if (ex.req.method !== 'POST') return METHOD_NOT_ALLOWED();
  if (kind === 'index') {
    const body = await ctx.bodies.json(ex, 'registry index');
    const ready = body?.['ready'];
    if (ready !== undefined && typeof ready !== 'boolean') return errorReply("Invalid value for 'ready': expected a boolean", 400);
    return json(ctx.core.repositoryIndex(ready === true));
  }
  if (repo) return errorReply("'repository_name' specification is not supported", httpStatusOf('UNSUPPORTED'));
  const name = decodePart(model ?? '');
  return action === 'load' ? handleLoad(ctx, ex, name) : handleUnload(ctx, ex, name);
}

/** Shared memory cannot be registered with the lab: status lists no regions, register is refused. */
export function sharedMemory(method: string, action: string): HttpReply {
  if (action === 'status') {
    if (method !== 'GET') return METHOD_NOT_ALLOWED();
    return json([]);
  }
  if (method !== 'POST') return METHOD_NOT_ALLOWED();
  if (action === 'unregister') return EMPTY_OK();
  return errorReply('Shared memory feature is not supported by Model Lab; send tensor data in the request body instead', httpStatusOf('UNSUPPORTED'));
}
