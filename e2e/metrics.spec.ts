import type { ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { shot, startServe, stopServe } from './helpers';

/** One text_direction request over Triton's HTTP JSON protocol (a 48×64 RGB strip of zeros and ones). */
function inferBody(): unknown {
  const shape = [1, 3, 48, 64];
  const n = shape.reduce((a, b) => a * b, 1);
  return { inputs: [{ name: 'x', datatype: 'FP32', shape, data: Array.from({ length: n }, (_, i) => i % 2) }] };
}

test('the Serve panel charts the served repository’s metrics as requests arrive', async ({ page, request }) => {
  await page.goto('/');
  await expect(page.getByTestId('repo-quick_deploy_onnx')).toBeVisible();
  await page.getByTestId('serve-toggle').click();
  const panel = page.getByTestId('serve-panel');
  const repoId = await panel.getByTestId('serve-repo').locator('option', { hasText: 'quick_deploy_onnx' }).getAttribute('value');
  await panel.getByTestId('serve-repo').selectOption(repoId!);
  for (const id of ['serve-http-port', 'serve-grpc-port', 'serve-metrics-port']) await panel.getByTestId(id).fill('0');
  await panel.getByTestId('serve-start').click();
  await expect(panel.getByTestId('serve-running')).toBeVisible();
  const base = (await panel.getByTestId('serve-http').textContent())!.trim();

  // Opened, the section scrapes the lab's own /metrics; before any request the model has no rate yet.
  await panel.getByTestId('serve-metrics').locator('summary').click();
  const view = panel.getByTestId('metrics-view');
  await expect(view).toBeVisible();
  await view.getByTestId('metrics-interval').selectOption('1');
  await expect(view.getByTestId('metrics-source')).toContainText('/metrics');
  const row = view.locator('[data-testid=metrics-model-row][data-model=text_direction]');
  await expect(row).toBeVisible();

  const send = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const res = await request.post(`${base}/v2/models/text_direction/infer`, { data: inferBody() });
      expect(res.status()).toBe(200);
    }
  };
  await send(6);
  const chart = view.getByTestId('metrics-chart-requests');
  await expect(chart).toBeVisible();
  // Requests keep arriving while the view polls: the latest interval's rate is above 0 and points accumulate.
  await expect(async () => {
    await send(3);
    expect(Number(await row.locator('td').nth(2).textContent())).toBeGreaterThan(0);
  }).toPass({ timeout: 15_000 });
  const before = Number(await chart.getAttribute('data-points'));
  await expect(async () => {
    await send(2);
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(before);
  }).toPass({ timeout: 15_000 });
  await expect(view.getByTestId('metrics-chart-time')).toBeVisible();
  await expect(view.getByTestId('metrics-line').first()).toBeVisible();
  await expect(view.getByTestId('metrics-cpu')).toBeVisible();
  await shot(page, 'metrics-serve-panel');
  await page.emulateMedia({ colorScheme: 'dark' });
  await panel.getByTestId('serve-metrics').scrollIntoViewIfNeeded();
  await shot(page, 'metrics-serve-panel-dark');

  // Paused, it stops scraping.
  await view.getByTestId('metrics-pause').click();
  await expect(view.getByTestId('metrics-status')).toHaveText('Paused');
  // A scrape already in flight when Pause was clicked still lands: count from after it.
  await expect(view.getByTestId('metrics-status').locator('.spinner')).toHaveCount(0);
  const scrapes = await view.getAttribute('data-scrapes');
  await page.waitForTimeout(2500);
  expect(await view.getAttribute('data-scrapes')).toBe(scrapes);

  await panel.getByTestId('serve-stop').click();
  await expect(panel.getByTestId('serve-start')).toBeVisible();
});

/** A `model-lab serve` the lab did not open, on its own ports (E2E_METRICS_PORT, +1 gRPC, +2 metrics). */
const REMOTE_BASE = Number(process.env['E2E_METRICS_PORT'] ?? 18320);
let server: ChildProcess | undefined;

test.describe('a remote server', () => {
  test.beforeAll(async () => {
    server = await startServe(['sample-repos/quick_deploy_onnx', `--http-port=${REMOTE_BASE}`, `--grpc-port=${REMOTE_BASE + 1}`, `--metrics-port=${REMOTE_BASE + 2}`], REMOTE_BASE, '/v2/health/ready');
  });
  test.afterAll(() => stopServe(server));

  test('its server page charts the metrics of requests other clients send it', async ({ page, request }) => {
    await page.goto('/');
    await page.getByTestId('add-server').click();
    const form = page.getByTestId('add-server-form');
    await form.getByTestId('add-server-url').fill(`127.0.0.1:${REMOTE_BASE}`);
    await form.getByTestId('add-server-name').fill('metrics-node');
    await form.getByLabel('Metrics URL').fill(`http://127.0.0.1:${REMOTE_BASE + 2}/metrics`);
    await form.getByTestId('add-server-submit').click();
    await expect(form).toBeHidden({ timeout: 15_000 });
    const view = page.getByTestId('remote-server-page').getByTestId('metrics-view');
    await expect(view).toBeVisible();
    await view.getByTestId('metrics-interval').selectOption('1');
    const row = view.locator('[data-testid=metrics-model-row][data-model=text_direction]');
    await expect(row).toBeVisible();
    await expect(async () => {
      for (let i = 0; i < 3; i++) expect((await request.post(`http://127.0.0.1:${REMOTE_BASE}/v2/models/text_direction/infer`, { data: inferBody() })).status()).toBe(200);
      expect(Number(await row.locator('td').nth(2).textContent())).toBeGreaterThan(0);
    }).toPass({ timeout: 15_000 });
    await expect(view.getByTestId('metrics-chart-time')).toBeVisible();
    await expect(view.getByTestId('metrics-source')).toContainText(`127.0.0.1:${REMOTE_BASE + 2}/metrics`);
    await shot(page, 'metrics-remote-server');

    // The server goes away: the failed scrape shows in place and the charts stay.
    await stopServe(server);
    await expect(view.getByTestId('metrics-error')).toContainText('The last scrape failed', { timeout: 10_000 });
    await expect(view.getByTestId('metrics-chart-requests')).toBeVisible();
    await shot(page, 'metrics-remote-server-gone');
    // Removed, it leaves the tree as the later specs expect it.
    await page.getByTestId('remote-server-page').getByTestId('remote-remove').click();
    await expect(page.getByTestId('repo-metrics-node')).toHaveCount(0);
  });
});
