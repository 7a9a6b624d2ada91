import { defineConfig } from '@playwright/test';
import { chooseTarget } from './e2e-electron/electron-app';

/**
 * The Electron smoke tests (e2e-electron/): the desktop app itself, driven by Playwright's
 * `_electron`. They need an Electron binary — the packed app (MODEL_LAB_APP, set by the release
 * workflow from scripts/release/find-app.mjs) or node_modules/electron's download — and are
 * reported as SKIPPED with the reason when there is none. E2E_ELECTRON_REQUIRE=1 (release CI) makes
 * a missing Electron a failure. Results go to E2E_RESULTS (test-results-electron by default), with
 * the JSON report `npm test` counts.
 *
 *   npx playwright test -c playwright.electron.config.ts
 *   node scripts/release/smoke.mjs            (the same, with xvfb and the network namespace where they apply)
 */
const RESULTS = process.env['E2E_RESULTS'] ?? 'test-results-electron';
const choice = chooseTarget(process.env);
if (process.env['TEST_WORKER_INDEX'] === undefined) {
  if ('skip' in choice) {
    if (process.env['E2E_ELECTRON_REQUIRE'] === '1') throw new Error(`E2E_ELECTRON_REQUIRE=1 but the Electron smoke tests cannot run: ${choice.skip}`);
    // Playwright's list reporter marks skipped tests with '-' but does not print why: say it once here.
    process.stdout.write(`\nElectron smoke tests SKIPPED: ${choice.skip}\n\n`);
  } else process.stdout.write(`\nElectron smoke tests run ${'target' in choice ? choice.target.describe : choice.describe}\n\n`);
}

export default defineConfig({
  testDir: 'e2e-electron',
  // One Electron app for the whole file: a first start, then what a new user does in it.
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  outputDir: RESULTS,
  reporter: [['list'], ['json', { outputFile: `${RESULTS}/e2e-electron.json` }]],
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
});
