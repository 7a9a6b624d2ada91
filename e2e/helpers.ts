import { expect, type Locator, type Page, test } from '@playwright/test';

/** A full-page screenshot in the test's output folder. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
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
