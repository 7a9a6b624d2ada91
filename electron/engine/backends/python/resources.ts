/**
 * Where the stub and `triton_python_backend_utils.py` are: next to this file
 * in the sources, `out/main/python-backend/` in a build (copied there by
 * electron.vite.config.mts). Python cannot read inside an asar archive, so a
 * packaged app uses the unpacked copy (electron-builder.yml asarUnpack).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../../errors';

export const STUB_FILE = 'model_lab_stub.py';
export const PB_UTILS_FILE = 'triton_python_backend_utils.py';

function unpacked(dir: string): string {
  return dir.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
}

let found: string | undefined;

/** The folder holding the stub files. */
export function stubDir(): string {
  if (found) return found;
  for (const rel of ['./py/', '../python-backend/', './python-backend/']) {
    const url = new URL(rel, import.meta.url);
    if (url.protocol !== 'file:') continue;
    const dir = unpacked(fileURLToPath(url));
    if (existsSync(path.join(dir, STUB_FILE)) && existsSync(path.join(dir, PB_UTILS_FILE))) return (found = dir);
  }
  throw new LabError('INTERNAL', `the Python backend's stub (${STUB_FILE}) is missing from this installation`);
}
