/**
 * Triton's HTTP routes (http_server.cc's regexes): each path to its handler
 * and the restricted-API category Triton checks for it. The restriction is
 * checked first, before the method, as in every Triton handler.
 */
import { httpStatusOf } from '../../http-status';
import type { RestrictedCategory, Restrictions } from '../restricted';
import { type Exchange, HttpReply, METHOD_NOT_ALLOWED, decodePart, errorReply, json } from './exchange';
import { restrictedRefusal } from './guard';
import { type HandlerContext, handleControl, handleInfer, handleLogging, handleTrace, sharedMemory } from './handlers';

const MODEL_RE = /^\/v2\/models\/([^/]+)(?:\/versions\/([0-9]+))?(?:\/(infer|generate|generate_stream|ready|config|stats|trace\/setting))?$/;
const SERVER_RE = /^\/v2(?:\/health\/(live|ready))?$/;
const CONTROL_RE = /^\/v2\/repository(?:\/([^/]+))?\/(index|models\/([^/]+)\/(load|unload))$/;
const SHM_RE = /^\/v2\/(system|cuda)sharedmemory(?:\/region\/([^/]+))?\/(status|register|unregister)$/;

/** A route found: the restricted category it belongs to, and its handler. */
interface Route {
  category: RestrictedCategory;
  run: () => Promise<HttpReply> | HttpReply;
}

/** A route of /v2/models/<name>[/versions/<v>][/<kind>], with the restricted category Triton checks for it. */
function modelRoute(ctx: HandlerContext, ex: Exchange, m: RegExpExecArray): Route | undefined {
  const { core } = ctx;
  const method = ex.req.method ?? 'GET';
  const version = m[2];
  const model = (): string => decodePart(m[1]!);
  const get =
    (fn: () => HttpReply): (() => HttpReply) =>
    () =>
      method !== 'GET' ? METHOD_NOT_ALLOWED() : fn();
  switch (m[3] ?? '') {
    case 'ready':
      return { category: 'health', run: get(() => (core.modelReady(model(), version) ? new HttpReply(200) : errorReply('Model version not ready', 400))) };
    case 'infer':
      return { category: 'inference', run: () => handleInfer(ctx, ex, model(), version) };
    case 'generate':
    case 'generate_stream':
      return { category: 'inference', run: () => errorReply(`the generate extension is not supported by Model Lab; use /v2/models/${model()}/infer`, httpStatusOf('UNSUPPORTED')) };
    case 'config':
      return { category: 'model-config', run: get(() => json(core.modelConfig(model(), version))) };
    case 'stats':
      return { category: 'statistics', run: get(() => json(core.statistics(model(), version))) };
    case 'trace/setting':
      return version === undefined ? { category: 'trace', run: () => handleTrace(ctx, ex, model()) } : undefined;
    default:
      return { category: 'metadata', run: get(() => json(core.modelMetadata(model(), version))) };
  }
}

/** Finds the handler of a path and the restricted category it belongs to (undefined: Not Found). */
function resolve(ctx: HandlerContext, ex: Exchange, path: string): Route | undefined {
  const { core } = ctx;
  const method = ex.req.method ?? 'GET';
  const onlyGet = (fn: () => HttpReply) => () => (method !== 'GET' ? METHOD_NOT_ALLOWED() : fn());
  if (path === '/v2/models/stats') return { category: 'statistics', run: onlyGet(() => json(core.statistics())) };
  if (path === '/v2/logging') return { category: 'logging', run: () => handleLogging(ctx, ex) };
  const m = MODEL_RE.exec(path);
  const model = m ? modelRoute(ctx, ex, m) : undefined;
  if (model) return model;
  if (path === '/v2') return { category: 'metadata', run: onlyGet(() => json(core.serverMetadata())) };
  const s = SERVER_RE.exec(path);
  if (s) return { category: 'health', run: onlyGet(() => new HttpReply((s[1] === 'live' ? core.live() : core.ready()) ? 200 : 400)) };
  const shm = SHM_RE.exec(path);
  if (shm) return { category: 'shared-memory', run: () => sharedMemory(method, shm[3]!) };
  const c = CONTROL_RE.exec(path);
  if (c) return { category: 'model-repository', run: () => handleControl(ctx, ex, c[1], c[2]!.startsWith('models') ? 'models' : 'index', c[3], c[4]) };
  if (path === '/v2/trace/setting') return { category: 'trace', run: () => handleTrace(ctx, ex) };
  return undefined;
}

/** The reply to a request: Not Found, a restricted-API refusal, or what its handler answers (a thrown error propagates). */
export async function route(ctx: HandlerContext, restricted: Restrictions, ex: Exchange): Promise<HttpReply> {
  const found = resolve(ctx, ex, (ex.req.url ?? '/').split('?')[0]!);
  if (!found) return errorReply('Not Found', 404);
  // Triton checks the restriction first in every handler, before the method.
  const refused = restrictedRefusal(ex.req, restricted, found.category);
  if (refused) return errorReply(refused.message, refused.status);
  return found.run();
}
