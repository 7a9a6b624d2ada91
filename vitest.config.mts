import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

const contract = fileURLToPath(new URL('./electron/contract', import.meta.url));

export default defineConfig({
  resolve: { alias: { '@contract': contract } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['electron/**/*.test.ts', 'scripts/**/*.test.ts'],
          setupFiles: ['electron/engine/testing/vitest-setup.ts'],
          benchmark: { include: ['bench/**/*.bench.ts'] },
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        plugins: [vue()],
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['renderer/**/*.test.ts'],
        },
      },
    ],
  },
});
