import { expect, test } from '@playwright/test';
import path from 'node:path';
import { openModel, shot } from './helpers';

test('a typed path outside the open repositories is refused in place; the sample images and uploads still work', async ({ page }) => {
  const view = await openModel(page, 'ocr_ensemble', 'ensemble_model');
  await view.getByTestId('tab-run').click();
  const source = view.getByTestId('source-input_image');
  await source.getByTestId('source-mode-path').click();
  const input = source.getByTestId('path-input_image');
  await input.fill('/etc/passwd');
  await input.blur();
  await expect(source.getByTestId('path-refused-input_image')).toContainText('Upload the file in the File tab');
  await shot(page, 'playground-path-refused');
  // The engine refuses it too, whatever the form says.
  await view.getByTestId('run-button').click();
  await expect(view.getByTestId('run-call-error')).toContainText('not inside an open repository');

  await input.fill(path.resolve('resources/sample-images/mixed-report.png'));
  await input.blur();
  await expect(source.getByTestId('path-refused-input_image')).toHaveCount(0);
  await view.getByTestId('run-button').click();
  await expect(view.getByTestId('output-recognized_text').getByTestId('strings-view')).toContainText('Weekly Report', { timeout: 30_000 });

  await input.fill('/etc/passwd');
  await input.blur();
  await source.getByTestId('use-upload-input_image').click();
  await expect(source.getByTestId('file-input_image')).toBeAttached();
});
