/**
 * Frames around expanded name scopes, drawn behind their nodes with a label
 * that collapses them. A frame is the padded bounding box of what the scope
 * shows (nested frames contain their children); the layout, told the scopes
 * as groups (layout-groups.ts), keeps sibling frames apart and makes room for titles.
 */
import type { GraphModel } from './graph-model';
import type { LayoutResult } from './layout';
import { FRAME_LABEL as LABEL, FRAME_PAD as PAD } from './layout-groups';
import type { VisibleGraph } from './visible';

export interface ScopeFrame {
  scope: string;
  label: string;
  depth: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export function scopeFrames(m: GraphModel, g: VisibleGraph, layout: LayoutResult): ScopeFrame[] {
  const box = new Map<string, [number, number, number, number]>();
  const grow = (id: string, x0: number, y0: number, x1: number, y1: number): void => {
    const b = box.get(id);
    if (!b) box.set(id, [x0, y0, x1, y1]);
    else {
      b[0] = Math.min(b[0], x0);
      b[1] = Math.min(b[1], y0);
      b[2] = Math.max(b[2], x1);
      b[3] = Math.max(b[3], y1);
    }
  };
  g.items.forEach((it, i) => {
    const scope = it.kind === 'node' ? m.nodeScope[it.node!]! : it.kind === 'scope' ? m.scopes.get(it.scope!)!.parent : undefined;
    if (!scope) return;
    const x = layout.x[i]!;
    const y = layout.y[i]!;
    grow(scope, x - it.width / 2, y - it.height / 2, x + it.width / 2, y + it.height / 2);
  });
  // Scopes with items, and their ancestors (a scope holding only sub-scopes is framed around them).
  const all = new Set<string>();
  for (const id of box.keys()) for (let cur: string | undefined = id; cur && !all.has(cur); cur = m.scopes.get(cur)?.parent) all.add(cur);
  const ids = [...all].sort((a, b) => m.scopes.get(b)!.depth - m.scopes.get(a)!.depth);
  const frames: ScopeFrame[] = [];
  const total = m.scopes.get('')!.count;
  for (const id of ids) {
    const s = m.scopes.get(id)!;
    const b = box.get(id);
    if (!b) continue;
    const f = { scope: id, label: s.name, depth: s.depth, x: b[0] - PAD, y: b[1] - PAD - LABEL, w: b[2] - b[0] + 2 * PAD, h: b[3] - b[1] + 2 * PAD + LABEL };
    // A scope of one node needs no frame, nor does one holding the whole graph; the parent then contains the bare box.
    const framed = s.count > 1 && s.count < total;
    if (framed) frames.push(f);
    if (s.parent) {
      if (framed) grow(s.parent, f.x, f.y, f.x + f.w, f.y + f.h);
      else grow(s.parent, b[0], b[1], b[2], b[3]);
    }
  }
  return frames.sort((a, b) => a.depth - b.depth);
}
