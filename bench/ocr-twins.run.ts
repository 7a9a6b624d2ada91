/**
 * The OCR samples' script versions against their Python twins
 * (`npm run bench:ocr`):
 *  1. ms per image through the engine, every bundled sample image, for
 *     ocr_ensemble / ocr_ensemble_python and ocr_bls / ocr_bls_python
 *     (median of BENCH_RUNS passes; the ONNX models dominate both).
 *  2. ms per image of each processing stage on its own, script helpers in
 *     Node against the Python helpers in one Python process, fed the same
 *     probability maps: decode, detection input, DB post-processing
 *     (regions, minimum-area rectangles, unclip, line merging), crops and
 *     recognition batch.
 * Prints tables and a JSON summary (also bench/results/ocr-twins.json).
 * Needs Python 3 with numpy and the sample models (npm install).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, it } from 'vitest';
import { sampleBytes, sampleImages } from '../electron/engine/backends/script/samples/sample-images';
import { createStdlib } from '../electron/engine/backends/script/stdlib';
import type { Repository } from '../electron/engine/repository/repository';
import { closeRepositories, loadRepository } from '../electron/engine/repository/testing/temp-repo';
import { tensor } from '../electron/engine/runtime/testing/models';
import { median, table } from './measure';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const PYTHON = process.env['MODEL_LAB_PYTHON'] ?? 'python3';
const SAMPLES = path.resolve('sample-repos');
const summary: Record<string, unknown> = { cpus: os.cpus().length, node: process.version, runs: RUNS, images: sampleImages.length };
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-ocr-'));

afterAll(() => {
  closeRepositories();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/ocr-twins.json', JSON.stringify(summary, null, 2));
  console.log(`\nJSON summary (bench/results/ocr-twins.json):\n${JSON.stringify(summary, null, 2)}`);
});

/** Median over RUNS passes of the mean ms per image of one pass over every sample image. */
async function perImage(run: (bytes: Uint8Array) => Promise<unknown>): Promise<number> {
  for (const i of sampleImages) await run(sampleBytes(i.file));
  const passes: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    for (const i of sampleImages) await run(sampleBytes(i.file));
    passes.push((performance.now() - t) / sampleImages.length);
  }
  return median(passes);
}

it('end to end through the engine', async () => {
  const names = ['ocr_ensemble', 'ocr_ensemble_python', 'ocr_bls', 'ocr_bls_python'];
  const repos = await Promise.all(names.map((n) => loadRepository(path.join(SAMPLES, n))));
  const rows: [string, number][] = [];
  for (const [k, repo] of repos.entries()) {
    const ensemble = k < 2;
    const ms = await perImage((b) => repo.infer(ensemble ? 'ensemble_model' : 'ocr_pipeline', -1, { inputs: [tensor('input_image', 'UINT8', ensemble ? [1, b.length] : [b.length], b)] }));
    rows.push([names[k]!, ms]);
  }
  summary['endToEndMsPerImage'] = Object.fromEntries(rows);
  console.log(`\nEnd to end, ms per image (${sampleImages.length} images, median of ${RUNS} passes)\n${table(['repository', 'ms/image'], rows)}`);
}, 600_000);

interface Helpers {
  pre: {
    prepareDetection(lab: LabStdlib, bytes: Uint8Array): Promise<{ image: LabImage; data: Float32Array; shape: number[] }>;
    detectionInput(lab: LabStdlib, image: LabImage): Promise<unknown>;
  };
  post: { findTextBoxes(lab: LabStdlib, prob: Float32Array, w: number, h: number, iw: number, ih: number): { points: Point[] }[] };
  crop: { cropText(lab: LabStdlib, image: LabImage, points: Point[]): Promise<LabImage>; recognitionBatch(lab: LabStdlib, crops: LabImage[]): Promise<unknown> };
}

/** The detector's probability map per image (through the engine), saved for the Python side. */
async function probabilityMaps(repo: Repository, helpers: Helpers, lab: LabStdlib): Promise<{ file: string; map: string; shape: number[] }[]> {
  const out = [];
  for (const i of sampleImages) {
    const p = await helpers.pre.prepareDetection(lab, sampleBytes(i.file));
    const r = await repo.infer('text_detection', -1, { inputs: [tensor('x', 'FP32', p.shape, p.data)] });
    const t = r.outputs[0]!;
    const map = path.join(dir, `${i.file}.prob`);
    const data = t.data as Float32Array;
    writeFileSync(map, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    out.push({ file: i.file, map, shape: t.shape });
  }
  return out;
}

async function scriptStages(helpers: Helpers, lab: LabStdlib, maps: { file: string; map: string; shape: number[] }[]): Promise<Record<string, number>> {
  const { readFileSync } = await import('node:fs');
  const totals = { decode: 0, detectionInput: 0, dbPostprocess: 0, cropsAndBatch: 0 };
  for (let r = 0; r <= RUNS; r++) {
    for (const m of maps) {
      const bytes = sampleBytes(m.file);
      const prob = new Float32Array(new Uint8Array(readFileSync(m.map)).buffer);
      const t0 = performance.now();
      const image = await lab.image.decode(bytes, { channels: 3 });
      const t1 = performance.now();
      await helpers.pre.detectionInput(lab, image);
      const t2 = performance.now();
      const boxes = helpers.post.findTextBoxes(lab, prob, m.shape[3]!, m.shape[2]!, image.width, image.height);
      const t3 = performance.now();
      const crops = [];
      for (const b of boxes) crops.push(await helpers.crop.cropText(lab, image, b.points));
      if (crops.length) await helpers.crop.recognitionBatch(lab, crops);
      const t4 = performance.now();
      if (r === 0) continue; // warm-up
      totals.decode += t1 - t0;
      totals.detectionInput += t2 - t1;
      totals.dbPostprocess += t3 - t2;
      totals.cropsAndBatch += t4 - t3;
    }
  }
  return Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v / (RUNS * maps.length)]));
}

const PY_STAGES = `
import json, sys, time
import numpy as np
folders, maps, runs = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
sys.path[:0] = folders
import crop, db_postprocess, det_preprocess, image_decode
totals = {"decode": 0.0, "detectionInput": 0.0, "dbPostprocess": 0.0, "cropsAndBatch": 0.0}
for r in range(runs + 1):
    for m in maps:
        data = open(m["path"], "rb").read()
        prob = np.fromfile(m["map"], np.float32).reshape(m["shape"])[0, 0]
        t0 = time.perf_counter(); image = image_decode.decode_rgb(data)
        t1 = time.perf_counter(); det_preprocess.detection_input(image)
        t2 = time.perf_counter(); boxes = db_postprocess.find_text_boxes(prob, image.shape[1], image.shape[0])
        t3 = time.perf_counter(); crops = [crop.crop_text(image, b.points) for b in boxes]
        if crops: crop.recognition_batch(crops)
        t4 = time.perf_counter()
        if r:
            for k, a, b in (("decode", t0, t1), ("detectionInput", t1, t2), ("dbPostprocess", t2, t3), ("cropsAndBatch", t3, t4)):
                totals[k] += (b - a) * 1000
print(json.dumps({k: v / (runs * len(maps)) for k, v in totals.items()}))
`;

it('each processing stage: script helpers against Python helpers', async () => {
  const ens = path.join(SAMPLES, 'ocr_ensemble');
  const load = async <T>(f: string): Promise<T> => (await import(path.join(ens, f))) as T;
  const helpers: Helpers = {
    pre: await load('detection_preprocessing/1/det-preprocess.js'),
    post: await load('detection_postprocessing/1/db-postprocess.js'),
    crop: await load('detection_postprocessing/1/crop.js'),
  };
  const lab = createStdlib(path.join(ens, 'detection_postprocessing/1'));
  const repo = await loadRepository(ens);
  const maps = await probabilityMaps(repo, helpers, lab);
  const script = await scriptStages(helpers, lab, maps);
  const folders = ['detection_preprocessing/1', 'detection_postprocessing/1'].map((f) => path.join(SAMPLES, 'ocr_ensemble_python', f));
  const pyMaps = maps.map((m) => ({ ...m, path: path.resolve('resources/sample-images', m.file) }));
  const python = JSON.parse(execFileSync(PYTHON, ['-c', PY_STAGES, JSON.stringify(folders), JSON.stringify(pyMaps), String(RUNS)]).toString()) as Record<string, number>;
  const rows = Object.keys(script).map((k) => [k, script[k]!, python[k]!, python[k]! / script[k]!] as [string, number, number, number]);
  summary['stageMsPerImage'] = { script, python };
  console.log(`\nStages, ms per image (script helpers in Node, Python helpers with numpy; OpenCV decodes when importable)\n${table(['stage', 'script', 'python', 'ratio'], rows)}`);
}, 600_000);
