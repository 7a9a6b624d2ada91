/**
 * Where the PyTorch runner (`model_lab_pytorch.py`, which the Python stub
 * imports in place of a model.py) is: `py/` next to this file in the
 * sources, `out/main/pytorch-backend/` in a build (see bundled-files.ts).
 */
import path from 'node:path';
import { LabError } from '../../errors';
import { bundledDir } from '../bundled-files';

const RUNNER_FILE = 'model_lab_pytorch.py';

let found: string | undefined;

/** The runner's absolute path. */
export function runnerFile(): string {
  found ??= bundledDir(import.meta.url, ['./py/', '../pytorch-backend/', './pytorch-backend/'], [RUNNER_FILE]);
  if (found) return path.join(found, RUNNER_FILE);
  throw new LabError('INTERNAL', `the PyTorch backend's runner (${RUNNER_FILE}) is missing from this installation`);
}
