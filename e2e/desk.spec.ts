/**
 * The desk's paper cuts (issue 14, points 6–8 and part of 9): the model log
 * after Unload then Load, walkthrough cards that dock away from what they
 * point at, the cold-start splash, the Versions row and Statistics, the serve
 * switch (default repository, Esc, steady width), JS/Python in the file view,
 * in:/out: in Chinese, and the CLI piped into a reader that closes early.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { openModel, shot } from './helpers';

test.use({ viewport: { width: 1440, height: 900 } });

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box): number => {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
};

async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  expect(b).not.toBeNull();
  return b!;
}

async function chinese(page: Page): Promise<void> {
  await page.addInitScript("localStorage.setItem('model-lab.locale', 'zh-CN')");
}

test('Log after Unload then Load tells what happened, in both languages', async ({ page }) => {
  const view = await openModel(page, 'quick_deploy_onnx', 'text_direction');
  await view.getByTestId('model-unload').click();
  await expect(view.getByTestId('model-reload')).toHaveText('Load');
  await view.getByTestId('tab-log').click();
  await expect(view.locator('[data-event=unloaded]').last()).toContainText('Version 1 unloaded');
  await shot(page, 'log-after-unload');
  await view.getByTestId('model-reload').click();
  await expect(view.getByTestId('model-reload')).toHaveText('Reload', { timeout: 20_000 });
  // The tab polls: wait for the new load's lines.
  const events = () => view.locator('[data-event]').evaluateAll((els) => els.map((e) => e.getAttribute('data-event')).slice(-4));
  await expect.poll(events, { timeout: 10_000 }).toEqual(['unloaded', 'reloaded', 'loading', 'loaded']);
  await expect(view.locator('[data-event=loaded]').last()).toContainText(/Version 1 loaded, ready for requests \(\d+ ms/);
  await expect(view.getByTestId('model-log')).not.toContainText('Nothing logged yet');
  await shot(page, 'log-after-unload-load');
  await page.getByTestId('lang-switch').click();
  await expect(view.locator('[data-event=loaded]').last()).toContainText('版本 1 已加载，可以接收请求');
  await shot(page, 'log-after-unload-load-zh');
  await page.getByTestId('lang-switch').click();
});

test('walkthrough cards never cover the highlighted area ("Run it", "Read the timeline")', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await page.getByTestId('walkthrough-open').click();
  await page.getByTestId('walkthrough-item-model-ensembles').getByRole('button').first().click();
  const card = page.getByTestId('walkthrough-card');
  const seen: string[] = [];
  for (let i = 0; i < 12; i++) {
    if (await page.getByTestId('walkthrough-done').isVisible()) break;
    const title = (await card.getByTestId('walkthrough-step-title').textContent())!.trim();
    const next = card.getByTestId('walkthrough-next');
    if (!(await next.isEnabled())) await card.getByTestId('walkthrough-showme').click();
    await expect(next).toBeEnabled({ timeout: 60_000 });
    // Re-pointing runs every 400 ms, then the card glides: let it settle.
    await page.waitForTimeout(900);
    const target = page.locator('.wt-highlight');
    if ((await target.count()) === 1 && (await target.isVisible())) {
      const dock = await card.getAttribute('data-dock');
      const covered = overlap(await box(card), await box(target));
      seen.push(`${title}: ${dock}`);
      if (dock !== 'least') expect(covered, `card over the target on "${title}"`).toBe(0);
      if (/Run it|Read the timeline/.test(title)) await shot(page, `walkthrough-${title.toLowerCase().replace(/\W+/g, '-')}`);
    }
    if (/Read the timeline/.test(title)) break;
    await next.click();
  }
  expect(seen.some((s) => s.startsWith('Read the timeline'))).toBe(true);
  expect(seen.some((s) => s.startsWith('Run it'))).toBe(true);
  // At 1280×720 too, after a resize.
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.waitForTimeout(900);
  const target = page.locator('.wt-highlight');
  if ((await card.getAttribute('data-dock')) !== 'least') expect(overlap(await box(card), await box(target))).toBe(0);
  await shot(page, 'walkthrough-timeline-1280');
});

for (const scheme of ['light', 'dark'] as const) {
  for (const lang of ['en', 'zh-CN'] as const) {
    test(`cold start shows the splash, then what it waits for (${lang}, ${scheme})`, async ({ page }) => {
      if (lang === 'zh-CN') await chinese(page);
      await page.emulateMedia({ colorScheme: scheme });
      // Hold the app's code back, as a slow disk would, and the first repository list after it.
      let release = (): void => undefined;
      const held = new Promise<void>((r) => (release = r));
      await page.route('**/assets/*.js', async (route) => {
        await held;
        await route.continue();
      });
      let releaseRepos = (): void => undefined;
      const reposHeld = new Promise<void>((r) => (releaseRepos = r));
      await page.route('**/api/lab/listRepositories', async (route) => {
        await reposHeld;
        await route.continue();
      });
      await page.goto('/', { waitUntil: 'commit' });
      const splash = page.getByTestId('splash');
      await expect(splash).toBeVisible();
      await expect(splash).toContainText('Model Lab');
      await expect(splash).toContainText(lang === 'en' ? 'Starting the lab…' : '正在启动 Model Lab…');
      await expect(splash.locator(`[lang=${lang === 'en' ? 'zh-CN' : 'en'}]`)).toBeHidden();
      await shot(page, `splash-${lang}-${scheme}`);
      release();
      await expect(splash).toContainText(lang === 'en' ? 'Opening your model repositories…' : '正在打开模型仓库…');
      await shot(page, `splash-repositories-${lang}-${scheme}`);
      releaseRepos();
      await expect(splash).toHaveCount(0);
      await expect(page.getByTestId('repo-quick_deploy_onnx')).toBeVisible();
    });
  }
}

test('the Versions row keeps clear of the Statistics heading', async ({ page }) => {
  const view = await openModel(page, 'quick_deploy_onnx', 'text_direction');
  const stats = view.getByTestId('model-stats');
  await expect(stats).toBeVisible();
  const versions = await box(view.locator('ul.versions'));
  const heading = await box(stats.locator('h3'));
  expect(heading.y).toBeGreaterThanOrEqual(versions.y + versions.height + 8);
  await stats.scrollIntoViewIfNeeded();
  await shot(page, 'versions-statistics');
});

test('serve switch: the selected model’s repository, Esc closes it, and the button keeps its width', async ({ page }) => {
  for (const lang of ['en', 'zh-CN'] as const) {
    await openModel(page, 'ocr_ensemble', 'ensemble_model');
    const toggle = page.getByTestId('serve-toggle');
    const before = await box(toggle);
    await toggle.click();
    const panel = page.getByTestId('serve-panel');
    const chosen = panel.getByTestId('serve-repo');
    await expect(chosen.locator('option:checked')).toHaveText('ocr_ensemble');
    await shot(page, `serve-default-${lang}`);
    await panel.getByTestId('serve-host').focus();
    await page.keyboard.press('Escape');
    await expect(panel).toBeHidden();
    await expect(toggle).toBeFocused();
    await toggle.click();
    for (const id of ['serve-http-port', 'serve-grpc-port', 'serve-metrics-port']) await panel.getByTestId(id).fill('0');
    await panel.getByTestId('serve-start').click();
    await expect(panel.getByTestId('serve-running')).toBeVisible({ timeout: 20_000 });
    const during = await box(toggle);
    expect(during.width).toBeCloseTo(before.width, 0);
    expect(during.x).toBeCloseTo(before.x, 0);
    await shot(page, `serve-running-${lang}`);
    await panel.getByTestId('serve-stop').click();
    await expect(panel.getByTestId('serve-start')).toBeVisible();
    await page.keyboard.press('Escape');
    if (lang === 'en') {
      await page.getByTestId('lang-switch').click();
      await expect(page.getByTestId('lang-switch')).toContainText('English');
    } else await page.getByTestId('lang-switch').click();
  }
});

test('Python and JavaScript files have line numbers and colours', async ({ page }) => {
  for (const [repo, file] of [
    ['data_pipeline_python', 'model.py'],
    ['data_pipeline', 'model.js'],
  ] as const) {
    await page.goto('/');
    const item = page.getByTestId(`repo-${repo}`).getByTestId('model-model1');
    await item.getByRole('button', { name: 'model1' }).first().click();
    await page.getByTestId(`repo-${repo}`).locator(`[data-testid$="/${file}"], [data-testid="file-${file}"]`).first().click();
    const source = page.getByTestId('file-source');
    await expect(source).toBeVisible();
    await expect(source).toHaveAttribute('data-lang', file.endsWith('.py') ? 'python' : 'js');
    await expect(source.locator('.gutter').first()).toHaveText('1');
    expect(await source.locator('.ck-keyword').count()).toBeGreaterThan(3);
    expect(await source.locator('.ck-string, .ck-comment').count()).toBeGreaterThan(0);
    await shot(page, `file-${file.replace('.', '-')}`);
  }
});

test('ensemble steps: member names are links apart from their version, and read 输入/输出 in Chinese (the one EnsembleStepList)', async ({ page }) => {
  const view = await openModel(page, 'ocr_ensemble', 'ensemble_model');
  await view.getByTestId('tab-overview').click();
  const steps = view.getByTestId('ensemble-step-list');
  const first = steps.locator('li').first();
  await expect(first.getByTestId('step-member-link')).toHaveText('detection_preprocessing');
  await expect(first.getByTestId('step-version')).toHaveText('latest version');
  const name = await box(first.getByTestId('step-member-link'));
  expect((await box(first.getByTestId('step-version'))).x).toBeGreaterThanOrEqual(name.x + name.width + 4);
  await shot(page, 'ensemble-steps-en');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('lang-switch')).toHaveText(/English/);
  await expect(steps.locator('dt').first()).toHaveText('输入');
  await expect(steps.locator('dt').nth(1)).toHaveText('输出');
  await expect(steps).not.toContainText('in:');
  await steps.scrollIntoViewIfNeeded();
  await shot(page, 'ensemble-steps-zh');
  await page.getByTestId('lang-switch').click();
  await steps.getByTestId('step-member-link').nth(1).click();
  await expect(page.getByTestId('model-view-text_detection')).toBeVisible();
});

test('the built CLI piped into a reader that closes early exits 0 without a word', async () => {
  const cli = path.resolve(process.env['MODEL_LAB_OUT'] ?? 'out', 'main/cli.js');
  const child = spawn(process.execPath, [cli, 'validate', 'sample-repos/quick_deploy_onnx'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).toBe('');
  expect(code).toBe(0);
});
