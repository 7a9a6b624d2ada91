/** Which interpreter a Python model gets: config parameters first, then MODEL_LAB_PYTHON, then python3 and /usr/bin/python3. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { config } from '../../config/testing/config';
import { TempDirs } from '../../repository/testing/temp-repo';
import { candidates, PYTHON_ENV_VAR } from './interpreter';

const temp = new TempDirs();
const saved = process.env[PYTHON_ENV_VAR];
afterEach(() => {
  temp.cleanup();
  if (saved === undefined) delete process.env[PYTHON_ENV_VAR];
  else process.env[PYTHON_ENV_VAR] = saved;
});

const withParams = (params: Record<string, string>) =>
  config(
    `backend: "python"\n${Object.entries(params)
      .map(([k, v]) => `parameters { key: "${k}" value { string_value: "${v}" } }`)
      .join('\n')}`,
  );

describe('candidates', () => {
  it('defaults to python3 on the PATH, then /usr/bin/python3', () => {
    delete process.env[PYTHON_ENV_VAR];
    expect(candidates(withParams({}), '/m')).toEqual({ list: ['python3', '/usr/bin/python3'] });
  });

  it('MODEL_LAB_PYTHON names one interpreter for every model', () => {
    process.env[PYTHON_ENV_VAR] = '/opt/py/bin/python3';
    expect(candidates(withParams({}), '/m')).toEqual({ list: ['/opt/py/bin/python3'], explicit: 'the environment variable MODEL_LAB_PYTHON' });
  });

  it('PYTHON_EXECUTABLE wins, relative to the model folder, with $$TRITON_MODEL_DIRECTORY expanded', () => {
    process.env[PYTHON_ENV_VAR] = '/opt/py/bin/python3';
    expect(candidates(withParams({ PYTHON_EXECUTABLE: 'venv/bin/python' }), '/m').list).toEqual(['/m/venv/bin/python']);
    expect(candidates(withParams({ PYTHON_EXECUTABLE: '$$TRITON_MODEL_DIRECTORY/py' }), '/m').list).toEqual(['/m/py']);
    expect(candidates(withParams({ PYTHON_EXECUTABLE: 'python3.12' }), '/m').list).toEqual(['python3.12']);
  });

  it("EXECUTION_ENV_PATH: an unpacked environment folder gives its bin/python3; Triton's archives are not unpacked", async () => {
    delete process.env[PYTHON_ENV_VAR];
    const d = await temp.make();
    mkdirSync(path.join(d.root, 'env', 'bin'), { recursive: true });
    expect(candidates(withParams({ EXECUTION_ENV_PATH: '$$TRITON_MODEL_DIRECTORY/env' }), d.root)).toEqual({
      list: [path.join(d.root, 'env', 'bin', 'python3')],
      explicit: 'the config parameter EXECUTION_ENV_PATH',
    });
    expect(candidates(withParams({ EXECUTION_ENV_PATH: '$$TRITON_MODEL_DIRECTORY/env.tar.gz' }), d.root).list).toEqual(['python3', '/usr/bin/python3']);
  });
});
