/**
 * Fuzzing what opening a graph runs on a model file (seeded; FUZZ_SEED
 * replays a run): PaddleOCR det and the If/Loop/Scan fixture with nodes
 * retyped to other operators, attributes set to hostile numbers and lists,
 * inputs dropped or rewired, graph dims made huge, negative or odd symbols,
 * and small integer constants (the shapes Reshape, Expand, Tile read) set to
 * extremes. Parsing either succeeds or refuses with INVALID_ARG; analysis
 * (constant previews, shape inference) never throws, stays within its time
 * budget, and leaves a summary that serializes.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AttributeProto_AttributeType, type ModelProto, ModelProtoSchema, type NodeProto, TensorProto_DataType } from 'onnx-buf';
import { afterAll, describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { Rng, fuzzSeed } from '../testing/rng';
import { analyzeGraph } from './analyze';
import { parseOnnxFile } from './onnx-summary';
import { controlFlowModel } from './testing/graph-models';

const SEED = fuzzSeed(1313);
const CASES = 240;
const DET = path.join(__dirname, '..', '..', '..', 'sample-repos', 'ocr_ensemble', 'text_detection', '1', 'model.onnx');
const dir = mkdtempSync(path.join(os.tmpdir(), 'graph-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPS = [
  'Reshape',
  'Concat',
  'Split',
  'Slice',
  'Gather',
  'Conv',
  'ConvTranspose',
  'MaxPool',
  'Resize',
  'Expand',
  'Tile',
  'Range',
  'ConstantOfShape',
  'Einsum',
  'TopK',
  'Pad',
  'Squeeze',
  'Unsqueeze',
  'Transpose',
  'Flatten',
  'MatMul',
  'Gemm',
  'ReduceSum',
  'Softmax',
  'NonZero',
  'Loop',
  'If',
  'Scan',
  'LSTM',
  'Shape',
  'Cast',
  'Where',
  'DepthToSpace',
  'OneHot',
  'Attention',
];
const NUMBERS = [0, 1, -1, 2, 3, -7, 65535, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2 ** 53), 1e15];
const DIMS = ['N', 'a+b', '(', 'ceil(', 'x/0', '', 'p2o.DynamicDimension.0*2', '-', '9'.repeat(40)];

function bigint(rng: Rng): bigint {
  return BigInt(rng.pick(NUMBERS));
}

function mutateAttribute(n: NodeProto, rng: Rng): string {
  const a = n.attribute.length ? rng.pick(n.attribute) : undefined;
  if (!a) return 'no attribute';
  if (rng.chance(0.5)) {
    a.type = AttributeProto_AttributeType.INTS;
    a.ints = Array.from({ length: rng.int(0, 40) }, () => bigint(rng));
  } else {
    a.type = AttributeProto_AttributeType.INT;
    a.i = bigint(rng);
  }
  return `${n.name}.${a.name} = ${a.type === AttributeProto_AttributeType.INT ? a.i : `[${a.ints.length} ints]`}`;
}

function mutateNode(m: ModelProto, rng: Rng): string {
  const g = m.graph!;
  const n = rng.pick(g.node);
  const values = g.node.flatMap((x) => x.output);
  switch (rng.int(0, 3)) {
    case 0:
      n.opType = rng.pick(OPS);
      return `${n.name} → ${n.opType}`;
    case 1:
      return mutateAttribute(n, rng);
    case 2:
      n.input = n.input.map((v) => (rng.chance(0.3) ? (rng.chance(0.5) ? '' : rng.pick(values)) : v));
      return `${n.name} inputs rewired`;
    default:
      n.input.push(...Array.from({ length: rng.int(1, 6) }, () => rng.pick(values)));
      return `${n.name} given extra inputs`;
  }
}

function mutateDims(m: ModelProto, rng: Rng): string {
  const io = rng.pick([...m.graph!.input, ...m.graph!.output, ...m.graph!.valueInfo]);
  const t = io?.type?.value;
  if (!io || t?.case !== 'tensorType' || !t.value.shape) return 'no dims';
  for (const d of t.value.shape.dim) {
    if (rng.chance(0.5)) d.value = { case: 'dimValue', value: bigint(rng) };
    else d.value = { case: 'dimParam', value: rng.pick(DIMS) };
  }
  return `${io.name} dims changed`;
}

function mutateConstant(m: ModelProto, rng: Rng): string {
  const ints = m.graph!.initializer.filter((t) => t.dataType === TensorProto_DataType.INT64 && t.rawData.length <= 64);
  const t = ints.length ? rng.pick(ints) : undefined;
  if (!t) return 'no small integer constant';
  const values = new BigInt64Array(t.rawData.length / 8).map(() => bigint(rng));
  t.rawData = new Uint8Array(values.buffer);
  return `${t.name} = [${values.join(', ')}]`;
}

function mutate(base: Uint8Array, rng: Rng): { bytes: Uint8Array; applied: string[] } {
  const m = fromBinary(ModelProtoSchema, base);
  const applied: string[] = [];
  for (let k = rng.int(1, 4); k > 0; k--) {
    const pick = rng.int(0, 5);
    applied.push(pick <= 2 ? mutateNode(m, rng) : pick === 3 ? mutateDims(m, rng) : mutateConstant(m, rng));
  }
  return { bytes: toBinary(ModelProtoSchema, create(ModelProtoSchema, m)), applied };
}

/** A problem, or undefined when the model was handled; `analyzed` counts those that got past parsing. */
async function openOne(bytes: Uint8Array, file: string, counts: { analyzed: number }): Promise<string | undefined> {
  writeFileSync(file, bytes);
  let parsed;
  try {
    parsed = await parseOnnxFile(file);
  } catch (err) {
    return err instanceof LabError && err.code === 'INVALID_ARG' ? undefined : `parse threw ${String(err)}`;
  }
  counts.analyzed++;
  const started = performance.now();
  try {
    const s = (await analyzeGraph(parsed, file, { inferBudgetMs: 2_000 })).summary;
    if (!s.shapeInference) return 'no shapeInference record';
    JSON.stringify(s);
  } catch (err) {
    return `analysis threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  }
  const ms = performance.now() - started;
  // A hang guard, not a timing test: the budget is 2 s, so anything near 10 s means it was not honoured.
  return ms > 10_000 ? `analysis took ${Math.round(ms)} ms` : undefined;
}

describe('opening mutated model files', () => {
  it(`parses or refuses, and analyzes without throwing (${CASES} cases)`, async () => {
    const bases = [controlFlowModel(), ...(existsSync(DET) ? [new Uint8Array(readFileSync(DET))] : [])];
    const rng = new Rng(SEED);
    const failures: string[] = [];
    const counts = { analyzed: 0 };
    for (let i = 0; i < CASES; i++) {
      const { bytes, applied } = mutate(rng.pick(bases), rng);
      const problem = await openOne(bytes, path.join(dir, `m${i}.onnx`), counts);
      if (problem) failures.push(`case ${i} (${applied.join('; ')}): ${problem}`);
    }
    expect(failures.slice(0, 10).join('\n'), `FUZZ_SEED=${SEED}: ${failures.length} of ${CASES} models were not handled`).toBe('');
    // The mutations keep most models readable, so inference really runs on hostile graphs.
    expect(counts.analyzed).toBeGreaterThan(CASES / 2);
  }, 300_000);
});
