import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

const created: FakeWindow[] = [];

class FakeWindow {
  readonly options: unknown;
  readonly onceHandlers = new Map<string, () => void>();
  readonly loaded: string[] = [];
  maximized = false;
  shown = false;
  readonly navHandlers = new Map<string, unknown>();
  openHandler: ((d: { url: string }) => unknown) | undefined;
  readonly webContents = {
    setWindowOpenHandler: (fn: (d: { url: string }) => unknown) => (this.openHandler = fn),
    on: (ev: string, fn: unknown) => this.navHandlers.set(ev, fn),
  };
  constructor(options: unknown) {
    this.options = options;
    created.push(this);
  }
  once(ev: string, fn: () => void): this {
    this.onceHandlers.set(ev, fn);
    return this;
  }
  loadFile(p: string): Promise<void> {
    this.loaded.push(`file:${p}`);
    return Promise.resolve();
  }
  loadURL(u: string): Promise<void> {
    this.loaded.push(`url:${u}`);
    return Promise.resolve();
  }
  maximize(): void {
    this.maximized = true;
  }
  show(): void {
    this.shown = true;
  }
}

vi.mock('electron', () => ({ BrowserWindow: FakeWindow, shell: { openExternal: vi.fn(async () => undefined) } }));

const { browserWindowOptions, createLabWindow, webPreferences } = await import('./window');

describe('the lab window', () => {
  it('has every security flag of the checklist set', () => {
    const prefs = webPreferences('/app/out/preload/index.cjs', false);
    expect(prefs).toEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: false,
    });
    // The remote module is gone from Electron (14+) and never asked for.
    expect(prefs).not.toHaveProperty('enableRemoteModule');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies?: object; devDependencies?: object };
    expect(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })).not.toContain('@electron/remote');
    expect(webPreferences('/p.cjs', true).devTools).toBe(true);
  });

  it('opens where it was last time, or centred when the position is unknown', () => {
    const base = { preload: '/p.cjs', renderer: '/r/index.html', dev: false };
    expect(browserWindowOptions({ ...base, state: { x: 10, y: 20, width: 1000, height: 700, maximized: false } })).toMatchObject({
      x: 10,
      y: 20,
      width: 1000,
      height: 700,
      minWidth: 900,
      minHeight: 600,
      show: false,
    });
    const centred = browserWindowOptions({ ...base, state: { width: 1400, height: 900, maximized: true } });
    expect(centred).not.toHaveProperty('x');
    expect(centred).not.toHaveProperty('y');
  });

  it('is hardened before it loads the bundle, and maximizes when it was maximized', () => {
    createLabWindow({ preload: '/p.cjs', renderer: '/app/out/renderer/index.html', dev: false, state: { width: 1400, height: 900, maximized: true } });
    const win = created.at(-1)!;
    expect(win.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect([...win.navHandlers.keys()].sort()).toEqual(['will-attach-webview', 'will-frame-navigate', 'will-navigate', 'will-redirect']);
    expect(win.loaded).toEqual(['file:/app/out/renderer/index.html']);
    win.onceHandlers.get('ready-to-show')!();
    expect(win.maximized).toBe(true);
    expect(win.shown).toBe(true);
  });

  it('loads the dev server by URL and treats only it as the app', () => {
    createLabWindow({ preload: '/p.cjs', renderer: 'http://localhost:5173/', dev: true, state: { width: 1400, height: 900, maximized: false } });
    const win = created.at(-1)!;
    expect(win.loaded).toEqual(['url:http://localhost:5173/']);
    const prevent = vi.fn();
    (win.navHandlers.get('will-navigate') as (e: { url: string; preventDefault: () => void }) => void)({ url: 'file:///x', preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
  });
});
