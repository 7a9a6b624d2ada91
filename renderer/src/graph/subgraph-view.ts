/**
 * An If/Loop/Scan body as a GraphSummary of its own, so it opens through the
 * same pipeline as the main graph (buildGraphModel → visibleGraph → layout)
 * instead of a second viewer that would drift from the first.
 *
 * Values the body reads from enclosing graphs become inputs (typed from the
 * nearest scope that declares them), so edges into the body start somewhere and
 * the input count includes them. The engine names a body's initializers by
 * their path (`If_3/then_branch/w`, see GraphInitializer.localName) while the
 * body's nodes use their own names (`w`); here the nodes' references are
 * rewritten to the entries' names, so the node rows, the tensor sidebar and the
 * engine's initializer reads all agree on one name. TENSOR attributes point at
 * the body's own copy of the list. `subgraphs` stays the whole model's, so
 * nested bodies open from the view the same way.
 */
import type { GraphBody, GraphInitializer, GraphIo, GraphNode, GraphSummary, GraphValueType } from '@contract/inspect-api';
import { t } from '../i18n';
import { bodyRoles, withNote } from './body-roles';
import { FIND_LIMIT, type FindResult } from './find';

export interface BodyView {
  summary: GraphSummary;
  /** Names of the inputs that come from enclosing graphs. */
  outer: Set<string>;
}

/** The owner of a body: the node holding it, in the main graph or its parent body. */
export function ownerNode(s: GraphSummary, b: GraphBody): GraphNode | undefined {
  const nodes = b.parent < 0 ? s.nodes : s.subgraphs?.[b.parent]?.nodes;
  return nodes?.[b.node];
}

/** `If_3 (then_branch)`, `Scan_2 (body[1])`. */
export function bodyLabel(s: GraphSummary, b: GraphBody): string {
  const attribute = b.position !== undefined ? `${b.attribute}[${b.position}]` : b.attribute;
  return `${ownerNode(s, b)?.name ?? b.name} (${attribute})`;
}

/** The chain of bodies from the outermost to `id` (bounded by the count of bodies, so a broken parent link cannot loop). */
export function bodyChain(s: GraphSummary, id: number): GraphBody[] {
  const out: GraphBody[] = [];
  const all = s.subgraphs ?? [];
  for (let b: GraphBody | undefined = all[id]; b && out.length <= all.length; b = b.parent >= 0 ? all[b.parent] : undefined) out.unshift(b);
  return out;
}

/** A scope's own type for `name`: declared I/O, value_info, inferred, or one of its initializers. */
function typeIn(s: GraphSummary, scope: GraphBody | undefined, name: string): GraphValueType | undefined {
  const io: GraphIo[] = scope ? [...scope.inputs, ...scope.outputs] : [...s.inputs, ...s.outputs];
  const found = io.find((v) => v.name === name) ?? (scope ? (scope.valueTypes[name] ?? scope.inferred?.[name]) : (s.valueTypes[name] ?? s.inferred?.[name]));
  if (found) return { dtype: found.dtype, ...(found.dims ? { dims: found.dims } : {}) };
  const inits = scope ? scope.initializers.map((i) => s.initializers[i]!) : s.initializers.filter((t) => t.localName === undefined);
  const init = inits.find((t) => (t.localName ?? t.name) === name);
  return init ? { dtype: init.dtype, ...(init.dims ? { dims: init.dims } : {}) } : undefined;
}

/** Where an outer value comes from (the nearest enclosing scope that knows it; '' for the main graph) and its type. */
function outerSource(s: GraphSummary, b: GraphBody, name: string): { type: GraphValueType; where: string } {
  const chain = bodyChain(s, b.id).slice(0, -1).reverse();
  for (const scope of chain) {
    const type = typeIn(s, scope, name);
    if (type) return { type, where: bodyLabel(s, scope) };
  }
  return { type: typeIn(s, undefined, name) ?? { dtype: 'unknown' }, where: '' };
}

/** The body's initializers and its TENSOR attribute values, with the index each had in the whole list. */
function ownEntries(s: GraphSummary, b: GraphBody): { entries: GraphInitializer[]; index: Map<number, number> } {
  const indices = [...b.initializers];
  for (const n of b.nodes) for (const a of n.attributes) if (a.tensor !== undefined && a.tensor >= 0) indices.push(a.tensor);
  const index = new Map<number, number>();
  const entries: GraphInitializer[] = [];
  for (const i of indices) {
    const t = s.initializers[i];
    if (!t || index.has(i)) continue;
    index.set(i, entries.length);
    entries.push(t);
  }
  return { entries, index };
}

/** Body `id` of `s` as a summary; undefined when there is no such body. */
export function bodySummary(s: GraphSummary, id: number): BodyView | undefined {
  const b = s.subgraphs?.[id];
  if (!b) return undefined;
  const { entries, index } = ownEntries(s, b);
  // The body's own initializers shadow outer values of the same name.
  const rename = new Map<string, string>();
  for (const i of b.initializers) {
    const t = s.initializers[i];
    if (t?.localName !== undefined) rename.set(t.localName, t.name);
  }
  const nodes = b.nodes.map((n): GraphNode => ({
    ...n,
    inputs: n.inputs.map((v) => rename.get(v) ?? v),
    ...(n.implicitInputs ? { implicitInputs: n.implicitInputs.map((v) => rename.get(v) ?? v) } : {}),
    attributes: n.attributes.map((a) => (a.tensor !== undefined && index.has(a.tensor) ? { ...a, tensor: index.get(a.tensor)! } : a)),
  }));
  const declared = new Set(b.inputs.map((v) => v.name));
  const outer = b.outerInputs.filter((v) => !declared.has(v));
  const outerIo = outer.map((name): GraphIo => {
    const { type, where } = outerSource(s, b, name);
    return { name, ...type, doc: where ? t('graph.sub.role.outerIn', { where }) : t('graph.sub.role.outerMain') };
  });
  const roles = bodyRoles(ownerNode(s, b), b);
  const { shapeInference: _whole, inferred: _mainInferred, ...rest } = s;
  const summary: GraphSummary = {
    ...rest,
    graphName: b.name || bodyLabel(s, b),
    inputs: [...b.inputs.map((v, k) => ({ ...v, ...withNote(v.doc, roles.inputs[k]) })), ...outerIo],
    outputs: b.outputs.map((o, k) => ({ ...o, name: rename.get(o.name) ?? o.name, ...withNote(o.doc, roles.outputs[k]) })),
    nodes,
    initializers: entries,
    valueTypes: b.valueTypes,
    ...(b.inferred ? { inferred: b.inferred } : {}),
  };
  return { summary, outer: new Set(outer) };
}

/**
 * Nodes by name or op type in the graphs not shown (the main graph and every
 * body but `shown`), so a search finds what lives inside If/Loop/Scan bodies;
 * exact matches first, at most `limit`.
 */
export function findInBodies(s: GraphSummary, shown: number | undefined, query: string, limit = FIND_LIMIT): { results: FindResult[]; total: number } {
  const q = query.trim().toLowerCase();
  const bodies = s.subgraphs ?? [];
  if (!q || !bodies.length) return { results: [], total: 0 };
  const exact: FindResult[] = [];
  const partial: FindResult[] = [];
  const graphs: { id: number; nodes: GraphNode[]; where: string }[] = bodies.map((b) => ({
    id: b.id,
    nodes: b.nodes,
    where: bodyChain(s, b.id)
      .map((c) => bodyLabel(s, c))
      .join(' › '),
  }));
  if (shown !== undefined) graphs.unshift({ id: -1, nodes: s.nodes, where: '' });
  for (const g of graphs) {
    if (g.id === (shown ?? -1)) continue;
    g.nodes.forEach((n, i) => {
      const name = n.name.toLowerCase();
      const op = n.opType.toLowerCase();
      const r: FindResult = {
        kind: 'node',
        name: n.name,
        detail: g.where ? t('graph.sub.foundIn', { op: n.opType, where: g.where }) : t('graph.sub.foundInMain', { op: n.opType }),
        node: i,
        body: g.id,
      };
      if (name === q || op === q) exact.push(r);
      else if (name.includes(q) || op.includes(q)) partial.push(r);
    });
  }
  const all = exact.concat(partial);
  return { results: all.slice(0, limit), total: all.length };
}
