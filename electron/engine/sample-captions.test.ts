/**
 * Sample image captions in two languages: the manifest (written by
 * scripts/make-sample-images.mjs) carries a 简体中文 caption beside each
 * English one, and the lab hands it on as the optional `descriptionZh`
 * (absent, never empty or of another type, when the manifest lacks it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imagesDir, projectRoot } from './backends/script/samples/sample-images';
import { Lab } from './lab';
import { TempDirs } from './repository/testing/temp-repo';

const temp = new TempDirs();
const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
  temp.cleanup();
});

function lab(sampleImagesDir: string): Lab {
  const l = new Lab({ sampleImagesDir });
  labs.push(l);
  return l;
}

describe('sample image captions', () => {
  it('come in 简体中文 for every bundled image, with full-width punctuation and names kept in English', async () => {
    const images = await lab(imagesDir).sampleImages();
    expect(images.length).toBeGreaterThan(10);
    for (const i of images) {
      const zh = i.descriptionZh ?? '';
      expect({ file: i.file, han: /[\u4e00-\u9fff]/.test(zh) }).toEqual({ file: i.file, han: true });
      expect({ file: i.file, halfWidth: /[\u4e00-\u9fff][,;:()]|[,;:()][\u4e00-\u9fff]/.test(zh) }).toEqual({ file: i.file, halfWidth: false });
      // Font names, formats and model names stay as the English caption writes them.
      for (const name of i.description.match(/DejaVu \w+|Liberation \w+|Noto Sans CJK SC|JPEG|ocr_bls/g) ?? []) expect(zh).toContain(name);
    }
  });

  it('are kept by the script that regenerates the manifest', () => {
    const script = readFileSync(path.join(projectRoot, 'scripts/make-sample-images.mjs'), 'utf8');
    const manifest = JSON.parse(readFileSync(path.join(imagesDir, 'manifest.json'), 'utf8')) as { images: { file: string; descriptionZh: string }[] };
    for (const i of manifest.images) expect(script).toContain(`descriptionZh: '${i.descriptionZh}'`);
    expect(script).toContain('descriptionZh: spec.descriptionZh');
  });

  it('are left out when the manifest has none or something other than text', async () => {
    const d = await temp.make({
      'manifest.json': JSON.stringify({
        images: [
          { file: 'a.png', width: 2, height: 1, description: 'A' },
          { file: 'b.png', width: 2, height: 1, description: 'B', descriptionZh: 42 },
          { file: 'c.png', width: 2, height: 1, description: 'C', descriptionZh: '' },
          { file: 'd.png', width: 2, height: 1, description: 'D', descriptionZh: '丁' },
        ],
      }),
    });
    expect(await lab(d.root).sampleImages()).toEqual([
      { file: 'a.png', width: 2, height: 1, description: 'A' },
      { file: 'b.png', width: 2, height: 1, description: 'B' },
      { file: 'c.png', width: 2, height: 1, description: 'C' },
      { file: 'd.png', width: 2, height: 1, description: 'D', descriptionZh: '丁' },
    ]);
  });
});
