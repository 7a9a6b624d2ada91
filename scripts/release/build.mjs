#!/usr/bin/env node
/**
 * The installers of one platform, as the release workflow builds them on that platform's runner:
 * electron-builder with electron-builder.yml and the targets below, never publishing, then a check
 * that each installer and the unpacked app it wraps are there, with their sizes.
 *
 *   node scripts/release/build.mjs [--dir] [--release DIR] [--config FILE] [-- EXTRA electron-builder ARGS]
 *
 * Linux: AppImage and deb. Windows: NSIS. macOS: dmg for Apple silicon (arm64) only — onnxruntime-node
 * 1.30 ships no darwin-x64 binary, so an Intel build would start without ONNX Runtime; without a
 * signing certificate (CSC_LINK) the app is signed ad hoc (`mac.identity: "-"`), which Apple
 * silicon needs to start it at all (electron-builder 26 no longer does so by itself). `--dir`
 * builds only the unpacked app (what runs here, with a stand-in Electron given as
 * `-- -c.electronDist=DIR`). `--config electron-builder.cuda.yml` makes the CUDA build of the Linux
 * installers (after `ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci`; docs/PACKAGING.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packageNames, packedApp } from './find-app.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What each platform's runner builds: electron-builder's platform flag, targets and the installers' file endings. */
export const TARGETS = {
  linux: { flag: '--linux', targets: ['AppImage', 'deb'], endings: ['.AppImage', '.deb'] },
  win32: { flag: '--win', targets: ['nsis'], endings: ['.exe'] },
  darwin: { flag: '--mac', targets: ['dmg'], endings: ['.dmg'] },
};

/** electron-builder's arguments for `platform`/`arch`; `dir` builds only the unpacked app. */
export function builderArgs(platform, arch, { dir = false, signed = false, extra = [] } = {}) {
  const t = TARGETS[platform];
  if (!t) throw new Error(`no installers are built on ${platform}`);
  if (platform === 'darwin' && arch !== 'arm64' && !dir) throw new Error('macOS installers are built for arm64 only: onnxruntime-node 1.30 has no darwin-x64 binary');
  const args = [t.flag, ...(dir ? ['dir'] : t.targets), `--${arch}`, '--publish', 'never'];
  if (platform === 'darwin' && !signed) args.push('-c.mac.identity=-');
  return [...args, ...extra];
}

/** The installers `releaseDir` holds for `platform`, with their sizes in bytes. */
export function installersIn(releaseDir, platform) {
  if (!existsSync(releaseDir)) return [];
  const { endings } = TARGETS[platform];
  return readdirSync(releaseDir)
    .filter((f) => endings.some((e) => f.endsWith(e)))
    .map((f) => ({ file: path.join(releaseDir, f), bytes: statSync(path.join(releaseDir, f)).size }));
}

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
/** A path for the log: relative inside the repository, absolute outside. */
const shown = (f) => (path.relative(root, f).startsWith('..') ? f : path.relative(root, f));

function main() {
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  const { values } = parseArgs({ args: dash < 0 ? argv : argv.slice(0, dash), options: { dir: { type: 'boolean', default: false }, release: { type: 'string' }, config: { type: 'string' } } });
  const dir = values.dir;
  // electron-builder.yml's directories.output (release/), unless --release moves it.
  const releaseDir = path.resolve(values.release ?? path.join(root, 'release'));
  const extra = [...(values.config ? ['--config', values.config] : []), ...(values.release ? [`-c.directories.output=${releaseDir}`] : []), ...(dash < 0 ? [] : argv.slice(dash + 1))];
  const args = builderArgs(process.platform, process.arch, { dir, signed: Boolean(process.env['CSC_LINK']), extra });
  process.stdout.write(`▶ electron-builder ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron-builder', 'cli.js'), ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const app = packedApp(releaseDir, process.platform, process.arch, packageNames()).executable;
  const missing = existsSync(app) ? [] : [`the unpacked app ${app}`];
  const installers = dir ? [] : installersIn(releaseDir, process.platform);
  if (!dir) for (const e of TARGETS[process.platform].endings) if (!installers.some((i) => i.file.endsWith(e))) missing.push(`a ${e} installer in ${releaseDir}`);
  for (const i of installers) process.stdout.write(`  ${mb(i.bytes).padStart(10)}  ${shown(i.file)}\n`);
  if (existsSync(app)) process.stdout.write(`  unpacked app: ${shown(app)}\n`);
  if (missing.length) {
    process.stderr.write(`missing after electron-builder: ${missing.join('; ')}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
