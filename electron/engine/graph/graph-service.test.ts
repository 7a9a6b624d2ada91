/** Graphs through the Lab: model files found per version, cached, initializers viewable, config suggestions, errors. */
import { fromBinary } from '@bufbuild/protobuf';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModelProtoSchema } from 'onnx-buf';
import { afterEach, describe, expect, it } from 'vitest';
import { createGraphHandlers } from '../handlers/graph-handlers';
import { Lab } from '../lab';
import { buildOnnxModel } from '../onnx/testing/build-model';
import { TempDirs } from '../repository/testing/temp-repo';
import { exportTensor, tensorHistogram, tensorPage } from '../runs/tensor-access';
import { EXTERNAL_W, everythingModel } from './testing/graph-models';

const temp = new TempDirs();
const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
  temp.cleanup();
});

const SAMPLES = path.join(__dirname, '..', '..', '..', 'sample-repos');
const OCR = path.join(SAMPLES, 'ocr_ensemble');
const DET = path.join(OCR, 'text_detection', '1', 'model.onnx');
const haveSamples = existsSync(DET) && existsSync(path.join(OCR, 'text_recognition', '1', 'model.onnx'));

async function openLab(root: string): Promise<{ lab: Lab; repoId: string }> {
  const lab = new Lab();
  labs.push(lab);
  const info = await lab.openRepository(root, { options: { runtime: false } });
  return { lab, repoId: info.id };
}

describe.skipIf(!haveSamples)('graphs of the OCR sample', () => {
  it('summarizes a model once, and views its weights with the tensor viewers', async () => {
    const { lab, repoId } = await openLab(OCR);
    const g = await lab.graphs.modelGraph({ repoId, model: 'text_detection' });
    expect(g).toMatchObject({ repoId, model: 'text_detection', version: 1, file: 'text_detection/1/model.onnx' });
    expect(g.graphId).toMatch(/^[\w-]{1,64}$/);
    const again = await lab.graphs.modelGraph({ repoId, model: 'text_detection', version: 1 });
    expect(again.graphId).toBe(g.graphId);
    expect(again.nodes).toBe(g.nodes);

    const conv = g.nodes.find((n) => n.opType === 'Conv')!;
    const constant = g.nodes.find((n) => n.outputs[0] === conv.inputs[1])!;
    const ref = { runId: g.graphId, side: 'initializer' as const, name: g.initializers[constant.attributes[0]!.tensor!]!.name };
    const t = lab.tensor(ref);
    const m = fromBinary(ModelProtoSchema, readFileSync(DET));
    const raw = m.graph!.node.find((n) => n.output[0] === conv.inputs[1])!.attribute[0]!.t!.rawData;
    const expected = Array.from(new Float32Array(Uint8Array.from(raw).buffer));
    expect(tensorPage(t, 0, 432).values).toEqual(expected);
    expect(tensorHistogram(t, 10).counts.reduce((a, b) => a + b, 0)).toBe(432);
    expect(exportTensor(t, 'npy').fileName).toMatch(/\.npy$/);
    expect(lab.tensor(ref)).toBe(t);
    expect(() => lab.tensor({ ...ref, name: 'nope' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: "the graph has no initializer named 'nope'" }));

    lab.closeRepository(repoId);
    expect(() => lab.tensor(ref)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining('open the graph again') }));
  });

  it('returns previews of small constants and inferred dims of every intermediate value', async () => {
    const { lab, repoId } = await openLab(OCR);
    const g = await lab.graphs.modelGraph({ repoId, model: 'text_detection' });
    const clip = g.nodes.find((n) => n.opType === 'Clip')!;
    // Clip's min and max come from Constant nodes: their value tensors carry the preview.
    const bound = (name: string): string | undefined => g.initializers[g.nodes.find((n) => n.outputs[0] === name)!.attributes[0]!.tensor!]?.preview;
    expect([bound(clip.inputs[1]!), bound(clip.inputs[2]!)]).toEqual(['0', '6']);
    expect(g.shapeInference).toMatchObject({ untyped: 0, unknownOps: [] });
    const conv = g.nodes.find((n) => n.opType === 'Conv')!;
    expect(g.inferred?.[conv.outputs[0]!]?.dims).toEqual(['p2o.DynamicDimension.0', 16, 'ceil(p2o.DynamicDimension.1/2)', 'ceil(p2o.DynamicDimension.2/2)']);
  });

  it('sends a big graph before its analysis, and brings the analysis through graphAnalysis', async () => {
    const lab = new Lab({ graphs: { inlineAnalysisNodes: 10 } });
    labs.push(lab);
    const repoId = (await lab.openRepository(OCR, { options: { runtime: false } })).id;
    const h = createGraphHandlers(lab);
    const first = await h.modelGraph({ repoId, model: 'text_detection' });
    const conv = first.nodes.find((n) => n.opType === 'Conv')!;
    expect(first.analysisPending).toBe(true);
    const a = await h.graphAnalysis({ graphId: first.graphId });
    expect(a.graphId).toBe(first.graphId);
    expect(a.inferred?.[conv.outputs[0]!]?.dims).toEqual(['p2o.DynamicDimension.0', 16, 'ceil(p2o.DynamicDimension.1/2)', 'ceil(p2o.DynamicDimension.2/2)']);
    expect(a.shapeInference).toMatchObject({ untyped: 0 });
    expect(Object.values(a.previews)).toEqual(expect.arrayContaining(['0', '6']));
    // Once analyzed, the summary comes whole.
    const again = await h.modelGraph({ repoId, model: 'text_detection' });
    expect(again.analysisPending).toBeUndefined();
    expect(again.inferred?.[conv.outputs[0]!]).toBeDefined();
    await expect(h.graphAnalysis({ graphId: 'g-nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.graphAnalysis({})).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });

  it('suggests the I/O blocks for detection and recognition', async () => {
    const { lab, repoId } = await openLab(OCR);
    const det = await lab.graphs.configFromModel({ repoId, model: 'text_detection' });
    expect(det.maxBatchSize).toBe(8);
    expect(det.text).toContain('name: "x"\n    data_type: TYPE_FP32\n    dims: [ 3, -1, -1 ]');
    expect(det.mismatches).toEqual([]);
    const rec = await lab.graphs.configFromModel({ repoId, model: 'text_recognition' });
    expect(rec.maxBatchSize).toBe(4);
    expect(rec.batchingNote).toMatch(/keeps max_batch_size 0 instead/);
    expect(rec.text).toContain('dims: [ -1, 6625 ]');
    expect(rec.mismatches).toEqual([]);
  });

  it('finds mismatches against a wrong config', async () => {
    const d = await temp.make({
      'det/1/model.onnx': readFileSync(DET),
      'det/config.pbtxt': `backend: "onnxruntime"
max_batch_size: 4
input [{ name: "image" data_type: TYPE_FP32 dims: [3, -1, -1] }]
output [{ name: "sigmoid_0.tmp_0" data_type: TYPE_FP16 dims: [-1, -1] }]`,
    });
    const { lab, repoId } = await openLab(d.root);
    const r = await lab.graphs.configFromModel({ repoId, model: 'det' });
    expect(r.mismatches.map((m) => [m.side, m.name, m.kind])).toEqual([
      ['input', 'x', 'missing-in-config'],
      ['input', 'image', 'missing-in-model'],
      ['output', 'sigmoid_0.tmp_0', 'dtype'],
      ['output', 'sigmoid_0.tmp_0', 'dims'],
    ]);
    expect(r.mismatches[3]!.message).toContain('set dims: [1, -1, -1]');
  });

  it('refuses models that are not ONNX', async () => {
    const { lab, repoId } = await openLab(OCR);
    await expect(lab.graphs.modelGraph({ repoId, model: 'detection_preprocessing' })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: "'detection_preprocessing' uses the script backend; graph inspection reads ONNX models (the onnxruntime backend) only",
    });
    await expect(lab.graphs.modelGraph({ repoId, model: 'ensemble_model' })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('is an ensemble') });
  });
});

describe('graph service', () => {
  it('views external data, and says when it is missing', async () => {
    const { onnx, weights } = everythingModel();
    const d = await temp.make({ 'ext/1/model.onnx': onnx, 'ext/1/weights.bin': weights, 'ext/config.pbtxt': 'backend: "onnxruntime"' });
    const { lab, repoId } = await openLab(d.root);
    const g = await lab.graphs.modelGraph({ repoId, model: 'ext' });
    expect(g.initializers[0]).toMatchObject({ name: 'w', external: { location: 'weights.bin', offset: 16, length: 24 } });
    expect(tensorPage(lab.tensor({ runId: g.graphId, side: 'initializer', name: 'w' }), 0, 6).values).toEqual(EXTERNAL_W.map(Math.fround));
    await d.remove('ext/1/weights.bin');
    // A fresh graph (new mtime) so nothing cached answers.
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(d.root, 'ext/1/model.onnx'), later, later);
    expect(() => lab.tensor({ runId: g.graphId, side: 'initializer', name: 'b' })).toThrow(
      expect.objectContaining({ code: 'UNAVAILABLE', message: expect.stringContaining('changed or disappeared') }),
    );
    const fresh = await lab.graphs.modelGraph({ repoId, model: 'ext' });
    expect(fresh.graphId).not.toBe(g.graphId);
    expect(() => lab.tensor({ runId: fresh.graphId, side: 'initializer', name: 'w' })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining("'weights.bin', which does not exist") }),
    );
  });

  it('reports missing files, versions and models, and damaged files', async () => {
    const good = buildOnnxModel({ inputs: [{ name: 'x', type: 1, dims: [-1, 2] }], outputs: [{ name: 'y', type: 1, dims: [-1, 2] }] });
    const d = await temp.make({
      'empty/config.pbtxt': 'backend: "onnxruntime"',
      'empty/1': null,
      'named/config.pbtxt': 'backend: "onnxruntime"\ndefault_model_filename: "net.onnx"',
      'named/2/net.onnx': good,
      'broken/config.pbtxt': 'backend: "onnxruntime"',
      'broken/1/model.onnx': new TextEncoder().encode('not a model at all'),
    });
    const { lab, repoId } = await openLab(d.root);
    await expect(lab.graphs.modelGraph({ repoId, model: 'empty' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining("the model file 'empty/1/model.onnx' does not exist"),
    });
    expect(await lab.graphs.modelGraph({ repoId, model: 'named' })).toMatchObject({ version: 2, file: 'named/2/net.onnx' });
    await expect(lab.graphs.modelGraph({ repoId, model: 'named', version: 7 })).rejects.toMatchObject({ code: 'NOT_FOUND', message: "'named' has no version 7; its versions are 2" });
    await expect(lab.graphs.modelGraph({ repoId, model: 'ghost' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(lab.graphs.modelGraph({ repoId, model: 'broken' })).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringMatching(/model.onnx' is not (a readable |an )ONNX model/) });
    // Fixed on disk: the next request reads it again.
    writeFileSync(path.join(d.root, 'broken/1/model.onnx'), good);
    expect((await lab.graphs.modelGraph({ repoId, model: 'broken' })).outputs[0]!.name).toBe('y');
    expect(() => lab.tensor({ runId: 'g-unknown', side: 'initializer', name: 'w' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
