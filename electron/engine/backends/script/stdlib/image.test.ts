import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { components, minAreaRect } from './geometry';
import { crop, decode, encode, fromTensor, resize, rotate, toGray, toTensor, warp } from './image';

function rgb(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): LabImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  return { width, height, channels: 3, data };
}

function gray(width: number, height: number, value: (x: number, y: number) => number): LabImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = value(x, y);
  return { width, height, channels: 1, data };
}

const at = (img: LabImage, x: number, y: number): number[] => [...img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels)];

describe('lab.image decode/encode', () => {
  const img = rgb(5, 3, (x, y) => [x * 50, y * 100, 7]);

  it('round-trips PNG exactly and converts channels on request', async () => {
    const png = await encode(img);
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    const back = await decode(png);
    expect(back).toMatchObject({ width: 5, height: 3, channels: 3 });
    expect([...back.data]).toEqual([...img.data]);
    const g = await decode(png, { channels: 1 });
    expect(g.channels).toBe(1);
    expect(g.data).toHaveLength(15);
    const rgba = await decode(png, { channels: 4 });
    expect(at(rgba, 4, 2)).toEqual([200, 200, 7, 255]);
  });

  it('keeps gray images gray and expands them to RGB when asked', async () => {
    const png = await encode(gray(4, 2, (x) => x * 60));
    expect((await decode(png)).channels).toBe(1);
    const asRgb = await decode(png, { channels: 3 });
    expect(at(asRgb, 3, 1)).toEqual([180, 180, 180]);
  });

  it('composites alpha onto white when dropping it', async () => {
    const clear: LabImage = { width: 1, height: 1, channels: 4, data: new Uint8Array([0, 0, 0, 0]) };
    const out = await decode(await encode(clear), { channels: 3 });
    expect([...out.data]).toEqual([255, 255, 255]);
  });

  it('applies EXIF orientation', async () => {
    // Orientation 6: the stored pixels must be turned 90° clockwise for display.
    const stored = await sharp(Buffer.from(img.data), { raw: { width: 5, height: 3, channels: 3 } })
      .png()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const shown = await decode(stored);
    expect([shown.width, shown.height]).toEqual([3, 5]);
    expect(at(shown, 2, 0)).toEqual(at(img, 0, 0));
  });

  it('says which call failed on bytes that are not an image', async () => {
    await expect(decode(new TextEncoder().encode('not an image'))).rejects.toThrow(/^lab\.image\.decode: .*unsupported image format \(12 bytes\)$/);
  });

  it('encodes JPEG and WebP', async () => {
    const big = rgb(32, 32, () => [200, 40, 40]);
    const jpeg = await encode(big, 'jpeg', { quality: 90 });
    expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    const back = await decode(jpeg);
    expect(Math.abs(at(back, 10, 10)[0]! - 200)).toBeLessThan(6);
    expect(new TextDecoder().decode((await encode(big, 'webp')).subarray(8, 12))).toBe('WEBP');
  });
});

describe('lab.image resize/rotate', () => {
  it('resizes a flat colour to any size', async () => {
    const out = await resize(
      rgb(40, 20, () => [10, 120, 250]),
      13,
      7,
    );
    expect(out).toMatchObject({ width: 13, height: 7, channels: 3 });
    expect(at(out, 6, 3)).toEqual([10, 120, 250]);
  });

  it('letterboxes with contain and keeps gray images one channel', async () => {
    const out = await resize(
      gray(20, 10, () => 200),
      20,
      20,
      { fit: 'contain', background: [0] },
    );
    expect(out.channels).toBe(1);
    expect(at(out, 10, 0)).toEqual([0]);
    expect(at(out, 10, 10)).toEqual([200]);
  });

  it('rotates counter-clockwise', async () => {
    const img = rgb(2, 1, (x) => (x === 0 ? [255, 0, 0] : [0, 0, 255]));
    const ccw = await rotate(img, 90);
    expect([ccw.width, ccw.height]).toEqual([1, 2]);
    expect(at(ccw, 0, 0)).toEqual([0, 0, 255]);
    const half = await rotate(img, 180);
    expect(at(half, 0, 0)).toEqual([0, 0, 255]);
    const odd = await rotate(
      rgb(20, 10, () => [9, 9, 9]),
      30,
      { background: [255, 255, 255] },
    );
    expect(odd.width).toBeGreaterThan(20);
    expect(at(odd, 0, 0)).toEqual([255, 255, 255]);
  });
});

describe('lab.image crop/warp', () => {
  const ramp = gray(40, 30, (x, y) => x + 4 * y);

  it('crops and clips to the image', () => {
    const c = crop(ramp, 3, 2, 4, 2);
    expect([...c.data]).toEqual([11, 12, 13, 14, 15, 16, 17, 18]);
    expect(crop(ramp, 38, 28, 10, 10)).toMatchObject({ width: 2, height: 2 });
    expect(() => crop(ramp, 50, 0, 5, 5)).toThrow(RangeError);
  });

  it('is the identity for the image outline', () => {
    const out = warp(
      ramp,
      [
        { x: -0.5, y: -0.5 },
        { x: 39.5, y: -0.5 },
        { x: 39.5, y: 29.5 },
        { x: -0.5, y: 29.5 },
      ],
      40,
      30,
    );
    expect([...out.data]).toEqual([...ramp.data]);
  });

  it('reads a rotated rect along its own axes', () => {
    // Spans x 14.5..24.5 and y 12.5..16.5: exactly pixels 15..24 and 13..16.
    const rect = { cx: 19.5, cy: 14.5, width: 10, height: 4, angle: 0 };
    const upright = warp(ramp, rect, 10, 4);
    expect([...upright.data]).toEqual([...crop(ramp, 15, 13, 10, 4).data]);
    const flipped = warp(ramp, { ...rect, angle: 180 }, 10, 4);
    expect([...flipped.data]).toEqual([...upright.data].reverse());
  });

  it('interpolates between pixels', () => {
    const out = warp(
      ramp,
      [
        { x: 1, y: 1 },
        { x: 2, y: 1 },
        { x: 2, y: 2 },
        { x: 1, y: 2 },
      ],
      1,
      1,
    );
    expect(out.data[0]).toBe(Math.round(1.5 + 4 * 1.5));
  });

  it('straightens a tilted bar found by minAreaRect', () => {
    // A dark 60x12 bar tilted by 20°, on white; its warp must be dark throughout.
    const a = (20 * Math.PI) / 180;
    const img = gray(100, 80, (x, y) => {
      const dx = x - 50,
        dy = y - 40;
      const u = dx * Math.cos(a) - dy * Math.sin(a),
        v = dx * Math.sin(a) + dy * Math.cos(a);
      return Math.abs(u) <= 30 && Math.abs(v) <= 6 ? 0 : 255;
    });
    const [bar] = components(
      img.data.map((v) => (v < 128 ? 1 : 0)),
      100,
      80,
    );
    const rect = minAreaRect(bar!.points);
    const out = warp(img, { ...rect, width: rect.width - 2, height: rect.height - 2 }, Math.round(rect.width - 2), Math.round(rect.height - 2));
    expect(Math.max(...out.data)).toBeLessThan(60);
    const around = warp(img, { ...rect, width: rect.width + 10, height: rect.height + 10 }, 80, 30);
    expect(at(around, 0, 0)[0]).toBe(255);
  });

  it('maps a general quad with a perspective transform', () => {
    const trapezoid: [Point, Point, Point, Point] = [
      { x: 10, y: 5 },
      { x: 30, y: 5 },
      { x: 35, y: 25 },
      { x: 5, y: 25 },
    ];
    const out = warp(ramp, trapezoid, 5, 5);
    // The first row samples near the top edge; the last near the bottom edge.
    expect(at(out, 0, 0)[0]).toBeLessThan(at(out, 0, 4)[0]!);
    expect(out.width * out.height).toBe(25);
  });
});

describe('lab.image tensors', () => {
  const img = rgb(3, 2, (x, y) => [x * 100, y * 200, 50]);
  const paddle = { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

  it('normalizes into CHW and HWC', () => {
    const chw = toTensor(img, paddle);
    expect(chw).toHaveLength(18);
    expect(chw[2]).toBeCloseTo((200 / 255 - 0.485) / 0.229, 5);
    expect(chw[6 + 3]).toBeCloseTo((200 / 255 - 0.456) / 0.224, 5);
    const hwc = toTensor(img, { layout: 'HWC', scale: 1 / 127.5, mean: [1], std: [1] });
    expect([...hwc.subarray(15, 18)].map((v) => Number(v.toFixed(4)))).toEqual([Number((200 / 127.5 - 1).toFixed(4)), Number((200 / 127.5 - 1).toFixed(4)), Number((50 / 127.5 - 1).toFixed(4))]);
  });

  it('fromTensor inverts toTensor', () => {
    expect([...fromTensor(toTensor(img, paddle), 3, 2, 3, paddle).data]).toEqual([...img.data]);
    expect([...fromTensor(toTensor(img, { layout: 'HWC' }), 3, 2, 3, { layout: 'HWC' }).data]).toEqual([...img.data]);
    expect([...fromTensor([-5, 300], 2, 1, 1).data]).toEqual([0, 255]);
  });

  it('converts to gray with BT.601 weights', () => {
    const g = toGray(rgb(2, 1, (x) => (x ? [255, 255, 255] : [255, 0, 0])));
    expect([...g.data]).toEqual([76, 255]);
  });
});
