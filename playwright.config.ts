import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

const PORT = 4173;
const chromium = process.env['CHROMIUM_PATH'] ?? '/usr/lib/chromium/chromium';
/** A settings file of its own, so trusted folders and recents from other runs never leak in. */
const settings = path.join(os.tmpdir(), `model-lab-e2e-settings-${process.pid}.json`);

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
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `node out/main/lab-server.js --port ${PORT} --samples sample-repos --settings ${settings}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
  },
});
