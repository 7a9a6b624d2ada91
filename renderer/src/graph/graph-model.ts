/**
 * What the graph view derives once per summary: which nodes are drawn (ONNX
 * `Constant` nodes fold into their consumers as rows, like initializers), who
 * produces and consumes each value, and the name-scope tree that large graphs
 * collapse by.
 */
import type { GraphInitializer, GraphSummary, GraphValueType, ObservedValue, OpDoc } from '@contract/lab-api';
import { dimAliases } from './format';

export interface Scope {
  /** Path of the scope, segments joined by '/', '' for the root. */
  id: string;
  name: string;
  parent?: string;
  /** Child scope ids, in first-appearance order. */
  children: string[];
  /** Drawn nodes placed directly in this scope (indices into summary.nodes). */
  nodes: number[];
  /** Drawn nodes anywhere below. */
  count: number;
  depth: number;
}

/** A constant input of a node: an initializer, or the value of a folded Constant node. */
export interface ConstRow {
  value: string;
  /** Index into summary.initializers, when the values can be shown. */
  init?: number;
  dims?: GraphValueType['dims'];
  dtype?: string;
  /** Position among the node's inputs. */
  index: number;
  /** The values as text when the tensor is small (`3`, `[0, -1, 512]`). */
  preview?: string;
}

/** Dims seen when the model ran ("Run to see"). */
export interface ObservedType {
  dtype: string;
  dims: number[];
}

export interface GraphModel {
  summary: GraphSummary;
  /** Drawn node indices, in model order. */
  drawn: number[];
  /** Value name → producing node index (folded Constant nodes included). */
  producer: Map<string, number>;
  consumers: Map<string, number[]>;
  /** Folded Constant node index by its output value. */
  folded: Map<string, number>;
  initByName: Map<string, number>;
  graphInputs: Set<string>;
  graphOutputs: Set<string>;
  scopes: Map<string, Scope>;
  /** Node index by name (the first, should a model repeat one). */
  nodeByName: Map<string, number>;
  /**
   * Type by value name: declared (graph I/O, initializers, value_info) where
   * the model gives one, else what shape inference derived (`inferredTypes`).
   */
  types: Map<string, GraphValueType>;
  /** Values whose entry in `types` comes from shape inference, not from the file. */
  inferredTypes: Set<string>;
  /** Types seen when the model ran; empty until "Run to see", and they win for labels. */
  observed: Map<string, ObservedType>;
  /** Short names of long symbolic dims, per graph (`p2o.DynamicDimension.0` → `d0`). */
  dimAliases: Map<string, string>;
  /** Scope id of each node (by node index); '' for the root. */
  nodeScope: string[];
  /** Operator descriptions by `domain:opType` (the default domain as ''). */
  ops: Map<string, OpDoc>;
  /** Initializer index → the Constant node holding it as its value attribute. */
  tensorHolder: Map<number, number>;
}

function opKey(domain: string | undefined, opType: string): string {
  return `${domain === 'ai.onnx' ? '' : (domain ?? '')}:${opType}`;
}

/** The description of node i's operator, when the summary has one. */
export function opDocOf(m: GraphModel, i: number): OpDoc | undefined {
  const n = m.summary.nodes[i]!;
  return m.ops.get(opKey(n.domain, n.opType));
}

/** Scope segments of a node name: `/model/layers.0/attn/MatMul` → model, layers.0, attn. */
export function scopeSegments(name: string, opType: string, slashes: boolean): string[] {
  if (slashes) {
    const parts = name.split('/').filter((s) => s.length > 0);
    parts.pop();
    return parts;
  }
  const parts = name.split('.');
  if (parts.length < 2) return [];
  parts.pop();
  // Exporters such as paddle2onnx name nodes `p2o.Conv.12`: the op type is not a scope.
  if (parts.length && parts[parts.length - 1]!.toLowerCase() === opType.toLowerCase()) parts.pop();
  return parts.filter((s) => s.length > 0);
}

function isFoldable(s: GraphSummary, i: number, consumed: Map<string, number[]>, outputs: Set<string>): boolean {
  const n = s.nodes[i]!;
  if (n.opType !== 'Constant' || (n.domain !== '' && n.domain !== 'ai.onnx') || n.inputs.length !== 0 || n.outputs.length !== 1) return false;
  const out = n.outputs[0]!;
  return !outputs.has(out) && (consumed.get(out)?.length ?? 0) > 0;
}

export function buildGraphModel(summary: GraphSummary): GraphModel {
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  summary.nodes.forEach((n, i) => {
    for (const o of n.outputs) if (o) producer.set(o, i);
    // Values an If/Loop/Scan body reads from this scope are edges into its node too.
    for (const v of n.implicitInputs ? [...n.inputs, ...n.implicitInputs] : n.inputs) {
      if (!v) continue;
      const list = consumers.get(v);
      if (list) {
        if (list[list.length - 1] !== i) list.push(i);
      } else consumers.set(v, [i]);
    }
  });
  const graphInputs = new Set(summary.inputs.map((x) => x.name));
  const graphOutputs = new Set(summary.outputs.map((x) => x.name));
  const initByName = new Map<string, number>();
  summary.initializers.forEach((t, i) => initByName.set(t.name, i));

  const folded = new Map<string, number>();
  const drawn: number[] = [];
  summary.nodes.forEach((n, i) => {
    if (isFoldable(summary, i, consumers, graphOutputs)) folded.set(n.outputs[0]!, i);
    else drawn.push(i);
  });

  const { scopes, nodeScope } = scopeTree(summary, drawn);
  const tensorHolder = new Map<number, number>();
  for (const i of folded.values()) {
    const idx = summary.nodes[i]!.attributes.find((a) => a.tensor !== undefined)?.tensor;
    if (idx !== undefined && summary.initializers[idx]) tensorHolder.set(idx, i);
  }
  const { types, inferredTypes } = mergedTypes(summary, folded, tensorHolder);
  const nodeByName = new Map<string, number>();
  summary.nodes.forEach((n, i) => nodeByName.has(n.name) || nodeByName.set(n.name, i));
  const ops = new Map(summary.ops.map((o) => [opKey(o.domain, o.opType), o]));
  const aliases = dimAliases(types.values());
  return {
    summary,
    drawn,
    producer,
    consumers,
    folded,
    initByName,
    graphInputs,
    graphOutputs,
    scopes,
    nodeByName,
    types,
    inferredTypes,
    observed: new Map(),
    dimAliases: aliases,
    nodeScope,
    ops,
    tensorHolder,
  };
}

/**
 * The name-scope tree of the drawn nodes. Nodes of one scope share the part
 * of their name before the last separator, so that prefix is resolved to its
 * scope once (a 100,000-node graph has a few thousand scopes).
 */
function scopeTree(summary: GraphSummary, drawn: number[]): { scopes: Map<string, Scope>; nodeScope: string[] } {
  const slashes = summary.nodes.some((n) => !n.unnamed && n.name.includes('/'));
  const sep = slashes ? '/' : '.';
  const root: Scope = { id: '', name: '', children: [], nodes: [], count: 0, depth: 0 };
  const scopes = new Map<string, Scope>([['', root]]);
  const nodeScope = new Array<string>(summary.nodes.length).fill('');
  const byPrefix = new Map<string, Scope[]>();
  const walk = (segs: string[]): Scope[] => {
    const path: Scope[] = [root];
    for (const seg of segs) {
      const cur = path[path.length - 1]!;
      const id = cur.id ? `${cur.id}/${seg}` : seg;
      let next = scopes.get(id);
      if (!next) {
        next = { id, name: seg, parent: cur.id, children: [], nodes: [], count: 0, depth: cur.depth + 1 };
        scopes.set(id, next);
        cur.children.push(id);
      }
      path.push(next);
    }
    return path;
  };
  for (const i of drawn) {
    const n = summary.nodes[i]!;
    // The segments depend only on the prefix (and, for dotted names, the op type), unless the name ends in a separator.
    const cut = n.unnamed || n.name.endsWith(sep) ? -1 : n.name.lastIndexOf(sep);
    const key = cut < 0 ? undefined : `${n.name.slice(0, cut)}\0${slashes ? '' : n.opType}`;
    let path = key !== undefined ? byPrefix.get(key) : undefined;
    if (!path) {
      path = walk(n.unnamed ? [] : scopeSegments(n.name, n.opType, slashes));
      if (key !== undefined) byPrefix.set(key, path);
    }
    for (const sc of path) sc.count++;
    const cur = path[path.length - 1]!;
    cur.nodes.push(i);
    nodeScope[i] = cur.id;
  }
  return { scopes, nodeScope };
}

/**
 * Declared types (value_info, initializers, the tensors folded Constants
 * hold, graph I/O) over inferred ones; an inferred type fills in where the
 * declaration leaves the rank open.
 */
function mergedTypes(summary: GraphSummary, folded: Map<string, number>, tensorHolder: Map<number, number>): { types: Map<string, GraphValueType>; inferredTypes: Set<string> } {
  const types = new Map<string, GraphValueType>();
  for (const name in summary.valueTypes) types.set(name, summary.valueTypes[name]!);
  for (const t of summary.initializers) types.set(t.name, t);
  // A folded Constant's output has the type of the tensor it holds, which value_info rarely repeats.
  for (const [idx, i] of tensorHolder) {
    const value = summary.nodes[i]!.outputs[0]!;
    if (folded.get(value) === i && !types.has(value)) types.set(value, summary.initializers[idx]!);
  }
  for (const io of [...summary.inputs, ...summary.outputs]) types.set(io.name, io);
  const inferredTypes = new Set<string>();
  for (const [v, t] of Object.entries(summary.inferred ?? {})) {
    const d = types.get(v);
    if (d && (d.dims || !t.dims)) continue;
    types.set(v, t);
    inferredTypes.add(v);
  }
  return { types, inferredTypes };
}

/** The model with what a run observed ("Run to see"); the rest is shared with `m`. */
export function withObserved(m: GraphModel, values: Record<string, Pick<ObservedValue, 'dtype' | 'dims'>>): GraphModel {
  const observed = new Map<string, ObservedType>();
  for (const [name, v] of Object.entries(values)) observed.set(name, { dtype: v.dtype, dims: v.dims });
  return { ...m, observed };
}

/** The type an edge label shows: observed when the model has run, else declared or inferred. */
export function labelType(m: GraphModel, v: string): GraphValueType | undefined {
  return m.observed.get(v) ?? m.types.get(v);
}

/** Where a value's shown type comes from. */
export function typeSource(m: GraphModel, v: string): 'observed' | 'inferred' | 'declared' | '' {
  if (m.observed.has(v)) return 'observed';
  if (!m.types.has(v)) return '';
  return m.inferredTypes.has(v) ? 'inferred' : 'declared';
}

/** A value's types as the sidebars list them: declared or inferred (as merged), then observed when the model ran. */
export function typeLines(m: GraphModel, v: string): { type: GraphValueType; source: 'declared' | 'inferred' | 'observed' }[] {
  const out: { type: GraphValueType; source: 'declared' | 'inferred' | 'observed' }[] = [];
  const known = m.types.get(v);
  if (known) out.push({ type: known, source: m.inferredTypes.has(v) ? 'inferred' : 'declared' });
  const seen = m.observed.get(v);
  if (seen) out.push({ type: seen, source: 'observed' });
  return out;
}

/** Nodes in the file, drawn as boxes, and Constant nodes folded into their consumers' rows. */
export function graphCounts(m: GraphModel): { file: number; drawn: number; folded: number } {
  return { file: m.summary.nodes.length, drawn: m.drawn.length, folded: m.folded.size };
}

/** The value a folded Constant gives its tensor to (`conv2d_0.w_0` for `Constant_12:value`), if any. */
export function constantValueOf(m: GraphModel, initializer: string): string | undefined {
  const idx = m.initByName.get(initializer);
  const holder = idx !== undefined ? m.tensorHolder.get(idx) : undefined;
  return holder !== undefined ? m.summary.nodes[holder]!.outputs[0] : undefined;
}

/** The constant inputs of node i (initializers and folded Constants), in input order. */
export function constRows(m: GraphModel, i: number): ConstRow[] {
  const rows: ConstRow[] = [];
  m.summary.nodes[i]!.inputs.forEach((v, index) => {
    if (!v) return;
    const init = m.initByName.get(v);
    if (init !== undefined) {
      const t = m.summary.initializers[init]!;
      rows.push(withPreview({ value: v, init, dims: t.dims, dtype: t.dtype, index }, t.preview));
      return;
    }
    const c = m.folded.get(v);
    if (c === undefined) return;
    const attr = m.summary.nodes[c]!.attributes.find((a) => a.tensor !== undefined);
    const t: GraphInitializer | undefined = attr?.tensor !== undefined ? m.summary.initializers[attr.tensor] : undefined;
    const known = m.summary.valueTypes[v];
    // Older summaries put small values only in the attribute text (`INT64 [3] = [0, -1, 512]`).
    const fromText = attr && attr.value.includes(' = ') ? attr.value.slice(attr.value.indexOf(' = ') + 3) : undefined;
    rows.push(withPreview({ value: v, init: attr?.tensor, dims: t?.dims ?? known?.dims, dtype: t?.dtype ?? known?.dtype, index }, t?.preview ?? fromText));
  });
  return rows;
}

function withPreview(row: ConstRow, preview: string | undefined): ConstRow {
  if (preview !== undefined && !preview.includes('…')) row.preview = preview;
  return row;
}

/** Whether value v is a constant (initializer or folded Constant output) rather than an edge. */
export function isConstValue(m: GraphModel, v: string): boolean {
  return m.initByName.has(v) || m.folded.has(v);
}

/** The type the model declares for a value, wherever it is declared. */
export function valueType(m: GraphModel, v: string): GraphValueType | undefined {
  return m.types.get(v);
}

/** What selecting constant input v of a node shows: its values when they can be paged, else the value. */
export function constTarget(m: GraphModel, v: string): { kind: 'initializer' | 'value'; name: string } {
  if (m.initByName.has(v)) return { kind: 'initializer', name: v };
  const c = m.folded.get(v);
  const idx = c !== undefined ? m.summary.nodes[c]!.attributes.find((a) => a.tensor !== undefined)?.tensor : undefined;
  const t = idx !== undefined ? m.summary.initializers[idx] : undefined;
  return t ? { kind: 'initializer', name: t.name } : { kind: 'value', name: v };
}

/** Scope ids from the root's child down to `id` (inclusive). */
export function scopeAncestry(m: GraphModel, id: string): string[] {
  const out: string[] = [];
  let cur = m.scopes.get(id);
  while (cur && cur.id !== '') {
    out.push(cur.id);
    cur = cur.parent !== undefined ? m.scopes.get(cur.parent) : undefined;
  }
  return out.reverse();
}
