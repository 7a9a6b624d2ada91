/**
 * Layer operators: convolution and pooling (pads, strides, dilations,
 * auto_pad, ceil_mode), Gemm/MatMul, normalization, reductions, Resize,
 * recurrent layers and quantization. Spatial sizes stay symbolic through
 * strided layers as ceil/floor expressions of the input's dims.
 */
import type { GraphDim } from '../../../contract/inspect-api';
import type { DimAlgebra } from './dim-math';
import { broadcast, castName } from './rules-elementwise';
import { type Rule, type RuleCtx, attrInt, attrInts, attrStr, axisOf, dtypeOf, intsBySince, tensor, unknownDims } from './types';

interface Window {
  kernel: GraphDim[];
  strides: number[];
  dilations: number[];
  pads: number[];
  autoPad: string;
  ceil: boolean;
}

function windowOf(c: RuleCtx, spatial: number, kernel: GraphDim[] | undefined): Window {
  const k = attrInts(c, 'kernel_shape') ?? kernel ?? Array<GraphDim>(spatial).fill(null);
  return {
    kernel: k,
    strides: attrInts(c, 'strides') ?? Array<number>(spatial).fill(1),
    dilations: attrInts(c, 'dilations') ?? Array<number>(spatial).fill(1),
    pads: attrInts(c, 'pads') ?? Array<number>(spatial * 2).fill(0),
    autoPad: attrStr(c, 'auto_pad', 'NOTSET'),
    ceil: attrInt(c, 'ceil_mode', 0) === 1,
  };
}

/** Output size of one spatial axis of a convolution or pooling window. */
export function windowOut(alg: DimAlgebra, x: GraphDim, w: Window, i: number, spatial: number): GraphDim {
  const s = w.strides[i] ?? 1;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return alg.ceilDiv(x, s);
  const k = w.kernel[i];
  if (k === null || k === undefined) return null;
  const ek = alg.add(alg.mul(alg.sub(k, 1), w.dilations[i] ?? 1), 1);
  if (w.autoPad === 'VALID') return alg.ceilDiv(alg.add(alg.sub(x, ek), 1), s);
  const span = alg.sub(alg.add(x, (w.pads[i] ?? 0) + (w.pads[i + spatial] ?? 0)), ek);
  const out = alg.add(w.ceil ? alg.ceilDiv(span, s) : alg.floorDiv(span, s), 1);
  // With ceil_mode the last window must start inside the input or its left padding.
  if (w.ceil && typeof out === 'number' && typeof x === 'number' && (out - 1) * s >= x + (w.pads[i] ?? 0)) return out - 1;
  return out;
}

function convLike(c: RuleCtx, x: number, w: number, dtype: string, channels?: (wd: GraphDim[]) => GraphDim): ReturnType<Rule> {
  const xd = c.input(x)?.dims;
  const wd = c.input(w)?.dims;
  if (!xd || xd.length < 2) return [tensor(dtype, wd ? Array<GraphDim>(wd.length).fill(null) : undefined)];
  const spatial = xd.length - 2;
  const win = windowOf(c, spatial, wd?.slice(2));
  const out = xd.slice(2).map((d, i) => windowOut(c.alg, d, win, i, spatial));
  const m = wd ? (channels ? channels(wd) : wd[0]!) : null;
  return [tensor(dtype, [xd[0]!, m, ...out])];
}

const convTranspose: Rule = (c) => {
  const xd = c.input(0)?.dims;
  const wd = c.input(1)?.dims;
  const dtype = dtypeOf(c, 0);
  if (!xd || xd.length < 2) return [tensor(dtype)];
  const spatial = xd.length - 2;
  const m = wd ? c.alg.mul(wd[1]!, attrInt(c, 'group', 1)) : null;
  const given = attrInts(c, 'output_shape');
  if (given) return [tensor(dtype, [xd[0]!, m, ...given.slice(-spatial)])];
  const win = windowOf(c, spatial, wd?.slice(2));
  const outPad = attrInts(c, 'output_padding') ?? [];
  const out = xd.slice(2).map((x, i) => {
    const s = win.strides[i] ?? 1;
    if (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') return c.alg.mul(x, s);
    const k = win.kernel[i] ?? null;
    const ek = c.alg.add(c.alg.mul(c.alg.sub(k, 1), win.dilations[i] ?? 1), 1);
    const grown = c.alg.add(c.alg.mul(c.alg.sub(x, 1), s), c.alg.add(ek, outPad[i] ?? 0));
    return win.autoPad === 'VALID' ? grown : c.alg.sub(grown, (win.pads[i] ?? 0) + (win.pads[i + spatial] ?? 0));
  });
  return [tensor(dtype, [xd[0]!, m, ...out])];
};

const pool: Rule = (c) => {
  const xd = c.input(0)?.dims;
  const dtype = dtypeOf(c, 0);
  if (!xd || xd.length < 2) return [tensor(dtype), tensor('INT64')];
  const spatial = xd.length - 2;
  const win = windowOf(c, spatial, undefined);
  const dims = [xd[0]!, xd[1]!, ...xd.slice(2).map((d, i) => windowOut(c.alg, d, win, i, spatial))];
  return [tensor(dtype, dims), tensor('INT64', dims)];
};

const globalPool: Rule = (c) => {
  const xd = c.input(0)?.dims;
  return [tensor(dtypeOf(c, 0), xd ? xd.map((d, i) => (i < 2 ? d : 1)) : undefined)];
};

function matmulDims(a: GraphDim[] | undefined, b: GraphDim[] | undefined): GraphDim[] | undefined {
  if (!a || !b || a.length === 0 || b.length === 0) return undefined;
  const aa = a.length === 1 ? [1, a[0]!] : a;
  const bb = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcast([aa.slice(0, -2), bb.slice(0, -2)]) ?? [];
  return [...batch, ...(a.length === 1 ? [] : [aa[aa.length - 2]!]), ...(b.length === 1 ? [] : [bb[bb.length - 1]!])];
}

const transposedLast = (d: GraphDim[] | undefined, t: boolean): GraphDim[] | undefined => (d && t && d.length >= 2 ? [...d.slice(0, -2), d[d.length - 1]!, d[d.length - 2]!] : d);

const gemm: Rule = (c) => {
  const a = transposedLast(c.input(0)?.dims, attrInt(c, 'transA', 0) === 1);
  const b = transposedLast(c.input(1)?.dims, attrInt(c, 'transB', 0) === 1);
  return [tensor(dtypeOf(c, 0), [a?.[0] ?? null, b?.[1] ?? null])];
};

/** Reduced dims: `axes` removed (or kept as 1); all axes when none are given. */
function reduced(c: RuleCtx, dims: GraphDim[] | undefined, axes: number[] | undefined, keep: boolean): GraphDim[] | undefined {
  if (!dims) return undefined;
  if ((!axes || axes.length === 0) && attrInt(c, 'noop_with_empty_axes', 0) === 1) return dims;
  const set = new Set((axes && axes.length ? axes : dims.map((_, i) => i)).map((a) => axisOf(a, dims.length)));
  return keep ? dims.map((d, i) => (set.has(i) ? 1 : d)) : dims.filter((_, i) => !set.has(i));
}

/** Axes given by a value inference cannot read: kept dims may be 1 or not; dropped ones leave the rank. */
function unknownAxes(dims: GraphDim[] | undefined, count: GraphDim | undefined, keep: boolean): GraphDim[] | undefined {
  if (!dims) return undefined;
  if (keep) return dims.map((d) => (d === 1 ? 1 : null));
  return typeof count === 'number' && count > 0 ? unknownDims(dims.length - count) : undefined;
}

const reduce: Rule = (c) => {
  const since = c.node.opType === 'ReduceSum' ? 13 : 18;
  const axesGiven = c.opset >= since && c.has(1);
  const axes = intsBySince(c, 'axes', 1, since);
  const keep = attrInt(c, 'keepdims', 1) === 1;
  if (axesGiven && !axes) return [tensor(dtypeOf(c, 0), unknownAxes(c.input(0)?.dims, c.input(1)?.dims?.[0], keep))];
  return [tensor(dtypeOf(c, 0), reduced(c, c.input(0)?.dims, axes, keep))];
};

const argReduce: Rule = (c) => [tensor('INT64', reduced(c, c.input(0)?.dims, [attrInt(c, 'axis', 0)], attrInt(c, 'keepdims', 1) === 1))];

const topK: Rule = (c) => {
  const dims = c.input(0)?.dims;
  const k = c.opset < 10 ? attrInt(c, 'k', -1) : (c.values(1)?.[0] ?? null);
  const axis = dims ? axisOf(attrInt(c, 'axis', -1), dims.length) : undefined;
  const out = dims && axis !== undefined ? dims.map((d, i) => (i === axis ? (k === -1 ? null : k) : d)) : undefined;
  return [tensor(dtypeOf(c, 0), out), tensor('INT64', out)];
};

const layerNorm: Rule = (c) => {
  const t = c.input(0);
  const dims = t?.dims;
  const axis = dims ? axisOf(attrInt(c, 'axis', -1), dims.length) : undefined;
  const stat = dims && axis !== undefined ? dims.map((d, i) => (i < axis ? d : 1)) : undefined;
  return [tensor(dtypeOf(c, 0), dims), tensor('FP32', stat), tensor('FP32', stat)];
};

const batchNorm: Rule = (c) => {
  const dims = c.input(0)?.dims;
  const ch = dims?.[1] ?? null;
  return [tensor(dtypeOf(c, 0), dims), tensor(dtypeOf(c, 3), [ch]), tensor(dtypeOf(c, 4), [ch]), tensor(dtypeOf(c, 3), [ch]), tensor(dtypeOf(c, 4), [ch])];
};

/** floor(x * scale) kept symbolic for whole and unit-fraction scales (×2, ×0.5). */
function scaled(alg: DimAlgebra, x: GraphDim, scale: number): GraphDim {
  if (typeof x === 'number') return Math.floor(x * scale + 1e-9);
  if (Number.isInteger(scale)) return alg.mul(x, scale);
  const inv = 1 / scale;
  if (Math.abs(inv - Math.round(inv)) < 1e-6) return alg.floorDiv(x, Math.round(inv));
  return x === null ? null : alg.symbol('resized');
}

const resize: Rule = (c) => {
  const dims = c.input(0)?.dims;
  const dtype = dtypeOf(c, 0);
  if (!dims) return [tensor(dtype)];
  const [scalesAt, sizesAt] = c.node.opType === 'Upsample' || c.opset < 11 ? [1, -1] : [2, 3];
  const axes = (c.opset >= 18 ? attrInts(c, 'axes') : undefined)?.map((a) => axisOf(a, dims.length)) ?? dims.map((_, i) => i);
  const sizes = sizesAt > 0 && c.has(sizesAt) ? c.values(sizesAt) : undefined;
  const scales = c.node.opType === 'Upsample' && c.opset < 9 ? attrInts(c, 'scales') : c.has(scalesAt) ? c.numbers(scalesAt) : undefined;
  const out = [...dims];
  axes.forEach((a, k) => {
    if (a === undefined) return;
    if (sizes && sizes.length) out[a] = sizes[k] ?? null;
    else if (scales && scales.length) out[a] = scaled(c.alg, dims[a]!, scales[k]!);
    else out[a] = null;
  });
  return [tensor(dtype, out)];
};

/** LSTM/GRU/RNN: Y and the last hidden (and cell) state, in either layout. */
const recurrent: Rule = (c) => {
  const x = c.input(0)?.dims;
  const dtype = dtypeOf(c, 0);
  const dirs = attrStr(c, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
  const hidden: GraphDim = c.attr('hidden_size') ? attrInt(c, 'hidden_size', 0) : (c.input(2)?.dims?.[2] ?? null);
  if (!x || x.length !== 3) return [tensor(dtype), tensor(dtype), tensor(dtype)];
  const batchFirst = attrInt(c, 'layout', 0) === 1;
  const [seq, batch] = batchFirst ? [x[1]!, x[0]!] : [x[0]!, x[1]!];
  const y = batchFirst ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden];
  const h = batchFirst ? [batch, dirs, hidden] : [dirs, batch, hidden];
  return [tensor(dtype, y), tensor(dtype, h), tensor(dtype, h)];
};

const quantize: Rule = (c) => {
  const to = attrInt(c, 'output_dtype', 0);
  const dtype = to ? castName(to) : c.has(2) ? dtypeOf(c, 2) : 'UINT8';
  return [tensor(dtype, c.input(0)?.dims)];
};

export const NN_RULES: Record<string, Rule> = {
  Conv: (c) => convLike(c, 0, 1, dtypeOf(c, 0)),
  ConvInteger: (c) => convLike(c, 0, 1, 'INT32'),
  QLinearConv: (c) => convLike(c, 0, 3, dtypeOf(c, 7) === 'unknown' ? dtypeOf(c, 0) : dtypeOf(c, 7)),
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  MatMul: (c) => [tensor(dtypeOf(c, 0), matmulDims(c.input(0)?.dims, c.input(1)?.dims))],
  MatMulInteger: (c) => [tensor('INT32', matmulDims(c.input(0)?.dims, c.input(1)?.dims))],
  QLinearMatMul: (c) => [tensor(dtypeOf(c, 7), matmulDims(c.input(0)?.dims, c.input(3)?.dims))],
  Gemm: gemm,
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  ...Object.fromEntries(['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'].map((op) => [op, reduce])),
  ArgMax: argReduce,
  ArgMin: argReduce,
  TopK: topK,
  Resize: resize,
  Upsample: resize,
  LSTM: recurrent,
  GRU: recurrent,
  RNN: recurrent,
  QuantizeLinear: quantize,
  DequantizeLinear: (c) => [tensor(c.has(1) ? dtypeOf(c, 1) : 'FP32', c.input(0)?.dims)],
  DynamicQuantizeLinear: (c) => [tensor('UINT8', c.input(0)?.dims), tensor('FP32', []), tensor('UINT8', [])],
};

export { matmulDims, transposedLast };
