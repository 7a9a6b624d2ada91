/**
 * Model control a model asks for while a client's load or unload waits in the repository's queue:
 * the client's unload of that model must not wait inside the queue for the model's request, which
 * waits for its own load_model() queued behind it (Triton unloads asynchronously; the two never
 * wait on each other there).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import { pyModel, pythonConfig, pythonMissing } from '../../engine/backends/python/testing/repo';
import { Repository } from '../../engine/repository/repository';
import { modelConfig, text } from '../../engine/runtime/testing/models';
import { attachModelControl } from './bls-model-control';
import { TritonCore } from './core';

const describe = describeAll.skipIf(pythonMissing);
const IO = { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'RESULT', type: 'STRING', dims: [1] }] };
// Waits a little, then loads 'm' (its load queues behind whatever the repository was asked before).
const WAITER = `import time
import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        time.sleep(0.4)
        pb_utils.load_model("m")
        return [pb_utils.InferenceResponse([pb_utils.Tensor("RESULT", np.array([b"loaded"], dtype=np.object_))]) for _ in requests]
`;

let dir: string;
let repo: Repository;
let core: TritonCore;

beforeAll(async () => {
  if (pythonMissing) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'bls-drain-'));
  const files: Record<string, string> = {
    'waiter/config.pbtxt': pythonConfig('waiter', IO),
    'waiter/1/model.py': WAITER,
    'slowload/config.pbtxt': pythonConfig('slowload', IO),
    'slowload/1/model.py': `import time\n${pyModel('services').replace('    def initialize(self, args):\n', '    def initialize(self, args):\n        time.sleep(1.2)\n')}`,
    'm/config.pbtxt': modelConfig('m', { backend: 'identity', mbs: 0, inputs: [{ name: 'INPUT0', dims: [-1] }], outputs: [{ name: 'OUTPUT0', dims: [-1] }] }),
  };
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), body);
  }
  mkdirSync(path.join(dir, 'm', '1'));
  repo = new Repository(dir, { controlMode: 'explicit', startupModels: ['waiter'] });
  await repo.loadAll();
  core = new TritonCore(repo, { version: 'test' });
  attachModelControl(repo, core);
}, 60_000);

afterAll(async () => {
  if (pythonMissing) return;
  await repo.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a client unload queued before a model asks for a load', () => {
  it('both finish: the unload waits for the model request outside the queue', async () => {
    const slow = core.load('slowload');
    const request = repo.infer('waiter', -1, { inputs: [text('CMD', [1], ['go'])] });
    const unload = core.unload('waiter');
    const hung = new Promise<string>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref());
    const done = Promise.all([slow, request, unload]).then(() => 'done');
    expect(await Promise.race([done, hung])).toBe('done');
    expect(repo.models.get('m')?.state).toBe('READY');
    expect(repo.models.get('waiter')?.state).not.toBe('READY');
  }, 30_000);
});
