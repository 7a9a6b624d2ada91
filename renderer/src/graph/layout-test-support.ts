/** Graphs and geometry checks shared by the layout and viewport tests. */
import type { GraphSummary } from '@contract/lab-api';
import type { LayoutInput, LayoutResult } from './layout';
import { transformerSummary } from './synthetic';

/** The synthetic transformer with one attention mask feeding every layer's attention scores (as the benchmark's 100k model). */
export function maskedTransformer(nodes: number): GraphSummary {
  return transformerSummary(nodes, { attentionMask: true });
}

/** Segments (as their bounding boxes) that enter a box's interior; a grid keeps 10k boxes × 100k segments quick. */
export function segmentsThroughBoxes(input: LayoutInput, r: LayoutResult): string[] {
  const n = input.sizes.length / 2;
  const CELL = 256;
  const grid = new Map<string, number[]>();
  const box = (v: number): [number, number, number, number] => {
    const w = input.sizes[2 * v]! / 2;
    const h = input.sizes[2 * v + 1]! / 2;
    return [r.x[v]! - w, r.y[v]! - h, r.x[v]! + w, r.y[v]! + h];
  };
  for (let v = 0; v < n; v++) {
    const [x0, y0, x1, y1] = box(v);
    for (let gx = Math.floor(x0 / CELL); gx <= Math.floor(x1 / CELL); gx++)
      for (let gy = Math.floor(y0 / CELL); gy <= Math.floor(y1 / CELL); gy++) grid.set(`${gx},${gy}`, [...(grid.get(`${gx},${gy}`) ?? []), v]);
  }
  const bad: string[] = [];
  const eps = 0.5;
  r.points.forEach((p, e) => {
    for (let k = 2; k < p.length; k += 2) {
      const sx0 = Math.min(p[k - 2]!, p[k]!);
      const sx1 = Math.max(p[k - 2]!, p[k]!);
      const sy0 = Math.min(p[k - 1]!, p[k + 1]!);
      const sy1 = Math.max(p[k - 1]!, p[k + 1]!);
      const seen = new Set<number>();
      for (let gx = Math.floor(sx0 / CELL); gx <= Math.floor(sx1 / CELL); gx++)
        for (let gy = Math.floor(sy0 / CELL); gy <= Math.floor(sy1 / CELL); gy++)
          for (const v of grid.get(`${gx},${gy}`) ?? []) {
            if (seen.has(v)) continue;
            seen.add(v);
            const [x0, y0, x1, y1] = box(v);
            if (sx1 > x0 + eps && sx0 < x1 - eps && sy1 > y0 + eps && sy0 < y1 - eps) bad.push(`edge ${e} segment ${k / 2} crosses box ${v}`);
          }
    }
  });
  return bad;
}
