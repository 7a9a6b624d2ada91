/**
 * The desktop app's smoke test, with Playwright's `_electron`: one first start (fresh user data,
 * every request that would leave the machine refused and written down), then what a new user does
 * first — the window with the bundled samples, the OCR ensemble reading the sample image, the graph
 * view and stepping through the ensemble, the Serve switch answering Triton's health check on 8000
 * — and at the end, that none of it asked for the network. The selectors are the browser-mode
 * specs' (e2e/lab.spec.ts, e2e/inspect.spec.ts, e2e/serve.spec.ts): the window is the same app.
 *
 * Skipped, with the reason, where no Electron binary is present (electron-app.ts).
 */
import { type ElectronApplication, type Locator, type Page, _electron as electron, expect, test } from '@playwright/test';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chooseTarget, defaultUserData, firstStartLaunch, freshUserData } from './electron-app';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy';

const choice = chooseTarget(process.env);
/** Where Triton clients find the served repository: Triton's own default, which the Serve panel starts with. */
const SERVE_PORT = Number(process.env['E2E_ELECTRON_SERVE_PORT'] ?? 8000);

test.describe.configure({ mode: 'serial' });
test.skip('skip' in choice, 'skip' in choice ? choice.skip : '');

let app: ElectronApplication;
let page: Page;
let proxy: RecordingProxy;
let userData: string;
/** The app's default profile folder, and whether it existed before the launch (a runner's own, used if --user-data-dir were ignored). */
let defaultProfile: { dir: string; existed: boolean };
/** Every request the window's pages made once Playwright was attached (the app's own scheme included). */
const pageRequests: string[] = [];

test.beforeAll(async () => {
  if (!('target' in choice)) return;
  proxy = await startRecordingProxy();
  userData = freshUserData();
  const launch = firstStartLaunch(choice.target, userData, proxy.url, process.env);
  const dir = defaultUserData(process.platform, launch.env, os.homedir());
  defaultProfile = { dir, existed: existsSync(dir) };
  test.info().annotations.push({ type: 'electron', description: choice.target.describe });
  app = await electron.launch({
    ...(choice.target.executablePath ? { executablePath: choice.target.executablePath } : {}),
    args: launch.args,
    env: launch.env,
    cwd: path.resolve(import.meta.dirname, '..'),
    timeout: 60_000,
  });
  app.context().on('request', (r) => pageRequests.push(r.url()));
  page = await app.firstWindow({ timeout: 60_000 });
});

test.afterAll(async () => {
  await app?.close();
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

test('a first start opens the window with the bundled samples', async () => {
  // The profile is a fresh one: nothing of an earlier run or of the runner's own app is read. Electron
  // takes --user-data-dir for userData; should it not, the default folder must have been empty (a clean runner).
  const dataDir = path.resolve(await app.evaluate(({ app: a }) => a.getPath('userData')));
  if (!dataDir.startsWith(path.resolve(userData))) {
    test.info().annotations.push({ type: 'user-data', description: `--user-data-dir was not taken; the app used ${dataDir}` });
    expect(dataDir, 'the app used neither the fresh folder nor an empty default one').toBe(path.resolve(defaultProfile.dir));
    expect(defaultProfile.existed, `${defaultProfile.dir} existed before this first start: not a first start`).toBe(false);
  }
  await page.waitForLoadState('domcontentloaded');
  for (const repo of ['ocr_ensemble', 'data_pipeline', 'quick_deploy_onnx']) await expect(page.getByTestId(`repo-${repo}`)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('repo-ocr_ensemble').getByTestId('model-ensemble_model').locator('[data-state]')).toHaveAttribute('data-state', 'READY', { timeout: 60_000 });
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().filter((w) => w.isVisible()).length)).toBe(1);
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

test('nothing of the first start asked for the network', async () => {
  // The other tests of this file ran in this same first start; this one reads what they left.
  expect(pageRequests.filter(leavesTheMachine)).toEqual([]);
  // The recorder itself works: a request main sends from a session without the app's filters reaches it.
  const probe = 'http://offline-probe.invalid/';
  await app.evaluate(async ({ session }, url) => {
    await session
      .fromPartition('smoke-probe')
      .fetch(url)
      .catch(() => undefined);
  }, probe);
  expect(proxy.requests).toEqual([`GET ${probe}`]);
});
