/** The lab window: context isolation, sandboxed renderer, the preload as its only bridge. */
import { BrowserWindow, shell } from 'electron';
import path from 'node:path';
import { appOriginOf, hardenContents } from './security';
import { MIN_WINDOW_SIZE, type WindowState } from './window-state';

export interface WindowOptions {
  preload: string;
  /** The built renderer's index.html, or a dev server URL. */
  renderer: string;
  /** Where it was last time (already fitted to today's displays). */
  state: WindowState;
  /** DevTools exist only in development. */
  dev: boolean;
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
  if (/^https?:\/\//.test(opts.renderer)) void win.loadURL(opts.renderer);
  else void win.loadFile(path.resolve(opts.renderer));
  return win;
}
