// The decisions behind `npm start` (scripts/start.mjs), as pure functions so they are tested on
// every platform from this one: how the build tool is spawned (no `.cmd` shims, no shell), where
// an unpacked Electron keeps its executable, whether this Node can download Electron at all,
// which folder a relative argument means, and what a child's death by a signal tells the user
// (on Linux, Chromium's sandbox aborts with SIGTRAP when it cannot start: that is a setup fault
// with a known fix, never a successful exit).
import path from 'node:path';
import { constants } from 'node:os';

/** Electron's downloader (`@electron/get`, electron ≥ 42's install.js) needs this Node (its `engines`). */
export const ELECTRON_DOWNLOAD_NODE = [22, 12];

/** The executable inside an unpacked Electron distribution, as electron's own install.js names it. */
export function electronExecutableIn(distDir, platform) {
  if (platform === 'win32') return path.join(distDir, 'electron.exe');
  if (platform === 'darwin') return path.join(distDir, 'Electron.app', 'Contents', 'MacOS', 'Electron');
  return path.join(distDir, 'electron');
}

/** Whether `version` (`process.versions.node`, e.g. '20.20.0') is at least `min` ([major, minor]). */
export function nodeAtLeast(version, min = ELECTRON_DOWNLOAD_NODE) {
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  return major > min[0] || (major === min[0] && minor >= min[1]);
}

/** What to say when this Node cannot run Electron's downloader (before falling back to browser mode). */
export function oldNodeMessage(version) {
  const need = ELECTRON_DOWNLOAD_NODE.join('.');
  return [
    `The Electron binary is not installed, and Electron's downloader needs Node ${need} or newer (this is Node ${version}).`,
    `To run the desktop app: install Node ${need}+ and run \`npm start\` again, or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron folder.`,
    'Starting the lab in browser mode instead.',
  ].join('\n');
}

/**
 * How to run a package's command-line entry: this Node with the entry's JavaScript file, read from
 * the package's `bin` field. No `.bin` shim (on Windows a `.cmd` that spawn cannot run without a
 * shell, and a shell would re-parse paths with spaces), so it is the same on every platform.
 */
export function packageBinCommand(pkgDir, pkgJson, binName, nodePath) {
  const bin = typeof pkgJson.bin === 'string' ? pkgJson.bin : pkgJson.bin?.[binName];
  if (typeof bin !== 'string') throw new Error(`${pkgJson.name ?? pkgDir} has no "${binName}" command`);
  return { command: nodePath, args: [path.join(pkgDir, bin)] };
}

/** Options of browser mode's lab-server that take a value: a plain one, or a path (resolved like folders). */
const VALUE_OPTIONS = new Set(['--port', '--host']);
const PATH_OPTIONS = new Set(['--settings', '--samples']);

/**
 * The app's arguments with repository folders made absolute against the folder `npm start` was
 * typed in (`INIT_CWD`, set by npm; npm itself runs the script in the package root). Options pass
 * through; the paths given to `--settings`/`--samples` (either form) are resolved like folders, and
 * the values of `--port`/`--host` are left alone.
 */
export function resolveFolderArgs(args, initCwd, cwd) {
  const base = initCwd && path.isAbsolute(initCwd) ? initCwd : cwd;
  const out = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!a.startsWith('-')) out.push(path.resolve(base, a));
    else if (eq > 0 && PATH_OPTIONS.has(name)) out.push(`${name}=${path.resolve(base, a.slice(eq + 1))}`);
    else if (eq < 0 && (PATH_OPTIONS.has(a) || VALUE_OPTIONS.has(a)) && i + 1 < args.length) {
      const value = args[++i];
      out.push(a, PATH_OPTIONS.has(a) ? path.resolve(base, value) : value);
    } else out.push(a);
  }
  return out;
}

/** Quoted for a POSIX shell, so a printed command can be pasted as is. */
export function shellQuote(value) {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Whether start.mjs passes a signal it received on to its child. Ctrl+C in a terminal already
 * reaches the child (stdio inherited: the same foreground process group), and Electron, like
 * Chromium, takes only its first SIGINT as a graceful quit (its handler then restores the default
 * action): a second one from us killed it in the middle of closing the engine. So SIGINT is passed
 * on only when there is no terminal (a `kill -INT` from a script); SIGTERM always.
 */
export function forwardsSignal(signal, stdinIsTTY) {
  return !(signal === 'SIGINT' && stdinIsTTY);
}

/** The signals Chromium dies with when its sandbox cannot start (a CHECK failure is SIGTRAP; abort() is SIGABRT). */
const SANDBOX_SIGNALS = new Set(['SIGTRAP', 'SIGABRT']);

/** The Linux sandbox fix, for the `chrome-sandbox` next to `exe`. */
export function sandboxFix(exe) {
  const helper = shellQuote(path.join(path.dirname(exe), 'chrome-sandbox'));
  return [
    'Electron stopped at start-up. On Linux this is usually the Chromium sandbox: Ubuntu 23.10 and later',
    'restrict unprivileged user namespaces, so the sandbox needs its setuid helper. Fix it with either',
    `  sudo chown root:root ${helper} && sudo chmod 4755 ${helper}`,
    'or allow user namespaces (until the next reboot; see docs/PACKAGING.md to keep it):',
    '  sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
    'and run `npm start` again. (MODEL_LAB_BROWSER=1 npm start runs the lab in browser mode instead.)',
  ].join('\n');
}

/**
 * What the parent does when its child (Electron or the browser-mode server) exits: the exit code to
 * pass on and, when there is something to tell, the message. A signal the parent forwarded itself
 * (Ctrl+C) ends quietly with the shell's 128 + n; Electron killed by SIGTRAP/SIGABRT on Linux gets
 * the sandbox fix; any other signal death says which signal. Never 0 for a signal.
 */
export function childExit({ code, signal, forwarded, platform, electronExe }) {
  if (!signal) return { code: code ?? 1 };
  const exitCode = 128 + (constants.signals[signal] ?? 0);
  if (forwarded === signal) return { code: exitCode };
  if (electronExe && platform === 'linux' && SANDBOX_SIGNALS.has(signal)) return { code: exitCode, message: `${sandboxFix(electronExe)}\n(${path.basename(electronExe)} exited with ${signal}.)` };
  const who = electronExe ? 'Electron' : 'The lab server';
  return { code: exitCode, message: `${who} was stopped by ${signal}.` };
}
