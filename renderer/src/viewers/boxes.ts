/**
 * Box overlays: detection outputs drawn over an image. OCR boxes come as
 * [N, 4, 2] (four corner points per box) or [N, 4] (x1, y1, x2, y2), maybe
 * with a leading batch axis.
 */
import type { TensorRef } from '@contract/lab-api';
import { toNumber, type Value } from './tensor-utils';

/** A boxes tensor; `shape` saves looking it up (in the run history) when the caller knows it. */
export type BoxesRef = TensorRef & { shape?: number[] };

export type BoxKind = 'quad' | 'rect';
export type Polygon = [number, number][];

/** What a boxes tensor of this shape holds, and how many values each image's boxes take (a leading batch axis splits them). */
export function boxKind(shape: readonly number[]): { kind: BoxKind; perBatch?: number } | undefined {
  const r = shape.length;
  if (r >= 2 && shape[r - 1] === 2 && shape[r - 2] === 4) {
    return r === 4 ? { kind: 'quad', perBatch: shape[1]! * 8 } : r === 3 || r === 2 ? { kind: 'quad' } : undefined;
  }
  if (r >= 1 && shape[r - 1] === 4) return r === 3 ? { kind: 'rect', perBatch: shape[1]! * 4 } : r <= 2 ? { kind: 'rect' } : undefined;
  return undefined;
}

/** When the shape is unknown: [x1, y1, x2, y2] groups always have x2 > x1 and y2 > y1; corner quads do not. */
export function guessKind(values: readonly Value[]): BoxKind {
  if (values.length % 8 !== 0) return 'rect';
  for (let i = 0; i + 3 < values.length; i += 4) {
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map((k) => toNumber(values[i + k]!));
    if (!(x2! > x1! && y2! > y1!)) return 'quad';
  }
  return 'rect';
}

export function toPolygons(values: readonly Value[], kind: BoxKind): Polygon[] {
  const nums = values.map(toNumber);
  const out: Polygon[] = [];
  if (kind === 'quad') {
    for (let i = 0; i + 7 < nums.length; i += 8) {
      const p: Polygon = [];
      for (let k = 0; k < 4; k++) p.push([nums[i + 2 * k]!, nums[i + 2 * k + 1]!]);
      if (p.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))) out.push(p);
    }
  } else {
    for (let i = 0; i + 3 < nums.length; i += 4) {
      const [x1, y1, x2, y2] = nums.slice(i, i + 4) as [number, number, number, number];
      if (![x1, y1, x2, y2].every(Number.isFinite)) continue;
      out.push([
        [x1, y1],
        [x2, y1],
        [x2, y2],
        [x1, y2],
      ]);
    }
  }
  return out;
}

/** Boxes in 0..1 are relative to the image: scale them to its pixels. */
export function scaleIfNormalized(polys: Polygon[], width: number, height: number): Polygon[] {
  const all = polys.flat();
  if (all.length === 0 || !all.every(([x, y]) => x >= -0.01 && x <= 1.01 && y >= -0.01 && y <= 1.01)) return polys;
  if (width <= 2 && height <= 2) return polys;
  return polys.map((p) => p.map(([x, y]) => [x * width, y * height] as [number, number]));
}

export function pointsAttr(p: Polygon): string {
  return p.map(([x, y]) => `${x},${y}`).join(' ');
}
