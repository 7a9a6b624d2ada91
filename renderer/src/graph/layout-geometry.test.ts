import { describe, expect, it } from 'vitest';
import { scopeFrames, type ScopeFrame } from './frames';
import { buildGraphModel } from './graph-model';
import { layoutGraph, type LayoutInput } from './layout';
import { layoutInputOf } from './layout-input';
import { maskedTransformer, segmentsThroughBoxes } from './layout-test-support';
import { emptySummary, graphNode } from './synthetic';
import { allScopes, initialExpanded, visibleGraph } from './visible';

/** Pairs of frames, neither inside the other, that overlap (a sweep down the page keeps 3,000 frames quick). */
function frameOverlaps(frames: ScopeFrame[]): string[] {
  const bad: string[] = [];
  const nested = (a: string, b: string): boolean => a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
  const sorted = [...frames].sort((a, b) => a.y - b.y);
  for (let i = 0; i < sorted.length; i++)
    for (let j = i + 1; j < sorted.length && sorted[j]!.y < sorted[i]!.y + sorted[i]!.h; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      if (!nested(a.scope, b.scope) && a.x < b.x + b.w && b.x < a.x + a.w) bad.push(`${a.scope} / ${b.scope}`);
    }
  return bad;
}

describe('layout geometry', () => {
  it('routes an edge skipping ranks around the boxes it passes', () => {
    // 0 → 1 → 2 → 3 and 0 → 3: the long edge must not cut through 1 or 2 (wide boxes right under 0).
    const input: LayoutInput = { sizes: [60, 20, 200, 60, 200, 60, 60, 20], edges: [0, 1, 1, 2, 2, 3, 0, 3] };
    const r = layoutGraph(input);
    expect(segmentsThroughBoxes(input, r)).toEqual([]);
  });

  it('keeps every long edge of the 10k transformer with an attention mask out of every box', () => {
    const m = buildGraphModel(maskedTransformer(10_000));
    const g = visibleGraph(m, allScopes(m));
    const input = layoutInputOf(g);
    const r = layoutGraph(input);
    const mask = g.index.get('i:attention_mask')!;
    expect(g.edges.filter((e) => e.from === mask).length).toBeGreaterThan(300);
    expect(segmentsThroughBoxes(input, r).slice(0, 5)).toEqual([]);
  });

  it('keeps interleaved sibling scopes in separate columns', () => {
    // a/1 → b/1 → a/2 → b/2 → a/3 → c: scopes a and b take turns down one chain.
    const names = ['a/x/R1', 'b/x/R1', 'a/x/R2', 'b/x/R2', 'a/x/R3', 'c'];
    const nodes = names.map((name, i) => graphNode(`/${name}`, 'Relu', [i ? `t${i - 1}` : 'in'], [`t${i}`]));
    const m = buildGraphModel(emptySummary({ inputs: [{ name: 'in', dtype: 'FP32', dims: [1] }], outputs: [{ name: 't5', dtype: 'FP32', dims: [1] }], nodes }));
    const g = visibleGraph(m, allScopes(m));
    const input = layoutInputOf(g, m);
    const r = layoutGraph(input);
    const frames = scopeFrames(m, g, r);
    expect(frames.map((f) => f.scope).sort()).toEqual(['a', 'a/x', 'b', 'b/x']);
    expect(frameOverlaps(frames)).toEqual([]);
    expect(segmentsThroughBoxes(input, r)).toEqual([]);
  });

  it('routes edges past the dummy budget around the side, still clear of every box', () => {
    // A 300-deep chain of wide boxes and 300 pinned inputs, input i feeding chain node 299 − i / 3: far more dummies than the budget.
    const sizes: number[] = [];
    const edges: number[] = [];
    const top: number[] = [];
    for (let i = 0; i < 300; i++) sizes.push(160, 40);
    for (let i = 1; i < 300; i++) edges.push(i - 1, i);
    for (let i = 0; i < 300; i++) {
      top.push(300 + i);
      sizes.push(40, 20);
      edges.push(300 + i, 299 - Math.floor(i / 3));
    }
    const input: LayoutInput = { sizes, edges, top };
    const r = layoutGraph(input);
    const sideways = r.points.filter((p) => p.some((x, k) => k % 2 === 0 && x > Math.max(...r.x.map((cx, v) => cx + sizes[2 * v]! / 2))));
    expect(sideways.length).toBeGreaterThan(0);
    expect(segmentsThroughBoxes(input, r)).toEqual([]);
    for (const p of r.points) expect(p.every((x, k) => k % 2 === 1 || (x >= -1e-6 && x <= r.width + 1e-6))).toBe(true);
  });

  it('survives groups that form a cycle or name groups that do not exist', () => {
    const input: LayoutInput = { sizes: [40, 20, 40, 20, 40, 20], edges: [0, 1, 1, 2], groups: { of: [0, 1, 7], parent: [1, 0] } };
    const r = layoutGraph(input);
    expect(r.rank).toEqual([0, 1, 2]);
  });

  it('keeps a collapsed stack narrow and its polylines small when one mask feeds every layer', () => {
    const m = buildGraphModel(maskedTransformer(20_000));
    const g = visibleGraph(m, initialExpanded(m));
    const input = layoutInputOf(g);
    const r = layoutGraph(input);
    const mask = g.index.get('i:attention_mask')!;
    const maskEdges = g.edges.map((e, i) => (e.from === mask ? i : -1)).filter((i) => i >= 0);
    expect(maskEdges.length).toBeGreaterThan(600);
    // No drift rank after rank: the layer stack and the mask's chain stay side by side.
    expect(r.width).toBeLessThan(1_500);
    // The chain is drawn once: each later edge starts where the one before left it.
    const points = maskEdges.reduce((sum, e) => sum + r.points[e]!.length / 2, 0);
    expect(points).toBeLessThan(4 * (Math.max(...r.rank) + maskEdges.length));
    expect(segmentsThroughBoxes(input, r)).toEqual([]);
  });

  it('keeps the frames of sibling scopes apart (10k transformer with an attention mask, expanded)', () => {
    const m = buildGraphModel(maskedTransformer(10_000));
    const g = visibleGraph(m, allScopes(m));
    const input = layoutInputOf(g, m);
    const r = layoutGraph(input);
    expect(segmentsThroughBoxes(input, r).slice(0, 5)).toEqual([]);
    expect(frameOverlaps(scopeFrames(m, g, r)).slice(0, 5)).toEqual([]);
  });
});
