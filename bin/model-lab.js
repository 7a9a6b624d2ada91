#!/usr/bin/env node
// Entry of the `model-lab` command: runs the built CLI (npm install builds it; `npm run build` rebuilds).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('model-lab: the CLI is not built yet; run `npm run build` in the Model Lab folder first.\n');
  process.exit(2);
}
await import(pathToFileURL(cli).href);
