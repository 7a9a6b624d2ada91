/** The OCR sample images (resources/sample-images) and their expected text. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
export const imagesDir = path.join(projectRoot, 'resources/sample-images');

export interface SampleImage {
  file: string;
  description: string;
  /** The description in 简体中文. */
  descriptionZh?: string;
  width: number;
  height: number;
  /** 180 for the upside-down page, 0 otherwise. */
  rotation: number;
  /** The expected lines, in reading order. */
  lines: string[];
}

export const sampleImages = (JSON.parse(readFileSync(path.join(imagesDir, 'manifest.json'), 'utf8')) as { images: SampleImage[] }).images;

export function sampleBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(imagesDir, file)));
}
