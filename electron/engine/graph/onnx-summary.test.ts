/** Reading ONNX graphs: real PaddleOCR models, every storage kind, the large-file scanner, damaged files. */
import { fromBinary } from '@bufbuild/protobuf';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModelProtoSchema } from 'onnx-buf';
import { afterEach, describe, expect, it } from 'vitest';
import { TempDirs } from '../repository/testing/temp-repo';
import { tensorPage } from '../runs/tensor-access';
import { readInitializer } from './initializer-reader';
import { DESCRIBED_OPS } from './op-docs';
import { parseOnnxFile, readOnnxSummary } from './onnx-summary';
import { EXTERNAL_W, bigConstantModel, chainModel, everythingModel, model, node, vi } from './testing/graph-models';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const SAMPLES = path.join(__dirname, '..', '..', '..', 'sample-repos');
const DET = path.join(SAMPLES, 'ocr_ensemble', 'text_detection', '1', 'model.onnx');
const REC = path.join(SAMPLES, 'ocr_ensemble', 'text_recognition', '1', 'model.onnx');
const CLS = path.join(SAMPLES, 'ocr_bls', 'text_direction', '1', 'model.onnx');
const haveSamples = existsSync(DET) && existsSync(REC) && existsSync(CLS);

/** Everything but the timing, for comparing two parses. */
function comparable<T extends { parseMs: number }>(s: T): Omit<T, 'parseMs'> {
  const { parseMs: _ms, ...rest } = s;
  return rest;
}

async function writeModel(files: Record<string, Uint8Array>): Promise<string> {
  const d = await temp.make(files);
  return d.root;
}

describe.skipIf(!haveSamples)('PaddleOCR models', () => {
  it('reads the detection model: nodes, op types, I/O dims, weights (Constant values) with their shapes', async () => {
    const started = performance.now();
    const { summary: s, locators } = await parseOnnxFile(DET);
    const ms = performance.now() - started;
    expect(s.format).toBe('ONNX v8');
    expect(s.opsets).toEqual([{ domain: '', version: 11 }]);
    expect(s.nodes).toHaveLength(672);
    expect(s.ops.map((o) => o.opType)).toEqual([
      'Add',
      'BatchNormalization',
      'Clip',
      'Concat',
      'Constant',
      'Conv',
      'ConvTranspose',
      'Div',
      'GlobalAveragePool',
      'HardSigmoid',
      'Mul',
      'Relu',
      'Resize',
      'Sigmoid',
    ]);
    expect(s.ops.find((o) => o.opType === 'Conv')).toMatchObject({ category: 'layer', summary: expect.stringMatching(/filters/) });
    expect(s.inputs).toEqual([{ name: 'x', dtype: 'FP32', dims: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'] }]);
    expect(s.outputs).toEqual([{ name: 'sigmoid_0.tmp_0', dtype: 'FP32', dims: ['p2o.DynamicDimension.3', 1, 'p2o.DynamicDimension.4', 'p2o.DynamicDimension.5'] }]);
    // Paddle's exporter keeps weights in Constant nodes: each value is a viewable entry.
    expect(s.initializers).toHaveLength(342);
    const conv = s.nodes.find((n) => n.opType === 'Conv')!;
    expect(conv.unnamed).toBeUndefined();
    expect(conv.attributes.map((a) => `${a.name}=${a.value}`)).toEqual(expect.arrayContaining(['strides=[2, 2]', 'kernel_shape=[3, 3]']));
    const constant = s.nodes.find((n) => n.outputs[0] === conv.inputs[1])!;
    expect(constant).toMatchObject({ opType: 'Constant', unnamed: true, name: `Constant_${s.nodes.indexOf(constant)}` });
    const weight = s.initializers[constant.attributes[0]!.tensor!]!;
    expect(weight).toMatchObject({ name: `${constant.name}:value`, dtype: 'FP32', dims: [16, 3, 3, 3], elements: 432, bytes: 1728 });
    expect(constant.attributes[0]).toMatchObject({ name: 'value', type: 'TENSOR', value: 'FP32 [16, 3, 3, 3]' });

    // The values equal what decoding the whole model with onnx-buf gives.
    const m = fromBinary(ModelProtoSchema, readFileSync(DET));
    const decoded = m.graph!.node.find((n) => n.output[0] === conv.inputs[1])!.attribute[0]!.t!;
    const expected = new Float32Array(Uint8Array.from(decoded.rawData).buffer);
    const t = readInitializer(DET, locators[s.initializers.indexOf(weight)]!);
    expect(t.shape).toEqual([16, 3, 3, 3]);
    expect(Array.from(t.data as Float32Array)).toEqual(Array.from(expected));
    console.log(`readOnnxSummary(det, ${(s.fileBytes / 2 ** 20).toFixed(1)} MiB, ${s.nodes.length} nodes): ${ms.toFixed(1)} ms`);
  });

  it('reads the recognition and direction models', async () => {
    const started = performance.now();
    const rec = await readOnnxSummary(REC);
    const ms = performance.now() - started;
    expect(rec.nodes).toHaveLength(765);
    expect(rec.inputs[0]).toEqual({ name: 'x', dtype: 'FP32', dims: ['p2o.DynamicDimension.0', 3, 48, 'p2o.DynamicDimension.1'] });
    expect(rec.outputs[0]).toMatchObject({ name: 'softmax_11.tmp_0', dtype: 'FP32', dims: [expect.any(String), expect.any(String), 6625] });
    expect(rec.ops.map((o) => o.opType)).toEqual(expect.arrayContaining(['MatMul', 'Softmax', 'ReduceMean', 'Transpose']));
    // The classifier head: 6625 classes.
    expect(rec.initializers.filter((i) => i.dims?.at(-1) === 6625).map((i) => i.dims)).toEqual(expect.arrayContaining([[6625]]));
    const cls = await readOnnxSummary(CLS);
    expect(cls.nodes).toHaveLength(471);
    expect(cls.outputs[0]).toMatchObject({ name: 'softmax_0.tmp_0', dims: [expect.any(String), 2] });
    console.log(`readOnnxSummary(rec, ${(rec.fileBytes / 2 ** 20).toFixed(1)} MiB, ${rec.nodes.length} nodes): ${ms.toFixed(1)} ms`);
  });

  it('gives the same summary through the large-file scanner', async () => {
    for (const file of [DET, REC]) {
      const whole = await parseOnnxFile(file);
      const scanned = await parseOnnxFile(file, { scanAboveBytes: 0, windowBytes: 64 * 1024 });
      expect(comparable(scanned.summary)).toEqual(comparable(whole.summary));
      expect(scanned.locators).toEqual(whole.locators);
      // Every node walked field by field, as a model with huge Constants would be.
      const walked = await parseOnnxFile(file, { scanAboveBytes: 0, largeNodeBytes: 0 });
      expect(comparable(walked.summary)).toEqual(comparable(whole.summary));
      expect(walked.locators).toEqual(whole.locators);
    }
  });
});

describe('readOnnxSummary', () => {
  it('reads every storage kind and attribute kind, and views each initializer', async () => {
    const { onnx, weights } = everythingModel();
    const root = await writeModel({ 'model.onnx': onnx, 'weights.bin': weights });
    const file = path.join(root, 'model.onnx');
    const { summary: s, locators, io } = await parseOnnxFile(file);
    expect(s).toMatchObject({ irVersion: 8, producer: 'graph-tests', producerVersion: '1.0', domain: 'lab.tests', modelVersion: 3, doc: 'a test model', graphName: 'main' });
    expect(s.metadata).toEqual([{ key: 'author', value: 'tests' }]);
    // 'f' is an initializer listed as an input too: not a graph input.
    expect(s.inputs.map((i) => i.name)).toEqual(['x', 'cond']);
    expect(io.overridableInitializers.map((i) => i.name)).toEqual(['f']);
    expect(s.valueTypes).toEqual({ y: { dtype: 'FP32', dims: ['batch', 3] } });
    expect(s.initializers.map((i) => [i.name, i.dtype, i.dims, i.bytes, i.elements])).toEqual([
      ['w', 'FP32', [2, 3], 24, 6],
      ['b', 'INT64', [3], 24, 3],
      ['f', 'FP32', [2, 2], 16, 4],
      ['h', 'FP16', [2], 4, 2],
      ['s', 'BYTES', [2], 8, 2],
      ['Constant_1:value', 'FP32', [], 4, 1],
    ]);
    expect(s.initializers[0]!.external).toEqual({ location: 'weights.bin', offset: 16, length: 24 });

    const byName = (n: string) => s.nodes.find((x) => x.name === n)!;
    expect(byName('gemm').attributes).toEqual([
      { name: 'alpha', type: 'FLOAT', value: '0.1' },
      { name: 'transB', type: 'INT', value: '1' },
    ]);
    expect(byName('Constant_1')).toMatchObject({ unnamed: true, attributes: [{ name: 'value', type: 'TENSOR', value: 'FP32 [] = 2.5', tensor: 5 }] });
    expect(byName('Mul_2').unnamed).toBe(true);
    // 'Reshape_3' would be the made-up name of an unnamed node 3; here node 3 is called 'reshape'.
    expect(s.nodes.filter((n) => n.unnamed).map((n) => n.name)).toEqual(['Constant_1', 'Mul_2']);
    const pad = byName('pad').attributes;
    expect(pad[0]!.value).toBe('[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, … (40 in all)]');
    expect(pad.slice(1).map((a) => [a.type, a.value])).toEqual([
      ['STRING', 'reflect'],
      ['FLOATS', '[0.25, 0.333333]'],
      ['STRINGS', '["a"]'],
    ]);
    expect(byName('branchy').attributes).toEqual([
      { name: 'then_branch', type: 'GRAPH', value: "'branch_t', 2 nodes", subgraphNodes: 2, subgraphs: [0] },
      { name: 'else_branch', type: 'GRAPH', value: "'branch_e', 2 nodes", subgraphNodes: 2, subgraphs: [1] },
    ]);
    // The branches read 'y' from the main graph.
    expect(s.subgraphs!.map((b) => [b.name, b.parent, b.outerInputs, b.outputs.map((o) => o.name)])).toEqual([
      ['branch_t', -1, ['y'], ['t_2']],
      ['branch_e', -1, ['y'], ['e_2']],
    ]);
    expect(byName('custom').domain).toBe('com.example');
    expect(s.ops.find((o) => o.opType === 'MyOp')).toMatchObject({ opType: 'MyOp', category: 'other', summary: expect.stringContaining("'com.example' domain") });

    const view = (name: string) => tensorPage(readInitializer(file, locators[s.initializers.findIndex((i) => i.name === name)]!), 0, 100).values;
    expect(view('w')).toEqual(EXTERNAL_W.map((v) => Math.fround(v)));
    expect(view('b')).toEqual([1, -2, '9007199254740993']);
    expect(view('f')).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(view('h')).toEqual([1, -2]);
    expect(view('s')).toEqual(['héllo', 'ff 00']);
    expect(view('Constant_1:value')).toEqual([2.5]);
  });

  it('explains a missing or short external data file', async () => {
    const { onnx, weights } = everythingModel();
    const root = await writeModel({ 'model.onnx': onnx });
    const file = path.join(root, 'model.onnx');
    const { locators } = await parseOnnxFile(file);
    expect(() => readInitializer(file, locators[0]!)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining("external file 'weights.bin', which does not exist") }));
    writeFileSync(path.join(root, 'weights.bin'), weights.subarray(0, 30));
    expect(() => readInitializer(file, locators[0]!)).toThrow(expect.objectContaining({ code: 'INVALID_ARG', message: expect.stringContaining('has only 30 bytes') }));
    expect(() => readInitializer(file, { ...locators[0]!, source: { kind: 'external', location: '../elsewhere.bin', offset: 0, length: 24 } })).toThrow(/outside the model's folder/);
    expect(() => readInitializer(file, locators[0]!, 10)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it('scans large files to the same summary, typed data included', async () => {
    const { onnx, weights } = everythingModel();
    const root = await writeModel({ 'model.onnx': onnx, 'weights.bin': weights, 'chain.onnx': chainModel(300), 'consts.onnx': bigConstantModel() });
    for (const name of ['model.onnx', 'chain.onnx', 'consts.onnx']) {
      const file = path.join(root, name);
      const whole = await parseOnnxFile(file);
      for (const opts of [{ windowBytes: 256 }, { windowBytes: 256, largeNodeBytes: 0 }]) {
        const scanned = await parseOnnxFile(file, { scanAboveBytes: 0, ...opts });
        expect(comparable(scanned.summary)).toEqual(comparable(whole.summary));
        for (const [i, loc] of scanned.locators.entries()) {
          expect(tensorPage(readInitializer(file, loc), 0, 100)).toEqual(tensorPage(readInitializer(file, whole.locators[i]!), 0, 100));
        }
      }
    }
  });

  it('locates big Constant values without decoding them on the scanner path', async () => {
    const root = await writeModel({ 'consts.onnx': bigConstantModel() });
    const file = path.join(root, 'consts.onnx');
    const walked = await parseOnnxFile(file, { scanAboveBytes: 0, largeNodeBytes: 0 });
    expect(walked.locators.map((l) => [l.name, l.source.kind])).toEqual([
      ['raw_const:value', 'raw'],
      ['typed_const:value', 'message'],
    ]);
    const page = (i: number) => tensorPage(readInitializer(file, walked.locators[i]!), 1995, 10).values;
    expect(page(0)).toEqual([1995, 1996, 1997, 1998, 1999].map((v) => Math.fround(v / 7)));
    expect(page(1)).toEqual(page(0));
  });

  it('reads a 10,000-node graph quickly', async () => {
    const root = await writeModel({ 'chain.onnx': chainModel(10_000) });
    const file = path.join(root, 'chain.onnx');
    const started = performance.now();
    const s = await readOnnxSummary(file);
    const ms = performance.now() - started;
    const startedScan = performance.now();
    const scanned = await readOnnxSummary(file, { scanAboveBytes: 0 });
    const scanMs = performance.now() - startedScan;
    expect(s.nodes).toHaveLength(10_000);
    expect(scanned.nodes).toHaveLength(10_000);
    expect(s.nodes[0]).toMatchObject({ name: 'Relu_0', unnamed: true });
    expect(s.nodes[9]).toMatchObject({ name: 'add/9', opType: 'Add' });
    expect(s.initializers).toHaveLength(1000);
    expect(ms).toBeLessThan(3000);
    console.log(`readOnnxSummary(10,000 nodes, ${(s.fileBytes / 2 ** 20).toFixed(2)} MiB): ${ms.toFixed(1)} ms in memory, ${scanMs.toFixed(1)} ms scanned`);
  });

  it('keeps made-up node names apart from names the model gives', async () => {
    const root = await writeModel({ 'm.onnx': model({ nodes: [node('Relu', ['x'], ['a']), node('Relu', ['a'], ['y'], 'Relu_0')], inputs: [vi('x', 1, [1])], outputs: [vi('y', 1, [1])] }) });
    const s = await readOnnxSummary(path.join(root, 'm.onnx'));
    expect(s.nodes.map((n) => [n.name, n.unnamed ?? false])).toEqual([
      ['Relu_0#2', true],
      ['Relu_0', false],
    ]);
  });

  it('describes the common operators', () => {
    expect(DESCRIBED_OPS).toBeGreaterThanOrEqual(150);
  });

  it('refuses damaged, truncated and missing files with clear errors', async () => {
    const good = chainModel(20);
    const root = await writeModel({
      'junk.onnx': new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      'cut.onnx': good.subarray(0, good.length - 7),
      'text.onnx': new TextEncoder().encode('hello, not a model\n'),
      'empty.onnx': new Uint8Array(0),
    });
    for (const name of ['junk.onnx', 'cut.onnx', 'text.onnx', 'empty.onnx']) {
      for (const scanAboveBytes of [undefined, 0]) {
        const err = await readOnnxSummary(path.join(root, name), scanAboveBytes === undefined ? {} : { scanAboveBytes }).catch((e: unknown) => e);
        expect(err, `${name} (${scanAboveBytes === 0 ? 'scanner' : 'in memory'})`).toMatchObject({ code: 'INVALID_ARG', message: expect.stringMatching(/is not (a readable |an )ONNX model/) });
      }
    }
    await expect(readOnnxSummary(path.join(root, 'nope.onnx'))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('nope.onnx') });
  });
});
