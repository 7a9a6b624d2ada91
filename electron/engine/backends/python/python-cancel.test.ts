/**
 * Cancellation reaches Python models as it reaches them on Triton: a request whose caller gave up
 * (its signal aborted) reads `request.is_cancelled()` and `response_sender.is_cancelled()` as True
 * while execute() runs and after it returned (decoupled), a queued one never reaches the model, and
 * a BLS response iterator's cancel() cancels the request it made (the called model sees it).
 * Statistics count as Triton's core does: dropped from the queue CANCELED, answered by the model
 * with an error BACKEND.
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, makeTempDir, stateOf, type TempDir } from '../../repository/testing/temp-repo';
import { rejection, sleep, tensor, values } from '../../runtime/testing/models';
import type { InferRequest, StreamedResponse } from '../../runtime/types';
import { pyModel, pythonConfig, pythonMissing, untilLogged } from './testing/repo';

const describe = describeAll.skipIf(pythonMissing);

const probeIo = {
  inputs: [
    { name: 'DELAY', type: 'FP32', dims: [1] },
    { name: 'MODE', type: 'INT32', dims: [1] },
  ],
  outputs: [{ name: 'OUT', type: 'INT32', dims: [1] }],
};
const int1 = (name: string): { name: string; type: string; dims: number[] } => ({ name, type: 'INT32', dims: [1] });
const bool1 = (name: string): { name: string; type: string; dims: number[] } => ({ name, type: 'BOOL', dims: [1] });

let dir: TempDir;
let repo: Repository;

beforeAll(async () => {
  if (pythonMissing) return;
  dir = await makeTempDir({
    'probe/config.pbtxt': pythonConfig('probe', { ...probeIo, count: 1 }),
    'probe/1/model.py': pyModel('cancel_probe'),
    'dprobe/config.pbtxt': pythonConfig('dprobe', { ...probeIo, count: 1, extra: 'model_transaction_policy { decoupled: true }' }),
    'dprobe/1/model.py': pyModel('cancel_probe'),
    'aprobe/config.pbtxt': pythonConfig('aprobe', { ...probeIo, count: 1 }),
    'aprobe/1/model.py': pyModel('cancel_probe_async'),
    'until_cancelled/config.pbtxt': pythonConfig('until_cancelled', {
      inputs: [int1('IN'), int1('COUNT'), int1('DELAY'), bool1('IGNORE')],
      outputs: [int1('OUT')],
      extra: 'model_transaction_policy { decoupled: true }',
    }),
    'until_cancelled/1/model.py': pyModel('until_cancelled'),
    'bls_cancel/config.pbtxt': pythonConfig('bls_cancel', {
      inputs: [int1('IN'), int1('MAX'), bool1('IGNORE'), bool1('ASYNC'), bool1('AFTER')],
      outputs: [int1('SUM'), bool1('CANCELLED')],
    }),
    'bls_cancel/1/model.py': pyModel('bls_cancel'),
  });
  repo = await loadRepository(dir.root);
  for (const m of ['probe', 'dprobe', 'aprobe', 'until_cancelled', 'bls_cancel']) expect(stateOf(repo, m), m).toEqual({ state: 'READY', reason: '' });
});
afterAll(async () => {
  await closeRepositories();
  dir?.cleanup();
});

const logsOf = (name: string): string[] => repo.models.get(name)!.versions[0]!.logs.map((l) => l.message);

function probe(delayS: number, mode: 0 | 1, signal?: AbortSignal, extra: Partial<InferRequest> = {}): InferRequest {
  return {
    inputs: [tensor('DELAY', 'FP32', [1], Float32Array.from([delayS])), tensor('MODE', 'INT32', [1], Int32Array.from([mode]))],
    ...(signal ? { signal } : {}),
    ...extra,
  };
}

describe('is_cancelled() in execute()', () => {
  it('a request left alone is never cancelled and runs to its end', async () => {
    const res = await repo.infer('probe', -1, probe(0.2, 0, new AbortController().signal));
    expect(values(res.outputs[0])).toEqual([4]);
  });

  it.each([
    ['request.is_cancelled()', 0],
    ['response_sender.is_cancelled()', 1],
  ] as const)('%s turns True once the caller cancels, while a blocking execute() runs', async (_what, mode) => {
    const abort = new AbortController();
    const stats = repo.resolve('probe', -1).statistics;
    const before = { ...stats.failures };
    const started = Date.now();
    const running = rejection(repo.infer('probe', -1, probe(10, mode, abort.signal)));
    await untilLogged(
      () => logsOf('probe'),
      (lines) => lines.filter((l) => l.includes('not cancelled at')).length > mode,
    );
    abort.abort();
    const err = await running;
    expect(err.code).toBe('CANCELLED');
    expect(err.message).toContain('probe cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
    await untilLogged(
      () => logsOf('probe'),
      (lines) => lines.filter((l) => l.startsWith('probe: cancelled at')).length > mode,
    );
    // Answered by the model with an error: Triton's core counts a backend failure, not a cancellation.
    expect(stats.failures.BACKEND - before.BACKEND).toBe(1);
    expect(stats.failures.CANCELED - before.CANCELED).toBe(0);
  });

  it('a decoupled model sees the cancellation after execute() returned (response sender)', async () => {
    const abort = new AbortController();
    const streamed: StreamedResponse[] = [];
    const running = repo.infer('dprobe', -1, probe(10, 1, abort.signal, { onResponse: (r) => void streamed.push(r) }));
    await untilLogged(
      () => logsOf('dprobe'),
      (lines) => lines.some((l) => l.includes('not cancelled at')),
    );
    abort.abort();
    await running;
    expect(streamed).toHaveLength(1);
    expect(streamed[0]).toMatchObject({ code: 'CANCELLED', message: expect.stringContaining('probe cancelled') as unknown });
  });

  it('an async execute asks from the event loop: is_cancelled() turns True between awaits', async () => {
    const abort = new AbortController();
    const running = rejection(repo.infer('aprobe', -1, probe(10, 0, abort.signal)));
    await sleep(300);
    abort.abort();
    const err = await running;
    expect([err.code, err.message]).toEqual(['CANCELLED', expect.stringContaining('aprobe cancelled')]);
    expect(values((await repo.infer('aprobe', -1, probe(0.1, 0))).outputs[0])).toEqual([2]);
  });

  it('a queued request leaves the queue with CANCELLED and never reaches the model (CANCELED in statistics)', async () => {
    const stats = repo.resolve('probe', -1).statistics;
    const before = { ...stats.failures };
    // The first request holds the only instance for 2 s (room for a loaded machine's late timers).
    const first = repo.infer('probe', -1, probe(2, 0));
    await sleep(100);
    const abort = new AbortController();
    const queued = rejection(repo.infer('probe', -1, probe(0.05, 0, abort.signal, { id: 'q1' })));
    await sleep(50);
    abort.abort();
    const err = await queued;
    expect(err.code).toBe('CANCELLED');
    expect(err.message).toMatch(/^\[request id: q1\] /);
    expect(values((await first).outputs[0])).toEqual([40]);
    expect(stats.failures.CANCELED - before.CANCELED).toBe(1);
    expect(stats.failures.BACKEND - before.BACKEND).toBe(0);
  });

  it('a request cancelled before it is made never runs', async () => {
    const abort = new AbortController();
    abort.abort();
    expect((await rejection(repo.infer('probe', -1, probe(5, 0, abort.signal)))).code).toBe('CANCELLED');
  });
});

describe("the BLS response iterator's cancel()", () => {
  const bls = (o: { ignore?: boolean; async?: boolean; after?: boolean }): InferRequest => ({
    inputs: [
      tensor('IN', 'INT32', [1], Int32Array.from([1])),
      tensor('MAX', 'INT32', [1], Int32Array.from([10])),
      tensor('IGNORE', 'BOOL', [1], Uint8Array.from([o.ignore ? 1 : 0])),
      tensor('ASYNC', 'BOOL', [1], Uint8Array.from([o.async ? 1 : 0])),
      tensor('AFTER', 'BOOL', [1], Uint8Array.from([o.after ? 1 : 0])),
    ],
  });

  it.each([
    ['exec', false],
    ['async_exec', true],
  ] as const)('cancels the called request (%s): the called model stops at the sum with a CANCELLED error', async (_how, async) => {
    const res = await repo.infer('bls_cancel', -1, bls({ async }));
    const byName = Object.fromEntries(res.outputs.map((t) => [t.name, values(t)]));
    expect(byName).toEqual({ SUM: [10], CANCELLED: [1] });
  });

  it('a called model that ignores cancellation runs to its last response', async () => {
    const res = await repo.infer('bls_cancel', -1, bls({ ignore: true }));
    const byName = Object.fromEntries(res.outputs.map((t) => [t.name, values(t)]));
    expect(byName).toEqual({ SUM: [20], CANCELLED: [0] });
  });

  it('cancel() after the stream ended is a no-op', async () => {
    const res = await repo.infer('bls_cancel', -1, bls({ after: true, ignore: true }));
    expect(Object.fromEntries(res.outputs.map((t) => [t.name, values(t)]))).toEqual({ SUM: [20], CANCELLED: [0] });
  });
});
