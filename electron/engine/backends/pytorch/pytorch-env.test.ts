/**
 * The PyTorch backend around the model: an interpreter without torch (a fake
 * one whose `import torch` fails) makes the model UNAVAILABLE with the exact
 * fix; workspace trust applies (model.pt is code); the `parameters` Triton's
 * PyTorch backend reads are parsed as it parses them; AOTInductor archives
 * are refused with the reason; the Python setting reloads PyTorch models.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../../lab';
import { UNTRUSTED_REASON } from '../../repository/model-loader';
import { closeRepositories, loadRepository, stateOf, TempDirs } from '../../repository/testing/temp-repo';
import { f32, modelConfig } from '../../runtime/testing/models';
import { setPythonHostForTests } from '../python/interpreter';
import { stubs, until } from '../python/testing/processes';
import { PYTHON, buildTorchModels, torchMissing } from './testing/torch-models';

const temp = new TempDirs();
afterAll(async () => {
  await closeRepositories();
  temp.cleanup();
});

const skipped = torchMissing ? ` — skipped: ${torchMissing}` : '';
const io = {
  inputs: [
    { name: 'INPUT__0', dims: [3] },
    { name: 'INPUT__1', dims: [3] },
  ],
  outputs: [{ name: 'OUTPUT__0', dims: [3] }],
};
let pair: Uint8Array;
let training: Uint8Array;
let sequence: Uint8Array;

beforeAll(() => {
  if (torchMissing) return;
  ({ pair, training, sequence } = buildTorchModels());
}, 120_000);

/** A Python that has numpy but whose `import torch` fails, as on a machine without python3-torch. */
async function fakePythonWithoutTorch(): Promise<string> {
  const d = await temp.make({});
  mkdirSync(path.join(d.root, 'shadow', 'torch'), { recursive: true });
  writeFileSync(path.join(d.root, 'shadow', 'torch', '__init__.py'), 'raise ModuleNotFoundError("No module named \'torch\'", name="torch")\n');
  const exe = path.join(d.root, 'python3-no-torch');
  writeFileSync(exe, `#!/bin/sh\nPYTHONPATH='${path.join(d.root, 'shadow')}' exec '${PYTHON}' "$@"\n`);
  chmodSync(exe, 0o755);
  return exe;
}

describe('without torch', () => {
  it.skipIf(torchMissing !== '')(
    `the model is UNAVAILABLE and says how to install torch for that interpreter${skipped}`,
    async () => {
      const exe = await fakePythonWithoutTorch();
      const d = await temp.make({
        'm/config.pbtxt': modelConfig('m', { backend: 'pytorch', ...io, params: { PYTHON_EXECUTABLE: exe } }),
        'm/1/model.pt': pair,
      });
      const repo = await loadRepository(d.root);
      const s = stateOf(repo, 'm')!;
      expect(s.state).toBe('UNAVAILABLE');
      expect(s.reason).toContain(`PyTorch backend: torch is missing: '${exe}' cannot import torch (set by the config parameter PYTHON_EXECUTABLE)`);
      expect(s.reason).toContain(`\`${exe} -m pip install torch\``);
      expect(repo.models.get('m')!.reasonCode).toBe('PYTHON_ENV');
    },
    60_000,
  );

  it('the install hint names apt for the system Python and pip for any', async () => {
    const { torchInstallHint } = await import('./torch-probe');
    // apt is named on Linux only (python/interpreter.test.ts covers the other platforms).
    setPythonHostForTests({ platform: 'linux' });
    try {
      expect(torchInstallHint('/usr/bin/python3')).toBe('Install PyTorch for it: `sudo apt-get install python3-torch` (Debian/Ubuntu) or `/usr/bin/python3 -m pip install torch`');
      expect(torchInstallHint('/opt/venv/bin/python')).toBe('Install PyTorch for it: `/opt/venv/bin/python -m pip install torch`');
    } finally {
      setPythonHostForTests(undefined);
    }
  });
});

describe('trust, files, platforms', () => {
  it('a model.pt counts as code: untrusted, nothing starts', async () => {
    const lab = new Lab();
    try {
      const d = await temp.make({ 'm/1/model.pt': new Uint8Array([1, 2, 3]) });
      expect((await lab.openRepository(d.root)).hasCode).toBe(true);
    } finally {
      await lab.close();
    }
    const d = await temp.make({ 'm/config.pbtxt': modelConfig('m', { backend: 'pytorch', ...io }), 'm/1/model.pt': new Uint8Array([1, 2, 3]) });
    const repo = await loadRepository(d.root, { runCode: false });
    expect(stateOf(repo, 'm')).toEqual({ state: 'UNAVAILABLE', reason: UNTRUSTED_REASON });
  });

  it('torch_aoti (model.pt2) is detected and does not load', async () => {
    const d = await temp.make({ 'm/config.pbtxt': modelConfig('m', { platform: 'torch_aoti', ...io }), 'm/1/model.pt2': new Uint8Array([1]) });
    const repo = await loadRepository(d.root);
    const s = stateOf(repo, 'm')!;
    expect(s.state).toBe('UNAVAILABLE');
    // As Triton's core validates it: the pair is refused before the backend sees it.
    expect(s.reason).toContain('torch_aoti');
  });

  it('a config with no inputs fails with the backend words; auto-complete says it was skipped', async () => {
    const d = await temp.make({ 'm/config.pbtxt': 'backend: "pytorch"\n', 'm/1/model.pt': new Uint8Array([1]) });
    const repo = await loadRepository(d.root, { runCode: false });
    const v = repo.models.get('m')!.versions[0]!;
    expect(v.issues.map((i) => i.message)).toEqual([
      "skipping model configuration auto-complete for 'm': not supported for pytorch backend",
      'model configuration must contain at least one input, none were specified.',
    ]);
  });

  it.skipIf(torchMissing !== '')(
    `a model.pt that is not TorchScript fails to load with torch's reason${skipped}`,
    async () => {
      const d = await temp.make({ 'm/config.pbtxt': modelConfig('m', { backend: 'pytorch', ...io }), 'm/1/model.pt': new TextEncoder().encode('not a zip') });
      const repo = await loadRepository(d.root);
      const s = stateOf(repo, 'm')!;
      expect(s.state).toBe('UNAVAILABLE');
      expect(s.reason).toMatch(/failed to load model 'm': /);
      expect(existsSync(path.join(d.root, 'm', '1', '__pycache__'))).toBe(false);
    },
    60_000,
  );
});

describe('training mode', () => {
  it.skipIf(torchMissing !== '')(
    `an archive saved in training mode runs as saved (as in Triton), and the log says so${skipped}`,
    async () => {
      const d = await temp.make({
        't/config.pbtxt': modelConfig('t', { backend: 'pytorch', inputs: [{ name: 'INPUT__0', dims: [-1] }], outputs: [{ name: 'OUTPUT__0', dims: [-1] }] }),
        't/1/model.pt': training,
      });
      const repo = await loadRepository(d.root);
      expect(stateOf(repo, 't')?.state).toBe('READY');
      const logs = repo.models.get('t')!.versions[0]!.logs.map((l) => l.message);
      expect(logs).toContain(
        "model 't': model.pt was saved in training mode (dropout and batch norm act as in training); Triton runs it as saved. Call model.eval() before torch.jit.script/trace and save it again.",
      );
      // Dropout(0.5) is active: of 256 ones, some come back 0 and the others 2.
      const r = await repo.infer('t', -1, { inputs: [f32('INPUT__0', [256], new Array<number>(256).fill(1))] });
      const out = Array.from(r.outputs[0]!.data as Float32Array);
      expect(new Set(out)).toEqual(new Set([0, 2]));
    },
    60_000,
  );
});

describe('instance groups', () => {
  it.skipIf(torchMissing !== '')(
    `KIND_GPU runs on the GPU when torch has CUDA, else on the CPU with the reason shown${skipped}`,
    async () => {
      const d = await temp.make({
        'g/config.pbtxt': modelConfig('g', { backend: 'pytorch', ...io, extra: 'instance_group [ { kind: KIND_GPU count: 1 } ]' }),
        'g/1/model.pt': pair,
      });
      const repo = await loadRepository(d.root);
      const v = repo.models.get('g')!.versions[0]!;
      expect(v.state).toBe('READY');
      const { findTorch } = await import('./torch-probe');
      const env = await findTorch(repo.models.get('g')!.versions[0]!.config!, path.join(d.root, 'g'));
      if (env.cudaDevices > 0) {
        expect(v.device).toBe('GPU 0');
      } else {
        expect(v.device).toBe('CPU');
        expect(v.deviceNote).toBe(`KIND_GPU was asked for, but torch ${env.torch} of ${env.executable} has no CUDA (torch.cuda.is_available() is False); running on CPU`);
      }
      const r = await repo.infer('g', -1, { inputs: [f32('INPUT__0', [3], [1, 2, 3]), f32('INPUT__1', [3], [1, 1, 1])] });
      expect(Array.from(r.outputs[0]!.data as Float32Array)).toEqual([2, 3, 4]);
    },
    60_000,
  );
});

describe('the Python interpreter setting', () => {
  it.skipIf(torchMissing !== '')(
    `reloads PyTorch models with the chosen interpreter and says which setting failed${skipped}`,
    async () => {
      const d = await temp.make({ 'm/config.pbtxt': modelConfig('m', { backend: 'pytorch', ...io }), 'm/1/model.pt': pair });
      const lab = new Lab();
      try {
        const info = await lab.openRepository(d.root, { sample: true });
        const state = () => lab.getModel(info.id, 'm').summary;
        expect(state().state).toBe('READY');
        lab.setSettings({ pythonExecutable: '/nowhere/python3' });
        for (let i = 0; i < 600 && state().reloadFailure === undefined; i++) await new Promise((r) => setTimeout(r, 25));
        expect(state().state).toBe('READY');
        expect(state().reloadFailure?.reason).toContain('/nowhere/python3');
        expect(state().reloadFailure?.reason).toContain('the lab setting "Python interpreter"');
        expect(state().reloadFailure?.reason).toContain('PyTorch models need torch too');
      } finally {
        await lab.close();
      }
    },
    60_000,
  );
});

describe('files', () => {
  it.skipIf(torchMissing !== '')(
    `each version runs its own file, named by default_model_filename when set${skipped}`,
    async () => {
      const d = await temp.make({
        'v/config.pbtxt': modelConfig('v', { backend: 'pytorch', ...io, extra: 'default_model_filename: "net.pt"\nversion_policy { all { } }' }),
        // Version 1 adds its inputs, version 2 returns the first one.
        'v/1/net.pt': pair,
        'v/2/net.pt': sequence,
      });
      const repo = await loadRepository(d.root);
      expect(repo.models.get('v')!.versions.map((x) => [x.version, x.state])).toEqual([
        [1, 'READY'],
        [2, 'READY'],
      ]);
      const request = { inputs: [f32('INPUT__0', [3], [1, 2, 3]), f32('INPUT__1', [3], [1, 1, 1])] };
      expect(Array.from((await repo.infer('v', 1, request)).outputs[0]!.data as Float32Array)).toEqual([2, 3, 4]);
      expect(Array.from((await repo.infer('v', 2, request)).outputs[0]!.data as Float32Array)).toEqual([1, 2, 3]);
    },
    60_000,
  );
});

describe('recovery', () => {
  it.skipIf(torchMissing !== '' || process.platform !== 'linux')(
    `a killed PyTorch process is replaced and the model answers again${skipped}`,
    async () => {
      const d = await temp.make({ 'k/config.pbtxt': modelConfig('k', { backend: 'pytorch', ...io }), 'k/1/model.pt': pair });
      const repo = await loadRepository(d.root);
      const request = { inputs: [f32('INPUT__0', [3], [1, 2, 3]), f32('INPUT__1', [3], [1, 1, 1])] };
      expect(Array.from((await repo.infer('k', -1, request)).outputs[0]!.data as Float32Array)).toEqual([2, 3, 4]);
      const mine = (): number[] => stubs().filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(d.root));
      const [pid] = mine();
      expect(pid).toBeDefined();
      process.kill(pid!, 'SIGKILL');
      expect(await until(() => mine().length === 1 && mine()[0] !== pid, 30_000)).toBe(true);
      expect(Array.from((await repo.infer('k', -1, request)).outputs[0]!.data as Float32Array)).toEqual([2, 3, 4]);
      expect(repo.models.get('k')!.versions[0]!.logs.some((l) => /instance k_0 stopped: the Python process was killed by SIGKILL/.test(l.message))).toBe(true);
    },
    60_000,
  );
});

describe('parameters', () => {
  it.skipIf(torchMissing !== '')(
    `Triton's switches are accepted and applied; NUM_THREADS sets torch's thread count${skipped}`,
    async () => {
      const params = {
        DISABLE_OPTIMIZED_EXECUTION: 'true',
        INFERENCE_MODE: 'false',
        ENABLE_NVFUSER: 'false',
        ENABLE_WEIGHT_SHARING: 'true',
        ENABLE_JIT_EXECUTOR: 'false',
        ENABLE_JIT_PROFILING: 'OFF',
        ENABLE_CACHE_CLEANING: '1',
        NUM_THREADS: '1',
        NUM_INTEROP_THREADS: '1',
      };
      const d = await temp.make({ 'm/config.pbtxt': modelConfig('m', { backend: 'pytorch', ...io, params }), 'm/1/model.pt': pair });
      const repo = await loadRepository(d.root);
      expect(stateOf(repo, 'm')).toEqual({ state: 'READY', reason: '' });
      const r = await repo.infer('m', -1, { inputs: [f32('INPUT__0', [3], [1, 2, 3]), f32('INPUT__1', [3], [1, 1, 1])] });
      expect(Array.from(r.outputs[0]!.data as Float32Array)).toEqual([2, 3, 4]);
      const logs = repo.models.get('m')!.versions[0]!.logs.map((l) => l.message);
      // Triton's words (ModelState::ParseParameters), with the model's name.
      expect(logs).toContain("Optimized execution is disabled for model instance 'm'");
      expect(logs).toContain("Inference Mode is disabled for model instance 'm'");
      expect(logs).toContain("cuDNN is enabled for model instance 'm'");
      expect(logs).toContain("Jit profiling is disabled for model instance 'm'");
      expect(logs).toContain("Intra op thread count is set to 1 for model instance 'm'");
      expect(logs).toContain("ENABLE_NVFUSER is no longer read by Triton's PyTorch backend (removed in 23.12); ignored for model instance 'm_0'");
    },
    60_000,
  );

  it.skipIf(torchMissing !== '')(
    `a value Triton cannot parse fails the load with its words${skipped}`,
    async () => {
      const d = await temp.make({
        'b/config.pbtxt': modelConfig('b', { backend: 'pytorch', ...io, params: { INFERENCE_MODE: 'maybe' } }),
        'b/1/model.pt': pair,
        'n/config.pbtxt': modelConfig('n', { backend: 'pytorch', ...io, params: { NUM_THREADS: 'many' } }),
        'n/1/model.pt': pair,
      });
      const repo = await loadRepository(d.root);
      expect(stateOf(repo, 'b')!.reason).toContain("failed to convert 'maybe' to boolean");
      expect(stateOf(repo, 'n')!.reason).toContain("failed to convert 'many' to integral number");
    },
    60_000,
  );
});
