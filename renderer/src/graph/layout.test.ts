import { describe, expect, it } from 'vitest';
import { buildGraphModel } from './graph-model';
import { layoutGraph, type LayoutInput, type LayoutResult } from './layout';
import { layoutInputOf } from './layout-runner';
import { chainSummary, transformerSummary } from './synthetic';
import { allScopes, visibleGraph } from './visible';

/** Checks the layout's invariants; collects every violation so a failure says what broke (and 10k nodes stay quick). */
function checkLayout(input: LayoutInput, r: LayoutResult, acyclic = true): void {
  const n = input.sizes.length / 2;
  const bad: string[] = [];
  // Ranks respect edges (every edge points down) when the graph has no cycle.
  if (acyclic) for (let e = 0; e < input.edges.length; e += 2) if (r.rank[input.edges[e + 1]!]! <= r.rank[input.edges[e]!]!) bad.push(`edge ${e / 2} does not point down`);
  // Boxes in a rank do not overlap.
  const byRank = new Map<number, number[]>();
  for (let v = 0; v < n; v++) byRank.set(r.rank[v]!, [...(byRank.get(r.rank[v]!) ?? []), v]);
  for (const vs of byRank.values()) {
    vs.sort((a, b) => r.x[a]! - r.x[b]!);
    for (let i = 1; i < vs.length; i++) {
      const a = vs[i - 1]!;
      const b = vs[i]!;
      if (r.x[b]! - input.sizes[2 * b]! / 2 < r.x[a]! + input.sizes[2 * a]! / 2 - 1e-6) bad.push(`${a} and ${b} overlap`);
    }
  }
  // Every box lies inside the reported bounds, and edges start and end at their boxes.
  for (let v = 0; v < n; v++) {
    if (r.x[v]! - input.sizes[2 * v]! / 2 < -1e-6 || r.x[v]! + input.sizes[2 * v]! / 2 > r.width + 1e-6) bad.push(`${v} is out of bounds`);
  }
  for (let e = 0; e < input.edges.length / 2; e++) {
    const a = input.edges[2 * e]!;
    const b = input.edges[2 * e + 1]!;
    const p = r.points[e]!;
    if (a === b) continue;
    if (Math.abs(p[0]! - r.x[a]!) > 1e-6 || Math.abs(p[p.length - 2]! - r.x[b]!) > 1e-6) bad.push(`edge ${e} is detached`);
  }
  expect(bad.slice(0, 5)).toEqual([]);
}

describe('layered layout', () => {
  it('ranks a diamond and keeps siblings apart', () => {
    const input: LayoutInput = { sizes: [80, 30, 80, 30, 120, 30, 80, 30], edges: [0, 1, 0, 2, 1, 3, 2, 3] };
    const r = layoutGraph(input);
    expect(r.rank).toEqual([0, 1, 1, 2]);
    checkLayout(input, r);
    expect(r.y[1]).toBe(r.y[2]);
    expect(r.y[3]!).toBeGreaterThan(r.y[1]!);
  });

  it('routes long edges through the rank gaps', () => {
    const input: LayoutInput = { sizes: [60, 20, 60, 20, 60, 20, 60, 20], edges: [0, 1, 1, 2, 2, 3, 0, 3] };
    const r = layoutGraph(input);
    checkLayout(input, r);
    // Down out of 0, then through the two dummies (into and out of each rank band), into 3.
    expect(r.points[3]!.length).toBeGreaterThanOrEqual(2 * 6);
  });

  it('survives cycles, self-loops and duplicate edges', () => {
    const input: LayoutInput = { sizes: [50, 20, 50, 20, 50, 20], edges: [0, 1, 1, 2, 2, 0, 1, 1, 0, 1] };
    const r = layoutGraph(input);
    checkLayout(input, r, false);
    expect(r.points[3]).toEqual([]);
    expect(r.points[4]).toEqual(r.points[0]);
  });

  it('keeps graph inputs in the first rank', () => {
    const input: LayoutInput = { sizes: [40, 20, 40, 20, 40, 20, 40, 20], edges: [0, 1, 1, 2, 3, 2], top: [0, 3] };
    const r = layoutGraph(input);
    expect(r.rank[3]).toBe(0);
    const free = layoutGraph({ ...input, top: [0] });
    expect(free.rank[3]).toBe(1); // a free source sits next to its consumer
  });

  it('lays out a 10,000-deep chain without overflowing the stack', () => {
    const m = buildGraphModel(chainSummary(10_000));
    const g = visibleGraph(m, new Set());
    const input = layoutInputOf(g);
    const r = layoutGraph(input);
    expect(r.rank[g.index.get('o:t9999')!]).toBe(10_001);
    checkLayout(input, r);
  });

  it('lays out a fully expanded 10,000-node transformer with ranks respecting edges', () => {
    const m = buildGraphModel(transformerSummary(10_000));
    const g = visibleGraph(m, allScopes(m));
    expect(g.items.length).toBeGreaterThan(9_900);
    const input = layoutInputOf(g);
    const r = layoutGraph(input);
    checkLayout(input, r);
    // Residual streams keep the stack narrow instead of drifting sideways.
    expect(r.width).toBeLessThan(3_000);
  });
});
