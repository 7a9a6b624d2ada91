/**
 * The ensemble's dataflow as the tutorials draw it, laid out top to bottom:
 * ensemble inputs and outputs as diamonds, steps as boxes, one edge per
 * tensor hand-over labelled with the ensemble tensor name. Ensembles have a
 * handful of steps, so a small layered layout does: longest-path layers,
 * a waypoint in every layer a long edge crosses (so it passes beside the
 * boxes in between, its label on the middle one), barycentre ordering,
 * edges spread over each box's side, and labels that would overlap stacked.
 * Given the panel's width, a row of inputs or outputs too wide for it wraps
 * onto further rows, so wide ensembles fit without scrolling; an edge's label
 * is left out where it would repeat the input or output it touches (its name
 * stays on the edge's tooltip), and long labels lose their middle, not their end.
 */
import type { EnsembleStepRow } from '@contract/lab-api';

export type DagNodeKind = 'input' | 'step' | 'output';

/** How a step stands in the run being stepped through. */
export type StepStatus = 'next' | 'running' | 'done' | 'skipped' | '';

export interface DagNode {
  id: string;
  kind: DagNodeKind;
  label: string;
  /** Step index, for steps. */
  step?: number;
  model?: string;
  layer: number;
  /** Centre. */
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DagEdge {
  /** Ensemble tensor name. */
  name: string;
  from: string;
  to: string;
  /** SVG path from the bottom of `from` to the top of `to`. */
  path: string;
  labelX: number;
  labelY: number;
  /** false where the label would repeat the name of the input or output the edge touches. */
  label: boolean;
}

export interface DagLayout {
  width: number;
  height: number;
  nodes: DagNode[];
  edges: DagEdge[];
}

const LAYER_GAP = 86;
const NODE_GAP = 36;
const WAYPOINT_GAP = 10;
/** Between the rows of a wrapped row of inputs or outputs. */
const WRAPPED_GAP = 22;
const WAYPOINT_W = 14;
const MARGIN = 24;
const BOX_H = 40;
const DIAMOND_H = 34;
const CHAR_W = 7.2;
const IO_CHAR_W = 6.7;
const LABEL_CHAR_W = 6.4;
const LABEL_H = 19;
const LABEL_MAX = 30;

/** A name cut to `max` characters by taking out its middle (`ensemble_in…UINT8_array`): ends tell tensors apart. */
export function shortLabel(name: string, max = LABEL_MAX): string {
  if (name.length <= max) return name;
  const head = Math.ceil((max - 1) / 2);
  return `${name.slice(0, head)}…${name.slice(name.length - (max - 1 - head))}`;
}

/** Width of an edge label's pill (names are cut to LABEL_MAX characters when drawn). */
export function labelWidth(name: string): number {
  return Math.min(name.length, LABEL_MAX) * LABEL_CHAR_W + 10;
}

function widthFor(label: string, kind: DagNodeKind): number {
  // Inputs and outputs are drawn as long diamonds (pointed ends, flat sides) around their name.
  return kind === 'step' ? Math.max(120, label.length * CHAR_W + 28) : Math.max(90, Math.min(label.length, LABEL_MAX) * IO_CHAR_W + DIAMOND_H + 14);
}

export const inputId = (name: string): string => `in:${name}`;
export const outputId = (name: string): string => `out:${name}`;
export const stepId = (i: number): string => `step:${i}`;

/** A node or a waypoint of a long edge, as placed in its layer. */
interface Slot {
  id: string;
  layer: number;
  w: number;
  h: number;
  x: number;
  y: number;
  real?: DagNode;
}

interface Link {
  name: string;
  from: string;
  to: string;
  /** Slot ids from `from` to `to`, waypoints between. */
  chain: string[];
  /** The waypoint carrying the label, for long edges. */
  labelAt?: string;
  /** Whether it is drawn with a label (not when it would repeat an input's or output's name). */
  labelled: boolean;
}

function cubicAt(p0: number, p1: number, p2: number, p3: number, t: number): number {
  const u = 1 - t;
  return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3;
}

/** Ensemble inputs, then steps, then ensemble outputs, each sized for its label. */
function dagNodes(inputs: string[], outputs: string[], steps: EnsembleStepRow[]): DagNode[] {
  const nodes: DagNode[] = [];
  const add = (id: string, kind: DagNodeKind, label: string, extra: Partial<DagNode> = {}): void => {
    nodes.push({ id, kind, label, layer: 0, x: 0, y: 0, w: widthFor(label, kind), h: kind === 'step' ? BOX_H : DIAMOND_H, ...extra });
  };
  for (const n of inputs) add(inputId(n), 'input', n);
  steps.forEach((s, i) => add(stepId(i), 'step', s.modelName, { step: i, model: s.modelName }));
  for (const n of outputs) add(outputId(n), 'output', n);
  return nodes;
}

/** Who writes each tensor: an ensemble input or a step (the first, if a config names one twice); one link per hand-over. */
function dagLinks(inputs: string[], outputs: string[], steps: EnsembleStepRow[]): Link[] {
  const producer = new Map<string, string>();
  for (const n of inputs) producer.set(n, inputId(n));
  steps.forEach((s, i) => {
    for (const t of Object.values(s.outputMap)) if (!producer.has(t)) producer.set(t, stepId(i));
  });
  const links: Link[] = [];
  steps.forEach((s, i) => {
    for (const t of new Set(Object.values(s.inputMap))) {
      const from = producer.get(t);
      if (from) links.push({ name: t, from, to: stepId(i), chain: [], labelled: from !== inputId(t) });
    }
  });
  for (const n of outputs) {
    const from = producer.get(n);
    if (from) links.push({ name: n, from, to: outputId(n), chain: [], labelled: false });
  }
  return links;
}

/** Longest path from the inputs; a cycle (a broken config) stops growing after n rounds. Outputs sit on the last layer, together. */
function assignLayers(nodes: DagNode[], links: Link[], byId: Map<string, DagNode>): void {
  for (let round = 0; round < nodes.length; round++) {
    let changed = false;
    for (const l of links) {
      const a = byId.get(l.from)!;
      const b = byId.get(l.to)!;
      if (b.layer < a.layer + 1) {
        b.layer = a.layer + 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const last = Math.max(0, ...nodes.filter((n) => n.kind !== 'output').map((n) => n.layer)) + 1;
  for (const n of nodes) if (n.kind === 'output') n.layer = Math.max(n.layer, last);
}

/**
 * A slot per node, and a waypoint in every layer a long edge crosses (the middle one carries its
 * label); fills each link's chain. A broken config can point backwards; such an edge is drawn
 * straight, without waypoints.
 */
function waypointSlots(nodes: DagNode[], links: Link[], byId: Map<string, DagNode>): Map<string, Slot> {
  const slots = new Map<string, Slot>(nodes.map((n) => [n.id, { id: n.id, layer: n.layer, w: n.w, h: n.h, x: 0, y: 0, real: n }]));
  links.forEach((l, li) => {
    const a = byId.get(l.from)!;
    const b = byId.get(l.to)!;
    l.chain = [l.from];
    const mid = Math.floor((a.layer + b.layer) / 2);
    for (let layer = a.layer + 1; layer < b.layer; layer++) {
      const id = `via:${li}:${layer}`;
      const carries = layer === mid && l.labelled;
      slots.set(id, { id, layer, w: carries ? labelWidth(l.name) : WAYPOINT_W, h: carries ? LABEL_H : 0, x: 0, y: 0 });
      l.chain.push(id);
      if (carries) l.labelAt = id;
    }
    l.chain.push(l.to);
  });
  return slots;
}

/** The slots by layer, each layer ordered by where its neighbours sit (down, then up), so edges cross less. */
function orderedLayers(slots: Map<string, Slot>, segments: [string, string][]): Slot[][] {
  const layers: Slot[][] = [];
  for (const s of slots.values()) (layers[s.layer] ??= []).push(s);
  for (let i = 0; i < layers.length; i++) layers[i] ??= [];
  const order = new Map<string, number>();
  const sortBy = (layer: Slot[], neighbours: (s: Slot) => string[]): void => {
    const bary = (s: Slot): number => {
      const ns = neighbours(s).filter((n) => order.has(n));
      return ns.length ? ns.reduce((a, n) => a + order.get(n)!, 0) / ns.length : Number.MAX_SAFE_INTEGER;
    };
    const keyed = layer.map((s, i) => ({ s, k: bary(s), i: order.get(s.id) ?? i }));
    keyed.sort((a, b) => a.k - b.k || a.i - b.i);
    layer.splice(0, layer.length, ...keyed.map((x) => x.s));
    layer.forEach((s, i) => order.set(s.id, i));
  };
  layers[0]!.forEach((s, i) => order.set(s.id, i));
  for (let li = 1; li < layers.length; li++) sortBy(layers[li]!, (s) => segments.filter(([, to]) => to === s.id).map(([from]) => from));
  for (let li = layers.length - 2; li >= 0; li--) sortBy(layers[li]!, (s) => segments.filter(([from]) => from === s.id).map(([, to]) => to));
  return layers;
}

/** Room between two neighbours in a row: bare waypoints (a passing edge without its label) need little. */
function gapBetween(a: Slot, b: Slot): number {
  const bare = (s: Slot): boolean => !s.real && s.h === 0;
  return bare(a) || bare(b) ? WAYPOINT_GAP : NODE_GAP;
}

/** Each layer centred in the widest one; returns the drawing's width. */
function placeRows(layers: Slot[][]): number {
  const rowWidth = (layer: Slot[]): number => layer.reduce((sum, s, i) => sum + s.w + (i > 0 ? gapBetween(layer[i - 1]!, s) : 0), 0);
  const width = Math.max(200, ...layers.map(rowWidth)) + MARGIN * 2;
  for (const layer of layers) {
    let x = (width - rowWidth(layer)) / 2;
    layer.forEach((s, i) => {
      if (i > 0) x += gapBetween(layer[i - 1]!, s);
      s.x = x + s.w / 2;
      x += s.w;
    });
  }
  return width;
}

/** Where each segment leaves (`out`) and enters (`inn`) a slot, by segKey; `first` is each link's first segment. */
interface Ports {
  out: Map<string, number>;
  inn: Map<string, number>;
  first: Map<Link, number>;
}

const segKey = (from: string, to: string, i: number): string => `${from}>${to}#${i}`;

/** Where each segment leaves and enters: spread over the node's side, in the order of the other ends. */
function spreadPorts(slots: Map<string, Slot>, segments: [string, string][], links: Link[]): Ports {
  const out = new Map<string, number>();
  const inn = new Map<string, number>();
  const spread = (slot: Slot, ends: { key: string; x: number }[], into: Map<string, number>): void => {
    ends.sort((a, b) => a.x - b.x);
    const span = slot.real ? (slot.real.kind === 'step' ? slot.w * 0.8 : slot.w * 0.4) : 0;
    ends.forEach((e, i) => into.set(e.key, slot.x - span / 2 + (span * (i + 1)) / (ends.length + 1)));
  };
  for (const slot of slots.values()) {
    spread(
      slot,
      segments.flatMap(([from, to], i) => (from === slot.id ? [{ key: segKey(from, to, i), x: slots.get(to)!.x }] : [])),
      out,
    );
    spread(
      slot,
      segments.flatMap(([from, to], i) => (to === slot.id ? [{ key: segKey(from, to, i), x: slots.get(from)!.x }] : [])),
      inn,
    );
  }
  const first = new Map<Link, number>();
  let i = 0;
  for (const l of links) {
    first.set(l, i);
    i += l.chain.length - 1;
  }
  return { out, inn, first };
}

/** Label rows per layer gap, and the row of each one-layer edge's label. */
interface LabelRows {
  rowsOf: number[];
  labelRow: Map<Link, { row: number; x: number }>;
}

/** Labels of one-layer edges sit mid-gap; those that would overlap go on extra rows. */
function stackLabels(links: Link[], slots: Map<string, Slot>, layerCount: number, ports: Ports): LabelRows {
  const rowsOf: number[] = new Array<number>(layerCount).fill(1);
  const labelRow = new Map<Link, { row: number; x: number }>();
  for (let gap = 0; gap < layerCount - 1; gap++) {
    const here = links
      .filter((l) => l.labelled && l.chain.length === 2 && slots.get(l.from)!.layer === gap)
      .map((l) => {
        const i = ports.first.get(l)!;
        const x = (ports.out.get(segKey(l.from, l.to, i))! + ports.inn.get(segKey(l.from, l.to, i))!) / 2;
        return { l, x, w: labelWidth(l.name) };
      })
      .sort((a, b) => a.x - b.x);
    const rowEnds: number[] = [];
    for (const h of here) {
      let row = rowEnds.findIndex((end) => end + 4 <= h.x - h.w / 2);
      if (row < 0) {
        row = rowEnds.length;
        rowEnds.push(0);
      }
      rowEnds[row] = h.x + h.w / 2;
      labelRow.set(h.l, { row, x: h.x });
    }
    rowsOf[gap] = Math.max(1, rowEnds.length);
  }
  return { rowsOf, labelRow };
}

/** y per layer, gaps tall enough for their label rows; sets the slots' and nodes' centres, returns the height. */
function placeLayers(layers: Slot[][], slots: Map<string, Slot>, nodes: DagNode[], rowsOf: number[], continued: Set<number>): number {
  const layerH = layers.map((layer) => Math.max(0, ...layer.map((s) => s.h)));
  const ys: number[] = [];
  layers.forEach((_, li) => {
    const gap = continued.has(li) ? (layerH[li - 1]! + layerH[li]!) / 2 + WRAPPED_GAP : Math.max(LAYER_GAP, (layerH[li - 1]! + layerH[li]!) / 2 + 30 + rowsOf[li - 1]! * LABEL_H);
    ys[li] = li === 0 ? MARGIN + DIAMOND_H / 2 : ys[li - 1]! + gap;
  });
  for (const s of slots.values()) s.y = ys[s.layer]!;
  for (const n of nodes) {
    const s = slots.get(n.id)!;
    n.x = s.x;
    n.y = s.y;
  }
  return (ys[ys.length - 1] ?? MARGIN) + DIAMOND_H / 2 + MARGIN;
}

/** A link's points: its port on `from`'s bottom, its waypoints, its port on `to`'s top. */
function linkPoints(l: Link, slots: Map<string, Slot>, ports: Ports): { x: number; y: number }[] {
  const first = ports.first.get(l)!;
  const points: { x: number; y: number }[] = [];
  // How far from its centre a side is at x: boxes are flat, long diamonds too except at their tips.
  const side = (s: Slot, x: number): number => (s.real && s.real.kind !== 'step' ? Math.min(s.h / 2, s.w / 2 - Math.abs(x - s.x)) : s.h / 2);
  l.chain.forEach((id, k) => {
    const s = slots.get(id)!;
    if (k === 0) {
      const x = ports.out.get(segKey(id, l.chain[1]!, first))!;
      points.push({ x, y: s.y + side(s, x) });
    } else if (k === l.chain.length - 1) {
      const x = ports.inn.get(segKey(l.chain[k - 1]!, id, first + k - 1))!;
      points.push({ x, y: s.y - side(s, x) });
    } else points.push({ x: s.x, y: s.y });
  });
  return points;
}

/** Where a one-layer edge's label sits: its row's height, on the curve (found by bisection). */
function labelOnCurve(l: Link, p: { x: number; y: number }, q: { x: number; y: number }, slots: Map<string, Slot>, rows: LabelRows): { labelX: number; labelY: number } {
  const rowCount = rows.rowsOf[slots.get(l.from)!.layer] ?? 1;
  const row = rows.labelRow.get(l)?.row ?? 0;
  const labelY = (p.y + q.y) / 2 + (row - (rowCount - 1) / 2) * LABEL_H;
  // Follow the curve to that height, so a stacked label still sits on its own line.
  const bend = Math.max(12, Math.abs(q.y - p.y) / 2);
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    if (cubicAt(p.y, p.y + bend, q.y - bend, q.y, mid) < labelY) lo = mid;
    else hi = mid;
  }
  return { labelX: cubicAt(p.x, p.x, q.x, q.x, (lo + hi) / 2), labelY };
}

/** A link drawn: cubic curves through its points, its label on its waypoint or on the curve. */
function routeLink(l: Link, slots: Map<string, Slot>, ports: Ports, rows: LabelRows): DagEdge {
  const points = linkPoints(l, slots, ports);
  let path = `M${points[0]!.x},${points[0]!.y}`;
  for (let k = 1; k < points.length; k++) {
    const p = points[k - 1]!;
    const q = points[k]!;
    const bend = Math.max(12, Math.abs(q.y - p.y) / 2);
    path += ` C${p.x},${p.y + bend} ${q.x},${q.y - bend} ${q.x},${q.y}`;
  }
  const carrier = l.labelAt ? slots.get(l.labelAt)! : undefined;
  const { labelX, labelY } = carrier ? { labelX: carrier.x, labelY: carrier.y } : labelOnCurve(l, points[0]!, points[points.length - 1]!, slots, rows);
  return { name: l.name, from: l.from, to: l.to, path, labelX, labelY, label: l.labelled };
}

/**
 * Inputs (and outputs) whose row is wider than `maxWidth` go on as many rows as they need, in
 * their order; everything below moves down. Sets the nodes' layers; returns the layers that
 * continue a wrapped row (they sit closer to the row above: no labels go between them).
 */
function wrapRows(nodes: DagNode[], maxWidth: number): Set<number> {
  const room = maxWidth - MARGIN * 2;
  // Edges from the rows above pass through a row as bare waypoints: keep room for them.
  const rowsOf = (ns: DagNode[]): DagNode[][] => {
    const rows: DagNode[][] = [[]];
    let used = 0;
    let placed = 0;
    for (const n of ns) {
      if (rows[rows.length - 1]!.length > 0 && used + NODE_GAP + n.w > room) {
        rows.push([]);
        used = placed * (WAYPOINT_W + WAYPOINT_GAP);
      }
      placed++;
      used += (rows[rows.length - 1]!.length > 0 ? NODE_GAP : 0) + n.w;
      rows[rows.length - 1]!.push(n);
    }
    return rows;
  };
  const inRows = rowsOf(nodes.filter((n) => n.kind === 'input' && n.layer === 0));
  for (const n of nodes) if (!(n.kind === 'input' && n.layer === 0)) n.layer += inRows.length - 1;
  inRows.forEach((row, r) => row.forEach((n) => (n.layer = r)));
  const last = Math.max(0, ...nodes.map((n) => n.layer));
  // Outputs fill from the last row up, as edges to the lower rows pass through the upper ones.
  const outRows = rowsOf(nodes.filter((n) => n.kind === 'output' && n.layer === last).reverse())
    .reverse()
    .map((row) => row.reverse());
  outRows.forEach((row, r) => row.forEach((n) => (n.layer = last + r)));
  const continued = new Set<number>();
  for (let r = 1; r < inRows.length; r++) continued.add(r);
  for (let r = 1; r < outRows.length; r++) continued.add(last + r);
  return continued;
}

/** `maxWidth`: the width the panel gives the drawing; rows of inputs or outputs wider than it wrap. */
export function layoutEnsemble(inputs: string[], outputs: string[], steps: EnsembleStepRow[], maxWidth?: number): DagLayout {
  const nodes = dagNodes(inputs, outputs, steps);
  const links = dagLinks(inputs, outputs, steps);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  assignLayers(nodes, links, byId);
  const continued = maxWidth !== undefined && maxWidth > 0 ? wrapRows(nodes, maxWidth) : new Set<number>();
  const slots = waypointSlots(nodes, links, byId);
  const segments: [string, string][] = links.flatMap((l) => l.chain.slice(1).map((to, i) => [l.chain[i]!, to] as [string, string]));
  const layers = orderedLayers(slots, segments);
  const width = placeRows(layers);
  const ports = spreadPorts(slots, segments, links);
  const rows = stackLabels(links, slots, layers.length, ports);
  const height = placeLayers(layers, slots, nodes, rows.rowsOf, continued);
  const edges = links.map((l) => routeLink(l, slots, ports, rows));
  return { width, height, nodes, edges };
}

/** An input's or output's outline: a diamond drawn long (pointed ends, flat top and bottom), as SVG polygon points. */
export function diamondPoints(n: DagNode): string {
  const { x, y, w, h } = n;
  const tip = Math.min(h / 2, w / 2);
  return `${x - w / 2},${y} ${x - w / 2 + tip},${y - h / 2} ${x + w / 2 - tip},${y - h / 2} ${x + w / 2},${y} ${x + w / 2 - tip},${y + h / 2} ${x - w / 2 + tip},${y + h / 2}`;
}
