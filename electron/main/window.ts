/**
 * The lab window: context isolation, sandboxed renderer, the preload as its
 * only bridge. It loads the app's URL (`model-lab://app/index.html`, or the dev
 * server while developing: `app-protocol.ts`), never a file: page. It is shown
 * on `ready-to-show`, and also when loading fails, the renderer dies, or
 * `ready-to-show` never comes (`load-problems.ts`: a dialog offers Reload/Quit).
 */
import { app, BrowserWindow, dialog, shell } from 'electron';
import { type LoadWatchOptions, watchLoad } from './load-problems';
import { appOriginOf, hardenContents } from './security';
import { MIN_WINDOW_SIZE, type WindowState } from './window-state';

export interface WindowOptions {
  preload: string;
  /** The app's URL: `model-lab://app/index.html`, or the dev server's (`rendererUrl`). */
  renderer: string;
  /** Where it was last time (already fitted to today's displays). */
  state: WindowState;
  /** DevTools exist only in development. */
  dev: boolean;
  /** For the load-problem dialog: its language, quitting, the log (defaults: English, app.quit, console). */
  problems?: Partial<Pick<LoadWatchOptions, 'locale' | 'quit' | 'log' | 'showAfterMs'>>;
}

export function webPreferences(preload: string, dev: boolean): Electron.WebPreferences {
  return {
    preload,
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
    devTools: dev,
  };
}

export function browserWindowOptions(opts: WindowOptions): Electron.BrowserWindowConstructorOptions {
  const { state } = opts;
  return {
    width: state.width,
    height: state.height,
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'Model Lab',
    show: false,
    webPreferences: webPreferences(opts.preload, opts.dev),
  };
}

export function createLabWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow(browserWindowOptions(opts));
  hardenContents(win.webContents, appOriginOf(opts.renderer), (url) => void shell.openExternal(url));
  win.once('ready-to-show', () => {
    if (opts.state.maximized) win.maximize();
    win.show();
  });
  // A failed load rejects loadURL's promise and fires did-fail-load: the watcher reports it once.
  const load = (): void => void win.loadURL(opts.renderer).catch(() => undefined);
  watchLoad(win, {
    ask: (text) => dialog.showMessageBox(win, { type: 'error', message: text.message, detail: text.detail, buttons: text.buttons, defaultId: 0, cancelId: 1, noLink: true }).then((r) => r.response),
    reload: load,
    quit: () => app.quit(),
    locale: () => 'en',
    log: (line) => console.log(`[model-lab] ${line}`),
    ...opts.problems,
  });
  load();
  return win;
}
