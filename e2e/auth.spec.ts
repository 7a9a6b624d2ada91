import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeLaunchPage } from '../electron/server/chromium';
import { E2E_BASE, E2E_PORT, E2E_TOKEN } from '../playwright.config';

// A browser that was never given the token: no cookie.
test.use({ storageState: { cookies: [], origins: [] } });

test('the lab API refuses a browser without the token, and the printed address signs it in', async ({ page }) => {
  const api = page.context().request;
  const refused = await api.post(`${E2E_BASE}/api/lab/listRepositories`, { data: {} });
  expect(refused.status()).toBe(401);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  expect(
    (await api.post(`${E2E_BASE}/api/lab/runModel`, { data: { repoId: 'x', model: 'y', inputs: [{ name: 'i', kind: 'bytes', dtype: 'UINT8', source: { path: '/etc/passwd' } }] } })).status(),
  ).toBe(401);

  // The page says where the working address is instead of showing a broken app.
  const bare = await page.goto('/');
  expect(bare?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('?token=');
  await expect(page.getByTestId('repo-ocr_ensemble')).toHaveCount(0);

  // The printed address: the cookie, then the address without the token.
  await page.goto(`/?token=${E2E_TOKEN}`);
  await page.waitForURL(`${E2E_BASE}/`);
  await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible();
  const cookies = await page.context().cookies();
  expect(cookies).toContainEqual(expect.objectContaining({ name: `model-lab-token-${E2E_PORT}`, httpOnly: true, sameSite: 'Strict' }));
  expect((await api.post(`${E2E_BASE}/api/lab/listRepositories`, { data: {} })).status()).toBe(200);

  // A token from an earlier start does not sign in.
  await page.context().clearCookies();
  const stale = await page.goto('/?token=from-an-earlier-start-0123456789');
  expect(stale?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('earlier');
});

test('the window npm start opens (a private launch page) arrives signed in', async ({ page }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-e2e-launch-'));
  try {
    const launch = writeLaunchPage(dir, `${E2E_BASE}/?token=${E2E_TOKEN}`);
    await page.goto(pathToFileURL(launch).href);
    await page.waitForURL(`${E2E_BASE}/`);
    await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
