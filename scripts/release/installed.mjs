#!/usr/bin/env node
/**
 * The installers themselves, not only the unpacked app they wrap: each installer of this platform
 * in release/ is opened the way a user's machine would (deb: `dpkg-deb -x`, AppImage:
 * `--appimage-extract`, dmg: `hdiutil attach`, NSIS: a silent per-user install into a folder of
 * ours), the app inside is found, and its app.asar and app.asar.unpacked must be the unpacked app's
 * byte for byte (the one the smoke tests passed on). With --smoke, the Electron smoke tests then run
 * against the installed app of the platform's main installer (deb, NSIS, dmg).
 *
 *   node scripts/release/installed.mjs [--release DIR] [--into DIR] [--smoke] [--offline]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installersIn } from './build.mjs';
import { packageNames, packedApp } from './find-app.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The installer whose installed app the smoke tests run against, per platform. */
export const MAIN_INSTALLER = { linux: '.deb', win32: '.exe', darwin: '.dmg' };

/** The resources folder of an app folder (macOS: inside the .app bundle). */
export function resourcesOf(appDir, platform, names) {
  const product = names.productName ?? names.name;
  return platform === 'darwin' ? path.join(appDir, `${product}.app`, 'Contents', 'Resources') : path.join(appDir, 'resources');
}

/** The executable of an installed app folder (the same names as the unpacked app's). */
export function executableOf(appDir, platform, names) {
  const rel = path.relative(packedApp('/', platform, 'x64', names).dir, packedApp('/', platform, 'x64', names).executable);
  return path.join(appDir, rel);
}

/**
 * The app folder inside an unpacked or installed tree: the folder (at most `depth` levels down)
 * holding the resources folder with app.asar. Undefined when there is none.
 */
export function findAppDir(tree, platform, names, depth = 4) {
  if (existsSync(path.join(resourcesOf(tree, platform, names), 'app.asar'))) return tree;
  if (depth === 0 || !statSync(tree).isDirectory()) return undefined;
  for (const entry of readdirSync(tree, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.endsWith('.app')) continue;
    const found = findAppDir(path.join(tree, entry.name), platform, names, depth - 1);
    if (found) return found;
  }
  return undefined;
}

/** Every file under `dir` with its size and SHA-256, by relative path ('/'-separated), sorted. */
export function fingerprint(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(`${path.relative(dir, p).split(path.sep).join('/')} ${statSync(p).size} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** What differs between two resources folders' app.asar and app.asar.unpacked (empty: the same app). */
export function compareResources(expected, actual) {
  const problems = [];
  const asar = (d) => fingerprint(d).filter((l) => l.startsWith('app.asar ') || l.startsWith('app.asar.unpacked/'));
  const a = asar(expected);
  const b = new Set(asar(actual));
  if (a.length === 0) problems.push(`${expected} holds no app.asar`);
  for (const line of a) if (!b.has(line)) problems.push(`missing or different: ${line.split(' ')[0]}`);
  const extra = [...b].filter((l) => !a.includes(l));
  for (const line of extra) problems.push(`not in the tested app: ${line.split(' ')[0]}`);
  return problems;
}

/** Opens `installer` into `dir` as the user's machine would; returns the trees to look for the app in. */
export function openInstaller(installer, dir, platform, run = spawnSync, env = process.env) {
  mkdirSync(dir, { recursive: true });
  const must = (r, what) => {
    if (r.error || r.status !== 0) throw new Error(`${what} failed: ${r.error?.message ?? `${r.stderr ?? ''}`.trim().slice(-500)}`);
  };
  if (installer.endsWith('.deb')) {
    must(run('dpkg-deb', ['-x', installer, dir], { encoding: 'utf8' }), 'dpkg-deb -x');
    return [path.join(dir, 'opt')];
  }
  if (installer.endsWith('.AppImage')) {
    // The AppImage runtime unpacks itself without FUSE; the app lands in squashfs-root/.
    must(run(installer, ['--appimage-extract'], { cwd: dir, encoding: 'utf8' }), 'AppImage --appimage-extract');
    return [path.join(dir, 'squashfs-root')];
  }
  if (installer.endsWith('.dmg')) {
    const mount = path.join(dir, 'mount');
    must(run('hdiutil', ['attach', '-nobrowse', '-readonly', '-mountpoint', mount, installer], { encoding: 'utf8' }), 'hdiutil attach');
    return [mount];
  }
  if (installer.endsWith('.exe') && platform === 'win32') {
    // NSIS: /S silent, /D the folder (it must come last and is taken as is, spaces included). Should a
    // per-user installer keep its own folder, that is %LOCALAPPDATA%\Programs\<package name>.
    must(run(installer, ['/S', `/D=${path.join(dir, 'app')}`], { encoding: 'utf8' }), 'NSIS silent install');
    const perUser = env['LOCALAPPDATA'] ? [path.join(env['LOCALAPPDATA'], 'Programs', packageNames().name)] : [];
    return [dir, ...perUser];
  }
  throw new Error(`no way to open ${installer} on ${platform}`);
}

function main() {
  const { values } = parseArgs({
    options: {
      release: { type: 'string', default: path.join(root, 'release') },
      into: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      offline: { type: 'boolean', default: false },
    },
  });
  const platform = process.platform;
  const names = packageNames();
  const releaseDir = path.resolve(values.release);
  const tested = resourcesOf(packedApp(releaseDir, platform, process.arch, names).dir, platform, names);
  const into = path.resolve(values.into ?? mkdtempSync(path.join(os.tmpdir(), 'model-lab-installed-')));
  const installers = installersIn(releaseDir, platform);
  if (installers.length === 0) throw new Error(`no installers for ${platform} in ${releaseDir}`);
  let failed = false;
  let smokeApp;
  for (const { file } of installers) {
    const trees = openInstaller(file, path.join(into, path.basename(file).replace(/[^\w.-]+/g, '_')), platform);
    const appDir = trees.map((t) => (existsSync(t) ? findAppDir(t, platform, names) : undefined)).find(Boolean);
    const problems = appDir ? compareResources(tested, resourcesOf(appDir, platform, names)) : [`no app folder with its resources/app.asar under ${trees.join(' or ')}`];
    process.stdout.write(`${problems.length ? '✘' : '✓'} ${path.basename(file)}${appDir ? ` → ${appDir}` : ''}\n`);
    for (const p of problems.slice(0, 20)) process.stdout.write(`    ${p}\n`);
    failed ||= problems.length > 0;
    if (appDir && !problems.length && file.endsWith(MAIN_INSTALLER[platform])) smokeApp = executableOf(appDir, platform, names);
  }
  if (failed) process.exit(1);
  if (!values.smoke) return;
  if (!smokeApp || !existsSync(smokeApp)) throw new Error(`no installed ${MAIN_INSTALLER[platform]} app to smoke-test (${smokeApp ?? 'none'})`);
  const args = [path.join(root, 'scripts/release/smoke.mjs'), '--require', '--app', smokeApp, ...(values.offline ? ['--offline'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, E2E_RESULTS: 'test-results-electron-installed' } });
  process.exit(r.status ?? 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
