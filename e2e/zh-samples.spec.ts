/**
 * 简体中文 beyond the message catalogs: a sample image's caption on the Run tab
 * of the OCR ensemble, and operator descriptions in the graph sidebar of
 * text_detection, written in Chinese from the lab's own tables (English again
 * after switching back). Screenshots in both languages are kept as artifacts.
 */
import { expect, test, type Page } from '@playwright/test';
import { openModel, shot } from './helpers';

test.use({ viewport: { width: 1440, height: 900 } });

async function useLanguage(page: Page, lang: 'en' | 'zh-CN'): Promise<void> {
  for (let i = 0; i < 3 && (await page.locator('html').getAttribute('lang')) !== lang; i++) {
    await page.getByTestId('lang-switch').click();
    await page.waitForTimeout(50);
  }
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

test('the Run tab of the OCR ensemble captions the sample images in 简体中文', async ({ page }) => {
  await page.goto('/');
  await useLanguage(page, 'zh-CN');
  const view = await openModel(page, 'ocr_ensemble', 'ensemble_model');
  await view.getByTestId('tab-run').click();
  const thumb = view.getByTestId('sample-thumb-dejavu-serif-large.png');
  await thumb.click();
  const caption = view.locator('[data-testid^=sample-chosen-]');
  await expect(caption).toContainText('dejavu-serif-large.png');
  await expect(caption).toContainText('两行 DejaVu Serif 文字，72 px');
  await expect(caption).not.toContainText('Two lines');
  await expect(thumb).toHaveAttribute('title', /两行 DejaVu Serif 文字/);
  await view.getByTestId('sample-thumb-upside-down.png').click();
  await expect(caption).toContainText('整幅图像旋转了 180 度；需要文字方向分类器（ocr_bls）');
  await shot(page, 'zh-run-sample-caption');

  await useLanguage(page, 'en');
  await expect(caption).toContainText('rotated 180 degrees; needs the text direction classifier (ocr_bls)');
  await shot(page, 'en-run-sample-caption');
});

test('the graph sidebar of text_detection describes operators in 简体中文', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('/');
  await useLanguage(page, 'zh-CN');
  const view = await openModel(page, 'ocr_ensemble', 'text_detection');
  await view.getByTestId('tab-graph').click();
  const panel = view.getByTestId('graph-panel');
  await expect(panel.getByTestId('graph-node').first()).toBeVisible({ timeout: 20_000 });
  const node = page.getByTestId('graph-sidebar-node');

  await page.getByTestId('graph-find-input').fill('p2o.BatchNormalization.0');
  await page.getByTestId('graph-find-result').first().click();
  await expect(node.getByTestId('graph-node-op')).toHaveText('BatchNormalization');
  await expect(node.getByTestId('graph-node-doc')).toHaveText('用保存的均值和方差对每个通道做归一化，再乘以缩放系数并加上偏移。');
  await expect(node).toContainText('归一化');
  await shot(page, 'zh-graph-batchnorm');

  await page.getByTestId('graph-find-input').fill('p2o.Conv.0');
  await page.getByTestId('graph-find-result').first().click();
  await expect(node.getByTestId('graph-node-op')).toHaveText('Conv');
  await expect(node.getByTestId('graph-node-doc')).toHaveText('在输入的空间维度上滑动学到的卷积核，并可加上偏置（即卷积）。');
  await shot(page, 'zh-graph-conv');

  await useLanguage(page, 'en');
  await expect(node.getByTestId('graph-node-doc')).toHaveText('Slides learned filters over the spatial dimensions of the input and adds an optional bias (a convolution).');
  await shot(page, 'en-graph-conv');
});

test('a repository selected without a model shows its README, the Chinese one in 简体中文', async ({ page }) => {
  const view = await openModel(page, 'ocr_ensemble', 'ensemble_model');
  await expect(view).toBeVisible();
  await useLanguage(page, 'zh-CN');
  await page.getByTestId('crumb-repository').click();
  const readme = page.locator('[data-testid=repo-readme]');
  await expect(readme).toHaveAttribute('data-file', 'README.zh-CN.md');
  await expect(readme).toContainText('集成模型');
  await shot(page, 'zh-repo-readme');
  await useLanguage(page, 'en');
  await expect(readme).toHaveAttribute('data-file', 'README.md');
  await shot(page, 'en-repo-readme');
});
