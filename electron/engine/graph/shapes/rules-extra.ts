/**
 * Less common operators that still turn up: the opset 23 attention family,
 * sequence operators, windows and losses, the classic ai.onnx.ml operators
 * scikit-learn exports use, and more com.microsoft fusions (4-bit MatMul,
 * quantized Gemm/Attention, fused Gemm activations).
 */
import type { GraphDim } from '../../../contract/inspect-api';
import { broadcast, castName } from './rules-elementwise';
import { NN_RULES, matmulDims, transposedLast } from './rules-nn';
import { SHAPE_RULES } from './rules-shape';
import { type Rule, type RuleCtx, attrInt, attrInts, attrStr, axisOf, dtypeOf, tensor, unknownDims } from './types';

const same: Rule = (c) => [tensor(dtypeOf(c, 0), c.input(0)?.dims)];
const sequence: Rule = () => [{ dtype: 'sequence' }];

/** How many items a list attribute holds (its display text says "(N in all)" when cut). */
function attrCount(c: RuleCtx, name: string): number | undefined {
  const a = c.attr(name);
  if (!a) return undefined;
  const all = /\((\d+) in all\)\]$/.exec(a.value);
  if (all) return Number(all[1]);
  const body = a.value.replace(/^\[|\]$/g, '').trim();
  return body ? body.split(',').length : 0;
}

/** ONNX Attention (opset 23): Y keeps Q's layout, with V's head size. */
const attention: Rule = (c) => {
  const [q, v] = [c.input(0)?.dims, c.input(2)?.dims];
  if (!q || !v) return [tensor(dtypeOf(c, 0))];
  const past = [c.input(4)?.dims, c.input(5)?.dims];
  const k = c.input(1)?.dims;
  // present = past and the new keys/values along the sequence axis (4-D layout).
  const present = (i: 0 | 1): GraphDim[] | undefined => {
    const kv = i === 0 ? k : v;
    const p = past[i];
    if (!kv) return p;
    if (kv.length === 4) return p ? [kv[0]!, kv[1]!, c.alg.add(p[2]!, kv[2]!), kv[3]!] : kv;
    // 3-D keys/values [batch, seq, heads*size] join a 4-D cache [batch, heads, past, size].
    const heads = attrInt(c, 'kv_num_heads', 0);
    if (p) return [p[0]!, p[1]!, c.alg.add(p[2]!, kv[1]!), p[3]!];
    return heads ? [kv[0]!, heads, kv[1]!, c.alg.divExact(kv[2]!, heads) ?? null] : undefined;
  };
  const total = present(0)?.[2] ?? null;
  const rest = [tensor(dtypeOf(c, 0), present(0)), tensor(dtypeOf(c, 0), present(1))];
  if (q.length === 4) return [tensor(dtypeOf(c, 0), [q[0]!, q[1]!, q[2]!, v[3] ?? null]), ...rest, tensor(dtypeOf(c, 0), [q[0]!, q[1]!, q[2]!, total])];
  const qHeads = attrInt(c, 'q_num_heads', 0);
  const kvHeads = attrInt(c, 'kv_num_heads', 0);
  const vHead = v.length === 4 ? v[3]! : kvHeads ? (c.alg.divExact(v[2]!, kvHeads) ?? null) : null;
  return [tensor(dtypeOf(c, 0), [q[0]!, q[1]!, qHeads ? c.alg.mul(vHead, qHeads) : null]), ...rest];
};

const maxUnpool: Rule = (c) => {
  const x = c.input(0)?.dims;
  if (c.has(2)) return [tensor(dtypeOf(c, 0), c.values(2) ?? unknownDims(c.input(2)?.dims?.[0]))];
  if (!x) return [tensor(dtypeOf(c, 0))];
  const k = attrInts(c, 'kernel_shape') ?? [];
  const s = attrInts(c, 'strides') ?? [];
  const p = attrInts(c, 'pads') ?? [];
  const sp = x.length - 2;
  const out = x.slice(2).map((d, i) => c.alg.sub(c.alg.add(c.alg.mul(c.alg.sub(d, 1), s[i] ?? 1), k[i] ?? null), (p[i] ?? 0) + (p[i + sp] ?? 0)));
  return [tensor(dtypeOf(c, 0), [x[0]!, x[1]!, ...out])];
};

const lossRule: Rule = (c) => {
  const none = attrStr(c, 'reduction', 'mean') === 'none';
  const t = c.input(1)?.dims;
  return [tensor(dtypeOf(c, 0), none ? t : []), tensor(dtypeOf(c, 0), c.input(0)?.dims)];
};

const window: Rule = (c) => [tensor(castName(attrInt(c, 'output_datatype', 1)), [c.values(0)?.[0] ?? null])];

const affineGrid: Rule = (c) => {
  const n = c.input(1)?.dims?.[0];
  const size = c.values(1) ?? (typeof n === 'number' && n >= 3 ? [c.input(0)?.dims?.[0] ?? null, ...(unknownDims(n - 1) ?? [])] : undefined);
  return [tensor(dtypeOf(c, 0), size ? [size[0]!, ...size.slice(2), size.length - 2] : undefined)];
};

const centerCropPad: Rule = (c) => {
  const x = c.input(0)?.dims;
  const shape = c.values(1) ?? unknownDims(c.input(1)?.dims?.[0]);
  if (!x || !shape) return [tensor(dtypeOf(c, 0))];
  const axes = attrInts(c, 'axes') ?? x.map((_, i) => i);
  const out = [...x];
  axes.forEach((a, k) => {
    const at = axisOf(a, x.length);
    if (at !== undefined) out[at] = shape[k] ?? null;
  });
  return [tensor(dtypeOf(c, 0), out)];
};

const randomOf: Rule = (c) => [tensor(castName(attrInt(c, 'dtype', 1)), attrInts(c, 'shape'))];

/** ai.onnx.ml classifiers: the label per row and a score per class. */
const classifier: Rule = (c) => {
  const n = c.input(0)?.dims?.[0] ?? null;
  const ints = c.attr('classlabels_int64s') ?? c.attr('classlabels_ints');
  const classes = attrCount(c, ints ? ints.name : 'classlabels_strings') ?? null;
  return [tensor(ints ? 'INT64' : 'BYTES', [n]), tensor('FP32', [n, classes])];
};

const regressor: Rule = (c) => [tensor('FP32', [c.input(0)?.dims?.[0] ?? null, attrInt(c, 'n_targets', attrInt(c, 'targets', 1))])];

const labelEncoder: Rule = (c) => {
  const to = c.attr('values_strings') || (c.attr('classes_strings') && dtypeOf(c, 0) === 'INT64') ? 'BYTES' : c.attr('values_floats') ? 'FP32' : 'INT64';
  return [tensor(to, c.input(0)?.dims)];
};

const arrayFeature: Rule = (c) => {
  const x = c.input(0)?.dims;
  const k = c.input(1)?.dims;
  return [tensor(dtypeOf(c, 0), x && k ? [...x.slice(0, -1), k.length ? c.alg.product(k) : 1] : undefined)];
};

const mlOneHot: Rule = (c) => {
  const x = c.input(0)?.dims;
  const cats = attrCount(c, c.attr('cats_int64s') ? 'cats_int64s' : 'cats_strings') ?? null;
  return [tensor('FP32', x ? [...x, cats] : undefined)];
};

const featureVectorizer: Rule = (c) => {
  const sizes = attrInts(c, 'inputdimensions');
  return [tensor('FP32', [c.input(0)?.dims?.[0] ?? null, sizes ? sizes.reduce((a, b) => a + b, 0) : null])];
};

/** A MatMul whose B is packed: the output's last dim is the N attribute. */
const packedMatMul: Rule = (c) => {
  const a = c.input(0)?.dims;
  return [tensor(dtypeOf(c, 0), a ? [...a.slice(0, -1), attrInt(c, 'N', 0) || null] : undefined)];
};

const matmulTo =
  (dtype: string): Rule =>
  (c) => [tensor(dtype, matmulDims(c.input(0)?.dims, c.input(1)?.dims))];

const qgemm: Rule = (c) => {
  const a = transposedLast(c.input(0)?.dims, attrInt(c, 'transA', 0) === 1);
  const b = transposedLast(c.input(3)?.dims, attrInt(c, 'transB', 0) === 1);
  return [tensor(c.has(8) ? dtypeOf(c, 8) : 'FP32', [a?.[0] ?? null, b?.[1] ?? null])];
};

const expandDims: Rule = (c) => {
  const x = c.input(0)?.dims;
  const axis = c.numbers(1)?.[0];
  if (!x || axis === undefined) return [tensor(dtypeOf(c, 0))];
  const at = axisOf(axis, x.length + 1);
  return [tensor(dtypeOf(c, 0), at === undefined ? undefined : [...x.slice(0, at), 1, ...x.slice(at)])];
};

const halfLast: Rule = (c) => {
  const x = c.input(0)?.dims;
  return [tensor(dtypeOf(c, 0), x ? [...x.slice(0, -1), c.alg.divExact(x[x.length - 1]!, 2) ?? null] : undefined)];
};

const cropAndResize: Rule = (c) => {
  const [x, rois, size] = [c.input(0)?.dims, c.input(1)?.dims, c.values(3)];
  return [tensor(dtypeOf(c, 0), [rois?.[0] ?? null, x?.[1] ?? null, size?.[0] ?? null, size?.[1] ?? null])];
};

const qlinearBinary: Rule = (c) => [tensor(dtypeOf(c, 0), broadcast([c.input(0)?.dims, c.input(3)?.dims]))];

const gatherBlock: Rule = (c) => {
  const [data, idx] = [c.input(0)?.dims, c.input(1)?.dims];
  const axis = data ? axisOf(attrInt(c, 'gather_axis', 0), data.length) : undefined;
  const dims: GraphDim[] | undefined = data && idx && axis !== undefined ? [...data.slice(0, axis), ...idx, ...data.slice(axis + 1)] : undefined;
  return [tensor(dtypeOf(c, 2), dims)];
};

/** DFT: the transformed axis becomes dft_length (half and one when onesided), the last axis real/imaginary. */
const dft: Rule = (c) => {
  const x = c.input(0)?.dims;
  if (!x) return [tensor(dtypeOf(c, 0))];
  const axisValue = c.opset < 20 ? attrInt(c, 'axis', 1) : c.has(2) ? c.numbers(2)?.[0] : -2;
  const axis = axisValue === undefined ? undefined : axisOf(axisValue, x.length);
  const onesided = attrInt(c, 'onesided', 0) === 1;
  // The inverse of a onesided transform is real: one value per element, the full length back.
  const inverseHalf = onesided && attrInt(c, 'inverse', 0) === 1;
  const out: GraphDim[] = [...x.slice(0, -1), inverseHalf ? 1 : 2];
  if (axis === undefined)
    return [
      tensor(
        dtypeOf(c, 0),
        out.map((d, i) => (i === x.length - 1 ? d : null)),
      ),
    ];
  const n = c.has(1) ? (c.values(1)?.[0] ?? null) : inverseHalf ? c.alg.mul(c.alg.sub(x[axis]!, 1), 2) : x[axis]!;
  out[axis] = onesided && !inverseHalf ? c.alg.add(c.alg.floorDiv(n, 2), 1) : n;
  return [tensor(dtypeOf(c, 0), out)];
};

/** STFT: [batch, frames, bins, 2]. */
const stft: Rule = (c) => {
  const x = c.input(0)?.dims;
  const step = c.values(1)?.[0];
  const length = c.has(3) ? c.values(3)?.[0] : c.input(2)?.dims?.[0];
  if (!x || step === undefined || length === undefined || typeof step !== 'number' || step <= 0) return [tensor(dtypeOf(c, 0), x ? [x[0]!, null, null, 2] : undefined)];
  const frames = c.alg.add(c.alg.floorDiv(c.alg.sub(x[1]!, length), step), 1);
  const bins = attrInt(c, 'onesided', 1) === 1 ? c.alg.add(c.alg.floorDiv(length, 2), 1) : length;
  return [tensor(dtypeOf(c, 0), [x[0]!, frames, bins, 2])];
};

const col2im: Rule = (c) => {
  const x = c.input(0)?.dims;
  const image = c.values(1) ?? unknownDims(c.input(1)?.dims?.[0]);
  const block = c.values(2);
  const ch = x && block ? (c.alg.divExact(x[1]!, c.alg.product(block)) ?? null) : null;
  return [tensor(dtypeOf(c, 0), x && image ? [x[0]!, ch, ...image] : undefined)];
};

const melWeights: Rule = (c) => {
  const [mels, length] = [c.values(0)?.[0] ?? null, c.values(1)?.[0] ?? null];
  return [tensor(castName(attrInt(c, 'output_datatype', 1)), [c.alg.add(c.alg.floorDiv(length, 2), 1), mels])];
};

const stringSplit: Rule = (c) => {
  const x = c.input(0)?.dims;
  return [tensor('BYTES', x ? [...x, c.alg.symbol('parts')] : undefined), tensor('INT64', x)];
};

export const EXTRA_RULES: Record<string, Rule> = {
  DFT: dft,
  STFT: stft,
  Col2Im: col2im,
  MelWeightMatrix: melWeights,
  StringSplit: stringSplit,
  TensorScatter: same,
  Optional: () => [{ dtype: 'optional' }],
  OptionalHasElement: () => [tensor('BOOL', [])],
  OptionalGetElement: (c) => {
    const t = c.input(0);
    return [t && t.dtype !== 'optional' ? { ...t } : undefined];
  },
  Attention: attention,
  RMSNormalization: same,
  RotaryEmbedding: same,
  SimplifiedLayerNormalization: same,
  CumProd: same,
  Det: (c) => [tensor(dtypeOf(c, 0), c.input(0)?.dims?.slice(0, -2))],
  BitCast: (c) => [tensor(castName(attrInt(c, 'to', 1)), c.input(0)?.dims)],
  MaxUnpool: maxUnpool,
  NegativeLogLikelihoodLoss: lossRule,
  SoftmaxCrossEntropyLoss: lossRule,
  HannWindow: window,
  HammingWindow: window,
  BlackmanWindow: window,
  AffineGrid: affineGrid,
  CenterCropPad: centerCropPad,
  RandomNormal: randomOf,
  RandomUniform: randomOf,
  Multinomial: (c) => [tensor(castName(attrInt(c, 'dtype', 6)), [c.input(0)?.dims?.[0] ?? null, attrInt(c, 'sample_size', 1)])],
  DeformConv: (c) => NN_RULES.Conv!(c),
  // Stopwords removed change the length of the last axis.
  StringNormalizer: (c) => {
    const d = c.input(0)?.dims;
    return [tensor('BYTES', d && c.attr('stopwords') ? [...d.slice(0, -1), c.alg.symbol('words')] : d)];
  },
  RegexFullMatch: (c) => [tensor('BOOL', c.input(0)?.dims)],
  StringConcat: (c) => [tensor('BYTES', broadcast([c.input(0)?.dims, c.input(1)?.dims]))],
  SequenceConstruct: sequence,
  SequenceEmpty: sequence,
  SequenceInsert: sequence,
  SequenceErase: sequence,
  SplitToSequence: sequence,
  SequenceLength: () => [tensor('INT64', [])],
};

export const ML_RULES: Record<string, Rule> = {
  Scaler: (c) => [tensor('FP32', c.input(0)?.dims)],
  Normalizer: (c) => [tensor('FP32', c.input(0)?.dims)],
  Imputer: same,
  Binarizer: same,
  LabelEncoder: labelEncoder,
  CategoryMapper: (c) => [tensor(dtypeOf(c, 0) === 'BYTES' ? 'INT64' : 'BYTES', c.input(0)?.dims)],
  ZipMap: sequence,
  TreeEnsembleClassifier: classifier,
  LinearClassifier: classifier,
  SVMClassifier: classifier,
  TreeEnsembleRegressor: regressor,
  LinearRegressor: regressor,
  SVMRegressor: regressor,
  TreeEnsemble: regressor,
  ArrayFeatureExtractor: arrayFeature,
  OneHotEncoder: mlOneHot,
  FeatureVectorizer: featureVectorizer,
};

export const MS_EXTRA_RULES: Record<string, Rule> = {
  MatMulNBits: packedMatMul,
  MatMulBnb4: packedMatMul,
  MatMulFpQ4: packedMatMul,
  MatMulIntegerToFloat: matmulTo('FP32'),
  DynamicQuantizeMatMul: matmulTo('FP32'),
  MatMulInteger16: matmulTo('INT32'),
  TransposeMatMul: (c) => [tensor(dtypeOf(c, 0), matmulDims(transposedLast(c.input(0)?.dims, attrInt(c, 'transA', 0) === 1), transposedLast(c.input(1)?.dims, attrInt(c, 'transB', 0) === 1)))],
  GemmFastGelu: (c) => [tensor(dtypeOf(c, 0), matmulDims(c.input(0)?.dims, c.input(1)?.dims))],
  FusedGemm: (c) => NN_RULES.Gemm!(c),
  QGemm: qgemm,
  QLinearAdd: qlinearBinary,
  QLinearMul: qlinearBinary,
  QLinearSigmoid: same,
  QLinearLeakyRelu: same,
  QLinearSoftmax: same,
  QLinearGlobalAveragePool: (c) => NN_RULES.GlobalAveragePool!(c),
  QLinearAveragePool: (c) => NN_RULES.AveragePool!(c),
  BiasSoftmax: same,
  BiasDropout: (c) => [tensor(dtypeOf(c, 0), c.input(0)?.dims), tensor('BOOL', c.input(0)?.dims)],
  BitmaskDropout: same,
  BiasSplitGelu: halfLast,
  GroupNorm: same,
  SkipGroupNorm: same,
  GemmaRotaryEmbedding: same,
  LongformerAttention: same,
  DecoderMaskedMultiHeadAttention: same,
  DecoderMaskedSelfAttention: same,
  MoE: same,
  QMoE: same,
  Inverse: same,
  IsAllFinite: () => [tensor('BOOL', [])],
  ExpandDims: expandDims,
  CropAndResize: cropAndResize,
  GatherBlockQuantized: gatherBlock,
  TorchEmbedding: (c) => SHAPE_RULES.Gather!(c),
  MulInteger: (c) => [tensor('INT32', broadcast([c.input(0)?.dims, c.input(2)?.dims]))],
  CDist: (c) => [tensor(dtypeOf(c, 0), [c.input(0)?.dims?.[0] ?? null, c.input(1)?.dims?.[0] ?? null])],
  QuantizeWithOrder: (c) => [tensor('INT8', c.input(0)?.dims)],
  DequantizeWithOrder: (c) => [tensor('FP32', c.input(0)?.dims)],
  QOrderedGelu: same,
  QOrderedLayerNormalization: same,
  QAttention: (c) => {
    const x = c.input(0)?.dims;
    const w = c.input(1)?.dims?.[1];
    return [tensor('FP32', x ? [x[0]!, x[1]!, typeof w === 'number' ? w / 3 : null] : undefined)];
  },
};
