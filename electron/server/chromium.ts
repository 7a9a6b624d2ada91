/**
 * Opens the lab in a Chromium `--app` window when Electron is not available:
 * finds an installed Chromium or Chrome and starts it with a throw-away profile.
 * The sign-in address carries the lab's token, and a command line is readable
 * by every user of the machine (`ps`), so the window opens a small page in the
 * private (0700) profile folder that forwards to it, as Jupyter does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

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

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A page only this user can read that forwards to `url` (Jupyter's `-open.html`). The lab answers
 * it with the cookie and a same-site step to the address without the token.
 */
export function writeLaunchPage(dir: string, url: string): string {
  const file = path.join(dir, 'open-model-lab.html');
  const u = escapeHtml(url);
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${u}"><title>Model Lab</title></head><body><p><a href="${u}">Open Model Lab</a></p></body></html>`;
  writeFileSync(file, html, { mode: 0o600, flag: 'wx' });
  return file;
}

/** Opens `url` (the sign-in address) in an app window; the profile and the launch page are removed when it closes. */
export function openAppWindow(executable: string, url: string): ChildProcess {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'model-lab-chromium-'));
  const launch = pathToFileURL(writeLaunchPage(profile, url)).href;
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const child = spawn(executable, chromiumArgs(launch, profile, asRoot), { stdio: 'ignore' });
  const cleanUp = (): void => rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  child.once('exit', cleanUp);
  child.once('error', cleanUp);
  return child;
}
