/**
 * The OCR sample repositories run through the engine, as a client would use
 * them: every sample image's text must come out exactly, through the
 * ensemble (upright images) and through the BLS pipeline (all of them,
 * including the upside-down page).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '../../../repository/repository';
import { closeRepositories, loadRepository } from '../../../repository/testing/temp-repo';
import { tensor, values } from '../../../runtime/testing/models';
import { stringsFromBytes, type Tensor } from '../../../tensor/tensor';
import { projectRoot as root, sampleBytes as sample, sampleImages } from './sample-images';

const imageInput = (bytes: Uint8Array): Tensor => tensor('input_image', 'UINT8', [bytes.length], bytes);
/** The ensemble batches (max_batch_size 8, as the tutorial's client sends [1, N]); the BLS model does not. */
const batchOfOne = (bytes: Uint8Array): Tensor => tensor('input_image', 'UINT8', [1, bytes.length], bytes);
const strings = (t: Tensor | undefined): string[] => stringsFromBytes(t!.data as Uint8Array[]);

let ensemble: Repository;
let bls: Repository;

beforeAll(async () => {
  for (const f of ['ocr_ensemble/text_detection/1/model.onnx', 'ocr_bls/text_direction/1/model.onnx', 'ocr_bls/ocr_pipeline/1/ppocr_keys_v1.txt']) {
    if (!existsSync(path.join(root, 'sample-repos', f))) throw new Error(`sample-repos/${f} is missing: run node scripts/prepare-samples.mjs`);
  }
  [ensemble, bls] = await Promise.all([loadRepository(path.join(root, 'sample-repos/ocr_ensemble')), loadRepository(path.join(root, 'sample-repos/ocr_bls'))]);
  for (const repo of [ensemble, bls]) for (const [name, m] of repo.models) expect(m.state, name).toBe('READY');
}, 120_000);

afterAll(() => closeRepositories());

describe('sample-repos/ocr_ensemble', () => {
  it.each(sampleImages.filter((i) => i.rotation === 0).map((i) => [i.file, i] as const))('reads %s exactly', async (_file, image) => {
    const r = await ensemble.infer('ensemble_model', -1, { inputs: [batchOfOne(sample(image.file))] });
    const out = r.outputs.find((t) => t.name === 'recognized_text')!;
    expect(out.shape).toEqual([1, image.lines.length]);
    const texts = strings(out);
    expect(texts.map((t) => t.trim())).toEqual(image.lines);
  });

  it('refuses a batch of two images with a clear message', async () => {
    const two = tensor('input_image', 'UINT8', [2, 4], new Uint8Array(8));
    await expect(ensemble.infer('ensemble_model', -1, { inputs: [two] })).rejects.toThrow(/send one image per request \(input_image of shape \[1, N\]\), got shape \[2, 4\]/);
  });

  it('answers an image without text with no lines', async () => {
    const blank = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const r = await ensemble.infer('ensemble_model', -1, { inputs: [batchOfOne(new Uint8Array(blank))] });
    expect(r.outputs[0]!.shape).toEqual([1, 0]);
  });

  it('fails a request whose bytes are not an image, and keeps working', async () => {
    await expect(ensemble.infer('ensemble_model', -1, { inputs: [batchOfOne(new TextEncoder().encode('not an image'))] })).rejects.toThrow(
      /detection_preprocessing.*lab\.image\.decode: Input buffer contains unsupported image format/,
    );
    const r = await ensemble.infer('ensemble_model', -1, { inputs: [batchOfOne(sample('chinese-lines.png'))] });
    expect(strings(r.outputs[0])).toEqual(sampleImages.find((i) => i.file === 'chinese-lines.png')!.lines);
  });
});

describe('sample-repos/ocr_bls', () => {
  it.each(sampleImages.map((i) => [i.file, i] as const))('reads %s exactly, with boxes and scores', async (_file, image) => {
    const r = await bls.infer('ocr_pipeline', -1, { inputs: [imageInput(sample(image.file))] });
    const out = (name: string): Tensor => r.outputs.find((t) => t.name === name)!;
    const texts = strings(out('texts'));
    expect(texts.map((t) => t.trim())).toEqual(image.lines);
    const n = image.lines.length;
    expect(out('boxes').shape).toEqual([n, 4, 2]);
    expect(out('scores').shape).toEqual([n]);
    for (const s of values(out('scores'))) expect(s).toBeGreaterThan(0.8);
    const coords = values(out('boxes'));
    for (let i = 0; i < coords.length; i += 2) {
      expect(coords[i]).toBeGreaterThanOrEqual(-0.5);
      expect(coords[i]).toBeLessThanOrEqual(image.width);
      expect(coords[i + 1]).toBeGreaterThanOrEqual(-0.5);
      expect(coords[i + 1]).toBeLessThanOrEqual(image.height);
    }
  });

  it('fails a request whose bytes are not an image', async () => {
    await expect(bls.infer('ocr_pipeline', -1, { inputs: [imageInput(new TextEncoder().encode('not an image'))] })).rejects.toThrow(/lab\.image\.decode/);
  });

  it('returns empty outputs for an image without text', async () => {
    const blank = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const r = await bls.infer('ocr_pipeline', -1, { inputs: [imageInput(new Uint8Array(blank))] });
    expect(r.outputs.map((t) => [t.name, t.shape])).toEqual([
      ['texts', [0]],
      ['boxes', [0, 4, 2]],
      ['scores', [0]],
    ]);
  });
});
