/**
 * The OCR samples taken to Triton: `ocr_ensemble` and `ocr_bls` exported with
 * their Python twins swapped in (the script models are lab-only), the export's
 * model_repository served by `model-lab serve`, and every bundled sample image
 * sent over HTTP as Triton's clients send it. The text must be the script
 * version's, line for line, as the lab computes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentExport } from '../contract/deploy-api';
import { pythonMissing } from '../engine/backends/python/testing/repo';
import { projectRoot, sampleBytes, sampleImages } from '../engine/backends/script/samples/sample-images';
import { exportDeployment } from '../engine/deploy/export';
import type { Repository } from '../engine/repository/repository';
import { closeRepositories, loadRepository } from '../engine/repository/testing/temp-repo';
import { tensor } from '../engine/runtime/testing/models';
import { stringsFromBytes, type Tensor } from '../engine/tensor/tensor';
import { TritonHttpClient } from '../server/triton/http/client';
import type { Output } from './output';
import { parseServeArgs, type RunningServe, startServe } from './serve';

const SAMPLES = path.join(projectRoot, 'sample-repos');
const quiet: Output = { log: () => undefined, err: () => undefined };
const texts = (outputs: Tensor[], name: string): string[] => stringsFromBytes(outputs.find((t) => t.name === name)!.data as Uint8Array[]);

interface Served {
  script: Repository;
  exported: DeploymentExport;
  serve: RunningServe;
  client: TritonHttpClient;
}

const temps: string[] = [];
const served = new Map<string, Served>();

async function exportAndServe(name: string): Promise<Served> {
  const script = await loadRepository(path.join(SAMPLES, name));
  const temp = mkdtempSync(path.join(os.tmpdir(), `model-lab-${name}-export-`));
  temps.push(temp);
  const exported = await exportDeployment(script, { outDir: path.join(temp, 'out'), useTwins: true });
  const setup = parseServeArgs([path.join(exported.outDir, 'model_repository'), '--http-port=0', '--grpc-port=0', '--allow-metrics=false']);
  if (setup === 'help') throw new Error('help');
  const serve = await startServe(setup, quiet);
  return { script, exported, serve, client: new TritonHttpClient(`http://127.0.0.1:${serve.serving.http!.port}`) };
}

beforeAll(async () => {
  if (pythonMissing) return;
  served.set('ocr_ensemble', await exportAndServe('ocr_ensemble'));
  served.set('ocr_bls', await exportAndServe('ocr_bls'));
}, 180_000);

afterAll(async () => {
  for (const s of served.values()) {
    s.client.close();
    await s.serve.stop();
  }
  await closeRepositories();
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
}, 60_000);

describe.skipIf(pythonMissing)('the OCR samples exported with their Python twins (skipped: no Python 3 with numpy)', () => {
  it('swap every script model for its twin and leave nothing lab-only', () => {
    const e = served.get('ocr_ensemble')!.exported;
    expect(e.swapped).toEqual(['detection_postprocessing', 'detection_preprocessing', 'recognition_postprocessing']);
    expect(e.labOnly).toEqual([]);
    expect(e.report.models.map((m) => [m.model, m.backend])).toEqual([
      ['detection_postprocessing', 'python'],
      ['detection_preprocessing', 'python'],
      ['ensemble_model', 'ensemble'],
      ['recognition_postprocessing', 'python'],
      ['text_detection', 'onnxruntime'],
      ['text_recognition', 'onnxruntime'],
    ]);
    expect(e.report.models.every((m) => m.verdict === 'as-is' && m.packages.length === 0)).toBe(true);
    const b = served.get('ocr_bls')!.exported;
    expect([b.swapped, b.labOnly]).toEqual([['ocr_pipeline'], []]);
  });

  it.each(sampleImages.map((i) => [i.file] as const))(
    '%s: the exported ensemble served over HTTP reads what ocr_ensemble reads in the lab',
    async (file) => {
      const s = served.get('ocr_ensemble')!;
      const bytes = sampleBytes(file);
      const input = tensor('input_image', 'UINT8', [1, bytes.length], bytes);
      const lab = await s.script.infer('ensemble_model', -1, { inputs: [input] });
      const http = await s.client.infer('ensemble_model', [input]);
      expect(texts(http.outputs, 'recognized_text')).toEqual(texts(lab.outputs, 'recognized_text'));
      // And it is the page's text (upright pages: the ensemble has no text-direction step).
      const image = sampleImages.find((i) => i.file === file)!;
      if (image.rotation === 0) expect(texts(http.outputs, 'recognized_text')).toEqual(image.lines);
    },
    60_000,
  );

  it.each(sampleImages.map((i) => [i.file] as const))(
    '%s: the exported BLS pipeline served over HTTP reads what ocr_bls reads in the lab',
    async (file) => {
      const s = served.get('ocr_bls')!;
      const bytes = sampleBytes(file);
      const input = tensor('input_image', 'UINT8', [bytes.length], bytes);
      const lab = await s.script.infer('ocr_pipeline', -1, { inputs: [input] });
      const http = await s.client.infer('ocr_pipeline', [input]);
      expect(texts(http.outputs, 'texts')).toEqual(texts(lab.outputs, 'texts'));
      expect(texts(http.outputs, 'texts')).toEqual(sampleImages.find((i) => i.file === file)!.lines);
    },
    60_000,
  );
});
