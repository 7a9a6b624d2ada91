import { expect, test } from '@playwright/test';

test('serves an open repository to Triton clients from the serve panel, then stops', async ({ page, request }) => {
  await page.goto('/');
  await expect(page.getByTestId('repo-quick_deploy_onnx')).toBeVisible();
  await page.getByTestId('serve-toggle').click();
  const panel = page.getByTestId('serve-panel');
  await expect(panel).toBeVisible();
  const repoId = await panel.getByTestId('serve-repo').locator('option', { hasText: 'quick_deploy_onnx' }).getAttribute('value');
  await panel.getByTestId('serve-repo').selectOption(repoId!);
  for (const id of ['serve-http-port', 'serve-grpc-port', 'serve-metrics-port']) await panel.getByTestId(id).fill('0');
  await panel.getByTestId('serve-start').click();
  await expect(panel.getByTestId('serve-running')).toBeVisible();
  await expect(page.getByTestId('serve-toggle')).toContainText('Serving');
  const base = (await panel.getByTestId('serve-http').textContent())!.trim();
  expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

  // The same models the lab loaded, through Triton's protocol.
  const ready = await request.get(`${base}/v2/health/ready`);
  expect(ready.status()).toBe(200);
  const index = (await (await request.post(`${base}/v2/repository/index`, { data: {} })).json()) as { name: string; state: string }[];
  expect(index).toContainEqual(expect.objectContaining({ name: 'text_direction', state: 'READY' }));
  const meta = (await (await request.get(`${base}/v2/models/text_direction`)).json()) as { inputs: { shape: number[] }[] };
  expect(meta.inputs[0]!.shape).toEqual([-1, 3, -1, -1]);

  await panel.getByTestId('serve-stop').click();
  await expect(panel.getByTestId('serve-start')).toBeVisible();
  await expect(request.get(`${base}/v2/health/live`, { timeout: 2000 })).rejects.toThrow();
});

test('a port already in use is reported in the panel, and nothing is left running', async ({ page, baseURL }) => {
  await page.goto('/');
  await expect(page.getByTestId('repo-quick_deploy_onnx')).toBeVisible();
  await page.getByTestId('serve-toggle').click();
  const panel = page.getByTestId('serve-panel');
  const taken = new URL(baseURL!).port;
  await panel.getByTestId('serve-http-port').fill(taken);
  await panel.getByTestId('serve-grpc-port').fill('0');
  await panel.getByTestId('serve-metrics-port').fill('0');
  await panel.getByTestId('serve-start').click();
  await expect(panel.getByTestId('serve-error')).toContainText(`failed to start HTTP service on 127.0.0.1:${taken}: address already in use`);
  await expect(panel.getByTestId('serve-start')).toBeVisible();
});
