import { expect, test } from '@playwright/test';
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openModel, runDataPipeline, shot } from './helpers';

test('runs the OCR ensemble on a sample image and shows the recognized text', async ({ page }) => {
  const view = await openModel(page, 'ocr_ensemble', 'ensemble_model');
  await view.getByTestId('tab-run').click();
  const form = view.getByTestId('run-form');
  await expect(form.getByTestId('input-input_image')).toHaveAttribute('data-editor', 'bytes');
  await form.getByTestId('sample-mixed-report.png').check();
  await shot(page, 'playground-form');
  await view.getByTestId('run-button').click();
  const output = view.getByTestId('output-recognized_text');
  await expect(output).toBeVisible({ timeout: 30_000 });
  await expect(output.getByTestId('strings-view')).toContainText('Weekly Report');
  await expect(output.getByTestId('strings-view')).toContainText('上海新店开业');
  await expect(view.getByTestId('step-chart')).toBeVisible();
  await shot(page, 'playground-ocr-result');
  // The input was sent as the file's bytes; the viewer shows the picture they encode.
  await view.getByTestId('toggle-inputs').click();
  const input = view.getByTestId('input-view-input_image');
  await expect(input.getByTestId('image-layout-fixed')).toContainText('Image file');
  await expect(input.getByTestId('image-img')).toBeVisible();
  await shot(page, 'playground-ocr-input-image');
});

test('runs the data pipeline and shows all five outputs', async ({ page }) => {
  const view = await openModel(page, 'data_pipeline', 'ensemble_model');
  await runDataPipeline(view);
  await expect(view.getByTestId('output-ensemble_output_bool').getByTestId('bool-counts')).toBeVisible();
  await shot(page, 'playground-data-pipeline');
  // The FP32 image output opens as numbers with an image tab; the heatmap and histogram render from the engine.
  const image = view.getByTestId('output-ensemble_output_FP32_image');
  await image.getByTestId('viewer-tab-histogram').click();
  await expect(image.getByTestId('histogram-svg')).toBeVisible();
  await shot(page, 'viewer-histogram');
});

test('switches between English and Chinese, and between light and dark', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible();
  await page.getByTestId('lang-switch').click();
  await expect(page.getByText('选择一个模型', { exact: true })).toBeVisible();
  await shot(page, 'chinese');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByText('Select a model')).toBeVisible();
  // system → light → dark
  await page.getByTestId('theme-switch').click();
  await page.getByTestId('theme-switch').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shot(page, 'dark');
  await page.getByTestId('theme-switch').click();
});

test('asks before running the code of an untrusted folder', async ({ page }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-trust-'));
  const repo = path.join(dir, 'scripted_repo');
  try {
    mkdirSync(path.join(repo, 'echo', '1'), { recursive: true });
    writeFileSync(
      path.join(repo, 'echo', 'config.pbtxt'),
      'name: "echo"\nbackend: "script"\nmax_batch_size: 0\ninput [ { name: "IN" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "OUT" data_type: TYPE_FP32 dims: [ 1 ] } ]\n',
    );
    writeFileSync(
      path.join(repo, 'echo', '1', 'model.js'),
      "export default class TritonPythonModel {\n  execute(requests) {\n    return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', pb_utils.get_input_tensor_by_name(r, 'IN').data, [1])] }));\n  }\n}\n",
    );
    cpSync(path.resolve('e2e/fixtures/broken_configs/ok_identity'), path.join(repo, 'ok_identity'), { recursive: true });
    await page.goto('/');
    await page.getByTestId('open-path').fill(repo);
    await page.getByTestId('open-submit').click();
    const prompt = page.getByTestId('trust-prompt');
    await expect(prompt).toBeVisible();
    await expect(prompt).toContainText('scripted_repo');
    const tree = page.getByTestId('repo-scripted_repo');
    await expect(tree.getByTestId('model-echo').locator('[data-state]')).toHaveAttribute('data-state', 'UNAVAILABLE');
    await expect(tree.getByTestId('model-ok_identity').locator('[data-state]')).toHaveAttribute('data-state', 'READY');
    await shot(page, 'trust-prompt');
    await prompt.getByTestId('trust-once').click();
    await expect(prompt).toBeHidden();
    await expect(tree.getByTestId('model-echo').locator('[data-state]')).toHaveAttribute('data-state', 'READY');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the serve panel, the model statistics and the tensor viewers have their screenshots', async ({ page }) => {
  const view = await openModel(page, 'quick_deploy_onnx', 'text_direction');
  await view.getByTestId('tab-run').click();
  await expect(view.getByTestId('run-form')).toBeVisible();
  await shot(page, 'playground-image-form');
  await page.getByTestId('serve-toggle').click();
  await expect(page.getByTestId('serve-panel')).toBeVisible();
  await shot(page, 'serve-panel');
});
