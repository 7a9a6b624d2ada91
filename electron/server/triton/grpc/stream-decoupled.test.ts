/**
 * A decoupled Python model over gRPC: ModelStreamInfer writes each response as
 * the model sends it, with Triton's `triton_final_response` parameter, an
 * empty final response only on `triton_enable_empty_final_response`, error
 * responses mid-stream, `triton_grpc_error`; ModelInfer refuses the model.
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import { status, type ServiceError } from '@grpc/grpc-js';
import { pyModel, pythonConfig, pythonMissing } from '../../../engine/backends/python/testing/repo';
import { Repository } from '../../../engine/repository/repository';
import { makeTempDir, type TempDir } from '../../../engine/repository/testing/temp-repo';
import { modelConfig } from '../../../engine/runtime/testing/models';
import type { Tensor } from '../../../engine/tensor/tensor';
import { TritonCore } from '../core';
import { type GrpcInferenceClient, createGrpcClient, inferRequest, responseTensors } from './client';
import type { ModelStreamInferResponse } from './gen/grpc_service_pb';
import { type RunningGrpcServer, startGrpcServer } from './server';

/** Skipped, not failed, where no Python with numpy is installed (never on CI). */
const describe = describeAll.skipIf(pythonMissing);

let dir: TempDir;
let repo: Repository;
let server: RunningGrpcServer;
let client: GrpcInferenceClient;

beforeAll(async () => {
  if (pythonMissing) return;
  dir = await makeTempDir({
    'decoupled/config.pbtxt': pythonConfig('decoupled', {
      inputs: [{ name: 'IN', type: 'INT32', dims: [1] }],
      outputs: [{ name: 'OUT', type: 'INT32', dims: [1] }],
      count: 2,
      extra: 'model_transaction_policy { decoupled: true }',
    }),
    'decoupled/1/model.py': pyModel('decoupled'),
    'ident/config.pbtxt': modelConfig('ident', { backend: 'identity', inputs: [{ name: 'INPUT0', type: 'INT32', dims: [-1] }], outputs: [{ name: 'OUTPUT0', type: 'INT32', dims: [-1] }] }),
    'ident/1': null,
  });
  repo = new Repository(dir.root);
  await repo.loadAll();
  server = await startGrpcServer(new TritonCore(repo, { version: '2.99.0' }), { host: '127.0.0.1', port: 0, log: () => undefined });
  client = createGrpcClient(`127.0.0.1:${server.port}`);
}, 60_000);

afterAll(async () => {
  client?.close();
  await server?.close(false);
  await repo?.close();
  dir?.cleanup();
});

const n = (v: number): Tensor => ({ name: 'IN', dtype: 'INT32', shape: [1], data: Int32Array.from([v]) });
const EMPTY_FINAL = { triton_enable_empty_final_response: true };

/** What a test compares: the request id, OUT's values or the error, and triton_final_response. */
function seen(r: ModelStreamInferResponse): { id: string; out?: number[]; error?: string; final: unknown } {
  const res = r.inferResponse!;
  const final = res.parameters['triton_final_response']?.parameterChoice.value;
  if (r.errorMessage) return { id: res.id, error: r.errorMessage, final };
  const t = responseTensors(res)[0];
  return { id: res.id, ...(t ? { out: Array.from(t.data as Int32Array) } : {}), final };
}

async function take(s: ReturnType<GrpcInferenceClient['stream']>, count: number): Promise<ReturnType<typeof seen>[]> {
  const out: ReturnType<typeof seen>[] = [];
  for (let i = 0; i < count; i++) out.push(seen(await s.next()));
  return out;
}

describe('ModelStreamInfer with a decoupled model', () => {
  it('writes every response as it comes, triton_final_response false until the last; no empty final unless asked', async () => {
    const s = client.stream();
    s.send(inferRequest('decoupled', [n(3)], { id: 'three' }));
    s.end();
    expect(await take(s, 3)).toEqual([
      { id: 'three', out: [0], final: false },
      { id: 'three', out: [10], final: false },
      { id: 'three', out: [20], final: false },
    ]);
    await s.done;
    await expect(s.next()).rejects.toThrow('stream ended');
  });

  it('triton_enable_empty_final_response: the final flag alone comes as an empty response naming the request', async () => {
    const s = client.stream();
    s.send(inferRequest('decoupled', [n(2)], { id: 'two', parameters: EMPTY_FINAL }));
    s.send(inferRequest('decoupled', [n(0)], { id: 'none', parameters: EMPTY_FINAL }));
    s.end();
    const all = await take(s, 4);
    await s.done;
    expect(all.filter((r) => r.id === 'two')).toEqual([
      { id: 'two', out: [0], final: false },
      { id: 'two', out: [10], final: false },
      { id: 'two', final: true },
    ]);
    expect(all.filter((r) => r.id === 'none')).toEqual([{ id: 'none', final: true }]);
    const empty = (
      await (async () => {
        const t = client.stream();
        t.send(inferRequest('decoupled', [n(0)], { id: 'e', parameters: EMPTY_FINAL }));
        t.end();
        const r = await t.next();
        await t.done;
        return r;
      })()
    ).inferResponse!;
    expect([empty.modelName, empty.outputs.length]).toEqual(['decoupled', 0]);
  });

  it('an error response mid-stream answers error_message and the stream goes on', async () => {
    const s = client.stream();
    s.send(inferRequest('decoupled', [n(-2)], { id: 'mid' }));
    s.end();
    expect(await take(s, 4)).toEqual([
      { id: 'mid', out: [1], final: false },
      { id: 'mid', error: 'halfway', final: false },
      { id: 'mid', out: [2], final: false },
      { id: 'mid', out: [3], final: true },
    ]);
    await s.done;
  });

  it("a slow decoupled request does not hold back a later request's answer", async () => {
    const s = client.stream();
    // Three responses 100 ms apart; the identity model answers at once.
    s.send(inferRequest('decoupled', [n(203)], { id: 'slow' }));
    s.send(inferRequest('ident', [{ name: 'INPUT0', dtype: 'INT32', shape: [1], data: Int32Array.from([7]) }], { id: 'quick' }));
    s.end();
    const ids = (await take(s, 4)).map((r) => r.id);
    await s.done;
    expect(ids.filter((id) => id === 'slow')).toHaveLength(3);
    expect(ids.indexOf('quick')).toBeLessThan(ids.lastIndexOf('slow'));
  });

  it('triton_grpc_error: an error response closes the stream with its status', async () => {
    const s = client.stream({ metadata: { triton_grpc_error: 'true' } });
    s.send(inferRequest('decoupled', [n(-2)], { id: 'g' }));
    expect(seen(await s.next())).toEqual({ id: 'g', out: [1], final: false });
    const err = (await s.done.then(
      () => undefined,
      (e: unknown) => e,
    )) as ServiceError;
    expect({ code: err.code, details: err.details }).toEqual({ code: status.UNAVAILABLE, details: 'halfway' });
  });

  it('a model that is not decoupled answers once, with triton_final_response true', async () => {
    const s = client.stream();
    s.send(inferRequest('ident', [{ name: 'INPUT0', dtype: 'INT32', shape: [1], data: Int32Array.from([5]) }], { id: 'once' }));
    s.end();
    expect(await take(s, 1)).toEqual([{ id: 'once', out: [5], final: true }]);
    await s.done;
  });
});

describe('ModelInfer with a decoupled model', () => {
  it("is refused with Triton's message", async () => {
    const err = (await client.modelInfer(inferRequest('decoupled', [n(1)])).then(
      () => undefined,
      (e: unknown) => e,
    )) as ServiceError;
    expect({ code: err.code, details: err.details }).toEqual({ code: status.UNIMPLEMENTED, details: "ModelInfer RPC doesn't support models with decoupled transaction policy" });
  });
});
