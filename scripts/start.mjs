#!/usr/bin/env node
// `npm start [-- <model_repository> ...]`: builds if needed, then runs the desktop app in Electron.
// Without an Electron binary (none can be downloaded offline), it serves the same lab in browser
// mode and opens it in a Chromium --app window, or prints the URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareSamples } from './prepare-samples.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  const stamp = path.join(root, 'out', 'main', 'index.js');
  const sources = Math.max(newestMtime(path.join(root, 'electron')), newestMtime(path.join(root, 'renderer')));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  console.log('Building Model Lab…');
  const r = spawnSync(path.join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** The Electron executable, downloading it once if this machine can (electron ≥ 42 has no postinstall). */
function electronBinary() {
  if (process.env.MODEL_LAB_BROWSER === '1') return undefined;
  const dir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(dir)) return undefined;
  const resolve = () => {
    if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
    const pathFile = path.join(dir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const exe = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(exe) ? exe : undefined;
  };
  let exe = resolve();
  if (!exe) {
    console.log('Fetching the Electron binary (first start only)…');
    const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, stdio: 'ignore', timeout: 180_000 });
    if (r.status === 0) exe = resolve();
    if (!exe) console.log('Electron is not available on this machine (its binary could not be downloaded); using browser mode.');
  }
  return exe;
}

ensureBuilt();
prepareSamples({ quiet: true });

const exe = electronBinary();
const child = exe
  ? spawn(exe, [root, ...args], { cwd: root, stdio: 'inherit' })
  : spawn(process.execPath, [path.join(root, 'out', 'main', 'lab-server.js'), '--open', ...args], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
