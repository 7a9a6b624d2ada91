import { expect, type Locator, test } from '@playwright/test';
import { openModel, runDataPipeline, setLook, shot } from './helpers';

/**
 * Issue 14, point 3: tensors open in the view their shape, datatype and value
 * range call for. The data pipeline's FP32 [1,H,W,3] image opens as an image
 * (not a table of `1 1 1`), its heatmap defaults to H × W at channel 0 with a
 * legend that reads the slice's real range (not `1 … 1`), the detection map
 * [1,1,H,W] opens as a heatmap; both languages, both themes.
 */
test.use({ viewport: { width: 1440, height: 900 } });

/** The tabs of a tensor view, in order, by their test ids. */
async function tabIds(view: Locator): Promise<string[]> {
  return (await view.getByRole('tab').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''))).map((id) => id.replace('viewer-tab-', ''));
}

/** The shape in a tensor view's header, as numbers. */
async function shapeOf(view: Locator): Promise<number[]> {
  const text = (await view.getByTestId('tensor-shape').textContent()) ?? '';
  return text
    .replace(/[[\]\s]/g, '')
    .split(',')
    .map(Number);
}

test('the data pipeline FP32 image opens as an image, its heatmap as H × W with a real legend', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('repo-data_pipeline')).toBeVisible();
  await setLook(page, false, false);
  const view = await openModel(page, 'data_pipeline', 'ensemble_model');
  await runDataPipeline(view);
  const out = view.getByTestId('output-ensemble_output_FP32_image');
  await out.scrollIntoViewIfNeeded();
  const shape = await shapeOf(out);
  expect(shape).toHaveLength(4);
  expect(shape[3]).toBe(3);

  // Image first, selected, drawn at the range the values are stored in.
  expect((await tabIds(out))[0]).toBe('image');
  await expect(out.getByTestId('viewer-tab-image')).toHaveAttribute('aria-selected', 'true');
  await expect(out.getByTestId('image-img')).toBeVisible();
  await expect(out.getByTestId('image-range-stored')).toHaveAttribute('aria-checked', 'true');
  await shot(page, 'tensor-fp32-image');

  // The heatmap: height × width at channel 0, a legend with two different ends.
  await out.getByTestId('viewer-tab-heatmap').click();
  await expect(out.getByTestId('slice-size')).toHaveText(`${shape[1]} × ${shape[2]}`);
  await expect(out.getByTestId('slice-rows')).toContainText('height');
  await expect(out.getByTestId('slice-cols')).toContainText('width');
  await expect(out.getByTestId('slice-index-3')).toHaveValue('0');
  const legend = out.getByTestId('heatmap-legend');
  await expect(legend).toBeVisible();
  const ends = (await legend.locator('.end').allTextContents()).map(Number);
  expect(ends).toHaveLength(2);
  expect(ends[0]).toBeLessThan(ends[1]!);
  expect(ends[0]).toBeGreaterThanOrEqual(0);
  expect(ends[1]).toBeLessThanOrEqual(1);
  await expect(out.getByTestId('heatmap-flat')).toHaveCount(0);
  await out.getByTestId('heatmap-stage').scrollIntoViewIfNeeded();
  await shot(page, 'tensor-fp32-heatmap-hw');

  // Another channel: the same H × W, the legend still a range.
  await out.getByTestId('slice-index-3').fill('2');
  await out.getByTestId('slice-index-3').press('Enter');
  await expect(out.getByTestId('slice-index-3')).toHaveValue('2');
  await expect(out.getByTestId('slice-size')).toHaveText(`${shape[1]} × ${shape[2]}`);
  await expect(legend).toBeVisible();

  // Swapping puts width down the side.
  await out.getByTestId('slice-swap').click();
  await expect(out.getByTestId('slice-size')).toHaveText(`${shape[2]} × ${shape[1]}`);

  // The user's pick is kept for the tensor's name: the next run opens on the table.
  await out.getByTestId('viewer-tab-table').click();
  await expect(out.getByTestId('number-table')).toBeVisible();
  await view.getByTestId('run-button').click();
  // The new run's view puts the table first (the old one keeps its order while it is shown).
  await expect.poll(async () => (await tabIds(view.getByTestId('output-ensemble_output_FP32_image')))[0], { timeout: 30_000 }).toBe('table');
  await expect(view.getByTestId('output-ensemble_output_FP32_image').getByTestId('number-table')).toBeVisible();
});

for (const look of [
  { name: 'zh-light', zh: true, dark: false },
  { name: 'en-dark', zh: false, dark: true },
  { name: 'zh-dark', zh: true, dark: true },
]) {
  test(`the tensor views read well in ${look.name}`, async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('repo-data_pipeline')).toBeVisible();
    await setLook(page, look.zh, look.dark);
    await page.getByTestId('repo-data_pipeline').getByTestId('model-ensemble_model').locator('.model-main').click();
    const view = page.getByTestId('model-view-ensemble_model');
    await runDataPipeline(view);
    const out = view.getByTestId('output-ensemble_output_FP32_image');
    await out.scrollIntoViewIfNeeded();
    await expect(out.getByTestId('image-img')).toBeVisible();
    if (look.zh) await expect(out.getByTestId('viewer-tab-image')).toHaveText('图像');
    await shot(page, `tensor-image-${look.name}`);
    await out.getByTestId('viewer-tab-heatmap').click();
    await expect(out.getByTestId('heatmap-legend')).toBeVisible();
    if (look.zh) await expect(out.getByTestId('slice-rows')).toContainText('高（第 1 轴）');
    await out.getByTestId('heatmap-stage').scrollIntoViewIfNeeded();
    await shot(page, `tensor-heatmap-${look.name}`);
  });
}

test('the detection map [1,1,H,W] opens as a heatmap of H × W', async ({ page }) => {
  const view = await openModel(page, 'ocr_ensemble', 'text_detection');
  await view.getByTestId('tab-run').click();
  // PaddleOCR's detector wants sides that are multiples of 32.
  if (!(await view.getByTestId('width-x').isVisible())) await view.getByTestId('resize-x').check();
  await view.getByTestId('width-x').fill('640');
  await view.getByTestId('height-x').fill('256');
  await view.getByTestId('run-button').click();
  const out = view.getByTestId('output-sigmoid_0.tmp_0');
  await expect(out).toBeVisible({ timeout: 30_000 });
  const shape = await shapeOf(out);
  expect(shape.slice(0, 2)).toEqual([1, 1]);
  expect((await tabIds(out))[0]).toBe('heatmap');
  await expect(out.getByTestId('slice-size')).toHaveText(`${shape[2]} × ${shape[3]}`);
  const ends = (await out.getByTestId('heatmap-legend').locator('.end').allTextContents()).map(Number);
  expect(ends[0]).toBeLessThan(ends[1]!);
  await out.getByTestId('heatmap-stage').scrollIntoViewIfNeeded();
  await shot(page, 'tensor-detection-heatmap');
});

test.describe('at 1280×720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('the heatmap fits its column and keeps the image proportions', async ({ page }) => {
    const view = await openModel(page, 'data_pipeline', 'ensemble_model');
    await runDataPipeline(view);
    const out = view.getByTestId('output-ensemble_output_FP32_image');
    const shape = await shapeOf(out);
    await out.getByTestId('viewer-tab-heatmap').click();
    const stage = out.getByTestId('heatmap-stage');
    await expect(stage).toBeVisible();
    await stage.scrollIntoViewIfNeeded();
    const card = (await out.boundingBox())!;
    const box = (await stage.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(card.x + card.width + 1);
    // Width over height as the image's W over H (within a pixel's rounding).
    expect(Math.abs(box.width / box.height - shape[2]! / shape[1]!)).toBeLessThan(0.05);
    await shot(page, 'tensor-heatmap-1280');
    await out.getByTestId('viewer-tab-image').click();
    await expect(out.getByTestId('image-img')).toBeVisible();
    const img = (await out.getByTestId('image-stage').boundingBox())!;
    const cardNow = (await out.boundingBox())!;
    expect(img.x + img.width).toBeLessThanOrEqual(cardNow.x + cardNow.width + 1);
    await shot(page, 'tensor-image-1280');
  });
});

for (const look of [
  { name: 'en-light', zh: false, dark: false },
  { name: 'zh-dark', zh: true, dark: true },
]) {
  test(`a long vector opens as a plot with its largest values (${look.name})`, async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('repo-data_pipeline')).toBeVisible();
    await setLook(page, look.zh, look.dark);
    await page.getByTestId('repo-data_pipeline').getByTestId('model-ensemble_model').locator('.model-main').click();
    const view = page.getByTestId('model-view-ensemble_model');
    await view.getByTestId('tab-run').click();
    // 300 generated INT8 values: one axis longer than 1 → a plot.
    await view.getByTestId('size-ensemble_input_INT8_array-0').fill('300');
    await view.getByTestId('mode-generate-ensemble_input_INT8_array').check();
    await runDataPipeline(view);
    const out = view.getByTestId('output-ensemble_output_INT8_array');
    await expect.poll(async () => (await tabIds(out))[0]).toBe('plot');
    await expect(out.getByTestId('plot-svg')).toBeVisible();
    await expect(out.getByTestId('plot-top').locator('li')).toHaveCount(5);
    await out.getByTestId('plot-svg').hover();
    await expect(out.getByTestId('plot-readout')).toHaveText(look.zh ? /^索引 \d+：-?\d+$/ : /^index \d+: -?\d+$/);
    await out.scrollIntoViewIfNeeded();
    await shot(page, `tensor-plot-${look.name}`);
  });
}
