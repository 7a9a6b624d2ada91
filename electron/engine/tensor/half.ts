/** IEEE half and bfloat16 ⇄ float32, for tensors stored as raw 16-bit patterns. */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function halfToFloat(h: number): number {
  const s = (h & 0x8000) >> 15;
  const e = (h & 0x7c00) >> 10;
  const f = h & 0x03ff;
  if (e === 0) return (s ? -1 : 1) * 2 ** -14 * (f / 1024);
  if (e === 0x1f) return f ? NaN : (s ? -1 : 1) * Infinity;
  return (s ? -1 : 1) * 2 ** (e - 15) * (1 + f / 1024);
}

export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant = (mant | 0x800000) >> (1 - e);
    return sign | ((mant + 0x1000) >> 13);
  }
  const rounded = (e << 10) | (mant >> 13);
  // round to nearest even
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && rounded & 1)) e = rounded + 1;
  else e = rounded;
  return sign | e;
}

export function bf16ToFloat(b: number): number {
  u32[0] = b << 16;
  return f32[0]!;
}

export function floatToBf16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if (Number.isNaN(v)) return 0x7fc0;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}
