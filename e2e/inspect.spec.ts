import { expect, test } from '@playwright/test';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openModel, runDataPipeline, shot } from './helpers';

test('opens the detection model graph, finds a node and reads its attributes', async ({ page }) => {
  const view = await openModel(page, 'ocr_ensemble', 'text_detection');
  await view.getByTestId('tab-graph').click();
  const panel = view.getByTestId('graph-panel');
  await expect(panel.getByTestId('graph-canvas')).toBeVisible({ timeout: 15_000 });
  await expect(panel.getByTestId('graph-sidebar-model')).toContainText('ONNX');
  await shot(page, 'graph-det-model');
  await page.getByTestId('graph-find-input').fill('Conv');
  const result = page.getByTestId('graph-find-result').first();
  await expect(result).toBeVisible();
  await result.click();
  const node = page.getByTestId('graph-sidebar-node');
  await expect(node).toContainText('Conv');
  await expect(node.getByTestId('graph-attr-kernel_shape')).toBeVisible();
  await expect(node.getByTestId('graph-attr-strides')).toBeVisible();
  await shot(page, 'graph-det-node');
  await panel.getByTestId('graph-use-in-config').click();
  await expect(page.getByTestId('graph-config-text')).toContainText('input [');
  await shot(page, 'graph-use-in-config');
});

test('steps through the OCR ensemble to the end and reads the text', async ({ page }) => {
  const view = await openModel(page, 'ocr_ensemble', 'ensemble_model');
  await view.getByTestId('tab-ensemble').click();
  const panel = view.getByTestId('ensemble-panel');
  await expect(panel.getByTestId('ensemble-dag')).toBeVisible();
  await panel.getByTestId('sample-mixed-report.png').check();
  await panel.getByTestId('step-start').click();
  await expect(panel.getByTestId('step-status')).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
  await shot(page, 'step-paused-first');
  await panel.getByTestId('step-next').click();
  await expect(panel.getByTestId('step-status')).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
  await panel.getByTestId('step-run-to-end').click();
  await expect(panel.getByTestId('step-status')).toHaveAttribute('data-state', 'finished', { timeout: 60_000 });
  // The last edge runs straight down with no label (it would repeat the output's name), so its box
  // is zero pixels wide and Playwright calls it invisible; the click lands on the line's middle.
  await panel.locator('[data-testid="ensemble-edge"][data-name="recognized_text"]').first().click({ force: true });
  await expect(panel.getByTestId('step-edge-view')).toContainText('Weekly Report', { timeout: 15_000 });
  await expect(panel.getByTestId('timeline')).toBeVisible();
  await shot(page, 'step-finished');
});

test('completes a walkthrough', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('walkthrough-open').click();
  await expect(page.getByTestId('walkthrough-list')).toBeVisible();
  await shot(page, 'walkthrough-list');
  await page.getByTestId('walkthrough-item-data-pipelines').getByRole('button').first().click();
  const card = page.getByTestId('walkthrough-card');
  for (let i = 0; i < 12; i++) {
    if (await page.getByTestId('walkthrough-done').isVisible()) break;
    const next = card.getByTestId('walkthrough-next');
    if (!(await next.isEnabled())) await card.getByTestId('walkthrough-showme').click();
    await expect(next).toBeEnabled({ timeout: 30_000 });
    await next.click();
  }
  await expect(page.getByTestId('walkthrough-done')).toBeVisible();
  await shot(page, 'walkthrough-done');
});

test('repairs the published Data Pipelines layout after showing the diff', async ({ page }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-repair-'));
  const repo = path.join(dir, 'data_pipelines_published');
  try {
    cpSync(path.resolve('electron/engine/repository/__fixtures__/data_pipelines_published'), repo, { recursive: true });
    await page.goto('/');
    await page.getByTestId('open-path').fill(repo);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('repo-data_pipelines_published').getByTestId('model-ensemble_model').locator('.model-main').click();
    const view = page.getByTestId('model-view-ensemble_model');
    await view.getByTestId('repair-open').click();
    await expect(view.getByTestId('repair-diff')).toContainText('platform: "ensemble"');
    await shot(page, 'repair-diff');
    await view.getByTestId('repair-apply').click();
    await expect(view.getByTestId('repair-done')).toBeVisible();
    await expect(view.getByTestId('repair-open')).toHaveCount(0);
    expect(readFileSync(path.join(repo, 'ensemble_model', 'config.pbtxt'), 'utf8')).toContain('platform: "ensemble"');
    expect(existsSync(path.join(repo, 'ensemble_model', 'config.pbtxt.orig'))).toBe(true);
    // Closed again, so its trust prompt does not follow the other tests around.
    await page.getByTestId('close-data_pipelines_published').click();
    await expect(page.getByTestId('repo-data_pipelines_published')).toHaveCount(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runs the Python data pipeline and shows a Python model log', async ({ page }) => {
  const view = await openModel(page, 'data_pipeline_python', 'ensemble_model');
  await runDataPipeline(view);
  const model1 = await openModel(page, 'data_pipeline_python', 'model1');
  await model1.getByTestId('tab-log').click();
  // The lab's own lifecycle lines (loading, loaded) come first; the model's own output follows.
  await expect(
    model1
      .getByTestId('log-line')
      .filter({ hasText: /Python .* numpy/ })
      .first(),
  ).toBeVisible();
  await shot(page, 'python-model-log');
});
