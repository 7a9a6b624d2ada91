/**
 * Which interpreter a Python model gets: config parameters first, then
 * MODEL_LAB_PYTHON, then python3 and /usr/bin/python3 (Homebrew's places on
 * macOS). On macOS the developer-tools stub /usr/bin/python3 is never run
 * without the tools (it would open Apple's install dialog); models loading
 * together share one probe.
 */
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { config } from '../../config/testing/config';
import type { LabError } from '../../errors';
import { TempDirs } from '../../repository/testing/temp-repo';
import { candidates, findPython, PYTHON_ENV_VAR, setPythonHostForTests, stubRefusal } from './interpreter';

const temp = new TempDirs();
const saved = process.env[PYTHON_ENV_VAR];
const savedPath = process.env['PATH'];
afterEach(() => {
  temp.cleanup();
  setPythonHostForTests(undefined);
  process.env['PATH'] = savedPath;
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

describe('macOS: the developer-tools stub', () => {
  const noTools = (): { calls: number } => {
    const seen = { calls: 0 };
    setPythonHostForTests({
      platform: 'darwin',
      developerTools: () => {
        seen.calls++;
        return Promise.resolve(false);
      },
    });
    return seen;
  };

  it('on Windows looks for python.exe (what python.org puts on the PATH) before python3, and never for /usr/bin/python3', () => {
    delete process.env[PYTHON_ENV_VAR];
    setPythonHostForTests({ platform: 'win32' });
    expect(candidates(withParams({}), '/m').list).toEqual(['python', 'python3']);
  });

  it("looks in Homebrew's places before /usr/bin/python3", () => {
    delete process.env[PYTHON_ENV_VAR];
    setPythonHostForTests({ platform: 'darwin' });
    expect(candidates(withParams({}), '/m').list).toEqual(['python3', '/opt/homebrew/bin/python3', '/usr/local/bin/python3', '/usr/bin/python3']);
  });

  it('without the developer tools /usr/bin/python3 is not run, named or found on the PATH, and the reason names the fix', async () => {
    const seen = noTools();
    // Run, this machine's /usr/bin/python3 would answer (with numpy or without): the error would not say "skipped".
    const e = (await findPython(withParams({ PYTHON_EXECUTABLE: '/usr/bin/python3' }), '/m').catch((err: unknown) => err)) as LabError;
    expect(e.reason).toBe('PYTHON_ENV');
    expect(e.message).toContain("'/usr/bin/python3' was skipped: /usr/bin/python3 is macOS's stub");
    expect(e.message).toContain('`xcode-select --install`');
    expect(e.message).toContain('`brew install python`');
    expect(seen.calls).toBe(1);
    process.env['PATH'] = '/usr/bin';
    expect(await stubRefusal('python3')).toMatch(/not installed/);
    expect(await stubRefusal('/opt/homebrew/bin/python3')).toBeUndefined();
  });

  it('with the developer tools installed it is an interpreter like any other', async () => {
    setPythonHostForTests({ platform: 'darwin', developerTools: () => Promise.resolve(true) });
    expect(await stubRefusal('/usr/bin/python3')).toBeUndefined();
  });

  it('the install hints name apt only on Linux: pip (or Homebrew) on macOS and Windows', async () => {
    const { torchInstallHint } = await import('../pytorch/torch-probe');
    const numpyless = async (): Promise<string> => {
      const d = await temp.make({ python: '' });
      const exe = path.join(d.root, 'python');
      await d.write('python', `#!/bin/sh\necho "ModuleNotFoundError: No module named 'numpy'" >&2\nexit 1\n`);
      chmodSync(exe, 0o755);
      return ((await findPython(withParams({ PYTHON_EXECUTABLE: exe }), d.root).catch((err: unknown) => err)) as LabError).message;
    };
    setPythonHostForTests({ platform: 'darwin', developerTools: () => Promise.resolve(true) });
    expect(torchInstallHint('python3')).toBe('Install PyTorch for it: `python3 -m pip install torch`');
    if (process.platform !== 'win32') expect(await numpyless()).not.toContain('apt-get');
    setPythonHostForTests({ platform: 'linux' });
    expect(torchInstallHint('python3')).toContain('`sudo apt-get install python3-torch` (Debian/Ubuntu)');
    if (process.platform !== 'win32') expect(await numpyless()).toContain('`sudo apt-get install python3-numpy`');
  });

  it('elsewhere xcode-select is never asked', async () => {
    let calls = 0;
    setPythonHostForTests({ platform: 'linux', developerTools: () => Promise.resolve(++calls > 0) });
    expect(await stubRefusal('/usr/bin/python3')).toBeUndefined();
    expect(calls).toBe(0);
  });
});

describe.skipIf(process.platform === 'win32')('probing', () => {
  it('models loading together share one probe of an interpreter', async () => {
    const d = await temp.make({ 'python-without-numpy': '' });
    const exe = path.join(d.root, 'python-without-numpy');
    const count = path.join(d.root, 'count');
    await d.write('python-without-numpy', `#!/bin/sh\necho run >> '${count}'\necho "ModuleNotFoundError: No module named 'numpy'" >&2\nexit 1\n`);
    chmodSync(exe, 0o755);
    const cfg = withParams({ PYTHON_EXECUTABLE: exe });
    const all = await Promise.all(
      [1, 2, 3].map(() =>
        findPython(cfg, d.root).then(
          () => undefined,
          (err: unknown) => err as LabError,
        ),
      ),
    );
    expect(all.map((e) => e?.reason)).toEqual(['PYTHON_ENV', 'PYTHON_ENV', 'PYTHON_ENV']);
    expect(all[0]?.message).toContain('numpy is missing');
    expect(readFileSync(count, 'utf8')).toBe('run\n');
    // A failure is not remembered: the next load probes again (numpy may be installed by then).
    await findPython(cfg, d.root).catch(() => undefined);
    expect(readFileSync(count, 'utf8')).toBe('run\nrun\n');
  });
});
