/**
 * "Convert to ONNX" against the real engine: the digits model of the
 * quick_deploy_pytorch sample is exported by torch, opened in the lab's
 * converted repository and compared; the result shows the largest absolute
 * difference and opens the ONNX model. Skipped (with the reason) where the
 * lab's Python has no torch. The converted repository is closed and removed
 * at the end, so later specs see the samples only.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { openModel, shot } from './helpers';

/** Removes the lab's `converted` repository that holds `written` (<root>/converted/digits_onnx/1/model.onnx), only when it has that shape. */
function removeConverted(written: string): void {
  expect(written).toMatch(/^(?:\/|[A-Za-z]:[\\/]).+[\\/]converted[\\/]digits_onnx[\\/]1[\\/]model\.onnx$/);
  rmSync(path.dirname(path.dirname(path.dirname(written))), { recursive: true, force: true });
}

const torchMissing = !process.env['CI'] && spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { stdio: 'ignore', timeout: 60_000 }).status !== 0;

test(`converts the digits model to ONNX and shows how far apart the answers are${torchMissing ? ' (skipped: /usr/bin/python3 cannot import torch)' : ''}`, async ({ page }) => {
  test.skip(torchMissing, '/usr/bin/python3 cannot import torch');
  test.setTimeout(180_000);
  const view = await openModel(page, 'quick_deploy_pytorch', 'digits');
  const panel = view.getByTestId('convert-onnx');
  await expect(panel).toBeVisible();
  await panel.getByTestId('convert-onnx-button').click();
  await expect(panel.getByTestId('convert-onnx-progress')).toBeVisible();
  const result = panel.getByTestId('convert-onnx-result');
  await expect(result).toBeVisible({ timeout: 150_000 });
  await expect(result).toContainText('Both models answer the same');
  const diff = Number((await panel.getByTestId('convert-onnx-maxdiff').textContent())!.trim());
  expect(diff).toBeGreaterThanOrEqual(0);
  expect(diff).toBeLessThan(1e-5);
  await expect(result).toContainText('OUTPUT__0');
  await expect(result).toContainText('4 seeded inputs, opset');
  const written = (await result.locator('code.path').textContent())!.trim();
  expect(written).toMatch(/[\\/]converted[\\/]digits_onnx[\\/]1[\\/]model\.onnx$/);
  await shot(page, 'convert-result');
  // The result in the dark theme (the default theme follows the system) and in Chinese; the language goes back after.
  await page.emulateMedia({ colorScheme: 'dark' });
  await panel.scrollIntoViewIfNeeded();
  await shot(page, 'convert-result-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByTestId('lang-switch').click();
  await expect(result).toContainText('两个模型的结果一致');
  await shot(page, 'convert-result-zh-CN');
  await page.getByTestId('lang-switch').click();
  await expect(result).toContainText('Both models answer the same');

  await panel.getByTestId('convert-onnx-open').click();
  const onnx = page.getByTestId('model-view-digits_onnx');
  await expect(onnx).toBeVisible();
  await expect(onnx).toContainText('onnxruntime');
  await shot(page, 'converted-model');

  await page.getByTestId('close-converted').click();
  await expect(page.getByTestId('repo-converted')).toHaveCount(0);
  removeConverted(written);
});

test(`the Migration walkthrough converts the digits model and shows the max abs difference${torchMissing ? ' (skipped: /usr/bin/python3 cannot import torch)' : ''}`, async ({ page }) => {
  test.skip(torchMissing, '/usr/bin/python3 cannot import torch');
  test.setTimeout(240_000);
  await page.goto('/');
  await page.getByTestId('walkthrough-open').click();
  await page.getByTestId('walkthrough-item-migrating').getByRole('button').first().click();
  const card = page.getByTestId('walkthrough-card');
  let shown = '';
  for (let i = 0; i < 12 && !shown; i++) {
    const title = (await card.getByTestId('walkthrough-step-title').textContent())!.trim();
    const next = card.getByTestId('walkthrough-next');
    if (title === 'Export it to ONNX, and compare') {
      await card.getByTestId('walkthrough-showme').click();
      await expect(next).toBeEnabled({ timeout: 150_000 });
      shown = (await card.getByTestId('walkthrough-result').textContent())!.trim();
      await shot(page, 'migrating-convert-step');
      break;
    }
    // Steps without Show me (find a node) are skipped; the others are done by Show me.
    if (!(await next.isEnabled())) {
      if (await card.getByTestId('walkthrough-showme').isVisible()) await card.getByTestId('walkthrough-showme').click();
      else await card.getByTestId('walkthrough-skip').click();
    }
    if (await next.isVisible()) {
      await expect(next).toBeEnabled({ timeout: 30_000 });
      await next.click();
    }
  }
  expect(shown).toMatch(/max abs difference \d(\.\d+)?(e-\d+)? over 4 seeded inputs \(digits_onnx, opset \d+\)/);
  await expect(page.getByTestId('model-view-digits').getByTestId('convert-onnx-result')).toBeVisible();
  const written = (await page.getByTestId('model-view-digits').locator('code.path').textContent())!.trim();
  await card.getByTestId('walkthrough-close').click();
  await page.getByTestId('close-converted').click();
  await expect(page.getByTestId('repo-converted')).toHaveCount(0);
  removeConverted(written);
});
