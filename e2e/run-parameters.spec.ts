/**
 * Issue 15: request parameters in the playground. The editor in the run form adds a string and an
 * integer parameter, a reserved name is flagged in place and keeps Run from sending, and the result
 * lists the parameters the run was sent with, in light and dark.
 */
import { expect, test } from '@playwright/test';
import { openModel, shot } from './helpers';

test('request parameters: added, checked in place, sent, and shown with the result', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const view = await openModel(page, 'data_pipeline', 'model1');
  await view.getByTestId('tab-run').click();
  const editor = view.getByTestId('run-parameters');
  await editor.locator('summary').click();
  await expect(view.getByTestId('run-parameters-empty')).toBeVisible();

  await view.getByTestId('run-param-add').click();
  const first = view.getByTestId('run-param-0');
  await first.locator('input.key').fill('triton_x');
  await expect(view.getByTestId('run-param-issue-0')).toContainText('Triton keeps this name');
  await expect(view.getByTestId('run-button')).toBeDisabled();
  await first.locator('input.key').fill('note');
  await first.locator('input.value').fill('hello');
  await view.getByTestId('run-param-add').click();
  const second = view.getByTestId('run-param-1');
  await second.locator('input.key').fill('limit');
  await second.locator('select').selectOption('int');
  await second.locator('input.value').fill('12');
  await expect(view.getByTestId('run-button')).toBeEnabled();
  await shot(page, 'run-parameters-form');

  await view.getByTestId('run-button').click();
  const sent = view.getByTestId('run-params-request');
  await expect(sent).toBeVisible({ timeout: 30_000 });
  await expect(sent).toContainText('note');
  await expect(sent).toContainText('"hello"');
  await expect(sent).toContainText('12');
  await sent.scrollIntoViewIfNeeded();
  await shot(page, 'run-parameters-light');

  const sw = page.getByTestId('theme-switch');
  for (let i = 0; i < 3 && (await page.locator('html').getAttribute('data-theme')) !== 'dark'; i++) {
    const before = await sw.getAttribute('aria-label');
    await sw.click();
    await expect(sw).not.toHaveAttribute('aria-label', before ?? '');
  }
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await editor.scrollIntoViewIfNeeded();
  await shot(page, 'run-parameters-dark-form');
  await sent.scrollIntoViewIfNeeded();
  await shot(page, 'run-parameters-dark');
});
