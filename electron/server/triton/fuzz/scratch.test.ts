import { it } from 'vitest';
import v8 from 'node:v8';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Repository } from '../../../engine/repository/repository';
import { f32, modelConfig } from '../../../engine/runtime/testing/models';
import { TritonCore } from '../core';
import { heapAfterGc } from './memory';
async function one(withInfer: boolean) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-'));
  for (let n = 0; n < 20; n++) { mkdirSync(path.join(dir, `m${n}`, '1'), { recursive: true }); writeFileSync(path.join(dir, `m${n}`, 'config.pbtxt'), modelConfig(`m${n}`, { backend: 'identity', mbs: 0, inputs: [{ name: 'INPUT0', type: 'FP32', dims: [-1] }], outputs: [{ name: 'OUTPUT0', type: 'FP32', dims: [-1] }] }) + `\nparameters { key: "big" value { string_value: "${'x'.repeat(1_000_000)}" } }\n`); }
  const repo = new Repository(dir, { runCode: false });
  await repo.loadAll();
  if (withInfer) await new TritonCore(repo, { version: 'x' }).infer('m0', undefined, { inputs: [f32('INPUT0', [2], [1, 2])] });
  await repo.close();
}
it('mem', async () => {
  const h0 = heapAfterGc();
  await one(false);
  console.log('no infer: held MB', ((heapAfterGc() - h0) / 1e6).toFixed(1));
  await one(true);
  await new Promise((r) => setTimeout(r, 500));
  console.log('with infer: held MB', ((heapAfterGc() - h0) / 1e6).toFixed(1));
  v8.writeHeapSnapshot('/tmp/fuzz.heapsnapshot');
}, 300000);
