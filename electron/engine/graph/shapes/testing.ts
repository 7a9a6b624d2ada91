/** Small hand-built graphs for the shape rule tests: nodes, attributes and constants in one line each. */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, ValueInfoProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import type { GraphAttribute, GraphBody, GraphDim, GraphInitializer, GraphIo, GraphNode } from '../../../contract/inspect-api';
import { type ConstValues, type InferResult, inferShapes } from './infer';
import type { VT } from './types';

export const n = (opType: string, inputs: string[], outputs: string[], attributes: GraphAttribute[] = [], domain = ''): GraphNode => ({
  name: `${opType}_${outputs[0] ?? ''}`,
  opType,
  domain,
  inputs,
  outputs,
  attributes,
});

export const int = (name: string, v: number): GraphAttribute => ({ name, type: 'INT', value: String(v) });
export const float = (name: string, v: number): GraphAttribute => ({ name, type: 'FLOAT', value: String(v) });
export const ints = (name: string, v: number[]): GraphAttribute => ({ name, type: 'INTS', value: `[${v.join(', ')}]` });
export const floats = (name: string, v: number[]): GraphAttribute => ({ name, type: 'FLOATS', value: `[${v.join(', ')}]` });
export const str = (name: string, v: string): GraphAttribute => ({ name, type: 'STRING', value: v });

export const io = (name: string, dtype: string, dims?: GraphDim[]): GraphIo => ({ name, dtype, ...(dims ? { dims } : {}) });

export interface Const {
  name: string;
  dtype: string;
  dims: number[];
  values: number[];
}

export const c64 = (name: string, values: number[], dims: number[] = [values.length]): Const => ({ name, dtype: 'INT64', dims, values });
export const cf = (name: string, values: number[], dims: number[] = [values.length]): Const => ({ name, dtype: 'FP32', dims, values });
/** A weight whose values are not read (too large): only its type is known. */
export const w = (name: string, dims: number[], dtype = 'FP32'): Const => ({ name, dtype, dims, values: [] });

export interface Built {
  result: InferResult;
  /** Type of any value: inferred, or as declared. */
  type(name: string): VT | undefined;
  dims(name: string): GraphDim[] | undefined;
}

export function infer(parts: { nodes: GraphNode[]; inputs: GraphIo[]; consts?: Const[]; opset?: number; outputs?: GraphIo[]; subgraphs?: GraphBody[]; valueTypes?: Record<string, VT> }): Built {
  const consts = parts.consts ?? [];
  const initializers: GraphInitializer[] = consts.map((k) => ({ name: k.name, dtype: k.dtype, dims: k.dims, bytes: 0, elements: k.dims.reduce((a, b) => a * b, 1) }));
  const values: ConstValues = new Map();
  consts.forEach((k, i) => k.values.length && values.set(i, k.values));
  const result = inferShapes(
    {
      inputs: parts.inputs,
      outputs: parts.outputs ?? [],
      nodes: parts.nodes,
      initializers,
      valueTypes: parts.valueTypes ?? {},
      opsets: [{ domain: '', version: parts.opset ?? 17 }],
      ...(parts.subgraphs ? { subgraphs: parts.subgraphs } : {}),
    },
    values,
  );
  const type = (name: string): VT | undefined => result.inferred[name] ?? parts.inputs.find((i) => i.name === name);
  return { result, type, dims: (name) => type(name)?.dims };
}

/** Output dims of a single node applied to the given inputs. */
export function one(opType: string, inputs: GraphIo[], attributes: GraphAttribute[] = [], consts: Const[] = [], opset = 17, outputs = 1): (GraphDim[] | undefined)[] {
  const names = [...inputs.map((i) => i.name), ...consts.map((k) => k.name)];
  const outs = Array.from({ length: outputs }, (_, i) => `y${i}`);
  const b = infer({ nodes: [n(opType, names, outs, attributes)], inputs, consts, opset });
  return outs.map((o) => b.dims(o));
}

/** Evaluates an inferred dim for given input sizes (symbols replaced, ceil/floor as in Math). */
export function evalDim(d: GraphDim, env: Record<string, number>): number | undefined {
  if (typeof d === 'number') return d;
  if (d === null) return undefined;
  let expr = d;
  for (const [k, v] of Object.entries(env).sort((a, b) => b[0].length - a[0].length)) expr = expr.split(k).join(String(v));
  if (!/^[\d+\-*/() ceilfoor]*$/.test(expr)) return undefined;
  return Function('ceil', 'floor', `return (${expr.replace(/(\d+)\/(\d+)/g, '($1/$2)')});`)(Math.ceil, Math.floor) as number;
}

/** Runs a model with every node output requested (but `skip`), and returns each value's actual dims. */
export async function observedShapes(bytes: Uint8Array, feeds: Record<string, ort.Tensor>, skip: ReadonlySet<string> = new Set()): Promise<Map<string, readonly number[]>> {
  const m = fromBinary(ModelProtoSchema, bytes);
  const g = m.graph!;
  const have = new Set(g.output.map((o) => o.name));
  for (const nd of g.node) for (const o of nd.output) if (o && !have.has(o) && !skip.has(o)) g.output.push(create(ValueInfoProtoSchema, { name: o }));
  // 'basic': onnxruntime 1.30 at 'extended'/'all' crashes (SIGSEGV) when a Range and the Gather it feeds are both graph outputs.
  const session = await ort.InferenceSession.create(toBinary(ModelProtoSchema, m), { graphOptimizationLevel: 'basic' });
  try {
    const out = await session.run(feeds);
    return new Map(Object.entries(out).map(([k, v]) => [k, v.dims]));
  } finally {
    await session.release();
  }
}
