import { describe, expect, it } from 'vitest';
import { scopeFrames } from './frames';
import { buildGraphModel } from './graph-model';
import { layoutGraph } from './layout';
import { layoutInputOf } from './layout-input';
import { transformerSummary } from './synthetic';
import { initialExpanded, visibleGraph } from './visible';

describe('scope frames', () => {
  const m = buildGraphModel(transformerSummary(100));
  const g = visibleGraph(m, initialExpanded(m));
  const layout = layoutGraph(layoutInputOf(g, m));
  const frames = scopeFrames(m, g, layout);
  const byId = new Map(frames.map((f) => [f.scope, f]));
  const inside = (f: { x: number; y: number; w: number; h: number }, x0: number, y0: number, x1: number, y1: number): boolean => f.x <= x0 && f.y <= y0 && f.x + f.w >= x1 && f.y + f.h >= y1;

  it('frames every expanded scope of more than one node, and never the whole graph or a single node', () => {
    expect(byId.has('model/layers.0')).toBe(true);
    expect(byId.has('model/layers.0/attn')).toBe(true);
    expect(byId.has('model/embed')).toBe(false);
    expect(frames.every((f) => m.scopes.get(f.scope)!.count > 1)).toBe(true);
    // Parents are drawn first, so children sit on top.
    expect(frames.findIndex((f) => f.scope === 'model/layers.0')).toBeLessThan(frames.findIndex((f) => f.scope === 'model/layers.0/attn'));
  });

  it('contains its nodes and its child frames', () => {
    g.items.forEach((it, i) => {
      if (it.kind !== 'node') return;
      const scope = m.nodeScope[it.node!]!;
      const f = byId.get(scope);
      if (f) expect(inside(f, layout.x[i]! - it.width / 2, layout.y[i]! - it.height / 2, layout.x[i]! + it.width / 2, layout.y[i]! + it.height / 2)).toBe(true);
    });
    const child = byId.get('model/layers.1/mlp')!;
    expect(inside(byId.get('model/layers.1')!, child.x, child.y, child.x + child.w, child.y + child.h)).toBe(true);
  });

  it('leaves the graph input outside the frames of the layers below it', () => {
    const input = g.index.get('i:input_ids')!;
    const bottom = layout.y[input]! + g.items[input]!.height / 2;
    expect(frames.every((f) => f.y >= bottom)).toBe(true);
  });
});
