/**
 * Encoded images inside tensors (the OCR ensemble's UINT8 [-1] input, a
 * BYTES element holding a file): recognised by their signature, sized from
 * their header without decoding, so the viewers can offer them as pictures.
 */
import { type Tensor, isBytesData } from '../tensor/tensor';

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';

const u16be = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u16le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32be = (b: Uint8Array, o: number): number => ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
const i32le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
const ascii = (b: Uint8Array, o: number, s: string): boolean => [...s].every((c, i) => b[o + i] === c.charCodeAt(0));

/** JPEG: the first start-of-frame marker holds the size; markers before it are skipped by their lengths. */
function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let o = 2;
  while (o + 9 < b.length) {
    if (b[o] !== 0xff) return undefined;
    const marker = b[o + 1]!;
    if (marker === 0xff) {
      o++;
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: u16be(b, o + 5), width: u16be(b, o + 7) };
    o += 2 + u16be(b, o + 2);
  }
  return undefined;
}

/** The format and size of an encoded image, or undefined when the bytes are not one we recognise. */
export function sniffImage(b: Uint8Array): { format: ImageFormat; width: number; height: number } | undefined {
  if (b.length < 24) return undefined;
  if (b[0] === 0x89 && ascii(b, 1, 'PNG') && ascii(b, 12, 'IHDR')) return { format: 'png', width: u32be(b, 16), height: u32be(b, 20) };
  if (b[0] === 0xff && b[1] === 0xd8) {
    const s = jpegSize(b);
    return s ? { format: 'jpeg', ...s } : undefined;
  }
  if (ascii(b, 0, 'GIF8')) return { format: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
  if (ascii(b, 0, 'BM') && b.length >= 26) return { format: 'bmp', width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP') && b.length >= 30) {
    if (ascii(b, 12, 'VP8X')) return { format: 'webp', width: 1 + (b[24]! | (b[25]! << 8) | (b[26]! << 16)), height: 1 + (b[27]! | (b[28]! << 8) | (b[29]! << 16)) };
    if (ascii(b, 12, 'VP8 ')) return { format: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
    if (ascii(b, 12, 'VP8L')) {
      const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
      return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  return undefined;
}

/** The encoded images a tensor holds: a UINT8 tensor with one image per row of its last axis, or BYTES elements that are images. */
export function encodedImages(t: Tensor): Uint8Array[] {
  if (isBytesData(t.data)) return t.data.length <= 64 && t.data.every((e) => sniffImage(e)) ? t.data : [];
  if (t.dtype !== 'UINT8' || t.shape.length === 0 || t.shape.length > 2) return [];
  const data = t.data as Uint8Array;
  const rows = t.shape.length === 2 ? t.shape[0]! : 1;
  const len = t.shape[t.shape.length - 1]!;
  if (rows < 1 || rows > 64 || len < 24) return [];
  const out: Uint8Array[] = [];
  for (let r = 0; r < rows; r++) {
    const row = data.subarray(r * len, (r + 1) * len);
    if (!sniffImage(row)) return [];
    out.push(row);
  }
  return out;
}
