/**
 * Opens the lab in a Chromium `--app` window when Electron is not available:
 * finds an installed Chromium or Chrome and starts it with a throw-away profile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CANDIDATES: Record<string, string[]> = {
  linux: ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'],
  darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
  win32: [
    path.join(process.env['PROGRAMFILES'] ?? 'C:\\Program Files', 'Google\\Chrome\\Application\\chrome.exe'),
    path.join(process.env['LOCALAPPDATA'] ?? '', 'Google\\Chrome\\Application\\chrome.exe'),
  ],
};

export function findChromium(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): string | undefined {
  const fromEnv = env['CHROME_PATH'];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return (CANDIDATES[platform] ?? []).find((p) => existsSync(p));
}

/** Linux needs a display for a window; elsewhere there always is one. */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): boolean {
  return platform !== 'linux' || Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

export function chromiumArgs(url: string, profileDir: string, asRoot: boolean): string[] {
  return [
    `--app=${url}`,
    `--user-data-dir=${profileDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--window-size=1400,900',
    ...(asRoot ? ['--no-sandbox'] : []),
  ];
}

export function openAppWindow(executable: string, url: string): ChildProcess {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'model-lab-chromium-'));
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return spawn(executable, chromiumArgs(url, profile, asRoot), { stdio: 'ignore' });
}
