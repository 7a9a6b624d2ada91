import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

/** The build folder: `out` unless MODEL_LAB_OUT names another (one level under the root, so `../../resources` still resolves). */
const OUT = process.env['MODEL_LAB_OUT'] ?? 'out';
const contract = fileURLToPath(new URL('./electron/contract', import.meta.url));

/**
 * Python models run the stub and pb_utils as files: out/main/python-backend/ (see backends/python/resources.ts);
 * PyTorch models run the lab's runner, out/main/pytorch-backend/ (backends/pytorch/resources.ts).
 */
function pythonBackendFiles(): Plugin {
  const folders = { 'python-backend': './electron/engine/backends/python/py/', 'pytorch-backend': './electron/engine/backends/pytorch/py/' };
  return {
    name: 'model-lab-python-backend',
    generateBundle() {
      for (const [out, src] of Object.entries(folders)) {
        const dir = fileURLToPath(new URL(src, import.meta.url));
        for (const f of readdirSync(dir).filter((n) => n.endsWith('.py'))) {
          this.emitFile({ type: 'asset', fileName: `${out}/${f}`, source: readFileSync(dir + f, 'utf8') });
        }
      }
      // The script workers run from app.asar.unpacked/out/main, where no package.json says these files
      // are ES modules (the app's own is inside app.asar): say it beside them instead of leaving it to
      // Node's syntax detection or to a package.json that may sit in a folder above the install.
      this.emitFile({ type: 'asset', fileName: 'package.json', source: '{ "type": "module" }\n' });
    },
  };
}

export default defineConfig({
  main: {
    resolve: { alias: { '@contract': contract } },
    plugins: [pythonBackendFiles()],
    build: {
      outDir: `${OUT}/main`,
      // ESM-only dependencies are bundled; native and CJS ones stay external.
      externalizeDeps: { exclude: ['onnx-buf'] },
      rollupOptions: {
        input: {
          index: 'electron/main/index.ts',
          cli: 'electron/cli/index.ts',
          'lab-server': 'electron/server/standalone.ts',
          // The engine's own process (utilityProcess on desktop; see engine-host/main.ts).
          'engine-host': 'electron/engine-host/main.ts',
          // Script models run in worker threads started from these files (see backends/script/host.ts).
          'script-worker': 'electron/engine/backends/script/worker-main.ts',
          'script-bootstrap': 'electron/engine/backends/script/bootstrap.mjs',
          'script-hooks': 'electron/engine/backends/script/hooks.mjs',
        },
      },
    },
  },
  preload: {
    resolve: { alias: { '@contract': contract } },
    build: {
      outDir: `${OUT}/preload`,
      rollupOptions: {
        input: { index: 'electron/preload/index.ts' },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    resolve: { alias: { '@contract': contract } },
    plugins: [vue()],
    build: {
      outDir: `${OUT}/renderer`,
      rollupOptions: { input: fileURLToPath(new URL('./renderer/index.html', import.meta.url)) },
    },
  },
});
