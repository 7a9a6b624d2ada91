/** The layout's input for a visible graph: box sizes, edges, graph inputs pinned to the top, and (given the model) the framed scopes as groups. */
import type { GraphModel } from './graph-model';
import type { LayoutInput } from './layout';
import type { LayoutGroups } from './layout-groups';
import type { VisibleGraph } from './visible';

/** Whether scope `id` gets a frame when expanded (frames.ts): more than one node, and not the whole graph. */
export function framedScope(m: GraphModel, id: string): boolean {
  const s = m.scopes.get(id);
  return !!s && id !== '' && s.count > 1 && s.count < m.scopes.get('')!.count;
}

/** Each item's innermost framed scope as a group, and each group's nearest framed ancestor as its parent. */
export function scopeGroups(m: GraphModel, g: VisibleGraph): LayoutGroups {
  const ids = new Map<string, number>();
  const parent: number[] = [];
  const groupOf = (scope: string | undefined): number => {
    // Walk up to the first framed scope, then register it and its framed ancestors (iteratively).
    const chain: string[] = [];
    for (let cur = scope; cur !== undefined && cur !== ''; cur = m.scopes.get(cur)?.parent) if (framedScope(m, cur)) chain.push(cur);
    let above = -1;
    for (let k = chain.length - 1; k >= 0; k--) {
      let id = ids.get(chain[k]!);
      if (id === undefined) {
        id = parent.length;
        ids.set(chain[k]!, id);
        parent.push(above);
      }
      above = id;
    }
    return above;
  };
  const of = g.items.map((it) => (it.kind === 'node' ? groupOf(m.nodeScope[it.node!]) : it.kind === 'scope' ? groupOf(m.scopes.get(it.scope!)?.parent) : -1));
  return { of, parent };
}

export function layoutInputOf(g: VisibleGraph, m?: GraphModel): LayoutInput {
  const sizes: number[] = [];
  for (const it of g.items) sizes.push(it.width, it.height);
  const edges: number[] = [];
  for (const e of g.edges) edges.push(e.from, e.to);
  const top: number[] = [];
  g.items.forEach((it, i) => it.kind === 'input' && top.push(i));
  return m ? { sizes, edges, top, groups: scopeGroups(m, g) } : { sizes, edges, top };
}
