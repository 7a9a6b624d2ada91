/**
 * Where edge labels go: each on a free spot beside its own edge, never over a
 * box, a scope frame's title or another label. Candidates are the midpoints
 * of the edge's first and last runs (then the others), right of the line then
 * left. An edge whose label finds no free spot is drawn without it; the
 * label stays in the edge's hover text. A grid of occupied cells keeps this
 * linear in the number of edges.
 */
import type { ScopeFrame } from './frames';
import type { LayoutResult } from './layout';
import type { VisibleGraph } from './visible';

export interface PlacedLabel {
  /** Edge index. */
  edge: number;
  text: string;
  /** Top-left corner; the text's baseline is at y + BASELINE. */
  x: number;
  y: number;
  w: number;
}

export const LABEL_H = 11;
export const BASELINE = 8.5;
const CHAR_W = 5.5;
const CELL = 64;
/** How far a frame's title reaches: its font is 11px, with "▾ " in front and 8px of inset. */
export function frameTitleBox(f: ScopeFrame): [number, number, number, number] {
  return [f.x, f.y, f.x + 8 + (f.label.length + 2) * 6.6, f.y + 17];
}

/** The label an edge shows: its shape, or how many values it bundles. */
export function edgeLabelText(e: VisibleGraph['edges'][number]): string {
  return e.count > 1 ? `×${e.count}` : e.label;
}

class Occupied {
  private cells = new Map<number, number[]>();
  private rects: number[] = [];
  private key(cx: number, cy: number): number {
    return cx * 1_000_003 + cy;
  }
  add(x0: number, y0: number, x1: number, y1: number): void {
    const id = this.rects.length / 4;
    this.rects.push(x0, y0, x1, y1);
    for (let cx = Math.floor(x0 / CELL); cx <= Math.floor(x1 / CELL); cx++)
      for (let cy = Math.floor(y0 / CELL); cy <= Math.floor(y1 / CELL); cy++) {
        const k = this.key(cx, cy);
        const list = this.cells.get(k);
        if (list) list.push(id);
        else this.cells.set(k, [id]);
      }
  }
  free(x0: number, y0: number, x1: number, y1: number): boolean {
    const r = this.rects;
    for (let cx = Math.floor(x0 / CELL); cx <= Math.floor(x1 / CELL); cx++)
      for (let cy = Math.floor(y0 / CELL); cy <= Math.floor(y1 / CELL); cy++)
        for (const id of this.cells.get(this.key(cx, cy)) ?? []) {
          const o = 4 * id;
          if (x0 < r[o + 2]! && r[o]! < x1 && y0 < r[o + 3]! && r[o + 1]! < y1) return false;
        }
    return true;
  }
}

/** Segment indices to try, best first: the first and last runs, then the rest. */
function segmentOrder(count: number): number[] {
  const order = [0, count - 1, 1, count - 2];
  for (let k = 2; k < count - 2 && order.length < 12; k++) order.push(k);
  return [...new Set(order.filter((k) => k >= 0 && k < count))];
}

/** One free spot beside edge `p` for a w×LABEL_H label, or undefined. */
function spotFor(p: number[], w: number, taken: Occupied): [number, number] | undefined {
  const segs = p.length / 2 - 1;
  for (const k of segmentOrder(segs)) {
    const mx = (p[2 * k]! + p[2 * k + 2]!) / 2;
    const my = (p[2 * k + 1]! + p[2 * k + 3]!) / 2;
    for (const x of [mx + 4, mx - 4 - w]) {
      const y = my - LABEL_H / 2;
      if (taken.free(x, y, x + w, y + LABEL_H)) return [x, y];
    }
  }
  return undefined;
}

export function placeEdgeLabels(g: VisibleGraph, layout: LayoutResult, frames: readonly ScopeFrame[]): PlacedLabel[] {
  const taken = new Occupied();
  g.items.forEach((it, i) => taken.add(layout.x[i]! - it.width / 2, layout.y[i]! - it.height / 2, layout.x[i]! + it.width / 2, layout.y[i]! + it.height / 2));
  for (const f of frames) taken.add(...frameTitleBox(f));
  const placed: PlacedLabel[] = [];
  g.edges.forEach((e, i) => {
    const text = edgeLabelText(e);
    const p = layout.points[i];
    if (!text || !p || p.length < 4) return;
    const w = text.length * CHAR_W + 2;
    const spot = spotFor(p, w, taken);
    if (!spot) return;
    taken.add(spot[0], spot[1], spot[0] + w, spot[1] + LABEL_H);
    placed.push({ edge: i, text, x: spot[0], y: spot[1], w });
  });
  return placed;
}
