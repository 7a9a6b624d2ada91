import { expect, type Page, test } from '@playwright/test';
import { openModel, shot } from './helpers';

/**
 * Sequences in the playground (issue 15): the accumulator sample keeps a running sum per sequence.
 * Runs carry the sequence id and Start/End; the next run continues the sequence; the panel lists
 * the sequence while it runs and drops it once a run ended it; a bad id is refused in place.
 */
test('runs the accumulator as one sequence from the Run tab, and lists it while it is live', async ({ page }) => {
  const view = await openModel(page, 'sequence_accumulator', 'accumulator');
  await view.getByTestId('tab-run').click();
  const panel = view.getByTestId('sequence-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('seq-live-empty')).toBeVisible({ timeout: 30_000 });

  // A bad id is refused where it is typed, and the run does not go.
  await panel.getByTestId('seq-id').fill('not-a-number');
  await expect(panel.getByTestId('seq-issue')).toContainText('A numeric id is a whole number');
  await panel.getByTestId('seq-id').fill('18446744073709551615');
  await expect(panel.getByTestId('seq-issue')).toHaveCount(0);

  const values = view.getByTestId('text-values-INPUT');
  await values.fill('1234');
  await view.getByTestId('run-button').click();
  await expect(view.getByTestId('output-OUTPUT')).toContainText('1234', { timeout: 30_000 });
  await expect(view.getByTestId('run-sequence')).toHaveText('Sequence 18446744073709551615 · start');
  // The sequence is live now, and Start was cleared so the next run continues it.
  await expect(panel.getByTestId('seq-row-18446744073709551615')).toContainText('1 request');
  await expect(panel.getByTestId('seq-start')).not.toBeChecked();
  await shot(page, 'sequence-live');

  await values.fill('4321');
  await panel.getByTestId('seq-end').check();
  await view.getByTestId('run-button').click();
  await expect(view.getByTestId('run-sequence')).toHaveText('Sequence 18446744073709551615 · end');
  await expect(view.getByTestId('output-OUTPUT')).toContainText('5555');
  // Ended: the model holds it no more, and the form is ready to start the next one.
  await expect(panel.getByTestId('seq-live-empty')).toBeVisible();
  await expect(panel.getByTestId('seq-start')).toBeChecked();
  await expect(panel.getByTestId('seq-end')).not.toBeChecked();

  // Without the sequence flags the model refuses the request with Triton's wording.
  await panel.getByTestId('seq-enabled').uncheck();
  await view.getByTestId('run-button').click();
  await expect(view.getByTestId('run-error')).toContainText('must specify a non-zero or non-empty correlation ID');
  await shot(page, 'sequence-refused');
});

async function useLanguage(page: Page, lang: 'en' | 'zh-CN'): Promise<void> {
  for (let i = 0; i < 3 && (await page.locator('html').getAttribute('lang')) !== lang; i++) {
    await page.getByTestId('lang-switch').click();
    await page.waitForTimeout(50);
  }
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

test('the script accumulator continues a sequence across runs, its panel in 简体中文', async ({ page }) => {
  const view = await openModel(page, 'sequence_accumulator', 'accumulator_js');
  await useLanguage(page, 'zh-CN');
  try {
    await view.getByTestId('tab-run').click();
    const panel = view.getByTestId('sequence-panel');
    await expect(panel.locator('legend')).toContainText('序列');
    await expect(panel.getByTestId('seq-live-empty')).toHaveText('该模型目前没有正在进行的序列。', { timeout: 30_000 });
    await panel.getByTestId('seq-id').fill('42');
    await view.getByTestId('text-values-INPUT').fill('7');
    await view.getByTestId('run-button').click();
    await expect(view.getByTestId('run-sequence')).toHaveText('序列 42 · 开始', { timeout: 30_000 });
    await view.getByTestId('text-values-INPUT').fill('8');
    await view.getByTestId('run-button').click();
    await expect(view.getByTestId('output-OUTPUT')).toContainText('15');
    await expect(panel.getByTestId('seq-row-42')).toContainText('2 个请求');
    await shot(page, 'sequence-zh');
  } finally {
    await useLanguage(page, 'en');
  }
});

test('steps through running_sums: each step shows the sequence it takes, and the next step-through continues it', async ({ page }) => {
  const view = await openModel(page, 'sequence_accumulator', 'running_sums');
  await view.getByTestId('tab-ensemble').click();
  const panel = view.getByTestId('ensemble-panel');
  const seq = panel.getByTestId('sequence-panel');
  await expect(seq).toBeVisible();
  await seq.getByTestId('seq-id').fill('9');
  await panel.getByTestId('text-values-INPUT').fill('3');
  await panel.getByTestId('step-start').click();
  await expect(panel.getByTestId('step-status')).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
  await expect(panel.getByTestId('step-next-sequence')).toContainText('Sequence 9 · start');
  await panel.getByTestId('step-run-to-end').click();
  await expect(panel.getByTestId('step-status')).toHaveAttribute('data-state', 'finished', { timeout: 30_000 });
  await expect(panel.getByTestId('step-item-sequence')).toHaveCount(2);
  await expect(panel.getByTestId('step-item-sequence').first()).toHaveText('Sequence 9 · start');
  // The next one continues the sequence: SUM 3 + 4 = 7, SUM_OF_SUMS 3 + 7 = 10.
  await expect(seq.getByTestId('seq-start')).not.toBeChecked();
  // The inputs fold away once a step-through ran; the sequence panel stays in view.
  await panel.locator('details.inputs > summary').click();
  await panel.getByTestId('text-values-INPUT').fill('4');
  await panel.getByTestId('step-start').click();
  await expect(panel.getByTestId('step-status')).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
  await panel.getByTestId('step-run-to-end').click();
  await expect(panel.getByTestId('step-status')).toHaveAttribute('data-state', 'finished', { timeout: 30_000 });
  await panel.locator('[data-testid="step-edge-chip"][data-name="SUM_OF_SUMS"]').click();
  await expect(panel.getByTestId('step-edge-view')).toContainText('10');
  await panel.locator('[data-testid="step-edge-chip"][data-name="SUM"]').click();
  await expect(panel.getByTestId('step-edge-view')).toContainText('7');
  await expect(seq.getByTestId('seq-row-9')).toHaveCount(2);
  await shot(page, 'sequence-step-through');
});
