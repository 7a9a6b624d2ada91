/** Test helpers for Python models: the fixture model.py files beside this file and their configs. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type ModelOpts, modelConfig } from '../../../runtime/testing/models';

/** The text of testing/<name>.py. */
export function pyModel(name: string): string {
  return readFileSync(new URL(`./${name}.py`, import.meta.url), 'utf8');
}

export function pythonConfig(name: string, o: Omit<ModelOpts, 'backend'>): string {
  return modelConfig(name, { ...o, backend: 'python' });
}

/** print() and stderr travel on their own pipes, so their lines may land just after the response: waits for `done` (up to 3 s). */
export async function untilLogged(read: () => string[], done: (lines: string[]) => boolean): Promise<string[]> {
  for (let i = 0; i < 300 && !done(read()); i++) await new Promise((r) => setTimeout(r, 10));
  return read();
}

/**
 * Whether a Python with numpy is here. CI installs one (.ci/run), so there the tests always run;
 * elsewhere the tests that need it are skipped rather than failed.
 */
export const pythonMissing: boolean = (() => {
  if (process.env['CI']) return false;
  for (const exe of [process.env['MODEL_LAB_PYTHON'], 'python3', '/usr/bin/python3']) {
    if (!exe) continue;
    try {
      execFileSync(exe, ['-c', 'import numpy'], { stdio: 'ignore', timeout: 20_000 });
      return false;
    } catch {
      /* try the next */
    }
  }
  return true;
})();
