/**
 * Where the PyTorch runner (`model_lab_pytorch.py`, which the Python stub
 * imports in place of a model.py) is: `py/` next to this file in the
 * sources, `out/main/pytorch-backend/` in a build (copied there by
 * electron.vite.config.mts); a packaged app uses the unpacked copy, as
 * Python cannot read inside an asar archive.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../../errors';

const RUNNER_FILE = 'model_lab_pytorch.py';

let found: string | undefined;

/** The runner's absolute path. */
export function runnerFile(): string {
  if (found) return found;
  for (const rel of ['./py/', '../pytorch-backend/', './pytorch-backend/']) {
    const url = new URL(rel, import.meta.url);
    if (url.protocol !== 'file:') continue;
    const dir = fileURLToPath(url).replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
    const file = path.join(dir, RUNNER_FILE);
    if (existsSync(file)) return (found = file);
  }
  throw new LabError('INTERNAL', `the PyTorch backend's runner (${RUNNER_FILE}) is missing from this installation`);
}
