/**
 * The desktop start-up as index.ts wires it, with Electron faked: the app's scheme is registered before
 * ready and served after; a packaged app loads `model-lab://app/index.html` whatever
 * ELECTRON_RENDERER_URL says; a folder handed over by macOS `open-file` before ready joins the command
 * line's folders in the engine's `init` (so the samples are not opened too); the engine process starts
 * with the PATH the login shell printed; load failures reach a dialog.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  const listeners = new Map<string, ((...a: unknown[]) => void)[]>();
  let ready!: () => void;
  const readyPromise = new Promise<void>((r) => (ready = r));
  const windows: {
    loaded: string[];
    contents: Map<string, (...a: unknown[]) => void>;
  }[] = [];
  const forks: { sent: unknown[]; env: NodeJS.ProcessEnv }[] = [];
  return {
    listeners,
    ready: () => ready(),
    readyPromise,
    windows,
    forks,
    order: [] as string[],
  };
});

vi.mock('electron', () => {
  const on = (map: Map<string, (...a: unknown[]) => void>) => (ev: string, fn: (...a: unknown[]) => void) => void map.set(ev, fn);
  class BrowserWindow {
    readonly loaded: string[] = [];
    readonly contents = new Map<string, (...a: unknown[]) => void>();
    readonly webContents = {
      on: on(this.contents),
      once: vi.fn(),
      setWindowOpenHandler: vi.fn(),
      isDestroyed: () => false,
      send: vi.fn(),
    };
    constructor() {
      fake.windows.push(this);
      fake.order.push('window');
    }
    loadURL(url: string): Promise<void> {
      this.loaded.push(url);
      return Promise.resolve();
    }
    once(): void {}
    on(): void {}
    isDestroyed(): boolean {
      return false;
    }
    isVisible(): boolean {
      return false;
    }
    show(): void {}
    isMaximized(): boolean {
      return false;
    }
  }
  const session = {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
    webRequest: { onBeforeRequest: vi.fn(), onHeadersReceived: vi.fn() },
  };
  const area = { workArea: { x: 0, y: 0, width: 1920, height: 1080 } };
  return {
    app: {
      isPackaged: true,
      requestSingleInstanceLock: () => true,
      whenReady: () => fake.readyPromise,
      on: (ev: string, fn: (...a: unknown[]) => void) => fake.listeners.set(ev, [...(fake.listeners.get(ev) ?? []), fn]),
      getPath: () => os.tmpdir(),
      getVersion: () => '9.9.9',
      getLocale: () => 'en-US',
      getName: () => 'Model Lab',
      quit: vi.fn(),
    },
    protocol: {
      registerSchemesAsPrivileged: vi.fn(() => fake.order.push('register-scheme')),
      handle: vi.fn(() => fake.order.push('handle-scheme')),
    },
    BrowserWindow,
    dialog: {
      showMessageBox: vi.fn(async () => ({ response: 1 })),
      showOpenDialog: vi.fn(),
    },
    ipcMain: { handle: vi.fn() },
    Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn() },
    nativeTheme: {},
    safeStorage: { isEncryptionAvailable: () => false },
    screen: { getPrimaryDisplay: () => area, getAllDisplays: () => [area] },
    session: { defaultSession: session },
    shell: { openExternal: vi.fn() },
    utilityProcess: {
      fork: vi.fn(() => {
        const child = { sent: [] as unknown[], env: { ...process.env } };
        fake.forks.push(child);
        fake.order.push('fork');
        return {
          postMessage: (m: unknown) => child.sent.push(m),
          on: vi.fn(),
          once: vi.fn(),
          kill: vi.fn(),
        };
      }),
    },
  };
});

const dir = mkdtempSync(path.join(os.tmpdir(), 'index-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('desktop start-up (index.ts)', () => {
  it('scheme before ready, bundle from it, Dock folders with the command line, login PATH for the engine', async () => {
    const shell = path.join(dir, 'login-shell');
    writeFileSync(shell, '#!/bin/sh\nPATH="/opt/from-login-shell/bin:$PATH"; export PATH\n/bin/sh -c "$2"\n', { mode: 0o755 });
    const saved = {
      argv: process.argv,
      env: { ...process.env },
      resourcesPath: process.resourcesPath,
    };
    process.argv = ['/opt/Model Lab/model-lab', '/work/cli-folder'];
    process.env['ELECTRON_RENDERER_URL'] = 'http://localhost:5173/';
    process.env['SHELL'] = shell;
    process.env['PATH'] = '/usr/bin:/bin';
    Object.defineProperty(process, 'resourcesPath', {
      value: dir,
      configurable: true,
    });
    try {
      await import('./index');
      const electron = await import('electron');
      expect(fake.order).toEqual(['register-scheme']);
      expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([expect.objectContaining({ scheme: 'model-lab' })]);
      // macOS hands a Dock-dropped folder over before ready.
      for (const fn of fake.listeners.get('open-file') ?? []) fn({ preventDefault: vi.fn() }, '/Users/u/dropped');
      fake.ready();
      await vi.waitFor(() => expect(fake.forks).toHaveLength(1), {
        timeout: 10_000,
      });
      expect(fake.order).toEqual(['register-scheme', 'handle-scheme', 'window', 'fork']);
      expect(electron.protocol.handle).toHaveBeenCalledWith('model-lab', expect.any(Function));
      // Packaged: the dev server variable is ignored.
      expect(fake.windows[0]!.loaded).toEqual(['model-lab://app/index.html']);
      const init = fake.forks[0]!.sent[0] as {
        t: string;
        options: { given: string[] };
      };
      expect(init.t).toBe('init');
      expect(init.options.given).toEqual(['/work/cli-folder', '/Users/u/dropped']);
      expect(fake.forks[0]!.env['PATH']).toBe('/opt/from-login-shell/bin:/usr/bin:/bin');
      // A page that fails to load is reported in a dialog (Quit chosen here).
      fake.windows[0]!.contents.get('did-fail-load')!({}, -6, 'ERR_FILE_NOT_FOUND', 'model-lab://app/index.html', true);
      await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalled());
    } finally {
      process.argv = saved.argv;
      process.env = saved.env;
      Object.defineProperty(process, 'resourcesPath', {
        value: saved.resourcesPath,
        configurable: true,
      });
    }
  });
});
