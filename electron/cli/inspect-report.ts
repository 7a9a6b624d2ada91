/**
 * What `model-lab inspect` prints, built from a graph summary alone so the
 * text and the JSON cannot disagree: every node with its inputs and outputs
 * named by their role in the operator's schema (`summary.ops`), and every
 * value (graph inputs, intermediates, outputs, initializers) with its type.
 * Declared types (value_info, graph I/O) win over inferred ones
 * (`summary.inferred`), as the graph view shows them.
 */
import type { GraphAttribute, GraphBody, GraphDim, GraphNode, GraphSummary, GraphValueType, OpDoc, OpParam } from '../contract/inspect-api';
import { paramAt } from '../engine/graph/op-schemas';

/** Version of the JSON document's shape; bumped when a key changes meaning or goes away. */
export const INSPECT_FORMAT = 'model-lab.inspect/1';

/** 'constant': the output of a Constant node (its tensor is the node's `value` attribute); 'outer': read from an enclosing graph. */
export type TensorKind = 'input' | 'output' | 'intermediate' | 'initializer' | 'constant' | 'outer';

export interface InspectValueRef {
  /** The operator's name for this position ('X', 'W', 'B', 'inputs' for a variadic one, repeated); `#<i>` when the lab has no schema. */
  role: string;
  /** The value's name; '' for an omitted optional input. */
  name: string;
  dtype: string | null;
  /** null when the rank is unknown; a dim is a number, a symbolic name, or null when unknown. */
  dims: GraphDim[] | null;
}

export interface InspectNode {
  index: number;
  name: string;
  opType: string;
  domain: string;
  inputs: InspectValueRef[];
  outputs: InspectValueRef[];
  attributes: { name: string; type: string; value: string }[];
}

export interface InspectTensor {
  name: string;
  kind: TensorKind;
  dtype: string | null;
  dims: GraphDim[] | null;
  /** Where the type comes from: the model's declaration, shape inference, or nowhere. */
  typeFrom: 'declared' | 'inferred' | 'unknown';
  /** Index of the producing node (in its graph's node list); absent for inputs and initializers. */
  producer?: number;
  consumers: number;
  /** A subgraph's initializer: the name it is stored under in the summary (`If_3/then_branch/w`). */
  stored?: string;
  /** Initializers and constants: stored size, elements, external file, small values. */
  bytes?: number;
  elements?: number;
  external?: string;
  value?: string;
}

export interface InspectGraph {
  name: string;
  nodes: InspectNode[];
  tensors: InspectTensor[];
}

export interface InspectSubgraph extends InspectGraph {
  id: number;
  /** -1: the main graph; else a subgraph id. */
  parent: number;
  node: number;
  attribute: string;
  /** Values read from the enclosing graphs. */
  outerInputs: string[];
}

export interface InspectReport {
  format: typeof INSPECT_FORMAT;
  source: { repository?: string; model?: string; version?: number; file: string };
  model: { format: string; irVersion: number; producer: string; producerVersion: string; opsets: { domain: string; version: number }[]; fileBytes: number; parseMs: number };
  shapeInference: GraphSummary['shapeInference'] | null;
  /** Nodes of every graph; initializers and Constant node outputs; values (every row of every graph's `tensors`) and those with dims. */
  counts: { nodes: number; initializers: number; constants: number; tensors: number; typed: number; subgraphs: number };
  inputs: InspectValueRef[];
  outputs: InspectValueRef[];
  graph: InspectGraph;
  subgraphs: InspectSubgraph[];
}

type Types = Record<string, GraphValueType>;

/** Outputs of Constant nodes whose value is a TENSOR attribute: their type is that tensor's. */
function constantTypes(nodes: GraphNode[], s: GraphSummary): Types {
  const out: Types = {};
  for (const n of nodes) {
    const e = constantTensor(n, s);
    if (e && n.outputs[0]) out[n.outputs[0]] = { dtype: e.dtype, ...(e.dims ? { dims: e.dims } : {}) };
  }
  return out;
}

function constantTensor(n: GraphNode, s: GraphSummary): GraphSummary['initializers'][number] | undefined {
  if (n.opType !== 'Constant' || (n.domain !== '' && n.domain !== 'ai.onnx')) return undefined;
  const index = n.attributes.find((a) => a.tensor !== undefined)?.tensor;
  return index === undefined ? undefined : s.initializers[index];
}

/** The name the graph's nodes use for an initializer (a body's entries are stored under a path, `If_3/then_branch/w`). */
const localName = (e: GraphSummary['initializers'][number]): string => e.localName ?? e.name;

function storedFacts(e: GraphSummary['initializers'][number]): Partial<InspectTensor> {
  return {
    dtype: e.dtype,
    dims: e.dims ?? null,
    typeFrom: 'declared',
    bytes: e.bytes,
    elements: e.elements,
    ...(e.external ? { external: e.external.location } : {}),
    ...(e.preview !== undefined ? { value: e.preview } : {}),
  };
}

/** The role of input/output position `i` under the schema's parameters (a variadic one covers every later position). */
export function roleAt(params: OpParam[] | undefined, i: number): string {
  return (params && paramAt(params, i)) ?? `#${i}`;
}

function opKey(opType: string, domain: string): string {
  return `${domain === 'ai.onnx' ? '' : domain}\0${opType}`;
}

function attributeText(a: GraphAttribute): string {
  if (a.subgraphs?.length) return `${a.value} (subgraph${a.subgraphs.length > 1 ? 's' : ''} ${a.subgraphs.map((s) => `#${s}`).join(', ')})`;
  return a.value;
}

/** Looks a value's type up: declared first (the body's own, then the main graph's), then inferred. */
class TypeLookup {
  constructor(private readonly layers: { declared: Types; inferred: Types }[]) {}

  of(name: string): { dtype: string | null; dims: GraphDim[] | null; typeFrom: InspectTensor['typeFrom'] } {
    for (const l of this.layers) {
      const t = l.declared[name];
      if (t) return { dtype: t.dtype, dims: t.dims ?? null, typeFrom: 'declared' };
    }
    for (const l of this.layers) {
      const t = l.inferred[name];
      if (t) return { dtype: t.dtype, dims: t.dims ?? null, typeFrom: 'inferred' };
    }
    return { dtype: null, dims: null, typeFrom: 'unknown' };
  }
}

function nodeOf(n: GraphNode, index: number, ops: Map<string, OpDoc>, types: TypeLookup): InspectNode {
  const doc = ops.get(opKey(n.opType, n.domain));
  const ref =
    (params: OpParam[] | undefined) =>
    (name: string, i: number): InspectValueRef => {
      const t = name ? types.of(name) : { dtype: null, dims: null };
      return { role: roleAt(params, i), name, dtype: t.dtype, dims: t.dims };
    };
  return {
    index,
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    inputs: n.inputs.map(ref(doc?.inputs)),
    outputs: n.outputs.map(ref(doc?.outputs)),
    attributes: n.attributes.map((a) => ({ name: a.name, type: a.type, value: attributeText(a) })),
  };
}

interface GraphParts {
  name: string;
  inputs: GraphSummary['inputs'];
  outputs: GraphSummary['outputs'];
  nodes: GraphNode[];
  initializers: number[];
  outerInputs: string[];
}

/** Every value of one graph, in a stable order: inputs, outer values, initializers, then node outputs in node order. */
function tensorsOf(g: GraphParts, s: GraphSummary, types: TypeLookup): InspectTensor[] {
  const consumers = new Map<string, number>();
  for (const n of g.nodes) for (const v of n.inputs) if (v) consumers.set(v, (consumers.get(v) ?? 0) + 1);
  for (const o of g.outputs) consumers.set(o.name, consumers.get(o.name) ?? 0);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const seen = new Set<string>();
  const out: InspectTensor[] = [];
  const push = (name: string, kind: TensorKind, extra: Partial<InspectTensor> = {}): void => {
    if (!name || seen.has(name)) return;
    seen.add(name);
    out.push({ name, kind, ...types.of(name), consumers: consumers.get(name) ?? 0, ...extra });
  };
  for (const v of g.inputs) push(v.name, 'input');
  for (const v of g.outerInputs) push(v, 'outer');
  for (const i of g.initializers) {
    const e = s.initializers[i];
    if (e) push(localName(e), 'initializer', { ...storedFacts(e), ...(localName(e) !== e.name ? { stored: e.name } : {}) });
  }
  g.nodes.forEach((n, index) => {
    const constant = constantTensor(n, s);
    for (const v of n.outputs) {
      if (outputs.has(v)) push(v, 'output', { producer: index });
      else if (constant) push(v, 'constant', { ...storedFacts(constant), producer: index });
      else push(v, 'intermediate', { producer: index });
    }
  });
  for (const o of g.outputs) push(o.name, 'output');
  return out;
}

function initializerTypes(indices: number[], s: GraphSummary): Types {
  const types: Types = {};
  for (const i of indices) {
    const e = s.initializers[i];
    if (e) types[localName(e)] = { dtype: e.dtype, ...(e.dims ? { dims: e.dims } : {}) };
  }
  return types;
}

function ioTypes(io: GraphSummary['inputs']): Types {
  return Object.fromEntries(io.map((v) => [v.name, { dtype: v.dtype, ...(v.dims ? { dims: v.dims } : {}) }]));
}

/** Initializers used as node inputs of the main graph: every initializer no subgraph owns. */
function mainInitializers(s: GraphSummary): number[] {
  const owned = new Set((s.subgraphs ?? []).flatMap((b) => b.initializers));
  const nodes = [...s.nodes, ...(s.subgraphs ?? []).flatMap((b) => b.nodes)];
  const attrTensors = new Set(nodes.flatMap((n) => n.attributes.flatMap((a) => (a.tensor !== undefined ? [a.tensor] : []))));
  return s.initializers.flatMap((_, i) => (owned.has(i) || attrTensors.has(i) ? [] : [i]));
}

function subgraphOf(b: GraphBody, s: GraphSummary, ops: Map<string, OpDoc>, main: { declared: Types; inferred: Types }): InspectSubgraph {
  const declared = { ...constantTypes(b.nodes, s), ...initializerTypes(b.initializers, s), ...b.valueTypes, ...ioTypes(b.inputs), ...ioTypes(b.outputs) };
  const types = new TypeLookup([{ declared, inferred: b.inferred ?? {} }, main]);
  const parts: GraphParts = { name: b.name, inputs: b.inputs, outputs: b.outputs, nodes: b.nodes, initializers: b.initializers, outerInputs: b.outerInputs };
  return {
    id: b.id,
    parent: b.parent,
    node: b.node,
    attribute: b.attribute,
    outerInputs: b.outerInputs,
    name: b.name,
    nodes: b.nodes.map((n, i) => nodeOf(n, i, ops, types)),
    tensors: tensorsOf(parts, s, types),
  };
}

export function inspectReport(s: GraphSummary, source: InspectReport['source']): InspectReport {
  const ops = new Map(s.ops.map((o) => [opKey(o.opType, o.domain ?? ''), o]));
  const inits = mainInitializers(s);
  const main = { declared: { ...constantTypes(s.nodes, s), ...initializerTypes(inits, s), ...s.valueTypes, ...ioTypes(s.inputs), ...ioTypes(s.outputs) }, inferred: s.inferred ?? {} };
  const types = new TypeLookup([main]);
  const parts: GraphParts = { name: s.graphName, inputs: s.inputs, outputs: s.outputs, nodes: s.nodes, initializers: inits, outerInputs: [] };
  const graph: InspectGraph = { name: s.graphName, nodes: s.nodes.map((n, i) => nodeOf(n, i, ops, types)), tensors: tensorsOf(parts, s, types) };
  const subgraphs = (s.subgraphs ?? []).map((b) => subgraphOf(b, s, ops, main));
  const all = [graph, ...subgraphs].flatMap((g) => g.tensors);
  const ref = (v: GraphSummary['inputs'][number]): InspectValueRef => ({ role: 'graph', name: v.name, dtype: v.dtype, dims: v.dims ?? null });
  return {
    format: INSPECT_FORMAT,
    source,
    model: { format: s.format, irVersion: s.irVersion, producer: s.producer, producerVersion: s.producerVersion, opsets: s.opsets, fileBytes: s.fileBytes, parseMs: s.parseMs },
    shapeInference: s.shapeInference ?? null,
    counts: {
      nodes: s.nodes.length + subgraphs.reduce((a, g) => a + g.nodes.length, 0),
      initializers: all.filter((t) => t.kind === 'initializer').length,
      constants: all.filter((t) => t.kind === 'constant').length,
      tensors: all.length,
      typed: all.filter((t) => t.dims !== null).length,
      subgraphs: subgraphs.length,
    },
    inputs: s.inputs.map(ref),
    outputs: s.outputs.map(ref),
    graph,
    subgraphs,
  };
}
