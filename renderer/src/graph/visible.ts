/**
 * The graph as drawn for one expanded-state: nodes whose scopes are all
 * expanded, one box per collapsed scope, graph inputs and outputs as their
 * own items, and edges aggregated between whatever represents their ends.
 */
import type { OpDoc } from '@contract/lab-api';
import { labelType, opDocOf, typeSource, type GraphModel } from './graph-model';
import { aliasLegend, clip, dimsText, edgeLabel, typeText } from './format';
import { nodeRows, type NodeRow } from './node-rows';

/** A row of a node box: a constant input by role (`W ⟨16×3×3×3⟩`, `B = 3`) or a non-default attribute (`group = 16`). */
export type ItemRow = NodeRow;

export interface VisibleItem {
  id: string;
  kind: 'node' | 'scope' | 'input' | 'output';
  node?: number;
  scope?: string;
  value?: string;
  title: string;
  /** Node name, scope node count or I/O shape. */
  subtitle: string;
  /** Hover text: the node name, or an I/O value's name and full type (long symbolic dims written out). */
  tooltip: string;
  rows: ItemRow[];
  /** Rows not shown in the box. */
  moreRows: number;
  category: OpDoc['category'] | 'scope' | 'io';
  width: number;
  height: number;
}

export interface VisibleEdge {
  from: number;
  to: number;
  /** Up to a few of the values it carries. */
  values: string[];
  count: number;
  /** Shape text when it carries one value of known shape (long symbolic dims shortened: `d0×3×d1×d2`). */
  label: string;
  /** Where the label's dims come from: the file, shape inference, or a run ("Run to see"); '' when unlabelled. */
  labelSource: '' | 'declared' | 'inferred' | 'observed';
  /** Hover text: the value names and full types, with what each short dim name stands for (written when read). */
  readonly tooltip: string;
}

export interface VisibleGraph {
  items: VisibleItem[];
  edges: VisibleEdge[];
  index: Map<string, number>;
  /** Scope → the collapsed scope item hiding it ('' when shown), from `representatives`. */
  hidden: Map<string, string>;
}

/** Above this many drawn nodes a graph opens with scopes collapsed. */
export const COLLAPSE_BUDGET = 400;
const MAX_ROWS = 8;
export const HEADER_H = 22;
export const ROW_H = 15;
const CHAR_W = 6.4;
const TITLE_W = 7.2;

function textW(s: string, w = CHAR_W): number {
  return s.length * w;
}

/** Scopes that count: a scope holding one node is never drawn as a box. */
function collapsible(m: GraphModel, id: string): boolean {
  return id !== '' && (m.scopes.get(id)?.count ?? 0) > 1;
}

/** The item standing for each drawn node under `expanded`. */
export function representatives(m: GraphModel, expanded: ReadonlySet<string>): Map<string, string> {
  // Scope → id of the collapsed scope box that hides it ('' when visible). Parents come before children in map order.
  const hidden = new Map<string, string>();
  for (const s of m.scopes.values()) {
    const parentHidden = s.parent !== undefined ? (hidden.get(s.parent) ?? '') : '';
    hidden.set(s.id, parentHidden || (collapsible(m, s.id) && !expanded.has(s.id) ? `s:${s.id}` : ''));
  }
  return hidden;
}

export function itemIdOfNode(m: GraphModel, hidden: Map<string, string>, node: number): string {
  return hidden.get(m.nodeScope[node]!) || `n:${node}`;
}

function nodeItem(m: GraphModel, i: number): VisibleItem {
  const n = m.summary.nodes[i]!;
  const doc = opDocOf(m, i);
  const all = nodeRows(m, i, doc);
  const rows = all.slice(0, MAX_ROWS);
  let w = textW(n.opType, TITLE_W) + 20;
  for (const r of rows) w = Math.max(w, textW(`${r.label} ${r.text}`) + 16);
  const lines = rows.length + (all.length > MAX_ROWS ? 1 : 0);
  return {
    id: `n:${i}`,
    kind: 'node',
    node: i,
    title: n.opType,
    subtitle: n.name,
    tooltip: n.name,
    rows,
    moreRows: all.length - rows.length,
    category: doc?.category ?? 'other',
    width: Math.max(56, Math.min(w, 260)),
    height: HEADER_H + (lines ? lines * ROW_H + 6 : 0),
  };
}

function scopeItem(m: GraphModel, id: string): VisibleItem {
  const s = m.scopes.get(id)!;
  const sub = `${s.count}`;
  return {
    id: `s:${id}`,
    kind: 'scope',
    scope: id,
    title: s.name,
    subtitle: sub,
    tooltip: id,
    rows: [],
    moreRows: 0,
    category: 'scope',
    width: Math.max(90, Math.min(textW(s.name, TITLE_W) + 44, 260)),
    height: HEADER_H + ROW_H + 8,
  };
}

function ioItem(m: GraphModel, name: string, kind: 'input' | 'output'): VisibleItem {
  const t = labelType(m, name);
  const sub = t ? clip(`${t.dtype}${t.dims ? `[${dimsText(t.dims, m.dimAliases)}]` : ''}`, 36) : '';
  return {
    id: `${kind === 'input' ? 'i' : 'o'}:${name}`,
    kind,
    value: name,
    title: clip(name, 34),
    subtitle: sub,
    tooltip: valueTooltip(m, name),
    rows: [],
    moreRows: 0,
    category: 'io',
    width: Math.max(70, Math.min(Math.max(textW(name, TITLE_W), textW(sub)) + 24, 260)),
    height: HEADER_H + ROW_H + 4,
  };
}

/** `name: FP32[p2o.DynamicDimension.0,3,…] (inferred)` plus `d0 = p2o.DynamicDimension.0` lines. */
export function valueTooltip(m: GraphModel, v: string): string {
  const ty = labelType(m, v);
  const src = typeSource(m, v);
  const head = `${v}: ${typeText(ty)}${src === 'inferred' || src === 'observed' ? ` (${src})` : ''}`;
  return [head, ...aliasLegend(ty?.dims, m.dimAliases)].join('\n');
}

/** An edge whose hover text is written only when asked for (most edges of a big graph never are). */
class Edge implements VisibleEdge {
  values: string[];
  count = 1;
  label: string;
  labelSource: VisibleEdge['labelSource'];
  constructor(
    private readonly m: GraphModel,
    public from: number,
    public to: number,
    value: string,
  ) {
    this.values = [value];
    this.label = edgeLabel(labelType(m, value), m.dimAliases);
    this.labelSource = this.label ? typeSource(m, value) : '';
  }
  get tooltip(): string {
    if (this.count === 1) return valueTooltip(this.m, this.values[0]!);
    const lines = this.values.map((v) => `${v}: ${typeText(labelType(this.m, v))}`);
    return `${lines.join('\n')}${this.count > this.values.length ? `\n… (${this.count})` : ''}`;
  }
}

export function visibleGraph(m: GraphModel, expanded: ReadonlySet<string>): VisibleGraph {
  const hidden = representatives(m, expanded);
  const items: VisibleItem[] = [];
  const index = new Map<string, number>();
  const add = (it: VisibleItem): void => {
    index.set(it.id, items.length);
    items.push(it);
  };
  for (const io of m.summary.inputs) add(ioItem(m, io.name, 'input'));
  for (const i of m.drawn) {
    const rep = hidden.get(m.nodeScope[i]!);
    if (!rep) add(nodeItem(m, i));
    else if (!index.has(rep)) add(scopeItem(m, rep.slice(2)));
  }
  for (const io of m.summary.outputs) add(ioItem(m, io.name, 'output'));

  const edges: VisibleEdge[] = [];
  const byPair = new Map<number, Edge>();
  const n = items.length;
  const link = (from: number, to: number, value: string): void => {
    if (from === to) return;
    const key = from * n + to;
    const e = byPair.get(key);
    if (e) {
      if (e.values.includes(value)) return;
      e.count++;
      if (e.values.length < 4) e.values.push(value);
      e.label = '';
      e.labelSource = '';
      return;
    }
    const created = new Edge(m, from, to, value);
    byPair.set(key, created);
    edges.push(created);
  };
  const itemOfNode = (i: number): number => index.get(itemIdOfNode(m, hidden, i))!;
  const source = (v: string): number | undefined => {
    if (m.folded.has(v) || m.initByName.has(v)) return undefined;
    const p = m.producer.get(v);
    if (p !== undefined) return itemOfNode(p);
    return m.graphInputs.has(v) ? index.get(`i:${v}`) : undefined;
  };
  for (const i of m.drawn) {
    const to = itemOfNode(i);
    const n = m.summary.nodes[i]!;
    for (const v of n.implicitInputs ? [...n.inputs, ...n.implicitInputs] : n.inputs) {
      if (!v) continue;
      const from = source(v);
      if (from !== undefined) link(from, to, v);
    }
  }
  for (const io of m.summary.outputs) {
    const from = source(io.name);
    if (from !== undefined) link(from, index.get(`o:${io.name}`)!, io.name);
  }
  return { items, edges, index, hidden };
}

/**
 * The scopes a graph opens with: everything when it is small; otherwise whole
 * levels of the scope tree, top down, while the drawn items stay within budget
 * (a level is expanded entirely or not at all, so sibling scopes look alike).
 */
export function initialExpanded(m: GraphModel, budget = COLLAPSE_BUDGET): Set<string> {
  const expanded = new Set<string>();
  const root = m.scopes.get('')!;
  const direct = (id: string): number => {
    const s = m.scopes.get(id)!;
    return s.nodes.length + s.children.length;
  };
  let visible = direct('');
  let frontier = root.children.filter((id) => collapsible(m, id));
  while (frontier.length) {
    const growth = frontier.reduce((sum, id) => sum + direct(id) - 1, 0);
    // A view of a handful of boxes says nothing: always open up to a few dozen items.
    if (visible + growth > budget && visible >= 24) break;
    for (const id of frontier) expanded.add(id);
    visible += growth;
    frontier = frontier.flatMap((id) => m.scopes.get(id)!.children.filter((c) => collapsible(m, c)));
  }
  return expanded;
}

/** Every collapsible scope (the "expand all" state). */
export function allScopes(m: GraphModel): Set<string> {
  return new Set([...m.scopes.keys()].filter((id) => collapsible(m, id)));
}

/** A stable key of an expanded-state, for the layout cache. */
export function expandedKey(expanded: ReadonlySet<string>): string {
  return [...expanded].sort().join('\n');
}
