import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor/tensor';
import { encodedImages, sniffImage } from './encoded-image';
import { tensorImage } from './tensor-access';
import { describeTensor } from './tensor-info';

const IMAGES = path.join(__dirname, '..', '..', '..', 'resources', 'sample-images');
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(IMAGES, name)));
const u8 = (name: string, shape: number[], data: Uint8Array): Tensor => ({ name, dtype: 'UINT8', shape, data });

describe('encoded images in tensors', () => {
  it('reads the size of PNG, JPEG, GIF, BMP and WebP files from their headers', async () => {
    const png = file('mixed-report.png');
    const meta = await sharp(png).metadata();
    expect(sniffImage(png)).toEqual({ format: 'png', width: meta.width, height: meta.height });
    const jpg = file('noisy-scan.jpg');
    const jm = await sharp(jpg).metadata();
    expect(sniffImage(jpg)).toEqual({ format: 'jpeg', width: jm.width, height: jm.height });
    const raw = await sharp({ create: { width: 37, height: 21, channels: 3, background: '#336699' } })
      .raw()
      .toBuffer();
    const webp = new Uint8Array(
      await sharp(raw, { raw: { width: 37, height: 21, channels: 3 } })
        .webp()
        .toBuffer(),
    );
    expect(sniffImage(webp)).toEqual({ format: 'webp', width: 37, height: 21 });
    const gif = new Uint8Array(
      await sharp(raw, { raw: { width: 37, height: 21, channels: 3 } })
        .gif()
        .toBuffer(),
    );
    expect(sniffImage(gif)).toEqual({ format: 'gif', width: 37, height: 21 });
    const bmp = new Uint8Array(54);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(18, 5, true);
    new DataView(bmp.buffer).setInt32(22, -7, true);
    expect(sniffImage(bmp)).toEqual({ format: 'bmp', width: 5, height: 7 });
    expect(sniffImage(new Uint8Array(100))).toBeUndefined();
    expect(sniffImage(png.subarray(0, 10))).toBeUndefined();
  });

  it('offers a UINT8 file (or a batch of them) and BYTES files as ENCODED images, first', () => {
    const png = file('mixed-report.png');
    const size = sniffImage(png)!;
    const one = describeTensor(u8('input_image', [1, png.length], png));
    expect(one.imageLayouts[0]).toEqual({ layout: 'ENCODED', batch: 1, width: size.width, height: size.height, channels: 3 });
    expect(one.stats).toBeDefined();
    const strings = describeTensor({ name: 's', dtype: 'BYTES', shape: [2], data: [png, file('noisy-scan.jpg')] });
    expect(strings.imageLayouts).toEqual([expect.objectContaining({ layout: 'ENCODED', batch: 2 })]);
    // Not images: plain bytes, mixed BYTES, a 3-D UINT8 tensor.
    expect(encodedImages(u8('x', [100], new Uint8Array(100)))).toEqual([]);
    expect(encodedImages({ name: 's', dtype: 'BYTES', shape: [2], data: [png, new TextEncoder().encode('hello, this is not an image file')] })).toEqual([]);
    expect(describeTensor(u8('x', [2, 3, 3], new Uint8Array(18))).imageLayouts.some((l) => l.layout === 'ENCODED')).toBe(false);
  });

  it('decodes the chosen file to a PNG for the viewer, with clear errors', async () => {
    const jpg = file('noisy-scan.jpg');
    const size = sniffImage(jpg)!;
    const t = u8('input_image', [jpg.length], jpg);
    const img = await tensorImage(t, { runId: 'r', side: 'input', name: 'input_image', layout: 'ENCODED' });
    expect([img.width, img.height, img.range]).toEqual([size.width, size.height, [0, 255]]);
    expect(Buffer.from(img.png, 'base64').subarray(1, 4).toString()).toBe('PNG');
    await expect(tensorImage(t, { runId: 'r', side: 'input', name: 'input_image', layout: 'ENCODED', batchIndex: 1 })).rejects.toThrow('batch index 1 is outside 0..0');
    const broken = new Uint8Array(jpg.subarray(0, 400));
    await expect(tensorImage(u8('b', [400], broken), { runId: 'r', side: 'input', name: 'b', layout: 'ENCODED' })).rejects.toThrow(/could not be decoded|holds no image file/);
    await expect(tensorImage(u8('z', [100], new Uint8Array(100)), { runId: 'r', side: 'input', name: 'z', layout: 'ENCODED' })).rejects.toThrow('holds no image file');
  });
});
