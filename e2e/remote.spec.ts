import type { ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { shot, startServe, stopServe } from './helpers';

/**
 * A Triton server the lab did not open: `model-lab serve` started here on its own ports (explicit
 * model control, the repository API behind an admin-key header, as tritonserver's
 * --http-restricted-api does), added in the UI by URL, browsed, and one model run through it.
 */
const PORT_BASE = Number(process.env['E2E_REMOTE_PORT'] ?? 18210);
const HTTP = PORT_BASE;
const URL = `127.0.0.1:${HTTP}`;
let server: ChildProcess | undefined;

test.beforeAll(async () => {
  server = await startServe(
    [
      'sample-repos/quick_deploy_onnx',
      `--http-port=${HTTP}`,
      `--grpc-port=${PORT_BASE + 1}`,
      `--metrics-port=${PORT_BASE + 2}`,
      '--model-control-mode=explicit',
      '--load-model=text_direction',
      '--http-restricted-api=model-repository:admin-key=e2e-admin-secret',
    ],
    HTTP,
    '/v2/health/ready',
  );
});

test.afterAll(() => stopServe(server));

test('a served repository the lab did not open: added by URL with a header, browsed, a model run through it', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('add-server').click();
  const form = page.getByTestId('add-server-form');
  await form.getByTestId('add-server-url').fill(URL);
  await form.getByTestId('add-server-name').fill('cluster');
  await form.getByTestId('add-server-add-header').click();
  await form.getByTestId('add-server-header-name').fill('admin-key');
  await form.getByTestId('add-server-header-value').fill('e2e-admin-secret');
  await expect(form.getByTestId('add-server-header-value')).toHaveAttribute('type', 'password');
  await form.getByTestId('add-server-metrics-url').fill(`http://127.0.0.1:${PORT_BASE + 2}/metrics`);
  await shot(page, 'remote-add-form');
  await form.getByTestId('add-server-submit').click();
  await expect(form).toBeHidden({ timeout: 15_000 });

  // The server page: its metadata, extensions and index with states.
  const pageView = page.getByTestId('remote-server-page');
  await expect(pageView).toBeVisible();
  await expect(pageView.getByTestId('remote-state')).toHaveText('connected');
  await expect(pageView.getByTestId('remote-extensions')).toContainText('model_repository');
  await expect(pageView.getByTestId('remote-index-text_direction')).toHaveAttribute('data-state', 'READY');
  await expect(pageView).not.toContainText('e2e-admin-secret');
  // The server's metrics, scraped on the page: its model listed once two scrapes are in.
  await expect(pageView.getByTestId('metrics-source')).toContainText(`${PORT_BASE + 2}/metrics`);
  await expect(pageView.locator('[data-testid=metrics-model-row][data-model=text_direction]')).toBeVisible({ timeout: 15_000 });
  await expect(pageView.getByTestId('metrics-error')).toHaveCount(0);
  await shot(page, 'remote-server-page');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'remote-server-page-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // The tree lists it beside the samples, with its model.
  const repo = page.getByTestId('repo-cluster');
  await expect(repo.getByTestId('remote-chip-cluster')).toBeVisible();
  await repo.getByTestId('model-text_direction').locator('.model-main').click();
  const view = page.getByTestId('model-view-text_direction');
  await expect(view.getByTestId('remote-model-info')).toBeVisible();
  await expect(view.getByTestId('tab-log')).toHaveCount(0);
  await view.getByTestId('tab-config').click();
  await expect(view).toContainText('max_batch_size');
  await view.getByTestId('tab-run').click();
  await view.getByTestId('run-button').click();
  await expect(view.locator('[data-testid^="output-"]').first()).toBeVisible({ timeout: 30_000 });
  await shot(page, 'remote-run');

  // Unload and load through the server's model control (the admin-key header is sent).
  await repo.getByTestId('server-page-cluster').click();
  await pageView.getByTestId('remote-unload-text_direction').click();
  await expect(pageView.getByTestId('remote-index-text_direction')).toHaveAttribute('data-state', 'UNAVAILABLE', { timeout: 15_000 });
  // Unloaded, its page says the server gives its config once loaded; it loads from there.
  await repo.getByTestId('model-text_direction').locator('.model-main').click();
  await view.getByTestId('tab-overview').click();
  await expect(view.getByTestId('remote-model-not-loaded')).toBeVisible();
  await shot(page, 'remote-model-not-loaded');
  await view.getByTestId('model-reload').click();
  await expect(view.getByTestId('remote-model-not-loaded')).toBeHidden({ timeout: 30_000 });
  await repo.getByTestId('server-page-cluster').click();
  await expect(pageView.getByTestId('remote-index-text_direction')).toHaveAttribute('data-state', 'READY', { timeout: 30_000 });

  await pageView.getByTestId('remote-remove').click();
  await expect(repo).toHaveCount(0);
});

test('a refused URL and a bad URL show their errors in place, the form keeps what was typed', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('add-server').click();
  const form = page.getByTestId('add-server-form');
  const refused = `127.0.0.1:${PORT_BASE + 9}`;
  await form.getByTestId('add-server-url').fill(refused);
  await form.getByTestId('add-server-submit').click();
  await expect(form.getByTestId('add-server-error')).toContainText(/refused/i, { timeout: 15_000 });
  await expect(form.getByTestId('add-server-url')).toHaveValue(refused);
  await shot(page, 'remote-refused');
  await form.getByTestId('add-server-url').fill('http://user:pw@host:8000');
  await form.getByTestId('add-server-submit').click();
  await expect(form.getByTestId('add-server-error')).toContainText('header');
  await expect(form.getByTestId('add-server-error')).not.toContainText('pw');
});
