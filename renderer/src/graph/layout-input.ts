/** The layout's input for a visible graph: box sizes, edges, graph inputs pinned to the top. */
import type { LayoutInput } from './layout';
import type { VisibleGraph } from './visible';

export function layoutInputOf(g: VisibleGraph): LayoutInput {
  const sizes: number[] = [];
  for (const it of g.items) sizes.push(it.width, it.height);
  const edges: number[] = [];
  for (const e of g.edges) edges.push(e.from, e.to);
  const top: number[] = [];
  g.items.forEach((it, i) => it.kind === 'input' && top.push(i));
  return { sizes, edges, top };
}
