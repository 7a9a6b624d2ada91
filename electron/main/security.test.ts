import { describe, expect, it, vi } from 'vitest';
import type { Session, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY, hardenContents, hardenSession, isAppUrl } from './security';
import { webPreferences } from './window';
import { repositoriesFromArgv } from './argv';

vi.mock('electron', () => ({ BrowserWindow: vi.fn() }));

describe('window security', () => {
  it('uses context isolation, a sandbox and no Node in the renderer', () => {
    const prefs = webPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true, webviewTag: false, preload: '/app/preload.cjs' });
  });

  it('only lets the window show the app itself', () => {
    expect(isAppUrl('file:///opt/app/out/renderer/index.html', 'file://')).toBe(true);
    expect(isAppUrl('https://example.com/', 'file://')).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isAppUrl('not a url', 'file://')).toBe(false);
  });

  it('denies new windows and navigation away, and webviews', () => {
    const on = new Map<string, (e: { preventDefault: () => void }, url?: string) => void>();
    let openHandler: (() => { action: string }) | undefined;
    const contents = {
      setWindowOpenHandler: (fn: () => { action: string }) => (openHandler = fn),
      on: (ev: string, fn: (e: { preventDefault: () => void }, url?: string) => void) => on.set(ev, fn),
    } as unknown as WebContents;
    hardenContents(contents, 'file://');
    expect(openHandler!()).toEqual({ action: 'deny' });
    const prevent = vi.fn();
    on.get('will-navigate')!({ preventDefault: prevent }, 'https://evil.example/');
    expect(prevent).toHaveBeenCalledTimes(1);
    on.get('will-navigate')!({ preventDefault: prevent }, 'file:///app/out/renderer/index.html');
    expect(prevent).toHaveBeenCalledTimes(1);
    on.get('will-attach-webview')!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalledTimes(2);
  });

  it('grants no permissions and sets a strict CSP on every response', () => {
    let permission: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let headers: ((d: { responseHeaders: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) | undefined;
    const session = {
      setPermissionRequestHandler: (fn: typeof permission) => (permission = fn),
      webRequest: { onHeadersReceived: (fn: typeof headers) => (headers = fn) },
    } as unknown as Session;
    hardenSession(session);
    const granted = vi.fn();
    permission!({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    const done = vi.fn();
    headers!({ responseHeaders: { a: ['b'] } }, done);
    expect(done).toHaveBeenCalledWith({ responseHeaders: { a: ['b'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
  });

  it('takes repository folders from the command line, skipping Electron arguments', () => {
    expect(repositoriesFromArgv(['/electron', '/app', '/repos/a', '--inspect', 'b'], false)).toEqual(['/repos/a', 'b']);
    expect(repositoriesFromArgv(['/Model Lab', '/repos/a'], true)).toEqual(['/repos/a']);
    expect(repositoriesFromArgv(['/electron', '.'], false)).toEqual([]);
  });
});
