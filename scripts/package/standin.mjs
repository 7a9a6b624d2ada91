// A stand-in Electron distribution for `electron-builder --linux dir -c.electronDist=<dir>`.
// electron-builder only copies an unpacked distribution and renames its `electron` executable to the
// app's executable name (app-builder-lib ElectronFramework: beforeCopyExtraFiles, cleanupAfterUnpack);
// it moves LICENSE to LICENSE.electron.txt when present. `version` and resources/default_app.asar are
// removed only from a downloaded Electron, not from an electronDist folder (isFullCleanup), so an
// offline package keeps them (harmless: Electron looks for resources/app, then app.asar, and only then
// default_app.asar). No Electron binary can be downloaded on our machines, so the packaging test packs
// with this folder: the packed app's files are real, only its executable is a placeholder.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The placeholder's first line, so a packed executable can be told apart from a real Electron binary. */
export const STANDIN_MARK = '# model-lab stand-in electron executable';

/** Writes a stand-in Electron distribution for Linux into `dir` and returns `dir`. */
export function makeStandinElectron(dir, version) {
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  mkdirSync(path.join(dir, 'locales'), { recursive: true });
  const exe = path.join(dir, 'electron');
  writeFileSync(exe, `#!/bin/sh\n${STANDIN_MARK}\necho "stand-in Electron ${version}: no real Electron binary was packed" >&2\nexit 1\n`);
  chmodSync(exe, 0o755);
  writeFileSync(path.join(dir, 'version'), `v${version}`);
  writeFileSync(path.join(dir, 'LICENSE'), "Stand-in for Electron's LICENSE (packaging test only).\n");
  writeFileSync(path.join(dir, 'locales', 'en-US.pak'), '');
  return dir;
}
