/**
 * The session options "Run to see" uses must survive what real exports
 * contain. onnxruntime-node 1.30 at optimization level 'extended' or 'all'
 * kills the whole process (SIGSEGV) when a Range output and the Gather it
 * feeds are both fetched (Shape → Gather → Range → Gather: the position ids of
 * nearly every transformer); this test would take its worker down with it.
 */
import { create } from '@bufbuild/protobuf';
import { ValueInfoProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { makeTensor } from '../../tensor/tensor';
import { model, node, rawTensor, vi } from '../testing/graph-models';
import { runObserved } from './ort-run';

const i64 = (name: string, v: number[]): ReturnType<typeof rawTensor> => rawTensor(name, 7, [], new BigInt64Array(v.map(BigInt)));

function positionIdsModel(): Uint8Array {
  return model({
    nodes: [node('Shape', ['x'], ['s']), node('Gather', ['s', 'one'], ['t']), node('Range', ['zero', 't', 'one'], ['pos']), node('Gather', ['emb', 'pos'], ['pe']), node('Add', ['x', 'pe'], ['y'])],
    initializers: [i64('zero', [0]), i64('one', [1]), rawTensor('emb', 1, [8, 4], new Float32Array(32).fill(0.5))],
    inputs: [vi('x', 1, ['b', 't', 4])],
    // Every intermediate as a name-only output, as the observation's augmented model has them.
    outputs: [vi('y', 1, ['b', 't', 4]), ...['s', 't', 'pos', 'pe'].map((name) => create(ValueInfoProtoSchema, { name }))],
    opset: 17,
  });
}

describe('the observation session', () => {
  it('fetches a Range output and the Gather it feeds without crashing the process', async () => {
    const x = makeTensor('x', 'FP32', [1, 5, 4], new Float32Array(20).fill(1));
    const got = await runObserved(positionIdsModel(), [x], ['s', 't', 'pos', 'pe', 'y'], { modelDir: '.', external: false, intraOpThreads: 1 });
    const dims = Object.fromEntries(got.map((v) => [v.name, v.tensor?.shape]));
    expect(dims).toEqual({ s: [3], t: [], pos: [5], pe: [5, 4], y: [1, 5, 4] });
  });
});
