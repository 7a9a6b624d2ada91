/**
 * What the graph view derives once per summary: which nodes are drawn (ONNX
 * `Constant` nodes fold into their consumers as rows, like initializers), who
 * produces and consumes each value, and the name-scope tree that large graphs
 * collapse by.
 */
import type { GraphInitializer, GraphSummary, GraphValueType } from '@contract/lab-api';

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
  /** Declared type by value name: graph I/O, initializers, value_info. */
  types: Map<string, GraphValueType>;
  /** Scope id of each node (by node index); '' for the root. */
  nodeScope: string[];
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
    for (const v of n.inputs) {
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

  const slashes = summary.nodes.some((n) => !n.unnamed && n.name.includes('/'));
  const root: Scope = { id: '', name: '', children: [], nodes: [], count: 0, depth: 0 };
  const scopes = new Map<string, Scope>([['', root]]);
  const nodeScope = new Array<string>(summary.nodes.length).fill('');
  for (const i of drawn) {
    const n = summary.nodes[i]!;
    const segs = n.unnamed ? [] : scopeSegments(n.name, n.opType, slashes);
    let cur = root;
    cur.count++;
    for (const seg of segs) {
      const id = cur.id ? `${cur.id}/${seg}` : seg;
      let next = scopes.get(id);
      if (!next) {
        next = { id, name: seg, parent: cur.id, children: [], nodes: [], count: 0, depth: cur.depth + 1 };
        scopes.set(id, next);
        cur.children.push(id);
      }
      next.count++;
      cur = next;
    }
    cur.nodes.push(i);
    nodeScope[i] = cur.id;
  }
  const types = new Map<string, GraphValueType>(Object.entries(summary.valueTypes));
  for (const t of summary.initializers) types.set(t.name, t);
  // A folded Constant's output has the type of the tensor it holds, which value_info rarely repeats.
  for (const [value, i] of folded) {
    const idx = summary.nodes[i]!.attributes.find((a) => a.tensor !== undefined)?.tensor;
    const held = idx !== undefined ? summary.initializers[idx] : undefined;
    if (held && !types.has(value)) types.set(value, held);
  }
  for (const io of [...summary.inputs, ...summary.outputs]) types.set(io.name, io);
  const nodeByName = new Map<string, number>();
  summary.nodes.forEach((n, i) => nodeByName.has(n.name) || nodeByName.set(n.name, i));
  return { summary, drawn, producer, consumers, folded, initByName, graphInputs, graphOutputs, scopes, nodeByName, types, nodeScope };
}

/** The constant inputs of node i (initializers and folded Constants), in input order. */
export function constRows(m: GraphModel, i: number): ConstRow[] {
  const rows: ConstRow[] = [];
  for (const v of m.summary.nodes[i]!.inputs) {
    if (!v) continue;
    const init = m.initByName.get(v);
    if (init !== undefined) {
      const t = m.summary.initializers[init]!;
      rows.push({ value: v, init, dims: t.dims, dtype: t.dtype });
      continue;
    }
    const c = m.folded.get(v);
    if (c === undefined) continue;
    const attr = m.summary.nodes[c]!.attributes.find((a) => a.tensor !== undefined);
    const t: GraphInitializer | undefined = attr?.tensor !== undefined ? m.summary.initializers[attr.tensor] : undefined;
    const known = m.summary.valueTypes[v];
    rows.push({ value: v, init: attr?.tensor, dims: t?.dims ?? known?.dims, dtype: t?.dtype ?? known?.dtype });
  }
  return rows;
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
