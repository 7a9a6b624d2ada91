/** Find in a graph: nodes by name or op type, values (edges, graph inputs/outputs) and initializers by name. */
import type { GraphModel } from './graph-model';

export interface FindResult {
  kind: 'node' | 'value' | 'initializer';
  name: string;
  /** Op type of a node or of a value's producer. */
  detail: string;
  /** For values: a graph input or output. */
  io?: 'input' | 'output';
  /** Node index, for nodes. */
  node?: number;
  /** For a node in another graph than the one shown: that graph (-1 the main graph, else a GraphBody id); see findInBodies. */
  body?: number;
}

export const FIND_LIMIT = 200;

/** Case-insensitive substring matches; exact names and op types first. */
export function findInGraph(m: GraphModel, query: string, limit = FIND_LIMIT): { results: FindResult[]; total: number } {
  const q = query.trim().toLowerCase();
  if (!q) return { results: [], total: 0 };
  const exact: FindResult[] = [];
  const partial: FindResult[] = [];
  const push = (r: FindResult, name: string, other = ''): void => {
    const n = name.toLowerCase();
    const o = other.toLowerCase();
    if (n === q || o === q) exact.push(r);
    else if (n.includes(q) || o.includes(q)) partial.push(r);
  };
  const s = m.summary;
  s.nodes.forEach((n, i) => {
    const folded = n.outputs.length === 1 && m.folded.get(n.outputs[0]!) === i;
    push({ kind: 'node', name: n.name, detail: folded ? `${n.opType} (${n.outputs[0]})` : n.opType, node: i }, n.name, n.opType);
  });
  const seen = new Set<string>();
  const value = (v: string, detail: string, io?: 'input' | 'output'): void => {
    if (!v || seen.has(v)) return;
    seen.add(v);
    push(io ? { kind: 'value', name: v, detail, io } : { kind: 'value', name: v, detail }, v);
  };
  for (const io of s.inputs) value(io.name, '', 'input');
  for (const io of s.outputs) value(io.name, s.nodes[m.producer.get(io.name) ?? -1]?.opType ?? '', 'output');
  for (const n of s.nodes) for (const v of n.outputs) if (!m.folded.has(v)) value(v, n.opType);
  for (const t of s.initializers) {
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    push({ kind: 'initializer', name: t.name, detail: t.dims ? t.dims.join('×') : '' }, t.name);
  }
  const all = exact.concat(partial);
  return { results: all.slice(0, limit), total: all.length };
}
