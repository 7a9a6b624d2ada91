/**
 * analyzeGraph on real files: previews of small constants however they are
 * stored, and shape inference on the PaddleOCR models checked against what
 * onnxruntime computes for every intermediate value.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create } from '@bufbuild/protobuf';
import { StringStringEntryProtoSchema, TensorProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeGraph } from './analyze';
import { parseOnnxFile } from './onnx-summary';
import { evalDim, observedShapes } from './shapes/testing';
import { attr, controlFlowModel, everythingModel, model, node, rawTensor, vi } from './testing/graph-models';

const SAMPLES = path.resolve(__dirname, '../../../sample-repos/ocr_ensemble');
const DET = path.join(SAMPLES, 'text_detection/1/model.onnx');
const REC = path.join(SAMPLES, 'text_recognition/1/model.onnx');

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'analyze-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function analyzed(name: string, bytes: Uint8Array, opts: Parameters<typeof parseOnnxFile>[1] = {}): Promise<Awaited<ReturnType<typeof parseOnnxFile>>> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return analyzeGraph(await parseOnnxFile(file, opts), file);
}

const previews = (p: Awaited<ReturnType<typeof parseOnnxFile>>): Record<string, string | undefined> => Object.fromEntries(p.summary.initializers.map((i) => [i.name, i.preview]));

describe('small constant values', () => {
  it('previews every storage: external, raw INT64, float_data, FP16, Constant attributes (both parsers)', async () => {
    const { onnx, weights } = everythingModel();
    await writeFile(path.join(dir, 'weights.bin'), weights);
    for (const scanAboveBytes of [undefined, 0]) {
      const p = await analyzed(`every-${scanAboveBytes ?? 'whole'}.onnx`, onnx, scanAboveBytes === undefined ? {} : { scanAboveBytes });
      const pv = previews(p);
      expect(pv['w']).toBe('[[1.5, -2, 3.25], [0, 0.001, 42]]');
      expect(pv['b']).toBe('[1, -2, 9007199254740993]');
      expect(pv['f']).toBe('[[0.5, 1.5], [2.5, 3.5]]');
      expect(pv['h']).toBe('[1, -2]');
      expect(pv['s']).toBeUndefined();
      expect(pv['Constant_1:value']).toBe('2.5');
    }
  });

  it('spells NaN, infinities and booleans readably; leaves big tensors without preview', async () => {
    const p = await analyzed(
      'special.onnx',
      model({
        nodes: [node('Add', ['x', 'nan'], ['y']), node('Where', ['mask', 'y', 'big'], ['z'])],
        initializers: [rawTensor('nan', 1, [3], new Float32Array([NaN, Infinity, -Infinity])), rawTensor('mask', 9, [2], new Uint8Array([1, 0])), rawTensor('big', 1, [17], new Float32Array(17))],
        inputs: [vi('x', 1, [3])],
        outputs: [vi('z', 1, [])],
      }),
    );
    expect(previews(p)).toEqual({ nan: '[NaN, inf, -inf]', mask: '[true, false]', big: undefined });
  });

  it('does not read external data outside the model folder, and the graph still analyses', async () => {
    const t = create(TensorProtoSchema, {
      name: 'far',
      dataType: 7,
      dims: [2n],
      dataLocation: 1,
      externalData: [create(StringStringEntryProtoSchema, { key: 'location', value: '../far.bin' })],
    });
    await writeFile(path.join(path.dirname(dir), 'far.bin'), new Uint8Array(16)).catch(() => undefined);
    const p = await analyzed(
      'far.onnx',
      model({ nodes: [node('Reshape', ['x', 'far'], ['y']), node('Identity', ['y'], ['z'])], initializers: [t], inputs: [vi('x', 1, [4])], outputs: [vi('z', 1, [])] }),
    );
    expect(previews(p)['far']).toBeUndefined();
    expect(p.summary.inferred?.['y']?.dims).toEqual([null, null]);
    await rm(path.join(path.dirname(dir), 'far.bin'), { force: true });
  });

  it('folds a Constant shape into a Reshape', async () => {
    const shape = rawTensor('', 7, [3], new BigInt64Array([0n, -1n, 4n]));
    const p = await analyzed(
      'reshape.onnx',
      model({
        nodes: [node('Constant', [], ['s'], 'c', [attr({ name: 'value', type: 4, t: shape })]), node('Reshape', ['x', 's'], ['y']), node('Identity', ['y'], ['z'])],
        inputs: [vi('x', 1, ['batch', 8, 2])],
        outputs: [vi('z', 1, [])],
      }),
    );
    expect(previews(p)['c:value']).toBe('[0, -1, 4]');
    expect(p.summary.inferred?.['y']).toEqual({ dtype: 'FP32', dims: ['batch', 4, 4] });
    expect(p.summary.inferred?.['s']?.values).toEqual([0, -1, 4]);
  });
});

describe('shape inference on whole models', () => {
  it('skips inference on graphs over the node limit, saying why, and still previews constants', async () => {
    const file = path.join(dir, 'limit.onnx');
    await writeFile(
      file,
      model({
        nodes: [node('Add', ['x', 'k'], ['y']), node('Relu', ['y'], ['z'])],
        initializers: [rawTensor('k', 1, [], new Float32Array([3]))],
        inputs: [vi('x', 1, [2])],
        outputs: [vi('z', 1, [2])],
      }),
    );
    const p = await analyzeGraph(await parseOnnxFile(file), file, { maxNodes: 1 });
    expect(p.summary.shapeInference).toMatchObject({ typed: 0, untyped: 2, skipped: expect.stringContaining('2 nodes') });
    expect(p.summary.inferred).toBeUndefined();
    expect(previews(p)['k']).toBe('3');
  });

  it('types the control-flow model inside its bodies', async () => {
    const p = await analyzed('control.onnx', controlFlowModel());
    const s = p.summary;
    expect(s.shapeInference?.unknownOps).toEqual([]);
    const bodies = s.subgraphs ?? [];
    expect(bodies.length).toBeGreaterThan(0);
    for (const b of bodies)
      for (const nd of b.nodes) for (const o of nd.outputs) if (o) expect(b.inferred?.[o]?.dims ?? b.valueTypes[o]?.dims ?? b.outputs.find((x) => x.name === o)?.dims, `${b.name}/${o}`).toBeDefined();
  });

  it.each([
    ['det', DET],
    ['rec', REC],
  ])('PaddleOCR %s: every value has a rank and dims, no unknown operator', async (_name, file) => {
    const p = await analyzeGraph(await parseOnnxFile(file), file);
    const s = p.summary;
    expect(s.shapeInference?.unknownOps).toEqual([]);
    expect(s.shapeInference?.untyped).toBe(0);
    const outputs = s.nodes.flatMap((nd) => nd.outputs).filter(Boolean);
    const declared = new Set(s.outputs.map((o) => o.name));
    for (const o of outputs) {
      if (declared.has(o)) continue;
      const t = s.inferred?.[o];
      expect(t?.dims, o).toBeDefined();
      expect(t?.dims?.includes(null), o).toBe(false);
    }
  });

  it('det: symbolic dims follow the input (batch and spatial size)', async () => {
    const p = await analyzeGraph(await parseOnnxFile(DET), DET);
    const s = p.summary;
    const last = s.nodes[s.nodes.length - 2]!.outputs[0]!;
    expect(s.inferred?.[last]?.dims).toEqual(['p2o.DynamicDimension.0', 1, '32*ceil(p2o.DynamicDimension.1/32)', '32*ceil(p2o.DynamicDimension.2/32)']);
  });
});

describe('inferred dims match what onnxruntime computes', () => {
  it.each([
    ['det 640×640', DET, [1, 3, 640, 640], { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 640, 'p2o.DynamicDimension.2': 640 }],
    ['det 2×96×160', DET, [2, 3, 96, 160], { 'p2o.DynamicDimension.0': 2, 'p2o.DynamicDimension.1': 96, 'p2o.DynamicDimension.2': 160 }],
    ['rec', REC, [2, 3, 48, 320], { 'p2o.DynamicDimension.0': 2, 'p2o.DynamicDimension.1': 320 }],
  ] as const)(
    '%s: every intermediate value',
    async (_name, file, dims, env) => {
      const p = await analyzeGraph(await parseOnnxFile(file), file);
      const x = new ort.Tensor('float32', new Float32Array(dims.reduce((a: number, b: number) => a * b, 1)).fill(0.5), [...dims]);
      const seen = await observedShapes(await readFile(file), { x });
      let compared = 0;
      for (const [name, real] of seen) {
        const t = p.summary.inferred?.[name];
        if (!t?.dims) continue;
        const want = t.dims.map((d) => evalDim(d, env));
        expect(want, name).toEqual([...real]);
        compared++;
      }
      // Every value the run produced that inference typed (graph outputs are declared, not inferred).
      expect(compared).toBeGreaterThanOrEqual(seen.size - p.summary.outputs.length);
    },
    60_000,
  );
});
