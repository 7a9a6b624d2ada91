/**
 * Name-scope frames for the layered layout, so that frames of sibling scopes
 * never overlap. Scopes are groups of nodes (a tree); the layout is told
 * which group each box belongs to. Three steps, each linear or n·log n:
 *  1. order: every rank is sorted by one hierarchical order (a depth-first
 *     walk of the group tree with each group's members by mean position), so
 *     a group's boxes are contiguous in every rank and siblings come in the
 *     same order in all ranks;
 *  2. gaps: the gap above a rank grows by the titles and padding of frames
 *     that open there, the gap below by the padding of frames that close;
 *  3. separation: bottom-up, a group overlapping an earlier sibling is moved
 *     right together with everything after it in that order (in every rank),
 *     which keeps every other group either rigid or merely wider.
 * Dummy nodes of a long edge belong to the lowest group holding both ends.
 */

/** Which group each real node is in (−1: none) and each group's parent (−1: top level). */
export interface LayoutGroups {
  of: number[];
  parent: number[];
}

/** A frame's padding around its boxes, and the extra room on top for its title (frames.ts draws with these). */
export const FRAME_PAD = 10;
export const FRAME_LABEL = 16;

export interface GroupTree {
  parent: Int32Array;
  depth: Int32Array;
  /** Group per laid-out node, dummies included. */
  nodeGroup: Int32Array;
}

export function groupTree(groups: LayoutGroups, n: number): GroupTree {
  const gc = groups.parent.length;
  const parent = Int32Array.from(groups.parent);
  const depth = new Int32Array(gc).fill(-1);
  for (let gi = 0; gi < gc; gi++) {
    // Parents may come after children: walk up (bounded by the group count, so a bad cycle cannot hang).
    const path: number[] = [];
    let cur = gi;
    while (cur >= 0 && depth[cur] === -1 && path.length <= gc) {
      path.push(cur);
      cur = parent[cur]!;
    }
    let d = cur >= 0 ? depth[cur]! : -1;
    for (let k = path.length - 1; k >= 0; k--) depth[path[k]!] = ++d;
  }
  // Every walk up must end: a parent not strictly shallower (a cycle, a bad index) is cut.
  for (let gi = 0; gi < gc; gi++) {
    const p = parent[gi]!;
    if (p >= gc || (p >= 0 && depth[p]! >= depth[gi]!)) parent[gi] = -1;
  }
  const nodeGroup = new Int32Array(n).fill(-1);
  for (let v = 0; v < groups.of.length && v < n; v++) {
    const gi = groups.of[v]!;
    nodeGroup[v] = gi >= 0 && gi < gc ? gi : -1;
  }
  return { parent, depth, nodeGroup };
}

/** Lowest common group of a and b (−1: none). */
export function lca(t: GroupTree, a: number, b: number): number {
  while (a !== b) {
    if (a < 0 || b < 0) return -1;
    if (t.depth[a]! >= t.depth[b]!) a = t.parent[a]!;
    else b = t.parent[b]!;
  }
  return a;
}

/**
 * The hierarchical order: a sequence number per node (`seq`) and per group (`slot`, placed before its
 * members). Members of a group (its direct nodes and child groups) are ordered by mean position.
 */
export function hierarchicalOrder(t: GroupTree, n: number, pos: Float64Array): { seq: Float64Array; slot: Float64Array } {
  const gc = t.parent.length;
  const sum = new Float64Array(gc);
  const cnt = new Float64Array(gc);
  for (let v = 0; v < n; v++)
    for (let gi = t.nodeGroup[v]!; gi >= 0; gi = t.parent[gi]!) {
      sum[gi]! += pos[v]!;
      cnt[gi]!++;
    }
  const key = (gi: number): number => (cnt[gi] ? sum[gi]! / cnt[gi]! : 0);
  // Children of each group (and of the top level, index gc): groups as −(g+1), nodes as themselves.
  const kids: number[][] = Array.from({ length: gc + 1 }, () => []);
  for (let gi = 0; gi < gc; gi++) kids[t.parent[gi]! < 0 ? gc : t.parent[gi]!]!.push(-(gi + 1));
  for (let v = 0; v < n; v++) kids[t.nodeGroup[v]! < 0 ? gc : t.nodeGroup[v]!]!.push(v);
  const k = (m: number): number => (m < 0 ? key(-m - 1) : pos[m]!);
  for (const list of kids) list.sort((a, b) => k(a) - k(b) || a - b);
  const seq = new Float64Array(n);
  const slot = new Float64Array(gc);
  let next = 0;
  const stack: [number, number][] = [[gc, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const list = kids[top[0]]!;
    if (top[1] >= list.length) {
      stack.pop();
      continue;
    }
    const m = list[top[1]++]!;
    if (m >= 0) seq[m] = next++;
    else {
      slot[-m - 1] = next++;
      stack.push([-m - 1, 0]);
    }
  }
  return { seq, slot };
}

/** First and last rank each group spans (its members' and descendants'). */
function groupRanks(t: GroupTree, rank: Int32Array): { first: Int32Array; last: Int32Array } {
  const gc = t.parent.length;
  const first = new Int32Array(gc).fill(2 ** 30);
  const last = new Int32Array(gc).fill(-1);
  for (let v = 0; v < rank.length; v++)
    for (let gi = t.nodeGroup[v]!; gi >= 0; gi = t.parent[gi]!) {
      first[gi] = Math.min(first[gi]!, rank[v]!);
      last[gi] = Math.max(last[gi]!, rank[v]!);
    }
  return { first, last };
}

/** Extra room per rank: above it for the frames that open there (title + padding), below it for those that close. */
export function frameRoom(t: GroupTree, rank: Int32Array, ranks: number): { above: Float64Array; below: Float64Array } {
  const { first, last } = groupRanks(t, rank);
  const above = new Float64Array(ranks);
  const below = new Float64Array(ranks);
  for (let v = 0; v < rank.length; v++) {
    let open = 0;
    let close = 0;
    for (let gi = t.nodeGroup[v]!; gi >= 0; gi = t.parent[gi]!) {
      if (first[gi] === rank[v]) open++;
      if (last[gi] === rank[v]) close++;
    }
    const r = rank[v]!;
    above[r] = Math.max(above[r]!, open * (FRAME_PAD + FRAME_LABEL));
    below[r] = Math.max(below[r]!, close * FRAME_PAD);
  }
  return { above, below };
}

interface Extent {
  x0: Float64Array;
  x1: Float64Array;
  y0: Float64Array;
  y1: Float64Array;
}

/** Each group's frame (padded box of its members and child frames), from the deepest groups up. */
function extents(t: GroupTree, x: Float64Array, y: Float64Array, w: Float64Array, h: Float64Array, byDepth: number[]): Extent {
  const gc = t.parent.length;
  const e: Extent = { x0: new Float64Array(gc).fill(Infinity), x1: new Float64Array(gc).fill(-Infinity), y0: new Float64Array(gc).fill(Infinity), y1: new Float64Array(gc).fill(-Infinity) };
  const grow = (gi: number, a: number, b: number, c: number, d: number): void => {
    e.x0[gi] = Math.min(e.x0[gi]!, a);
    e.y0[gi] = Math.min(e.y0[gi]!, b);
    e.x1[gi] = Math.max(e.x1[gi]!, c);
    e.y1[gi] = Math.max(e.y1[gi]!, d);
  };
  for (let v = 0; v < x.length; v++) {
    const gi = t.nodeGroup[v]!;
    if (gi >= 0 && w[v]! > 0) grow(gi, x[v]! - w[v]! / 2, y[v]! - h[v]! / 2, x[v]! + w[v]! / 2, y[v]! + h[v]! / 2);
  }
  for (const gi of byDepth) {
    if (!Number.isFinite(e.x0[gi]!)) continue;
    e.x0[gi]! -= FRAME_PAD;
    e.x1[gi]! += FRAME_PAD;
    e.y0[gi]! -= FRAME_PAD + FRAME_LABEL;
    e.y1[gi]! += FRAME_PAD;
    const p = t.parent[gi]!;
    if (p >= 0) grow(p, e.x0[gi]!, e.y0[gi]!, e.x1[gi]!, e.y1[gi]!);
  }
  return e;
}

/** Moves sibling groups apart (see the module header); x is changed in place. Returns how many moves it made. */
export function separateGroups(
  t: GroupTree,
  order: { seq: Float64Array; slot: Float64Array },
  layers: number[][],
  rank: Int32Array,
  box: { x: Float64Array; y: Float64Array; w: Float64Array; h: Float64Array },
  gap: number,
): number {
  const gc = t.parent.length;
  if (!gc) return 0;
  const { x, y, w, h } = box;
  const byDepth = Array.from({ length: gc }, (_, i) => i).sort((a, b) => t.depth[b]! - t.depth[a]!);
  const kids: number[][] = Array.from({ length: gc + 1 }, () => []);
  for (let gi = 0; gi < gc; gi++) kids[t.parent[gi]! < 0 ? gc : t.parent[gi]!]!.push(gi);
  for (const list of kids) list.sort((a, b) => order.slot[a]! - order.slot[b]!);
  const { first, last } = groupRanks(t, rank);
  const maxDepth = t.depth[byDepth[0]!]!;
  let moves = 0;
  // Deepest sibling sets first. A move shifts, in the ranks its parent spans, everything from the group on (in the
  // hierarchical order, so each rank keeps its order and only its gaps grow).
  for (let d = maxDepth; d >= 0; d--) {
    const e = extents(t, x, y, w, h, byDepth);
    const events: Move[] = [];
    for (let p = -1; p < gc; p++) {
      if ((p >= 0 && t.depth[p]! !== d - 1) || (p < 0 && d !== 0)) continue;
      const lo = p >= 0 ? first[p]! : 0;
      const hi = p >= 0 ? last[p]! : layers.length - 1;
      separateSiblings(kids[p < 0 ? gc : p]!, e, gap, (gi, delta) => events.push({ lo, hi, slot: order.slot[gi]!, delta }));
    }
    moves += events.length;
    applyMoves(events, layers, order.seq, x);
  }
  return moves;
}

interface Move {
  lo: number;
  hi: number;
  slot: number;
  delta: number;
}

/** Shifts, in ranks lo…hi, every node at or after `slot` in the hierarchical order (each rank is sorted by it). */
function applyMoves(events: Move[], layers: number[][], seq: Float64Array, x: Float64Array): void {
  if (!events.length) return;
  const diff = new Map<number, Float64Array>();
  for (const ev of events)
    for (let r = ev.lo; r <= ev.hi; r++) {
      const layer = layers[r]!;
      let lo = 0;
      let hi = layer.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (seq[layer[mid]!]! < ev.slot) lo = mid + 1;
        else hi = mid;
      }
      if (lo >= layer.length) continue;
      let dr = diff.get(r);
      if (!dr) diff.set(r, (dr = new Float64Array(layer.length)));
      dr[lo]! += ev.delta;
    }
  for (const [r, dr] of diff) {
    let acc = 0;
    layers[r]!.forEach((v, i) => {
      acc += dr[i]!;
      x[v]! += acc;
    });
  }
}

/** Max over ranges of slots with "raise to at least" over ranges: which earlier siblings a sibling meets vertically, in log time. */
class RangeMax {
  private size = 1;
  private tree: Float64Array;
  private lazy: Float64Array;
  constructor(n: number) {
    while (this.size < n) this.size *= 2;
    this.tree = new Float64Array(2 * this.size).fill(-Infinity);
    this.lazy = new Float64Array(2 * this.size).fill(-Infinity);
  }
  /** Raises every slot in [lo, hi) to at least v. */
  raise(lo: number, hi: number, v: number, node = 1, nl = 0, nr = this.size): void {
    if (hi <= nl || nr <= lo) return;
    this.tree[node] = Math.max(this.tree[node]!, v);
    if (lo <= nl && nr <= hi) {
      this.lazy[node] = Math.max(this.lazy[node]!, v);
      return;
    }
    const mid = (nl + nr) >> 1;
    this.raise(lo, hi, v, 2 * node, nl, mid);
    this.raise(lo, hi, v, 2 * node + 1, mid, nr);
  }
  /** The largest value in [lo, hi). */
  max(lo: number, hi: number, node = 1, nl = 0, nr = this.size): number {
    if (hi <= nl || nr <= lo) return -Infinity;
    if (lo <= nl && nr <= hi) return this.tree[node]!;
    const mid = (nl + nr) >> 1;
    return Math.max(this.lazy[node]!, this.max(lo, hi, 2 * node, nl, mid), this.max(lo, hi, 2 * node + 1, mid, nr));
  }
}

/** One sibling set, left to right: each is pushed clear of every earlier sibling it meets vertically. */
function separateSiblings(sib: number[], e: Extent, gap: number, move: (gi: number, delta: number) => void): void {
  const live = sib.filter((gi) => Number.isFinite(e.x0[gi]!));
  if (live.length < 2) return;
  // Vertical extents as ranges of elementary slots between all the siblings' tops and bottoms (recursion depth: log of that).
  const ys = [...new Set(live.flatMap((gi) => [e.y0[gi]!, e.y1[gi]!]))].sort((a, b) => a - b);
  const at = new Map(ys.map((y, i) => [y, i]));
  const placed = new RangeMax(ys.length);
  let moved = 0;
  for (const gi of live) {
    const lo = at.get(e.y0[gi]!)!;
    const hi = at.get(e.y1[gi]!)!;
    const need = placed.max(lo, hi) + gap - (e.x0[gi]! + moved);
    if (need > 0) {
      moved += need;
      move(gi, need);
    }
    e.x0[gi]! += moved;
    e.x1[gi]! += moved;
    placed.raise(lo, hi, e.x1[gi]!);
  }
}
