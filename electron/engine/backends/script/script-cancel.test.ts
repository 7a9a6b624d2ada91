/**
 * Script models read cancellation as Python models do: `request.is_cancelled()` turns true once the
 * caller cancels, even while execute() runs without yielding (a busy loop), and stays false for a
 * request left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, makeTempDir, stateOf, type TempDir } from '../../repository/testing/temp-repo';
import { rejection, scriptConfig, scriptModel, sleep, tensor, values } from '../../runtime/testing/models';

let dir: TempDir;
let repo: Repository;

// Spins for DELAY[0] ms without yielding, asking is_cancelled() as it goes; OUT = 1 when it ran to the end.
const BUSY = `    const until = Date.now() + request.inputs()[0].numbers()[0];
    while (Date.now() < until) {
      if (request.is_cancelled()) return new pb_utils.InferenceResponse({ error: new pb_utils.TritonError('stopped: cancelled', pb_utils.TritonError.CANCELLED) });
    }
    return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', new Int32Array([request.is_cancelled() ? 2 : 1]))] });`;

beforeAll(async () => {
  dir = await makeTempDir({
    'busy/config.pbtxt': scriptConfig('busy', { inputs: [{ name: 'DELAY', type: 'INT32', dims: [1] }], outputs: [{ name: 'OUT', type: 'INT32', dims: [1] }], count: 1 }),
    'busy/1/model.js': scriptModel(BUSY),
  });
  repo = await loadRepository(dir.root);
  expect(stateOf(repo, 'busy')).toEqual({ state: 'READY', reason: '' });
});
afterAll(async () => {
  await closeRepositories();
  dir?.cleanup();
});

const busy = (ms: number, signal?: AbortSignal) => ({ inputs: [tensor('DELAY', 'INT32', [1], Int32Array.from([ms]))], ...(signal ? { signal } : {}) });

describe('request.is_cancelled() in script models', () => {
  it('is false for a request left alone', async () => {
    expect(values((await repo.infer('busy', -1, busy(50, new AbortController().signal))).outputs[0])).toEqual([1]);
  });

  it('turns true while a busy execute() runs, once the caller cancels', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const running = rejection(repo.infer('busy', -1, busy(10_000, abort.signal)));
    await sleep(200);
    abort.abort();
    const err = await running;
    expect([err.code, err.message]).toEqual(['CANCELLED', expect.stringContaining('stopped: cancelled')]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
