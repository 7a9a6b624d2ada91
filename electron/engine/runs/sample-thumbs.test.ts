/** Thumbnails of the sample images: small JPEG data URLs, none for what is not a readable image inside the folder. */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleThumb, withThumbs } from './sample-thumbs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'thumbs-'));
const outside = mkdtempSync(path.join(os.tmpdir(), 'thumbs-out-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('sample thumbnails', () => {
  it('makes a small JPEG of each bundled sample image', async () => {
    const real = path.resolve('resources/sample-images');
    const list = await withThumbs([{ file: 'tilted-text.png', width: 500, height: 238, description: '' }], real);
    const url = list[0]!.thumb!;
    expect(url.startsWith('data:image/jpeg;base64,')).toBe(true);
    const meta = await sharp(Buffer.from(url.split(',')[1]!, 'base64')).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBeLessThanOrEqual(160);
    expect(meta.height).toBeLessThanOrEqual(96);
    expect(url.length).toBeLessThan(20_000);
  });

  it('gives none for a file that is not an image, not there, outside the folder or named with a path', async () => {
    writeFileSync(path.join(dir, 'notes.png'), 'not an image');
    writeFileSync(
      path.join(outside, 'secret.png'),
      await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } })
        .png()
        .toBuffer(),
    );
    symlinkSync(path.join(outside, 'secret.png'), path.join(dir, 'link.png'));
    expect(await sampleThumb(dir, 'notes.png')).toBeUndefined();
    expect(await sampleThumb(dir, 'missing.png')).toBeUndefined();
    expect(await sampleThumb(dir, 'link.png')).toBeUndefined();
    expect(await sampleThumb(dir, '../secret.png')).toBeUndefined();
    const list = await withThumbs([{ file: 'notes.png' }], dir);
    expect(list).toEqual([{ file: 'notes.png' }]);
    // Without a folder the list comes back as it is.
    expect(await withThumbs([{ file: 'x.png' }], undefined)).toEqual([{ file: 'x.png' }]);
  });
});
