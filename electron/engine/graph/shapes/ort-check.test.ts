/**
 * The shape rules against the runtime: two models built here (an attention
 * block with the shape arithmetic exporters write, and a convolutional
 * network) run in onnxruntime at two input sizes each, with every
 * intermediate value requested; each value's inferred dims, evaluated at
 * those sizes, must be the dims onnxruntime produced.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../analyze';
import { parseOnnxFile } from '../onnx-summary';
import { attr, model, node, rawTensor, vi } from '../testing/graph-models';
import { evalDim, observedShapes } from './testing';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const I = (name: string, v: number): ReturnType<typeof attr> => attr({ name, type: 2, i: BigInt(v) });
const IS = (name: string, v: number[]): ReturnType<typeof attr> => attr({ name, type: 7, ints: v.map(BigInt) });
const S = (name: string, v: string): ReturnType<typeof attr> => attr({ name, type: 3, s: new TextEncoder().encode(v) });
const MAX = 9223372036854775807n;
const i64 = (name: string, v: (number | bigint)[], dims = [v.length]): ReturnType<typeof rawTensor> => rawTensor(name, 7, dims, new BigInt64Array(v.map((x) => BigInt(x))));
const f32 = (name: string, dims: number[], fill = 0.01): ReturnType<typeof rawTensor> => rawTensor(name, 1, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(fill));

function attentionModel(): Uint8Array {
  const nodes = [
    node('Shape', ['x'], ['s']),
    node('Gather', ['s', 'i0'], ['b']),
    node('Gather', ['s', 'i1'], ['t']),
    node('Unsqueeze', ['b', 'ax0'], ['bu']),
    node('Unsqueeze', ['t', 'ax0'], ['tu']),
    node('Concat', ['bu', 'tu', 'c4_16'], ['tgt'], '', [I('axis', 0)]),
    node('MatMul', ['x', 'wq'], ['q']),
    node('Reshape', ['q', 'tgt'], ['q4']),
    node('Transpose', ['q4'], ['qt'], '', [IS('perm', [0, 2, 1, 3])]),
    node('Transpose', ['q4'], ['kt'], '', [IS('perm', [0, 2, 3, 1])]),
    node('MatMul', ['qt', 'kt'], ['sc']),
    node('Div', ['sc', 'eight'], ['sd']),
    node('Unsqueeze', ['mask', 'ax12'], ['m4']),
    node('Cast', ['m4'], ['mf'], '', [I('to', 1)]),
    node('Sub', ['onef', 'mf'], ['inv']),
    node('Mul', ['inv', 'big'], ['madd']),
    node('Add', ['sd', 'madd'], ['sm']),
    node('Softmax', ['sm'], ['p'], '', [I('axis', -1)]),
    node('MatMul', ['p', 'qt'], ['ctx']),
    node('Transpose', ['ctx'], ['ct'], '', [IS('perm', [0, 2, 1, 3])]),
    node('Reshape', ['ct', 'r00m1'], ['out']),
    node('LayerNormalization', ['out', 'g64', 'b64'], ['ln'], '', [I('axis', -1)]),
    node('Flatten', ['ln'], ['fl'], '', [I('axis', 2)]),
    node('Gemm', ['fl', 'w2'], ['gm']),
    node('Split', ['gm', 'halves'], ['g1', 'g2'], '', [I('axis', 1)]),
    node('Sigmoid', ['g2'], ['sg']),
    node('Mul', ['g1', 'sg'], ['glu']),
    node('Range', ['zero', 't', 'one'], ['pos']),
    node('Gather', ['posemb', 'pos'], ['pe']),
    node('Add', ['x', 'pe'], ['xp']),
    node('Shape', ['mask'], ['s2']),
    node('ConstantOfShape', ['two'], ['ones'], '', [attr({ name: 'value', type: 4, t: i64('', [1], [1]) })]),
    node('Mul', ['ones', 'm1'], ['neg']),
    node('Equal', ['s2', 'neg'], ['eq']),
    node('Where', ['eq', 'ones', 's2'], ['tgt2']),
    node('Expand', ['bias11', 'tgt2'], ['ex']),
    node('Slice', ['x', 'st1', 'enmax', 'ax1', 'step2'], ['xs']),
    node('ReduceMean', ['x'], ['rm'], '', [IS('axes', [-1])]),
    node('ArgMax', ['x'], ['am'], '', [I('axis', 1), I('keepdims', 0)]),
    node('TopK', ['x', 'k3'], ['tv', 'ti'], '', [I('axis', -1)]),
    node('Einsum', ['x', 'w3'], ['es'], '', [S('equation', 'bsd,de->bse')]),
    node('Tile', ['mask', 'reps'], ['tl']),
    node('Pad', ['x', 'pads'], ['pd']),
    node('CumSum', ['x', 'one'], ['cs']),
    node('Transpose', ['x'], ['xt'], '', [IS('perm', [1, 0, 2])]),
    node('LSTM', ['xt', 'wl', 'rl'], ['ly', 'lh', 'lc'], '', [I('hidden_size', 8), S('direction', 'bidirectional')]),
    node('OneHot', ['mask', 'five', 'onoff'], ['oh']),
    node('ReduceSum', ['x', 'ax1'], ['rs'], '', [I('keepdims', 0)]),
    node('Squeeze', ['m4', 'ax12'], ['sq']),
    node('Size', ['x'], ['sz']),
    node('Gather', ['s', 'im1'], ['last']),
    node('Div', ['t', 'two0'], ['half']),
    node('Unsqueeze', ['half', 'ax0'], ['hu']),
    node('Concat', ['bu', 'hu', 'c128'], ['tgt3'], '', [I('axis', 0)]),
    node('Reshape', ['x', 'tgt3'], ['pairs']),
    node('NonZero', ['mask'], ['nz']),
    node('Sub', ['tu', 'one1'], ['wstart']),
    node('Slice', ['causal', 'wstart', 'tu', 'ax2'], ['win']),
    node('Slice', ['causal', 'zero1', 'tu', 'ax3'], ['head']),
    node('Slice', ['x', 'st1', 'im1v', 'ax1'], ['inner']),
  ];
  const initializers = [
    i64('i0', [0], []),
    i64('i1', [1], []),
    i64('im1', [-1], []),
    i64('ax0', [0]),
    i64('ax1', [1]),
    i64('ax12', [1, 2]),
    i64('c4_16', [4, 16]),
    i64('c128', [128]),
    i64('r00m1', [0, 0, -1]),
    i64('halves', [16, 16]),
    i64('zero', [0], []),
    i64('one', [1], []),
    i64('two0', [2], []),
    i64('two', [2]),
    i64('m1', [-1], []),
    i64('st1', [1]),
    i64('enmax', [MAX]),
    i64('step2', [2]),
    i64('k3', [3]),
    i64('reps', [1, 2]),
    i64('pads', [0, 1, 0, 0, 2, 0]),
    i64('five', [5], []),
    i64('one1', [1]),
    i64('zero1', [0]),
    i64('im1v', [-1]),
    i64('ax2', [2]),
    i64('ax3', [3]),
    f32('causal', [1, 1, 16, 16]),
    f32('wq', [64, 64]),
    f32('eight', [], 8),
    f32('onef', [], 1),
    f32('big', [], -1e4),
    f32('g64', [64], 1),
    f32('b64', [64], 0),
    f32('w2', [64, 32]),
    f32('posemb', [32, 64]),
    f32('bias11', [1, 1]),
    f32('w3', [64, 8]),
    f32('wl', [2, 32, 64]),
    f32('rl', [2, 32, 8]),
    rawTensor('onoff', 1, [2], new Float32Array([0, 1])),
  ];
  return model({ nodes, initializers, inputs: [vi('x', 1, ['B', 'S', 64]), vi('mask', 7, ['B', 'S'])], outputs: [vi('glu', 1, ['BS', 16])], opset: 17 });
}

function convModel(): Uint8Array {
  const nodes = [
    node('Conv', ['x', 'w1'], ['c1'], '', [IS('pads', [1, 1, 1, 1]), IS('strides', [2, 2])]),
    node('Relu', ['c1'], ['r1']),
    node('MaxPool', ['r1'], ['mp'], '', [IS('kernel_shape', [3, 3]), IS('strides', [2, 2]), IS('pads', [1, 1, 1, 1])]),
    node('Conv', ['mp', 'w2'], ['c2']),
    node('BatchNormalization', ['c2', 's16', 'b16', 'b16', 's16'], ['bn']),
    node('AveragePool', ['bn'], ['ap'], '', [IS('kernel_shape', [2, 2]), IS('strides', [2, 2]), I('ceil_mode', 1)]),
    node('ConvTranspose', ['ap', 'wt'], ['ct'], '', [IS('strides', [2, 2])]),
    node('Resize', ['ct', '', 'sc'], ['up'], '', [S('mode', 'nearest')]),
    node('GlobalAveragePool', ['bn'], ['gp']),
    node('Flatten', ['gp'], ['fl']),
    node('Gemm', ['fl', 'wg'], ['logits'], '', [I('transB', 1)]),
    node('Conv', ['x', 'w3'], ['same'], '', [S('auto_pad', 'SAME_UPPER'), IS('strides', [2, 2])]),
    node('Conv', ['x', 'w3'], ['dil'], '', [IS('dilations', [2, 2]), IS('pads', [2, 2, 2, 2])]),
    node('Slice', ['x', 'st0', 'enmax', 'ax2', 'step2'], ['rows']),
    node('Slice', ['x', 'st1', 'enmax', 'ax3', 'step2'], ['cols']),
    node('DepthToSpace', ['c2'], ['d2s'], '', [I('blocksize', 2)]),
    node('SpaceToDepth', ['d2s'], ['s2d'], '', [I('blocksize', 2)]),
    node('InstanceNormalization', ['c1', 's8', 'b8'], ['inn']),
    node('Split', ['c2'], ['sp1', 'sp2'], '', [I('axis', 1)]),
    node('Concat', ['sp2', 'sp1'], ['cc'], '', [I('axis', 1)]),
    node('Shape', ['x'], ['xs']),
    node('Slice', ['xs', 'st2', 'en4'], ['hw']),
    node('Slice', ['xs', 'st0', 'st2'], ['nc']),
    node('Mul', ['hw', 'two'], ['hw2']),
    node('Concat', ['nc', 'hw2'], ['sizes'], '', [I('axis', 0)]),
    node('Resize', ['x', '', '', 'sizes'], ['up2']),
    node('Pad', ['x', 'pads'], ['pd'], '', [S('mode', 'reflect')]),
    node('ReduceMax', ['x'], ['rmx'], '', [IS('axes', [2, 3])]),
    node('Clip', ['x', 'zero', 'six'], ['clip']),
    node('HardSigmoid', ['x'], ['hs']),
    node('HardSwish', ['x'], ['hsw']),
  ];
  const initializers = [
    f32('w1', [8, 3, 3, 3]),
    f32('w2', [16, 8, 1, 1]),
    f32('w3', [4, 3, 3, 3]),
    f32('wt', [16, 4, 2, 2]),
    f32('wg', [10, 16]),
    f32('s16', [16], 1),
    f32('b16', [16], 0),
    f32('s8', [8], 1),
    f32('b8', [8], 0),
    rawTensor('sc', 1, [4], new Float32Array([1, 1, 2, 2])),
    f32('zero', [], 0),
    f32('six', [], 6),
    i64('st0', [0]),
    i64('st1', [1]),
    i64('st2', [2]),
    i64('en4', [4]),
    i64('enmax', [MAX]),
    i64('ax2', [2]),
    i64('ax3', [3]),
    i64('step2', [2]),
    i64('two', [2]),
    i64('pads', [0, 0, 1, 1, 0, 0, 1, 1]),
  ];
  return model({ nodes, initializers, inputs: [vi('x', 1, ['N', 3, 'H', 'W'])], outputs: [vi('logits', 1, ['N', 10])], opset: 14 });
}

async function check(bytes: Uint8Array, runs: { env: Record<string, number>; feeds: Record<string, ort.Tensor> }[]): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ort-check-'));
  try {
    const file = path.join(dir, 'm.onnx');
    await writeFile(file, bytes);
    const p = await analyzeGraph(await parseOnnxFile(file), file);
    expect(p.summary.shapeInference?.unknownOps).toEqual([]);
    for (const { env, feeds } of runs) {
      const seen = await observedShapes(bytes, feeds);
      let compared = 0;
      for (const [name, real] of seen) {
        if (p.summary.outputs.some((o) => o.name === name)) continue; // declared, not inferred
        const dims = p.summary.inferred?.[name]?.dims;
        expect(dims, `${name} has a rank`).toBeDefined();
        // Data-dependent sizes (NonZero) are named symbols: only the rank can be compared.
        const want = dims!.map((d) => evalDim(d, env) ?? (typeof d === 'string' ? 'data' : d));
        expect(want.length, name).toBe(real.length);
        want.forEach((d, k) => d !== 'data' && expect(d, `${name}[${k}] (${JSON.stringify(dims)}) at ${JSON.stringify(env)}`).toBe(real[k]));
        compared++;
      }
      expect(compared).toBe(seen.size - 1);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const floats = (dims: number[]): ort.Tensor =>
  new ort.Tensor(
    'float32',
    Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i)),
    dims,
  );
const mask = (b: number, s: number): ort.Tensor =>
  new ort.Tensor(
    'int64',
    BigInt64Array.from({ length: b * s }, (_, i) => BigInt(i % 2)),
    [b, s],
  );

describe('inferred dims match onnxruntime on built models', () => {
  it('attention block with exporter-style shape arithmetic', async () => {
    await check(attentionModel(), [
      { env: { B: 2, S: 6 }, feeds: { x: floats([2, 6, 64]), mask: mask(2, 6) } },
      { env: { B: 1, S: 10 }, feeds: { x: floats([1, 10, 64]), mask: mask(1, 10) } },
    ]);
  }, 60_000);

  it('the attention block as onnxruntime optimizes it (com.microsoft fusions)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ort-opt-'));
    try {
      const [src, opt] = [path.join(dir, 'a.onnx'), path.join(dir, 'a-opt.onnx')];
      await writeFile(src, attentionModel());
      await (await ort.InferenceSession.create(src, { graphOptimizationLevel: 'extended', optimizedModelFilePath: opt })).release();
      const bytes = await readFile(opt);
      expect(bytes.includes(Buffer.from('com.microsoft'))).toBe(true);
      await check(bytes, [{ env: { B: 2, S: 6 }, feeds: { x: floats([2, 6, 64]), mask: mask(2, 6) } }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('convolutional network at even and odd sizes', async () => {
    await check(convModel(), [
      { env: { N: 1, H: 64, W: 48 }, feeds: { x: floats([1, 3, 64, 48]) } },
      { env: { N: 2, H: 37, W: 50 }, feeds: { x: floats([2, 3, 37, 50]) } },
    ]);
  }, 60_000);
});
