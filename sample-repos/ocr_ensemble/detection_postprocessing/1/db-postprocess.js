// DB (Differentiable Binarization) post-processing, after PaddleOCR's
// DBPostProcess: threshold the text probability map, take connected regions,
// fit a minimum-area rectangle to each, keep the confident ones, grow them
// back to the full text size ("unclip": the model was trained to predict a
// shrunk text kernel) and map them onto the original image.

export const DB_DEFAULTS = {
  /** Probability above which a pixel is text. */
  threshold: 0.3,
  /** Mean probability a region needs to count as text. */
  boxThreshold: 0.6,
  /** How far the shrunk kernel is grown back: distance = area * ratio / perimeter. */
  unclipRatio: 1.5,
  /** Regions thinner than this (map pixels) are noise. */
  minSize: 3,
  maxCandidates: 1000,
  /** Boxes on one line closer than this many line heights are one line (DB often splits large text into words). */
  mergeGap: 1.0,
};

/** The convex hull of a region only depends on each row's leftmost and rightmost pixel. */
function rowExtremes(points) {
  const rows = new Map();
  for (const p of points) {
    const r = rows.get(p.y);
    if (!r) rows.set(p.y, { min: p.x, max: p.x });
    else {
      if (p.x < r.min) r.min = p.x;
      if (p.x > r.max) r.max = p.x;
    }
  }
  const out = [];
  for (const [y, r] of rows) out.push({ x: r.min, y }, { x: r.max, y });
  return out;
}

/**
 * Text boxes in original-image coordinates, in reading order. Each box has
 * `points` (4 corners clockwise from the top-left; outer corners, pixel
 * centres at integer coordinates) and `score` (mean text probability).
 * `prob` is one [mapHeight, mapWidth] probability map.
 */
export function findTextBoxes(lab, prob, mapWidth, mapHeight, imageWidth, imageHeight, options = {}) {
  const o = { ...DB_DEFAULTS, ...options };
  const mask = new Uint8Array(mapWidth * mapHeight);
  for (let i = 0; i < mask.length; i++) mask[i] = prob[i] > o.threshold ? 1 : 0;
  const regions = lab.geometry.components(mask, mapWidth, mapHeight, { connectivity: 8, minPixels: o.minSize * o.minSize });
  const sx = imageWidth / mapWidth;
  const sy = imageHeight / mapHeight;
  const boxes = [];
  for (const region of regions.slice(0, o.maxCandidates)) {
    const rect = lab.geometry.minAreaRect(rowExtremes(region.points));
    if (Math.min(rect.width, rect.height) < o.minSize) continue;
    let sum = 0;
    for (const p of region.points) sum += prob[p.y * mapWidth + p.x];
    const score = sum / region.points.length;
    if (score < o.boxThreshold) continue;
    const distance = (rect.width * rect.height * o.unclipRatio) / (2 * (rect.width + rect.height));
    const grown = { ...rect, width: rect.width + 2 * distance, height: rect.height + 2 * distance };
    if (Math.min(grown.width, grown.height) < o.minSize + 2) continue;
    // Map pixel-centre coordinates between the two grids, then keep inside the image.
    const points = lab.geometry.corners(grown).map((p) => ({
      x: Math.min(imageWidth - 0.5, Math.max(-0.5, (p.x + 0.5) * sx - 0.5)),
      y: Math.min(imageHeight - 0.5, Math.max(-0.5, (p.y + 0.5) * sy - 0.5)),
    }));
    boxes.push({ points, score });
  }
  const lines = o.mergeGap > 0 ? mergeLineBoxes(lab, boxes, o.mergeGap) : boxes;
  return readingOrder(dropContained(lab, lines));
}

function insidePolygon(p, poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i], b = poly[j];
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** Drops boxes whose centre lies inside a larger box: the dot of an i or a stray mark within a line already read. */
export function dropContained(lab, boxes) {
  const area = boxes.map((b) => lab.geometry.polygonArea(b.points));
  return boxes.filter((box, i) => {
    const c = { x: box.points.reduce((s, p) => s + p.x, 0) / 4, y: box.points.reduce((s, p) => s + p.y, 0) / 4 };
    return !boxes.some((other, j) => j !== i && area[j] > area[i] && insidePolygon(c, other.points));
  });
}

/** A box's extent along unit axes u (its reading direction) and v (down the line). */
function extent(box, u, v) {
  const us = box.points.map((p) => p.x * u.x + p.y * u.y);
  const vs = box.points.map((p) => p.x * v.x + p.y * v.y);
  return { u0: Math.min(...us), u1: Math.max(...us), v0: Math.min(...vs), v1: Math.max(...vs) };
}

const isVertical = (e) => e.v1 - e.v0 > 1.5 * (e.u1 - e.u0);

/**
 * Joins boxes that continue each other on the same line: their vertical
 * centres (measured across the first box's direction) within half the smaller
 * height, similar heights, and a gap along the line below `maxGap` heights.
 * Columns of vertical text are left alone.
 */
export function mergeLineBoxes(lab, boxes, maxGap) {
  const merged = boxes.slice();
  for (let changed = true; changed; ) {
    changed = false;
    outer: for (let i = 0; i < merged.length; i++) {
      const a = merged[i];
      const dx = a.points[1].x - a.points[0].x, dy = a.points[1].y - a.points[0].y;
      const len = Math.hypot(dx, dy) || 1;
      const u = { x: dx / len, y: dy / len };
      const v = { x: -u.y, y: u.x };
      const ea = extent(a, u, v);
      if (isVertical(ea)) continue;
      for (let j = 0; j < merged.length; j++) {
        if (i === j) continue;
        const b = merged[j];
        const eb = extent(b, u, v);
        if (isVertical(eb)) continue;
        const ha = ea.v1 - ea.v0, hb = eb.v1 - eb.v0;
        const sameLine = Math.abs((ea.v0 + ea.v1) / 2 - (eb.v0 + eb.v1) / 2) < Math.min(ha, hb) / 2;
        const gap = Math.max(eb.u0 - ea.u1, ea.u0 - eb.u1);
        if (!sameLine || Math.max(ha, hb) > 1.5 * Math.min(ha, hb) || gap > maxGap * Math.min(ha, hb)) continue;
        const rect = lab.geometry.minAreaRect([...a.points, ...b.points]);
        const wa = ea.u1 - ea.u0, wb = eb.u1 - eb.u0;
        merged[i] = { points: lab.geometry.corners(rect), score: (a.score * wa + b.score * wb) / (wa + wb) };
        merged.splice(j, 1);
        changed = true;
        break outer;
      }
    }
  }
  return merged;
}

/**
 * Top-to-bottom lines, left to right within a line. Two boxes share a line
 * when their vertical centres are closer than half the smaller box height,
 * so the tolerance follows the text size instead of a fixed pixel count.
 */
export function readingOrder(boxes) {
  const info = boxes.map((box) => {
    const ys = box.points.map((p) => p.y);
    const xs = box.points.map((p) => p.x);
    const height = (Math.hypot(box.points[3].x - box.points[0].x, box.points[3].y - box.points[0].y) + Math.hypot(box.points[2].x - box.points[1].x, box.points[2].y - box.points[1].y)) / 2;
    return { box, cy: (Math.min(...ys) + Math.max(...ys)) / 2, cx: (Math.min(...xs) + Math.max(...xs)) / 2, height };
  });
  info.sort((a, b) => a.cy - b.cy);
  const lines = [];
  for (const b of info) {
    const line = lines[lines.length - 1];
    if (line && Math.abs(b.cy - line.cy) < Math.min(b.height, line.height) / 2) {
      line.items.push(b);
      line.cy = line.items.reduce((s, i) => s + i.cy, 0) / line.items.length;
      line.height = Math.max(line.height, b.height);
    } else lines.push({ cy: b.cy, height: b.height, items: [b] });
  }
  return lines.flatMap((line) => line.items.sort((a, b) => a.cx - b.cx).map((i) => i.box));
}
