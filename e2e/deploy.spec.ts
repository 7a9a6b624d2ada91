/**
 * The Deploy panel against the real engine: the portability report of the
 * OCR ensemble sample (its ONNX models run on Triton as they are, its script
 * models are lab-only, with their Python twins from ocr_ensemble_python once
 * that sample exists), an export into a temporary folder checked on disk,
 * a second export into the now non-empty folder refused in place, and the
 * panel in 简体中文 and the dark theme. Screenshots are kept as artifacts.
 */
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { shot } from './helpers';

const SCRIPT_MODELS = ['detection_postprocessing', 'detection_preprocessing', 'recognition_postprocessing'];
const ONNX_MODELS = ['text_detection', 'text_recognition'];
const TWINS = path.resolve('sample-repos/ocr_ensemble_python');
const twinsExist = SCRIPT_MODELS.every((m) => existsSync(path.join(TWINS, m, 'config.pbtxt')));

async function cycle(page: Page, id: string, attr: string, want: string): Promise<void> {
  for (let i = 0; i < 3 && (await page.locator('html').getAttribute(attr)) !== want; i++) {
    await page.getByTestId(id).click();
    await page.waitForTimeout(50);
  }
  await expect(page.locator('html')).toHaveAttribute(attr, want);
}

/** Opens the panel on a sample repository and waits for the card of `model`. */
async function openReport(page: Page, repo: string, model: string): Promise<Locator> {
  await page.goto('/');
  await expect(page.getByTestId(`repo-${repo}`)).toBeVisible();
  await page.getByTestId('deploy-toggle').click();
  const panel = page.getByTestId('deploy-panel');
  await expect(panel).toBeVisible();
  const select = panel.getByTestId('deploy-repo');
  const repoId = await select.locator('option', { hasText: new RegExp(`^${repo}$`) }).getAttribute('value');
  await select.selectOption(repoId!);
  await expect(panel.getByTestId(`deploy-model-${model}`)).toBeVisible({ timeout: 20_000 });
  return panel;
}

const openOcrReport = (page: Page) => openReport(page, 'ocr_ensemble', 'text_detection');

test('the OCR ensemble: ONNX models run as they are, script models are lab-only', async ({ page }) => {
  const panel = await openOcrReport(page);
  for (const m of ONNX_MODELS) await expect(panel.getByTestId(`deploy-model-${m}`)).toHaveAttribute('data-verdict', 'as-is');
  for (const m of SCRIPT_MODELS) {
    const card = panel.getByTestId(`deploy-model-${m}`);
    await expect(card).toHaveAttribute('data-verdict', 'lab-only');
    await expect(card.locator('.verdict')).toHaveText(/Lab only/);
    await expect(card.locator('.reasons')).not.toBeEmpty();
  }
  await expect(panel.getByTestId('deploy-chart-as-is')).toHaveText(String(ONNX_MODELS.length));
  await expect(panel.getByTestId('deploy-triton-image')).toContainText(/nvcr\.io\/nvidia\/tritonserver:\d\d\.\d\d-py3/);
  await shot(page, 'deploy-report');
});

test('the script models name their Python twins, and the export swaps them in', async ({ page }) => {
  test.skip(!twinsExist, 'sample-repos/ocr_ensemble_python (the Python twins) is not in this checkout');
  const panel = await openOcrReport(page);
  for (const m of SCRIPT_MODELS) await expect(panel.getByTestId(`deploy-model-${m}`).getByTestId('deploy-twin')).toContainText(`ocr_ensemble_python/${m}`);
  await expect(panel.getByTestId('deploy-use-twins')).toBeChecked();
  await expect(panel.getByTestId('deploy-twins-in')).toContainText('ocr_ensemble_python');
  // The ensemble has no twin of its own: the twins of its steps make it portable, so nothing is left lab-only.
  await expect(panel.getByTestId('deploy-model-ensemble_model').getByTestId('deploy-freed')).toBeVisible();
  await expect(panel.getByTestId('deploy-stranded')).toHaveCount(0);

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'model-lab-e2e-deploy-'));
  try {
    const out = path.join(tmp, 'ocr-triton');
    await panel.getByTestId('deploy-outdir').fill(out);
    await panel.getByTestId('deploy-gpus').fill('0');
    await panel.getByTestId('deploy-submit').click();
    const result = panel.getByTestId('deploy-result');
    await expect(result).toBeVisible({ timeout: 30_000 });
    await expect(result.getByTestId('deploy-result-dir')).toHaveText(out);
    for (const m of SCRIPT_MODELS) await expect(result.getByTestId('deploy-result-swapped')).toContainText(m);
    await expect(result.getByTestId('deploy-result-portable')).toBeVisible();
    await result.scrollIntoViewIfNeeded();
    await shot(page, 'deploy-exported');

    // What the panel lists is what is on disk, byte for byte.
    const rows = await result.getByTestId('deploy-result-files').locator('tbody tr td:first-child').allTextContents();
    for (const f of ['Dockerfile', 'docker-compose.yml', 'README.md']) expect(rows).toContain(f);
    for (const rel of rows) expect((await fs.stat(path.join(out, rel))).isFile(), rel).toBe(true);
    expect(await fs.readFile(path.join(out, 'Dockerfile'), 'utf8')).toMatch(/^FROM nvcr\.io\/nvidia\/tritonserver:/m);
    // The image field left empty: the manifests use the name its placeholder showed.
    const image = await panel.getByTestId('deploy-image').getAttribute('placeholder');
    const compose = await fs.readFile(path.join(out, 'docker-compose.yml'), 'utf8');
    expect(compose.split('\n').map((l) => l.trim().replaceAll('"', ''))).toContain(`image: ${image}`);
    await expect(result.getByTestId('deploy-result-run')).toContainText(`cd '${out}'\ndocker compose up --build`);

    // The exported repository opens in the lab: the script models are Python models there.
    await result.getByTestId('deploy-open-export').click();
    await expect(panel).toHaveCount(0);
    const exported = page.getByTestId('repo-model_repository');
    try {
      for (const m of SCRIPT_MODELS) await expect(exported.getByTestId(`model-${m}`)).toContainText('python');
      await expect(exported.getByTestId('model-text_detection')).toContainText('onnxruntime');
    } finally {
      await page.getByTestId('close-model_repository').click();
      await expect(exported).toHaveCount(0);
    }

    // The folder is no longer empty: a second export is refused in place, and nothing is overwritten.
    const before = await fs.readFile(path.join(out, 'Dockerfile'));
    await page.getByTestId('deploy-toggle').click();
    await expect(panel.getByTestId('deploy-outdir')).toHaveValue(out);
    await panel.getByTestId('deploy-submit').click();
    await expect(panel.getByTestId('deploy-export-error')).toContainText('Export failed');
    await expect(panel.getByTestId('deploy-result')).toHaveCount(0);
    expect(await fs.readFile(path.join(out, 'Dockerfile'))).toEqual(before);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});

test('the BLS pipeline: its script model is lab-only, with its twin from ocr_bls_python', async ({ page }) => {
  test.skip(!existsSync(path.resolve('sample-repos/ocr_bls_python/ocr_pipeline/config.pbtxt')), 'sample-repos/ocr_bls_python is not in this checkout');
  const panel = await openReport(page, 'ocr_bls', 'ocr_pipeline');
  const card = panel.getByTestId('deploy-model-ocr_pipeline');
  await expect(card).toHaveAttribute('data-verdict', 'lab-only');
  await expect(card.getByTestId('deploy-twin')).toContainText('ocr_bls_python/ocr_pipeline');
  for (const m of ['text_detection', 'text_direction', 'text_recognition']) await expect(panel.getByTestId(`deploy-model-${m}`)).toHaveAttribute('data-verdict', 'as-is');
  await expect(panel.getByTestId('deploy-headline-twins')).toHaveText('With the Python twins swapped in, 4 of 4 run on Triton.');
  await shot(page, 'deploy-report-bls');
});

test('a relative output folder is refused before anything is sent', async ({ page }) => {
  const panel = await openOcrReport(page);
  await panel.getByTestId('deploy-outdir').fill('exports/ocr');
  await expect(panel.getByTestId('deploy-outdir-error')).toHaveText('Give the full (absolute) path of the folder.');
  await expect(panel.getByTestId('deploy-submit')).toBeEnabled();
  await panel.getByTestId('deploy-submit').click();
  await expect(panel.getByTestId('deploy-submit')).toBeDisabled();
  await expect(panel.getByTestId('deploy-result')).toHaveCount(0);
});

test.describe('in 简体中文 and the dark theme at 1280×720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('the report and the form read in Chinese', async ({ page }) => {
    const panel = await openOcrReport(page);
    try {
      await cycle(page, 'lang-switch', 'lang', 'zh-CN');
      await cycle(page, 'theme-switch', 'data-theme', 'dark');
      await expect(page.getByTestId('deploy-toggle')).toHaveText('部署');
      await expect(panel.getByTestId('deploy-headline')).toContainText('可在 Triton 上原样运行');
      await expect(panel.getByTestId('deploy-model-text_detection').locator('.verdict')).toHaveText(/可原样运行/);
      const script = panel.getByTestId('deploy-model-detection_postprocessing');
      await expect(script.locator('.verdict')).toHaveText(/仅限 Model Lab/);
      // The engine's reasons read in Chinese, with its English beside them.
      await expect(script.getByTestId('deploy-reason').first()).toContainText('使用 script 后端');
      await expect(script.getByTestId('deploy-reason').first().locator('.english')).toHaveAttribute('lang', 'en');
      await expect(panel.getByTestId('deploy-model-text_detection').getByTestId('deploy-reason').first()).toContainText("后端 'onnxruntime' 包含在 nvcr.io/nvidia/tritonserver:");
      await expect(panel.getByTestId('deploy-export')).toContainText('输出文件夹');
      await shot(page, 'deploy-zh-dark');
      await panel.getByTestId('deploy-export').scrollIntoViewIfNeeded();
      await shot(page, 'deploy-zh-dark-form');
    } finally {
      await cycle(page, 'lang-switch', 'lang', 'en');
      // Back to "system", as the run found it (the setting outlives this test).
      const theme = page.getByTestId('theme-switch');
      for (let i = 0; i < 3 && (await theme.getAttribute('title')) !== 'Theme: system'; i++) await theme.click();
      await expect(theme).toHaveAttribute('title', 'Theme: system');
    }
  });
});
