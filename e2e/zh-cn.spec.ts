/**
 * 简体中文 that reads as if written in Chinese: a broken config's diagnostics in Chinese, per code,
 * with Triton's English sentence beside them (selectable, to search for), in the overview and under
 * the caret in the config view; the scheduler and version policy in words; English untouched.
 * Screenshots at 1440×900 and 1280×720 are kept as artifacts.
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { shot } from './helpers';

const fixtures = path.resolve('e2e/fixtures');
const BAD_DIMS_EN = "model input 'INPUT0' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for bad_dims";

async function useLanguage(page: Page, lang: 'en' | 'zh-CN'): Promise<void> {
  for (let i = 0; i < 3 && (await page.locator('html').getAttribute('lang')) !== lang; i++) {
    await page.getByTestId('lang-switch').click();
    await page.waitForTimeout(50);
  }
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

async function openBroken(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByTestId('open-path').fill(path.join(fixtures, 'broken_configs'));
  await page.getByTestId('open-submit').click();
  await expect(page.getByTestId('repo-broken_configs')).toBeVisible();
}

async function selectModel(page: Page, model: string) {
  await page.getByTestId('repo-broken_configs').getByTestId(`model-${model}`).locator('.model-main').click();
  const view = page.getByTestId(`model-view-${model}`);
  await expect(view).toBeVisible();
  return view;
}

for (const viewport of [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
]) {
  test.describe(`${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport });

    test('a broken config’s diagnostics in 简体中文, with Triton’s English sentence beside them', async ({ page }) => {
      await openBroken(page);
      await useLanguage(page, 'zh-CN');

      const bad = await selectModel(page, 'bad_dims');
      // The model's reason: Triton's status and message in Chinese, the English under it.
      await expect(bad.getByTestId('model-reason')).toContainText('参数无效：模型 bad_dims 的输入 INPUT0');
      await expect(bad.getByTestId('model-reason').locator('.english')).toHaveText(`Invalid argument: ${BAD_DIMS_EN}`);
      const item = bad.getByTestId('diagnostics').locator('li[data-code="io.shape"]');
      await expect(item.getByTestId('diag-message')).toHaveText('模型 bad_dims 的输入 INPUT0：维度必须是 >= 1 的整数，或用 -1 表示可变维度。');
      const english = item.getByTestId('diag-english');
      await expect(english).toHaveText(BAD_DIMS_EN);
      await expect(english).toHaveAttribute('lang', 'en');
      // Smaller than the Chinese line, and selectable so it can be copied into a search.
      const size = async (l: typeof english) => parseFloat(await l.evaluate((e) => e.ownerDocument.defaultView?.getComputedStyle(e).fontSize ?? ''));
      expect(await size(english)).toBeLessThan(await size(item.getByTestId('diag-message')));
      await expect(english).not.toHaveCSS('user-select', 'none');
      await expect(item.locator('.icon')).toHaveAttribute('title', '错误');
      await shot(page, `zh-diagnostics-${viewport.width}`);

      // Followed to its line: the caret's message is Chinese too, the English under it.
      await item.getByTestId('diag-goto').click();
      const inline = bad.getByTestId('inline-diagnostic');
      await expect(inline).toHaveAttribute('data-line', '8');
      await expect(inline.locator('.diag-msg')).toHaveText('模型 bad_dims 的输入 INPUT0：维度必须是 >= 1 的整数，或用 -1 表示可变维度。');
      await expect(inline.getByTestId('inline-diagnostic-english')).toHaveText(BAD_DIMS_EN);
      await shot(page, `zh-config-caret-${viewport.width}`);

      // A file that does not parse: the parser's message read back into Chinese.
      const syntax = await selectModel(page, 'syntax_error');
      const parse = syntax.getByTestId('inline-diagnostic');
      await expect(parse.locator('.diag-msg')).toContainText('没有字段 outptu');
      await expect(parse.getByTestId('inline-diagnostic-english')).toContainText('unknown field "outptu"');

      // Values in sentences are words, the config's own syntax beside them.
      const ok = await selectModel(page, 'ok_identity');
      await expect(ok.getByTestId('version-policy')).toContainText('最新的 1 个版本');
      await expect(ok.getByTestId('version-policy').locator('code')).toHaveText('latest { num_versions: 1 }');
      await expect(ok.locator('.facts')).toContainText('默认调度器（不做批处理）');
      await shot(page, `zh-overview-values-${viewport.width}`);
    });
  });
}

test('English shows Triton’s sentence once, as it is', async ({ page }) => {
  await openBroken(page);
  await useLanguage(page, 'en');
  const bad = await selectModel(page, 'bad_dims');
  const item = bad.getByTestId('diagnostics').locator('li[data-code="io.shape"]');
  await expect(item.getByTestId('diag-message')).toHaveText(BAD_DIMS_EN);
  await expect(item.getByTestId('diag-english')).toHaveCount(0);
  await expect(item.locator('.icon')).toHaveAttribute('title', 'Error');
  await shot(page, 'en-diagnostics');
});

test('a tour names the tab by the UI’s own label, in 简体中文 and in English', async ({ page }) => {
  await page.goto('/');
  await useLanguage(page, 'zh-CN');
  await page.getByTestId('walkthrough-open').click();
  const item = page.getByTestId('walkthrough-item-quick-deploy');
  const start = item.getByTestId('walkthrough-start');
  await ((await start.count()) ? start : item.getByTestId('walkthrough-restart')).click();
  const card = page.getByTestId('walkthrough-card');
  const next = card.getByTestId('walkthrough-next');
  if (!(await next.isEnabled())) await card.getByTestId('walkthrough-showme').click();
  await expect(next).toBeEnabled({ timeout: 15_000 });
  await next.click();
  const tab = page.getByTestId('model-view-text_direction').getByTestId('tab-completed');
  const label = (await tab.innerText()).trim();
  expect(label).toBe('补全后的配置');
  await expect(card.getByTestId('walkthrough-step-body')).toContainText(`打开“${label}”标签页`);
  await shot(page, 'zh-tour-names-tab');

  await useLanguage(page, 'en');
  await expect(card.getByTestId('walkthrough-step-body')).toContainText(`Open the ${(await tab.innerText()).trim()} tab`);
});
