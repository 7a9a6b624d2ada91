import { describe, expect, it } from 'vitest';
import { frameTitleBox, LABEL_H, placeEdgeLabels } from './edge-labels';
import { scopeFrames } from './frames';
import { buildGraphModel } from './graph-model';
import { layoutGraph } from './layout';
import { layoutInputOf } from './layout-input';
import { maskedTransformer } from './layout-test-support';
import { allScopes, initialExpanded, visibleGraph } from './visible';

type Rect = [number, number, number, number];
const overlap = (a: Rect, b: Rect): boolean => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

function check(expandAll: boolean) {
  const m = buildGraphModel(maskedTransformer(expandAll ? 2_000 : 10_000));
  const g = visibleGraph(m, expandAll ? allScopes(m) : initialExpanded(m));
  const layout = layoutGraph(layoutInputOf(g));
  const frames = scopeFrames(m, g, layout);
  const labels = placeEdgeLabels(g, layout, frames);
  const rects: Rect[] = labels.map((l) => [l.x, l.y, l.x + l.w, l.y + LABEL_H]);
  const bad: string[] = [];
  // Sweep by y so 10k labels stay quick.
  const order = rects.map((_, i) => i).sort((a, b) => rects[a]![1] - rects[b]![1]);
  for (let i = 0; i < order.length; i++)
    for (let j = i + 1; j < order.length && rects[order[j]!]![1] < rects[order[i]!]![3]; j++) if (overlap(rects[order[i]!]!, rects[order[j]!]!)) bad.push(`labels ${order[i]} and ${order[j]} overlap`);
  g.items.forEach((it, i) => {
    const box: Rect = [layout.x[i]! - it.width / 2, layout.y[i]! - it.height / 2, layout.x[i]! + it.width / 2, layout.y[i]! + it.height / 2];
    rects.forEach((r, k) => overlap(r, box) && bad.push(`label ${k} over box ${i}`));
  });
  for (const f of frames) rects.forEach((r, k) => overlap(r, frameTitleBox(f)) && bad.push(`label ${k} over the title of ${f.scope}`));
  return { g, labels, bad };
}

describe('edge labels', () => {
  it('never overlap each other, a box or a scope title (expanded transformer with an attention mask)', () => {
    const { g, labels, bad } = check(true);
    expect(bad.slice(0, 5)).toEqual([]);
    // Most edges keep their label; the rest keep it in their hover text.
    const wanted = g.edges.filter((e) => e.label || e.count > 1).length;
    expect(labels.length).toBeGreaterThan(wanted * 0.8);
    expect(g.edges.every((e) => e.tooltip.length > 0)).toBe(true);
  });

  it('label the collapsed 10k transformer without overlaps', () => {
    expect(check(false).bad.slice(0, 5)).toEqual([]);
  });
});
