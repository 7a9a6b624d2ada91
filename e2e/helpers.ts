import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';

/** A full-page screenshot in the test's output folder. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
}

/**
 * The language and theme asked for, whatever an earlier test left in the lab's settings: the
 * language button until it holds (the saved settings arrive after the first paint and may set it
 * again), the theme button (system → light → dark) until the page has the theme.
 */
export async function setLook(page: Page, zh: boolean, dark: boolean): Promise<void> {
  const lang = zh ? 'zh-CN' : 'en';
  await expect(async () => {
    if ((await page.getByTestId('lang-switch').getAttribute('title')) !== lang) await page.getByTestId('lang-switch').click();
    await expect(page.getByTestId('lang-switch')).toHaveAttribute('title', lang, { timeout: 1_000 });
  }).toPass();
  const theme = dark ? 'dark' : 'light';
  for (let i = 0; i < 3 && (await page.locator('html').getAttribute('data-theme')) !== theme; i++) {
    await page.getByTestId('theme-switch').click();
    await page.waitForTimeout(150);
  }
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

/** Opens a model of a sample repository and returns its model view. */
export async function openModel(page: Page, repo: string, model: string): Promise<Locator> {
  await page.goto('/');
  await page.getByTestId(`repo-${repo}`).getByTestId(`model-${model}`).locator('.model-main').click();
  const view = page.getByTestId(`model-view-${model}`);
  await expect(view).toBeVisible();
  return view;
}

/** The five outputs of the Data Pipelines ensemble (the TypeScript and the Python sample alike). */
export const DATA_PIPELINE_OUTPUTS = ['ensemble_output_string', 'ensemble_output_UINT8_array', 'ensemble_output_INT8_array', 'ensemble_output_FP32_image', 'ensemble_output_bool'];

/** Runs a data pipeline ensemble from its Run tab with the default inputs and waits for all five outputs. */
export async function runDataPipeline(view: Locator): Promise<void> {
  await view.getByTestId('tab-run').click();
  await view.getByTestId('run-button').click();
  for (const name of DATA_PIPELINE_OUTPUTS) {
    await expect(view.getByTestId(`output-${name}`)).toBeVisible({ timeout: 30_000 });
  }
}

/**
 * `model-lab serve ARGS` from the built CLI (MODEL_LAB_OUT), a Triton server the lab did not open,
 * ready once `http://127.0.0.1:PORT<readyPath>` answers 200. Refuses a port something already
 * answers on (a server left from another run would be tested in its place) and fails at once, with
 * the end of its stderr, when the server exits before it is ready.
 */
export async function startServe(args: string[], port: number, readyPath: string, ms = 30_000): Promise<ChildProcess> {
  const base = `http://127.0.0.1:${port}`;
  const answers = (url: string): Promise<boolean> =>
    fetch(url).then(
      (r) => r.ok,
      () => false,
    );
  const taken = await fetch(`${base}/v2/health/live`).then(
    () => true,
    () => false,
  );
  if (taken) throw new Error(`something already answers on port ${port}; stop it or move the spec's port (E2E_*_PORT)`);
  const cli = path.resolve(process.env['MODEL_LAB_OUT'] ?? 'out', 'main/cli.js');
  const child = spawn(process.execPath, [cli, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const end = Date.now() + ms;
  while (!(await answers(`${base}${readyPath}`))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`model-lab serve exited before ${readyPath} was ready:\n${stderr}`);
    if (Date.now() > end) {
      await stopServe(child);
      throw new Error(`model-lab serve on ${port}: ${readyPath} not ready within ${ms} ms\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return child;
}

/** Stops a server startServe started and waits until it has exited (its ports are free again). */
export async function stopServe(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill();
  await exited;
}
