/**
 * The Profile tab against the real engine, on the OCR recognition model (x: [-1, 3, 48, -1], the
 * shape prefilled by the form): a short sweep (concurrency 1:2:1, 300 ms windows) shows its
 * progress and ends with a curve of 2 points and perf_analyzer's table; a longer one is stopped
 * after its first point and keeps what it measured; the first is overlaid on the second's curve.
 * Screenshots (light, dark, 简体中文) are kept in the test's output folder.
 */
import { expect, test, type Locator } from '@playwright/test';
import { openModel, shot } from './helpers';

async function fill(view: Locator, end: number, intervalMs: number, label: string): Promise<void> {
  await view.getByTestId('profile-start').fill('1');
  await view.getByTestId('profile-end').fill(String(end));
  await view.getByTestId('profile-step').fill('1');
  await view.getByTestId('profile-interval').fill(String(intervalMs));
  await view.getByTestId('profile-trials').fill('5');
  await view.getByTestId('profile-label').fill(label);
}

test('profiles the OCR recognition model: progress, a 2-point curve, stop, overlay', async ({ page }) => {
  test.setTimeout(180_000);
  const view = await openModel(page, 'ocr_ensemble', 'text_recognition');
  await view.getByTestId('tab-profile').click();
  await expect(view.getByTestId('profile-empty')).toBeVisible();
  await expect(view.getByTestId('profile-shape-x')).toHaveValue('1, 3, 48, 32');

  // A short sweep: progress while it runs, then 2 points on the curve and in the table.
  await fill(view, 2, 300, 'short');
  await view.getByTestId('profile-start-button').click();
  await expect(view.getByTestId('profile-progress')).toBeVisible();
  await expect(view.getByTestId('profile-progress-text')).toContainText(/Level [12] of 2/);
  await shot(page, 'profile-running');
  await expect(view.getByTestId('profile-shown-done')).toBeVisible({ timeout: 60_000 });
  await expect(view.getByTestId('profile-progress')).toHaveCount(0);
  await expect(view.getByTestId('profile-curve-point')).toHaveCount(2);
  await expect(view.getByTestId('profile-point-row')).toHaveCount(2);
  await expect(view.getByTestId('profile-breakdown-bar')).toHaveCount(2);
  await expect(view.getByTestId('profile-machine')).toContainText('client and server on the same host');
  const first = view.getByTestId('profile-point-row').first().locator('td');
  await expect(first.nth(0)).toHaveText('1');
  expect(Number(await first.nth(1).textContent())).toBeGreaterThan(0);
  await shot(page, 'profile-done');

  // A longer one, stopped once its first point is in: it keeps the points measured.
  await fill(view, 8, 1000, 'long');
  await view.getByTestId('profile-start-button').click();
  await expect(view.getByTestId('profile-progress')).toBeVisible();
  await expect(view.getByTestId('profile-progress-text')).toContainText(/Level [2-8] of 8/, { timeout: 60_000 });
  await view.getByTestId('profile-stop').click();
  await expect(view.getByTestId('profile-shown-stopped')).toBeVisible({ timeout: 30_000 });
  const kept = await view.getByTestId('profile-point-row').count();
  expect(kept).toBeGreaterThanOrEqual(1);
  expect(kept).toBeLessThan(8);

  // The short one overlaid on the stopped one's curve.
  const items = view.getByTestId('profile-history-item');
  await expect(items).toHaveCount(2);
  await items.filter({ hasText: 'short' }).getByTestId('profile-overlay').check();
  await expect(view.getByTestId('profile-curve-overlay')).toHaveCount(1);
  await expect(view.getByTestId('profile-curve-point')).toHaveCount(kept + 2);
  await view.getByTestId('profile-curve').scrollIntoViewIfNeeded();
  await shot(page, 'profile-overlay');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'profile-overlay-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByTestId('lang-switch').click();
  await expect(view.getByTestId('tab-profile')).toHaveText('性能分析');
  await shot(page, 'profile-zh-CN');
  await page.getByTestId('lang-switch').click();

  // Deleting the profiles leaves the empty state.
  for (let n = 2; n > 0; n--) {
    await items.first().getByTestId('profile-delete').click();
    await expect(items).toHaveCount(n - 1);
  }
  await expect(view.getByTestId('profile-empty')).toBeVisible();
});
