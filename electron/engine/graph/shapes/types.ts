/**
 * What an operator's shape rule sees and returns. Rules are plain functions
 * from a node's input types (and the values of small constant inputs) to its
 * output types, so each one can be tested with hand-written types alone.
 */
import type { GraphAttribute, GraphDim, GraphNode, InferredValueType } from '../../../contract/inspect-api';
import type { DimAlgebra } from './dim-math';

export type VT = InferredValueType;

/** Values propagated between nodes only for tensors up to this many elements. */
export const MAX_VALUES = 1024;

/** Most dims a rule makes up from a shape tensor's length (a crafted [1e9] shape input must not allocate). */
export const MAX_RANK = 64;

/** `n` unknown dims, when `n` is a plausible rank. */
export function unknownDims(n: GraphDim | undefined): GraphDim[] | undefined {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_RANK ? Array<GraphDim>(n).fill(null) : undefined;
}

export interface RuleCtx {
  node: GraphNode;
  /** The model's opset for the node's domain. */
  opset: number;
  alg: DimAlgebra;
  /** Type of input i; undefined when omitted ('') or unknown. */
  input(i: number): VT | undefined;
  /** Values of input i when known (constants, shape computations). */
  values(i: number): GraphDim[] | undefined;
  /** Values of input i when all are known numbers. */
  numbers(i: number): number[] | undefined;
  /** Whether input i is given (not omitted). */
  has(i: number): boolean;
  attr(name: string): GraphAttribute | undefined;
  /** A TENSOR attribute's type and (small) values, such as Constant's `value`. */
  tensorAttr(name: string): VT | undefined;
  /** Output types of the node's subgraph attribute (If branches, Loop/Scan bodies), inferred first. */
  body(attribute: string): VT[] | undefined;
}

export type Rule = (c: RuleCtx) => (VT | undefined)[] | undefined;

/** Parses a GraphAttribute's display text back into numbers (undefined when cut or absent). */
export function attrInts(c: RuleCtx, name: string): number[] | undefined {
  const a = c.attr(name);
  if (!a || a.value.includes('…')) return undefined;
  if (a.type === 'INT' || a.type === 'FLOAT') {
    const n = Number(a.value);
    return Number.isFinite(n) ? [n] : undefined;
  }
  if (a.type !== 'INTS' && a.type !== 'FLOATS') return undefined;
  const body = a.value.replace(/^\[|\]$/g, '').trim();
  if (!body) return [];
  const out = body.split(',').map((s) => Number(s.trim()));
  return out.every((n) => !Number.isNaN(n)) ? out : undefined;
}

export function attrInt(c: RuleCtx, name: string, def: number): number {
  const v = attrInts(c, name);
  return v?.length === 1 && (c.attr(name)?.type === 'INT' || c.attr(name)?.type === 'FLOAT') ? v[0]! : def;
}

export function attrStr(c: RuleCtx, name: string, def: string): string {
  const a = c.attr(name);
  return a && a.type === 'STRING' && !a.value.endsWith('…') ? a.value : def;
}

/** An axis in [0, rank), from a possibly negative one; undefined when out of range. */
export function axisOf(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined;
}

export const tensor = (dtype: string, dims?: GraphDim[], values?: GraphDim[]): VT => ({
  dtype,
  ...(dims ? { dims } : {}),
  ...(values && values.length <= MAX_VALUES ? { values } : {}),
});

/** dtype of input i, or '' when unknown. */
export const dtypeOf = (c: RuleCtx, i: number): string => c.input(i)?.dtype ?? 'unknown';

/** Integers from an attribute before `since`, from input `index` from then on (Squeeze axes, Split sizes, ...). */
export function intsBySince(c: RuleCtx, name: string, index: number, since: number): number[] | undefined {
  return c.opset < since ? attrInts(c, name) : c.numbers(index);
}
