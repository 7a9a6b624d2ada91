/**
 * A layered (Sugiyama-style) layout written for this viewer, iterative
 * throughout so that a 10,000-deep chain cannot overflow a worker's stack:
 * back edges reversed by an explicit-stack DFS, longest-path ranks, dummy
 * nodes on long edges, barycenter ordering sweeps, and x placement by
 * isotonic regression (each rank as close to its neighbours as separation
 * allows). Pure: runs in the layout worker, in tests, and in the benchmark.
 */

import { frameRoom, groupTree, hierarchicalOrder, lca, separateGroups, type GroupTree, type LayoutGroups } from './layout-groups';

export interface LayoutInput {
  /** Width and height per node, interleaved. */
  sizes: number[];
  /** Source and target node per edge, interleaved. */
  edges: number[];
  /** Nodes kept in the first rank (graph inputs). */
  top?: number[];
  nodesep?: number;
  ranksep?: number;
  /** Ordering sweeps (down + up counts as one). */
  sweeps?: number;
  /** Name scopes drawn as frames: the layout keeps sibling frames apart and leaves room for their titles. */
  groups?: LayoutGroups;
}

export interface LayoutResult {
  /** Node centres. */
  x: number[];
  y: number[];
  rank: number[];
  /** Per input edge: polyline points (x0, y0, x1, y1, …) from source to target. */
  points: number[][];
  width: number;
  height: number;
  ms: number;
}

interface Csr {
  start: Int32Array;
  list: Int32Array;
}

function csr(n: number, from: ArrayLike<number>, m: number): Csr {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) start[from[e]! + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const list = new Int32Array(m);
  for (let e = 0; e < m; e++) list[fill[from[e]!]!++] = e;
  return { start, list };
}

/** Edges that close a cycle in DFS order, found without recursion. */
function backEdges(n: number, src: Int32Array, dst: Int32Array, out: Csr): Uint8Array {
  const m = src.length;
  const reversed = new Uint8Array(m);
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const stack = new Int32Array(n);
  const cursor = new Int32Array(n);
  for (let root = 0; root < n; root++) {
    if (state[root]) continue;
    let sp = 0;
    stack[sp++] = root;
    state[root] = 1;
    cursor[root] = out.start[root]!;
    while (sp) {
      const v = stack[sp - 1]!;
      if (cursor[v]! < out.start[v + 1]!) {
        const e = out.list[cursor[v]!++]!;
        const w = dst[e]!;
        if (state[w] === 1) reversed[e] = 1;
        else if (state[w] === 0) {
          state[w] = 1;
          cursor[w] = out.start[w]!;
          stack[sp++] = w;
        }
      } else {
        state[v] = 2;
        sp--;
      }
    }
  }
  return reversed;
}

/** Work arrays for placeRow and placeRank, grown to the widest rank once instead of allocated per call. */
class Scratch {
  want = new Float64Array(0);
  weight = new Float64Array(0);
  out = new Float64Array(0);
  sum = new Float64Array(0);
  wsum = new Float64Array(0);
  cnt = new Int32Array(0);
  constructor(size: number) {
    for (const key of ['want', 'weight', 'out', 'sum', 'wsum'] as const) this[key] = new Float64Array(size);
    this.cnt = new Int32Array(size);
  }
}

/** Minimises Σ weight_i·(x_i − want_i)² subject to x_{i+1} − x_i ≥ gap_i, for the first k entries of the scratch arrays (pool adjacent violators). */
function placeRow(k: number, gaps: Float64Array, s: Scratch): void {
  const { want, weight, out, sum, wsum, cnt } = s;
  let blocks = 0;
  let offset = 0;
  for (let i = 0; i < k; i++) {
    if (i > 0) offset += gaps[i - 1]!;
    wsum[blocks] = weight[i]!;
    sum[blocks] = (want[i]! - offset) * weight[i]!;
    cnt[blocks] = 1;
    blocks++;
    while (blocks > 1 && sum[blocks - 2]! / wsum[blocks - 2]! > sum[blocks - 1]! / wsum[blocks - 1]!) {
      sum[blocks - 2]! += sum[blocks - 1]!;
      wsum[blocks - 2]! += wsum[blocks - 1]!;
      cnt[blocks - 2]! += cnt[blocks - 1]!;
      blocks--;
    }
  }
  offset = 0;
  let i = 0;
  for (let b = 0; b < blocks; b++) {
    const mean = sum[b]! / wsum[b]!;
    for (let j = 0; j < cnt[b]!; j++, i++) {
      if (i > 0) offset += gaps[i - 1]!;
      out[i] = mean + offset;
    }
  }
}

/** The kept edges, each pointing down: back edges reversed (`reversed` marks them, to flip their polylines back). */
interface Edges {
  src: Int32Array;
  dst: Int32Array;
  reversed: Uint8Array;
  /** Input edge → kept edge (−1 for dropped). */
  inputEdge: number[];
}

/** Edges without self-loops or duplicates, with back edges reversed so the graph is acyclic. */
function keptEdges(input: LayoutInput, n0: number): Edges {
  const seen = new Map<number, number>();
  const eSrc: number[] = [];
  const eDst: number[] = [];
  const inputEdge: number[] = [];
  for (let e = 0; e < input.edges.length / 2; e++) {
    const a = input.edges[2 * e]!;
    const b = input.edges[2 * e + 1]!;
    const key = a * n0 + b;
    if (a === b || seen.has(key)) {
      inputEdge.push(a === b ? -1 : seen.get(key)!);
      continue;
    }
    seen.set(key, eSrc.length);
    inputEdge.push(eSrc.length);
    eSrc.push(a);
    eDst.push(b);
  }
  const m0 = eSrc.length;
  const src0 = Int32Array.from(eSrc);
  const dst0 = Int32Array.from(eDst);
  const reversed = backEdges(n0, src0, dst0, csr(n0, src0, m0));
  const src = new Int32Array(m0);
  const dst = new Int32Array(m0);
  for (let e = 0; e < m0; e++) {
    src[e] = reversed[e] ? dst0[e]! : src0[e]!;
    dst[e] = reversed[e] ? src0[e]! : dst0[e]!;
  }
  return { src, dst, reversed, inputEdge };
}

/** Longest-path ranks (Kahn order), then sources pulled down next to their first consumer; `top` stays on rank 0. */
function rankNodes(n0: number, { src, dst }: Edges, top: readonly number[]): { rank: Int32Array; maxRank: number } {
  const m0 = src.length;
  const outs = csr(n0, src, m0);
  const ins = csr(n0, dst, m0);
  const rank = new Int32Array(n0);
  const indeg = new Int32Array(n0);
  for (let e = 0; e < m0; e++) indeg[dst[e]!]!++;
  const order = new Int32Array(n0);
  let head = 0;
  let tail = 0;
  for (let v = 0; v < n0; v++) if (!indeg[v]) order[tail++] = v;
  while (head < tail) {
    const v = order[head++]!;
    for (let k = outs.start[v]!; k < outs.start[v + 1]!; k++) {
      const w = dst[outs.list[k]!]!;
      if (rank[v]! + 1 > rank[w]!) rank[w] = rank[v]! + 1;
      if (--indeg[w]! === 0) order[tail++] = w;
    }
  }
  const pinned = new Uint8Array(n0);
  for (const v of top) pinned[v] = 1;
  for (let k = n0 - 1; k >= 0; k--) {
    const v = order[k]!;
    if (pinned[v] || ins.start[v + 1]! > ins.start[v]! || outs.start[v + 1]! === outs.start[v]!) continue;
    let min = Infinity;
    for (let j = outs.start[v]!; j < outs.start[v + 1]!; j++) min = Math.min(min, rank[dst[outs.list[j]!]!]!);
    rank[v] = min - 1;
  }
  let maxRank = 0;
  for (let v = 0; v < n0; v++) maxRank = Math.max(maxRank, rank[v]!);
  for (const v of top) rank[v] = 0;
  return { rank, maxRank };
}

/** The graph that is laid out: real nodes 0…n0−1, then the dummies of long edges; segments sA[i] → sB[i] span one rank. */
interface Layered {
  n0: number;
  n: number;
  rank: Int32Array;
  w: Float64Array;
  h: Float64Array;
  /** Per kept edge: the first dummy of its source's shared chain (−1: none; −2: routed around the side instead). */
  chainStart: Int32Array;
  /** Source node of each dummy's chain (index d − n0). */
  owner: Int32Array;
  sA: Int32Array;
  sB: Int32Array;
  down: Csr;
  up: Csr;
}

/** Dummy chain length per source: one chain shared by all of a source's long edges (down to its deepest target). */
function chainLengths(n0: number, { src, dst }: Edges, rank: Int32Array): Int32Array {
  const len = new Int32Array(n0);
  for (let e = 0; e < src.length; e++) {
    const a = src[e]!;
    len[a] = Math.max(len[a]!, rank[dst[e]!]! - rank[a]! - 1);
  }
  return len;
}

/** Sources whose chains fit the dummy budget, shortest chains first; the rest are routed around the side. */
function chainedSources(len: Int32Array, budget: number): Uint8Array {
  const n0 = len.length;
  const chained = new Uint8Array(n0);
  const order: number[] = [];
  for (let v = 0; v < n0; v++) if (len[v]! > 0) order.push(v);
  order.sort((a, b) => len[a]! - len[b]! || a - b);
  let used = 0;
  for (const v of order) {
    if (used + len[v]! > budget) break;
    used += len[v]!;
    chained[v] = 1;
  }
  return chained;
}

/**
 * Long edges run through dummy nodes, one per rank they cross, so they take
 * their own place in every rank and never pass through a box. All long edges
 * of one source share one chain (an attention mask feeding 200 layers costs
 * one chain, not 200), which keeps the count near the graph's size. Past a
 * generous budget, the longest chains are not built: those edges are routed
 * around the right-hand side instead (see `sideRoute`), never drawn straight.
 */
function splitLongEdges(input: LayoutInput, n0: number, edges: Edges, rank: Int32Array): Layered {
  const { src, dst } = edges;
  const m0 = src.length;
  const len = chainLengths(n0, edges, rank);
  const chained = chainedSources(len, 4 * n0 + 50_000);
  const first = new Int32Array(n0).fill(-1);
  let n = n0;
  for (let v = 0; v < n0; v++) {
    if (!chained[v]) continue;
    first[v] = n;
    n += len[v]!;
  }
  const nodeRank = new Int32Array(n);
  nodeRank.set(rank);
  const w = new Float64Array(n).fill(8);
  const h = new Float64Array(n);
  for (let v = 0; v < n0; v++) {
    w[v] = input.sizes[2 * v]!;
    h[v] = input.sizes[2 * v + 1]!;
  }
  const segA: number[] = [];
  const segB: number[] = [];
  const owner = new Int32Array(n - n0);
  for (let v = 0; v < n0; v++) {
    if (first[v]! < 0) continue;
    let prev = v;
    for (let k = 0; k < len[v]!; k++) {
      const d = first[v]! + k;
      owner[d - n0] = v;
      nodeRank[d] = rank[v]! + 1 + k;
      segA.push(prev);
      segB.push(d);
      prev = d;
    }
  }
  const chainStart = new Int32Array(m0).fill(-1);
  for (let e = 0; e < m0; e++) {
    const a = src[e]!;
    const b = dst[e]!;
    const span = rank[b]! - rank[a]!;
    if (span === 1) {
      segA.push(a);
      segB.push(b);
    } else if (span > 1 && first[a]! >= 0) {
      chainStart[e] = first[a]!;
      segA.push(first[a]! + span - 2);
      segB.push(b);
    } else chainStart[e] = -2;
  }
  const ms = segA.length;
  const sA = Int32Array.from(segA);
  const sB = Int32Array.from(segB);
  return { n0, n, rank: nodeRank, w, h, chainStart, owner, sA, sB, down: csr(n, sA, ms), up: csr(n, sB, ms) };
}

/** Ranks in initial order: model order for real nodes, dummies after their source. */
function initialLayers(g: Layered, maxRank: number): number[][] {
  const { n, n0, sA, sB } = g;
  const layers: number[][] = Array.from({ length: maxRank + 1 }, () => []);
  const seq = new Float64Array(n);
  for (let v = 0; v < n0; v++) seq[v] = v;
  // Chain segments come first in sA/sB, each chain in order, so a dummy's source is already known.
  for (let s = 0; s < sA.length; s++) if (sB[s]! >= n0) seq[sB[s]!] = sA[s]! < n0 ? sA[s]! + 0.5 : seq[sA[s]!]!;
  for (let v = 0; v < n; v++) layers[g.rank[v]!]!.push(v);
  for (const layer of layers) layer.sort((a, b) => seq[a]! - seq[b]!);
  return layers;
}

/** Barycenter ordering sweeps: down the ranks by the rank above, then up by the rank below. */
function orderLayers(g: Layered, layers: number[][], sweeps: number): void {
  const maxRank = layers.length - 1;
  const pos = new Float64Array(g.n);
  const setPos = (layer: number[]): void => layer.forEach((v, i) => (pos[v] = i));
  layers.forEach(setPos);
  const bary = new Float64Array(g.n);
  const sweepLayer = (layer: number[], adj: Csr, other: Int32Array): void => {
    for (const v of layer) {
      const s = adj.start[v]!;
      const t = adj.start[v + 1]!;
      if (s === t) {
        bary[v] = pos[v]!;
        continue;
      }
      let sum = 0;
      for (let k = s; k < t; k++) sum += pos[other[adj.list[k]!]!]!;
      bary[v] = sum / (t - s);
    }
    if (layer.length < 2) return;
    layer.sort((a, b) => bary[a]! - bary[b]! || pos[a]! - pos[b]!);
    for (let i = 0; i < layer.length; i++) if (pos[layer[i]!] !== i) changed = true;
    setPos(layer);
  };
  let changed = true;
  // Stop early once a whole sweep leaves every rank's order as it was.
  for (let it = 0; it < sweeps && changed; it++) {
    changed = false;
    for (let r = 1; r <= maxRank; r++) sweepLayer(layers[r]!, g.up, g.sA);
    for (let r = maxRank - 1; r >= 0; r--) sweepLayer(layers[r]!, g.down, g.sB);
  }
}

/** Where each rank's band starts and ends vertically (bands are as tall as their tallest box, `ranksep` apart). */
interface Bands {
  y: Float64Array;
  top: Float64Array;
  bottom: Float64Array;
  /** Past the last rank's gap. */
  end: number;
}

/** y per node (centred in its rank's band) and the bands themselves. */
function rankY(g: Layered, layers: number[][], ranksep: number, room?: { above: Float64Array; below: Float64Array }): Bands {
  const y = new Float64Array(g.n);
  const top = new Float64Array(layers.length);
  const bottom = new Float64Array(layers.length);
  let at = 0;
  layers.forEach((layer, r) => {
    // Frames opening here need their title and padding above the gap; those closing below need their padding.
    if (room && r > 0) at += Math.max(0, room.above[r]! + room.below[r - 1]! + 4 - ranksep);
    else if (room) at += room.above[r]!;
    let rh = 0;
    for (const v of layer) rh = Math.max(rh, g.h[v]!);
    for (const v of layer) y[v] = at + rh / 2;
    top[r] = at;
    bottom[r] = at + rh;
    at += rh + ranksep;
  });
  return { y, top, bottom, end: at };
}

/** How hard u pulls v: long edges (dummy to dummy) hardest, so they run straight. */
function pull(g: Layered, v: number, u: number): number {
  const { n0, down } = g;
  if (v >= n0 && u >= n0) return 8;
  // A shared chain (a bus: one source feeding many ranks) neither pulls the boxes it feeds nor is pulled by them: both
  // would creep sideways rank after rank and a 3,000-rank stack would drift tens of thousands of pixels.
  const bus = (v >= n0 && down.start[v + 1]! - down.start[v]! > 1) || (u >= n0 && down.start[u + 1]! - down.start[u]! > 1);
  return bus ? 0.05 : v >= n0 || u >= n0 ? 2 : 1;
}

/** One rank's x, as close to its neighbours along `dirs` as the gaps allow (placeRow). */
function placeRank(g: Layered, x: Float64Array, layer: number[], gaps: Float64Array, dirs: readonly [Csr, Int32Array][], s: Scratch): number {
  const { want, weight, out } = s;
  for (let i = 0; i < layer.length; i++) {
    const v = layer[i]!;
    let sum = 0;
    let cnt = 0;
    for (const [adj, other] of dirs) {
      for (let k = adj.start[v]!; k < adj.start[v + 1]!; k++) {
        const u = other[adj.list[k]!]!;
        const wt = pull(g, v, u);
        sum += x[u]! * wt;
        cnt += wt;
      }
    }
    want[i] = cnt ? sum / cnt : x[v]!;
    weight[i] = cnt || 0.01;
  }
  placeRow(layer.length, gaps, s);
  let moved = 0;
  for (let i = 0; i < layer.length; i++) {
    moved = Math.max(moved, Math.abs(x[layer[i]!]! - out[i]!));
    x[layer[i]!] = out[i]!;
  }
  return moved;
}

/** x packed, then pulled towards neighbours a rank at a time (down and up passes, then both ways once). */
function placeX(g: Layered, layers: number[][], nodesep: number): Float64Array {
  const { n, n0, w, up, down, sA, sB } = g;
  const maxRank = layers.length - 1;
  const x = new Float64Array(n);
  const rowGaps = layers.map((layer) => {
    const gaps = new Float64Array(Math.max(0, layer.length - 1));
    for (let i = 1; i < layer.length; i++) gaps[i - 1] = (w[layer[i - 1]!]! + w[layer[i]!]!) / 2 + (layer[i - 1]! >= n0 && layer[i]! >= n0 ? nodesep / 3 : nodesep);
    return gaps;
  });
  layers.forEach((layer, r) => {
    let cx = 0;
    layer.forEach((v, i) => {
      if (i > 0) cx += rowGaps[r]![i - 1]!;
      x[v] = cx;
    });
  });
  const scratch = new Scratch(layers.reduce((m, l) => Math.max(m, l.length), 1));
  const ups: [Csr, Int32Array][] = [[up, sA]];
  const downs: [Csr, Int32Array][] = [[down, sB]];
  const both: [Csr, Int32Array][] = [...ups, ...downs];
  const place = (r: number, dirs: [Csr, Int32Array][]): number => placeRank(g, x, layers[r]!, rowGaps[r]!, dirs, scratch);
  const passes = n > 20_000 ? 4 : 8;
  // Stop early once a pass moves nothing by more than a quarter pixel.
  for (let it = 0, moved = Infinity; it < passes && moved > 0.25; it++) {
    moved = 0;
    for (let r = 1; r <= maxRank; r++) moved = Math.max(moved, place(r, ups));
    for (let r = maxRank - 1; r >= 0; r--) moved = Math.max(moved, place(r, downs));
  }
  for (let r = 0; r <= maxRank; r++) place(r, both);
  return x;
}

/** The left and right edges of all boxes (0 and 0 for an empty graph). */
function extentX(g: Layered, x: Float64Array): { minX: number; maxX: number } {
  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < g.n; v++) {
    minX = Math.min(minX, x[v]! - g.w[v]! / 2);
    maxX = Math.max(maxX, x[v]! + g.w[v]! / 2);
  }
  if (!Number.isFinite(minX)) minX = maxX = 0;
  return { minX, maxX };
}

/** Appends a point unless it repeats the last one. */
function push(pts: number[], x: number, y: number): void {
  const k = pts.length;
  if (k >= 2 && Math.abs(pts[k - 2]! - x) < 1e-9 && Math.abs(pts[k - 1]! - y) < 1e-9) return;
  pts.push(x, y);
}

/**
 * An edge without a chain, drawn around every box: down out of its source to
 * the gap below, across that gap to a lane right of the graph, along the lane,
 * across the gap above its target, and down into it. Gaps and lanes hold no
 * boxes, so the route crosses none.
 */
function sideRoute(pts: number[], ax: number, bx: number, by: number, below: number, above: number, lane: number): void {
  push(pts, ax, below);
  push(pts, lane, below);
  push(pts, lane, above);
  push(pts, bx, above);
  push(pts, bx, by);
}

/** Routing context: node positions, rank bands, and the lanes on the right for edges routed around the side. */
interface Routing {
  x: Float64Array;
  bands: Bands;
  ranksep: number;
  laneX: number;
  lanes: Map<number, number>;
}

/**
 * One edge's polyline from source bottom to target top, through its chain's dummies. Vertical runs
 * cross rank bands (to the band's edge beside a short box, straight through at a dummy); diagonal
 * runs only cross the gaps between bands, where no box is.
 */
function edgePoints(g: Layered, r: Routing, a: number, b: number, chain: number, from: number): number[] {
  const { rank, h } = g;
  const { x, bands } = r;
  const ra = rank[a]!;
  const rb = rank[b]!;
  const pts: number[] = [];
  if (from > ra + 1 && chain >= 0) return busBranch(g, r, b, chain, ra, from);
  push(pts, x[a]!, bands.y[a]! + h[a]! / 2);
  if (chain === -2 || rb <= ra) {
    let lane = r.lanes.get(a);
    if (lane === undefined) r.lanes.set(a, (lane = r.laneX + 6 * (r.lanes.size % 64)));
    const above = rb > 0 ? bands.bottom[rb - 1]! + r.ranksep / 2 : bands.top[rb]! - r.ranksep / 2;
    sideRoute(pts, x[a]!, x[b]!, bands.y[b]! - h[b]! / 2, bands.bottom[ra]! + r.ranksep / 2, above, lane);
    return pts;
  }
  push(pts, x[a]!, bands.bottom[ra]!);
  for (let k = 0; chain >= 0 && k < rb - ra - 1; k++) {
    push(pts, x[chain + k]!, bands.top[ra + 1 + k]!);
    push(pts, x[chain + k]!, bands.bottom[ra + 1 + k]!);
  }
  push(pts, x[b]!, bands.top[rb]!);
  push(pts, x[b]!, bands.y[b]! - h[b]! / 2);
  return pts;
}

/**
 * A later edge of a shared chain, drawn from where the previous one left the chain (the branch at
 * rank `from` − 1) down to its own target: the chain above is already drawn by the edges before
 * it, so the points of a source feeding k ranks stay O(chain + k), not O(chain × k).
 */
function busBranch(g: Layered, r: Routing, b: number, chain: number, ra: number, from: number): number[] {
  const { x, bands } = r;
  const rb = g.rank[b]!;
  const pts: number[] = [];
  const at = (rank: number): number => chain + (rank - ra - 1);
  push(pts, x[at(from - 1)]!, bands.bottom[from - 1]!);
  for (let k = from; k < rb; k++) {
    push(pts, x[at(k)]!, bands.top[k]!);
    push(pts, x[at(k)]!, bands.bottom[k]!);
  }
  push(pts, x[b]!, bands.top[rb]!);
  push(pts, x[b]!, bands.y[b]! - g.h[b]! / 2);
  return pts;
}

/** Per kept edge on a shared chain: the target rank of the previous edge on the chain (−1 for the first), see busBranch. */
function busStarts(g: Layered, { src, dst }: Edges): Int32Array {
  const from = new Int32Array(src.length).fill(-1);
  const onChain: number[] = [];
  for (let e = 0; e < src.length; e++) if (g.chainStart[e]! >= 0) onChain.push(e);
  onChain.sort((p, q) => src[p]! - src[q]! || g.rank[dst[p]!]! - g.rank[dst[q]!]! || p - q);
  for (let i = 1; i < onChain.length; i++) {
    const e = onChain[i]!;
    const prev = onChain[i - 1]!;
    if (src[prev] === src[e]) from[e] = g.rank[dst[prev]!]!;
  }
  return from;
}

/** Polylines for every kept edge; reversed edges flipped back; x shifted so the left edge is 0. Returns the right edge too. */
function routeEdges(g: Layered, edges: Edges, r: Routing, minX: number): number[][] {
  const { src, dst, reversed } = edges;
  const keptPoints: number[][] = [];
  const from = busStarts(g, edges);
  for (let e = 0; e < src.length; e++) {
    const pts = edgePoints(g, r, src[e]!, dst[e]!, g.chainStart[e]!, from[e]!);
    for (let k = 0; k < pts.length; k += 2) pts[k]! -= minX;
    if (reversed[e]) {
      const flipped: number[] = [];
      for (let k = pts.length - 2; k >= 0; k -= 2) flipped.push(pts[k]!, pts[k + 1]!);
      keptPoints.push(flipped);
    } else keptPoints.push(pts);
  }
  return keptPoints;
}

/** Groups for every laid-out node (a chain's dummies in the lowest group holding its source and targets), and ranks sorted by the groups' order. */
function groupLayers(g: Layered, { src, dst }: Edges, layers: number[][], groups: LayoutGroups): { tree: GroupTree; order: ReturnType<typeof hierarchicalOrder> } {
  const tree = groupTree(groups, g.n);
  const chainGroup = new Int32Array(g.n0);
  for (let v = 0; v < g.n0; v++) chainGroup[v] = tree.nodeGroup[v]!;
  for (let e = 0; e < src.length; e++) if (g.chainStart[e]! >= 0) chainGroup[src[e]!] = lca(tree, chainGroup[src[e]!]!, tree.nodeGroup[dst[e]!]!);
  for (let d = g.n0; d < g.n; d++) tree.nodeGroup[d] = chainGroup[g.owner[d - g.n0]!]!;
  const pos = new Float64Array(g.n);
  for (const layer of layers) layer.forEach((v, i) => (pos[v] = i - (layer.length - 1) / 2));
  const order = hierarchicalOrder(tree, g.n, pos);
  for (const layer of layers) layer.sort((a, b) => order.seq[a]! - order.seq[b]!);
  return { tree, order };
}

export function layoutGraph(input: LayoutInput): LayoutResult {
  const t0 = performance.now();
  const n0 = input.sizes.length / 2;
  const nodesep = input.nodesep ?? 20;
  // Netron-like density: about a dozen boxes per screen at a readable zoom; an edge label fits in the gap.
  const ranksep = input.ranksep ?? 22;

  const edges = keptEdges(input, n0);
  const { rank, maxRank } = rankNodes(n0, edges, input.top ?? []);
  const g = splitLongEdges(input, n0, edges, rank);
  const layers = initialLayers(g, maxRank);
  orderLayers(g, layers, input.sweeps ?? (g.n > 20_000 ? 2 : 4));
  const scoped = input.groups?.parent.length ? groupLayers(g, edges, layers, input.groups) : undefined;
  const bands = rankY(g, layers, ranksep, scoped && frameRoom(scoped.tree, g.rank, layers.length));
  const y = bands.y;
  const x = placeX(g, layers, nodesep);
  // Moves only widen gaps; one that distorts a neighbouring scope is caught by the next round.
  for (let round = 0; scoped && round < 4; round++) if (!separateGroups(scoped.tree, scoped.order, layers, g.rank, { x, y, w: g.w, h: g.h }, nodesep / 2)) break;
  const { minX, maxX: boxesMaxX } = extentX(g, x);
  const routing: Routing = { x, bands, ranksep, laneX: boxesMaxX + nodesep, lanes: new Map() };
  const keptPoints = routeEdges(g, edges, routing, minX);
  const maxX = routing.lanes.size ? routing.laneX + 6 * (Math.min(routing.lanes.size, 64) - 1) : boxesMaxX;

  const xs: number[] = new Array<number>(n0);
  const ys: number[] = new Array<number>(n0);
  for (let v = 0; v < n0; v++) {
    xs[v] = x[v]! - minX;
    ys[v] = y[v]!;
  }
  return {
    x: xs,
    y: ys,
    rank: Array.from(rank),
    points: edges.inputEdge.map((k) => (k >= 0 ? keptPoints[k]! : [])),
    width: maxX - minX,
    height: Math.max(0, bands.end - ranksep),
    ms: performance.now() - t0,
  };
}
