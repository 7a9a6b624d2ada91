/**
 * The what-if section of the Profile tab against the real engine, on the OCR recognition model:
 * two variants (instance count 1, the current config, and 2) profiled one after the other with
 * progress per variant, then ranked in the UI under a latency budget. The sample's config.pbtxt
 * is not applied to (that is the engine test's job on a temporary repository), and must be
 * unchanged afterwards. A knob that changes nothing is refused in place. Screenshots (light, dark,
 * 简体中文) are kept in the test's output folder.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { openModel, setLook, shot } from './helpers';

const CONFIG = path.resolve('sample-repos/ocr_ensemble/text_recognition/config.pbtxt');

test('what-if on the OCR recognition model: two variants ranked under a budget', async ({ page }) => {
  test.setTimeout(180_000);
  const before = readFileSync(CONFIG, 'utf8');
  const view = await openModel(page, 'ocr_ensemble', 'text_recognition');
  // English and light, whatever an earlier spec left in the shared lab's settings.
  await setLook(page, false, false);
  await view.getByTestId('tab-profile').click();
  const panel = view.getByTestId('whatif-panel');
  await expect(panel.getByTestId('whatif-empty')).toBeVisible();
  await expect(panel.getByTestId('whatif-no-batching')).toBeVisible();
  await expect(panel.getByTestId('whatif-shape-x')).toHaveValue('1, 3, 48, 32');

  // A knob value equal to the current config makes no variant: the engine's refusal, in place.
  await panel.getByTestId('whatif-counts').fill('1');
  await panel.getByTestId('whatif-start').click();
  await expect(panel.getByTestId('whatif-error')).toContainText('no config different from the current one');

  await panel.getByTestId('whatif-counts').fill('1, 2');
  await panel.getByTestId('whatif-budget').fill('10000');
  await panel.getByTestId('whatif-conc-start').fill('1');
  await panel.getByTestId('whatif-conc-end').fill('2');
  await panel.getByTestId('whatif-interval').fill('300');
  await panel.getByTestId('whatif-trials').fill('4');
  // Shared CI cores: windows within 50 %, as the Profile tab's e2e does.
  await panel.getByTestId('whatif-stability').fill('50');
  await panel.getByTestId('whatif-start').click();
  await expect(panel.getByTestId('whatif-progress')).toContainText(/Variant [12] of 2/);
  await expect(panel.getByTestId('whatif-stop')).toBeVisible();
  await shot(page, 'whatif-running');

  const ranking = panel.getByTestId('whatif-ranking');
  await expect(ranking.locator('caption')).toContainText('done', { timeout: 120_000 });
  const rows = ranking.locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(panel.getByTestId('whatif-row-baseline')).toBeVisible();
  await expect(panel.getByTestId('whatif-row-instances 2')).toBeVisible();
  await expect(rows.first()).toHaveClass(/winner/);
  await expect(rows.first().locator('td').first()).toHaveText('1');
  await expect(rows.nth(1).locator('td').first()).toHaveText('2');
  for (const i of [0, 1]) expect(Number(await rows.nth(i).locator('.bar-wrap .mono').textContent())).toBeGreaterThan(0);
  await expect(panel.getByTestId('whatif-winner-badge')).toHaveCount(1);
  // Both variants' points on one throughput-versus-latency plot.
  expect(await panel.getByTestId('profile-curve-point').count()).toBeGreaterThanOrEqual(2);
  const winner = (await rows.first().getAttribute('data-testid'))!.replace('whatif-row-', '');
  if (winner === 'baseline') await expect(panel.getByTestId('whatif-baseline-wins')).toBeVisible();
  else {
    await expect(panel.getByTestId('whatif-diff')).toContainText('count: 2');
    await expect(panel.getByTestId('whatif-apply')).toBeVisible();
  }
  await shot(page, 'whatif-ranked');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'whatif-ranked-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByTestId('lang-switch').click();
  await expect(panel.locator('h3').first()).toHaveText('假设分析：试验配置变体');
  await expect(ranking.locator('caption')).toContainText('毫秒预算下的排名');
  await shot(page, 'whatif-zh-CN');
  await page.getByTestId('lang-switch').click();
  expect(readFileSync(CONFIG, 'utf8')).toBe(before);
});
