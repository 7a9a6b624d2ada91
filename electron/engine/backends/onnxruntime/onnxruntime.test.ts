/**
 * The ONNX Runtime backend at run time: results of a real model, dynamic
 * batching (joined along the batch dimension, split back per request), one
 * session per instance, CPU fallback for KIND_GPU, and a broken model file
 * that takes down only its own model.
 */
import { create } from '@bufbuild/protobuf';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { StringStringEntryProtoSchema, TensorProtoSchema } from 'onnx-buf';
import { afterEach, describe, expect, it } from 'vitest';
import { model as graphModel, node as graphNode, vi } from '../../graph/testing/graph-models';
import { buildOnnxModel } from '../../onnx/testing/build-model';
import { loadRepository, TempDirs } from '../../repository/testing/temp-repo';
import type { ModelRunner } from '../../runtime/model-runner';
import { Trace } from '../../runtime/trace';
import { f32, modelConfig, values } from '../../runtime/testing/models';
import type { OnnxInstance } from './instance';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const FLOAT = 1;
const ADD = buildOnnxModel({
  inputs: [
    { name: 'A', type: FLOAT, dims: ['batch', 3] },
    { name: 'B', type: FLOAT, dims: ['batch', 3] },
  ],
  outputs: [
    { name: 'SUM', type: FLOAT, dims: ['batch', 3] },
    { name: 'PROD', type: FLOAT, dims: ['batch', 3] },
  ],
  nodes: [
    { op: 'Add', inputs: ['A', 'B'], outputs: ['SUM'] },
    { op: 'Mul', inputs: ['A', 'B'], outputs: ['PROD'] },
  ],
});

function addConfig(name: string, extra: { dynamic?: boolean; count?: number; extra?: string } = {}): string {
  return modelConfig(name, {
    backend: 'onnxruntime',
    mbs: 8,
    inputs: [
      { name: 'A', dims: [3] },
      { name: 'B', dims: [3] },
    ],
    outputs: [
      { name: 'SUM', dims: [3] },
      { name: 'PROD', dims: [3] },
    ],
    ...extra,
  });
}

const range = (n: number, from: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('ONNX Runtime backend', () => {
  it('runs a built model: Add and Mul of two inputs, only the requested outputs', async () => {
    const d = await temp.make({ 'add/config.pbtxt': addConfig('add'), 'add/1/model.onnx': ADD });
    const repo = await loadRepository(d.root);
    expect(repo.models.get('add')!.state).toBe('READY');
    const r = await repo.infer('add', -1, { inputs: [f32('A', [2, 3], [1, 2, 3, 4, 5, 6]), f32('B', [2, 3], [10, 20, 30, 40, 50, 60])] });
    expect(r.outputs.map((t) => t.name)).toEqual(['SUM', 'PROD']);
    expect(r.outputs[0]).toMatchObject({ dtype: 'FP32', shape: [2, 3] });
    expect(values(r.outputs[0])).toEqual([11, 22, 33, 44, 55, 66]);
    expect(values(r.outputs[1])).toEqual([10, 40, 90, 160, 250, 360]);
    const only = await repo.infer('add', -1, { inputs: [f32('A', [1, 3], [1, 1, 1]), f32('B', [1, 3], [2, 2, 2])], outputs: ['PROD'] });
    expect(only.outputs.map((t) => t.name)).toEqual(['PROD']);
    expect(values(only.outputs[0])).toEqual([2, 2, 2]);
  });

  it('dynamic batching: concurrent requests run together and each gets its own slice', async () => {
    const d = await temp.make({ 'add/config.pbtxt': addConfig('add', { dynamic: true, count: 1 }), 'add/1/model.onnx': ADD });
    const repo = await loadRepository(d.root);
    const sizes = [1, 2, 1, 3, 1];
    const trace = new Trace();
    let next = 0;
    const requests = sizes.map((n, k) => {
      const a = range(n * 3, next);
      next += n * 3;
      return {
        k,
        n,
        a,
        p: repo.infer('add', -1, {
          id: `r${k}`,
          inputs: [
            f32('A', [n, 3], a),
            f32(
              'B',
              [n, 3],
              a.map(() => 1000 * (k + 1)),
            ),
          ],
          trace: { trace, held: [] },
        }),
      };
    });
    const results = await Promise.all(requests.map((r) => r.p));
    requests.forEach(({ k, n, a }, i) => {
      const res = results[i]!;
      expect(res.id).toBe(`r${k}`);
      expect(res.outputs[0]!.shape).toEqual([n, 3]);
      expect(values(res.outputs[0])).toEqual(a.map((x) => x + 1000 * (k + 1)));
    });
    const runner = repo.resolve('add', -1) as ModelRunner;
    expect(runner.stats.executionCount).toBeLessThan(sizes.length);
    expect(runner.stats.inferenceCount).toBe(8);
    expect(Math.max(...trace.spans.map((s) => s.batchedWith ?? 0))).toBeGreaterThan(1);
  });

  it('without dynamic_batching every request runs alone', async () => {
    const d = await temp.make({ 'add/config.pbtxt': addConfig('add', { count: 1 }), 'add/1/model.onnx': ADD });
    const repo = await loadRepository(d.root);
    await Promise.all([1, 2, 3].map((v) => repo.infer('add', -1, { inputs: [f32('A', [1, 3], [v, v, v]), f32('B', [1, 3], [v, v, v])] })));
    expect((repo.resolve('add', -1) as ModelRunner).stats.executionCount).toBe(3);
  });

  it('instance_group count 2 makes two sessions that serve requests side by side', async () => {
    const d = await temp.make({ 'add/config.pbtxt': addConfig('add', { count: 2 }), 'add/1/model.onnx': ADD });
    const repo = await loadRepository(d.root);
    const runner = repo.resolve('add', -1) as ModelRunner;
    expect(runner.instances.map((i) => i.name)).toEqual(['add_0_0', 'add_0_1']);
    const sessions = runner.instances.map((i) => (i as unknown as { session: unknown }).session);
    expect(sessions[0]).toBeDefined();
    expect(sessions[0]).not.toBe(sessions[1]);
    const trace = new Trace();
    await Promise.all([1, 2].map((v) => repo.infer('add', -1, { inputs: [f32('A', [1, 3], [v, v, v]), f32('B', [1, 3], [v, v, v])], trace: { trace, held: [] } })));
    expect(new Set(trace.spans.map((s) => s.instance))).toEqual(new Set(['add_0_0', 'add_0_1']));
    expect(runner.instances.every((i) => (i as OnnxInstance).device === 'CPU')).toBe(true);
  });

  it('KIND_GPU without CUDA runs on the CPU and records why', async () => {
    const d = await temp.make({
      'gpu/config.pbtxt': addConfig('gpu', { extra: 'instance_group [ { kind: KIND_GPU count: 1 } ]' }),
      'gpu/1/model.onnx': ADD,
    });
    const repo = await loadRepository(d.root);
    const v = repo.models.get('gpu')!.versions[0]!;
    expect(v.state).toBe('READY');
    if (v.device === 'CPU') {
      expect(v.deviceNote).toMatch(/CUDA/);
      expect(v.deviceNote).toMatch(/running on CPU/);
      expect(v.logs.some((l) => l.level === 'warn' && l.message.includes('running on CPU'))).toBe(true);
    } else {
      // A machine with a CUDA build of onnxruntime-node really uses the GPU.
      expect(v.device).toBe('GPU 0');
    }
    const r = await repo.infer('gpu', -1, { inputs: [f32('A', [1, 3], [1, 2, 3]), f32('B', [1, 3], [1, 1, 1])] });
    expect(values(r.outputs[0])).toEqual([2, 3, 4]);
  });

  it('a corrupt model.onnx makes only that model UNAVAILABLE', async () => {
    const unknownOp = buildOnnxModel({
      inputs: [{ name: 'A', type: FLOAT, dims: ['batch', 3] }],
      outputs: [{ name: 'SUM', type: FLOAT, dims: ['batch', 3] }],
      nodes: [{ op: 'NoSuchOperator', inputs: ['A'], outputs: ['SUM'] }],
    });
    const d = await temp.make({
      'good/config.pbtxt': addConfig('good'),
      'good/1/model.onnx': ADD,
      'garbage/1/model.onnx': new Uint8Array([0x08, 0xff, 0xff, 0xff, 0x42, 0x13, 0x37]),
      'badop/config.pbtxt': modelConfig('badop', { backend: 'onnxruntime', mbs: 8, inputs: [{ name: 'A', dims: [3] }], outputs: [{ name: 'SUM', dims: [3] }] }),
      'badop/1/model.onnx': unknownOp,
    });
    const repo = await loadRepository(d.root);
    expect(repo.models.get('good')!.state).toBe('READY');
    const garbage = repo.models.get('garbage')!;
    expect(garbage.state).toBe('UNAVAILABLE');
    expect(garbage.versions[0]!.reason).toMatch(/^Internal: unable to load model 'garbage'/);
    const badop = repo.models.get('badop')!;
    expect(badop.state).toBe('UNAVAILABLE');
    expect(badop.versions[0]!.reason).toMatch(/^Internal: onnx runtime error: .*NoSuchOperator/s);
    expect(badop.versions[0]!.runner).toBeUndefined();
    const r = await repo.infer('good', -1, { inputs: [f32('A', [1, 3], [1, 2, 3]), f32('B', [1, 3], [1, 2, 3])] });
    expect(values(r.outputs[0])).toEqual([2, 4, 6]);
    expect(() => repo.resolve('badop', -1)).toThrow("Request for unknown model: 'badop' has no available versions");
  });

  it("external data linked to a file outside the model's folder does not load (ONNX Runtime's own check, relied on: a hostile repository cannot serve ~/.ssh/id_rsa as weights)", async () => {
    const w = create(TensorProtoSchema, {
      name: 'W',
      dataType: FLOAT,
      dims: [3n],
      dataLocation: 1,
      externalData: [
        create(StringStringEntryProtoSchema, { key: 'location', value: 'weights.bin' }),
        create(StringStringEntryProtoSchema, { key: 'offset', value: '0' }),
        create(StringStringEntryProtoSchema, { key: 'length', value: '12' }),
      ],
    });
    const withWeights = graphModel({ nodes: [graphNode('Add', ['A', 'W'], ['SUM'])], initializers: [w], inputs: [vi('A', FLOAT, [3])], outputs: [vi('SUM', FLOAT, [3])] });
    const config = (name: string): string => modelConfig(name, { backend: 'onnxruntime', mbs: 0, inputs: [{ name: 'A', dims: [3] }], outputs: [{ name: 'SUM', dims: [3] }] });
    const weights = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const elsewhere = await temp.make({ 'secret.bin': weights });
    const d = await temp.make({
      'inside/config.pbtxt': config('inside'),
      'inside/1/model.onnx': withWeights,
      'inside/1/weights.bin': weights,
      'out/config.pbtxt': config('out'),
      'out/1/model.onnx': withWeights,
    });
    symlinkSync(path.join(elsewhere.root, 'secret.bin'), path.join(d.root, 'out/1/weights.bin'));
    const repo = await loadRepository(d.root);
    expect(values((await repo.infer('inside', -1, { inputs: [f32('A', [3], [0, 0, 0])] })).outputs[0])).toEqual([1, 2, 3]);
    const out = repo.models.get('out')!;
    expect(out.state).toBe('UNAVAILABLE');
    expect(out.versions[0]!.reason).toMatch(/External data path escapes model directory/);
  });
});
