/**
 * Which Python runs a model: the config parameter PYTHON_EXECUTABLE (the
 * lab's), else Triton's EXECUTION_ENV_PATH when it is an unpacked environment
 * folder, else the lab's "Python interpreter" setting, else the MODEL_LAB_PYTHON
 * environment variable, else `python3` on the PATH and then /usr/bin/python3. The first that imports numpy wins; when none
 * does, the error says exactly what to install.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ModelConfig } from '../../config/gen/model_config_pb';
import { LabError } from '../../errors';

export interface PythonEnv {
  executable: string;
  python: string;
  numpy: string;
}

/** The lab's own config parameter naming an interpreter. */
export const PYTHON_EXECUTABLE = 'PYTHON_EXECUTABLE';
export const EXECUTION_ENV_PATH = 'EXECUTION_ENV_PATH';
export const PYTHON_ENV_VAR = 'MODEL_LAB_PYTHON';
const DEFAULTS = ['python3', '/usr/bin/python3'];

const PROBE = 'import sys, numpy; print(sys.version.split()[0]); print(numpy.__version__); sys.exit(0 if sys.version_info >= (3, 8) else 3)';

type Probe = { ok: true; env: PythonEnv } | { ok: false; kind: 'missing' | 'numpy' | 'old'; detail: string };

/** Working interpreters are remembered; failures are probed again on the next load (the user may have installed numpy since). */
const known = new Map<string, PythonEnv>();

function probe(executable: string): Promise<Probe> {
  const hit = known.get(executable);
  if (hit) return Promise.resolve({ ok: true, env: hit });
  return new Promise((resolve) => {
    execFile(executable, ['-c', PROBE], { timeout: 20_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }, (err, stdout, stderr) => {
      const [python = '', numpy = ''] = stdout.trim().split('\n');
      if (!err) {
        const env = { executable, python, numpy };
        known.set(executable, env);
        return resolve({ ok: true, env });
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES') return resolve({ ok: false, kind: 'missing', detail: code });
      if (/No module named '?numpy/.test(stderr)) return resolve({ ok: false, kind: 'numpy', detail: stderr.trim().split('\n').pop() ?? '' });
      if ((err as { code?: unknown }).code === 3) return resolve({ ok: false, kind: 'old', detail: python });
      resolve({ ok: false, kind: 'missing', detail: stderr.trim().split('\n').pop() || String(err.message) });
    });
  });
}

/** The interpreters to try for a model, in order, and whether they were chosen explicitly. */
export function candidates(config: ModelConfig, modelDir: string, setting?: string): { list: string[]; explicit?: string } {
  const param = (key: string): string | undefined => config.parameters[key]?.stringValue?.replaceAll('$$TRITON_MODEL_DIRECTORY', modelDir) || undefined;
  const exe = param(PYTHON_EXECUTABLE);
  if (exe) return { list: [path.isAbsolute(exe) || !exe.includes('/') ? exe : path.resolve(modelDir, exe)], explicit: `the config parameter ${PYTHON_EXECUTABLE}` };
  const envPath = param(EXECUTION_ENV_PATH);
  if (envPath) {
    const dir = path.isAbsolute(envPath) ? envPath : path.resolve(modelDir, envPath);
    if (existsSync(dir) && statSync(dir).isDirectory()) return { list: [path.join(dir, 'bin', 'python3')], explicit: `the config parameter ${EXECUTION_ENV_PATH}` };
  }
  if (setting) return { list: [setting], explicit: 'the lab setting "Python interpreter"' };
  const fromEnv = process.env[PYTHON_ENV_VAR];
  if (fromEnv) return { list: [fromEnv], explicit: `the environment variable ${PYTHON_ENV_VAR}` };
  return { list: DEFAULTS };
}

function installHint(exe: string): string {
  return `Install numpy for it: \`sudo apt-get install python3-numpy\` (Debian/Ubuntu, for /usr/bin/python3) or \`${exe} -m pip install numpy\``;
}

/** Finds a Python with numpy for a model, or says exactly what is missing and how to fix it (UNAVAILABLE). */
export async function findPython(config: ModelConfig, modelDir: string, setting?: string): Promise<PythonEnv> {
  const { list, explicit } = candidates(config, modelDir, setting);
  const failures: string[] = [];
  let numpyMissing: string | undefined;
  for (const exe of list) {
    const p = await probe(exe);
    if (p.ok) return p.env;
    if (p.kind === 'numpy') numpyMissing ??= exe;
    failures.push(p.kind === 'missing' ? `'${exe}' was not found (${p.detail})` : p.kind === 'numpy' ? `'${exe}' cannot import numpy` : `'${exe}' is Python ${p.detail}; 3.8 or newer is needed`);
  }
  const tried = `${failures.join('; ')}${explicit ? ` (set by ${explicit})` : ''}`;
  if (numpyMissing) {
    throw new LabError('UNAVAILABLE', `Python backend: numpy is missing: ${tried}. ${installHint(numpyMissing)}.`, { reason: 'PYTHON_ENV' });
  }
  throw new LabError(
    'UNAVAILABLE',
    `Python backend: no usable Python 3 interpreter: ${tried}. Install Python 3 with numpy: \`sudo apt-get install python3 python3-numpy\` (Debian/Ubuntu) or Python from python.org and then \`python3 -m pip install numpy\`; or name an interpreter with the model config parameter ${PYTHON_EXECUTABLE} or the environment variable ${PYTHON_ENV_VAR}.`,
    { reason: 'PYTHON_ENV' },
  );
}
