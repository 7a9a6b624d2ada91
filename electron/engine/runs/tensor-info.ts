/**
 * What the UI first learns about a tensor: its shape and size, statistics
 * over every element (FP16/BF16 decoded, NaN and infinities counted apart),
 * true counts, non-text BYTES elements, and the ways it could be an image.
 */
import { encodedImages, sniffImage } from './encoded-image';
import type { ImageLayout, TensorDType, TensorInfo, TensorStats } from '../../contract/lab-api';
import { bf16ToFloat, halfToFloat } from '../tensor/half';
import { type Tensor, byteSize, elementCount, isBytesData } from '../tensor/tensor';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Element i as a JS number (FP16/BF16 decoded, 64-bit integers rounded). */
export function numberAt(t: Tensor, i: number): number {
  const d = t.data as ArrayLike<number | bigint>;
  if (t.dtype === 'FP16') return halfToFloat(d[i] as number);
  if (t.dtype === 'BF16') return bf16ToFloat(d[i] as number);
  return Number(d[i]);
}

export function isText(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function statsOf(t: Tensor): TensorStats {
  const n = elementCount(t.shape);
  let count = 0;
  let nan = 0;
  let inf = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const v = numberAt(t, i);
    if (Number.isNaN(v)) {
      nan++;
      continue;
    }
    if (!Number.isFinite(v)) {
      inf++;
      continue;
    }
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
    // Welford: stable for large tensors.
    const delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
  }
  return count === 0 ? { count, min: 0, max: 0, mean: 0, std: 0, nan, inf } : { count, min, max, mean, std: Math.sqrt(m2 / count), nan, inf };
}

const CHANNELS = new Set([1, 3, 4]);
const MAX_PIXELS = 64 * 1024 * 1024;

/** Plausible image readings of a shape, most likely first. */
export function imageLayouts(dtype: TensorDType, shape: readonly number[]): ImageLayout[] {
  if (dtype === 'BYTES') return [];
  const out: ImageLayout[] = [];
  const ok = (h: number, w: number): boolean => h >= 2 && w >= 2 && h * w <= MAX_PIXELS;
  const preferHwc = dtype === 'UINT8';
  if (shape.length === 2) {
    const [h, w] = shape as [number, number];
    if (ok(h, w)) out.push({ layout: 'HW', batch: 1, height: h, width: w, channels: 1 });
  } else if (shape.length === 3) {
    const [a, b, c] = shape as [number, number, number];
    const hwc = CHANNELS.has(c) && ok(a, b) ? { layout: 'HWC' as const, batch: 1, height: a, width: b, channels: c } : undefined;
    const chw = CHANNELS.has(a) && ok(b, c) ? { layout: 'CHW' as const, batch: 1, height: b, width: c, channels: a } : undefined;
    const nhw = !hwc && !chw && a <= 64 && ok(b, c) ? { layout: 'NHW' as const, batch: a, height: b, width: c, channels: 1 } : undefined;
    for (const l of preferHwc ? [hwc, chw] : [chw, hwc]) if (l) out.push(l);
    if (nhw) out.push(nhw);
  } else if (shape.length === 4) {
    const [n, a, b, c] = shape as [number, number, number, number];
    const nhwc = CHANNELS.has(c) && ok(a, b) ? { layout: 'NHWC' as const, batch: n, height: a, width: b, channels: c } : undefined;
    const nchw = CHANNELS.has(a) && ok(b, c) ? { layout: 'NCHW' as const, batch: n, height: b, width: c, channels: a } : undefined;
    for (const l of preferHwc ? [nhwc, nchw] : [nchw, nhwc]) if (l) out.push(l);
  }
  return out;
}

export function describeTensor(t: Tensor): TensorInfo {
  const info: TensorInfo = {
    name: t.name,
    dtype: t.dtype,
    shape: [...t.shape],
    elements: elementCount(t.shape),
    byteSize: byteSize(t),
    imageLayouts: imageLayouts(t.dtype, t.shape),
  };
  const encoded = encodedImages(t);
  const first = encoded[0] && sniffImage(encoded[0]);
  // A file is what the user will want to see first (the OCR ensemble's input_image).
  if (first) info.imageLayouts.unshift({ layout: 'ENCODED', batch: encoded.length, width: first.width, height: first.height, channels: 3 });
  if (isBytesData(t.data)) info.binaryElements = t.data.filter((b) => !isText(b)).length;
  else if (t.dtype === 'BOOL') info.trueCount = (t.data as Uint8Array).reduce((n, v) => n + (v ? 1 : 0), 0);
  else info.stats = statsOf(t);
  return info;
}
