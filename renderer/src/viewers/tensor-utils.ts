/**
 * Pure helpers of the tensor viewers: row-major index arithmetic, image pixel
 * offsets per layout, value formatting and base64 decoding. No Vue here, so
 * they are easy to test on their own.
 */
import type { ImageLayout, TensorDType, TensorPage } from '@contract/lab-api';

export type Value = TensorPage['values'][number];

const FLOATS: ReadonlySet<TensorDType> = new Set<TensorDType>(['FP16', 'FP32', 'FP64', 'BF16']);

export function isFloat(dtype: TensorDType): boolean {
  return FLOATS.has(dtype);
}

export function isNumeric(dtype: TensorDType): boolean {
  return dtype !== 'BYTES' && dtype !== 'BOOL';
}

/** Row-major strides, in elements. */
export function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * Math.max(1, shape[i + 1]!);
  return out;
}

/** The multi-index of flat element `index`. */
export function unravel(index: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(0);
  let rest = index;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = Math.max(1, shape[i]!);
    out[i] = rest % d;
    rest = Math.floor(rest / d);
  }
  return out;
}

/** Flat offset of the first element of the 2-D slice picked by `fixed` (one index per axis but the last two). */
export function sliceBase(shape: readonly number[], fixed: readonly number[]): number {
  const st = strides(shape);
  let base = 0;
  for (let i = 0; i < shape.length - 2; i++) base += (fixed[i] ?? 0) * st[i]!;
  return base;
}

/** Shows as a plain list: at most one axis longer than 1 (e.g. [1, 1000] logits, or a scalar). */
export function isListLike(shape: readonly number[]): boolean {
  return shape.length <= 1 || shape.filter((d) => d > 1).length <= 1;
}

export interface ElementRange {
  offset: number;
  count: number;
}

/**
 * The element ranges holding pixel (x, y) of image `batch` in `layout`:
 * channels-last layouts keep a pixel's channels together (one range), planar
 * ones (CHW, NCHW) put each channel in its own plane (one range per channel).
 * The layout's batch/height/width/channels are sizes.
 */
export function pixelRanges(layout: ImageLayout, x: number, y: number, batch = 0): ElementRange[] {
  const H = layout.height;
  const W = layout.width;
  const C = Math.max(1, layout.channels);
  const b = layout.layout.startsWith('N') ? batch : 0;
  switch (layout.layout) {
    case 'HW':
    case 'NHW':
      return [{ offset: b * H * W + y * W + x, count: 1 }];
    case 'HWC':
    case 'NHWC':
      return [{ offset: b * H * W * C + (y * W + x) * C, count: C }];
    case 'CHW':
    case 'NCHW': {
      const out: ElementRange[] = [];
      for (let c = 0; c < C; c++) out.push({ offset: b * C * H * W + c * H * W + y * W + x, count: 1 });
      return out;
    }
    case 'ENCODED':
      // A compressed file has no element per pixel: the readout comes from the decoded picture instead.
      return [];
  }
}

export function batchCount(layout: ImageLayout): number {
  return layout.layout.startsWith('N') || layout.layout === 'ENCODED' ? Math.max(1, layout.batch) : 1;
}

/** Up to 6 significant digits, trailing zeros dropped; exponent form for very large or small magnitudes. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) {
    const [m, e] = v.toExponential(5).split('e');
    return `${m!.replace(/\.?0+$/, '')}e${e}`;
  }
  return String(Number(v.toPrecision(6)));
}

export interface Formatted {
  text: string;
  /** `nonfinite` for NaN/Inf, `missing` for a null that is not a float. */
  kind?: 'nonfinite' | 'missing';
}

const NONFINITE = /^([+-]?)(nan|inf|infinity)$/i;

/** One element as the viewers show it: integers as they are (INT64 strings too), floats with up to 6 significant digits, NaN/Inf as such. */
export function formatValue(v: Value, dtype: TensorDType): Formatted {
  if (v === null || v === undefined) return isFloat(dtype) ? { text: 'NaN', kind: 'nonfinite' } : { text: '—', kind: 'missing' };
  if (typeof v === 'boolean') return { text: v ? 'true' : 'false' };
  if (typeof v === 'string') {
    const m = NONFINITE.exec(v.trim());
    if (m) {
      if (m[2]!.toLowerCase() === 'nan') return { text: 'NaN', kind: 'nonfinite' };
      return { text: m[1] === '-' ? '-Inf' : 'Inf', kind: 'nonfinite' };
    }
    return { text: v };
  }
  if (!Number.isFinite(v)) return { text: formatFloat(v), kind: 'nonfinite' };
  return { text: isFloat(dtype) ? formatFloat(v) : String(v) };
}

export function formatNumber(v: number, dtype: TensorDType): string {
  return formatValue(v, dtype).text;
}

/** `[1, 3, 224, 224]`; a scalar is `[]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function formatCount(n: number, locale = 'en'): string {
  try {
    return new Intl.NumberFormat(locale).format(n);
  } catch {
    return String(n);
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : Number(v.toPrecision(3))} ${units[u]}`;
}

export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return Number(v);
  return Number.NaN;
}

export function clampInt(v: number, min: number, max: number): number {
  if (!Number.isFinite(v)) return min;
  return Math.min(max, Math.max(min, Math.trunc(v)));
}
