/**
 * Where the stub and `triton_python_backend_utils.py` are: next to this file
 * in the sources, `out/main/python-backend/` in a build (see bundled-files.ts).
 */
import { LabError } from '../../errors';
import { bundledDir } from '../bundled-files';

export const STUB_FILE = 'model_lab_stub.py';
export const PB_UTILS_FILE = 'triton_python_backend_utils.py';

let found: string | undefined;

/** The folder holding the stub files. */
export function stubDir(): string {
  found ??= bundledDir(import.meta.url, ['./py/', '../python-backend/', './python-backend/'], [STUB_FILE, PB_UTILS_FILE]);
  if (found) return found;
  throw new LabError('INTERNAL', `the Python backend's stub (${STUB_FILE}) is missing from this installation`);
}
