/**
 * The remaining operators real exports use: data-dependent ones (NonZero,
 * NonMaxSuppression, Compress, Unique give a named symbol for the size only
 * the data decides), Einsum, OneHot, DepthToSpace, GridSample, RoiAlign, and
 * the common com.microsoft fusions (SkipLayerNormalization, Attention,
 * FastGelu, BiasGelu, FusedMatMul, EmbedLayerNormalization, ...).
 */
import type { GraphDim } from '../../../contract/inspect-api';
import { broadcast } from './rules-elementwise';
import { NN_RULES, matmulDims, transposedLast } from './rules-nn';
import { type Rule, type RuleCtx, attrInt, attrInts, attrStr, axisOf, dtypeOf, tensor } from './types';

const nonZero: Rule = (c) => {
  const dims = c.input(0)?.dims;
  return [tensor('INT64', [dims ? dims.length : null, c.alg.symbol('nonzero')])];
};

const oneHot: Rule = (c) => {
  const dims = c.input(0)?.dims;
  const depth = c.values(1)?.[0] ?? null;
  if (!dims) return [tensor(dtypeOf(c, 2))];
  const rank = dims.length + 1;
  const axis = axisOf(attrInt(c, 'axis', -1), rank) ?? rank - 1;
  return [tensor(dtypeOf(c, 2), [...dims.slice(0, axis), depth, ...dims.slice(axis)])];
};

function blocks(c: RuleCtx, down: boolean): ReturnType<Rule> {
  const d = c.input(0)?.dims;
  const b = attrInt(c, 'blocksize', 1);
  if (!d || d.length !== 4) return [tensor(dtypeOf(c, 0))];
  const ch = down ? c.alg.mul(d[1]!, b * b) : (c.alg.divExact(d[1]!, b * b) ?? null);
  const sp = (x: GraphDim): GraphDim => (down ? (c.alg.divExact(x, b) ?? c.alg.floorDiv(x, b)) : c.alg.mul(x, b));
  return [tensor(dtypeOf(c, 0), [d[0]!, ch, sp(d[2]!), sp(d[3]!)])];
}

const compress: Rule = (c) => {
  const d = c.input(0)?.dims;
  const axis = c.attr('axis') && d ? axisOf(attrInt(c, 'axis', 0), d.length) : undefined;
  const n = c.alg.symbol('compressed');
  return [tensor(dtypeOf(c, 0), d && axis !== undefined ? d.map((x, i) => (i === axis ? n : x)) : [n])];
};

const unique: Rule = (c) => {
  const d = c.input(0)?.dims;
  const n = c.alg.symbol('unique');
  const axis = c.attr('axis') && d ? axisOf(attrInt(c, 'axis', 0), d.length) : undefined;
  const y = d && axis !== undefined ? d.map((x, i) => (i === axis ? n : x)) : [n];
  const inverse = d && axis !== undefined ? [d[axis]!] : [d ? c.alg.product(d) : null];
  return [tensor(dtypeOf(c, 0), y), tensor('INT64', [n]), tensor('INT64', inverse), tensor('INT64', [n])];
};

/** Einsum with an explicit or implicit output; `...` broadcast from the operands' leading dims. */
const einsum: Rule = (c) => {
  const eq = attrStr(c, 'equation', '').replace(/\s/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  const sizes = new Map<string, GraphDim>();
  const ellipsis: GraphDim[][] = [];
  for (let i = 0; i < terms.length; i++) {
    const dims = c.input(i)?.dims;
    if (!dims) return [tensor(dtypeOf(c, 0))];
    const [pre, post] = terms[i]!.includes('...') ? terms[i]!.split('...') : [terms[i]!, undefined];
    const lead = post === undefined ? 0 : dims.length - pre!.length - post.length;
    if (post !== undefined) ellipsis.push(dims.slice(pre!.length, pre!.length + lead));
    [...pre!].forEach((l, k) => sizes.set(l, sizes.get(l) === 1 || !sizes.has(l) ? dims[k]! : sizes.get(l)!));
    [...(post ?? '')].forEach((l, k) => sizes.set(l, sizes.get(l) === 1 || !sizes.has(l) ? dims[pre!.length + lead + k]! : sizes.get(l)!));
  }
  const once = [...terms.join('').replace(/\./g, '')].filter((l, _, all) => all.indexOf(l) === all.lastIndexOf(l)).sort();
  const out = rhs ?? `${ellipsis.length ? '...' : ''}${once.join('')}`;
  const ell = broadcast(ellipsis) ?? [];
  const dims = out.split('...').flatMap((part, k) => [...(k > 0 ? ell : []), ...[...part].map((l) => sizes.get(l) ?? null)]);
  return [tensor(dtypeOf(c, 0), dims)];
};

const gridSample: Rule = (c) => {
  const x = c.input(0)?.dims;
  const g = c.input(1)?.dims;
  return [tensor(dtypeOf(c, 0), x && g ? [x[0]!, x[1]!, ...g.slice(1, -1)] : undefined)];
};

const roiAlign: Rule = (c) => {
  const x = c.input(0)?.dims;
  const rois = c.input(1)?.dims;
  return [tensor(dtypeOf(c, 0), [rois?.[0] ?? null, x?.[1] ?? null, attrInt(c, 'output_height', 1), attrInt(c, 'output_width', 1)])];
};

const same: Rule = (c) => [tensor(dtypeOf(c, 0), c.input(0)?.dims)];

/** SkipLayerNormalization: output, mean, inv_std_var, and input+skip (+bias). */
const skipLayerNorm: Rule = (c) => {
  const d = c.input(0)?.dims;
  const stat = d ? [...d.slice(0, -1), 1] : undefined;
  return [tensor(dtypeOf(c, 0), d), tensor('FP32', stat), tensor('FP32', stat), tensor(dtypeOf(c, 0), d)];
};

/** com.microsoft Attention: [batch, seq, v_hidden] from input [batch, seq, hidden] and packed weights. */
const attention: Rule = (c) => {
  const x = c.input(0)?.dims;
  const w = c.input(1)?.dims;
  const sizes = attrInts(c, 'qkv_hidden_sizes');
  const heads = attrInt(c, 'num_heads', 0);
  const vHidden = sizes?.[2] ?? (typeof w?.[1] === 'number' ? w[1] / 3 : null);
  const out = x ? [x[0]!, x[1]!, vHidden] : undefined;
  const past = c.input(4)?.dims;
  const present = past && x ? [2, x[0]!, heads || past[2]!, c.alg.add(past[3]!, x[1]!), past[4]!] : undefined;
  return [tensor(dtypeOf(c, 0), out), tensor(dtypeOf(c, 0), present)];
};

const multiHead: Rule = (c) => {
  const q = c.input(0)?.dims;
  const v = c.input(2)?.dims;
  const vHidden = v?.length === 3 ? v[2]! : q?.[2];
  return [tensor(dtypeOf(c, 0), q ? [q[0]!, q[1]!, vHidden ?? null] : undefined)];
};

const embedLayerNorm: Rule = (c) => {
  const ids = c.input(0)?.dims;
  const hidden = c.input(2)?.dims?.[1] ?? null;
  return [tensor(dtypeOf(c, 2), ids ? [...ids, hidden] : undefined), tensor('INT32', ids ? [ids[0]!] : undefined), tensor(dtypeOf(c, 2), ids ? [...ids, hidden] : undefined)];
};

export const MISC_RULES: Record<string, Rule> = {
  NonZero: nonZero,
  NonMaxSuppression: (c) => [tensor('INT64', [c.alg.symbol('selected'), 3])],
  OneHot: oneHot,
  DepthToSpace: (c) => blocks(c, false),
  SpaceToDepth: (c) => blocks(c, true),
  Compress: compress,
  Unique: unique,
  Einsum: einsum,
  GridSample: gridSample,
  RoiAlign: roiAlign,
  EyeLike: (c) => [tensor(c.attr('dtype') ? (attrInt(c, 'dtype', 1) === 7 ? 'INT64' : dtypeOf(c, 0)) : dtypeOf(c, 0), c.input(0)?.dims)],
};

export const MS_RULES: Record<string, Rule> = {
  SkipLayerNormalization: skipLayerNorm,
  SkipSimplifiedLayerNormalization: skipLayerNorm,
  SimplifiedLayerNormalization: same,
  LayerNormalization: same,
  Attention: attention,
  MultiHeadAttention: multiHead,
  GroupQueryAttention: (c) => [tensor(dtypeOf(c, 0), c.input(0)?.dims)],
  FastGelu: same,
  BiasGelu: same,
  Gelu: same,
  QuickGelu: same,
  BiasAdd: same,
  RotaryEmbedding: same,
  FusedConv: (c) => NN_RULES.Conv!(c),
  FusedMatMul: (c) => [tensor(dtypeOf(c, 0), matmulDims(transposedLast(c.input(0)?.dims, attrInt(c, 'transA', 0) === 1), transposedLast(c.input(1)?.dims, attrInt(c, 'transB', 0) === 1)))],
  EmbedLayerNormalization: embedLayerNorm,
};
