/**
 * `model-lab serve` with PyTorch models: a TorchScript model built at test time
 * answers Triton's HTTP client (binary and JSON) and its gRPC client, a Python model calling it
 * through BLS answers too, and a model with an empty version folder is listed
 * UNAVAILABLE with the reason. Skipped (with the reason) without torch.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pyModel, pythonConfig } from '../engine/backends/python/testing/repo';
import { buildTorchModels, torchMissing } from '../engine/backends/pytorch/testing/torch-models';
import { f32, modelConfig, text } from '../engine/runtime/testing/models';
import { stringsFromBytes } from '../engine/tensor/tensor';
import { createGrpcClient, inferRequest, responseTensors } from '../server/triton/grpc/client';
import { TritonHttpClient } from '../server/triton/http/client';
import type { Output } from './output';
import { parseServeArgs, startServe } from './serve';

function write(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
}

describe.skipIf(torchMissing !== '')(`serve with PyTorch models${torchMissing ? ` — skipped: ${torchMissing}` : ''}`, () => {
  it('answers the HTTP and gRPC clients for a TorchScript model, directly and through BLS', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-serve-torch-'));
    const built = buildTorchModels();
    write(dir, {
      'batched/config.pbtxt': modelConfig('batched', {
        platform: 'pytorch_libtorch',
        mbs: 8,
        inputs: [{ name: 'INPUT__0', dims: [2] }],
        outputs: [
          { name: 'OUTPUT__0', dims: [2] },
          { name: 'ROWS__1', type: 'INT64', dims: [1] },
        ],
        dynamic: true,
      }),
      'batched/1/model.pt': built.batched,
      'caller/config.pbtxt': pythonConfig('caller', { inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }], outputs: [{ name: 'RESULT', type: 'STRING', dims: [1] }] }),
      'caller/1/model.py': pyModel('bls'),
    });
    mkdirSync(path.join(dir, 'empty', '1'), { recursive: true });
    writeFileSync(path.join(dir, 'empty', 'config.pbtxt'), modelConfig('empty', { backend: 'pytorch', inputs: [{ name: 'INPUT__0', dims: [2] }], outputs: [{ name: 'OUTPUT__0', dims: [2] }] }));
    const out: string[] = [];
    const io: Output = { log: (l) => out.push(l), err: (l) => out.push(l) };
    const setup = parseServeArgs([dir, '--http-port=0', '--grpc-port=0', '--allow-metrics=false', '--exit-on-error=false']);
    if (setup === 'help') throw new Error('help');
    const running = await startServe(setup, io);
    const http = new TritonHttpClient(`http://127.0.0.1:${running.serving.http!.port}`);
    const grpc = createGrpcClient(`127.0.0.1:${running.serving.grpc!.port}`);
    try {
      expect(out.some((l) => /^batched\s+1\s+pytorch \(pytorch_libtorch\)\s+READY/.test(l))).toBe(true);
      expect(out.some((l) => /^empty\s+1\s+pytorch \(pytorch_libtorch\)\s+UNAVAILABLE\s+Unavailable: unable to find '.*model\.pt' for model instance 'empty'/.test(l))).toBe(true);
      const binary = await http.infer('batched', [f32('INPUT__0', [2, 2], [1, 2, 3, 4])]);
      expect(Array.from(binary.outputs.find((o) => o.name === 'OUTPUT__0')!.data as Float32Array)).toEqual([2, 4, 6, 8]);
      const json = await http.infer('batched', [f32('INPUT__0', [1, 2], [5, 6])], { binaryInputs: false, binaryOutput: false, outputs: [{ name: 'OUTPUT__0', binary: false }] });
      expect(json.outputs.map((o) => o.name)).toEqual(['OUTPUT__0']);
      expect(Array.from(json.outputs[0]!.data as Float32Array)).toEqual([10, 12]);
      const cmd = { model: 'batched', inputs: { INPUT__0: [7, 8] }, shape: [1, 2], outputs: ['OUTPUT__0'] };
      const viaBls = await http.infer('caller', [text('CMD', [1], [JSON.stringify(cmd)])]);
      const result = JSON.parse(stringsFromBytes(viaBls.outputs[0]!.data as Uint8Array[])[0]!) as { outputs: Record<string, { values: number[] }> };
      expect(result.outputs['OUTPUT__0']!.values).toEqual([14, 16]);
      const viaGrpc = responseTensors(await grpc.modelInfer(inferRequest('batched', [f32('INPUT__0', [1, 2], [0.5, -1])], { outputs: ['OUTPUT__0'] })));
      expect(viaGrpc.map((t) => [t.name, Array.from(t.data as Float32Array)])).toEqual([['OUTPUT__0', [1, -2]]]);
    } finally {
      grpc.close();
      http.close();
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
