/**
 * convertToOnnx with real torch: the digits sample and a small model built
 * here (two named inputs of other types, two outputs, no batching) are
 * exported, opened in the lab's converted repository, run by onnxruntime on
 * torch's inputs and compared; and every refusal says why. Skipped, with the
 * reason in its name, where the test Python cannot import torch (never on CI,
 * which installs python3-torch).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnnxConversion } from '../../contract/deploy-api';
import { PYTHON, torchMissing } from '../backends/pytorch/testing/torch-models';
import { createConvertHandlers } from '../handlers/convert-handlers';
import { Lab } from '../lab';
import { f32 } from '../runtime/testing/models';
import { viewAs } from '../tensor/tensor';

const SAMPLE = path.join(__dirname, '..', '..', '..', 'sample-repos', 'quick_deploy_pytorch');
const SLOW = 120_000;

let tmp: string;
let lab: Lab;
let convert: ReturnType<typeof createConvertHandlers>['convertToOnnx'];

/** A TorchScript model with named inputs (no `__<index>` names): forward(self, scale: int64, x: fp32, mask: bool). */
const TWO_OUT = `
import sys, torch
class M(torch.nn.Module):
    def forward(self, scale, x, mask):
        y = x * scale.to(torch.float32)
        return y.masked_fill(mask, 0.0), (scale * 2).sum(dim=0, keepdim=True)
torch.jit.script(M()).save(sys.argv[1])
`;

/** forward(self, x__1, x__0): argument names that are config names win over their indexes, as in Triton. */
const SWAPPED = `
import sys, torch
class M(torch.nn.Module):
    def forward(self, x__1, x__0):
        return x__1 - 2 * x__0
torch.jit.script(M()).save(sys.argv[1])
`;

/** Saved without eval(): dropout stays active in the served model. */
const TRAINING = `
import sys, torch
m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5))
torch.jit.script(m).save(sys.argv[1])
`;

function repoWith(name: string, models: Record<string, string>): string {
  const root = path.join(tmp, name);
  for (const [rel, text] of Object.entries(models)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; reason?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string; reason?: string };
  }
  throw new Error('expected a refusal');
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'convert-test-'));
  lab = new Lab({ settingsFile: path.join(tmp, 'settings', 'settings.json') });
  convert = createConvertHandlers(lab).convertToOnnx;
});
afterAll(async () => {
  await lab.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('convertToOnnx: requests it refuses', () => {
  it('checks the payload', async () => {
    expect((await failure(convert({ model: 'digits' }))).code).toBe('INVALID_ARG');
    expect((await failure(convert({ repoId: 'x', model: 'digits', version: 0 }))).code).toBe('INVALID_ARG');
    expect((await failure(convert({ repoId: 'nope', model: 'digits' }))).code).toBe('NOT_FOUND');
  });

  it('a model that is not TorchScript, a missing model.pt, an unknown model', async () => {
    const root = repoWith('plain', {
      'ident/config.pbtxt': 'name: "ident" backend: "identity" max_batch_size: 0 input [{ name: "I", data_type: TYPE_FP32, dims: [1] }] output [{ name: "O", data_type: TYPE_FP32, dims: [1] }]',
      'ident/1/.keep': '',
      'nofile/config.pbtxt':
        'name: "nofile" platform: "pytorch_libtorch" max_batch_size: 0 input [{ name: "INPUT__0", data_type: TYPE_FP32, dims: [1] }] output [{ name: "OUTPUT__0", data_type: TYPE_FP32, dims: [1] }]',
      'nofile/1/.keep': '',
    });
    const { id } = await lab.openRepository(root);
    await lab.setTrust(id, 'once');
    const notTorch = await failure(convert({ repoId: id, model: 'ident' }));
    expect(notTorch).toMatchObject({ code: 'INVALID_ARG' });
    expect(notTorch.message).toContain('is not a TorchScript model');
    const noFile = await failure(convert({ repoId: id, model: 'nofile' }));
    expect(noFile).toMatchObject({ code: 'NOT_FOUND', message: "model 'nofile' version 1 has no model.pt (a TorchScript archive saved with torch.jit.save)" });
    expect((await failure(convert({ repoId: id, model: 'ghost' }))).code).toBe('NOT_FOUND');
  });

  it('a model file that leads outside its version folder is not read', async () => {
    const outside = path.join(tmp, 'outside.pt');
    writeFileSync(outside, 'x');
    const root = repoWith('escape', {
      'm/config.pbtxt':
        'name: "m" platform: "pytorch_libtorch" max_batch_size: 0 input [{ name: "INPUT__0", data_type: TYPE_FP32, dims: [1] }] output [{ name: "OUTPUT__0", data_type: TYPE_FP32, dims: [1] }]',
    });
    mkdirSync(path.join(root, 'm', '1'));
    symlinkSync(outside, path.join(root, 'm', '1', 'model.pt'));
    const { id } = await lab.openRepository(root);
    await lab.setTrust(id, 'once');
    expect(await failure(convert({ repoId: id, model: 'm' }))).toMatchObject({ code: 'INVALID_ARG', message: "'model.pt' of model 'm' version 1 leads outside its version folder" });
  });
});

describe.skipIf(torchMissing !== '')(`convertToOnnx with torch${torchMissing ? ` — skipped: ${torchMissing}` : ''}`, () => {
  let digits: OnnxConversion;

  beforeAll(async () => {
    const { id } = await lab.openRepository(SAMPLE, { sample: true });
    digits = await convert({ repoId: id, model: 'digits' });
  }, SLOW);

  it('exports the digits sample beside the settings file, and both answer the same', () => {
    const root = path.join(tmp, 'settings', 'converted');
    expect(digits).toMatchObject({ repository: root, model: 'digits_onnx', onnxPath: path.join(root, 'digits_onnx', '1', 'model.onnx'), samples: 4 });
    expect(digits.opset).toBeGreaterThanOrEqual(13);
    expect(digits.torch).toMatch(/^Python 3\.\d+\.\d+, torch \d/);
    expect(digits.outputs.map((o) => o.name)).toEqual(['OUTPUT__0']);
    expect(digits.outputs[0]!.shape[1]).toBe(10);
    expect(digits.maxAbsDiff).toBeLessThan(1e-5);
    expect(digits.maxAbsDiff).toBe(digits.outputs[0]!.maxAbsDiff);
    const config = readFileSync(path.join(root, 'digits_onnx', 'config.pbtxt'), 'utf8');
    expect(config).toMatch(/platform: "onnxruntime_onnx"[\s\S]*max_batch_size: 16[\s\S]*name: "INPUT__0"[\s\S]*name: "OUTPUT__0"[\s\S]*label_filename: "labels.txt"/);
    expect(config).toContain('dynamic_batching');
    expect(readFileSync(path.join(root, 'digits_onnx', 'labels.txt'), 'utf8')).toBe(readFileSync(path.join(SAMPLE, 'digits', 'labels.txt'), 'utf8'));
    expect(existsSync(path.join(SAMPLE, 'digits_onnx'))).toBe(false);
  });

  it('the converted model, opened in the lab, classifies the held-out samples as expected', async () => {
    const expected = JSON.parse(readFileSync(path.join(SAMPLE, 'samples.json'), 'utf8')) as { samples: { digit: number }[] };
    const npy = readFileSync(path.join(SAMPLE, 'samples.npy'));
    // The .npy header is padded to a multiple of 64 bytes; the float32 values follow it.
    const batch = viewAs('FP32', new Uint8Array(npy.subarray(npy.length - expected.samples.length * 64 * 4))) as Float32Array;
    const result = await lab.repository(digits.repoId).infer('digits_onnx', -1, { inputs: [{ name: 'INPUT__0', dtype: 'FP32', shape: [expected.samples.length, 1, 8, 8], data: batch }] });
    const probs = result.outputs[0]!.data as Float32Array;
    const classes = expected.samples.map((_, i) => probs.subarray(i * 10, i * 10 + 10).reduce((best, p, k, a) => (p > a[best]! ? k : best), 0));
    expect(classes).toEqual(expected.samples.map((s) => s.digit));
  });

  it(
    'converting again replaces the earlier conversion, in the same repository',
    async () => {
      const again = await convert({ repoId: lab.listRepositories().find((r) => r.path === SAMPLE)!.id, model: 'digits', version: 1 });
      expect(again).toMatchObject({ repoId: digits.repoId, model: 'digits_onnx', maxAbsDiff: digits.maxAbsDiff });
      expect(lab.listRepositories().filter((r) => r.path === digits.repository)).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'a model of the same name in another repository waits: both would write converted/digits_onnx',
    async () => {
      const root = path.join(tmp, 'copy');
      cpSync(path.join(SAMPLE, 'digits'), path.join(root, 'digits'), { recursive: true });
      const { id } = await lab.openRepository(root);
      await lab.setTrust(id, 'once');
      const sample = lab.listRepositories().find((r) => r.path === SAMPLE)!.id;
      const [first, second] = await Promise.allSettled([convert({ repoId: sample, model: 'digits' }), convert({ repoId: id, model: 'digits' })]);
      expect(first.status).toBe('fulfilled');
      expect(second).toMatchObject({ status: 'rejected', reason: { code: 'UNAVAILABLE', message: "'digits' is being converted already; wait for that conversion to finish" } });
    },
    SLOW,
  );

  it(
    'named inputs follow forward(), other dtypes, two outputs, no batching',
    async () => {
      const root = repoWith('named', {
        'two/config.pbtxt': [
          'name: "two" backend: "pytorch" max_batch_size: 0',
          'input [{ name: "x", data_type: TYPE_FP32, dims: [2, 3] }, { name: "mask", data_type: TYPE_BOOL, dims: [2, 3] }, { name: "scale", data_type: TYPE_INT64, dims: [3] }]',
          'output [{ name: "OUT__0", data_type: TYPE_FP32, dims: [2, 3] }, { name: "OUT__1", data_type: TYPE_INT64, dims: [1] }]',
        ].join('\n'),
      });
      mkdirSync(path.join(root, 'two', '1'));
      writeFileSync(path.join(tmp, 'two.py'), TWO_OUT);
      execFileSync(PYTHON, [path.join(tmp, 'two.py'), path.join(root, 'two', '1', 'model.pt')], { timeout: 60_000 });
      const { id } = await lab.openRepository(root);
      await lab.setTrust(id, 'once');
      const two = await convert({ repoId: id, model: 'two' });
      expect(two.outputs.map((o) => [o.name, o.shape, o.maxAbsDiff])).toEqual([
        ['OUT__0', [2, 3], 0],
        ['OUT__1', [1], 0],
      ]);
    },
    SLOW,
  );

  it(
    "inputs named like forward()'s arguments go by name, as the PyTorch backend passes them: both models answer the same request alike",
    async () => {
      const root = repoWith('swapped', {
        'swap/config.pbtxt':
          'name: "swap" platform: "pytorch_libtorch" max_batch_size: 0 input [{ name: "x__0", data_type: TYPE_FP32, dims: [2] }, { name: "x__1", data_type: TYPE_FP32, dims: [2] }] output [{ name: "OUT__0", data_type: TYPE_FP32, dims: [2] }]',
      });
      mkdirSync(path.join(root, 'swap', '1'));
      writeFileSync(path.join(tmp, 'swap.py'), SWAPPED);
      execFileSync(PYTHON, [path.join(tmp, 'swap.py'), path.join(root, 'swap', '1', 'model.pt')], { timeout: 60_000 });
      const { id } = await lab.openRepository(root);
      await lab.setTrust(id, 'once');
      const swapped = await convert({ repoId: id, model: 'swap' });
      const request = { inputs: [f32('x__0', [2], [1, 2]), f32('x__1', [2], [10, 20])] };
      const answer = async (repoId: string, model: string): Promise<number[]> => Array.from((await lab.repository(repoId).infer(model, -1, request)).outputs[0]!.data as Float32Array);
      expect(await answer(id, 'swap')).toEqual([8, 16]);
      expect(await answer(swapped.repoId, 'swap_onnx')).toEqual([8, 16]);
    },
    SLOW,
  );

  it(
    'an archive saved in training mode is refused with the fix (Triton runs it as saved; an eval-mode export would answer otherwise)',
    async () => {
      const root = repoWith('training', {
        'tm/config.pbtxt':
          'name: "tm" platform: "pytorch_libtorch" max_batch_size: 0 input [{ name: "INPUT__0", data_type: TYPE_FP32, dims: [2] }] output [{ name: "OUTPUT__0", data_type: TYPE_FP32, dims: [2] }]',
      });
      mkdirSync(path.join(root, 'tm', '1'));
      writeFileSync(path.join(tmp, 'training.py'), TRAINING);
      execFileSync(PYTHON, [path.join(tmp, 'training.py'), path.join(root, 'tm', '1', 'model.pt')], { timeout: 60_000 });
      const { id } = await lab.openRepository(root);
      await lab.setTrust(id, 'once');
      const err = await failure(convert({ repoId: id, model: 'tm' }));
      expect(err.code).toBe('INVALID_ARG');
      expect(err.message).toContain('the archive was saved in training mode with Dropout layers acting as in training');
      expect(err.message).toContain('call model.eval() before saving it');
    },
    SLOW,
  );

  it(
    'an untrusted folder is not loaded (a TorchScript archive is code)',
    async () => {
      const root = repoWith('untrusted', {
        'm/config.pbtxt':
          'name: "m" platform: "pytorch_libtorch" max_batch_size: 0 input [{ name: "INPUT__0", data_type: TYPE_FP32, dims: [1] }] output [{ name: "OUTPUT__0", data_type: TYPE_FP32, dims: [1] }]',
      });
      mkdirSync(path.join(root, 'm', '1'));
      writeFileSync(path.join(root, 'm', '1', 'model.pt'), 'not a zip');
      const { id } = await lab.openRepository(root);
      expect(await failure(convert({ repoId: id, model: 'm' }))).toMatchObject({ code: 'UNAVAILABLE', reason: 'UNTRUSTED' });
      await lab.setTrust(id, 'once');
      const bad = await failure(convert({ repoId: id, model: 'm' }));
      expect(bad.code).toBe('INVALID_ARG');
      expect(bad.message).toContain('is not a TorchScript archive torch can load');
    },
    SLOW,
  );

  it(
    'without torch, says what to install',
    async () => {
      const fake = path.join(tmp, 'fake-python');
      mkdirSync(path.join(fake, 'lib'), { recursive: true });
      writeFileSync(path.join(fake, 'lib', 'torch.py'), 'raise ImportError("No module named \'torch\'")\n');
      writeFileSync(path.join(fake, 'python3'), `#!/bin/sh\nPYTHONPATH='${path.join(fake, 'lib')}' exec ${PYTHON} "$@"\n`);
      chmodSync(path.join(fake, 'python3'), 0o755);
      lab.setSettings({ pythonExecutable: path.join(fake, 'python3') });
      try {
        const id = lab.listRepositories().find((r) => r.path === SAMPLE)!.id;
        const err = await failure(convert({ repoId: id, model: 'digits' }));
        expect(err).toMatchObject({ code: 'UNAVAILABLE', reason: 'PYTHON_ENV' });
        expect(err.message).toMatch(/^Converting to ONNX: torch is missing: '.*fake-python\/python3' cannot import torch/);
        expect(err.message).toContain(`\`${path.join(fake, 'python3')} -m pip install torch\``);
      } finally {
        lab.setSettings({ pythonExecutable: '' });
      }
    },
    SLOW,
  );
});
