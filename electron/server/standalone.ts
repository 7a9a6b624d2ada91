/**
 * Browser mode: the same lab as the desktop app, served to a browser over the
 * lab HTTP API with the real engine behind it. `npm start` runs this when the
 * Electron binary is missing; it opens a Chromium `--app` window when it can.
 * Every launch makes a new token (`lab-auth.ts`); the printed address carries
 * it. `MODEL_LAB_TOKEN` sets it instead, for tests and scripts (an environment
 * variable, not a flag: command lines are visible to every user).
 *
 * What opens at start: the folders named, else the last session's workspace, else (first start) the
 * samples (`engine/workspace.ts`).
 *
 *   node out/main/lab-server.js [repository ...] [--port N] [--host H] [--open|--no-open] [--settings F] [--samples D]
 */
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { errorMessage } from '../engine/errors';
import { Lab } from '../engine/lab';
import { createLabHandlers } from '../engine/lab-handlers';
import type { WorkspaceSkip } from '../contract/lab-api';
import { openStartup } from '../engine/workspace';
import { findChromium, hasDisplay, openAppWindow } from './chromium';
import { checkToken, newToken } from './lab-auth';
import { type LabHttpServer, startLabHttpServer } from './lab-http';
import { LabServing } from './triton/lab-serving';
import { FileCredentials } from './remote-credentials';
import { connectTriton, fetchText } from './remote/connect';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_PORT = 4180;

/** The command line, checked: repositories to open, where to listen, the folders used, whether to open a window. */
interface Launch {
  repositories: string[];
  host: string;
  port: number;
  /** No --port given: another free port is taken when the default one is in use. */
  anyPortIfTaken: boolean;
  samplesDir: string;
  staticDir: string;
  /** Settings and trusted folders: the user's config folder, or --settings for an isolated run (tests). */
  settingsFile: string;
  open: boolean;
}

function parseLaunch(argv: string[]): Launch {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      open: { type: 'boolean' },
      'no-open': { type: 'boolean' },
      samples: { type: 'string' },
      renderer: { type: 'string' },
      settings: { type: 'string' },
    },
  });
  const port = values.port ? Number(values.port) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got '${values.port}'`);
  const host = values.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    process.stderr.write(`warning: serving the lab on ${host}: anyone who can reach this address can browse the opened repositories\n`);
  }
  const configHome = process.env['XDG_CONFIG_HOME'] ?? path.join(os.homedir(), '.config');
  return {
    repositories: positionals,
    host,
    port,
    anyPortIfTaken: !values.port,
    samplesDir: path.resolve(values.samples ?? path.join(here, '../../sample-repos')),
    staticDir: path.resolve(values.renderer ?? path.join(here, '../renderer')),
    settingsFile: path.resolve(values.settings ?? path.join(configHome, 'model-lab', 'settings.json')),
    open: values.open === true && !values['no-open'],
  };
}

/** The lab, its serve switch and handlers, and the lab HTTP API on this launch's token. */
async function startLab(launch: Launch, skipped: WorkspaceSkip[]): Promise<{ lab: Lab; serving: LabServing; http: LabHttpServer }> {
  const { samplesDir, staticDir, host, port, settingsFile } = launch;
  const lab = new Lab({ settingsFile, sampleImagesDir: path.resolve(path.join(here, '../../resources/sample-images')) });
  if (lab.settings.loadProblem) process.stderr.write(`warning: ${lab.settings.loadProblem}\n`);
  const appVersion = process.env['npm_package_version'] ?? '0.1.0';
  const serving = new LabServing(lab, appVersion, (line) => process.stderr.write(`${line}\n`));
  const handlers = createLabHandlers(lab, {
    info: () => ({
      mode: 'browser',
      appVersion,
      platform: process.platform,
      canPickFolder: false,
      samplesDir,
      ...(skipped.length ? { workspaceSkipped: skipped } : {}),
      ...(lab.startupSelection ? { restoreSelection: lab.startupSelection } : {}),
    }),
    pickFolder: () => Promise.resolve(null),
    serving,
    // Header values of remote servers: a 0600 file beside the settings file, named after it (settings.json: settings.credentials.json).
    remote: {
      connect: connectTriton,
      fetchText,
      credentials: new FileCredentials(`${settingsFile.replace(/\.json$/, '')}.credentials.json`, (line) => process.stderr.write(`warning: ${line}\n`)),
    },
  });
  const fromEnv = process.env['MODEL_LAB_TOKEN'];
  const token = fromEnv ? checkToken(fromEnv) : newToken();
  // A stable address is easier to reuse; fall back to any free port when it is taken.
  const http = await startLabHttpServer({ lab, handlers, staticDir, host, port, token }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' && launch.anyPortIfTaken) return startLabHttpServer({ lab, handlers, staticDir, host, port: 0, token });
    throw err;
  });
  return { lab, serving, http };
}

/**
 * The repositories named, else the saved workspace, else (first start) the samples (`engine/workspace.ts`);
 * what did not open is reported and kept in `skipped` for the page to show.
 */
async function openRepositories(lab: Lab, launch: Launch, skipped: WorkspaceSkip[]): Promise<void> {
  const result = await openStartup(lab, { given: launch.repositories, samplesDir: launch.samplesDir, log: (line) => process.stderr.write(`${line}\n`) });
  skipped.push(...result.skipped);
  const n = lab.listRepositories().length;
  const from = { 'command-line': 'from the command line', workspace: 'from the last session', samples: 'the samples, on first start', none: 'none' }[result.source];
  process.stdout.write(`Opened ${n} repositor${n === 1 ? 'y' : 'ies'} (${from}).\n`);
  // The page learns of the skipped folders from hostInfo, which it reads again on this event.
  if (result.skipped.length) lab.emitEvent({ type: 'repositories-changed' });
}

/** A Chromium `--app` window on the address, when there is a Chromium and a display; `closed` runs when it exits. */
function openWindow(url: string, closed: () => void): ChildProcess | undefined {
  const chromium = findChromium();
  if (!chromium) process.stdout.write(`No Chromium or Chrome found; open the address above in your browser.\n`);
  else if (!hasDisplay()) process.stdout.write(`No display to open a window on; open the address above in a browser.\n`);
  else {
    const child = openAppWindow(chromium, url);
    process.stdout.write(`Opened the lab in ${path.basename(chromium)} (close the window to quit).\n`);
    child.on('exit', closed);
    child.on('error', (err) => process.stderr.write(`could not start ${chromium}: ${errorMessage(err)}; open the address above instead\n`));
    return child;
  }
  return undefined;
}

async function main(): Promise<void> {
  const launch = parseLaunch(process.argv.slice(2));
  const skipped: WorkspaceSkip[] = [];
  const { lab, serving, http } = await startLab(launch, skipped);
  process.stdout.write(`Model Lab (browser mode) is serving at ${http.signInUrl}\n(the address carries this launch's token: anyone who has it can use the lab)\n`);
  await openRepositories(lab, launch, skipped);

  let appWindow: ChildProcess | undefined;
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    appWindow?.kill();
    void serving
      .close()
      .then(() => Promise.all([lab.close(), http.close()]))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  if (launch.open) {
    appWindow = openWindow(http.signInUrl, () => {
      appWindow = undefined;
      shutdown();
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`model-lab: ${errorMessage(err)}\n`);
  process.exit(1);
});
