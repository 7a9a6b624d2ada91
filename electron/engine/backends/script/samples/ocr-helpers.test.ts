/**
 * The OCR samples' helper modules on synthetic inputs: DB post-processing on
 * hand-made probability maps, crops, the recognition batch layout and CTC
 * decoding, with exact expected values.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStdlib } from '../stdlib';
import { projectRoot } from './sample-images';

const dir = path.join(projectRoot, 'sample-repos/ocr_ensemble');
const lab = createStdlib(path.join(dir, 'recognition_postprocessing/1'));

interface Box {
  points: Point[];
  score: number;
}
interface Line {
  text: string;
  score: number;
}
let db: {
  findTextBoxes(lab: LabStdlib, prob: Float32Array, mapWidth: number, mapHeight: number, imageWidth: number, imageHeight: number, options?: object): Box[];
  readingOrder(boxes: Box[]): Box[];
};
let crop: {
  expandBox(points: Point[], margins?: { top: number; side: number }): Point[];
  cropText(lab: LabStdlib, image: LabImage, points: Point[], margins?: { top: number; side: number }): Promise<LabImage>;
  recognitionBatch(lab: LabStdlib, crops: LabImage[], opts?: { height?: number; minWidth?: number; maxWidth?: number }): Promise<{ data: Float32Array; shape: number[] }>;
};
let ctc: {
  parseCharset(text: string): string[];
  ctcDecode(lab: LabStdlib, probs: Float32Array, shape: number[], charset: string[]): Line[];
  confidentLines(lines: Line[], minScore?: number): Line[];
};
let pre: { detectionSize(width: number, height: number): { width: number; height: number } };

beforeAll(async () => {
  db = (await import(path.join(dir, 'detection_postprocessing/1/db-postprocess.js'))) as typeof db;
  crop = (await import(path.join(dir, 'detection_postprocessing/1/crop.js'))) as typeof crop;
  ctc = (await import(path.join(dir, 'recognition_postprocessing/1/ctc-decode.js'))) as typeof ctc;
  pre = (await import(path.join(dir, 'detection_preprocessing/1/det-preprocess.js'))) as typeof pre;
});

/** A probability map with filled rectangles [x, y, w, h, p]. */
function map(width: number, height: number, rects: [number, number, number, number, number][]): Float32Array {
  const m = new Float32Array(width * height);
  for (const [x0, y0, w, h, p] of rects) for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) m[y * width + x] = p;
  return m;
}

const rounded = (b: Box): number[][] => b.points.map((p) => [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10]);

describe('detection size', () => {
  it('keeps small images, limits the long side to 960, rounds to multiples of 32', () => {
    expect(pre.detectionSize(620, 264)).toEqual({ width: 608, height: 256 });
    expect(pre.detectionSize(1920, 1080)).toEqual({ width: 960, height: 544 });
    expect(pre.detectionSize(10, 10)).toEqual({ width: 32, height: 32 });
  });
});

describe('DB post-processing', () => {
  it('grows a confident region by area * 1.5 / perimeter on every side', () => {
    // Pixel centres 10..49 and 20..29: a 39 x 9 rectangle; distance = 39*9*1.5 / 96 = 5.484375.
    const boxes = db.findTextBoxes(lab, map(64, 48, [[10, 20, 40, 10, 0.9]]), 64, 48, 64, 48, { mergeGap: 0 });
    expect(boxes).toHaveLength(1);
    const d = 5.484375;
    expect(rounded(boxes[0]!)).toEqual(
      [
        [10 - d, 20 - d],
        [49 + d, 20 - d],
        [49 + d, 29 + d],
        [10 - d, 29 + d],
      ].map((p) => p.map((v) => Math.round(v * 10) / 10)),
    );
    expect(boxes[0]!.score).toBeCloseTo(0.9, 6);
  });

  it('maps boxes onto the original image size', () => {
    const [box] = db.findTextBoxes(lab, map(64, 48, [[10, 20, 40, 10, 0.9]]), 64, 48, 128, 96);
    // Scale 2 between pixel grids: x' = (x + 0.5) * 2 - 0.5.
    expect(box!.points[0]!.x).toBeCloseTo((10 - 5.484375 + 0.5) * 2 - 0.5, 6);
  });

  it('drops faint regions, specks and the dot inside a line', () => {
    const prob = map(100, 60, [
      [10, 10, 60, 10, 0.9],
      [10, 40, 60, 10, 0.45], // mean below 0.6
      [90, 50, 2, 2, 0.9], // too small
      [40, 8, 2, 2, 0.9], // inside the first line once grown
    ]);
    const boxes = db.findTextBoxes(lab, prob, 100, 60, 100, 60);
    expect(boxes).toHaveLength(1);
    expect(boxes[0]!.points[0]!.y).toBeLessThan(10);
  });

  it('joins words on one line and keeps separate lines and far columns apart', () => {
    const prob = map(200, 80, [
      [10, 10, 40, 8, 0.9],
      [56, 10, 40, 8, 0.9], // next word, 6 px on
      [150, 10, 40, 8, 0.9], // another column, far away
      [10, 40, 80, 8, 0.9], // second line
    ]);
    const boxes = db.findTextBoxes(lab, prob, 200, 80, 200, 80);
    const spans = boxes.map((b) => [b.points[0]!.x, b.points[1]!.x, b.points[0]!.y].map(Math.round));
    // Each word grows by 39*7*1.5/92 = 4.45 px; the joined line spans both words.
    expect(spans).toEqual([
      [6, 99, 6],
      [146, 193, 6],
      [5, 94, 35],
    ]);
  });

  it('sorts top to bottom, left to right, with a tolerance that follows the text height', () => {
    const box = (x: number, y: number, w: number, h: number): Box => ({
      points: [
        { x, y },
        { x: x + w, y },
        { x: x + w, y: y + h },
        { x, y: y + h },
      ],
      score: 1,
    });
    const a = box(300, 104, 100, 30); // same line as b, a few pixels lower
    const b = box(10, 100, 100, 30);
    const c = box(10, 150, 100, 30);
    const d = box(10, 20, 100, 30);
    expect(db.readingOrder([a, b, c, d])).toEqual([d, b, a, c]);
  });
});

describe('crops and the recognition batch', () => {
  it('adds margins along the box axes', () => {
    const quad = crop.expandBox([
      { x: 10, y: 10 },
      { x: 110, y: 10 },
      { x: 110, y: 30 },
      { x: 10, y: 30 },
    ]);
    expect(quad).toEqual([
      { x: 2, y: 4 },
      { x: 118, y: 4 },
      { x: 118, y: 36 },
      { x: 2, y: 36 },
    ]);
  });

  it('turns tall crops a quarter so they read left to right', async () => {
    const img: LabImage = { width: 50, height: 200, channels: 3, data: new Uint8Array(50 * 200 * 3).fill(200) };
    const c = await crop.cropText(
      lab,
      img,
      [
        { x: 10, y: 10 },
        { x: 30, y: 10 },
        { x: 30, y: 190 },
        { x: 10, y: 190 },
      ],
      { top: 0, side: 0 },
    );
    expect([c.width, c.height]).toEqual([180, 20]);
  });

  it('packs crops at height 48, widest first sets the width, padding with 0', async () => {
    const white = (w: number, h: number): LabImage => ({ width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3).fill(255) });
    const batch = await crop.recognitionBatch(lab, [white(100, 24), white(400, 20)]);
    // 400/20 = 20 → width 48 * 20 = 960; the first crop becomes 200 wide.
    expect(batch.shape).toEqual([2, 3, 48, 960]);
    const row = batch.data.subarray(0, 960);
    expect(row[0]).toBeCloseTo(1, 6);
    expect(row[199]).toBeCloseTo(1, 6);
    expect(row[200]).toBe(0);
    expect((await crop.recognitionBatch(lab, [white(30, 30)])).shape).toEqual([1, 3, 48, 320]);
  });
});

describe('CTC decoding', () => {
  const charset = ['', 'a', 'b', ' '];

  /** One-hot-ish rows: the given class gets p, the rest share what is left. */
  function probs(rows: [number, number][][]): Float32Array {
    const out: number[] = [];
    for (const row of rows.flat()) {
      const [k, p] = row;
      for (let c = 0; c < charset.length; c++) out.push(c === k ? p : (1 - p) / (charset.length - 1));
    }
    return Float32Array.from(out);
  }

  it('merges repeats, keeps letters split by a blank, drops blanks, trims spaces', () => {
    const data = probs([
      [
        [3, 0.9],
        [1, 0.8],
        [1, 0.6],
        [0, 0.9],
        [1, 0.7],
        [2, 0.9],
        [3, 0.9],
        [3, 0.5],
      ],
      [
        [0, 0.9],
        [0, 0.9],
        [0, 0.9],
        [0, 0.9],
        [0, 0.9],
        [0, 0.9],
        [0, 0.9],
        [0, 0.9],
      ],
    ]);
    const lines = ctc.ctcDecode(lab, data, [2, 8, 4], charset);
    expect(lines[0]!.text).toBe('aab');
    // Kept characters: ' ' 0.9, a 0.8, a 0.7, b 0.9, ' ' 0.9.
    expect(lines[0]!.score).toBeCloseTo((0.9 + 0.8 + 0.7 + 0.9 + 0.9) / 5, 6);
    expect(lines[1]).toEqual({ text: '', score: 0 });
    expect(ctc.confidentLines(lines)).toEqual([lines[0]]);
    expect(ctc.confidentLines(lines, 0.9)).toEqual([]);
  });

  it('reads the key file as blank, one class per line, space', () => {
    expect(ctc.parseCharset('x\r\ny\nz\n')).toEqual(['', 'x', 'y', 'z', ' ']);
    expect(ctc.parseCharset('x\ny')).toEqual(['', 'x', 'y', ' ']);
  });

  it('refuses a key file that does not match the model', () => {
    expect(() => ctc.ctcDecode(lab, new Float32Array(5), [1, 1, 5], charset)).toThrow(/5 classes but the key file gives 4/);
  });
});
