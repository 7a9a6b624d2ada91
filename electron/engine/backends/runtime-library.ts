/**
 * The `runtime` field names a backend shared library for Triton to load. The
 * lab implements its backends itself and loads no shared libraries, but it
 * reports what Triton would: where it searched, a name escaping its folder,
 * and otherwise that the library cannot be used here.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { FILENAME } from '../config/constants';
import { type ConfigIssue, issue } from '../config/issues';

/** Triton's default --backend-directory, used only to word the search like Triton does. */
export const TRITON_BACKEND_DIR = '/opt/tritonserver/backends';

async function isFile(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

export async function runtimeLibraryIssue(c: ModelConfig, modelDir: string, versionDir: string): Promise<ConfigIssue | undefined> {
  const lib = c.runtime;
  if (!lib || lib === FILENAME.python) return undefined;
  const searchPaths = [versionDir, modelDir, path.join(TRITON_BACKEND_DIR, c.backend)];
  for (const dir of searchPaths) {
    const candidate = path.join(dir, lib);
    if (!(await isFile(candidate))) continue;
    const rel = path.relative(dir, path.resolve(candidate));
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      return issue('runtime.escape', `backend library name '${lib}' escapes backend directory '${dir}', for model '${c.name}', check model config runtime field`, ['runtime']);
    }
    return issue(
      'runtime.unsupported',
      `Model Lab runs the '${c.backend}' backend itself and cannot load the backend library '${candidate}' named by 'runtime'; remove 'runtime' to run the model here`,
      ['runtime'],
      'UNSUPPORTED',
    );
  }
  return issue('runtime.missing', `unable to find backend library '${lib}' for model '${c.name}', searched: ${searchPaths.map((p) => `'${p}' `).join('')}`, ['runtime']);
}
