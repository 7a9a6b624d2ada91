import { describe, expect, it } from 'vitest';
import { buildGraphModel } from './graph-model';
import { layoutGraph } from './layout';
import { layoutInputOf } from './layout-input';
import { maskedTransformer } from './layout-test-support';
import { chainSummary } from './synthetic';
import { boxesInView, fitView, openingView, READABLE_K } from './viewport';
import { initialExpanded, visibleGraph } from './visible';

/** The canvas of a 1280×800 window with the graph over the whole window (less its toolbar). */
const WINDOW = { w: 1280, h: 764 };

function laidOut(summary: Parameters<typeof buildGraphModel>[0]) {
  const m = buildGraphModel(summary);
  const g = visibleGraph(m, initialExpanded(m));
  return { g, layout: layoutGraph(layoutInputOf(g)) };
}

describe('graph viewport', () => {
  it('opens the 10k transformer (collapsed, attention mask to every layer) on a screen full of boxes at a readable zoom', () => {
    const { g, layout } = laidOut(maskedTransformer(10_000));
    const v = openingView(layout, g.items, WINDOW);
    expect(v.k).toBeGreaterThanOrEqual(READABLE_K);
    const shown = boxesInView(layout, g.items, WINDOW, v).filter((i) => g.items[i]!.kind !== 'input');
    expect(shown.length).toBeGreaterThanOrEqual(12);
    // The top of the graph: the first input is on screen.
    expect(boxesInView(layout, g.items, WINDOW, v)).toContain(g.index.get('i:input_ids'));
  });

  it('never fits a 330-node chain down to a hairline: it shows the top at a readable zoom instead', () => {
    const { g, layout } = laidOut(chainSummary(330));
    const v = fitView(layout, g.items, { w: 500, h: 550 });
    expect(v.k).toBeGreaterThanOrEqual(READABLE_K);
    expect(boxesInView(layout, g.items, { w: 500, h: 550 }, v).length).toBeGreaterThanOrEqual(5);
  });

  it('fits a small graph whole, no bigger than 1:1 when it opens', () => {
    const { g, layout } = laidOut(chainSummary(3));
    const v = openingView(layout, g.items, WINDOW);
    expect(v.k).toBe(1);
    expect(boxesInView(layout, g.items, WINDOW, v)).toHaveLength(g.items.length);
  });
});
