import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

const created: FakeWindow[] = [];

class FakeWindow {
  readonly options: unknown;
  readonly onceHandlers = new Map<string, () => void>();
  readonly loaded: string[] = [];
  maximized = false;
  shown = false;
  destroyed = false;
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
    const before = this.onceHandlers.get(ev);
    this.onceHandlers.set(ev, before ? () => (before(), fn()) : fn);
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
  isVisible(): boolean {
    return this.shown;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

const dialogs: { message: string; detail: string; buttons: string[] }[] = [];
const answer = { response: 0 };
const quit = vi.fn();

vi.mock('electron', () => ({
  BrowserWindow: FakeWindow,
  shell: { openExternal: vi.fn(async () => undefined) },
  app: { quit },
  dialog: {
    showMessageBox: vi.fn(async (_win: unknown, opts: { message: string; detail: string; buttons: string[] }) => {
      dialogs.push(opts);
      return { response: answer.response };
    }),
  },
}));

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
    const base = { preload: '/p.cjs', renderer: 'model-lab://app/index.html', dev: false };
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

  it('is hardened before it loads the bundle from the app scheme, and maximizes when it was maximized', () => {
    createLabWindow({ preload: '/p.cjs', renderer: 'model-lab://app/index.html', dev: false, state: { width: 1400, height: 900, maximized: true } });
    const win = created.at(-1)!;
    expect(win.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect([...win.navHandlers.keys()].sort()).toEqual(['did-fail-load', 'did-navigate', 'render-process-gone', 'will-attach-webview', 'will-frame-navigate', 'will-navigate', 'will-redirect']);
    expect(win.loaded).toEqual(['url:model-lab://app/index.html']);
    // A file: page is not the app any more.
    const prevent = vi.fn();
    (win.navHandlers.get('will-navigate') as (e: { url: string; preventDefault: () => void }) => void)({ url: 'file:///app/out/renderer/index.html', preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
    win.onceHandlers.get('ready-to-show')!();
    expect(win.maximized).toBe(true);
    expect(win.shown).toBe(true);
  });

  it('a load that fails shows the window and asks Reload or Quit; Reload loads the app again', async () => {
    dialogs.length = 0;
    createLabWindow({ preload: '/p.cjs', renderer: 'model-lab://app/index.html', dev: false, state: { width: 1400, height: 900, maximized: false }, problems: { log: () => undefined } });
    const win = created.at(-1)!;
    const failLoad = win.navHandlers.get('did-fail-load') as (e: unknown, code: number, d: string, url: string, main: boolean) => void;
    // An aborted load (replaced by another) and a failed subframe are not failures of the window.
    failLoad({}, -3, 'ERR_ABORTED', 'model-lab://app/index.html', true);
    failLoad({}, -6, 'ERR_FILE_NOT_FOUND', 'model-lab://app/x.html', false);
    expect(win.shown).toBe(false);
    answer.response = 0;
    failLoad({}, -6, 'ERR_FILE_NOT_FOUND', 'model-lab://app/index.html', true);
    expect(win.shown).toBe(true);
    await vi.waitFor(() => expect(win.loaded).toHaveLength(2));
    expect(dialogs).toEqual([
      expect.objectContaining({ message: 'The lab window could not load.', detail: 'Loading model-lab://app/index.html failed: ERR_FILE_NOT_FOUND (error -6).', buttons: ['Reload', 'Quit'] }),
    ]);
    expect(win.loaded).toEqual(['url:model-lab://app/index.html', 'url:model-lab://app/index.html']);
  });

  it('a renderer that dies is reported (Quit quits); a clean exit is not', async () => {
    dialogs.length = 0;
    quit.mockClear();
    createLabWindow({ preload: '/p.cjs', renderer: 'model-lab://app/index.html', dev: false, state: { width: 1400, height: 900, maximized: false }, problems: { log: () => undefined } });
    const win = created.at(-1)!;
    const gone = win.navHandlers.get('render-process-gone') as (e: unknown, d: { reason: string; exitCode: number }) => void;
    gone({}, { reason: 'clean-exit', exitCode: 0 });
    expect(dialogs).toHaveLength(0);
    answer.response = 1;
    gone({}, { reason: 'crashed', exitCode: 139 });
    await vi.waitFor(() => expect(quit).toHaveBeenCalledTimes(1));
    expect(dialogs[0]).toMatchObject({ message: 'The lab window stopped unexpectedly.', detail: expect.stringContaining('crashed (exit code 139)') });
    expect(win.shown).toBe(true);
    expect(win.loaded).toHaveLength(1);
  });

  it('shows the window anyway when ready-to-show never comes', () => {
    vi.useFakeTimers();
    try {
      const log = vi.fn();
      createLabWindow({ preload: '/p.cjs', renderer: 'model-lab://app/index.html', dev: false, state: { width: 1400, height: 900, maximized: false }, problems: { log, showAfterMs: 5000 } });
      const win = created.at(-1)!;
      vi.advanceTimersByTime(4999);
      expect(win.shown).toBe(false);
      vi.advanceTimersByTime(1);
      expect(win.shown).toBe(true);
      expect(log).toHaveBeenCalledWith(expect.stringContaining('showing it anyway'));
    } finally {
      vi.useRealTimers();
    }
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
