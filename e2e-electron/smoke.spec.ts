/**
 * The desktop app's smoke test, with Playwright's `_electron`: one first start (fresh user data,
 * every request that would leave the machine refused and written down), then what a new user does
 * first — the window with the bundled samples, the OCR ensemble reading the sample image, the graph
 * view and stepping through the ensemble, the Serve switch answering Triton's health check on 8000
 * — then the engine process killed with a run in flight (the window stays and gets its repositories
 * back), and at the end, that none of it asked for the network. The selectors are the browser-mode
 * specs' (e2e/lab.spec.ts, e2e/inspect.spec.ts, e2e/serve.spec.ts): the window is the same app.
 *
 * Skipped, with the reason, where no Electron binary is present (electron-app.ts). With
 * E2E_ELECTRON_STANDIN=browser the same steps run against browser mode in Chromium (launch.ts):
 * announced as a stand-in, for machines without Electron, never a substitute for this test.
 */
import { type Locator, type Page, expect, test } from '@playwright/test';
import { existsSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chooseTarget, defaultUserData, firstStartLaunch, freshUserData } from './electron-app';
import { type LabUnderTest, launchBrowserStandin, launchElectron } from './launch';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy';

const choice = chooseTarget(process.env);
/** Where Triton clients find the served repository: Triton's own default, which the Serve panel starts with. */
const SERVE_PORT = Number(process.env['E2E_ELECTRON_SERVE_PORT'] ?? 8000);

test.describe.configure({ mode: 'serial' });
test.skip('skip' in choice, 'skip' in choice ? choice.skip : '');

let lab: LabUnderTest;
let page: Page;
let proxy: RecordingProxy;
let userData: string;
/** The app's default profile folder, and whether it existed before the launch (a runner's own, used if --user-data-dir were ignored). */
let defaultProfile: { dir: string; existed: boolean };
/** Every request the window's pages made once Playwright was attached (the app's own scheme included). */
const pageRequests: string[] = [];

test.beforeAll(async () => {
  if ('skip' in choice) return;
  proxy = await startRecordingProxy();
  userData = freshUserData();
  test.info().annotations.push({ type: 'lab under test', description: 'target' in choice ? choice.target.describe : choice.describe });
  if ('target' in choice) {
    const dir = defaultUserData(process.platform, firstStartLaunch(choice.target, userData, proxy.url, process.env).env, os.homedir());
    defaultProfile = { dir, existed: existsSync(dir) };
    lab = await launchElectron(choice.target, userData, proxy.url);
  } else lab = await launchBrowserStandin(userData, proxy.url);
  lab.onRequest((url) => pageRequests.push(url));
  page = lab.page;
});

test.afterAll(async () => {
  await lab?.close();
  await proxy?.close();
  if (userData) rmSync(userData, { recursive: true, force: true });
});

/** A model of an open repository, from the tree (the window has no address bar to go to). */
async function openModel(repo: string, model: string): Promise<Locator> {
  await page.getByTestId(`repo-${repo}`).getByTestId(`model-${model}`).locator('.model-main').click();
  const view = page.getByTestId(`model-view-${model}`);
  await expect(view).toBeVisible();
  return view;
}

/**
 * Whether `dir` is `root` or below it, as real paths: macOS's temp folder is behind a symlink
 * (/var → /private/var) and Windows runners' behind a short 8.3 name, either of which Electron may report.
 */
function inside(dir: string, root: string): boolean {
  const real = (p: string): string => {
    const r = existsSync(p) ? realpathSync.native(p) : path.resolve(p);
    return process.platform === 'win32' ? r.toLowerCase() : r;
  };
  const rel = path.relative(real(root), real(dir));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

test('a first start opens the window with the bundled samples', async () => {
  // The profile is a fresh one: nothing of an earlier run or of the runner's own app is read. Electron
  // takes --user-data-dir for userData; should it not, the default folder must have been empty (a clean runner).
  const dataDir = path.resolve(await lab.userDataPath());
  if (!inside(dataDir, userData)) {
    test.info().annotations.push({ type: 'user-data', description: `--user-data-dir was not taken; the app used ${dataDir}` });
    expect(inside(dataDir, defaultProfile.dir), `the app used ${dataDir}: neither the fresh folder nor the default ${defaultProfile.dir}`).toBe(true);
    expect(defaultProfile.existed, `${defaultProfile.dir} existed before this first start: not a first start`).toBe(false);
  }
  await page.waitForLoadState('domcontentloaded');
  for (const repo of ['ocr_ensemble', 'data_pipeline', 'quick_deploy_onnx']) await expect(page.getByTestId(`repo-${repo}`)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('repo-ocr_ensemble').getByTestId('model-ensemble_model').locator('[data-state]')).toHaveAttribute('data-state', 'READY', { timeout: 60_000 });
  expect(await lab.visibleWindows()).toBe(1);
  await page.screenshot({ path: test.info().outputPath('first-start.png') });
});

test('the OCR ensemble reads the text of the sample image', async () => {
  test.setTimeout(120_000);
  const view = await openModel('ocr_ensemble', 'ensemble_model');
  await view.getByTestId('tab-run').click();
  await view.getByTestId('run-form').getByTestId('sample-mixed-report.png').check();
  await view.getByTestId('run-button').click();
  const output = view.getByTestId('output-recognized_text');
  await expect(output).toBeVisible({ timeout: 60_000 });
  await expect(output.getByTestId('strings-view')).toContainText('Weekly Report');
  await expect(output.getByTestId('strings-view')).toContainText('上海新店开业');
  await page.screenshot({ path: test.info().outputPath('ocr.png') });
});

test('the graph view draws the detector, and stepping through the ensemble reaches the text', async () => {
  test.setTimeout(180_000);
  const detector = await openModel('ocr_ensemble', 'text_detection');
  await detector.getByTestId('tab-graph').click();
  const graph = detector.getByTestId('graph-panel');
  await expect(graph.getByTestId('graph-node').first()).toBeVisible({ timeout: 30_000 });
  await expect(graph.getByTestId('graph-sidebar-model')).toContainText('ONNX');

  const ensemble = await openModel('ocr_ensemble', 'ensemble_model');
  await ensemble.getByTestId('tab-ensemble').click();
  const panel = ensemble.getByTestId('ensemble-panel');
  await expect(panel.getByTestId('ensemble-dag')).toBeVisible();
  await panel.getByTestId('sample-mixed-report.png').check();
  await panel.getByTestId('step-start').click();
  await expect(panel.getByTestId('step-status')).toHaveAttribute('data-state', 'paused', { timeout: 60_000 });
  await panel.getByTestId('step-next').click();
  await expect(panel.getByTestId('step-status')).toHaveAttribute('data-state', 'paused', { timeout: 60_000 });
  await panel.getByTestId('step-run-to-end').click();
  await expect(panel.getByTestId('step-status')).toHaveAttribute('data-state', 'finished', { timeout: 90_000 });
  // The last edge has no label, so its box is zero pixels wide: the click lands on the line (as in e2e/inspect.spec.ts).
  await panel.locator('[data-testid="ensemble-edge"][data-name="recognized_text"]').first().click({ force: true });
  await expect(panel.getByTestId('step-edge-view')).toContainText('Weekly Report', { timeout: 30_000 });
  await page.screenshot({ path: test.info().outputPath('step-through.png') });
});

test(`the Serve switch answers Triton's health check on port ${SERVE_PORT}`, async ({ request }) => {
  test.setTimeout(90_000);
  const base = `http://127.0.0.1:${SERVE_PORT}`;
  const taken = await request.get(`${base}/v2/health/live`, { timeout: 2_000 }).then(
    () => true,
    () => false,
  );
  expect(taken, `something already answers on ${base}; stop it or set E2E_ELECTRON_SERVE_PORT`).toBe(false);
  await page.getByTestId('serve-toggle').click();
  const panel = page.getByTestId('serve-panel');
  await expect(panel).toBeVisible();
  const repoId = await panel.getByTestId('serve-repo').locator('option', { hasText: 'quick_deploy_onnx' }).getAttribute('value');
  await panel.getByTestId('serve-repo').selectOption(repoId!);
  await panel.getByTestId('serve-http-port').fill(String(SERVE_PORT));
  // gRPC and metrics on any free port: only HTTP's port is what this test is about.
  await panel.getByTestId('serve-grpc-port').fill('0');
  await panel.getByTestId('serve-metrics-port').fill('0');
  await panel.getByTestId('serve-start').click();
  await expect(panel.getByTestId('serve-running')).toBeVisible({ timeout: 60_000 });
  expect((await panel.getByTestId('serve-http').textContent())!.trim()).toBe(base);
  const ready = await request.get(`${base}/v2/health/ready`);
  expect(ready.status()).toBe(200);
  const index = (await (await request.post(`${base}/v2/repository/index`, { data: {} })).json()) as { name: string; state: string }[];
  expect(index).toContainEqual(expect.objectContaining({ name: 'text_direction', state: 'READY' }));
  await page.screenshot({ path: test.info().outputPath('serving.png') });
  await panel.getByTestId('serve-stop').click();
  await expect(panel.getByTestId('serve-start')).toBeVisible();
  await expect(request.get(`${base}/v2/health/live`, { timeout: 2_000 })).rejects.toThrow();
});

test('the engine process killed with a run in flight: the window stays, says so, and gets its repositories back', async () => {
  test.setTimeout(180_000);
  const pid = await lab.enginePid();
  test.skip(pid === undefined, 'browser mode keeps its engine in the lab server process: there is no engine process apart from the window to kill');
  const view = await openModel('ocr_ensemble', 'ensemble_model');
  await view.getByTestId('tab-run').click();
  await view.getByTestId('run-form').getByTestId('sample-mixed-report.png').check();
  await view.getByTestId('run-button').click();
  process.kill(pid!, 'SIGKILL');
  const banner = page.getByTestId('engine-status');
  await expect(banner).toHaveAttribute('data-state', /restarting|running/, { timeout: 30_000 });
  await expect(banner).toHaveAttribute('data-state', 'running', { timeout: 90_000 });
  await page.screenshot({ path: test.info().outputPath('engine-back.png') });
  // The same window, alive, with a new engine that reopened the samples and runs them.
  expect(await lab.visibleWindows()).toBe(1);
  expect(await lab.enginePid()).not.toBe(pid);
  await expect(page.getByTestId('repo-ocr_ensemble').getByTestId('model-ensemble_model').locator('[data-state]')).toHaveAttribute('data-state', 'READY', { timeout: 60_000 });
  const again = await openModel('ocr_ensemble', 'ensemble_model');
  await again.getByTestId('tab-run').click();
  await again.getByTestId('run-form').getByTestId('sample-mixed-report.png').check();
  await again.getByTestId('run-button').click();
  await expect(again.getByTestId('output-recognized_text').getByTestId('strings-view')).toContainText('Weekly Report', { timeout: 60_000 });
});

/** Requests that stay on this machine or inside the app: its scheme or file:, data:, blob:, devtools, loopback. */
function leavesTheMachine(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return true;
  }
  if (['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  return false;
}

/** Desktop Chromium's own service hosts (the browser stand-in only). */
const BROWSER_SERVICES = /^(CONNECT|GET) (https?:\/\/)?[a-z0-9.-]+\.(google\.com|googleapis\.com|gstatic\.com)[:/]/;

test('nothing of the first start asked for the network', async () => {
  // The other tests of this file ran in this same first start; this one reads what they left.
  expect(pageRequests.filter(leavesTheMachine)).toEqual([]);
  // The recorder itself works: a request sent from outside the app's own filters reaches it.
  const probe = 'http://offline-probe.invalid/';
  await lab.probe(probe);
  let requests = proxy.requests;
  if ('standin' in choice) {
    // The stand-in's Chromium is a browser with its own Google services (autofill, accounts, GCM),
    // which Electron does not have: set aside, and listed, only in stand-in runs.
    const own = requests.filter((r) => BROWSER_SERVICES.test(r));
    if (own.length) test.info().annotations.push({ type: "stand-in browser's own requests", description: [...new Set(own)].join(', ') });
    requests = requests.filter((r) => !BROWSER_SERVICES.test(r));
  }
  expect(requests).toEqual([`GET ${probe}`]);
});
