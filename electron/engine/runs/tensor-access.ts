/**
 * Looking at a stored tensor without sending it whole: a page of elements,
 * an image or a heatmap rendered to PNG here (sharp), a histogram, and
 * exports as .npy or JSON.
 */
import type { ExportedTensor, Heatmap, Histogram, ImageLayout, ImageRequest, RenderedImage, TensorPage } from '../../contract/lab-api';
import { LabError, errorMessage } from '../errors';
import { encodedImages } from './encoded-image';
import { type Tensor, elementCount, isBytesData } from '../tensor/tensor';
import { imageLayouts, isText, numberAt } from './tensor-info';

export const MAX_PAGE = 10_000;

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** A JSON-safe element: 64-bit integers beyond 2^53 as strings, FP16/BF16 decoded, BOOL as booleans. */
function valueAt(t: Tensor, i: number): number | string | boolean | null {
  if (t.dtype === 'BOOL') return (t.data as Uint8Array)[i] !== 0;
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
    const v = t.data[i]!;
    return v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER) ? v.toString() : Number(v);
  }
  const v = numberAt(t, i);
  // JSON has no NaN or infinities: they travel as strings the viewers print as such.
  return Number.isFinite(v) ? v : String(v);
}

export function tensorPage(t: Tensor, offset: number, count: number): TensorPage {
  const total = elementCount(t.shape);
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(count) || count < 0) throw new LabError('INVALID_ARG', 'offset and count must be non-negative integers');
  if (count > MAX_PAGE) throw new LabError('INVALID_ARG', `a page holds at most ${MAX_PAGE} elements`);
  const end = Math.min(total, offset + count);
  const values: TensorPage['values'] = [];
  const hexAt: number[] = [];
  if (isBytesData(t.data)) {
    const dec = new TextDecoder();
    for (let i = offset; i < end; i++) {
      const b = t.data[i]!;
      if (isText(b)) values.push(dec.decode(b));
      else {
        hexAt.push(values.length);
        values.push(hex(b));
      }
    }
  } else for (let i = offset; i < end; i++) values.push(valueAt(t, i));
  return { offset, total, values, ...(hexAt.length ? { hex: hexAt } : {}) };
}

/** Element index of (batch, y, x, channel) under a layout. */
export function pixelIndex(l: ImageLayout, b: number, y: number, x: number, c: number): number {
  const { height: h, width: w, channels: ch } = l;
  switch (l.layout) {
    case 'HW':
      return y * w + x;
    case 'NHW':
      return (b * h + y) * w + x;
    case 'HWC':
      return (y * w + x) * ch + c;
    case 'NHWC':
      return ((b * h + y) * w + x) * ch + c;
    case 'CHW':
      return (c * h + y) * w + x;
    case 'NCHW':
      return ((b * ch + c) * h + y) * w + x;
    case 'ENCODED':
      throw new LabError('INVALID_ARG', 'an encoded image has no element per pixel');
  }
}

function pngBase64(raw: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Promise<string> {
  return import('sharp').then(async ({ default: sharp }) =>
    (
      await sharp(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), { raw: { width, height, channels } })
        .png()
        .toBuffer()
    ).toString('base64'),
  );
}

/** Decodes the b-th image file a tensor holds into a PNG for display. */
async function encodedImage(t: Tensor, b: number): Promise<RenderedImage> {
  const files = encodedImages(t);
  if (files.length === 0) throw new LabError('INVALID_ARG', `tensor '${t.name}' holds no image file`);
  if (!Number.isInteger(b) || b < 0 || b >= files.length) throw new LabError('INVALID_ARG', `batch index ${b} is outside 0..${files.length - 1}`);
  try {
    const { default: sharp } = await import('sharp');
    const { data, info } = await sharp(files[b]!).rotate().png().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, png: data.toString('base64'), range: [0, 255] };
  } catch (err) {
    throw new LabError('INVALID_ARG', `tensor '${t.name}' looks like an image file but could not be decoded: ${errorMessage(err)}`);
  }
}

export async function tensorImage(t: Tensor, req: ImageRequest): Promise<RenderedImage> {
  if (req.layout === 'ENCODED') return encodedImage(t, req.batchIndex ?? 0);
  if (isBytesData(t.data)) throw new LabError('INVALID_ARG', `tensor '${t.name}' holds strings, not pixels`);
  const layout = imageLayouts(t.dtype, t.shape).find((l) => l.layout === req.layout);
  if (!layout) throw new LabError('INVALID_ARG', `tensor '${t.name}' of shape [${t.shape.join(', ')}] cannot be read as ${req.layout}`);
  const b = req.batchIndex ?? 0;
  if (!Number.isInteger(b) || b < 0 || b >= layout.batch) throw new LabError('INVALID_ARG', `batch index ${b} is outside 0..${layout.batch - 1}`);
  const { width, height, channels } = layout;
  const shown: 1 | 3 | 4 = channels === 1 ? 1 : channels === 4 ? 4 : 3;
  let [lo, hi] = req.range ?? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  if (!req.range) {
    if (t.dtype === 'UINT8' || t.dtype === 'BOOL') [lo, hi] = t.dtype === 'BOOL' ? [0, 1] : [0, 255];
    else {
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++)
          for (let c = 0; c < channels; c++) {
            const v = numberAt(t, pixelIndex(layout, b, y, x, c));
            if (Number.isFinite(v)) {
              if (v < lo) lo = v;
              if (v > hi) hi = v;
            }
          }
      if (lo > hi) [lo, hi] = [0, 1];
    }
  }
  const span = hi - lo || 1;
  const swap = channels === 3 && req.order === 'BGR';
  const raw = new Uint8Array(width * height * shown);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < shown; c++) {
        const src = swap ? 2 - c : c;
        const v = numberAt(t, pixelIndex(layout, b, y, x, src));
        raw[(y * width + x) * shown + c] = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255))) : 0;
      }
  return { width, height, png: await pngBase64(raw, width, height, shown), range: [lo, hi] };
}

/** A perceptual blue→green→yellow scale (viridis-like), t in 0..1. */
function color(v: number): [number, number, number] {
  const stops: [number, number, number][] = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.max(0, Math.min(1, v)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f].map(Math.round) as [number, number, number];
}

/**
 * Which two axes a heatmap shows: `axes` (rows, columns) when given, else the
 * last two; `fixed` holds one index for every other axis, in axis order.
 */
function heatmapSlice(t: Tensor, fixed: number[], axes?: [number, number]): { rowAxis: number; colAxis: number; base: number } {
  const rank = t.shape.length;
  const [rowAxis, colAxis] = axes ?? [rank - 2, rank - 1];
  if (![rowAxis, colAxis].every((a) => Number.isInteger(a) && a >= 0 && a < rank) || rowAxis === colAxis) {
    throw new LabError('INVALID_ARG', `'axes' must name two different axes of 0..${rank - 1}`);
  }
  const others = t.shape.map((_, i) => i).filter((i) => i !== rowAxis && i !== colAxis);
  const sizes = others.map((i) => t.shape[i]!);
  if (!Array.isArray(fixed) || fixed.length !== others.length || fixed.some((v, i) => !Number.isInteger(v) || v < 0 || v >= sizes[i]!)) {
    const which = axes ? `axes ${others.join(', ') || 'none'}` : `the first ${others.length} axes`;
    throw new LabError('INVALID_ARG', `give one index for each of ${which} (sizes ${sizes.join(', ') || 'none'})`);
  }
  const st = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) st[i] = st[i + 1]! * t.shape[i + 1]!;
  const base = others.reduce((sum, axis, k) => sum + fixed[k]! * st[axis]!, 0);
  return { rowAxis, colAxis, base };
}

/**
 * A 2-D slice as a coloured PNG, averaged down to `maxSide` cells a side. The
 * colour scale and `min`/`max` are the real extremes of the slice's elements
 * (not of the averaged cells), so the legend tells what the slice holds.
 */
export async function tensorHeatmap(t: Tensor, fixed: number[], maxSide = 256, axes?: [number, number]): Promise<Heatmap> {
  if (isBytesData(t.data) || t.shape.length < 2) throw new LabError('INVALID_ARG', `tensor '${t.name}' has no 2-D slice to show`);
  const { rowAxis, colAxis, base } = heatmapSlice(t, fixed, axes);
  const rows = t.shape[rowAxis]!;
  const cols = t.shape[colAxis]!;
  const strideOf = (axis: number): number => t.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const [rs, cs] = [strideOf(rowAxis), strideOf(colAxis)];
  const side = Math.max(8, Math.min(1024, Math.floor(maxSide)));
  const sr = Math.max(1, Math.ceil(rows / side));
  const sc = Math.max(1, Math.ceil(cols / side));
  const outR = Math.ceil(rows / sr);
  const outC = Math.ceil(cols / sc);
  const cells = new Float64Array(outR * outC);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < outR; r++)
    for (let c = 0; c < outC; c++) {
      let sum = 0;
      let n = 0;
      for (let dr = 0; dr < sr && r * sr + dr < rows; dr++)
        for (let dc = 0; dc < sc && c * sc + dc < cols; dc++) {
          const v = numberAt(t, base + (r * sr + dr) * rs + (c * sc + dc) * cs);
          if (Number.isFinite(v)) {
            sum += v;
            n++;
            if (v < min) min = v;
            if (v > max) max = v;
          }
        }
      cells[r * outC + c] = n ? sum / n : Number.NaN;
    }
  if (min > max) [min, max] = [0, 0];
  const raw = new Uint8Array(outR * outC * 3);
  cells.forEach((v, i) => raw.set(Number.isFinite(v) ? color((v - min) / (max - min || 1)) : [0, 0, 0], i * 3));
  return { rows: outR, cols: outC, step: [sr, sc], min, max, png: await pngBase64(raw, outC, outR, 3) };
}

export function tensorHistogram(t: Tensor, bins = 40): Histogram {
  if (isBytesData(t.data)) throw new LabError('INVALID_ARG', `tensor '${t.name}' holds strings, not numbers`);
  const nb = Math.max(1, Math.min(512, Math.floor(bins)));
  const n = elementCount(t.shape);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = numberAt(t, i);
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const counts = new Array<number>(nb).fill(0);
  if (min > max) return { min: 0, max: 0, counts };
  const width = (max - min) / nb || 1;
  for (let i = 0; i < n; i++) {
    const v = numberAt(t, i);
    if (Number.isFinite(v)) counts[Math.min(nb - 1, Math.floor((v - min) / width))]!++;
  }
  return { min, max, counts };
}

const NPY_DESCR: Record<string, string> = {
  BOOL: '|b1',
  UINT8: '|u1',
  INT8: '|i1',
  UINT16: '<u2',
  INT16: '<i2',
  UINT32: '<u4',
  INT32: '<i4',
  UINT64: '<u8',
  INT64: '<i8',
  FP16: '<f2',
  FP32: '<f4',
  FP64: '<f8',
};

/** NumPy's .npy format 1.0: magic, a padded header dict, then the little-endian data. Strings become fixed-width unicode. */
export function toNpy(t: Tensor): Uint8Array {
  let descr: string;
  let body: Uint8Array;
  if (isBytesData(t.data)) {
    const dec = new TextDecoder();
    const strings = t.data.map((b) => [...dec.decode(b)]);
    const width = Math.max(1, ...strings.map((s) => s.length));
    descr = `<U${width}`;
    const out = new Uint32Array(strings.length * width);
    strings.forEach((chars, i) => chars.forEach((ch, j) => (out[i * width + j] = ch.codePointAt(0)!)));
    body = new Uint8Array(out.buffer);
  } else if (t.dtype === 'BF16') {
    // NumPy has no bfloat16: exported widened to float32.
    descr = '<f4';
    const out = new Float32Array(elementCount(t.shape));
    for (let i = 0; i < out.length; i++) out[i] = numberAt(t, i);
    body = new Uint8Array(out.buffer);
  } else {
    descr = NPY_DESCR[t.dtype]!;
    const d = t.data;
    body = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += `${' '.repeat(pad % 64)}\n`;
  const out = new Uint8Array(10 + header.length + body.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}

const MAX_JSON_EXPORT = 4_000_000;

export function exportTensor(t: Tensor, format: 'npy' | 'json'): ExportedTensor {
  const safe = t.name.replace(/[^\w.-]+/g, '_') || 'tensor';
  if (format === 'npy') return { fileName: `${safe}.npy`, mime: 'application/octet-stream', base64: Buffer.from(toNpy(t)).toString('base64') };
  if (format !== 'json') throw new LabError('INVALID_ARG', `export format must be npy or json, got '${String(format)}'`);
  const n = elementCount(t.shape);
  if (n > MAX_JSON_EXPORT) throw new LabError('INVALID_ARG', `${n} elements is too many for JSON; export as .npy`);
  const data = isBytesData(t.data) ? tensorPageAll(t) : Array.from({ length: n }, (_, i) => valueAt(t, i));
  const text = JSON.stringify({ name: t.name, datatype: t.dtype, shape: t.shape, data });
  return { fileName: `${safe}.json`, mime: 'application/json', base64: Buffer.from(text).toString('base64') };
}

function tensorPageAll(t: Tensor): (string | number | boolean | null)[] {
  const out: (string | number | boolean | null)[] = [];
  for (let i = 0; i < elementCount(t.shape); i += MAX_PAGE) out.push(...tensorPage(t, i, MAX_PAGE).values);
  return out;
}
