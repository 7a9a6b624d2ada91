/**
 * The workspace (issue 14, points 1 and 5): work survives a restart, the recent list (Ctrl+R), the
 * tree's filter, width and hide switch, the breadcrumb, one-line repository headers, and a folder
 * that is not a model repository refused with the reason. The restart test runs its own lab server
 * (its own port and settings file) so it can stop and start it; the rest use the shared one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { E2E_TOKEN } from '../playwright.config';
import { shot } from './helpers';

test.use({ viewport: { width: 1440, height: 900 } });

const OUT = process.env['MODEL_LAB_OUT'] ?? 'out';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

interface LabServer {
  base: string;
  stop(): Promise<void>;
}

/** Starts `lab-server.js` on a free port with this settings file; resolves once it opened what it opens at start. */
async function startServer(settings: string): Promise<LabServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('node', [`${OUT}/main/lab-server.js`, '--port', String(port), '--settings', settings, '--samples', 'sample-repos', '--no-open'], {
    env: { ...process.env, MODEL_LAB_TOKEN: E2E_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lab server did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (/Opened \d+ repositor/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`lab server exited (${code}):\n${output}`)));
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { base: `http://127.0.0.1:${port}`, stop };
}

async function openLab(browser: Browser, server: LabServer): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto(`${server.base}/?token=${E2E_TOKEN}`);
  await page.waitForURL(`${server.base}/`);
  return page;
}

/** The repositories in the tree, top to bottom. */
async function treeOrder(page: Page): Promise<string[]> {
  return (await page.locator('section.repo').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''))).map((id) => id.replace(/^repo-/, ''));
}

async function crumbs(page: Page): Promise<string[]> {
  return (await page.getByTestId('breadcrumb').locator('li').allInnerTexts()).map((s) => s.replace('›', '').trim());
}

test('reopens the same repositories, in the same order, with the same selection after a restart', async ({ browser }) => {
  test.setTimeout(120_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-workspace-'));
  const settings = path.join(dir, 'settings.json');
  const mine = path.join(dir, 'my_onnx_models');
  cpSync(path.resolve('sample-repos/quick_deploy_onnx'), mine, { recursive: true });
  let server = await startServer(settings);
  try {
    // First start: the samples.
    let page = await openLab(browser, server);
    await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible();
    await page.getByTestId('close-data_pipeline_python').click();
    await expect(page.getByTestId('repo-data_pipeline_python')).toHaveCount(0);

    // A repository opened by path is selected and scrolled into view.
    await page.getByTestId('open-path').fill(mine);
    await page.getByTestId('open-submit').click();
    const repo = page.getByTestId('repo-my_onnx_models');
    await expect(repo).toBeInViewport();
    expect(await crumbs(page)).toEqual(['my_onnx_models']);
    await repo.getByTestId('model-text_direction').locator('.model-main').click();
    await repo.getByTestId('version-text_direction-1').click();
    await expect(page.getByTestId('model-view-text_direction')).toBeVisible();
    expect(await crumbs(page)).toEqual(['my_onnx_models', 'text_direction', 'version 1']);
    await page.getByTestId('model-view-text_direction').getByTestId('tab-run').click();
    const before = await treeOrder(page);
    expect(before).toEqual([
      'data_pipeline',
      'ocr_bls',
      'ocr_bls_python',
      'ocr_ensemble',
      'ocr_ensemble_python',
      'quick_deploy_onnx',
      'quick_deploy_pytorch',
      'sequence_accumulator',
      'my_onnx_models',
    ]);
    await expect
      .poll(() => (existsSync(settings) ? (JSON.parse(readFileSync(settings, 'utf8')) as { workspace?: { selection?: unknown } }).workspace?.selection : undefined))
      .toEqual({
        path: mine,
        model: 'text_direction',
        version: 1,
        tab: 'run',
      });
    await shot(page, 'workspace-before-restart');
    await page.context().close();
    await server.stop();

    // Second start: the same workspace, not the samples again.
    server = await startServer(settings);
    page = await openLab(browser, server);
    await expect(page.getByTestId('model-view-text_direction')).toBeVisible();
    expect(await treeOrder(page)).toEqual(before);
    expect(await crumbs(page)).toEqual(['my_onnx_models', 'text_direction', 'version 1']);
    // On the tab it was left on.
    await expect(page.getByTestId('model-view-text_direction').getByTestId('tab-run')).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('repo-my_onnx_models').getByTestId('model-text_direction').locator('.row, .model-main').first()).toBeVisible();
    await shot(page, 'workspace-after-restart');
    await page.context().close();
    await server.stop();

    // A remembered folder that vanished is skipped and reported; the rest open.
    rmSync(mine, { recursive: true, force: true });
    server = await startServer(settings);
    page = await openLab(browser, server);
    await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible();
    const note = page.getByTestId('workspace-skipped');
    await expect(note).toContainText('1 folder from the last session did not open');
    await expect(note).toContainText(`'${mine}' does not exist`);
    expect(await treeOrder(page)).toEqual(before.slice(0, -1));
    await shot(page, 'workspace-vanished-folder');
    await page.context().close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// The shared server keeps the language other specs chose; these tests read English.
test.beforeEach(async ({ page }) => {
  const base = test.info().project.use.baseURL ?? '';
  if (base) expect((await page.request.post(`${base}api/lab/setSettings`, { data: { locale: 'en' } })).ok()).toBe(true);
});

test('Ctrl+R opens the recent list in the page instead of reloading it; it is keyboard driven', async ({ page }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-recent-'));
  const mine = path.join(dir, 'recent_repo');
  cpSync(path.resolve('sample-repos/quick_deploy_onnx'), mine, { recursive: true });
  try {
    await page.goto('/');
    await page.getByTestId('open-path').fill(mine);
    await page.getByTestId('open-submit').click();
    await expect(page.getByTestId('repo-recent_repo')).toBeVisible();
    await page.getByTestId('close-recent_repo').click();
    await expect(page.getByTestId('repo-recent_repo')).toHaveCount(0);

    await page.evaluate('window.__notReloaded = true');
    await page.locator('body').click();
    await page.keyboard.press('Control+r');
    const list = page.getByTestId('recent-list');
    await expect(list).toBeVisible();
    expect(await page.evaluate('window.__notReloaded')).toBe(true);
    await expect(page.getByTestId('open-path')).toBeFocused();
    await expect(list.getByTestId('recent-item').first()).toContainText('recent_repo');
    await shot(page, 'recent-list');
    await page.keyboard.press('Escape');
    await expect(list).toHaveCount(0);
    await page.keyboard.press('ArrowDown');
    await expect(list).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('repo-recent_repo')).toBeInViewport();
    // The selection follows the open (more sample repositories make the tree slower to settle).
    await expect.poll(() => crumbs(page)).toEqual(['recent_repo']);
    await page.getByTestId('close-recent_repo').click();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the filter finds models across repositories and says when nothing matches', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible();
  const all = await page.locator('section.repo').count();
  const filter = page.getByTestId('tree-filter');
  await filter.fill('text_det');
  // The OCR samples and their Python twins share text_detection.
  await expect(page.locator('section.repo')).toHaveCount(4);
  for (const repo of ['ocr_bls', 'ocr_bls_python', 'ocr_ensemble', 'ocr_ensemble_python']) {
    await expect(page.getByTestId(`repo-${repo}`).getByTestId('model-text_detection')).toBeVisible();
  }
  await expect(page.getByTestId('repo-quick_deploy_pytorch')).toHaveCount(0);
  await shot(page, 'tree-filter');
  // Same name, two repositories: the breadcrumb says which.
  await page.getByTestId('repo-ocr_bls').getByTestId('model-text_detection').locator('.model-main').click();
  expect(await crumbs(page)).toEqual(['ocr_bls', 'text_detection']);
  await page.getByTestId('repo-ocr_ensemble').getByTestId('model-text_detection').locator('.model-main').click();
  expect(await crumbs(page)).toEqual(['ocr_ensemble', 'text_detection']);
  await filter.fill('no_such_model');
  await expect(page.getByTestId('tree-no-match')).toContainText('No model matches “no_such_model”');
  await shot(page, 'tree-filter-no-match');
  await filter.press('Escape');
  await expect(page.locator('section.repo')).toHaveCount(all);
});

test('the tree is resizable (drag and keyboard, remembered) and collapsible; headers stay on one line', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/');
  await expect(page.getByTestId('repo-data_pipeline_python')).toBeVisible();
  const aside = page.getByTestId('repo-tree-aside');
  const handle = page.getByTestId('sidebar-resizer');
  const start = (await aside.boundingBox())!.width;
  const h = (await handle.boundingBox())!;
  await page.mouse.move(h.x + h.width / 2, h.y + 200);
  await page.mouse.down();
  await page.mouse.move(h.x + 120, h.y + 220, { steps: 5 });
  await page.mouse.up();
  await expect.poll(async () => Math.round((await aside.boundingBox())!.width - start)).toBeGreaterThan(100);
  const wide = (await aside.boundingBox())!.width;
  await page.reload();
  await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible();
  expect(Math.round((await aside.boundingBox())!.width)).toBe(Math.round(wide));

  // The narrowest width: every repository header is still one line, the badge beside the name.
  await handle.focus();
  await page.keyboard.press('Home');
  await expect.poll(async () => Math.round((await aside.boundingBox())!.width)).toBe(200);
  const titles = page.locator('.repo-title:has(.chip)');
  expect(await titles.count()).toBeGreaterThanOrEqual(4);
  for (const title of await titles.all()) {
    const [name, chip] = [await title.locator('.name').boundingBox(), await title.locator('.chip').boundingBox()];
    expect(Math.abs(name!.y + name!.height / 2 - (chip!.y + chip!.height / 2))).toBeLessThan(4);
  }
  await shot(page, 'tree-narrow-1280');

  await page.getByTestId('tree-toggle').click();
  await expect(aside).toBeHidden();
  await shot(page, 'tree-hidden');
  await page.keyboard.press('Control+b');
  await expect(aside).toBeVisible();
  await handle.focus();
  await page.keyboard.press('End');
  await page.keyboard.press('Home');
  await page.getByTestId('sidebar-resizer').dblclick();
});

test('a folder that is not a model repository is refused in place with the reason, and adds nothing', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible();
  const count = await page.locator('section.repo').count();
  const model = path.resolve('sample-repos/quick_deploy_onnx/text_direction');
  await page.getByTestId('open-path').fill(model);
  await page.getByTestId('open-submit').click();
  const error = page.getByTestId('open-error');
  await expect(error).toContainText('looks like a model folder (it holds the version folder 1), not a model repository');
  await expect(error).toContainText(`Open the folder that holds it, '${path.dirname(model)}'`);
  await expect(page.locator('section.repo')).toHaveCount(count);
  await shot(page, 'not-a-repository');
  // In 简体中文 the reason reads in Chinese, Triton-style English kept on the next line.
  await page.getByTestId('lang-switch').click();
  await expect(error).toContainText(`看起来是一个模型文件夹（其中有版本文件夹 1），不是模型仓库。请打开包含它的文件夹“${path.dirname(model)}”。`);
  await expect(error).toContainText('looks like a model folder');
  await shot(page, 'not-a-repository-zh');
  await page.getByTestId('lang-switch').click();
});

test('the recent list, filter and breadcrumb in 简体中文 and the dark theme', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  await expect(page.getByTestId('repo-ocr_ensemble')).toBeVisible();
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('tree-filter')).toHaveAttribute('placeholder', '筛选模型');
  await page.getByTestId('repo-ocr_ensemble').getByTestId('model-text_detection').locator('.model-main').click();
  await page.getByTestId('repo-ocr_ensemble').getByTestId('version-text_detection-1').click();
  expect(await crumbs(page)).toEqual(['ocr_ensemble', 'text_detection', '版本 1']);
  await page.getByTestId('tree-filter').fill('text_rec');
  await page.keyboard.press('Control+r');
  await expect(page.getByTestId('recent-list')).toContainText('最近打开的模型仓库');
  await shot(page, 'workspace-zh-dark');
  await page.keyboard.press('Escape');
  await page.getByTestId('tree-filter').fill('');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('tree-filter')).toHaveAttribute('placeholder', 'Filter models');
});
