import { expect, test } from '@playwright/test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const fixtures = path.resolve('e2e/fixtures');

test('opens the bundled sample repositories and shows their models', async ({ page }) => {
  await page.goto('/');
  const ocr = page.getByTestId('repo-ocr_ensemble');
  await expect(ocr).toBeVisible();
  for (const r of ['data_pipeline', 'ocr_bls', 'quick_deploy_onnx']) await expect(page.getByTestId(`repo-${r}`)).toBeVisible();
  for (const m of ['detection_preprocessing', 'text_detection', 'detection_postprocessing', 'text_recognition', 'recognition_postprocessing', 'ensemble_model']) {
    await expect(ocr.getByTestId(`model-${m}`).locator('[data-state]')).toHaveAttribute('data-state', 'READY');
  }
  await expect(page.getByTestId('repo-data_pipeline').getByTestId('model-ensemble_model')).toContainText('ensemble');
});

test('shows a model with its inputs, outputs and full request shapes', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('repo-quick_deploy_onnx').getByTestId('model-text_direction').locator('.model-main').click();
  const view = page.getByTestId('model-view-text_direction');
  await expect(view).toBeVisible();
  // It has no config.pbtxt: inputs, outputs and batching come from the ONNX model, as in Triton.
  await expect(view.getByTestId('inputs')).toContainText('x');
  await expect(view.getByTestId('inputs')).toContainText('[3, -1, -1]');
  await expect(view.getByTestId('inputs')).toContainText('[-1, 3, -1, -1]');
  await expect(view.getByTestId('outputs')).toContainText('softmax_0.tmp_0');
  await view.getByTestId('tab-completed').click();
  await expect(view.getByTestId('completed-pbtxt')).toContainText('dynamic_batching');
  await view.getByTestId('completed-json').click();
  await expect(view.getByTestId('completed-json-text')).toContainText('"max_batch_size": 4');
});

test('opens a folder by path and shows a broken config’s diagnostic at its line', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('open-path').fill(path.join(fixtures, 'broken_configs'));
  await page.getByTestId('open-submit').click();
  const repo = page.getByTestId('repo-broken_configs');
  await expect(repo).toBeVisible();
  await expect(repo.getByTestId('model-ok_identity').locator('[data-state]')).toHaveAttribute('data-state', 'READY');

  await repo.getByTestId('model-syntax_error').locator('.model-main').click();
  const view = page.getByTestId('model-view-syntax_error');
  await expect(view.getByTestId('model-reason')).toContainText('failed to read text proto');
  // A file that does not parse opens on its source, with the error under the offending line.
  const diag = view.getByTestId('inline-diagnostic');
  await expect(diag).toHaveCount(1);
  await expect(diag).toHaveAttribute('data-line', '12');
  await expect(diag).toContainText('unknown field "outptu"');
  await expect(view.getByTestId('config-line-12')).toHaveClass(/error/);

  // A semantic error, found from the overview and followed to its line.
  await repo.getByTestId('model-bad_dims').locator('.model-main').click();
  const bad = page.getByTestId('model-view-bad_dims');
  await expect(bad.getByTestId('diagnostics')).toContainText("model input 'INPUT0' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for bad_dims");
  await bad.getByTestId('diag-goto').first().click();
  await expect(bad.getByTestId('inline-diagnostic')).toHaveAttribute('data-line', '8');
});

test('reports an ensemble wiring problem at the step that causes it', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('open-path').fill(path.join(fixtures, 'broken_configs'));
  await page.getByTestId('open-submit').click();
  await page.getByTestId('repo-broken_configs').getByTestId('model-wiring').locator('.model-main').click();
  const view = page.getByTestId('model-view-wiring');
  await expect(view.getByTestId('model-reason')).toContainText("ensemble tensor 'dangling' is unused in ensemble 'wiring'");
  await view.getByTestId('tab-config').click();
  await expect(view.getByTestId('inline-diagnostic')).toHaveAttribute('data-line', '18');
});

test('an unknown path is refused in place, nothing else changes', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible();
  await page.getByTestId('open-path').fill('/no/such/model_repository');
  await page.getByTestId('open-submit').click();
  await expect(page.getByRole('alert')).toContainText('does not exist');
  await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible();
});

test('watching a repository picks up an edited config', async ({ page }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-e2e-'));
  try {
    cpSync(path.join(fixtures, 'broken_configs'), dir, { recursive: true });
    const name = path.basename(dir);
    await page.goto('/');
    await page.getByTestId('open-path').fill(dir);
    await page.getByTestId('open-submit').click();
    const repo = page.getByTestId(`repo-${name}`);
    await expect(repo.getByTestId('model-bad_dims').locator('[data-state]')).toHaveAttribute('data-state', 'UNAVAILABLE');
    await page.getByTestId(`watch-${name}`).click();
    await expect(page.getByTestId(`watch-${name}`)).toHaveAttribute('aria-pressed', 'true');
    const file = path.join(dir, 'bad_dims', 'config.pbtxt');
    writeFileSync(file, readFileSync(file, 'utf8').replace('[ 0, 4 ]', '[ 2, 4 ]'));
    await expect(repo.getByTestId('model-bad_dims').locator('[data-state]')).toHaveAttribute('data-state', 'READY', { timeout: 10_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('switches the interface to Chinese and back', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('open-samples')).toHaveText('Sample repositories');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('open-samples')).toHaveText('示例模型仓库');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('open-samples')).toHaveText('Sample repositories');
});
