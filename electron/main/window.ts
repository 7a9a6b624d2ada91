/** The lab window: context isolation, sandboxed renderer, the preload as its only bridge. */
import { BrowserWindow } from 'electron';
import path from 'node:path';
import { hardenContents } from './security';

export interface WindowPaths {
  preload: string;
  /** The built renderer's index.html, or a dev server URL. */
  renderer: string;
}

export function webPreferences(preload: string): Electron.WebPreferences {
  return {
    preload,
    contextIsolation: true,
    nodeIntegration: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

export function createLabWindow(paths: WindowPaths): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Model Lab',
    show: false,
    webPreferences: webPreferences(paths.preload),
  });
  const isUrl = /^https?:\/\//.test(paths.renderer);
  hardenContents(win.webContents, isUrl ? new URL(paths.renderer).origin : 'file://');
  win.once('ready-to-show', () => win.show());
  if (isUrl) void win.loadURL(paths.renderer);
  else void win.loadFile(path.resolve(paths.renderer));
  return win;
}
