/**
 * Element-wise operators: unary ones keep their input's type, binary and
 * variadic ones broadcast NumPy-style, comparisons give BOOL. Integer shape
 * arithmetic (Add/Sub/Mul/Div on Shape values) is carried out on the values
 * too, so exported reshape targets such as `[batch, seq*12, 64]` resolve.
 */
import type { GraphDim } from '../../../contract/inspect-api';
import { onnxDTypeName } from '../onnx-types';
import type { DimAlgebra } from './dim-math';
import { type Rule, type RuleCtx, type VT, attrInt, dtypeOf, tensor } from './types';

/** The dim two (or more) broadcast dims give: a known size over 1, a symbol over nothing. */
function broadcastDim(dims: GraphDim[]): GraphDim {
  const rest = dims.filter((d) => d !== 1);
  if (rest.length === 0) return 1;
  const num = rest.find((d): d is number => typeof d === 'number');
  if (num !== undefined) return num;
  const sym = rest.filter((d): d is string => typeof d === 'string');
  if (sym.length === 0) return null;
  // Different symbols must be equal for a valid model; show the shortest.
  return sym.reduce((a, b) => (b.length < a.length ? b : a));
}

export function broadcast(shapes: (GraphDim[] | undefined)[]): GraphDim[] | undefined {
  if (shapes.some((s) => !s)) return undefined;
  const all = shapes as GraphDim[][];
  const rank = Math.max(0, ...all.map((s) => s.length));
  const out: GraphDim[] = [];
  for (let k = 0; k < rank; k++) out.push(broadcastDim(all.map((s) => (k < rank - s.length ? 1 : s[k - (rank - s.length)]!))));
  return out;
}

const INT_TYPES = new Set(['INT64', 'INT32', 'INT16', 'INT8', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);

type ValueOp = (alg: DimAlgebra, a: GraphDim, b: GraphDim) => GraphDim;

const VALUE_OPS: Record<string, ValueOp> = {
  Add: (alg, a, b) => alg.add(a, b),
  Sub: (alg, a, b) => alg.sub(a, b),
  Mul: (alg, a, b) => alg.mul(a, b),
  Div: (alg, a, b) => (typeof b === 'number' && b > 0 ? alg.floorDiv(a, b) : (alg.divExact(a, b) ?? null)),
  Max: (_alg, a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.max(a, b) : a === b ? a : null),
  Min: (_alg, a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.min(a, b) : a === b ? a : null),
};

const FLOAT_OPS: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Max: Math.max,
  Min: Math.min,
  Pow: (a, b) => a ** b,
};

/** Values of a binary operation on small tensors (same length, or one of them a single value). */
function binaryValues(c: RuleCtx, dtype: string): GraphDim[] | undefined {
  const [a, b] = [c.values(0), c.values(1)];
  if (!a || !b || (a.length !== b.length && a.length !== 1 && b.length !== 1)) return undefined;
  const n = Math.max(a.length, b.length);
  const at = (v: GraphDim[], i: number): GraphDim => v[v.length === 1 ? 0 : i]!;
  const op = c.node.opType;
  if (INT_TYPES.has(dtype) && VALUE_OPS[op]) return Array.from({ length: n }, (_, i) => VALUE_OPS[op]!(c.alg, at(a, i), at(b, i)));
  const f = FLOAT_OPS[op];
  const [x, y] = [c.numbers(0), c.numbers(1)];
  if (f && x && y) return Array.from({ length: n }, (_, i) => f(at(x, i) as number, at(y, i) as number));
  // Sizes cast to float for arithmetic (`int(h / 2)` in an exporter): exact results only.
  const sym = op === 'Div' ? (alg: DimAlgebra, p: GraphDim, q: GraphDim): GraphDim => alg.divExact(p, q) ?? null : ['Add', 'Sub', 'Mul'].includes(op) ? VALUE_OPS[op] : undefined;
  return sym && Array.from({ length: n }, (_, i) => sym(c.alg, at(a, i), at(b, i)));
}

const ROUNDING: Record<string, (v: number) => number> = { Floor: Math.floor, Ceil: Math.ceil, Round: Math.round, Abs: Math.abs, Sqrt: Math.sqrt };

/** Rounding of small values: numbers rounded, sizes (whole already) kept. */
const rounding: Rule = (c) => {
  const t = c.input(0);
  const f = ROUNDING[c.node.opType]!;
  const v = c.values(0)?.map((d) => (typeof d === 'number' ? f(d) : c.node.opType === 'Sqrt' ? null : d));
  return t ? [tensor(t.dtype, t.dims, v)] : undefined;
};

const unary: Rule = (c) => {
  const t = c.input(0);
  return t ? [{ dtype: t.dtype, ...(t.dims ? { dims: t.dims } : {}) }] : undefined;
};

const binary: Rule = (c) => {
  const dtype = dtypeOf(c, 0);
  const dims = broadcast([c.input(0)?.dims, c.input(1)?.dims]);
  return [tensor(dtype, dims, dims && dims.length <= 1 ? binaryValues(c, dtype) : undefined)];
};

const variadic: Rule = (c) => {
  const n = c.node.inputs.length;
  const dims = broadcast(Array.from({ length: n }, (_, i) => c.input(i)?.dims));
  const dtype = dtypeOf(c, 0);
  return [tensor(dtype, dims, n === 2 && dims && dims.length <= 1 ? binaryValues(c, dtype) : undefined)];
};

/** Equal on shape values: sizes are never negative, so a symbol is not -1 (the `Where(Equal(shape, -1), …)` exporters write). */
function equalValue(a: GraphDim, b: GraphDim): GraphDim {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 1 : 0;
  if (a !== null && a === b) return 1;
  if ((typeof a === 'string' && typeof b === 'number' && b < 0) || (typeof b === 'string' && typeof a === 'number' && a < 0)) return 0;
  return null;
}

/** Element i of small values, a single value standing for all. */
const pick = (v: GraphDim[], i: number): GraphDim => v[v.length === 1 ? 0 : i] ?? null;

function sameLength(vs: (GraphDim[] | undefined)[]): number | undefined {
  if (vs.some((v) => !v)) return undefined;
  const n = Math.max(...vs.map((v) => v!.length));
  return vs.every((v) => v!.length === n || v!.length === 1) ? n : undefined;
}

const compare: Rule = (c) => {
  const dims = broadcast([c.input(0)?.dims, c.input(1)?.dims]);
  const [a, b] = [c.values(0), c.values(1)];
  const n = c.node.opType === 'Equal' ? sameLength([a, b]) : undefined;
  return [tensor('BOOL', dims, n !== undefined && dims && dims.length <= 1 ? Array.from({ length: n }, (_, i) => equalValue(pick(a!, i), pick(b!, i))) : undefined)];
};

const where: Rule = (c) => {
  const dims = broadcast([0, 1, 2].map((i) => c.input(i)?.dims));
  const vs = [c.values(0), c.values(1), c.values(2)];
  const n = sameLength(vs);
  const values = n !== undefined && dims && dims.length <= 1 ? Array.from({ length: n }, (_, i) => (pick(vs[0]!, i) === null ? null : pick(vs[0]!, i) ? pick(vs[1]!, i) : pick(vs[2]!, i))) : undefined;
  return [tensor(c.input(1)?.dtype ?? dtypeOf(c, 2), dims, values)];
};

const UNARY = [
  ...['Abs', 'Neg', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sqrt', 'Exp', 'Log', 'Erf', 'Sign', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan'],
  ...['Sinh', 'Cosh', 'Tanh', 'Asinh', 'Acosh', 'Atanh', 'Relu', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Sigmoid', 'HardSigmoid', 'HardSwish'],
  ...['Softplus', 'Softsign', 'ThresholdedRelu', 'Gelu', 'Mish', 'Shrink', 'Clip', 'Softmax', 'LogSoftmax', 'Hardmax', 'Identity', 'BitwiseNot'],
  ...['CumSum', 'Trilu', 'LpNormalization', 'MeanVarianceNormalization', 'LRN', 'InstanceNormalization', 'GroupNormalization', 'Binarizer'],
  ...['Scatter', 'ScatterElements', 'ScatterND', 'ReverseSequence', 'RandomNormalLike', 'RandomUniformLike', 'Bernoulli', 'Swish'],
];

const BINARY = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'PRelu'];
const COMPARE = ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor'];
const VARIADIC = ['Max', 'Min', 'Sum', 'Mean'];

const boolUnary: Rule = (c) => [tensor('BOOL', c.input(0)?.dims)];

/** Scalar Identity passes values on; Neg of values too. */
const identity: Rule = (c) => {
  const t = c.input(0);
  return t ? [{ ...t }] : undefined;
};

const neg: Rule = (c) => {
  const t = c.input(0);
  const v = c.values(0);
  return t
    ? [
        tensor(
          t.dtype,
          t.dims,
          v?.map((d) => c.alg.mul(d, -1)),
        ),
      ]
    : undefined;
};

/** Dropout: the output as the input, and an optional BOOL mask of the same shape. */
const dropout: Rule = (c) => {
  const t = c.input(0);
  return [t && { dtype: t.dtype, ...(t.dims ? { dims: t.dims } : {}) }, tensor('BOOL', t?.dims)];
};

/** Softmax-family rules ignore the axis for the shape; Einsum and others live elsewhere. */
export const ELEMENTWISE_RULES: Record<string, Rule> = {
  ...Object.fromEntries(UNARY.map((op) => [op, unary])),
  ...Object.fromEntries(BINARY.map((op) => [op, binary])),
  ...Object.fromEntries(COMPARE.map((op) => [op, compare])),
  ...Object.fromEntries(VARIADIC.map((op) => [op, variadic])),
  Not: boolUnary,
  IsNaN: boolUnary,
  IsInf: boolUnary,
  Where: where,
  Identity: identity,
  Neg: neg,
  ...Object.fromEntries(Object.keys(ROUNDING).map((op) => [op, rounding])),
  Dropout: dropout,
  Cast: (c) => {
    const t = c.input(0);
    return [tensor(castName(attrInt(c, 'to', 1)), t?.dims, castValues(t, castName(attrInt(c, 'to', 1))))];
  },
  CastLike: (c) => {
    const t = c.input(0);
    return [tensor(dtypeOf(c, 1), t?.dims, castValues(t, dtypeOf(c, 1)))];
  },
};

/** Cast keeps values between integer types and from integers to floats; float to int truncates numbers. */
function castValues(t: VT | undefined, to: string): GraphDim[] | undefined {
  const v = t?.values;
  if (!v) return undefined;
  if (INT_TYPES.has(to) && !INT_TYPES.has(t.dtype)) return v.map((x) => (typeof x === 'number' ? Math.trunc(x) : x));
  if (to === 'BOOL') return v.map((x) => (typeof x === 'number' ? (x !== 0 ? 1 : 0) : null));
  return v;
}

/** ONNX TensorProto.DataType numbers as the summary names them. */
export function castName(to: number): string {
  return onnxDTypeName(to);
}
