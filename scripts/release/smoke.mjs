#!/usr/bin/env node
/**
 * The Electron smoke tests (e2e-electron/, playwright.electron.config.ts) against a packed app,
 * the way the release workflow runs them on each runner, and the way they run here.
 *
 *   node scripts/release/smoke.mjs [--app EXE | --release DIR] [--require] [--offline]
 *   node scripts/release/smoke.mjs --standin [--offline]
 *
 * The app: --app, else MODEL_LAB_APP, else the unpacked app electron-builder left in --release
 * (release/ by default; scripts/release/find-app.mjs knows its name per platform), else whatever
 * the config finds (node_modules/electron's binary, or SKIPPED with the reason). --require fails
 * instead of skipping (E2E_ELECTRON_REQUIRE=1) and, with --offline, when no network namespace can
 * be made. On Linux without a display the run is wrapped in `xvfb-run -a`; with --offline it runs
 * in a network namespace with loopback only (scripts/release/offline.mjs), xvfb inside it (X's
 * abstract sockets belong to the namespace). --standin runs the same steps against browser mode in
 * Chromium (E2E_ELECTRON_STANDIN=browser), announced as such: where there is no Electron, it checks
 * the smoke test's steps and, with --offline, that a first start needs no network.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packageNames, packedApp } from './find-app.mjs';
import { netnsAvailable, offlineCommand } from './offline.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** True when `cmd` is on PATH (POSIX shells; Windows never needs xvfb). */
function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * What to run: the Playwright command, wrapped for a display and for the network as the host
 * allows, and the environment it gets. Pure, for the tests: the host's facts come in `host`.
 */
export function smokePlan({ app, require = false, offline = false, standin = false }, host) {
  if (standin && (app || require)) throw new Error('--standin runs browser mode in place of Electron: not with an app or --require');
  const env = { ...(app ? { MODEL_LAB_APP: app } : {}), ...(require ? { E2E_ELECTRON_REQUIRE: '1' } : {}), ...(standin ? { E2E_ELECTRON_STANDIN: 'browser' } : {}) };
  const notes = [standin ? 'app: the browser stand-in (browser mode in Chromium, not Electron)' : app ? `app: ${app}` : 'app: none given (node_modules/electron, else SKIPPED)'];
  let argv = [host.node, path.join(host.root, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', '-c', 'playwright.electron.config.ts'];
  if (host.platform === 'linux' && !host.display) {
    if (host.xvfb) argv = ['xvfb-run', '-a', ...argv];
    else notes.push('WARNING: no DISPLAY and no xvfb-run: Electron cannot open its window');
  }
  if (offline) {
    const wrapped = offlineCommand(argv, { require, available: host.netns });
    notes.push(wrapped.note);
    if (!wrapped.argv) return { argv: undefined, env, notes };
    argv = wrapped.argv;
  } else notes.push("network: not isolated (only the smoke test's recording proxy watches Chromium)");
  return { argv, env, notes };
}

function main() {
  const { values } = parseArgs({
    options: {
      app: { type: 'string' },
      release: { type: 'string', default: path.join(root, 'release') },
      require: { type: 'boolean', default: false },
      standin: { type: 'boolean', default: false },
      offline: { type: 'boolean', default: false },
    },
  });
  let app = values.standin ? undefined : (values.app ?? process.env['MODEL_LAB_APP']);
  if (!app && !values.standin) {
    const packed = packedApp(path.resolve(values.release), process.platform, process.arch, packageNames()).executable;
    if (existsSync(packed)) app = packed;
  }
  const plan = smokePlan(
    { app: app && path.resolve(app), require: values.require, offline: values.offline, standin: values.standin },
    {
      platform: process.platform,
      display: Boolean(process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']),
      xvfb: process.platform === 'linux' && onPath('xvfb-run'),
      netns: values.offline ? netnsAvailable() : { ok: false, reason: 'not asked' },
      node: process.execPath,
      root,
    },
  );
  for (const n of plan.notes) process.stderr.write(`[smoke] ${n}\n`);
  if (!plan.argv) process.exit(1);
  const r = spawnSync(plan.argv[0], plan.argv.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, ...plan.env } });
  if (r.error) process.stderr.write(`[smoke] ${r.error.message}\n`);
  process.exit(r.status ?? 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
