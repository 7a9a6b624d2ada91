/**
 * The app's scheme handler against a real folder: only files inside the renderer folder come back,
 * whatever the URL smuggles (dot segments plain or encoded, encoded separators, backslashes, NUL,
 * absolute paths, links that point out); MIME types and the CSP header are set; only GET/HEAD.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_INDEX_URL, APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, appFileResponse, registerAppScheme, rendererUrl, resolveAppFile, serveApp } from './app-protocol';
import { mimeType } from '../server/mime';
import { CONTENT_SECURITY_POLICY, appOriginOf, isAppUrl } from './security';

vi.mock('electron', () => ({}));

let base: string;
let renderer: string;

beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'app-protocol-'));
  renderer = path.join(base, 'renderer');
  mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>lab</title>');
  writeFileSync(path.join(renderer, 'assets', 'index-1.js'), 'export const x = 1;');
  writeFileSync(path.join(renderer, 'assets', 'index-1.css'), 'body{}');
  writeFileSync(path.join(renderer, 'assets', 'name with space.svg'), '<svg/>');
  writeFileSync(path.join(base, 'secret.txt'), 'secret');
  mkdirSync(path.join(base, 'renderer-other'));
  writeFileSync(path.join(base, 'renderer-other', 'x.js'), 'secret');
  // Links: one to a file outside, one to a folder outside, one inside (allowed).
  symlinkSync(path.join(base, 'secret.txt'), path.join(renderer, 'assets', 'out.txt'));
  symlinkSync(base, path.join(renderer, 'up'));
  // A folder beside it whose name starts with the renderer folder's ('renderer-other').
  symlinkSync(path.join(base, 'renderer-other'), path.join(renderer, 'sibling'));
  symlinkSync(path.join(renderer, 'assets', 'index-1.js'), path.join(renderer, 'alias.js'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET'): Promise<Response> => appFileResponse(renderer, { url, method });

describe('the app scheme', () => {
  it('serves the bundle with its MIME types and the CSP header', async () => {
    const index = await get(APP_INDEX_URL);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<title>lab</title>');
    const js = await get(`${APP_ORIGIN}/assets/index-1.js?v=1#h`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('export const x = 1;');
    expect((await get(`${APP_ORIGIN}/assets/index-1.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await (await get(`${APP_ORIGIN}/assets/name%20with%20space.svg`)).text()).toBe('<svg/>');
    // The folder's root is index.html; a link that stays inside is followed.
    expect(await (await get(`${APP_ORIGIN}/`)).text()).toContain('lab');
    expect(await (await get(`${APP_ORIGIN}/alias.js`)).text()).toBe('export const x = 1;');
    expect(mimeType('a.WASM')).toBe('application/wasm');
    expect(mimeType('a.unknown')).toBe('application/octet-stream');
  });

  it('never leaves the renderer folder: dot segments, encoded dots and separators, NUL, drive letters', async () => {
    const attempts = [
      `${APP_ORIGIN}/%2e%2e/secret.txt`,
      `${APP_ORIGIN}/%2E%2E/secret.txt`,
      `${APP_ORIGIN}/.%2e/secret.txt`,
      `${APP_ORIGIN}/..%2fsecret.txt`,
      `${APP_ORIGIN}/assets/..%2f..%2fsecret.txt`,
      `${APP_ORIGIN}/..%5csecret.txt`,
      `${APP_ORIGIN}/%2e%2e%2f%2e%2e%2fsecret.txt`,
      `${APP_ORIGIN}/index.html%00.js`,
      `${APP_ORIGIN}/C:%5cWindows%5cwin.ini`,
      `${APP_ORIGIN}/%252e%252e/secret.txt`,
      `${APP_ORIGIN}/%E0%A4%A/x`,
    ];
    for (const url of attempts) {
      const r = await get(url);
      expect(r.status, url).toBeGreaterThanOrEqual(400);
      expect(await r.text(), url).not.toBe('secret');
    }
    // WHATWG URL parsing folds plain and %2e dot segments away before the handler sees the path:
    // what is left names a file inside the folder (absent here), never the one above it.
    for (const url of [`${APP_ORIGIN}/../secret.txt`, `${APP_ORIGIN}/assets/../../secret.txt`]) expect((await get(url)).status, url).toBe(404);
    // A sibling folder whose name starts like the renderer folder's.
    expect((await get(`${APP_ORIGIN}/..%2frenderer-other%2fx.js`)).status).toBe(403);
  });

  it('links that point out of the folder are refused (real path checked)', async () => {
    expect(await resolveAppFile(renderer, `${APP_ORIGIN}/assets/out.txt`)).toEqual({ ok: false, status: 403 });
    expect(await resolveAppFile(renderer, `${APP_ORIGIN}/up/secret.txt`)).toEqual({ ok: false, status: 403 });
    expect((await get(`${APP_ORIGIN}/up/secret.txt`)).status).toBe(403);
    expect(await resolveAppFile(renderer, `${APP_ORIGIN}/sibling/x.js`)).toEqual({ ok: false, status: 403 });
  });

  it('answers only its own host, GET and HEAD; folders and missing files are 404', async () => {
    expect((await get('model-lab://other/index.html')).status).toBe(400);
    expect((await get('https://app/index.html')).status).toBe(400);
    expect((await get(`${APP_ORIGIN}/assets`)).status).toBe(404);
    expect((await get(`${APP_ORIGIN}/nope.js`)).status).toBe(404);
    const post = await get(APP_INDEX_URL, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await get(APP_INDEX_URL, 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('is registered privileged before ready and handled on the default session after', async () => {
    const registerSchemesAsPrivileged = vi.fn();
    registerAppScheme({ registerSchemesAsPrivileged });
    expect(registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
    let handler: ((r: Request) => Promise<Response>) | undefined;
    serveApp({ handle: (scheme: string, fn: (r: Request) => Promise<Response>) => void (scheme === APP_SCHEME && (handler = fn)) } as never, renderer);
    const r = await handler!(new Request('https://placeholder/') as never).catch(() => undefined);
    expect(r?.status).toBe(400);
    expect(await (await handler!({ url: APP_INDEX_URL, method: 'GET' } as Request)).text()).toContain('lab');
  });
});

describe('what the window loads', () => {
  it('the dev server only while unpackaged (and only on loopback http), else the bundle on the app scheme', () => {
    const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173/' };
    expect(rendererUrl(false, env)).toBe('http://localhost:5173/');
    expect(rendererUrl(true, env)).toBe(APP_INDEX_URL);
    expect(rendererUrl(false, { ELECTRON_RENDERER_URL: 'https://evil.example/' })).toBe(APP_INDEX_URL);
    expect(rendererUrl(false, { ELECTRON_RENDERER_URL: 'file:///tmp/evil.html' })).toBe(APP_INDEX_URL);
    expect(rendererUrl(false, {})).toBe(APP_INDEX_URL);
    // The app's origin is what security.ts trusts.
    expect(appOriginOf(APP_INDEX_URL)).toBe(APP_ORIGIN);
    expect(isAppUrl(`${APP_ORIGIN}/assets/x.js`, appOriginOf(rendererUrl(true, env)))).toBe(true);
    expect(isAppUrl('http://localhost:5173/', appOriginOf(rendererUrl(true, env)))).toBe(false);
  });
});
