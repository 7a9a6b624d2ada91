/**
 * Operators that move or compute shapes: Reshape, Flatten, (Un)Squeeze,
 * Transpose, Concat, Split, Slice, Gather, Shape, Size, Expand, Tile, Pad,
 * ConstantOfShape, Range, Constant. Each carries the values of small integer
 * tensors through, which is what resolves the Shape→Gather→Concat→Reshape
 * chains exporters write for dynamic batch and sequence sizes.
 */
import type { GraphDim } from '../../../contract/inspect-api';
import { broadcast } from './rules-elementwise';
import { type Rule, type RuleCtx, attrInt, attrInts, axisOf, dtypeOf, intsBySince, tensor, unknownDims } from './types';

/** Passes small values on unchanged (they keep their flat order). */
const valuesOf = (c: RuleCtx): GraphDim[] | undefined => c.values(0);

const reshape: Rule = (c) => {
  const data = c.input(0);
  const target = c.opset < 5 ? attrInts(c, 'shape') : c.values(1);
  if (!target) {
    const n = c.input(1)?.dims?.[0];
    return [tensor(dtypeOf(c, 0), unknownDims(n))];
  }
  const allowZero = attrInt(c, 'allowzero', 0) === 1;
  const dims: GraphDim[] = target.map((d, i) => (d === 0 && !allowZero ? (data?.dims?.[i] ?? null) : d));
  const free = dims.indexOf(-1);
  if (free >= 0) {
    const known = c.alg.product(dims.filter((_, i) => i !== free));
    const total = data?.dims ? c.alg.product(data.dims) : null;
    dims[free] = total === null || known === null ? null : (c.alg.divExact(total, known) ?? c.alg.symbol('reshape'));
  }
  return [tensor(dtypeOf(c, 0), dims, valuesOf(c))];
};

const flatten: Rule = (c) => {
  const dims = c.input(0)?.dims;
  if (!dims) return [tensor(dtypeOf(c, 0), [null, null])];
  const axis = attrInt(c, 'axis', 1);
  const a = axis < 0 ? axis + dims.length : axis;
  return [tensor(dtypeOf(c, 0), [c.alg.product(dims.slice(0, a)), c.alg.product(dims.slice(a))], valuesOf(c))];
};

const squeeze: Rule = (c) => {
  const dims = c.input(0)?.dims;
  const axes = intsBySince(c, 'axes', 1, 13);
  if (!dims) return [tensor(dtypeOf(c, 0))];
  if (c.has(1) && !axes && c.opset >= 13) return [tensor(dtypeOf(c, 0))];
  const drop = new Set((axes ?? dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => axisOf(a, dims.length)));
  return [
    tensor(
      dtypeOf(c, 0),
      dims.filter((_, i) => !drop.has(i)),
      valuesOf(c),
    ),
  ];
};

const unsqueeze: Rule = (c) => {
  const dims = c.input(0)?.dims;
  const axes = intsBySince(c, 'axes', 1, 13);
  // Axes inference cannot read: the rank is still known from how many there are.
  if (dims && !axes) return [tensor(dtypeOf(c, 0), c.opset >= 13 ? unknownDims(dims.length + Number(c.input(1)?.dims?.[0] ?? NaN)) : undefined)];
  if (!dims || !axes) return [tensor(dtypeOf(c, 0))];
  const rank = dims.length + axes.length;
  const at = new Set(axes.map((a) => axisOf(a, rank)));
  const out: GraphDim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : (dims[k++] ?? null));
  return [tensor(dtypeOf(c, 0), out, valuesOf(c))];
};

const transpose: Rule = (c) => {
  const dims = c.input(0)?.dims;
  if (!dims) return [tensor(dtypeOf(c, 0))];
  const perm = attrInts(c, 'perm') ?? dims.map((_, i) => dims.length - 1 - i);
  return [
    tensor(
      dtypeOf(c, 0),
      perm.map((p) => dims[p] ?? null),
      dims.length <= 1 ? valuesOf(c) : undefined,
    ),
  ];
};

const concat: Rule = (c) => {
  const types = c.node.inputs.map((_, i) => c.input(i));
  const ranked = types.find((t) => t?.dims);
  if (!ranked?.dims) return [tensor(types.find(Boolean)?.dtype ?? 'unknown')];
  const rank = ranked.dims.length;
  const axis = axisOf(attrInt(c, 'axis', 0), rank);
  if (axis === undefined) return [tensor(ranked.dtype)];
  // Dims off the axis must agree across inputs: a known size says what a symbol there is.
  const agreed = (i: number): GraphDim => {
    const all = types.map((t) => t?.dims?.[i]);
    return all.find((x): x is number => typeof x === 'number') ?? all.find((x): x is string => typeof x === 'string') ?? null;
  };
  const dims = ranked.dims.map((_, i) => (i === axis ? null : agreed(i)));
  dims[axis] = types.every((t) => t?.dims) ? types.reduce<GraphDim>((n, t) => c.alg.add(n, t!.dims![axis]!), 0) : null;
  // Values known in part (a shape built from Shape slices and an unknown piece) keep their known elements.
  const part = (i: number): GraphDim[] | undefined => c.values(i) ?? (types[i]?.dims?.length === 1 ? unknownDims(types[i]!.dims![0]) : undefined);
  const values = rank === 1 && types.some((_, i) => c.values(i)) && types.every((_, i) => part(i)) ? types.flatMap((_, i) => part(i)!) : undefined;
  return [tensor(ranked.dtype, dims, values)];
};

function splitSizes(c: RuleCtx, dim: GraphDim, outputs: number): GraphDim[] {
  const given = intsBySince(c, 'split', 1, 13);
  if (given) return given;
  // Sizes from a value inference cannot read: each part its own symbol.
  if (c.opset >= 13 && c.has(1)) return Array.from({ length: outputs }, () => c.alg.symbol('split'));
  // As many parts as the node has outputs (num_outputs must say the same; a crafted one must not allocate).
  const n = outputs;
  const exact = c.alg.divExact(dim, n);
  if (exact !== undefined) return Array<GraphDim>(n).fill(exact);
  if (typeof dim !== 'number') return Array<GraphDim>(n).fill(dim === null ? null : c.alg.ceilDiv(dim, n));
  const each = Math.ceil(dim / n);
  return Array.from({ length: n }, (_, i) => Math.max(0, Math.min(each, dim - each * i)));
}

const split: Rule = (c) => {
  const t = c.input(0);
  if (!t?.dims) return c.node.outputs.map(() => tensor(dtypeOf(c, 0)));
  const axis = axisOf(attrInt(c, 'axis', 0), t.dims.length);
  if (axis === undefined) return undefined;
  const sizes = splitSizes(c, t.dims[axis]!, c.node.outputs.length);
  let at = 0;
  return sizes.map((s) => {
    const dims = t.dims!.map((d, i) => (i === axis ? s : d));
    const v = t.values && t.dims!.length === 1 && typeof s === 'number' ? t.values.slice(at, at + s) : undefined;
    at += typeof s === 'number' ? s : 0;
    return tensor(t.dtype, dims, v);
  });
};

/**
 * Length of one sliced axis when the axis or the bounds are symbolic: the
 * usual forms (`a:`, `-k:`, `:b`, `:-k`, `a:b`, `::s`), with symbolic bounds
 * being sizes (never negative) and known bounds taken as inside the axis.
 */
function sliceLen(c: RuleCtx, d: GraphDim, start: GraphDim, end: GraphDim, step: number): GraphDim {
  if (typeof d === 'number' && typeof start === 'number' && typeof end === 'number') return numericSlice(d, start, end, step).length;
  const unknown = (): GraphDim => c.alg.symbol('slice');
  if (start === null || end === null || step <= 0) return unknown();
  const toEnd = typeof end === 'number' && end >= 2 ** 31 - 1;
  const from = typeof start === 'string' || start >= 0 ? start : undefined;
  const stop = toEnd ? d : typeof end === 'string' || end >= 0 ? end : c.alg.add(d, end);
  if (from === undefined) {
    // A negative start counts from the end: `-k:` is k long, `-k:-j` is k-j.
    if (step !== 1 || typeof start !== 'number') return unknown();
    return toEnd ? -start : typeof end === 'number' && end < 0 ? Math.max(0, end - start) : unknown();
  }
  const span = c.alg.sub(stop, from);
  return step === 1 ? span : c.alg.ceilDiv(span, step);
}

/** Start index and length of a slice of a known-size axis, as ONNX clamps them. */
function numericSlice(d: number, start: number, end: number, step: number): { start: number; length: number } {
  const norm = (x: number, lo: number, hi: number): number => Math.min(Math.max(x < 0 ? x + d : x, lo), hi);
  if (step > 0) {
    const s = norm(start, 0, d);
    return { start: s, length: Math.max(0, Math.ceil((norm(end, 0, d) - s) / step)) };
  }
  const s = norm(start, 0, d - 1);
  return { start: s, length: Math.max(0, Math.ceil((s - norm(end, -1, d - 1)) / -step)) };
}

const slice: Rule = (c) => {
  const t = c.input(0);
  const old = c.opset < 10;
  const starts = old ? attrInts(c, 'starts') : c.values(1);
  const ends = old ? attrInts(c, 'ends') : c.values(2);
  if (!t?.dims) return [tensor(dtypeOf(c, 0))];
  if (!starts || !ends)
    return [
      tensor(
        t.dtype,
        t.dims.map(() => null),
      ),
    ];
  const axes = (old ? attrInts(c, 'axes') : c.has(3) ? c.numbers(3) : undefined) ?? starts.map((_, i) => i);
  const steps = (!old && c.has(4) ? c.numbers(4) : undefined) ?? starts.map(() => 1);
  const dims = [...t.dims];
  let values = t.values && t.dims.length === 1 ? t.values : undefined;
  axes.forEach((ax, k) => {
    const a = axisOf(ax, dims.length);
    if (a === undefined) return;
    const [s, e, st] = [starts[k] ?? null, ends[k] ?? null, steps[k] ?? 1];
    dims[a] = sliceLen(c, t.dims![a]!, s, e, st);
    if (values && typeof s === 'number' && typeof e === 'number') {
      const r = numericSlice(values.length, s, e, st);
      values = Array.from({ length: r.length }, (_, i) => values![r.start + i * st]!);
    } else values = undefined;
  });
  return [tensor(t.dtype, dims, values)];
};

const gather: Rule = (c) => {
  const [data, idx] = [c.input(0), c.input(1)];
  if (!data?.dims || !idx?.dims) return [tensor(dtypeOf(c, 0))];
  const axis = axisOf(attrInt(c, 'axis', 0), data.dims.length);
  if (axis === undefined) return undefined;
  const dims = [...data.dims.slice(0, axis), ...idx.dims, ...data.dims.slice(axis + 1)];
  const picks = c.numbers(1);
  const v = data.values;
  const values = v && data.dims.length === 1 && picks ? picks.map((p) => v[p < 0 ? p + v.length : p] ?? null) : undefined;
  return [tensor(data.dtype, dims, values)];
};

const gatherND: Rule = (c) => {
  const [data, idx] = [c.input(0)?.dims, c.input(1)?.dims];
  const last = idx?.[idx.length - 1];
  if (!data || !idx || typeof last !== 'number') return [tensor(dtypeOf(c, 0))];
  const b = attrInt(c, 'batch_dims', 0);
  return [tensor(dtypeOf(c, 0), [...idx.slice(0, -1), ...data.slice(b + last)])];
};

const shape: Rule = (c) => {
  const dims = c.input(0)?.dims;
  if (!dims) return [tensor('INT64', [null])];
  const r = dims.length;
  const clampAxis = (x: number): number => Math.min(Math.max(x < 0 ? x + r : x, 0), r);
  const start = clampAxis(attrInt(c, 'start', 0));
  const end = clampAxis(attrInt(c, 'end', r));
  const values = dims.slice(start, Math.max(start, end));
  return [tensor('INT64', [values.length], values)];
};

const expand: Rule = (c) => {
  const t = c.input(0);
  const target = c.values(1);
  const n = c.input(1)?.dims?.[0];
  const to = target ?? unknownDims(n);
  // Where the target is unknown and the input has 1 (or nothing), the size is the target's: name it.
  const dims = broadcast([t?.dims, to])?.map((d) => d ?? c.alg.symbol('expand'));
  return [tensor(dtypeOf(c, 0), dims)];
};

const tile: Rule = (c) => {
  const dims = c.input(0)?.dims;
  const reps = c.values(1);
  if (!dims) return [tensor(dtypeOf(c, 0))];
  return [
    tensor(
      dtypeOf(c, 0),
      dims.map((d, i) => (reps ? c.alg.mul(d, reps[i] ?? null) : null)),
    ),
  ];
};

const pad: Rule = (c) => {
  const dims = c.input(0)?.dims;
  const pads = c.opset < 11 ? (attrInts(c, 'pads') ?? attrInts(c, 'paddings')) : c.values(1);
  if (!dims) return [tensor(dtypeOf(c, 0))];
  if (!pads)
    return [
      tensor(
        dtypeOf(c, 0),
        dims.map(() => null),
      ),
    ];
  const axes = (c.opset >= 18 && c.has(3) ? c.numbers(3) : undefined) ?? dims.map((_, i) => i);
  const out = [...dims];
  axes.forEach((ax, k) => {
    const a = axisOf(ax, dims.length);
    if (a !== undefined) out[a] = c.alg.add(c.alg.add(dims[a]!, pads[k] ?? null), pads[k + axes.length] ?? null);
  });
  return [tensor(dtypeOf(c, 0), out)];
};

const constantOfShape: Rule = (c) => {
  const dims = c.values(0);
  const fill = c.tensorAttr('value');
  const dtype = fill?.dtype ?? 'FP32';
  const n = c.input(0)?.dims?.[0];
  const out = dims ?? unknownDims(n);
  const count = out?.every((d): d is number => typeof d === 'number') ? out.reduce((a, b) => a * b, 1) : Infinity;
  const v = fill?.values?.[0];
  return [tensor(dtype, out, v !== undefined && count <= 64 ? Array<GraphDim>(count).fill(v) : undefined)];
};

const range: Rule = (c) => {
  const [start, limit, delta] = [c.values(0)?.[0], c.values(1)?.[0], c.values(2)?.[0]];
  const dtype = dtypeOf(c, 0);
  if (typeof start === 'number' && typeof limit === 'number' && typeof delta === 'number' && delta !== 0) {
    const n = Math.max(0, Math.ceil((limit - start) / delta));
    return [tensor(dtype, [n], n <= 64 ? Array.from({ length: n }, (_, i) => start + i * delta) : undefined)];
  }
  if (start === 0 && delta === 1 && limit !== undefined && limit !== null) return [tensor(dtype, [limit])];
  if (typeof delta === 'number' && delta > 0 && start !== undefined && limit !== undefined) {
    return [tensor(dtype, [c.alg.ceilDiv(c.alg.sub(limit, start), delta)])];
  }
  return [tensor(dtype, [c.alg.symbol('range')])];
};

/** Constant's value in any of its attribute forms. */
const constant: Rule = (c) => {
  const t = c.tensorAttr('value');
  if (t) return [t];
  const forms: [string, string, boolean][] = [
    ['value_int', 'INT64', false],
    ['value_ints', 'INT64', true],
    ['value_float', 'FP32', false],
    ['value_floats', 'FP32', true],
  ];
  for (const [name, dtype, list] of forms) {
    const v = attrInts(c, name);
    if (v) return [tensor(dtype, list ? [v.length] : [], v)];
  }
  if (c.attr('value_string')) return [tensor('BYTES', [])];
  return undefined;
};

export const SHAPE_RULES: Record<string, Rule> = {
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  GatherElements: (c) => [tensor(dtypeOf(c, 0), c.input(1)?.dims)],
  GatherND: gatherND,
  Shape: shape,
  Size: (c) => {
    const dims = c.input(0)?.dims;
    return [tensor('INT64', [], dims ? [c.alg.product(dims)] : undefined)];
  },
  Expand: expand,
  Tile: tile,
  Pad: pad,
  ConstantOfShape: constantOfShape,
  Range: range,
  Constant: constant,
};
