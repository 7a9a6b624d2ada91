/**
 * Repository lifecycle around running models: unload stops a script model's
 * worker (finalize() runs) and later requests get Triton's "Request for
 * unknown model" wording; load brings it back; a reload keeps serving the old
 * version until the new one is up; close() leaves no threads behind.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptInstance } from '../backends/script/host';
import type { Repository } from '../repository/repository';
import { loadRepository, makeTempDir, type TempDir } from '../repository/testing/temp-repo';
import type { ModelRunner } from './model-runner';
import { f32, modelConfig, rejection, scriptConfig, sleep, values } from './testing/models';

let dir: TempDir;
let repo: Repository;
let portsBefore: number;

const model = (add: number) => `import { writeFileSync } from 'node:fs';
export default class TritonPythonModel {
  initialize(args) {
    this.dir = args.model_repository;
  }
  async execute(requests) {
    if (requests[0].inputs()[0].data[0] === 42) await new Promise((r) => setTimeout(r, 200));
    return requests.map((r) => new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', r.inputs()[0].data.map((v) => v + ${add}), r.inputs()[0].shape)] }));
  }
  finalize() {
    writeFileSync(this.dir + '/finalized', 'yes');
  }
}
`;

const ports = (): number => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
const workersOf = (name: string): Worker[] => (repo.resolve(name, -1) as ModelRunner).instances.map((i) => (i as unknown as { child: { worker: Worker } }).child.worker);
const req = () => ({ inputs: [f32('IN', [1], [1])] });

beforeAll(async () => {
  portsBefore = ports();
  dir = await makeTempDir({
    'm/config.pbtxt': scriptConfig('m', { inputs: [{ name: 'IN', dims: [1] }], outputs: [{ name: 'OUT', dims: [1] }] }),
    'm/1/model.js': model(10),
    'two/config.pbtxt': scriptConfig('two', { inputs: [{ name: 'IN', dims: [1] }], outputs: [{ name: 'OUT', dims: [1] }] }),
    'two/1/model.js': model(20),
    'id/config.pbtxt': modelConfig('id', { backend: 'identity', inputs: [{ name: 'INPUT0', dims: [1] }], outputs: [{ name: 'OUTPUT0', dims: [1] }] }),
    'id/1': null,
  });
  repo = await loadRepository(dir.root);
});
afterAll(() => dir.cleanup());

describe('unload and load', () => {
  it('unload terminates the worker after finalize(); requests then get "Request for unknown model"', async () => {
    const [worker] = workersOf('m');
    const runner = repo.resolve('m', -1);
    expect(values((await repo.infer('m', -1, req())).outputs[0])).toEqual([11]);
    await repo.unload('m');
    expect(worker!.threadId).toBe(-1);
    expect(existsSync(path.join(dir.root, 'm/finalized'))).toBe(true);
    expect(repo.models.get('m')).toMatchObject({ state: 'UNAVAILABLE', reason: 'unloaded' });

    const latest = await rejection(repo.infer('m', -1, req()));
    expect([latest.code, latest.message]).toEqual(['NOT_FOUND', "Request for unknown model: 'm' has no available versions"]);
    const v1 = await rejection(repo.infer('m', 1, req()));
    expect([v1.code, v1.message]).toEqual(['UNAVAILABLE', "Request for unknown model: 'm' version 1 is not at ready state"]);
    // A runner someone kept hold of refuses too.
    const held = await rejection(runner.infer(req()));
    expect(held.message).toBe("Request for unknown model: 'm' version 1 is not at ready state");
    const ghost = await rejection(repo.infer('ghost', -1, req()));
    expect([ghost.code, ghost.message]).toEqual(['NOT_FOUND', "Request for unknown model: 'ghost' is not found"]);
    // The other models are untouched.
    expect(values((await repo.infer('id', -1, { inputs: [f32('INPUT0', [1], [3])] })).outputs[0])).toEqual([3]);
  });

  it('a request executing when the model is unloaded still completes', async () => {
    await repo.load(['m']);
    const [worker] = workersOf('m');
    const slow = repo.infer('m', -1, { inputs: [f32('IN', [1], [42])] });
    await sleep(50);
    await repo.unload('m');
    expect(values((await slow).outputs[0])).toEqual([52]);
    expect(worker!.threadId).toBe(-1);
  });

  it('load brings it back with a fresh worker', async () => {
    await repo.load(['m']);
    expect(repo.models.get('m')!.state).toBe('READY');
    expect(workersOf('m')[0]!.threadId).toBeGreaterThan(0);
    expect(values((await repo.infer('m', -1, req())).outputs[0])).toEqual([11]);
  });

  it('a reload keeps serving the old version until the new one is up, then stops the old workers', async () => {
    const old = workersOf('two');
    await fs.writeFile(path.join(dir.root, 'two/1/model.js'), model(30));
    let loaded = false;
    const loading = repo.load(['two']).then(() => (loaded = true));
    const during: number[] = [];
    while (!loaded) {
      const r = await repo.infer('two', -1, req());
      during.push(values(r.outputs[0])[0]!);
      await sleep(20);
    }
    await loading;
    // Requests made while the new version started were all answered (by the old one, until it was replaced).
    expect(during.length).toBeGreaterThan(1);
    expect(during[0]).toBe(21);
    expect(values((await repo.infer('two', -1, req())).outputs[0])).toEqual([31]);
    for (const w of old) expect(w.threadId).toBe(-1);
  });
});

describe('close', () => {
  it('stops every worker and leaves no message ports open', async () => {
    const workers = [...workersOf('m'), ...workersOf('two')];
    expect(workers).toHaveLength(2);
    expect(ports()).toBeGreaterThan(portsBefore);
    await repo.close();
    for (const w of workers) expect(w.threadId).toBe(-1);
    for (let i = 0; i < 20 && ports() > portsBefore; i++) await sleep(10);
    expect(ports()).toBe(portsBefore);
    const inst = (repo.models.get('m')!.versions[0]!.runner as ModelRunner | undefined)?.instances[0] as ScriptInstance | undefined;
    expect(inst).toBeUndefined();
  });
});
