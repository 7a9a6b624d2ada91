/**
 * Where a floating card goes so that it never covers what it points at: the
 * walkthrough card docks in the largest free region around the highlighted
 * element (right, below, left or above it), and only when no region can hold
 * it does it take the spot that covers the least. Pure geometry on rects, so
 * it is tested without a browser.
 */

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Placement {
  left: number;
  top: number;
  /** Which free region holds the card ('corner' when there is no target or it is elsewhere). */
  region: 'corner' | 'right' | 'below' | 'left' | 'above' | 'least';
  /** Area of the target the card still covers (0 unless no region could hold it). */
  overlap: number;
}

/** Space kept between the card and the viewport's edges, and between the card and its target. */
export const DOCK_MARGIN = 16;

/** The area two rects share. */
export function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  return w > 0 && h > 0 ? w * h : 0;
}

/** The target as far as it is on screen (a target scrolled half out of view leaves more room). */
function visiblePart(t: Rect, view: Size): Rect | undefined {
  const left = Math.max(0, t.left);
  const top = Math.max(0, t.top);
  const right = Math.min(view.width, t.left + t.width);
  const bottom = Math.min(view.height, t.top + t.height);
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : undefined;
}

/** The four free regions around the target, each inset by the margin, in order of preference. */
function regions(t: Rect, view: Size, m: number): { name: Placement['region'] & ('right' | 'below' | 'left' | 'above'); r: Rect }[] {
  const right = t.left + t.width;
  const bottom = t.top + t.height;
  const box = (l: number, tp: number, r: number, b: number): Rect => ({ left: l, top: tp, width: Math.max(0, r - l), height: Math.max(0, b - tp) });
  return [
    { name: 'right', r: box(right + m, m, view.width - m, view.height - m) },
    { name: 'below', r: box(m, bottom + m, view.width - m, view.height - m) },
    { name: 'left', r: box(m, m, t.left - m, view.height - m) },
    { name: 'above', r: box(m, m, view.width - m, t.top - m) },
  ];
}

/** Inside a region, the card sits at its bottom-right (where the card lives when nothing is highlighted). */
function bottomRight(r: Rect, card: Size): { left: number; top: number } {
  return { left: r.left + r.width - card.width, top: r.top + r.height - card.height };
}

function clampTo(view: Size, card: Size, p: { left: number; top: number }, m: number): { left: number; top: number } {
  return {
    left: Math.max(m, Math.min(p.left, view.width - card.width - m)),
    top: Math.max(m, Math.min(p.top, view.height - card.height - m)),
  };
}

/** The four corners of a region where a card fits, bottom-right first (the card's home corner). */
function cornersOf(r: Rect, card: Size): { left: number; top: number }[] {
  const right = r.left + r.width - card.width;
  const bottom = r.top + r.height - card.height;
  return [
    { left: right, top: bottom },
    { left: r.left, top: bottom },
    { left: right, top: r.top },
    { left: r.left, top: r.top },
  ];
}

/** Spots in a region: its corners, then stops along its left and right edges (room to slide past what to keep clear of). */
function spotsIn(r: Rect, card: Size): { left: number; top: number }[] {
  const stops = 8;
  const span = r.height - card.height;
  const edges = [r.left + r.width - card.width, r.left].flatMap((left) => Array.from({ length: stops - 1 }, (_, k) => ({ left, top: r.top + (span * (stops - 1 - k)) / stops })));
  return [...cornersOf(r, card), ...edges];
}

/** How much of `rects` a card at `p` would cover. */
function covered(p: { left: number; top: number }, card: Size, rects: readonly Rect[]): number {
  return rects.reduce((sum, r) => sum + overlapArea(r, { ...p, ...card }), 0);
}

export interface DockOptions {
  /** Space kept to the viewport's edges and the target (DOCK_MARGIN). */
  margin?: number;
  /** What the step's text asks the user to look at (a result, a chart): covered as little as possible. */
  regard?: readonly Rect[];
  /** What the card must never cover when any spot avoids it: the topbar, the control itself when `target` is its form. */
  keepOut?: readonly Rect[];
}

type Spot = { left: number; top: number };

/** The spot of `spots` that covers none of `keepOut` (if any does), then least of `regard`; ties go to the earlier one. */
function bestSpot<T extends { p: Spot }>(spots: readonly T[], card: Size, o: Required<Omit<DockOptions, 'margin'>>, extra: (s: T) => number = () => 0): T {
  const score = (s: T): [number, number, number] => [covered(s.p, card, o.keepOut), extra(s), covered(s.p, card, o.regard)];
  return spots.reduce((a, b) => {
    const [ka, ea, ra] = score(a);
    const [kb, eb, rb] = score(b);
    return kb < ka || (kb === ka && (eb < ea || (eb === ea && rb < ra))) ? b : a;
  });
}

/**
 * Places a card of `card` size in a `view`-sized viewport away from `target`
 * (viewport coordinates, as getBoundingClientRect gives). Without a target, or
 * with one the bottom-right corner does not touch, the card stays there. Of the
 * spots that leave the target free, one off `keepOut` wins, then the one
 * covering least of `regard`, then the largest region.
 */
export function placeCard(view: Size, card: Size, target: Rect | undefined, opts: DockOptions = {}): Placement {
  const m = opts.margin ?? DOCK_MARGIN;
  const o = { regard: opts.regard ?? [], keepOut: opts.keepOut ?? [] };
  const corner = clampTo(view, card, { left: view.width - card.width - m, top: view.height - card.height - m }, m);
  const t = target && visiblePart(target, view);
  const guard = (r: Rect): Rect => ({ left: r.left - m / 2, top: r.top - m / 2, width: r.width + m, height: r.height + m });
  const targetFree = !t || overlapArea(guard(t), { ...corner, ...card }) === 0;
  if (targetFree && covered(corner, card, o.regard) === 0 && covered(corner, card, o.keepOut) === 0) return { ...corner, region: 'corner', overlap: 0 };
  const inner = { left: m, top: m, width: view.width - 2 * m, height: view.height - 2 * m };
  const viewCorners = cornersOf(inner, card).map((p) => ({ p: clampTo(view, card, p, m) }));
  if (!t) return { ...bestSpot(viewCorners, card, o).p, region: 'corner', overlap: 0 };
  const fits = regions(t, view, m).filter(({ r }) => r.width >= card.width && r.height >= card.height);
  if (fits.length > 0) {
    // Larger regions first, so that ties go to the one with room around the card (easy to find).
    const spots = fits.sort((x, y) => y.r.width * y.r.height - x.r.width * x.r.height).flatMap(({ name, r }) => spotsIn(r, card).map((p) => ({ name, p })));
    const best = bestSpot(spots, card, o);
    return { ...best.p, region: best.name, overlap: 0 };
  }
  // Nothing holds it whole: of the regions' spots and the four corners, the one covering the least of the target.
  const spots = [...regions(t, view, m).map(({ r }) => ({ p: clampTo(view, card, bottomRight(r, card), m) })), { p: corner }, ...viewCorners];
  const least = bestSpot(spots, card, o, (s) => overlapArea(t, { ...s.p, ...card }));
  return { ...least.p, region: 'least', overlap: overlapArea(t, { ...least.p, ...card }) };
}

/** The area around a small target that belongs with it may take at most this share of the viewport. */
export const AREA_SHARE = 0.45;

/**
 * What the card must not cover: the target, or the largest of its enclosing
 * boxes (innermost first) that still leaves most of the screen free. A Run
 * button's form with its sample list and captions is what the user reads
 * while pressing it, not just the button.
 */
export function areaToAvoid(view: Size, target: Rect, enclosing: readonly Rect[], share = AREA_SHARE): Rect {
  let best = target;
  for (const r of enclosing) {
    const visible = visiblePart(r, view);
    if (!visible || visible.width * visible.height > share * view.width * view.height) break;
    best = visible;
  }
  return best;
}
