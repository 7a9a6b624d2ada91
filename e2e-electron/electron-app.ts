/**
 * Which Electron the smoke tests drive, and how it is started for a first start.
 *
 * The packed app when MODEL_LAB_APP names its executable (the release workflow sets it from
 * `scripts/release/find-app.mjs`), else node_modules/electron's downloaded binary with the built
 * app (MODEL_LAB_OUT, `out` by default). Neither is a reason to SKIP, with the reason printed
 * (machines without Electron's download, like ours) — unless E2E_ELECTRON_REQUIRE=1 (CI on the
 * release runners), where a missing Electron fails the run instead of passing it quietly.
 *
 * Finding node_modules/electron's binary never `require`s the package: its index.js downloads the
 * binary when it is missing, which must not happen in an offline test.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How Playwright's `_electron.launch` starts the app. */
export interface ElectronTarget {
  /** The packed app's executable; absent: Playwright starts node_modules/electron itself (with its loader). */
  executablePath?: string;
  args: string[];
  /** One line for the report: what runs. */
  describe: string;
}

/**
 * The Electron app, or the browser-mode stand-in (only when E2E_ELECTRON_STANDIN=browser asks for
 * it: it exercises the smoke test's steps where there is no Electron and is never reported as the
 * Electron app), or why the smoke tests are skipped.
 */
export type TargetChoice = { target: ElectronTarget } | { standin: 'browser'; describe: string } | { skip: string };

/** node_modules/electron's binary as its index.js would find it, without downloading; undefined when absent. */
export function installedElectron(electronDir: string, env: NodeJS.ProcessEnv): string | undefined {
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const rel = readFileSync(pathFile, 'utf8').trim();
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  const exe = override ? path.join(override, rel) : path.join(electronDir, 'dist', rel);
  return existsSync(exe) ? exe : undefined;
}

/**
 * What to launch, or why the smoke tests are skipped. A MODEL_LAB_APP that does not exist is an
 * error (someone asked for that app), never a skip.
 */
export function chooseTarget(env: NodeJS.ProcessEnv, repoRoot = root): TargetChoice {
  const standin = env['E2E_ELECTRON_STANDIN'];
  if (standin !== undefined && standin !== '') {
    if (standin !== 'browser') throw new Error(`E2E_ELECTRON_STANDIN=${standin}: the one stand-in is 'browser'`);
    if (env['E2E_ELECTRON_REQUIRE'] === '1') throw new Error('E2E_ELECTRON_REQUIRE=1 asks for Electron itself: the browser stand-in does not count');
    return { standin: 'browser', describe: 'BROWSER STAND-IN (browser mode in Chromium, not Electron): the steps, the proxy and the offline run are checked; Electron itself is not' };
  }
  const app = env['MODEL_LAB_APP'];
  if (app) {
    if (!existsSync(app)) throw new Error(`MODEL_LAB_APP=${app} does not exist (node scripts/release/find-app.mjs prints the packed app's executable)`);
    return { target: { executablePath: path.resolve(app), args: [], describe: `packed app ${app}` } };
  }
  const electron = installedElectron(path.join(repoRoot, 'node_modules', 'electron'), env);
  if (!electron) {
    return {
      skip:
        "no Electron binary: MODEL_LAB_APP is not set and node_modules/electron has no downloaded binary (path.txt and dist/ are missing; Electron's download needs the network and Node >= 22.12). " +
        'Set MODEL_LAB_APP to a packed app (node scripts/release/find-app.mjs) or install Electron to run them.',
    };
  }
  const out = env['MODEL_LAB_OUT'] ?? 'out';
  const main = path.join(repoRoot, out, 'main', 'index.js');
  if (!existsSync(main)) throw new Error(`Electron is installed but ${main} is missing: build first (MODEL_LAB_OUT=${out} npx electron-vite build)`);
  // `electron .` runs package.json's main (out/main/index.js); another build folder is started by its file.
  return { target: { args: [out === 'out' ? '.' : main], describe: `${electron} with ${out}/main/index.js` } };
}

/**
 * Where Electron keeps the app's user data when no --user-data-dir is honoured: the platform's
 * app-data folder plus the product name (Electron's app.getPath('userData')).
 */
export function defaultUserData(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string, productName = 'Model Lab'): string {
  if (platform === 'win32') return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), productName);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', productName);
  return path.join(env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), productName);
}

/** A fresh user-data folder: a first start, with no settings, workspace or trusted folders from earlier runs. */
export function freshUserData(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'model-lab-electron-'));
}

/**
 * The switches and environment of a first start in `userData`: Chromium's --user-data-dir (which
 * Electron also takes for app.getPath('userData'); the smoke test checks that it did) and, on
 * Linux, XDG_CONFIG_HOME, so that nothing of the runner's own profile is read. `proxy` is the
 * recording proxy every request that leaves the machine goes through.
 */
export function firstStartLaunch(target: ElectronTarget, userData: string, proxy: string, env: NodeJS.ProcessEnv): { args: string[]; env: Record<string, string> } {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== 'ELECTRON_RENDERER_URL' && k !== 'ELECTRON_RUN_AS_NODE') base[k] = v;
  if (process.platform === 'linux') base['XDG_CONFIG_HOME'] = path.join(userData, 'xdg-config');
  return {
    // The app (node_modules/electron's case) first, as `electron <app> [switches]`: after Playwright's loader
    // strips its own arguments, main reads argv[1] as the app and nothing after it as a repository folder
    // (main/argv.ts); behind the switches, a build folder's index.js was taken for a folder to open.
    // Loopback stays direct (Chromium's default bypass): the recording proxy sees only what would leave the machine.
    args: [...target.args, `--user-data-dir=${userData}`, `--proxy-server=${proxy}`],
    env: base,
  };
}
