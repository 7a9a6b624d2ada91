/**
 * The lab API over HTTP, for browser mode: the built renderer as static
 * files, `POST /api/lab/<method>` with a JSON body, and `GET /api/events` as
 * server-sent events. Listens on loopback; requests must name this host
 * (no DNS rebinding), come from this origin (no cross-site calls) and carry
 * this launch's token (`lab-auth.ts`: no other local process or user).
 */
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { LabEvent } from '../contract/lab-api';
import { LabError, toLabError } from '../engine/errors';
import type { Lab } from '../engine/lab';
import { dispatch, type LabHandlers } from '../engine/lab-handlers';
import { isInside, realPath } from '../engine/util/real-path';
import { httpStatusOf } from './http-status';
import { mimeType } from './mime';
import { LabAuth, newToken, sameToken, signedInPage, signInPage } from './lab-auth';

/** Playground uploads (images as base64) ride in request bodies; the playground reads files up to 64 MiB. */
const MAX_BODY_BYTES = 96 * 1024 * 1024;

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface LabHttpOptions {
  lab: Lab;
  handlers: LabHandlers;
  /** The built renderer (index.html and assets); omit to serve the API only. */
  staticDir?: string;
  host?: string;
  port?: number;
  /** This launch's secret (`lab-auth.ts`); a fresh random one when omitted. */
  token?: string;
}

export interface LabHttpServer {
  server: http.Server;
  /** The address without the token. */
  url: string;
  /** The address that signs a browser in (`?token=`): print it, open it, never log it elsewhere. */
  signInUrl: string;
  token: string;
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(data), 'cache-control': 'no-store' });
  res.end(data);
}

function sendError(res: http.ServerResponse, err: unknown): void {
  const e = toLabError(err);
  sendJson(res, httpStatusOf(e.code), { error: { code: e.code, message: e.message } });
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new LabError('INVALID_ARG', `request body too large (the limit is ${MAX_BODY_BYTES / 2 ** 20} MiB)`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new LabError('INVALID_ARG', 'the request body is not valid JSON');
  }
}

function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

const PAGE_HEADERS = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

function sendHtml(res: http.ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store', ...PAGE_HEADERS, ...headers });
  res.end(html);
}

/** The request's URL and its percent-decoded path; a malformed escape (`%zz`, a cut UTF-8 sequence) is the client's mistake. */
export function requestPath(raw: string | undefined): { url: URL; pathname: string } {
  const target = raw ?? '/';
  if (!target.startsWith('/')) throw new LabError('INVALID_ARG', 'the request target must be a path');
  // Appended, never resolved against a base: '//host/x' stays a path on this server.
  const url = new URL(`http://localhost${target}`);
  try {
    return { url, pathname: decodeURIComponent(url.pathname) };
  } catch {
    throw new LabError('INVALID_ARG', `malformed URL: '${url.pathname.slice(0, 200)}' is not valid percent-encoding`);
  }
}

/** Inside `dir` after links are followed (the static folder is ours, but checked the same way as everything else). */
async function staysInside(dir: string, file: string): Promise<boolean> {
  const [realDir, real] = await Promise.all([realPath(dir), realPath(file)]);
  return realDir !== undefined && real !== undefined && isInside(realDir, real);
}

async function serveStatic(staticDir: string | undefined, req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> {
  if (!staticDir) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'no UI is served here' } });
  const rel = pathname === '/' ? '/index.html' : pathname;
  const file = path.resolve(staticDir, '.' + rel);
  if (!file.startsWith(path.resolve(staticDir) + path.sep)) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } });
  const st = await fs.stat(file).catch(() => undefined);
  const target = st?.isFile() && (await staysInside(staticDir, file)) ? file : path.join(staticDir, 'index.html');
  const type = mimeType(target);
  res.writeHead(200, {
    'content-type': type,
    'cache-control': target.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...PAGE_HEADERS,
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(target).pipe(res);
}

/** `?token=` on a page address: the cookie and the same address without the token, or the sign-in page. */
function signIn(auth: LabAuth, res: http.ServerResponse, url: URL, token: string): void {
  if (!sameToken(token, auth.token)) return sendHtml(res, 401, signInPage('wrong'));
  url.searchParams.delete('token');
  // One leading slash: '//host/' would send the browser to another site.
  const target = `/${url.pathname.replace(/^\/+/, '')}${url.search}`;
  sendHtml(res, 200, signedInPage(target), { 'set-cookie': auth.setCookieHeader() });
}

function refuse(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void {
  if (!pathname.startsWith('/api/') && (req.method === 'GET' || req.method === 'HEAD')) return sendHtml(res, 401, signInPage('missing'), { 'www-authenticate': 'Bearer realm="model-lab"' });
  res.setHeader('www-authenticate', 'Bearer realm="model-lab"');
  sendJson(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'this lab needs its token: open the address it printed when it started (…/?token=…), or send Authorization: Bearer <token>' } });
}

export async function startLabHttpServer(opts: LabHttpOptions): Promise<LabHttpServer> {
  const { lab, handlers, staticDir } = opts;
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const clients = new Set<http.ServerResponse>();
  let hosts = new Set<string>();
  let auth = new LabAuth(token, 0);

  const unsubscribe = lab.onEvent((ev: LabEvent) => {
    const data = `data: ${JSON.stringify(ev)}\n\n`;
    for (const c of clients) c.write(data);
  });

  const events = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
  };

  const api = async (req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> => {
    if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'INVALID_ARG', message: 'use POST' } });
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return sendJson(res, 415, { error: { code: 'INVALID_ARG', message: 'the request must be application/json' } });
    }
    const body = await readBody(req);
    sendJson(res, 200, await dispatch(handlers, method, body));
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (!hosts.has(req.headers.host ?? '')) {
      return sendJson(res, 403, { error: { code: 'INVALID_ARG', message: `unexpected Host header '${req.headers.host ?? ''}'` } });
    }
    const origin = req.headers.origin;
    if (origin && !hosts.has(origin.replace(/^https?:\/\//, ''))) {
      return sendJson(res, 403, { error: { code: 'INVALID_ARG', message: `requests from '${origin}' are not allowed` } });
    }
    const { url, pathname } = requestPath(req.url);
    const given = url.searchParams.get('token');
    if (given !== null && !pathname.startsWith('/api/') && req.method === 'GET') return signIn(auth, res, url, given);
    if (!auth.allows(req)) return refuse(req, res, pathname);
    if (pathname === '/api/events' && req.method === 'GET') return events(req, res);
    const m = /^\/api\/lab\/([A-Za-z]+)$/.exec(pathname);
    if (m) return api(req, res, m[1]!);
    if (pathname.startsWith('/api/')) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no API at ${pathname}` } });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: { code: 'INVALID_ARG', message: 'method not allowed' } });
    return serveStatic(staticDir, req, res, pathname);
  };

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, err);
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port);
  auth = new LabAuth(token, port);
  const shownHost = host === '::1' ? '[::1]' : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${shownHost}:${port}/`;
  return {
    server,
    url,
    signInUrl: `${url}?token=${encodeURIComponent(token)}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const c of clients) c.end();
        clients.clear();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
