/**
 * ModelRunner with stand-in instances: which queued requests the dynamic
 * batcher runs together, how an instance's failure reaches every request of
 * its batch, and what close() does to queued and running requests.
 */
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { parseConfigText } from '../config/text/parse';
import { LabError } from '../errors';
import { ModelRunner } from './model-runner';
import type { BackendInstance } from './types';
import { drain, FakeInstance, rowsRequest, tick } from './testing/fake-instance';
import { modelConfig, rejection, values } from './testing/models';

function config(mbs: number, dynamic: boolean): ModelConfig {
  const parsed = parseConfigText(modelConfig('m', { backend: 'identity', mbs, dynamic, inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] }));
  return parsed.config!;
}

const req = rowsRequest;

describe('dynamic batching', () => {
  it('joins queued requests up to max_batch_size, counting each request by its batch size', async () => {
    const inst = new FakeInstance('m_0');
    const runner = new ModelRunner(config(4, true), 1, [inst]);
    const results = await drain(
      inst,
      [req(1), req(2), req(1), req(1), req(3)].map((r) => runner.infer(r)),
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    // First alone (the instance was free), then 2+1+1, then 3.
    expect(inst.batches).toEqual([[1], [2, 1, 1], [3]]);
    expect(runner.stats).toMatchObject({ executionCount: 3, inferenceCount: 8, success: 5, failure: 0 });
  });

  it('a batch ends at the first request whose shapes differ, as in Triton', async () => {
    const inst = new FakeInstance('m_0');
    const runner = new ModelRunner(config(8, true), 1, [inst]);
    await drain(
      inst,
      [req(1, 2), req(1, 3), req(1, 3), req(1, 2), req(1, 2)].map((r) => runner.infer(r)),
    );
    // The first ran at once; the queued ones go in runs of equal shapes, never reordered.
    expect(inst.shapes).toEqual([['2'], ['3', '3'], ['2', '2']]);
  });

  it('without dynamic_batching each request runs alone', async () => {
    const inst = new FakeInstance('m_0');
    const runner = new ModelRunner(config(8, false), 1, [inst]);
    await drain(
      inst,
      [req(1), req(1), req(1)].map((r) => runner.infer(r)),
    );
    expect(inst.batches).toEqual([[1], [1], [1]]);
  });

  it('two instances take requests side by side', async () => {
    const a = new FakeInstance('m_0');
    const b = new FakeInstance('m_1');
    const runner = new ModelRunner(config(8, false), 1, [a, b]);
    const p = [runner.infer(req(1, 2, 5)), runner.infer(req(1, 2, 6))];
    await tick();
    expect([a.batches.length, b.batches.length]).toEqual([1, 1]);
    a.release();
    b.release();
    const [r1, r2] = await Promise.all(p);
    expect(values(r1!.outputs[0])).toEqual([5, 5]);
    expect(values(r2!.outputs[0])).toEqual([6, 6]);
  });
});

describe('failures and close', () => {
  it('an instance that answers for the wrong number of requests fails the whole batch', async () => {
    const inst = new FakeInstance('m_0');
    inst.wrongCount = true;
    const runner = new ModelRunner(config(8, true), 1, [inst]);
    const results = await drain(inst, [runner.infer(req(1))]);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'INTERNAL', message: 'instance m_0 returned 0 results for 1 requests', stage: 'execute' });
    expect(runner.stats.failure).toBe(1);
  });

  it("a model's own failure counts as BACKEND whatever its message says (reason codes decide, not text)", async () => {
    const failing: BackendInstance = {
      name: 'm_0',
      device: 'CPU',
      execute: (requests) => Promise.resolve(requests.map(() => new LabError('UNAVAILABLE', 'Exceeds maximum queue size'))),
      close: () => Promise.resolve(),
    };
    const runner = new ModelRunner(config(8, false), 1, [failing]);
    expect((await rejection(runner.infer(req(1)))).message).toBe('Exceeds maximum queue size');
    expect(runner.statistics.failures).toEqual({ REJECTED: 0, CANCELED: 0, BACKEND: 1, OTHER: 0 });
  });

  it('close() fails queued requests, lets the running one finish, then refuses new ones', async () => {
    const inst = new FakeInstance('m_0');
    const runner = new ModelRunner(config(8, false), 1, [inst]);
    const running = runner.infer(req(1, 2, 7));
    const queued = runner.infer(req(1));
    await tick();
    const closing = runner.close();
    expect((await rejection(queued)).message).toBe("model 'm' was unloaded");
    inst.release();
    await closing;
    expect(values((await running).outputs[0])).toEqual([7, 7]);
    const late = await rejection(runner.infer(req(1)));
    expect([late.code, late.message]).toEqual(['UNAVAILABLE', "Request for unknown model: 'm' version 1 is not at ready state"]);
  });
});
