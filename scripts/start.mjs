#!/usr/bin/env node
// `npm start [-- <model_repository> ...]`: builds if needed, then runs the desktop app in Electron.
// Without an Electron binary (none can be downloaded offline, nor by Node < 22.12), it serves the
// same lab in browser mode and opens it in a Chromium --app window, or prints the URL. The
// decisions (paths per platform, Node version, folder arguments, a child's signal death) are
// in start-lib.mjs, tested in start-lib.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareSamples } from './prepare-samples.mjs';
import { childExit, electronExecutableIn, forwardsSignal, nodeAtLeast, oldNodeMessage, packageBinCommand, resolveFolderArgs } from './start-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Folders named on the command line mean the folder `npm start` was typed in, not the package root.
const args = resolveFolderArgs(process.argv.slice(2), process.env.INIT_CWD, process.cwd());

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
  // MODEL_LAB_NO_BUILD=1: run what out/ holds (start-lib.test.ts; a build made by hand).
  if (process.env.MODEL_LAB_NO_BUILD === '1') return;
  const stamp = path.join(root, 'out', 'main', 'index.js');
  const sources = Math.max(newestMtime(path.join(root, 'electron')), newestMtime(path.join(root, 'renderer')));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  console.log('Building Model Lab…');
  const pkgDir = path.join(root, 'node_modules', 'electron-vite');
  const { command, args: binArgs } = packageBinCommand(pkgDir, JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')), 'electron-vite', process.execPath);
  const r = spawnSync(command, [...binArgs, 'build'], { cwd: root, stdio: 'inherit' });
  if (r.error) console.error(`Could not run electron-vite: ${r.error.message}`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** The Electron executable, downloading it once if this machine can (electron ≥ 42 has no postinstall). */
function electronBinary() {
  if (process.env.MODEL_LAB_BROWSER === '1') return undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const exe = electronExecutableIn(override, process.platform);
    if (existsSync(exe)) return exe;
    console.log(`ELECTRON_OVERRIDE_DIST_PATH names ${override}, which has no ${path.relative(override, exe)}; using browser mode.`);
    return undefined;
  }
  const dir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(dir)) return undefined;
  const resolve = () => {
    const pathFile = path.join(dir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const exe = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(exe) ? exe : undefined;
  };
  let exe = resolve();
  if (exe) return exe;
  if (!nodeAtLeast(process.versions.node)) {
    console.log(oldNodeMessage(process.versions.node));
    return undefined;
  }
  console.log('Fetching the Electron binary (first start only)…');
  const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, stdio: 'ignore', timeout: 180_000 });
  if (r.status === 0) exe = resolve();
  if (!exe) console.log('Electron is not available on this machine (its binary could not be downloaded); using browser mode.');
  return exe;
}

ensureBuilt();
prepareSamples({ quiet: true });

const exe = electronBinary();
const child = exe
  ? spawn(exe, [root, ...args], { cwd: root, stdio: 'inherit' })
  : spawn(process.execPath, [path.join(root, 'out', 'main', 'lab-server.js'), '--open', ...args], { cwd: root, stdio: 'inherit' });
let forwarded;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    forwarded = sig;
    // Ctrl+C in a terminal reached the child already (forwardsSignal says why it is not sent twice).
    if (forwardsSignal(sig, process.stdin.isTTY === true)) child.kill(sig);
  });
}
child.on('error', (err) => {
  console.error(`Could not start ${exe ?? 'the lab server'}: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  const end = childExit({ code, signal, forwarded, platform: process.platform, electronExe: exe });
  if (end.message) console.error(end.message);
  process.exit(end.code);
});
