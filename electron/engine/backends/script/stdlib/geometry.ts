/**
 * `lab.geometry`: connected components, convex hull, minimum-area rectangle.
 * Points are pixel coordinates (pixel (x, y) has its centre at (x, y)), image
 * y pointing down. A RotatedRect's angle is counter-clockwise as seen on
 * screen: its width axis is (cos a, -sin a) and its height axis (sin a, cos a).
 */

interface Component {
  points: Point[];
  box: { x: number; y: number; width: number; height: number };
}

/** Connected components of the nonzero pixels, in raster order of their first pixel. */
export function components(mask: ArrayLike<number>, width: number, height: number, opts: { connectivity?: 4 | 8; minPixels?: number } = {}): Component[] {
  if (mask.length < width * height) throw new RangeError(`mask has ${mask.length} values, ${width}x${height} needs ${width * height}`);
  const eight = opts.connectivity === 8;
  const minPixels = opts.minPixels ?? 1;
  const seen = new Uint8Array(width * height);
  let stack = new Int32Array(1024);
  const out: Component[] = [];
  for (let start = 0; start < width * height; start++) {
    if (seen[start] || !mask[start]) continue;
    seen[start] = 1;
    stack[0] = start;
    let top = 1;
    const points: Point[] = [];
    let x0 = width,
      y0 = height,
      x1 = -1,
      y1 = -1;
    while (top > 0) {
      const i = stack[--top]!;
      const x = i % width;
      const y = (i - x) / width;
      points.push({ x, y });
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!eight && dx !== 0 && dy !== 0)) continue;
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (seen[j] || !mask[j]) continue;
          seen[j] = 1;
          if (top === stack.length) {
            const grown = new Int32Array(stack.length * 2);
            grown.set(stack);
            stack = grown;
          }
          stack[top++] = j;
        }
      }
    }
    if (points.length >= minPixels) out.push({ points, box: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 } });
  }
  return out;
}

function cross(o: Point, a: Point, b: Point): number {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/**
 * Convex hull by Andrew's monotone chain: clockwise on screen (y down),
 * starting at the leftmost point, collinear points dropped.
 */
export function convexHull(points: Point[]): Point[] {
  const sorted = points.map((p) => ({ x: p.x, y: p.y })).sort((a, b) => a.x - b.x || a.y - b.y);
  const unique = sorted.filter((p, i) => i === 0 || p.x !== sorted[i - 1]!.x || p.y !== sorted[i - 1]!.y);
  if (unique.length < 3) return unique;
  const lower: Point[] = [];
  for (const p of unique) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = unique.length - 1; i >= 0; i--) {
    const p = unique[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Rotates the rect's frame by quarter turns so its angle lies in (-45, 45]; the width then runs along the near-horizontal side. */
export function normalizeRect(rect: RotatedRect): RotatedRect {
  let { width, height } = rect;
  let angle = ((rect.angle % 360) + 360) % 360;
  if (angle > 180) angle -= 360;
  while (angle > 45) {
    angle -= 90;
    [width, height] = [height, width];
  }
  while (angle <= -45) {
    angle += 90;
    [width, height] = [height, width];
  }
  return { cx: rect.cx, cy: rect.cy, width, height, angle: angle === 0 ? 0 : angle };
}

/**
 * The smallest-area rectangle around the points, by rotating calipers over
 * the convex hull (one side of the best rectangle lies on a hull edge).
 * Normalized: angle in (-45, 45], width along the near-horizontal side.
 */
export function minAreaRect(points: Point[]): RotatedRect {
  const hull = convexHull(points);
  const n = hull.length;
  if (n === 0) throw new RangeError('minAreaRect needs at least one point');
  if (n === 1) return { cx: hull[0]!.x, cy: hull[0]!.y, width: 0, height: 0, angle: 0 };
  const at = (k: number): Point => hull[k % n]!;
  const step = (k: number, ex: number, ey: number): number => (at(k + 1).x - at(k).x) * ex + (at(k + 1).y - at(k).y) * ey;
  let best: RotatedRect | undefined;
  let bestArea = Infinity;
  // Pointers only move forward as the edge turns, so the whole sweep is O(n).
  let right = 0,
    far = 0,
    left = 0;
  for (let i = 0; i < n; i++) {
    const p = at(i);
    const len = Math.hypot(at(i + 1).x - p.x, at(i + 1).y - p.y);
    const ex = (at(i + 1).x - p.x) / len;
    const ey = (at(i + 1).y - p.y) / len;
    // The hull is clockwise on screen, so (-ey, ex) points into it.
    const nx = -ey,
      ny = ex;
    right = Math.max(right, i + 1);
    while (right < i + n && step(right, ex, ey) > 1e-9) right++;
    far = Math.max(far, right);
    while (far < i + n && step(far, nx, ny) > 1e-9) far++;
    left = Math.max(left, far);
    while (left < i + n && step(left, ex, ey) < -1e-9) left++;
    const maxU = (at(right).x - p.x) * ex + (at(right).y - p.y) * ey;
    const minU = Math.min(0, (at(left).x - p.x) * ex + (at(left).y - p.y) * ey);
    const maxV = (at(far).x - p.x) * nx + (at(far).y - p.y) * ny;
    const area = (maxU - minU) * maxV;
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const mu = (minU + maxU) / 2,
        mv = maxV / 2;
      best = {
        cx: p.x + ex * mu + nx * mv,
        cy: p.y + ey * mu + ny * mv,
        width: maxU - minU,
        height: maxV,
        angle: (Math.atan2(-ey, ex) * 180) / Math.PI,
      };
    }
  }
  return normalizeRect(best!);
}

/** The rectangle's corners, clockwise on screen from the top-left (after normalizing its angle). */
export function corners(rect: RotatedRect): [Point, Point, Point, Point] {
  const r = normalizeRect(rect);
  return frameCorners(r);
}

/** Corners in the rect's own frame (no normalization): its top-left is where its width and height axes start. */
export function frameCorners(r: RotatedRect): [Point, Point, Point, Point] {
  const a = (r.angle * Math.PI) / 180;
  const c = Math.cos(a),
    s = Math.sin(a);
  const ux = (c * r.width) / 2,
    uy = (-s * r.width) / 2;
  const vx = (s * r.height) / 2,
    vy = (c * r.height) / 2;
  return [
    { x: r.cx - ux - vx, y: r.cy - uy - vy },
    { x: r.cx + ux - vx, y: r.cy + uy - vy },
    { x: r.cx + ux + vx, y: r.cy + uy + vy },
    { x: r.cx - ux + vx, y: r.cy - uy + vy },
  ];
}

/** Area of a simple polygon (shoelace), whatever its orientation. */
export function polygonArea(points: Point[]): number {
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!,
      b = points[(i + 1) % points.length]!;
    sum += a.x * b.y - b.x * a.y;
  }
  return Math.abs(sum) / 2;
}

/** Length of the closed outline through the points. */
export function polygonPerimeter(points: Point[]): number {
  if (points.length < 2) return 0;
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!,
      b = points[(i + 1) % points.length]!;
    sum += Math.hypot(b.x - a.x, b.y - a.y);
  }
  return sum;
}
