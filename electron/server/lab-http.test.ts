import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Lab } from '../engine/lab';
import { createLabHandlers } from '../engine/lab-handlers';
import { type LabHttpServer, startLabHttpServer } from './lab-http';
import { browserHost } from '../engine/testing/host';

let server: LabHttpServer;
let lab: Lab;
let staticDir: string;
let port: number;
const TOKEN = 'unit-test-token-0123456789abcdef';

/** Signed in (the per-port cookie) unless `auth: false`. */
function request(
  method: string,
  urlPath: string,
  opts: { body?: string; headers?: Record<string, string>; auth?: boolean } = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const cookie = opts.auth === false ? {} : { cookie: `other=1; model-lab-token-${port}=${TOKEN}` };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: { host: `127.0.0.1:${port}`, ...cookie, ...opts.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const call = (method: string, body: unknown) => request('POST', `/api/lab/${method}`, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

beforeAll(async () => {
  staticDir = mkdtempSync(path.join(os.tmpdir(), 'lab-static-'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>lab</title>');
  mkdirSync(path.join(staticDir, 'assets'));
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  lab = new Lab();
  const handlers = createLabHandlers(lab, {
    info: () => ({ mode: 'browser', appVersion: 'test', platform: process.platform, canPickFolder: false, samplesDir: path.resolve('sample-repos') }),
    pickFolder: () => Promise.resolve(null),
  });
  server = await startLabHttpServer({ lab, handlers, staticDir, token: TOKEN });
  port = Number(new URL(server.url).port);
});

afterAll(async () => {
  await server.close();
  lab.close();
  rmSync(staticDir, { recursive: true, force: true });
});

describe('lab API over HTTP', () => {
  it('listens on loopback', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('opens a repository and returns its models', async () => {
    const res = await call('openRepository', { path: path.resolve('sample-repos/quick_deploy_onnx') });
    expect(res.status).toBe(200);
    const info = JSON.parse(res.body) as { id: string; models: { name: string; state: string }[] };
    expect(info.models.map((m) => [m.name, m.state])).toEqual([['text_direction', 'READY']]);
    const detail = JSON.parse((await call('getModel', { repoId: info.id, model: 'text_direction' })).body) as { maxBatchSize: number; inputs: { fullShape: number[] }[] };
    expect(detail.maxBatchSize).toBe(4);
    expect(detail.inputs[0]!.fullShape).toEqual([-1, 3, -1, -1]);
  });

  it('maps errors to status codes with a code and a message', async () => {
    const missing = await call('openRepository', { path: '/no/such/dir' });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: { code: 'NOT_FOUND', message: "'/no/such/dir' does not exist" } });
    const bad = await call('openRepository', { path: 42 });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toBe("'path' must be a non-empty string");
    expect((await call('noSuchMethod', {})).status).toBe(404);
    const junk = await request('POST', '/api/lab/listRepositories', { body: '{nope', headers: { 'content-type': 'application/json' } });
    expect(junk.status).toBe(400);
    expect(JSON.parse(junk.body).error.message).toContain('not valid JSON');
  });

  it('refuses other hosts, other origins and non-JSON posts', async () => {
    expect((await request('GET', '/', { headers: { host: 'evil.example:80' } })).status).toBe(403);
    expect((await request('POST', '/api/lab/listRepositories', { body: '{}', headers: { 'content-type': 'application/json', origin: 'http://evil.example' } })).status).toBe(403);
    expect((await request('POST', '/api/lab/listRepositories', { body: '{}', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await request('GET', '/api/lab/listRepositories')).status).toBe(405);
    const sameOrigin = await request('POST', '/api/lab/listRepositories', { body: '{}', headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` } });
    expect(sameOrigin.status).toBe(200);
  });

  it('serves the renderer with a strict CSP, and never files outside it', async () => {
    const index = await request('GET', '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>lab</title>');
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect((await request('GET', '/assets/app.js')).headers['content-type']).toContain('javascript');
    const escape = await request('GET', '/../../etc/passwd');
    expect(escape.body).not.toContain('root:');
    // A link inside the static folder that leads out of it is not followed.
    symlinkSync('/etc/passwd', path.join(staticDir, 'assets', 'leak.js'));
    const linked = await request('GET', '/assets/leak.js');
    expect(linked.body).not.toContain('root:');
    expect(linked.body).toContain('<title>lab</title>');
  });

  it('streams lab events to subscribers', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/api/events', headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${TOKEN}` } }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          const m = /data: (.*)\n\n/.exec(buf);
          if (m) {
            resolve(m[1]!);
            req.destroy();
          }
        });
      });
      req.on('error', (e) => (String(e).includes('socket hang up') ? undefined : reject(e)));
      req.end();
    });
    await new Promise((r) => setTimeout(r, 50));
    await call('openRepository', { path: path.resolve('sample-repos/data_pipeline') });
    expect(JSON.parse(await received)).toMatchObject({ type: expect.any(String) });
  });
});

describe('the per-launch token', () => {
  const post = (headers: Record<string, string>) => request('POST', '/api/lab/listRepositories', { body: '{}', auth: false, headers: { 'content-type': 'application/json', ...headers } });

  it('is random and long when the host does not choose one, and printed in the sign-in address', async () => {
    const other = await startLabHttpServer({
      lab,
      handlers: createLabHandlers(lab, browserHost()),
    });
    const again = await startLabHttpServer({
      lab,
      handlers: createLabHandlers(lab, browserHost()),
    });
    try {
      expect(Buffer.from(other.token, 'base64url').length).toBeGreaterThanOrEqual(16);
      expect(other.token).not.toBe(again.token);
      expect(other.signInUrl).toBe(`${other.url}?token=${other.token}`);
    } finally {
      await Promise.all([other.close(), again.close()]);
    }
  });

  it('refuses every API call and the event stream without it (401 with a JSON error)', async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).toContain('Bearer');
    // The attack from the issue: read a file through a run and a tensor page, without credentials.
    const attack = await request('POST', '/api/lab/runModel', {
      auth: false,
      body: JSON.stringify({ repoId: 'x', model: 'y', inputs: [{ name: 'i', kind: 'bytes', dtype: 'UINT8', source: { path: '/etc/passwd' } }] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(attack.status).toBe(401);
    expect((await request('GET', '/api/events', { auth: false })).status).toBe(401);
    expect((await request('GET', '/api/nothing', { auth: false })).status).toBe(401);
    expect((await post({ cookie: `model-lab-token-${port}=wrong-token-0123456789abcdef` })).status).toBe(401);
    // Another port's cookie (another lab on this host) is not this one's.
    expect((await post({ cookie: `model-lab-token-${port + 1}=${TOKEN}` })).status).toBe(401);
    expect((await post({ authorization: 'Bearer nope' })).status).toBe(401);
    expect((await request('POST', `/api/lab/listRepositories?token=${TOKEN}`, { auth: false, body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
  });

  it('accepts the cookie or a bearer header', async () => {
    expect((await post({ cookie: `model-lab-token-${port}=${TOKEN}` })).status).toBe(200);
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it('trades ?token= for an HttpOnly SameSite=Strict cookie and sends the browser on without it', async () => {
    const res = await request('GET', `/models?x=1&token=${TOKEN}`, { auth: false });
    expect(res.status).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain(`model-lab-token-${port}=${TOKEN}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('http-equiv="refresh" content="0;url=/models?x=1"');
    expect(res.body).not.toContain(TOKEN);
    // Never to another site: '//evil.example/' is a path here.
    const twoSlashes = await request('GET', `//evil.example/?token=${TOKEN}`, { auth: false });
    expect(twoSlashes.body).toContain('url=/evil.example/"');
  });

  it('shows a page that says where the address is, instead of a broken app', async () => {
    const res = await request('GET', '/', { auth: false });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('?token=');
    expect(res.body).not.toContain('<title>lab</title>');
    const wrong = await request('GET', '/?token=from-an-earlier-start-0000', { auth: false });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.body).toContain('earlier');
  });

  it('still checks Host and Origin first', async () => {
    expect((await post({ host: 'evil.example:80', authorization: `Bearer ${TOKEN}` })).status).toBe(403);
    expect((await post({ origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` })).status).toBe(403);
  });
});

describe('malformed URLs', () => {
  it.each(['/%E0%A4%A', '/%zz', '/assets/%zz.js', '/api/lab/%zz', '/api/lab/list%E0%A4%ARepositories', '/api/events%zz'])('answers %s with 400 and a JSON error', async (p) => {
    for (const method of ['GET', 'POST']) {
      const res = await request(method, p, method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {});
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error).toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('malformed URL') });
    }
  });
});
