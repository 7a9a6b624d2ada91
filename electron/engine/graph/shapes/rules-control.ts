/**
 * If, Loop and Scan: their bodies are inferred first (inputs typed per the
 * ONNX rules: a Loop body gets the iteration number, the condition and the
 * carried values; a Scan body the states and one slice of each scanned input),
 * then the node's outputs come from the bodies' outputs, with the iteration
 * count as the leading dim of stacked outputs.
 */
import type { GraphDim } from '../../../contract/inspect-api';
import type { DimAlgebra } from './dim-math';
import { type Rule, type RuleCtx, type VT, attrInt, attrInts, axisOf, tensor } from './types';

/** Where a value keeps the same size in both branches (or every iteration), else a fresh symbol. */
function unite(alg: DimAlgebra, a: VT | undefined, b: VT | undefined, hint: string): VT | undefined {
  if (!a || !b) return a ?? b;
  if (!a.dims || !b.dims || a.dims.length !== b.dims.length) return { dtype: a.dtype };
  return tensor(
    a.dtype,
    a.dims.map((d, i) => (d !== null && d === b.dims![i] ? d : alg.symbol(hint))),
  );
}

/** Scan's inputs: opset 8 leads with sequence_lens and adds a batch axis to everything. */
function scanCounts(c: RuleCtx): { states: number; scans: number; first: number } {
  const scans = attrInt(c, 'num_scan_inputs', 0);
  const first = c.opset < 9 ? 1 : 0;
  return { states: c.node.inputs.length - scans - first, scans, first };
}

/** Opset 8 Scan: states and scans carry a leading batch axis, scans then the sequence axis. */
function scan8Inputs(c: RuleCtx): (VT | undefined)[] {
  const { states, scans } = scanCounts(c);
  return Array.from({ length: states + scans }, (_, k) => {
    const t = c.input(1 + k);
    return t && tensor(t.dtype, t.dims?.slice(k < states ? 1 : 2));
  });
}

const scan8: Rule = (c) => {
  const body = c.body('body');
  const { states } = scanCounts(c);
  const x = c.input(1 + states)?.dims;
  const [batch, seq] = [x?.[0] ?? null, x?.[1] ?? null];
  return c.node.outputs.map((_, k) => {
    const t = body?.[k];
    if (!t?.dims) return t && tensor(t.dtype);
    return tensor(t.dtype, k < states ? [batch, ...t.dims] : [batch, seq, ...t.dims]);
  });
};

/** Types of a body's inputs, from the owning node's inputs. */
export function bodyInputTypes(c: RuleCtx, count: number): (VT | undefined)[] {
  if (c.node.opType === 'Loop') {
    return [tensor('INT64', []), tensor('BOOL', []), ...Array.from({ length: Math.max(0, count - 2) }, (_, k) => c.input(2 + k))];
  }
  if (c.node.opType !== 'Scan') return [];
  if (c.opset < 9) return scan8Inputs(c);
  const { states, scans } = scanCounts(c);
  const axes = attrInts(c, 'scan_input_axes') ?? [];
  const out: (VT | undefined)[] = Array.from({ length: states }, (_, k) => c.input(k));
  for (let k = 0; k < scans; k++) {
    const t = c.input(states + k);
    const axis = t?.dims ? axisOf(axes[k] ?? 0, t.dims.length) : undefined;
    out.push(t && tensor(t.dtype, t.dims && axis !== undefined ? t.dims.filter((_, i) => i !== axis) : undefined));
  }
  return out;
}

const ifRule: Rule = (c) => {
  const then = c.body('then_branch');
  const other = c.body('else_branch');
  // A condition known from constants takes one branch (exporters inline such Ifs from functions).
  const cond = c.values(0)?.[0];
  if (typeof cond === 'number') return (cond ? then : other) ?? [];
  const n = c.node.outputs.length;
  return Array.from({ length: n }, (_, k) => unite(c.alg, then?.[k], other?.[k], 'if'));
};

const loop: Rule = (c) => {
  const body = c.body('body');
  const carried = Math.max(0, c.node.inputs.length - 2);
  const trips = c.values(0)?.[0];
  const count: GraphDim = typeof trips === 'number' && trips < 2 ** 31 - 1 ? trips : c.alg.symbol('iterations');
  return c.node.outputs.map((_, k) => {
    if (k < carried) return unite(c.alg, c.input(2 + k), body?.[1 + k], 'loop');
    const t = body?.[1 + k];
    return t && tensor(t.dtype, t.dims ? [count, ...t.dims] : undefined);
  });
};

const scan: Rule = (c) => {
  if (c.opset < 9) return scan8(c);
  const body = c.body('body');
  const { states, scans } = scanCounts(c);
  const first = c.input(states);
  const inAxis = first?.dims ? axisOf(attrInts(c, 'scan_input_axes')?.[0] ?? 0, first.dims.length) : undefined;
  const length: GraphDim = scans > 0 && first?.dims && inAxis !== undefined ? first.dims[inAxis]! : null;
  const outAxes = attrInts(c, 'scan_output_axes') ?? [];
  return c.node.outputs.map((_, k) => {
    if (k < states) return unite(c.alg, c.input(k), body?.[k], 'scan');
    const t = body?.[k];
    if (!t?.dims) return t && tensor(t.dtype);
    const axis = axisOf(outAxes[k - states] ?? 0, t.dims.length + 1) ?? 0;
    return tensor(t.dtype, [...t.dims.slice(0, axis), length, ...t.dims.slice(axis)]);
  });
};

export const CONTROL_RULES: Record<string, Rule> = { If: ifRule, Loop: loop, Scan: scan };
