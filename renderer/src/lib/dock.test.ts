import { describe, expect, it } from 'vitest';
import { areaToAvoid, DOCK_MARGIN, overlapArea, placeCard, type Rect } from './dock';

const VIEW = { width: 1440, height: 900 };
const CARD = { width: 384, height: 300 };
const box = (p: { left: number; top: number }) => ({ ...p, ...CARD });

describe('placeCard', () => {
  it('stays in the bottom-right corner without a target or when the target is elsewhere', () => {
    expect(placeCard(VIEW, CARD, undefined)).toEqual({ left: 1440 - 384 - DOCK_MARGIN, top: 900 - 300 - DOCK_MARGIN, region: 'corner', overlap: 0 });
    expect(placeCard(VIEW, CARD, { left: 300, top: 80, width: 200, height: 40 }).region).toBe('corner');
  });

  it('a wide timeline across the lower half: the card goes above it, never over it', () => {
    const timeline: Rect = { left: 280, top: 480, width: 1120, height: 380 };
    const p = placeCard(VIEW, CARD, timeline);
    expect(p.overlap).toBe(0);
    expect(overlapArea(timeline, box(p))).toBe(0);
    expect(p.region).toBe('above');
    expect(p.top + CARD.height).toBeLessThanOrEqual(timeline.top - DOCK_MARGIN);
  });

  it('a tall column on the right (sample captions): the card goes to its left, the largest free region', () => {
    const captions: Rect = { left: 1000, top: 60, width: 420, height: 820 };
    const p = placeCard(VIEW, CARD, captions);
    expect(p.region).toBe('left');
    expect(p.left + CARD.width).toBeLessThanOrEqual(captions.left - DOCK_MARGIN);
    expect(overlapArea(captions, box(p))).toBe(0);
  });

  it('picks the largest region that holds the card, and keeps the card inside the viewport', () => {
    // Over the corner, with room to the left (968 × 868) and above (1408 × 368): left is larger.
    const t: Rect = { left: 1000, top: 400, width: 300, height: 300 };
    const p = placeCard(VIEW, CARD, t);
    expect(p.region).toBe('left');
    expect(overlapArea(t, box(p))).toBe(0);
    for (const view of [VIEW, { width: 1280, height: 720 }]) {
      const q = placeCard(view, CARD, { left: 900, top: 400, width: 300, height: 200 });
      expect(q.left).toBeGreaterThanOrEqual(DOCK_MARGIN);
      expect(q.top).toBeGreaterThanOrEqual(DOCK_MARGIN);
      expect(q.left + CARD.width).toBeLessThanOrEqual(view.width - DOCK_MARGIN);
      expect(q.top + CARD.height).toBeLessThanOrEqual(view.height - DOCK_MARGIN);
      expect(q.overlap).toBe(0);
    }
  });

  it('a target filling the screen: the spot covering the least, and says how much', () => {
    const t: Rect = { left: 100, top: 50, width: 1300, height: 800 };
    const p = placeCard(VIEW, CARD, t);
    expect(p.region).toBe('least');
    expect(p.overlap).toBe(overlapArea(t, box(p)));
    expect(p.overlap).toBeLessThan(CARD.width * CARD.height);
  });

  it('counts only the part of the target on screen', () => {
    // Scrolled mostly above the viewport: the visible strip at the top leaves the corner free.
    expect(placeCard(VIEW, CARD, { left: 0, top: -2000, width: 1440, height: 2100 }).region).toBe('corner');
  });
});

describe('overlapArea', () => {
  it('is zero for rects that only touch, the shared area otherwise', () => {
    expect(overlapArea({ left: 0, top: 0, width: 10, height: 10 }, { left: 10, top: 0, width: 10, height: 10 })).toBe(0);
    expect(overlapArea({ left: 0, top: 0, width: 10, height: 10 }, { left: 5, top: 5, width: 10, height: 10 })).toBe(25);
  });
});

describe('areaToAvoid', () => {
  const button: Rect = { left: 300, top: 300, width: 80, height: 30 };
  const form: Rect = { left: 280, top: 120, width: 600, height: 420 };
  const panel: Rect = { left: 260, top: 60, width: 1160, height: 820 };

  it('takes the largest enclosing box that leaves most of the screen free (the form around a Run button)', () => {
    expect(areaToAvoid(VIEW, button, [form, panel])).toEqual(form);
  });

  it('keeps the target alone when even its first enclosing box is most of the screen', () => {
    expect(areaToAvoid(VIEW, button, [panel])).toEqual(button);
    expect(areaToAvoid(VIEW, button, [])).toEqual(button);
  });
});

describe('placeCard keeps clear of what the text talks about', () => {
  const card = { width: 360, height: 220 };
  // Run tab at 1440×900: the Run button top-left of the form, the results (timings chart) at the right.
  const run: Rect = { left: 300, top: 140, width: 90, height: 32 };
  const results: Rect = { left: 820, top: 120, width: 600, height: 760 };

  it('never covers the target, and of the free spots takes one off the results', () => {
    const p = placeCard(VIEW, card, run, { regard: [results] });
    expect(overlapArea(run, { ...p, ...card })).toBe(0);
    expect(overlapArea(results, { ...p, ...card })).toBe(0);
    expect(p.overlap).toBe(0);
  });

  it('without what to regard, docks as before (bottom-right of the largest free region)', () => {
    const before = placeCard(VIEW, card, run);
    expect(placeCard(VIEW, card, run, { regard: [] })).toEqual(before);
  });

  it('moves off the home corner when that corner covers the result, even with nothing highlighted', () => {
    const bottomRight: Rect = { left: VIEW.width - 500, top: VIEW.height - 300, width: 500, height: 300 };
    const p = placeCard(VIEW, card, undefined, { regard: [bottomRight] });
    expect(overlapArea(bottomRight, { ...p, ...card })).toBe(0);
    expect(p.region).toBe('corner');
  });

  it('covers the least of it when every spot covers some', () => {
    const everywhere: Rect = { left: 0, top: 0, width: VIEW.width, height: VIEW.height - 100 };
    const p = placeCard(VIEW, card, run, { regard: [everywhere] });
    expect(overlapArea(run, { ...p, ...card })).toBe(0);
    expect(p.top + card.height).toBeGreaterThan(VIEW.height - 100);
  });
});

describe('placeCard never lands on what it must keep out of', () => {
  const card = { width: 360, height: 220 };
  const topbar: Rect = { left: 0, top: 0, width: VIEW.width, height: 48 };
  const run: Rect = { left: 300, top: 140, width: 90, height: 32 };
  const results: Rect = { left: 820, top: 120, width: 600, height: 760 };

  it('keeps off the topbar even when that covers less of the results', () => {
    const p = placeCard(VIEW, card, run, { regard: [results], keepOut: [topbar] });
    expect(overlapArea(topbar, { ...p, ...card })).toBe(0);
    expect(overlapArea(run, { ...p, ...card })).toBe(0);
  });

  it('with the form as the target and no region holding the card, still leaves the control itself free', () => {
    const view = { width: 1280, height: 720 };
    const form: Rect = { left: 280, top: 60, width: 980, height: 640 };
    const button: Rect = { left: 300, top: 100, width: 90, height: 32 };
    const p = placeCard(view, card, form, { keepOut: [topbar, button] });
    expect(p.region).toBe('least');
    expect(overlapArea(button, { ...p, ...card })).toBe(0);
    expect(overlapArea(topbar, { ...p, ...card })).toBe(0);
  });
});

describe('placeCard slides along a region when its corners cover what to look at', () => {
  it('finds the gap above the step timings, below the topbar, beside the Run form', () => {
    const card = { width: 370, height: 360 };
    const topbar: Rect = { left: 0, top: 0, width: VIEW.width, height: 48 };
    const form: Rect = { left: 300, top: 170, width: 420, height: 470 };
    const chart: Rect = { left: 730, top: 470, width: 640, height: 180 };
    const p = placeCard(VIEW, card, form, { regard: [chart], keepOut: [topbar] });
    expect(p.region).toBe('right');
    for (const r of [topbar, form, chart]) expect(overlapArea(r, { ...p, ...card })).toBe(0);
  });
});
