/**
 * Containment: a hanging or crashing Python process fails its request with a
 * reason, is killed, reported and replaced; a model whose Python or numpy is
 * missing is UNAVAILABLE with what to install, and nothing else is affected.
 */
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, makeTempDir, stateOf, type TempDir } from '../../repository/testing/temp-repo';
import { toModelSummary } from '../../repository/views';
import type { ModelRunner } from '../../runtime/model-runner';
import { f32, rejection, values } from '../../runtime/testing/models';
import type { PythonInstance } from './instance';
import { pyModel, pythonConfig, pythonMissing } from './testing/repo';

/** Skipped, not failed, where no Python with numpy is installed (never on CI). */
const describe = describeAll.skipIf(pythonMissing);

let dir: TempDir;
let repo: Repository;

const io = { inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] };

beforeAll(async () => {
  if (pythonMissing) return;
  dir = await makeTempDir({
    'flaky/config.pbtxt': pythonConfig('flaky', { ...io, params: { EXECUTE_TIMEOUT_MS: '500' } }),
    'flaky/1/model.py': pyModel('misbehave'),
    'nopython/config.pbtxt': pythonConfig('nopython', { ...io, params: { PYTHON_EXECUTABLE: '/nonexistent/python3' } }),
    'nopython/1/model.py': pyModel('misbehave'),
    // An interpreter that cannot see site-packages: Python without numpy.
    'nonumpy/config.pbtxt': pythonConfig('nonumpy', { ...io, params: { PYTHON_EXECUTABLE: '$$TRITON_MODEL_DIRECTORY/python-without-numpy' } }),
    'nonumpy/python-without-numpy': '#!/bin/sh\nexec python3 -S "$@"\n',
    'nonumpy/1/model.py': pyModel('misbehave'),
    'broken/config.pbtxt': pythonConfig('broken', io),
    'broken/1/model.py': 'import numpy as np\n\ndef helper(:\n    pass\n',
    'badinit/config.pbtxt': pythonConfig('badinit', io),
    'badinit/1/model.py': 'class TritonPythonModel:\n    def initialize(self, args):\n        raise RuntimeError("no weights found")\n\n    def execute(self, requests):\n        return []\n',
    'fine/config.pbtxt': pythonConfig('fine', io),
    'fine/1/model.py': pyModel('misbehave'),
  });
  chmodSync(path.join(dir.root, 'nonumpy', 'python-without-numpy'), 0o755);
  repo = await loadRepository(dir.root);
});
afterAll(async () => {
  await closeRepositories();
  dir?.cleanup();
});

const req = (v: number) => ({ inputs: [f32('IN', [1], [v])] });
const instanceOf = (name: string): PythonInstance => (repo.resolve(name, -1) as ModelRunner).instances[0] as PythonInstance;
const logsOf = (name: string): string[] => repo.models.get(name)!.versions[0]!.logs.map((l) => `${l.level}: ${l.message}`);

describe('a hanging or crashing process', () => {
  it('a hang is stopped after EXECUTE_TIMEOUT_MS, reported, and the restarted instance answers', async () => {
    const started = Date.now();
    const e = await rejection(repo.infer('flaky', -1, req(1)));
    expect(Date.now() - started).toBeLessThan(5000);
    expect([e.code, e.message]).toEqual([
      'UNAVAILABLE',
      "Failed to process the request(s) for model instance 'flaky_0', message: execute() did not return within 500 ms (an endless loop or a hang?); the instance was restarted",
    ]);
    expect(logsOf('flaky')).toContain('error: execute() timed out after 500 ms; restarting instance flaky_0');
    expect(values((await repo.infer('flaky', -1, req(5))).outputs[0])).toEqual([5]);
    expect(instanceOf('flaky').restarts).toBe(1);
  });

  it('os._exit(3) inside execute fails that request; the next one works', async () => {
    const e = await rejection(repo.infer('flaky', -1, req(2)));
    expect([e.code, e.message]).toEqual(['INTERNAL', "Failed to process the request(s) for model instance 'flaky_0', message: the Python process exited with code 3; the instance was restarted"]);
    expect(values((await repo.infer('flaky', -1, req(4))).outputs[0])).toEqual([4]);
    expect(instanceOf('flaky').restarts).toBe(2);
  });

  it('a process that dies between requests is replaced at once', async () => {
    expect(values((await repo.infer('flaky', -1, req(3))).outputs[0])).toEqual([3]);
    for (let i = 0; i < 300 && instanceOf('flaky').restarts < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(logsOf('flaky')).toContain('error: instance flaky_0 stopped: the Python process exited with code 4');
    expect(values((await repo.infer('flaky', -1, req(6))).outputs[0])).toEqual([6]);
  });

  it('a SIGKILL from outside is contained the same way', async () => {
    const before = instanceOf('flaky').restarts;
    (instanceOf('flaky') as unknown as { child: { child: { kill(s: string): void } } }).child.child.kill('SIGKILL');
    for (let i = 0; i < 300 && instanceOf('flaky').restarts === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(logsOf('flaky')).toContain('error: instance flaky_0 stopped: the Python process was killed by SIGKILL');
    expect(values((await repo.infer('flaky', -1, req(7))).outputs[0])).toEqual([7]);
  });
});

describe('models that cannot start', () => {
  it('no interpreter: UNAVAILABLE, saying what was tried and what to install', () => {
    const s = stateOf(repo, 'nopython')!;
    expect(s.state).toBe('UNAVAILABLE');
    expect(s.reason).toBe(
      "Unavailable: Python backend: no usable Python 3 interpreter: '/nonexistent/python3' was not found (ENOENT) (set by the config parameter PYTHON_EXECUTABLE). Install Python 3 with numpy: `sudo apt-get install python3 python3-numpy` (Debian/Ubuntu) or Python from python.org and then `python3 -m pip install numpy`; or name an interpreter with the model config parameter PYTHON_EXECUTABLE or the environment variable MODEL_LAB_PYTHON.",
    );
    // The model view offers the interpreter setting on this code, not on the reason's text.
    const summary = toModelSummary(repo.models.get('nopython')!, repo.root);
    expect([summary.reasonCode, summary.versions[0]!.reasonCode]).toEqual(['PYTHON_ENV', 'PYTHON_ENV']);
  });

  it('no numpy: UNAVAILABLE with the apt and pip commands', () => {
    const s = stateOf(repo, 'nonumpy')!;
    const exe = path.join(dir.root, 'nonumpy', 'python-without-numpy');
    expect(s.state).toBe('UNAVAILABLE');
    expect(s.reason).toBe(
      `Unavailable: Python backend: numpy is missing: '${exe}' cannot import numpy (set by the config parameter PYTHON_EXECUTABLE). Install numpy for it: \`sudo apt-get install python3-numpy\` (Debian/Ubuntu, for /usr/bin/python3) or \`${exe} -m pip install numpy\`.`,
    );
    expect(toModelSummary(repo.models.get('nonumpy')!, repo.root).reasonCode).toBe('PYTHON_ENV');
    expect(toModelSummary(repo.models.get('broken')!, repo.root).reasonCode).toBeUndefined();
  });

  it('a syntax error in model.py: the load fails with the Python error and where it is', () => {
    const s = stateOf(repo, 'broken')!;
    expect(s.state).toBe('UNAVAILABLE');
    expect(s.reason).toMatch(/^Internal: failed to start instance broken_0: failed to load model\.py: SyntaxError: .*\n\nAt:\n {2}.*broken\/1\/model\.py\(3\): <module>/s);
  });

  it('initialize() raising: the load fails with its traceback', () => {
    expect(stateOf(repo, 'badinit')!.reason).toMatch(
      /^Internal: failed to start instance badinit_0: initialize\(\) failed: RuntimeError: no weights found\n\nAt:\n {2}.*badinit\/1\/model\.py\(3\): initialize\n$/,
    );
  });

  it('nothing else is affected', async () => {
    expect(stateOf(repo, 'fine')).toEqual({ state: 'READY', reason: '' });
    expect(values((await repo.infer('fine', -1, req(9))).outputs[0])).toEqual([9]);
  });
});

describe('unloading', () => {
  it('stops the process (finalize, then exit)', async () => {
    const inst = instanceOf('fine') as unknown as { child: { child: { exitCode: number | null; signalCode: string | null } } };
    const child = inst.child.child;
    await repo.unload('fine');
    expect(child.exitCode === 0 || child.signalCode !== null).toBe(true);
  });
});
