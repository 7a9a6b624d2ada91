/** `lab.array`: small numeric helpers over typed arrays and plain number lists. */

/**
 * Index of the largest value in `data[start .. start + length)`, relative to
 * `start` (so a row of a [T, C] matrix gives a class index); -1 when empty.
 * Ties go to the first.
 */
export function argmax(data: ArrayLike<number>, start = 0, length = data.length - start): number {
  const end = Math.min(data.length, start + length);
  let best = -1;
  let bestValue = -Infinity;
  for (let i = start; i < end; i++) {
    const v = data[i]!;
    if (best < 0 || v > bestValue) {
      best = i - start;
      bestValue = v;
    }
  }
  return best;
}

/** The largest value; -Infinity when empty (like Math.max()). */
export function max(data: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i]! > m) m = data[i]!;
  return m;
}

/** The smallest value; Infinity when empty (like Math.min()). */
export function min(data: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < data.length; i++) if (data[i]! < m) m = data[i]!;
  return m;
}

/** The arithmetic mean; NaN when empty. */
export function mean(data: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i]!;
  return sum / data.length;
}

/** Softmax over all values, shifted by the maximum so large logits do not overflow. */
export function softmax(data: ArrayLike<number>): Float32Array {
  const out = new Float32Array(data.length);
  const m = max(data);
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const e = Math.exp(data[i]! - m);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Row-major strides of a shape: element offset of a step along each axis. */
export function strides(shape: number[]): number[] {
  const out = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = step;
    step *= shape[i]!;
  }
  return out;
}
