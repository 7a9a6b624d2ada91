import { describe, expect, it } from 'vitest';
import { components, convexHull, corners, minAreaRect, normalizeRect, polygonArea, polygonPerimeter } from './geometry';

/** Pixels whose centres lie inside a rotated rectangle (angle counter-clockwise on screen). */
function rasterize(rect: RotatedRect, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const a = (rect.angle * Math.PI) / 180;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - rect.cx,
        dy = y - rect.cy;
      const u = dx * Math.cos(a) - dy * Math.sin(a);
      const v = dx * Math.sin(a) + dy * Math.cos(a);
      if (Math.abs(u) <= rect.width / 2 && Math.abs(v) <= rect.height / 2) mask[y * width + x] = 1;
    }
  }
  return mask;
}

function bruteForceArea(points: Point[]): number {
  const hull = convexHull(points);
  let best = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const p = hull[i]!,
      q = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(q.x - p.x, q.y - p.y);
    const ex = (q.x - p.x) / len,
      ey = (q.y - p.y) / len;
    const us = hull.map((h) => (h.x - p.x) * ex + (h.y - p.y) * ey);
    const vs = hull.map((h) => -(h.x - p.x) * ey + (h.y - p.y) * ex);
    best = Math.min(best, (Math.max(...us) - Math.min(...us)) * (Math.max(...vs) - Math.min(...vs)));
  }
  return best;
}

describe('lab.geometry.components', () => {
  const mask = [1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0];

  it('separates diagonal neighbours with 4-connectivity', () => {
    const found = components(mask, 5, 4);
    expect(found.map((c) => c.points.length)).toEqual([3, 1, 1, 1]);
    expect(found[0]!.box).toEqual({ x: 0, y: 0, width: 2, height: 2 });
    expect(found[1]!.points).toEqual([{ x: 3, y: 1 }]);
  });

  it('joins them with 8-connectivity and drops small ones', () => {
    const found = components(mask, 5, 4, { connectivity: 8 });
    expect(found.map((c) => c.points.length)).toEqual([3, 3]);
    expect(found[1]!.box).toEqual({ x: 2, y: 1, width: 2, height: 3 });
    expect(components(mask, 5, 4, { connectivity: 8, minPixels: 4 })).toEqual([]);
  });

  it('handles a large component without recursion limits', () => {
    const found = components(new Uint8Array(400 * 300).fill(1), 400, 300);
    expect(found).toHaveLength(1);
    expect(found[0]!.points).toHaveLength(120_000);
  });
});

describe('lab.geometry.convexHull', () => {
  it('keeps the corners, clockwise on screen from the leftmost point', () => {
    const pts: Point[] = [];
    for (let x = 0; x <= 4; x++) for (let y = 0; y <= 3; y++) pts.push({ x, y });
    expect(convexHull(pts)).toEqual([
      { x: 0, y: 0 },
      { x: 4, y: 0 },
      { x: 4, y: 3 },
      { x: 0, y: 3 },
    ]);
  });

  it('returns fewer points for degenerate input', () => {
    expect(
      convexHull([
        { x: 1, y: 1 },
        { x: 1, y: 1 },
      ]),
    ).toEqual([{ x: 1, y: 1 }]);
    expect(
      convexHull([
        { x: 0, y: 0 },
        { x: 1, y: 1 },
        { x: 2, y: 2 },
      ]),
    ).toEqual([
      { x: 0, y: 0 },
      { x: 2, y: 2 },
    ]);
  });
});

describe('lab.geometry.minAreaRect', () => {
  it.each([0, 12, 30, -20, 44, 75, -60])('recovers a %s° rectangle from its pixels', (angle) => {
    const truth = { cx: 100.3, cy: 80.6, width: 120, height: 36, angle };
    const [found] = components(rasterize(truth, 220, 180), 220, 180);
    const r = minAreaRect(found!.points);
    const expected = normalizeRect(truth);
    expect(Math.abs(r.angle - expected.angle)).toBeLessThan(1);
    // Pixel centres span one pixel less than the rectangle they fill.
    expect(Math.abs(r.width - (expected.width - 1))).toBeLessThan(1);
    expect(Math.abs(r.height - (expected.height - 1))).toBeLessThan(1);
    expect(Math.abs(r.cx - truth.cx)).toBeLessThan(1);
    expect(Math.abs(r.cy - truth.cy)).toBeLessThan(1);
  });

  it('finds an axis-aligned box and normalizes its angle', () => {
    const r = minAreaRect([
      { x: 2, y: 3 },
      { x: 12, y: 3 },
      { x: 12, y: 7 },
      { x: 2, y: 7 },
      { x: 5, y: 5 },
    ]);
    expect(r).toEqual({ cx: 7, cy: 5, width: 10, height: 4, angle: 0 });
    const tall = minAreaRect([
      { x: 0, y: 0 },
      { x: 4, y: 0 },
      { x: 4, y: 20 },
      { x: 0, y: 20 },
    ]);
    expect(tall).toMatchObject({ cx: 2, cy: 10, width: 4, height: 20, angle: 0 });
  });

  it('matches a brute-force search over hull edges on random point sets', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 50; trial++) {
      const pts = Array.from({ length: 3 + Math.floor(rand() * 40) }, () => ({ x: Math.round(rand() * 100), y: Math.round(rand() * 60) }));
      const r = minAreaRect(pts);
      expect(r.width * r.height).toBeCloseTo(bruteForceArea(pts), 6);
      for (const p of pts) {
        // Every point lies inside (or on) the rectangle.
        const a = (r.angle * Math.PI) / 180,
          dx = p.x - r.cx,
          dy = p.y - r.cy;
        expect(Math.abs(dx * Math.cos(a) - dy * Math.sin(a))).toBeLessThanOrEqual(r.width / 2 + 1e-6);
        expect(Math.abs(dx * Math.sin(a) + dy * Math.cos(a))).toBeLessThanOrEqual(r.height / 2 + 1e-6);
      }
    }
  });

  it('handles one, two and collinear points', () => {
    expect(minAreaRect([{ x: 3, y: 4 }])).toEqual({ cx: 3, cy: 4, width: 0, height: 0, angle: 0 });
    const line = minAreaRect([
      { x: 0, y: 0 },
      { x: 3, y: 3 },
      { x: 6, y: 6 },
    ]);
    expect(line.width * line.height).toBe(0);
    expect(Math.max(line.width, line.height)).toBeCloseTo(Math.hypot(6, 6), 9);
    expect(() => minAreaRect([])).toThrow(RangeError);
  });
});

describe('lab.geometry.corners', () => {
  it('lists corners clockwise from the top-left', () => {
    expect(corners({ cx: 10, cy: 5, width: 8, height: 4, angle: 0 })).toEqual([
      { x: 6, y: 3 },
      { x: 14, y: 3 },
      { x: 14, y: 7 },
      { x: 6, y: 7 },
    ]);
  });

  it('puts the visual top-left first whatever quarter turn the angle has', () => {
    const c = corners({ cx: 10, cy: 5, width: 4, height: 8, angle: 90 });
    const expected = [
      [6, 3],
      [14, 3],
      [14, 7],
      [6, 7],
    ];
    c.forEach((p, i) => {
      expect(p.x).toBeCloseTo(expected[i]![0]!, 9);
      expect(p.y).toBeCloseTo(expected[i]![1]!, 9);
    });
  });

  it('tilts the top edge up to the right for a positive angle', () => {
    const [tl, tr] = corners({ cx: 0, cy: 0, width: 10, height: 2, angle: 30 });
    expect(tr.y).toBeLessThan(tl.y);
    expect(tr.x - tl.x).toBeCloseTo(10 * Math.cos(Math.PI / 6), 9);
  });
});

describe('lab.geometry polygons', () => {
  it('measures area and perimeter whatever the orientation', () => {
    const tri = [
      { x: 0, y: 0 },
      { x: 4, y: 0 },
      { x: 0, y: 3 },
    ];
    expect(polygonArea(tri)).toBe(6);
    expect(polygonArea([...tri].reverse())).toBe(6);
    expect(polygonPerimeter(tri)).toBe(12);
    expect(polygonArea(corners({ cx: 0, cy: 0, width: 7, height: 3, angle: 33 }))).toBeCloseTo(21, 9);
    expect(polygonPerimeter([{ x: 1, y: 1 }])).toBe(0);
  });
});
