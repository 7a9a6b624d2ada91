/**
 * The lab API over HTTP, for browser mode: the built renderer as static
 * files, `POST /api/lab/<method>` with a JSON body, and `GET /api/events` as
 * server-sent events. Listens on loopback; requests must name this host
 * (no DNS rebinding) and come from this origin (no cross-site calls).
 */
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { LabEvent } from '../contract/lab-api';
import { LabError, toLabError } from '../engine/errors';
import type { Lab } from '../engine/lab';
import { dispatch, type LabHandlers } from '../engine/lab-handlers';
import { httpStatusOf } from './http-status';

/** Playground uploads (images as base64) ride in request bodies; the playground reads files up to 64 MiB. */
const MAX_BODY_BYTES = 96 * 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface LabHttpOptions {
  lab: Lab;
  handlers: LabHandlers;
  /** The built renderer (index.html and assets); omit to serve the API only. */
  staticDir?: string;
  host?: string;
  port?: number;
}

export interface LabHttpServer {
  server: http.Server;
  url: string;
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

export async function startLabHttpServer(opts: LabHttpOptions): Promise<LabHttpServer> {
  const { lab, handlers, staticDir } = opts;
  const host = opts.host ?? '127.0.0.1';
  const clients = new Set<http.ServerResponse>();
  let hosts = new Set<string>();

  const unsubscribe = lab.onEvent((ev: LabEvent) => {
    const data = `data: ${JSON.stringify(ev)}\n\n`;
    for (const c of clients) c.write(data);
  });

  const serveStatic = async (req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> => {
    if (!staticDir) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'no UI is served here' } });
    const rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
    const file = path.resolve(staticDir, '.' + rel);
    if (!file.startsWith(path.resolve(staticDir) + path.sep)) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } });
    const st = await fs.stat(file).catch(() => undefined);
    const target = st?.isFile() ? file : path.join(staticDir, 'index.html');
    const type = MIME[path.extname(target)] ?? 'application/octet-stream';
    res.writeHead(200, {
      'content-type': type,
      'cache-control': target.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(target).pipe(res);
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (!hosts.has(req.headers.host ?? '')) {
          return sendJson(res, 403, { error: { code: 'INVALID_ARG', message: `unexpected Host header '${req.headers.host ?? ''}'` } });
        }
        const origin = req.headers.origin;
        if (origin && !hosts.has(origin.replace(/^https?:\/\//, ''))) {
          return sendJson(res, 403, { error: { code: 'INVALID_ARG', message: `requests from '${origin}' are not allowed` } });
        }
        if (url.pathname === '/api/events' && req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
          res.write(': connected\n\n');
          clients.add(res);
          req.on('close', () => clients.delete(res));
          return;
        }
        const m = /^\/api\/lab\/([A-Za-z]+)$/.exec(url.pathname);
        if (m) {
          if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'INVALID_ARG', message: 'use POST' } });
          if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
            return sendJson(res, 415, { error: { code: 'INVALID_ARG', message: 'the request must be application/json' } });
          }
          const body = await readBody(req);
          return sendJson(res, 200, await dispatch(handlers, m[1]!, body));
        }
        if (url.pathname.startsWith('/api/')) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no API at ${url.pathname}` } });
        if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: { code: 'INVALID_ARG', message: 'method not allowed' } });
        return await serveStatic(req, res, url.pathname);
      } catch (err) {
        if (!res.headersSent) sendError(res, err);
        else res.end();
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port);
  const shownHost = host === '::1' ? '[::1]' : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    server,
    url: `http://${shownHost}:${port}/`,
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
