#!/usr/bin/env node
/**
 * Where electron-builder puts the unpacked app it wraps into each installer, and its executable:
 * the release workflow starts the Electron smoke tests against it on every runner, and this machine
 * (no Electron binary, but `electron-builder --linux dir` with a stand-in dist) checks the same
 * naming. The rules are electron-builder 26's (app-builder-lib platformPackager/linuxPackager):
 * the folder is `<linux|win|mac><-arch unless x64>` plus `-unpacked` except on macOS; the Linux
 * executable is the package name in lower case (or `executableName`), Windows has
 * `<productName>.exe`, macOS `<productName>.app/Contents/MacOS/<productName>`.
 *
 *   node scripts/release/find-app.mjs [--release DIR] [--platform P] [--arch A]   prints the path
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const PLATFORM_KEY = { linux: 'linux', win32: 'win', darwin: 'mac' };

/** electron-builder's sanitizeFileName, for the names package.json gives (no path separators, no control characters). */
function sanitize(name) {
  return [...name]
    .filter((c) => c.charCodeAt(0) >= 0x20 && !'/\\?%*:|"<>'.includes(c))
    .join('')
    .trim();
}

/**
 * The unpacked app's folder and executable under `releaseDir`, for a platform (Node's names:
 * linux, win32, darwin) and arch (x64, arm64, ...). `names` are package.json's `name`,
 * `productName` and, when set, the build config's `executableName`.
 */
export function packedApp(releaseDir, platform, arch, names) {
  const key = PLATFORM_KEY[platform];
  if (!key) throw new Error(`electron-builder builds no app for platform '${platform}'`);
  const dir = path.join(releaseDir, `${key}${arch === 'x64' ? '' : `-${arch}`}${platform === 'darwin' ? '' : '-unpacked'}`);
  const product = sanitize(names.productName ?? names.name);
  if (platform === 'linux') return { dir, executable: path.join(dir, names.executableName ? sanitize(names.executableName) : sanitize(names.name).toLowerCase()) };
  if (platform === 'win32') return { dir, executable: path.join(dir, `${product}.exe`) };
  return { dir, executable: path.join(dir, `${product}.app`, 'Contents', 'MacOS', product) };
}

/** package.json's names (the build config of this repository sets no executableName). */
export function packageNames(pkgFile = path.join(root, 'package.json')) {
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  return { name: pkg.name, productName: pkg.productName };
}

function main() {
  const { values } = parseArgs({
    options: {
      release: { type: 'string', default: path.join(root, 'release') },
      platform: { type: 'string', default: process.platform },
      arch: { type: 'string', default: process.arch },
    },
  });
  const { executable } = packedApp(path.resolve(values.release), values.platform, values.arch, packageNames());
  if (!existsSync(executable)) {
    process.stderr.write(`no packed app at ${executable} (run electron-builder for ${values.platform}-${values.arch} first)\n`);
    process.exit(1);
  }
  process.stdout.write(`${executable}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
