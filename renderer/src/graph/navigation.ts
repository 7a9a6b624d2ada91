/**
 * Keeping one's place in the graph: what to hold still when scopes expand or
 * collapse (the selection, else whatever was in the middle of the screen, by
 * node so it can be found again under a new representative), and the
 * back / forward history of the details sidebar.
 */
import type { GraphSelection } from '../stores/graph';
import type { GraphModel } from './graph-model';
import { itemIdOfNode, type VisibleGraph } from './visible';

/** A node (re-centred, or put back at `screen`), or an item by id (a scope box, an input) put back at `screen`. */
export type ViewAnchor = { node: number; screen?: { sx: number; sy: number } } | { item: string; screen: { sx: number; sy: number } };

/** The id of the item standing for an anchor in graph `g` (a node's collapsed scope, or an expanded scope's first node). */
export function anchorItemId(m: GraphModel, g: VisibleGraph, a: ViewAnchor): string {
  if ('node' in a) return itemIdOfNode(m, g.hidden, a.node);
  if (g.index.has(a.item) || !a.item.startsWith('s:')) return a.item;
  const scope = a.item.slice(2);
  const first = m.drawn.find((i) => m.nodeScope[i] === scope || m.nodeScope[i]!.startsWith(`${scope}/`));
  return first !== undefined ? itemIdOfNode(m, g.hidden, first) : a.item;
}

const same = (a: GraphSelection, b: GraphSelection): boolean => a.kind === b.kind && (a.kind === 'model' || (b.kind !== 'model' && a.name === b.name));

/** Selections in the order they were made; going back and then choosing something new drops the forward part. */
export class SelectionHistory {
  private list: GraphSelection[] = [];
  private at = -1;
  private readonly max: number;

  constructor(max = 100) {
    this.max = max;
  }

  /** Records a selection (ignored when it repeats the current one). */
  push(sel: GraphSelection): void {
    const cur = this.list[this.at];
    if (cur && same(cur, sel)) return;
    this.list = [...this.list.slice(0, this.at + 1), sel].slice(-this.max);
    this.at = this.list.length - 1;
  }
  get canBack(): boolean {
    return this.at > 0;
  }
  get canForward(): boolean {
    return this.at < this.list.length - 1;
  }
  back(): GraphSelection | undefined {
    return this.canBack ? this.list[--this.at] : undefined;
  }
  forward(): GraphSelection | undefined {
    return this.canForward ? this.list[++this.at] : undefined;
  }
  clear(): void {
    this.list = [];
    this.at = -1;
  }
}
