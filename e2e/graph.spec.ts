/**
 * The graph view on the real PaddleOCR detector, as a user checks it against
 * Netron: rows named by role with small constants by value, dims on deep
 * edges, honest counts, and "Run to see" opening an edge's feature maps.
 */
import { expect, test } from '@playwright/test';
import { openModel, shot } from './helpers';

test('the detector graph names inputs by role, shows constants and dims, and "Run to see" opens a feature map', async ({ page }) => {
  test.setTimeout(120_000);
  const view = await openModel(page, 'ocr_ensemble', 'text_detection');
  await view.getByTestId('tab-graph').click();
  const panel = view.getByTestId('graph-panel');
  await expect(panel.getByTestId('graph-node').first()).toBeVisible({ timeout: 20_000 });
  await expect(panel.getByTestId('graph-status')).toContainText('Constant nodes folded');
  // Boxes read like Netron's: weights by role, Clip bounds by value.
  await expect(panel.getByTestId('graph-canvas')).toContainText('W');
  const labels = panel.getByTestId('graph-edge-label');
  await expect(labels.first()).toBeVisible();
  expect((await labels.allTextContents()).filter((t) => /\d+×|×\d+/.test(t)).length).toBeGreaterThan(3);
  await shot(page, 'graph-det-boxes');

  await page.getByTestId('graph-find-input').fill('p2o.BatchNormalization.0');
  await page.getByTestId('graph-find-result').first().click();
  const node = page.getByTestId('graph-sidebar-node');
  await expect(node).toContainText('BatchNormalization');
  const roles = await node.getByTestId('graph-port-role').allTextContents();
  expect(roles.map((r) => r.trim())).toEqual(expect.arrayContaining(['X', 'scale', 'B']));
  await shot(page, 'graph-det-batchnorm');

  await panel.getByTestId('graph-observe-run').click();
  await expect(panel.getByTestId('graph-observe-done')).toBeVisible({ timeout: 90_000 });
  await expect(panel.getByTestId('graph-observe-note')).not.toBeEmpty();
  await panel.locator('g.edge').first().click({ force: true });
  const tensor = panel.getByTestId('graph-observe-tensor');
  await expect(tensor).toBeVisible();
  await expect(tensor.getByTestId('viewer-tab-feature-maps')).toBeVisible({ timeout: 15_000 });
  await shot(page, 'graph-det-run-to-see');
});
