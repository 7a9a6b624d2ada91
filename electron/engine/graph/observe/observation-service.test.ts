/**
 * "Run to see" through the Lab and the handler table: PaddleOCR's detector on
 * a small input (every intermediate observed, the budget honoured, kept
 * tensors viewable and dropped ones explained), generated input, external
 * weights, cancelling, and the handler's payload checks.
 */
import { create } from '@bufbuild/protobuf';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { StringStringEntryProtoSchema, TensorProtoSchema } from 'onnx-buf';
import { afterEach, describe, expect, it } from 'vitest';
import type { GraphObservation } from '../../../contract/inspect-api';
import { Lab } from '../../lab';
import { createLabHandlers, dispatch } from '../../lab-handlers';
import { TempDirs } from '../../repository/testing/temp-repo';
import { tensorPage } from '../../runs/tensor-access';
import { everythingModel, model, node, rawTensor, vi } from '../testing/graph-models';
import { estimateBytes } from './estimate';
import { browserHost } from '../../testing/host';

const host = browserHost();
const temp = new TempDirs();
const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
  temp.cleanup();
});

const OCR = path.join(__dirname, '..', '..', '..', '..', 'sample-repos', 'ocr_ensemble');
const haveDet = existsSync(path.join(OCR, 'text_detection', '1', 'model.onnx'));

async function open(root: string) {
  const lab = new Lab({ repository: { runtime: false } });
  labs.push(lab);
  const h = createLabHandlers(lab, host);
  const info = await lab.openRepository(root, { options: { runtime: false } });
  return { lab, h, repoId: info.id };
}

const small = { run: { inputs: [{ kind: 'generate' as const, name: 'x', dtype: 'FP32' as const, shape: [3, 64, 64], fill: 'random' as const }] } };

describe.skipIf(!haveDet)('"Run to see" on PaddleOCR det', () => {
  it('observes every intermediate value with its dims and statistics', async () => {
    const { h, repoId } = await open(OCR);
    const g = await h.modelGraph({ repoId, model: 'text_detection' });
    const o = await h.observeGraph({ graphId: g.graphId, ...small });
    expect(o.graphId).toBe(g.graphId);
    expect(o.inputNote).toBe("the playground's input: x (generated random, 1×3×64×64)");
    expect(o.inputs).toMatchObject([{ name: 'x', shape: [1, 3, 64, 64] }]);
    const produced = g.nodes.flatMap((n) => n.outputs).filter((v) => v !== '');
    expect(produced.length).toBeGreaterThan(600);
    for (const v of produced) {
      const seen = o.values[v];
      expect(seen, v).toBeDefined();
      expect(
        seen!.dims.every((d) => Number.isInteger(d) && d >= 0),
        v,
      ).toBe(true);
      const elements = seen!.dims.reduce((a, b) => a * b, 1);
      if (seen!.dtype === 'FP32') expect(seen!.stats?.count, v).toBe(elements);
    }
    expect(o.values['sigmoid_0.tmp_0']).toMatchObject({ dtype: 'FP32', dims: [1, 1, 64, 64], kept: true });
    expect(o.values['x']).toMatchObject({ dims: [1, 3, 64, 64], kept: true });
    // The first convolution halves the image: 16 channels at 32×32.
    const conv = g.nodes.find((n) => n.opType === 'Conv')!;
    expect(o.values[conv.outputs[0]!]!.dims).toEqual([1, 16, 32, 32]);
    expect(o.dropped).toBe(0);
    expect(o.keptBytes).toBeGreaterThan(1e6);
    const info = await h.tensorInfo({ runId: o.runId, side: 'edge', name: conv.outputs[0]! });
    const seen = o.values[conv.outputs[0]!]!.stats!;
    expect(info).toMatchObject({ shape: [1, 16, 32, 32], stats: { count: seen.count, min: seen.min, max: seen.max, nan: 0, inf: 0 } });
    expect(info.stats!.mean).toBeCloseTo(seen.mean, 5);
    expect(info.stats!.std).toBeCloseTo(seen.std, 5);
    // The estimate made before the run is a lower bound within 1% of what came back: only the
    // declared output, whose dims have names of their own, cannot be sized beforehand.
    const fetched = Object.values(o.values).filter((v) => v.name !== 'x');
    const actual = fetched.reduce((n, v) => n + v.dims.reduce((a, b) => a * b, 1) * (v.dtype === 'INT64' ? 8 : v.dtype === 'BOOL' ? 1 : 4), 0);
    const x = { name: 'x', dtype: 'FP32' as const, shape: [1, 3, 64, 64], data: new Float32Array(0) };
    const estimate = estimateBytes(
      g,
      [x],
      fetched.map((v) => v.name),
    );
    expect(estimate.unknown).toBeLessThanOrEqual(1);
    expect(estimate.bytes).toBeLessThanOrEqual(actual);
    expect(estimate.bytes).toBeGreaterThan(actual * 0.99);
    const heat = await h.tensorHeatmap({ runId: o.runId, side: 'edge', name: conv.outputs[0]!, fixed: [0, 5], maxSide: 16 });
    expect([heat.rows, heat.cols]).toEqual([16, 16]);
  });

  it('keeps tensors up to the budget and only shape and statistics beyond it', async () => {
    const { lab, h, repoId } = await open(OCR);
    const g = await h.modelGraph({ repoId, model: 'text_detection' });
    const budget = 300_000;
    const o: GraphObservation = await h.observeGraph({ graphId: g.graphId, budgetBytes: budget, ...small });
    expect(o.dropped).toBeGreaterThan(0);
    expect(o.keptBytes).toBeLessThanOrEqual(budget);
    const values = Object.values(o.values);
    expect(values.filter((v) => !v.kept)).toHaveLength(o.dropped);
    const kept = values.find((v) => v.kept && v.dims.length === 4)!;
    const t = lab.tensor({ runId: o.runId, side: 'edge', name: kept.name });
    expect(tensorPage(t, 0, 3).values).toHaveLength(3);
    const dropped = values.find((v) => !v.kept)!;
    expect(dropped.stats?.count).toBeGreaterThan(0);
    await expect(dispatch(h, 'tensorInfo', { runId: o.runId, side: 'edge', name: dropped.name })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('was not kept'),
    });
    await expect(dispatch(h, 'tensorInfo', { runId: o.runId, side: 'edge', name: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // A newer observation of the graph replaces the older one.
    const again = await h.observeGraph({ graphId: g.graphId, budgetBytes: 0, ...small });
    expect(again.keptBytes).toBe(0);
    await expect(dispatch(h, 'tensorInfo', { runId: o.runId, side: 'edge', name: kept.name })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('can be cancelled with cancelRun', async () => {
    const { lab, h, repoId } = await open(OCR);
    const g = await h.modelGraph({ repoId, model: 'text_detection' });
    const running = h.observeGraph({ graphId: g.graphId, runId: 'see-1', ...small });
    while (!lab.runs.cancel('see-1')) await new Promise((r) => setTimeout(r, 1));
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    // The id is free again, and the next observation runs.
    const o = await h.observeGraph({ graphId: g.graphId, runId: 'see-1', ...small });
    expect(o.runId).toBe('see-1');
  });

  it('says which input is wrong or missing', async () => {
    const { h, repoId } = await open(OCR);
    const g = await h.modelGraph({ repoId, model: 'text_detection' });
    const wrong = { run: { inputs: [{ kind: 'generate', name: 'x', dtype: 'FP32', shape: [4, 64, 64], fill: 'zeros' }] } };
    await expect(dispatch(h, 'observeGraph', { graphId: g.graphId, ...wrong })).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining("input 'x' is 1×4×64×64") });
    const typed = { run: { inputs: [{ kind: 'generate', name: 'x', dtype: 'INT32', shape: [3, 64, 64], fill: 'zeros' }] } };
    await expect(dispatch(h, 'observeGraph', { graphId: g.graphId, ...typed })).rejects.toMatchObject({ message: expect.stringContaining('is INT32 in the Run tab but the model takes FP32') });
  });
});

/** Add(x, w) → Relu, with w in `weights.bin` next to the model; input dims symbolic. */
function externalModel(): { onnx: Uint8Array; weights: Uint8Array } {
  const weights = new Uint8Array(new Float32Array([1, -1, 2]).buffer);
  const w = create(TensorProtoSchema, {
    name: 'w',
    dataType: 1,
    dims: [3n, 1n, 1n],
    dataLocation: 1,
    externalData: [create(StringStringEntryProtoSchema, { key: 'location', value: 'weights.bin' }), create(StringStringEntryProtoSchema, { key: 'length', value: '12' })],
  });
  const onnx = model({
    nodes: [node('Add', ['x', 'w'], ['sum'], 'add'), node('Relu', ['sum'], ['y'], 'relu')],
    initializers: [w],
    inputs: [vi('x', 1, ['N', 3, 'H', 'W'])],
    outputs: [vi('y', 1, ['N', 3, 'H', 'W'])],
  });
  return { onnx, weights };
}

/** Token ids and a mask sharing the symbolic dims; the mask multiplies the ids. */
function tokenModel(): Uint8Array {
  return model({
    nodes: [node('Mul', ['ids', 'attention_mask'], ['masked'], 'mul'), node('Identity', ['masked'], ['out'], 'same')],
    inputs: [vi('ids', 7, ['batch', 'seq']), vi('attention_mask', 7, ['batch', 'seq'])],
    outputs: [vi('out', 7, ['batch', 'seq'])],
  });
}

describe('"Run to see" on generated input', () => {
  it('makes up an image-like input, reads external weights next to the model, and says what it made', async () => {
    const { onnx, weights } = externalModel();
    const d = await temp.make({ 'm/1/model.onnx': onnx, 'm/1/weights.bin': weights, 'm/config.pbtxt': 'backend: "onnxruntime"' });
    const { lab, h, repoId } = await open(d.root);
    const g = await h.modelGraph({ repoId, model: 'm' });
    const o = await h.observeGraph({ graphId: g.graphId });
    expect(o.values['sum']).toMatchObject({ dims: [1, 3, 640, 640], kept: true });
    expect(o.inputNote).toBe('generated input: x FP32 1×3×640×640 (pseudo-random in [0, 1)); open dims: N → 1, H → 640, W → 640');
    // Channel 1 had 1 subtracted: every value is in [-1, 0).
    const stats = o.values['sum']!.stats!;
    expect(stats.min).toBeGreaterThanOrEqual(-1);
    expect(stats.max).toBeLessThan(3);
    const y = lab.tensor({ runId: o.runId, side: 'edge', name: 'y' });
    expect(tensorPage(y, 640 * 640, 1).values[0]).toBe(0);
  });

  it('gives dims with one name one size, masks of ones, and explains a missing weights file', async () => {
    const d = await temp.make({ 't/1/model.onnx': tokenModel(), 't/config.pbtxt': 'backend: "onnxruntime"', 'e/1/model.onnx': externalModel().onnx, 'e/config.pbtxt': 'backend: "onnxruntime"' });
    const { h, repoId } = await open(d.root);
    const t = await h.modelGraph({ repoId, model: 't' });
    const o = await h.observeGraph({ graphId: t.graphId });
    expect(o.values['masked']!.dims).toEqual([1, 16]);
    expect(o.inputNote).toContain('attention_mask INT64 1×16 (ones)');
    expect(o.inputNote).toContain('ids INT64 1×16 (zeros)');
    const e = await h.modelGraph({ repoId, model: 'e' });
    await expect(dispatch(h, 'observeGraph', { graphId: e.graphId })).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('external data files') });
  });

  it('runs one observation at a time: a newer one of the same graph cancels the older, another graph waits its turn', async () => {
    const { onnx, weights } = externalModel();
    const d = await temp.make({
      't/1/model.onnx': tokenModel(),
      't/config.pbtxt': 'backend: "onnxruntime"',
      'e/1/model.onnx': onnx,
      'e/1/weights.bin': weights,
      'e/config.pbtxt': 'backend: "onnxruntime"',
    });
    const { h, repoId } = await open(d.root);
    const [t, e] = [await h.modelGraph({ repoId, model: 't' }), await h.modelGraph({ repoId, model: 'e' })];
    const older = h.observeGraph({ graphId: t.graphId });
    const newer = h.observeGraph({ graphId: t.graphId });
    const other = h.observeGraph({ graphId: e.graphId });
    await expect(older).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await newer).values['masked']!.dims).toEqual([1, 16]);
    expect((await other).values['y']!.dims).toEqual([1, 3, 640, 640]);
  });

  it('says so when ONNX Runtime cannot load the model', async () => {
    const { onnx, weights } = everythingModel();
    const d = await temp.make({ 'c/1/model.onnx': onnx, 'c/1/weights.bin': weights, 'c/config.pbtxt': 'backend: "onnxruntime"' });
    const { h, repoId } = await open(d.root);
    const g = await h.modelGraph({ repoId, model: 'c' });
    await expect(dispatch(h, 'observeGraph', { graphId: g.graphId })).rejects.toMatchObject({
      code: 'INVALID_ARG',
      message: expect.stringMatching(/^ONNX Runtime cannot load this model for "Run to see": .*Gemm.*Check that the model loads in the Run tab/),
    });
  });

  it('refuses a run whose values could not fit, before it starts', async () => {
    // A scalar expanded to 4096×4096×4096 floats: 256 GiB.
    const huge = model({
      nodes: [node('Expand', ['x', 'shape'], ['big'], 'expand'), node('ReduceSum', ['big'], ['y'], 'sum')],
      initializers: [rawTensor('shape', 7, [3], new BigInt64Array([4096n, 4096n, 4096n]))],
      inputs: [vi('x', 1, [1])],
      outputs: [vi('y', 1, [1, 1, 1])],
    });
    const d = await temp.make({ 'h/1/model.onnx': huge, 'h/config.pbtxt': 'backend: "onnxruntime"' });
    const { h, repoId } = await open(d.root);
    const g = await h.modelGraph({ repoId, model: 'h' });
    await expect(dispatch(h, 'observeGraph', { graphId: g.graphId })).rejects.toMatchObject({
      code: 'INVALID_ARG',
      message: expect.stringMatching(/^at this input \(x 1\) the model's intermediate values would take at least 256\.0 GiB, more than "Run to see" holds at once/),
    });
  });

  it('checks its payload', async () => {
    const d = await temp.make({ 't/1/model.onnx': tokenModel(), 't/config.pbtxt': 'backend: "onnxruntime"' });
    const { h, repoId } = await open(d.root);
    const g = await h.modelGraph({ repoId, model: 't' });
    await expect(dispatch(h, 'observeGraph', { graphId: 'g-nope' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('open the graph again') });
    await expect(dispatch(h, 'observeGraph', {})).rejects.toMatchObject({ code: 'INVALID_ARG', message: "'graphId' must be a non-empty string" });
    await expect(dispatch(h, 'observeGraph', { graphId: g.graphId, budgetBytes: 'lots' })).rejects.toMatchObject({ code: 'INVALID_ARG', message: "'budgetBytes' must be a number" });
    await expect(dispatch(h, 'observeGraph', { graphId: g.graphId, budgetBytes: -1 })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(dispatch(h, 'observeGraph', { graphId: g.graphId, run: { inputs: 'x' } })).rejects.toMatchObject({ code: 'INVALID_ARG', message: "'inputs' must be a list" });
    await expect(dispatch(h, 'observeGraph', { graphId: g.graphId, subgraph: 0 })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(dispatch(h, 'observeGraph', { graphId: g.graphId, runId: 'no spaces' })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(dispatch(h, 'observeGraph', { graphId: g.graphId, run: { inputs: [{ kind: 'values', name: 'attention_mask', dtype: 'INT64', shape: [2], values: [1, 2] }] } })).rejects.toMatchObject({
      code: 'INVALID_ARG',
      message: expect.stringContaining("has no 'ids'"),
    });
  });
});
