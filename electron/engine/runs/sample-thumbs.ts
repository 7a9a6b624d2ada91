/**
 * Thumbnails of the bundled sample images, so the playground can offer them
 * as a strip of pictures instead of a long list of file names. Made once per
 * file (small JPEG data URLs, a few KB each) and kept for the session; a
 * file that cannot be read or decoded simply has no thumbnail.
 */
import path from 'node:path';
import { realInside, withRealFile } from '../util/real-path';
import { readUpTo } from '../util/regular-file';

/** Thumbnails fit this box (CSS shows them at half size for sharp HiDPI pictures). */
const THUMB_W = 160;
const THUMB_H = 96;
/** Sample images larger than this are not thumbnailed (they are small; this only bounds a hostile folder). */
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

const cache = new Map<string, Promise<string | undefined>>();

async function make(dir: string, file: string): Promise<string | undefined> {
  try {
    if (file !== path.basename(file)) return undefined;
    const real = await realInside(dir, path.join(dir, file), file, 'the sample images');
    const bytes = await withRealFile(real, file, async (handle, size) => (size > MAX_SOURCE_BYTES ? undefined : readUpTo(handle, size)));
    if (!bytes) return undefined;
    const { default: sharp } = await import('sharp');
    const jpeg = await sharp(bytes, { failOn: 'error' })
      .rotate()
      .resize(THUMB_W, THUMB_H, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 72 })
      .toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return undefined;
  }
}

/** The thumbnail of one sample image as a data URL, or undefined when it cannot be made. */
export function sampleThumb(dir: string, file: string): Promise<string | undefined> {
  const key = `${dir}\u0000${file}`;
  let p = cache.get(key);
  if (!p) {
    p = make(dir, file);
    cache.set(key, p);
  }
  return p;
}

/** The sample list with a thumbnail on each image that has one. */
export async function withThumbs<T extends { file: string }>(images: T[], dir: string | undefined): Promise<(T & { thumb?: string })[]> {
  if (!dir) return images;
  return Promise.all(
    images.map(async (i) => {
      const thumb = await sampleThumb(dir, i.file);
      return thumb ? { ...i, thumb } : i;
    }),
  );
}
