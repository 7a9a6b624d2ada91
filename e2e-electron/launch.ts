/**
 * Starting the lab under test for the smoke tests: the Electron app through Playwright's
 * `_electron`, or — only when asked with E2E_ELECTRON_STANDIN=browser, on machines without
 * Electron — the same lab in browser mode (out/main/lab-server.js) in Debian's Chromium, so that
 * the smoke test's steps, the recording proxy and the offline run can be exercised for real there.
 * The stand-in is announced as such in the report and never counts as the Electron app.
 *
 * Both first-start in a fresh folder with every request that would leave the machine sent to the
 * recording proxy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Page, _electron as electron, chromium } from '@playwright/test';
import { type ElectronTarget, firstStartLaunch } from './electron-app';

const root = path.resolve(import.meta.dirname, '..');
/** The engine process's name in app.getAppMetrics() (utilityProcess.fork's serviceName in main/engine-process.ts). */
const ENGINE_SERVICE_NAME = 'Model Lab engine';

/** What the smoke test needs of the lab under test, whichever shell runs it. */
export interface LabUnderTest {
  page: Page;
  /** The folder the app keeps its settings in. */
  userDataPath(): Promise<string>;
  /** Windows the app shows. */
  visibleWindows(): Promise<number>;
  /** Sends one request to `url` from outside the app's own filters (to show that the proxy records). */
  probe(url: string): Promise<void>;
  /**
   * The engine process's id (desktop: the utility process main forks as 'Model Lab engine',
   * main/engine-process.ts); undefined where the engine shares a process with more than itself.
   */
  enginePid(): Promise<number | undefined>;
  /** Every request the app's pages make, from now on. */
  onRequest(listener: (url: string) => void): void;
  close(): Promise<void>;
}

export async function launchElectron(target: ElectronTarget, userData: string, proxy: string): Promise<LabUnderTest> {
  const launch = firstStartLaunch(target, userData, proxy, process.env);
  const app = await electron.launch({
    ...(target.executablePath ? { executablePath: target.executablePath } : {}),
    args: launch.args,
    env: launch.env,
    cwd: root,
    timeout: 60_000,
  });
  const page = await app.firstWindow({ timeout: 60_000 });
  return {
    page,
    userDataPath: () => app.evaluate(({ app: a }) => a.getPath('userData')),
    visibleWindows: () => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().filter((w) => w.isVisible()).length),
    probe: (url) =>
      app.evaluate(async ({ session }, u) => {
        await session
          .fromPartition('smoke-probe')
          .fetch(u)
          .catch(() => undefined);
      }, url),
    enginePid: async () => {
      const metrics = await app.evaluate(({ app: a }) => a.getAppMetrics().map((m) => ({ pid: m.pid, type: m.type, name: m.name ?? '' })));
      const engines = metrics.filter((m) => m.type === 'Utility' && m.name === ENGINE_SERVICE_NAME);
      if (engines.length !== 1) throw new Error(`expected one '${ENGINE_SERVICE_NAME}' utility process, found: ${JSON.stringify(metrics)}`);
      return engines[0]!.pid;
    },
    onRequest: (listener) => app.context().on('request', (r) => listener(r.url())),
    close: () => app.close(),
  };
}

/** The browser-mode lab server of the build folder, answering on `port` once it is up. */
async function startLabServer(port: number, settings: string, token: string): Promise<ChildProcess> {
  const out = process.env['MODEL_LAB_OUT'] ?? 'out';
  const server = path.join(root, out, 'main', 'lab-server.js');
  if (!existsSync(server)) throw new Error(`${server} is missing: build first (MODEL_LAB_OUT=${out} npx electron-vite build)`);
  const child = spawn(process.execPath, [server, '--port', String(port), '--samples', path.join(root, 'sample-repos'), '--settings', settings], {
    env: { ...process.env, MODEL_LAB_TOKEN: token },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const end = Date.now() + 60_000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (up) return child;
    if (child.exitCode !== null || Date.now() > end) {
      child.kill();
      throw new Error(`the lab server did not come up on ${port}:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The stand-in: browser mode in Chromium behind the same proxy, its settings in `userData`. */
export async function launchBrowserStandin(userData: string, proxy: string): Promise<LabUnderTest> {
  const port = Number(process.env['E2E_PORT'] ?? 4173);
  const token = 'smoke-standin-token-not-a-secret-0123';
  const server = await startLabServer(port, path.join(userData, 'settings.json'), token);
  const browser = await chromium
    .launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/lib/chromium/chromium',
      args: ['--no-sandbox', '--disable-gpu', `--proxy-server=${proxy}`],
    })
    .catch((err: unknown) => {
      server.kill();
      throw err;
    });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addCookies([{ name: `model-lab-token-${port}`, value: token, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  return {
    page,
    userDataPath: async () => userData,
    visibleWindows: async () => context.pages().length,
    // Browser mode keeps its engine in the lab server process, which also serves the page.
    enginePid: async () => undefined,
    probe: async (url) => {
      const blank = await browser.newPage();
      await blank.evaluate((u) => fetch(u).catch(() => undefined), url);
      await blank.close();
    },
    onRequest: (listener) => context.on('request', (r) => listener(r.url())),
    close: async () => {
      await browser.close();
      server.kill();
    },
  };
}
