/**
 * The built renderer is served from the app's own privileged scheme,
 * `model-lab://app/…`, instead of `file:` (Electron's security checklist:
 * "use a custom protocol instead of file://"). With `file:`, every local page
 * the window could reach had the same origin as the app, so it would have got
 * the lab API; now only `model-lab://app` (or, unpackaged, the dev server) is
 * the app (`security.ts`), and this handler answers only for files inside the
 * renderer folder: the path is decoded once, `..` and separators smuggled in
 * encoded form are refused, and the real path (links followed) must still lie
 * inside the folder's real path. Responses carry the CSP header and their MIME
 * type (module scripts need a JavaScript type to run).
 *
 * `registerAppScheme` must run before the app is ready; `serveApp` after.
 * Pure parts (`resolveAppFile`, `appFileResponse`) are tested without Electron.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { isInside } from '../engine/util/real-path';
import { mimeType } from '../server/mime';
import { CONTENT_SECURITY_POLICY, isLoopbackHttp } from './security';

export const APP_SCHEME = 'model-lab';
export const APP_HOST = 'app';
/** The app's origin as `security.ts` compares it (scheme://host). */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads when it is not pointed at a dev server. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * Standard: relative URLs, origins and storage work as on http. Secure: a
 * secure context (clipboard). Fetch and CORS mode: module scripts and the
 * graph layout's module worker are fetched in CORS mode (same origin; no
 * Access-Control header is ever sent, so no other origin can read a file).
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } as const;

export type AppFile = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404 };

/** The URL's path as folder-relative segments; undefined when a segment is not a plain name. */
function pathSegments(pathname: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // Encoded separators, dot segments, NUL and drive letters never name a file in the bundle.
    if (seg === '.' || seg === '..' || /[/\\\0]/.test(seg) || /^[a-zA-Z]:/.test(seg)) return undefined;
    segments.push(seg);
  }
  return segments;
}

/**
 * The file a `model-lab://app/...` URL names inside `rendererDir`: 400 for another host or a path
 * that does not parse, 403 for one that leaves the folder (also through a link), 404 for no file.
 */
export async function resolveAppFile(rendererDir: string, url: string): Promise<AppFile> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, status: 400 };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return { ok: false, status: 400 };
  const segments = pathSegments(u.pathname);
  if (!segments) return { ok: false, status: 403 };
  const root = path.resolve(rendererDir);
  const candidate = path.join(root, ...(segments.length ? segments : ['index.html']));
  if (!isInside(root, candidate)) return { ok: false, status: 403 };
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return { ok: false, status: 404 };
  }
  if (!isInside(await realpath(root), real)) return { ok: false, status: 403 };
  const info = await stat(real);
  return info.isFile() ? { ok: true, file: real } : { ok: false, status: 404 };
}

const TEXT: Record<400 | 403 | 404 | 405, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed' };

/** The response for one request to the app's scheme (GET and HEAD only). */
export async function appFileResponse(rendererDir: string, request: Pick<Request, 'url' | 'method'>): Promise<Response> {
  const headers = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' };
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(TEXT[405], { status: 405, headers: { ...headers, Allow: 'GET, HEAD' } });
  const found = await resolveAppFile(rendererDir, request.url);
  if (!found.ok) return new Response(TEXT[found.status], { status: found.status, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } });
  const body = request.method === 'HEAD' ? null : await readFile(found.file);
  return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': mimeType(found.file), 'Cache-Control': 'no-cache' } });
}

/** Before `ready`: the scheme is standard and secure (Electron allows this call once, before ready). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

/** After `ready`: the default session answers the scheme from `rendererDir` only. */
export function serveApp(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => appFileResponse(rendererDir, request));
}

/**
 * What the window loads: the dev server named by ELECTRON_RENDERER_URL only while developing
 * (electron-vite sets it to a loopback http address; a packaged app never honours it, so no
 * environment variable can point the lab API at another page), else the bundle on the app's scheme.
 */
export function rendererUrl(packaged: boolean, env: NodeJS.ProcessEnv): string {
  const dev = env['ELECTRON_RENDERER_URL'];
  if (!packaged && dev && isLoopbackHttp(dev)) return dev;
  return APP_INDEX_URL;
}
