import { expect, test } from '@playwright/test';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openModel, shot } from './helpers';

/** Boxes as the browser draws them, in page pixels. */
type Box = { x: number; y: number; width: number; height: number };
const apart = (a: Box, b: Box): boolean => a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;

test('the Data Pipelines ensemble (five inputs) fits its panel without scrolling, its edge labels apart and readable', async ({ page }) => {
  const view = await openModel(page, 'data_pipeline', 'ensemble_model');
  await view.getByTestId('tab-ensemble').click();
  const dag = view.getByTestId('ensemble-dag');
  await expect(dag).toBeVisible();
  const col = dag.locator('xpath=..');
  const { scroll, client } = await col.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
  const labels = dag.locator('.edge-label');
  expect(await labels.count()).toBeGreaterThanOrEqual(5);
  const boxes = await labels.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })));
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(apart(boxes[i]!, boxes[j]!), `labels ${i} and ${j}`).toBe(true);
  // Readable: the drawing is not shrunk below 85% of its size, so 10.5px labels stay at least 9px.
  const scale = await dag.evaluate((svg) => svg.getBoundingClientRect().width / Number((svg.getAttribute('viewBox') ?? '0 0 1 1').split(' ')[2]));
  expect(scale).toBeGreaterThan(0.85);
  await shot(page, 'ensemble-dag-data-pipeline');
});

test('a missing member is drawn red with its reason, and its diagnostic points at the model_name line', async ({ page }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-ens-'));
  const repo = path.join(dir, 'pipeline_missing');
  try {
    cpSync(path.resolve('sample-repos/data_pipeline'), repo, { recursive: true });
    rmSync(path.join(repo, 'model2'), { recursive: true, force: true });
    await page.goto('/');
    await page.getByTestId('open-path').fill(repo);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('repo-pipeline_missing').getByTestId('model-ensemble_model').locator('.model-main').click();
    const view = page.getByTestId('model-view-ensemble_model');
    await view.getByTestId('tab-ensemble').click();
    const node = view.locator('[data-testid=ensemble-node][data-model=model2]');
    await expect(node).toHaveAttribute('data-member', 'missing');
    await expect(node.getByTestId('ensemble-member-problem')).toContainText('missing');
    await expect(node).toHaveAttribute('aria-label', /model2 is not in this repository/);
    // model1 is there (unavailable only while the copied folder's code is untrusted), not missing.
    await expect(view.locator('[data-testid=ensemble-node][data-model=model1]')).not.toHaveAttribute('data-member', 'missing');
    await shot(page, 'ensemble-dag-missing-member');
    // The finding sits on the step's model_name line (77 in the sample's config), not on `ensemble_scheduling {`.
    await view.getByTestId('tab-config').click();
    await expect(view.locator('[data-testid=inline-diagnostic][data-line="77"]')).toContainText('not available or ambiguous: model2');
    await page.goto('/');
    await page.getByTestId('close-pipeline_missing').click();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
