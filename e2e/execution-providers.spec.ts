/**
 * The model page says which ONNX Runtime execution provider each instance runs on
 * (quick_deploy_onnx's text_direction: two CPU instances), in English and in Chinese.
 */
import { expect, test } from '@playwright/test';
import { openModel, setLook, shot } from './helpers';

test('the model page shows each instance’s execution provider', async ({ page }) => {
  const view = await openModel(page, 'quick_deploy_onnx', 'text_direction');
  await setLook(page, false, false);
  const eps = view.getByTestId('execution-providers');
  await expect(eps).toContainText('Execution provider', { timeout: 30_000 });
  await expect(eps.getByTestId('ep-group')).toHaveText(['CPUExecutionProvider on CPU, 2 instances: text_direction_0, text_direction_1']);
  await shot(page, 'execution-providers-en');
  await setLook(page, true, false);
  await expect(eps.getByTestId('ep-group')).toHaveText(['CPUExecutionProvider，在 CPU 上，2 个实例：text_direction_0, text_direction_1']);
  await expect(eps).toContainText('执行提供程序');
  await shot(page, 'execution-providers-zh');
  await setLook(page, false, false);
});
