import { defineConfig } from 'vitest/config';

/** `npm run bench:engine`: measurement scripts, run once, printing tables (never timed assertions). */
export default defineConfig({
  test: {
    include: ['bench/**/*.run.ts'],
    environment: 'node',
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
