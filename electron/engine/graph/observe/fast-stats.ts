/**
 * Statistics of every value an observation fetched: hundreds of megabytes
 * (PaddleOCR's detector at 640×640 returns 174 million numbers), so plain
 * float and integer arrays are summed in one tight loop (shifted sums, stable
 * enough for display) instead of the viewers' per-element path, which stays
 * the reference for FP16, BF16 and 64-bit integers.
 */
import type { TensorStats } from '../../../contract/lab-api';
import { statsOf } from '../../runs/tensor-info';
import { type Tensor, elementCount } from '../../tensor/tensor';

type Plain = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

function plain(t: Tensor): Plain | undefined {
  if (t.dtype === 'FP16' || t.dtype === 'BF16' || t.dtype === 'BOOL' || t.dtype === 'BYTES') return undefined;
  const d = t.data;
  return d instanceof Float32Array ||
    d instanceof Float64Array ||
    d instanceof Int8Array ||
    d instanceof Uint8Array ||
    d instanceof Int16Array ||
    d instanceof Uint16Array ||
    d instanceof Int32Array ||
    d instanceof Uint32Array
    ? d
    : undefined;
}

function sums(d: Plain, n: number): TensorStats {
  let count = 0;
  let nan = 0;
  let inf = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let shift = Number.NaN;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const v = d[i]!;
    if (v !== v) {
      nan++;
      continue;
    }
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
      inf++;
      continue;
    }
    if (count === 0) shift = v;
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
    const x = v - shift;
    sum += x;
    sq += x * x;
  }
  if (count === 0) return { count, min: 0, max: 0, mean: 0, std: 0, nan, inf };
  const m = sum / count;
  return { count, min, max, mean: shift + m, std: Math.sqrt(Math.max(0, sq / count - m * m)), nan, inf };
}

/** The same statistics as the viewers' `statsOf`, fast for the common arrays. */
export function fastStats(t: Tensor): TensorStats {
  const d = plain(t);
  return d ? sums(d, Math.min(d.length, elementCount(t.shape))) : statsOf(t);
}
