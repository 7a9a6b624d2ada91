/**
 * Where the graph canvas looks: pure functions from a layout and the canvas
 * size to a view (translate + scale). Fit never shrinks text below a readable
 * zoom; a graph too big for that is shown from its top (the minimap gives the
 * overview), so no first view is a blank canvas or a lone input.
 */
import type { LayoutResult } from './layout';

export interface View {
  tx: number;
  ty: number;
  k: number;
}
export interface Size {
  w: number;
  h: number;
}
/** Item boxes (widths and heights) in layout order. */
export type Boxes = readonly { width: number; height: number }[];

/** Below this, box text is too small to read. */
export const READABLE_K = 0.5;
/** The zoom a graph too big to fit opens at. */
export const OPEN_K = 0.75;
const PAD = 24;

export function clampK(k: number): number {
  return Math.min(4, Math.max(0.05, k));
}

/** The graph's top at zoom k: the topmost boxes, centred on the middle of what fills the first screen. */
export function topView(layout: LayoutResult, boxes: Boxes, size: Size, k: number): View {
  const n = boxes.length;
  if (!n) return { k, tx: size.w / 2, ty: PAD };
  let top = Infinity;
  for (let i = 0; i < n; i++) top = Math.min(top, layout.y[i]! - boxes[i]!.height / 2);
  const bottom = top + (size.h - 2 * PAD) / k;
  const xs: number[] = [];
  for (let i = 0; i < n; i++) if (layout.y[i]! - boxes[i]!.height / 2 < bottom) xs.push(layout.x[i]!);
  let cx: number;
  if (layout.width * k <= size.w - 2 * PAD) cx = layout.width / 2;
  else {
    // Middle of what the first screen holds, kept inside the graph's sides.
    xs.sort((a, b) => a - b);
    const half = (size.w - 2 * PAD) / 2 / k;
    cx = Math.min(Math.max(xs[xs.length >> 1]!, half), layout.width - half);
  }
  return { k, tx: size.w / 2 - cx * k, ty: PAD - top * k };
}

/** The whole graph when it fits at a readable zoom (never above `maxK`); otherwise its top at a readable zoom. */
export function fitView(layout: LayoutResult, boxes: Boxes, size: Size, maxK = 1.5, fallbackK = READABLE_K): View {
  const { width, height } = layout;
  const k = Math.min((size.w - 2 * PAD) / Math.max(width, 1), (size.h - 2 * PAD) / Math.max(height, 1), maxK);
  if (k < READABLE_K) return topView(layout, boxes, size, fallbackK);
  return { k, tx: (size.w - width * k) / 2, ty: (size.h - height * k) / 2 };
}

/** The first view of a graph: the whole of it at up to 1:1, or its top at a comfortable zoom. */
export function openingView(layout: LayoutResult, boxes: Boxes, size: Size): View {
  return fitView(layout, boxes, size, 1, OPEN_K);
}

/** Indices of the boxes a view shows (any part of them on screen). */
export function boxesInView(layout: LayoutResult, boxes: Boxes, size: Size, v: View): number[] {
  const x0 = -v.tx / v.k;
  const y0 = -v.ty / v.k;
  const x1 = x0 + size.w / v.k;
  const y1 = y0 + size.h / v.k;
  const out: number[] = [];
  boxes.forEach((b, i) => {
    const bx = layout.x[i]!;
    const by = layout.y[i]!;
    if (bx + b.width / 2 > x0 && bx - b.width / 2 < x1 && by + b.height / 2 > y0 && by - b.height / 2 < y1) out.push(i);
  });
  return out;
}

/** The view that puts layout point (x, y) at screen point (sx, sy), zoom unchanged. */
export function placeAt(v: View, x: number, y: number, sx: number, sy: number): View {
  return { k: v.k, tx: sx - x * v.k, ty: sy - y * v.k };
}
