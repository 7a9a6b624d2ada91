import { describe, expect, it } from 'vitest';
import type { GraphSummary } from '@contract/lab-api';
import { scopeFrames } from './frames';
import { buildGraphModel } from './graph-model';
import { layoutGraph, type LayoutInput, type LayoutResult } from './layout';
import { layoutInputOf } from './layout-input';
import { transformerSummary } from './synthetic';
import { allScopes, visibleGraph } from './visible';

/** The transformer with an attention mask feeding every layer's attention scores (added here unless the synthetic model already has one). */
export function maskedTransformer(nodes: number): GraphSummary {
  const s = transformerSummary(nodes);
  if (s.inputs.some((i) => /mask/.test(i.name))) return s;
  return {
    ...s,
    inputs: [...s.inputs, { name: 'attention_mask', dtype: 'INT64', dims: [1, 'seq'] }],
    nodes: s.nodes.map((n) => (/\/attn\/MatMul$/.test(n.name) ? { ...n, inputs: [...n.inputs, 'attention_mask'] } : n)),
  };
}

/** Segments (as their bounding boxes) that enter a box's interior; a grid keeps 10k boxes × 100k segments quick. */
export function segmentsThroughBoxes(input: LayoutInput, r: LayoutResult): string[] {
  const n = input.sizes.length / 2;
  const CELL = 256;
  const grid = new Map<string, number[]>();
  const box = (v: number): [number, number, number, number] => {
    const w = input.sizes[2 * v]! / 2;
    const h = input.sizes[2 * v + 1]! / 2;
    return [r.x[v]! - w, r.y[v]! - h, r.x[v]! + w, r.y[v]! + h];
  };
  for (let v = 0; v < n; v++) {
    const [x0, y0, x1, y1] = box(v);
    for (let gx = Math.floor(x0 / CELL); gx <= Math.floor(x1 / CELL); gx++)
      for (let gy = Math.floor(y0 / CELL); gy <= Math.floor(y1 / CELL); gy++) grid.set(`${gx},${gy}`, [...(grid.get(`${gx},${gy}`) ?? []), v]);
  }
  const bad: string[] = [];
  const eps = 0.5;
  r.points.forEach((p, e) => {
    for (let k = 2; k < p.length; k += 2) {
      const sx0 = Math.min(p[k - 2]!, p[k]!);
      const sx1 = Math.max(p[k - 2]!, p[k]!);
      const sy0 = Math.min(p[k - 1]!, p[k + 1]!);
      const sy1 = Math.max(p[k - 1]!, p[k + 1]!);
      const seen = new Set<number>();
      for (let gx = Math.floor(sx0 / CELL); gx <= Math.floor(sx1 / CELL); gx++)
        for (let gy = Math.floor(sy0 / CELL); gy <= Math.floor(sy1 / CELL); gy++)
          for (const v of grid.get(`${gx},${gy}`) ?? []) {
            if (seen.has(v)) continue;
            seen.add(v);
            const [x0, y0, x1, y1] = box(v);
            if (sx1 > x0 + eps && sx0 < x1 - eps && sy1 > y0 + eps && sy0 < y1 - eps) bad.push(`edge ${e} segment ${k / 2} crosses box ${v}`);
          }
    }
  });
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

  it.todo('keeps the frames of sibling scopes apart', () => {
    const m = buildGraphModel(maskedTransformer(10_000));
    const g = visibleGraph(m, allScopes(m));
    const r = layoutGraph(layoutInputOf(g));
    const frames = scopeFrames(m, g, r);
    const overlaps: string[] = [];
    const byParent = new Map<string, typeof frames>();
    for (const f of frames) {
      const p = m.scopes.get(f.scope)!.parent ?? '';
      byParent.set(p, [...(byParent.get(p) ?? []), f]);
    }
    for (const sib of byParent.values()) {
      sib.sort((a, b) => a.y - b.y);
      for (let i = 0; i < sib.length; i++)
        for (let j = i + 1; j < sib.length && sib[j]!.y < sib[i]!.y + sib[i]!.h; j++) {
          const a = sib[i]!;
          const b = sib[j]!;
          if (a.x < b.x + b.w && b.x < a.x + a.w) overlaps.push(`${a.scope} / ${b.scope}`);
        }
    }
    expect(overlaps.slice(0, 5)).toEqual([]);
  });
});
