/**
 * `lab.image`: decoding, encoding and resampling through sharp; cropping,
 * warping and tensor conversion in plain TypeScript. Images are interleaved
 * (HWC) 8-bit pixels with 1 (gray), 3 (RGB) or 4 (RGBA) channels.
 */
import type { Color, Sharp } from 'sharp';
import { frameCorners } from './geometry';

type SharpLib = (typeof import('sharp'))['default'];
let sharpLib: Promise<SharpLib> | undefined;

/** sharp loads on first use: most scripts never decode an image, and loading it costs ~0.2 s per worker. */
function loadSharp(): Promise<SharpLib> {
  sharpLib ??= import('sharp').then((m) => m.default);
  return sharpLib;
}

type Channels = 1 | 3 | 4;

async function raw(img: LabImage): Promise<Sharp> {
  checkImage(img);
  const sharp = await loadSharp();
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
}

function checkImage(img: LabImage): void {
  if (![1, 3, 4].includes(img.channels)) throw new RangeError(`an image has 1, 3 or 4 channels, not ${img.channels}`);
  if (img.data.length !== img.width * img.height * img.channels) {
    throw new RangeError(`image data has ${img.data.length} bytes, ${img.width}x${img.height}x${img.channels} needs ${img.width * img.height * img.channels}`);
  }
}

/** Converts sharp's pipeline to the requested channel count; alpha is composited onto white when dropped. */
function withChannels(s: Sharp, channels: Channels): Sharp {
  if (channels === 1) return s.flatten({ background: '#ffffff' }).toColourspace('b-w');
  if (channels === 3) return s.flatten({ background: '#ffffff' }).toColourspace('srgb');
  return s.toColourspace('srgb').ensureAlpha();
}

async function toImage(s: Sharp): Promise<LabImage> {
  const { data, info } = await s.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 && info.channels !== 3 && info.channels !== 4) throw new Error(`unexpected channel count ${info.channels}`);
  return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Decodes PNG, JPEG, WebP, GIF, TIFF, AVIF or SVG bytes, EXIF orientation applied. Without `channels`, keeps gray, RGB or RGBA as stored. */
export async function decode(bytes: Uint8Array, opts: { channels?: Channels } = {}): Promise<LabImage> {
  try {
    const sharp = await loadSharp();
    let channels = opts.channels;
    if (channels === undefined) {
      const meta = await sharp(bytes).metadata();
      channels = meta.hasAlpha ? 4 : meta.channels === 1 ? 1 : 3;
    }
    return await toImage(withChannels(sharp(bytes, { autoOrient: true }), channels));
  } catch (err) {
    // sharp's messages do not say which call failed; scripts see this one.
    throw new Error(`lab.image.decode: ${err instanceof Error ? err.message : String(err)} (${bytes.length} bytes)`, { cause: err });
  }
}

export async function encode(img: LabImage, format: 'png' | 'jpeg' | 'webp' = 'png', opts: { quality?: number } = {}): Promise<Uint8Array> {
  const s = withChannels(await raw(img), img.channels);
  const q = opts.quality === undefined ? {} : { quality: opts.quality };
  const out = await (format === 'jpeg' ? s.jpeg(q) : format === 'webp' ? s.webp(q) : s.png()).toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function sharpBackground(background: number[] | undefined, channels: Channels): Color {
  const [r = 0, g = r, b = r, a = 255] = background ?? [];
  return channels === 1 ? { r, g: r, b: r, alpha: 1 } : { r, g, b, alpha: a / 255 };
}

/** Resizes to width×height: `fill` stretches (default), `contain` letterboxes with `background`, `cover` crops the overflow. */
export async function resize(img: LabImage, width: number, height: number, opts: { fit?: 'fill' | 'contain' | 'cover'; background?: number[] } = {}): Promise<LabImage> {
  const s = (await raw(img)).resize(Math.round(width), Math.round(height), { fit: opts.fit ?? 'fill', background: sharpBackground(opts.background, img.channels) });
  return toImage(withChannels(s, img.channels));
}

/** Rotates counter-clockwise (like RotatedRect angles); other than quarter turns, the canvas grows and is filled with `background`. */
export async function rotate(img: LabImage, degrees: number, opts: { background?: number[] } = {}): Promise<LabImage> {
  const s = (await raw(img)).rotate(-degrees, { background: sharpBackground(opts.background, img.channels) });
  return toImage(withChannels(s, img.channels));
}

/** The part of the image inside the rectangle, clipped to the image; coordinates are rounded to whole pixels. */
export function crop(img: LabImage, x: number, y: number, width: number, height: number): LabImage {
  checkImage(img);
  const x0 = Math.max(0, Math.round(x)),
    y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + width)),
    y1 = Math.min(img.height, Math.round(y + height));
  if (x1 <= x0 || y1 <= y0) throw new RangeError(`crop ${x},${y} ${width}x${height} lies outside the ${img.width}x${img.height} image`);
  const w = x1 - x0,
    h = y1 - y0,
    c = img.channels;
  const data = new Uint8Array(w * h * c);
  for (let row = 0; row < h; row++) {
    const from = ((y0 + row) * img.width + x0) * c;
    data.set(img.data.subarray(from, from + w * c), row * w * c);
  }
  return { width: w, height: h, channels: c, data };
}

/** Maps the unit square onto a quad (TL, TR, BR, BL): Heckbert's square-to-quad projective transform. */
function squareToQuad(q: [Point, Point, Point, Point]): (s: number, t: number) => Point {
  const [p0, p1, p2, p3] = q;
  const dx3 = p0.x - p1.x + p2.x - p3.x,
    dy3 = p0.y - p1.y + p2.y - p3.y;
  let a: number,
    b: number,
    d: number,
    e: number,
    g = 0,
    h = 0;
  if (Math.abs(dx3) < 1e-9 && Math.abs(dy3) < 1e-9) {
    a = p1.x - p0.x;
    b = p2.x - p1.x;
    d = p1.y - p0.y;
    e = p2.y - p1.y;
  } else {
    const dx1 = p1.x - p2.x,
      dx2 = p3.x - p2.x,
      dy1 = p1.y - p2.y,
      dy2 = p3.y - p2.y;
    const den = dx1 * dy2 - dx2 * dy1;
    g = (dx3 * dy2 - dx2 * dy3) / den;
    h = (dx1 * dy3 - dx3 * dy1) / den;
    a = p1.x - p0.x + g * p1.x;
    b = p3.x - p0.x + h * p3.x;
    d = p1.y - p0.y + g * p1.y;
    e = p3.y - p0.y + h * p3.y;
  }
  return (s, t) => {
    const w = g * s + h * t + 1;
    return { x: (a * s + b * t + p0.x) / w, y: (d * s + e * t + p0.y) / w };
  };
}

/**
 * Samples a region into an upright width×height image with bilinear
 * interpolation, repeating edge pixels outside the image. A RotatedRect is
 * read along its own axes (so angle 180 gives an upside-down copy); a quad
 * is TL, TR, BR, BL, each the outer corner of the output's corner pixel.
 */
export function warp(img: LabImage, region: RotatedRect | [Point, Point, Point, Point], width: number, height: number): LabImage {
  checkImage(img);
  const w = Math.max(1, Math.round(width)),
    h = Math.max(1, Math.round(height)),
    c = img.channels;
  const quad = Array.isArray(region) ? region : frameCorners(region);
  // Pixel centres sit at integer coordinates, so outer corners are half a pixel out.
  const map = squareToQuad(quad);
  const out = new Uint8Array(w * h * c);
  const maxX = img.width - 1,
    maxY = img.height - 1,
    src = img.data;
  for (let oy = 0; oy < h; oy++) {
    for (let ox = 0; ox < w; ox++) {
      const p = map((ox + 0.5) / w, (oy + 0.5) / h);
      const x = Math.min(maxX, Math.max(0, p.x)),
        y = Math.min(maxY, Math.max(0, p.y));
      const x0 = Math.floor(x),
        y0 = Math.floor(y);
      const x1 = Math.min(maxX, x0 + 1),
        y1 = Math.min(maxY, y0 + 1);
      const fx = x - x0,
        fy = y - y0;
      const i00 = (y0 * img.width + x0) * c,
        i01 = (y0 * img.width + x1) * c;
      const i10 = (y1 * img.width + x0) * c,
        i11 = (y1 * img.width + x1) * c;
      const o = (oy * w + ox) * c;
      for (let k = 0; k < c; k++) {
        const top = src[i00 + k]! + (src[i01 + k]! - src[i00 + k]!) * fx;
        const bottom = src[i10 + k]! + (src[i11 + k]! - src[i10 + k]!) * fx;
        out[o + k] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return { width: w, height: h, channels: c, data: out };
}

/** One gray channel: ITU-R BT.601 luma, alpha ignored. */
export function toGray(img: LabImage): LabImage {
  checkImage(img);
  const n = img.width * img.height;
  if (img.channels === 1) return { ...img, data: img.data.slice() };
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += img.channels) {
    out[i] = Math.round(0.299 * img.data[j]! + 0.587 * img.data[j + 1]! + 0.114 * img.data[j + 2]!);
  }
  return { width: img.width, height: img.height, channels: 1, data: out };
}

interface TensorOptions {
  layout?: 'CHW' | 'HWC';
  scale?: number;
  mean?: number[];
  std?: number[];
}

/** Per-channel mean and std: one value for all channels, or one per channel. */
function perChannel(values: number[] | undefined, channels: number, fallback: number, what: string): number[] {
  if (values === undefined || values.length === 0) return new Array<number>(channels).fill(fallback);
  if (values.length === 1) return new Array<number>(channels).fill(values[0]!);
  if (values.length < channels) throw new RangeError(`${what} has ${values.length} values for ${channels} channels`);
  return values;
}

/** Pixels as floats, (v * scale - mean[c]) / std[c], in CHW (default) or HWC order. */
export function toTensor(img: LabImage, opts: TensorOptions = {}): Float32Array {
  checkImage(img);
  const c = img.channels,
    n = img.width * img.height,
    scale = opts.scale ?? 1;
  const mean = perChannel(opts.mean, c, 0, 'mean'),
    std = perChannel(opts.std, c, 1, 'std');
  const chw = (opts.layout ?? 'CHW') === 'CHW';
  const out = new Float32Array(n * c);
  for (let k = 0; k < c; k++) {
    const m = mean[k]!,
      s = std[k]!;
    for (let i = 0; i < n; i++) out[chw ? k * n + i : i * c + k] = (img.data[i * c + k]! * scale - m) / s;
  }
  return out;
}

/** The inverse of toTensor: float pixels back to 0..255 (rounded and clamped). */
export function fromTensor(data: ArrayLike<number>, width: number, height: number, channels: Channels, opts: TensorOptions = {}): LabImage {
  const n = width * height,
    scale = opts.scale ?? 1;
  if (data.length < n * channels) throw new RangeError(`tensor has ${data.length} values, ${width}x${height}x${channels} needs ${n * channels}`);
  const mean = perChannel(opts.mean, channels, 0, 'mean'),
    std = perChannel(opts.std, channels, 1, 'std');
  const chw = (opts.layout ?? 'CHW') === 'CHW';
  const out = new Uint8Array(n * channels);
  for (let k = 0; k < channels; k++) {
    const m = mean[k]!,
      s = std[k]!;
    for (let i = 0; i < n; i++) {
      const v = (data[chw ? k * n + i : i * channels + k]! * s + m) / scale;
      out[i * channels + k] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return { width, height, channels, data: out };
}
