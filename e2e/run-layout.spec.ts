/**
 * Issue 14, points 2 and 4: after Run the outputs are in the window (beside the form on a wide
 * window, scrolled into view on a narrow one), "Start step-through" is in view without scrolling,
 * and the run history's entries say when, what went in, which model and version, and mark
 * step-throughs (compute apart from pauses) and cancelled runs. At 1440×900 and 1280×720.
 */
import { expect, type Locator, type Page, test } from '@playwright/test';
import { DATA_PIPELINE_OUTPUTS, openModel, shot } from './helpers';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
];

/** The element's box lies inside the window (at least its top 40 px, for tall tensor views). */
async function expectInWindow(page: Page, el: Locator, what: string): Promise<void> {
  const box = await el.boundingBox();
  const vp = page.viewportSize()!;
  expect(box, `${what} has a box`).not.toBeNull();
  expect(box!.y, `${what} top (${Math.round(box!.y)}) inside the ${vp.height}px window`).toBeGreaterThanOrEqual(0);
  expect(box!.y + Math.min(box!.height, 40), `${what} visible within the ${vp.height}px window`).toBeLessThanOrEqual(vp.height);
  expect(box!.x + box!.width, `${what} right edge inside the ${vp.width}px window`).toBeLessThanOrEqual(vp.width + 1);
}

for (const size of SIZES) {
  test.describe(`at ${size.width}×${size.height}`, () => {
    test.use({ viewport: size });
    const tag = `${size.width}x${size.height}`;

    test('Run and its outputs are in view; the sample picker is a compact strip', async ({ page }) => {
      const view = await openModel(page, 'ocr_ensemble', 'ensemble_model');
      await view.getByTestId('tab-run').click();
      const run = view.getByTestId('run-button');
      await expectInWindow(page, run, 'Run');
      const strip = view.getByTestId('sample-strip-input_image');
      await expect(strip.locator('img').first()).toBeVisible();
      // Eleven samples as thumbnails take a few rows, not a screenful of list.
      expect((await strip.boundingBox())!.height).toBeLessThan(200);
      await view.getByTestId('sample-thumb-tilted-text.png').click();
      await expect(view.getByTestId('sample-thumb-tilted-text.png')).toHaveClass(/\bon\b/);
      await expect(view.getByTestId('sample-chosen-input_image')).toContainText('tilted-text.png');
      await shot(page, `run-before-${tag}`);
      await run.click();
      const out = view.getByTestId('output-recognized_text');
      await expect(out).toBeVisible({ timeout: 30_000 });
      // The scroll (narrow windows) is smooth: let it settle before measuring.
      await expect.poll(async () => (await out.boundingBox())?.y ?? -1, { timeout: 5_000 }).toBeLessThan(size.height - 40);
      await expectInWindow(page, out, 'recognized_text after Run');
      await shot(page, `run-after-${tag}`);

      const entry = view.locator('[data-testid^=history-run-]').first();
      await expect(entry).toHaveAttribute('data-mode', 'run');
      await expect(entry.getByTestId('history-time')).toHaveText(/^(\S+ \S+ )?\d{2}:\d{2}:\d{2}$/);
      await expect(entry.getByTestId('history-input')).toHaveText('tilted-text.png');
      await expect(entry.getByTestId('history-sub')).toHaveText('ensemble_model · v1');
      await expect(entry.getByTestId('history-ms')).toHaveText(/^\d+(\.\d+)? (ms|s)$/);
    });

    test('a tall form (the Data Pipelines ensemble, five inputs): its first output is brought into the window after Run', async ({ page }) => {
      const view = await openModel(page, 'data_pipeline', 'ensemble_model');
      await view.getByTestId('tab-run').click();
      await expectInWindow(page, view.getByTestId('run-button'), 'Run');
      await view.getByTestId('run-button').click();
      const out = view.getByTestId(`output-${DATA_PIPELINE_OUTPUTS[0]}`);
      await expect(out).toBeVisible({ timeout: 30_000 });
      await expect.poll(async () => (await out.boundingBox())?.y ?? -1, { timeout: 5_000 }).toBeGreaterThanOrEqual(0);
      await expect.poll(async () => (await out.boundingBox())?.y ?? 1e6, { timeout: 5_000 }).toBeLessThan(size.height - 40);
      await expectInWindow(page, out, `${DATA_PIPELINE_OUTPUTS[0]} after Run`);
      const entry = view.locator('[data-testid^=history-run-]').first();
      await expect(entry.getByTestId('history-input')).toHaveText('values, dejavu-sans-lines.png');
      await expect(entry.getByTestId('history-sub')).toHaveText('ensemble_model · v1');
      // The page itself does not grow: the result scrolls inside the panel (hidden captions included).
      expect(await page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(size.height);
      await shot(page, `run-data-pipeline-${tag}`);
    });

    test('Start step-through is in view; step runs are marked in the history, a stopped one is not timed', async ({ page }) => {
      const view = await openModel(page, 'ocr_ensemble', 'ensemble_model');
      await view.getByTestId('tab-ensemble').click();
      const start = view.getByTestId('step-start');
      await expect(start).toBeVisible();
      await expectInWindow(page, start, 'Start step-through');
      await shot(page, `step-top-${tag}`);

      // A finished step-through, with a pause of its own before step 1.
      await start.click();
      await expect(view.getByTestId('step-status')).toHaveAttribute('data-state', 'paused', { timeout: 20_000 });
      await view.getByTestId('step-next').click();
      await expect(view.getByTestId('step-status')).toHaveAttribute('data-state', 'paused', { timeout: 20_000 });
      await page.waitForTimeout(300);
      await view.getByTestId('step-run-to-end').click();
      await expect(view.getByTestId('step-status')).toHaveAttribute('data-state', 'finished', { timeout: 30_000 });
      await expect(view.getByTestId('step-status')).toContainText('of compute');
      await expect(view.getByTestId('timeline-compute-only')).toHaveAttribute('aria-checked', 'true');
      await expect(view.getByTestId('timeline-gaps-removed')).toBeVisible();
      await shot(page, `step-finished-${tag}`);
      // A stopped one.
      await start.click();
      await expect(view.getByTestId('step-status')).toHaveAttribute('data-state', 'paused', { timeout: 20_000 });
      await view.getByTestId('step-stop').click();
      await expect(view.getByTestId('step-status')).toHaveAttribute('data-state', 'stopped', { timeout: 20_000 });

      await view.getByTestId('tab-run').click();
      await view.getByTestId('history-refresh').click();
      // Newest first; earlier tests on this server may have left step-throughs of their own below.
      const steps = view.locator('[data-testid^=history-][data-mode=step]');
      await expect.poll(() => steps.count()).toBeGreaterThanOrEqual(2);
      const stepCount = await steps.count();
      const stopped = steps.nth(0);
      await expect(stopped).toHaveAttribute('data-state', 'cancelled');
      await expect(stopped.getByTestId('history-ms')).toHaveText('cancelled');
      const finished = steps.nth(1);
      await expect(finished).toHaveAttribute('data-state', 'ok');
      await expect(finished.getByTestId('history-step-badge')).toHaveText('step');
      await expect(finished.getByTestId('history-ms')).toHaveAttribute('title', /^A step-through: .+ of compute; .+ in all, .+ of it paused between steps$/);
      await expect(finished.getByTestId('history-input')).toHaveText(/\.(png|jpg)$/);
      await expect(finished.getByTestId('history-sub')).toHaveText(/ensemble_model · v1$/);
      // Step-throughs can be shown alone or left out.
      await view.getByTestId('history-filter-run').click();
      await expect(view.locator('[data-testid^=history-][data-mode=step]')).toHaveCount(0);
      await view.getByTestId('history-filter-step').click();
      await expect(view.locator('[data-testid^=history-][data-mode=run]')).toHaveCount(0);
      await expect(view.locator('[data-testid^=history-][data-mode=step]')).toHaveCount(stepCount);
      await shot(page, `history-${tag}`);
    });
  });
}

test.describe('in 简体中文 and the dark theme at 1280×720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  async function cycle(page: Page, id: string, attr: string, want: string): Promise<void> {
    for (let i = 0; i < 3 && (await page.locator('html').getAttribute(attr)) !== want; i++) {
      await page.getByTestId(id).click();
      await page.waitForTimeout(50);
    }
    await expect(page.locator('html')).toHaveAttribute(attr, want);
  }

  test('the Run tab, its history and a step-through read in Chinese', async ({ page }) => {
    const view = await openModel(page, 'ocr_ensemble', 'ensemble_model');
    await cycle(page, 'lang-switch', 'lang', 'zh-CN');
    await cycle(page, 'theme-switch', 'data-theme', 'dark');
    try {
      await view.getByTestId('tab-ensemble').click();
      await expectInWindow(page, view.getByTestId('step-start'), '开始逐步执行');
      await view.getByTestId('step-start').click();
      await expect(view.getByTestId('step-status')).toHaveAttribute('data-state', 'paused', { timeout: 20_000 });
      await view.getByTestId('step-run-to-end').click();
      await expect(view.getByTestId('step-status')).toHaveAttribute('data-state', 'finished', { timeout: 30_000 });
      await expect(view.getByTestId('step-status')).toContainText('计算');
      await expect(view.getByTestId('timeline-compute-only')).toHaveText('仅计算');
      await shot(page, 'zh-dark-step-finished');
      await view.getByTestId('tab-run').click();
      await view.getByTestId('history-refresh').click();
      const step = view.locator('[data-testid^=history-][data-mode=step]').first();
      await expect(step.getByTestId('history-step-badge')).toHaveText('逐步');
      await expect(view.getByTestId('history-filter-step')).toHaveText('逐步执行');
      await view.getByTestId('run-button').click();
      await expect(view.getByTestId('output-recognized_text')).toBeVisible({ timeout: 30_000 });
      await expectInWindow(page, view.getByTestId('output-recognized_text'), 'recognized_text');
      await shot(page, 'zh-dark-run-after');
    } finally {
      await cycle(page, 'lang-switch', 'lang', 'en');
      await cycle(page, 'theme-switch', 'data-theme', 'light');
    }
  });
});
