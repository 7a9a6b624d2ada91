import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { Session, WebContents } from 'electron';
import { appOriginOf, CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_META, hardenContents, hardenSession, isAllowedRequest, isAppUrl } from './security';

vi.mock('electron', () => ({}));

type Nav = { url: string; preventDefault: () => void };

type OpenHandler = (d: { url: string }) => { action: string };

function fakeContents(): { contents: WebContents; on: Map<string, (e: Nav) => void>; openHandler: OpenHandler } {
  const on = new Map<string, (e: Nav) => void>();
  const holder: { openHandler: OpenHandler } = { openHandler: () => ({ action: 'allow' }) };
  const contents = {
    setWindowOpenHandler: (fn: OpenHandler) => (holder.openHandler = fn),
    on: (ev: string, fn: (e: Nav) => void) => on.set(ev, fn),
  } as unknown as WebContents;
  return {
    contents,
    on,
    get openHandler() {
      return holder.openHandler;
    },
  };
}

type PermissionRequest = (wc: unknown, p: string, cb: (ok: boolean) => void, details: { requestingUrl: string }) => void;
type PermissionCheck = (wc: unknown, p: string, origin: string) => boolean;
type BeforeRequest = (d: { url: string }, cb: (r: { cancel?: boolean }) => void) => void;
type HeadersReceived = (d: { url: string; responseHeaders: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void;

function fakeSession(): { session: Session; h: { request?: PermissionRequest; check?: PermissionCheck; device?: () => boolean; before?: BeforeRequest; headers?: HeadersReceived } } {
  const h: { request?: PermissionRequest; check?: PermissionCheck; device?: () => boolean; before?: BeforeRequest; headers?: HeadersReceived } = {};
  const session = {
    setPermissionRequestHandler: (fn: PermissionRequest) => (h.request = fn),
    setPermissionCheckHandler: (fn: PermissionCheck) => (h.check = fn),
    setDevicePermissionHandler: (fn: () => boolean) => (h.device = fn),
    webRequest: { onBeforeRequest: (fn: BeforeRequest) => (h.before = fn), onHeadersReceived: (fn: HeadersReceived) => (h.headers = fn) },
  } as unknown as Session;
  return { session, h };
}

describe('what the window may show', () => {
  const APP = 'model-lab://app';

  it('only the app itself: the bundle on its own scheme, or the dev server', () => {
    expect(isAppUrl('model-lab://app/index.html', APP)).toBe(true);
    expect(isAppUrl('model-lab://app/assets/index.js?x#y', APP)).toBe(true);
    expect(isAppUrl('model-lab://other/index.html', APP)).toBe(false);
    expect(isAppUrl('other-scheme://app/index.html', APP)).toBe(false);
    expect(isAppUrl('https://example.com/', APP)).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isAppUrl('not a url', APP)).toBe(false);
    expect(appOriginOf('model-lab://app/index.html')).toBe(APP);
    expect(appOriginOf('http://localhost:5173/')).toBe('http://localhost:5173');
  });

  it('file: is never the app: not the bundle folder, not any local page, whatever origin is passed', () => {
    for (const origin of [APP, 'http://localhost:5173', 'file://']) {
      expect(isAppUrl('file:///opt/app/out/renderer/index.html', origin), origin).toBe(false);
      expect(isAppUrl('file:///home/u/Downloads/evil.html', origin), origin).toBe(false);
      expect(isAllowedRequest('file:///opt/app/out/renderer/assets/index.js', origin), origin).toBe(false);
    }
    expect(() => appOriginOf('/opt/app/out/renderer/index.html')).toThrow();
    expect(() => appOriginOf('file:///opt/app/out/renderer/index.html')).toThrow(/not an app URL/);
  });

  it('no remote request ever leaves the built app; the dev server (and its HMR socket) in development', () => {
    for (const url of ['https://cdn.example/x.js', 'http://127.0.0.1:8000/v2', 'ws://evil.example/', 'ws://app/', 'ftp://x/', 'file:///etc/passwd', 'model-lab://evil/x.js'])
      expect(isAllowedRequest(url, APP), url).toBe(false);
    for (const url of ['model-lab://app/assets/index.js', 'data:image/png;base64,AAAA', 'blob:model-lab://app/1234', 'devtools://devtools/bundled/x.js'])
      expect(isAllowedRequest(url, APP), url).toBe(true);
    expect(isAllowedRequest('http://localhost:5173/@vite/client', 'http://localhost:5173')).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isAllowedRequest('ws://localhost:9999/', 'http://localhost:5173')).toBe(false);
    expect(isAllowedRequest('https://example.com/', 'http://localhost:5173')).toBe(false);
    expect(isAllowedRequest('file:///etc/passwd', 'http://localhost:5173')).toBe(false);
    expect(isAllowedRequest('model-lab://app/index.html', 'http://localhost:5173')).toBe(false);
    expect(isAllowedRequest('::', APP)).toBe(false);
  });
});

describe('web contents', () => {
  it('denies new windows, navigation and redirects away from the app, and webviews', () => {
    const f = fakeContents();
    const external = vi.fn();
    hardenContents(f.contents, 'model-lab://app', external);
    expect(f.openHandler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    // A page on this machine (Open in Netron) goes to the system browser; the window is still denied.
    expect(f.openHandler({ url: 'http://127.0.0.1:8123/' })).toEqual({ action: 'deny' });
    expect(f.openHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(external.mock.calls).toEqual([['http://127.0.0.1:8123/']]);
    for (const ev of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const prevent = vi.fn();
      f.on.get(ev)!({ url: 'https://evil.example/', preventDefault: prevent });
      f.on.get(ev)!({ url: 'file:///app/out/renderer/index.html', preventDefault: prevent });
      f.on.get(ev)!({ url: 'model-lab://app/index.html', preventDefault: prevent });
      expect(prevent, ev).toHaveBeenCalledTimes(2);
    }
    const prevent = vi.fn();
    f.on.get('will-attach-webview')!({ url: '', preventDefault: prevent });
    expect(prevent).toHaveBeenCalledTimes(1);
  });

  it('in development, only the dev server is an app page', () => {
    const f = fakeContents();
    hardenContents(f.contents, 'http://localhost:5173');
    const prevent = vi.fn();
    f.on.get('will-navigate')!({ url: 'http://localhost:5173/#/x', preventDefault: prevent });
    expect(prevent).not.toHaveBeenCalled();
    f.on.get('will-navigate')!({ url: 'file:///etc/passwd', preventDefault: prevent });
    expect(prevent).toHaveBeenCalledTimes(1);
  });
});

describe('session', () => {
  it('grants no permission, except clipboard writes from the app itself', () => {
    const { session, h } = fakeSession();
    hardenSession(session, 'model-lab://app');
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'fileSystem', 'clipboard-read']) {
      const cb = vi.fn();
      h.request!({}, p, cb, { requestingUrl: 'model-lab://app/index.html' });
      expect(cb, p).toHaveBeenCalledWith(false);
      expect(h.check!({}, p, 'model-lab://app'), p).toBe(false);
    }
    const cb = vi.fn();
    h.request!({}, 'clipboard-sanitized-write', cb, { requestingUrl: 'model-lab://app/index.html' });
    expect(cb).toHaveBeenCalledWith(true);
    const foreign = vi.fn();
    h.request!({}, 'clipboard-sanitized-write', foreign, { requestingUrl: 'https://evil.example/' });
    expect(foreign).toHaveBeenCalledWith(false);
    expect(h.check!({}, 'clipboard-sanitized-write', 'model-lab://app')).toBe(true);
    expect(h.check!({}, 'clipboard-sanitized-write', 'file:///')).toBe(false);
    expect(h.check!({}, 'clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    expect(h.device!()).toBe(false);
  });

  it('cancels remote requests', () => {
    const { session, h } = fakeSession();
    hardenSession(session, 'model-lab://app');
    const cb = vi.fn();
    h.before!({ url: 'https://tracker.example/p.gif' }, cb);
    h.before!({ url: 'model-lab://app/assets/a.js' }, cb);
    h.before!({ url: 'file:///app/out/renderer/assets/a.js' }, cb);
    expect(cb.mock.calls).toEqual([[{ cancel: true }], [{ cancel: false }], [{ cancel: true }]]);
  });

  it("sets the CSP header on the app's own responses and leaves others alone", () => {
    const { session, h } = fakeSession();
    hardenSession(session, 'http://localhost:5173');
    const done = vi.fn();
    h.headers!({ url: 'http://localhost:5173/', responseHeaders: { a: ['b'] } }, done);
    expect(done).toHaveBeenLastCalledWith({ responseHeaders: { a: ['b'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    h.headers!({ url: 'devtools://devtools/x', responseHeaders: {} }, done);
    expect(done).toHaveBeenLastCalledWith({});
  });
});

describe('content security policy', () => {
  const directives = (csp: string): Map<string, string> =>
    new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k!, v.join(' ')]),
    );

  it('allows only the app: no inline or eval script, no remote host, images from data: and blob:', () => {
    const d = directives(CONTENT_SECURITY_POLICY);
    expect(d.get('default-src')).toBe("'self'");
    expect(d.get('script-src')).toBe("'self'");
    expect(d.get('img-src')).toBe("'self' data: blob:");
    expect(d.get('connect-src')).toBe("'self'");
    expect(d.get('object-src')).toBe("'none'");
    expect(d.get('frame-src')).toBe("'none'");
    expect(d.get('base-uri')).toBe("'none'");
    expect(d.get('form-action')).toBe("'none'");
    expect(d.get('frame-ancestors')).toBe("'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/);
    expect(d.get('script-src')).not.toContain('unsafe-inline');
  });

  it('renderer/index.html carries the same policy in its <meta> (the dev server sends no header)', () => {
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CONTENT_SECURITY_POLICY_META);
    // Nothing inline for script-src 'self' to block.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
