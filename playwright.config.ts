import { defineConfig } from '@playwright/test';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Port, build folder and results folder can be moved (E2E_PORT, MODEL_LAB_OUT, E2E_RESULTS) so that
 * two checkouts or two people on one machine can run e2e at once; the defaults are what CI uses. So
 * can the `model-lab serve` instances that specs start, each on 3 ports from its base
 * (E2E_REMOTE_PORT 18210, E2E_METRICS_PORT 18320, E2E_PROFILE_PORT 18500).
 */
const PORT = Number(process.env['E2E_PORT'] ?? 4173);
const OUT = process.env['MODEL_LAB_OUT'] ?? 'out';
const RESULTS = process.env['E2E_RESULTS'] ?? 'test-results';
/**
 * The lab's token for this run (lab-server.js reads MODEL_LAB_TOKEN): the browser starts signed in
 * with its cookie, as the window `npm start` opens does. e2e/auth.spec.ts checks the lab without it.
 */
export const E2E_TOKEN = 'e2e-token-not-a-secret-0123456789';
export const E2E_PORT = PORT;
export const E2E_BASE = `http://127.0.0.1:${PORT}`;
const chromium = process.env['CHROMIUM_PATH'] ?? '/usr/lib/chromium/chromium';
/**
 * A settings folder of its own, so trusted folders, recents, and what the lab keeps beside its settings
 * file (profiles.json, remote server credentials, converted/) never leak between runs.
 */
const settingsDir = path.join(os.tmpdir(), `model-lab-e2e-${process.pid}`);
// Workers load this file too (with their own pid); only the runner starts the lab, so only it makes the folder.
// It holds credentials and profiles of this run only: removed when the runner exits (after it has stopped the lab).
if (process.env['TEST_WORKER_INDEX'] === undefined) {
  mkdirSync(settingsDir, { recursive: true });
  process.on('exit', () => rmSync(settingsDir, { recursive: true, force: true }));
}
const settings = path.join(settingsDir, 'settings.json');

/**
 * End-to-end tests drive Debian's Chromium against the lab in browser mode,
 * with the real engine behind it (node out/main/lab-server.js).
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 30_000,
  expect: { timeout: 8_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  outputDir: RESULTS,
  reporter: [['list'], ['json', { outputFile: `${RESULTS}/e2e.json` }]],
  use: {
    baseURL: `${E2E_BASE}/`,
    storageState: {
      cookies: [{ name: `model-lab-token-${PORT}`, value: E2E_TOKEN, domain: '127.0.0.1', path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Strict' }],
      origins: [],
    },
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `node ${OUT}/main/lab-server.js --port ${PORT} --samples sample-repos --settings ${settings}`,
    env: { MODEL_LAB_TOKEN: E2E_TOKEN },
    // Ready once it answers (401 without the token counts).
    url: `${E2E_BASE}/`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
  },
});
