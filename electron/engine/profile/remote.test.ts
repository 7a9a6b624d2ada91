/**
 * RemoteTarget over a connection with and without `prepareInfer`: with it, each request is
 * prepared (encoded) once before the loop and only sent after; without it (gRPC), every request
 * goes through `infer`. Requests are taken in turn either way.
 */
import { describe, expect, it } from 'vitest';
import type { RemoteInferRequest, RemoteInferResult, TritonConnection } from '../remote/types';
import { makeTensor, type Tensor } from '../tensor/tensor';
import { RemoteTarget } from './remote';

const result = (tag: number): RemoteInferResult => ({ modelVersion: '1', outputs: [], sendNs: tag, recvNs: 2 * tag });

function fakeConnection(withPrepare: boolean): { conn: TritonConnection; prepared: Tensor[][]; sent: number[]; inferred: Tensor[][] } {
  const prepared: Tensor[][] = [];
  const sent: number[] = [];
  const inferred: Tensor[][] = [];
  const base = {
    protocol: 'http' as const,
    infer: (_m: string, _v: string, req: RemoteInferRequest) => {
      inferred.push(req.inputs);
      return Promise.resolve(result(inferred.length));
    },
  };
  const prepare = {
    prepareInfer: (model: string, version: string, req: Omit<RemoteInferRequest, 'signal'>) => {
      expect([model, version]).toEqual(['m', '']);
      const k = prepared.push(req.inputs) - 1;
      return { send: () => (sent.push(k), Promise.resolve(result(k + 1))) };
    },
  };
  return { conn: { ...base, ...(withPrepare ? prepare : {}) } as unknown as TritonConnection, prepared, sent, inferred };
}

const requests = [[makeTensor('IN', 'FP32', [1], new Float32Array([1]))], [makeTensor('IN', 'FP32', [1], new Float32Array([2]))]];

describe('RemoteTarget', () => {
  it('prepares each request once where the connection can, then only sends, in turn', async () => {
    const f = fakeConnection(true);
    const target = new RemoteTarget(f.conn, 'http://h:8000', 'm', '', requests);
    expect(f.prepared).toEqual(requests);
    const times = [await target.infer(), await target.infer(), await target.infer()];
    expect(f.sent).toEqual([0, 1, 0]);
    expect(f.inferred).toEqual([]);
    expect(times).toEqual([
      { sendNs: 1, recvNs: 2 },
      { sendNs: 2, recvNs: 4 },
      { sendNs: 1, recvNs: 2 },
    ]);
  });

  it('calls infer for every request where the connection cannot prepare (gRPC)', async () => {
    const f = fakeConnection(false);
    const target = new RemoteTarget(f.conn, 'grpc://h:8001', 'm', '', requests);
    await target.infer();
    await target.infer();
    await target.infer();
    expect(f.inferred).toEqual([requests[0], requests[1], requests[0]]);
  });
});
