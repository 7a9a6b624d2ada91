/**
 * How fast a repository opens. Run with `npm run bench`; vitest prints each
 * group as a table with ratios measured in the same run.
 */
import { fromText } from '@bufbuild/protobuf/txtpb';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bench, describe } from 'vitest';
import { ModelConfigSchema } from '../electron/engine/config/gen/model_config_pb';
import { parseConfigText } from '../electron/engine/config/text/parse';
import { buildOnnxModel } from '../electron/engine/onnx/testing/build-model';
import { Repository } from '../electron/engine/repository/repository';

const part5 = readFileSync('electron/engine/repository/__fixtures__/part5_ocr/ensemble_model/config.pbtxt', 'utf8');

describe('config.pbtxt (Part 5 ensemble, 120 lines)', () => {
  bench('txtpb fromText alone', () => {
    fromText(ModelConfigSchema, part5);
  });
  bench('parseConfigText (txtpb + positions outline)', () => {
    parseConfigText(part5);
  });
});

function syntheticRepo(models: number): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lab-bench-'));
  const onnx = buildOnnxModel({ inputs: [{ name: 'x', type: 1, dims: ['N', 16] }], outputs: [{ name: 'y', type: 1, dims: ['N', 16] }] });
  for (let i = 0; i < models; i++) {
    const dir = path.join(root, `m${i}`, '1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'model.onnx'), onnx);
    if (i % 2 === 0) writeFileSync(path.join(root, `m${i}`, 'config.pbtxt'), `name: "m${i}"\nbackend: "onnxruntime"\nmax_batch_size: 8\n`);
  }
  return root;
}

const synthetic = syntheticRepo(200);

describe('open a repository (scan, parse, auto-complete, validate)', () => {
  bench('sample-repos/ocr_ensemble, checked only (6 models, 15 MB of ONNX)', async () => {
    await new Repository('sample-repos/ocr_ensemble', { runtime: false }).loadAll();
  });
  bench('sample-repos/ocr_ensemble, started (sessions and script workers)', async () => {
    const repo = new Repository('sample-repos/ocr_ensemble');
    await repo.loadAll();
    await repo.close();
  });
  bench('synthetic, 200 ONNX models, checked only', async () => {
    await new Repository(synthetic, { runtime: false }).loadAll();
  });
});
