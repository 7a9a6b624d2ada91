/**
 * Model control through the API (TritonCore.load, behind both HTTP and
 * gRPC) is contained: config overrides name only files inside the model's
 * own folder (real paths) and never an interpreter; "file:" parameters land
 * in a private scratch folder (mkdtemp 0700, files 0600, never through a
 * link) that is removed on unload, on replacement and at shutdown. A load
 * that fails answers the failure while the loaded version keeps serving.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, promises as fs, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pythonMissing } from '../../engine/backends/python/testing/repo';
import { f32, modelConfig } from '../../engine/runtime/testing/models';
import type { LoadParameter } from './core';
import { TritonMetrics } from './metrics/triton-metrics';
import { startServing } from './serve';
import { type ServeFixture, startServeFixture } from './testing/serve-fixture';
import { Repository } from '../../engine/repository/repository';

const open: ServeFixture[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'core-control-'));
  dirs.push(d);
  return d;
}

const IDENTITY = modelConfig('m', { backend: 'identity', mbs: 0, inputs: [{ name: 'INPUT0', dims: [-1] }], outputs: [{ name: 'OUTPUT0', dims: [-1] }] });
const identityJson = (extra: Record<string, unknown> = {}) => ({
  name: 'm',
  backend: 'identity',
  max_batch_size: 0,
  input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [-1] }],
  output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1] }],
  ...extra,
});
const config = (json: object): LoadParameter => ({ type: 'STRING', value: JSON.stringify(json) });
const bytes = (text: string): LoadParameter => ({ type: 'BYTES', value: new TextEncoder().encode(text) });

/** An explicit-mode core over a repository with model 'm' (identity) loaded; `extra` adds files. */
async function explicitCore(extra: Record<string, string> = {}, core: Record<string, unknown> = {}): Promise<ServeFixture> {
  const f = await startServeFixture({
    http: false,
    repo: { controlMode: 'explicit', startupModels: ['m'] },
    core,
    write: (dir) => {
      mkdirSync(path.join(dir, 'm', '1'), { recursive: true });
      writeFileSync(path.join(dir, 'm', 'config.pbtxt'), IDENTITY);
      for (const [rel, text] of Object.entries(extra)) {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), text);
      }
    },
  });
  open.push(f);
  return f;
}

const infer = (f: ServeFixture) => f.core.infer('m', undefined, { inputs: [f32('INPUT0', [2], [1, 2])] });

describe('config overrides name only files inside the model folder', () => {
  it.skipIf(pythonMissing)(
    'a config-only override with default_model_filename leading out of the repository is refused; nothing runs',
    async () => {
      const outside = tempDir();
      const mark = path.join(outside, 'ran');
      mkdirSync(path.join(outside, 'elsewhere', '1'), { recursive: true });
      writeFileSync(path.join(outside, 'elsewhere', '1', 'model.py'), `open(${JSON.stringify(mark)}, "w").write("x")\nclass TritonPythonModel:\n    def execute(self, requests):\n        return []\n`);
      const f = await explicitCore();
      const escape = path.relative(path.join(f.dir, 'm', '1'), path.join(outside, 'elsewhere', '1', 'model.py'));
      const override = identityJson({ backend: 'python', default_model_filename: escape });
      await expect(f.core.load('m', { config: config(override) })).rejects.toMatchObject({
        code: 'INVALID_ARG',
        message: expect.stringMatching(/^Invalid default_model_filename '\.\.\/.*' with normalized path '.*elsewhere\/1\/model\.py' must stay within model directory\.$/),
      });
      expect(existsSync(mark)).toBe(false);
      // An absolute name is refused too (Triton would join it to the folder).
      await expect(f.core.load('m', { config: config(identityJson({ default_model_filename: '/etc/passwd' })) })).rejects.toMatchObject({
        message: "Invalid default_model_filename '/etc/passwd' with normalized path '/etc/passwd' must stay within model directory.",
      });
      const absoluteLabel = identityJson({ output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1], label_filename: '/etc/passwd' }] });
      await expect(f.core.load('m', { config: config(absoluteLabel) })).rejects.toMatchObject({
        message: "label file path '/etc/passwd' for output 'OUTPUT0' in model 'm' is outside model directory",
      });
      // The loaded version was not touched.
      expect((await infer(f)).outputs[0]!.shape).toEqual([2]);
    },
    30_000,
  );

  it('a config override larger than a config may be is refused before it is parsed', async () => {
    const f = await explicitCore();
    const huge = identityJson({ parameters: { pad: { string_value: 'x'.repeat(4 * 1024 * 1024) } } });
    // Triton finds a config override wrong while polling: the caller gets the poll failure, the log the reason.
    await expect(f.core.load('m', { config: config(huge) })).rejects.toMatchObject({ code: 'INTERNAL', message: "failed to load 'm', failed to poll from model repository" });
    expect((await infer(f)).outputs[0]!.shape).toEqual([2]);
  });

  it('an override may not choose an interpreter (PYTHON_EXECUTABLE, EXECUTION_ENV_PATH)', async () => {
    const outside = tempDir();
    const mark = path.join(outside, 'ran');
    const exe = path.join(outside, 'python3');
    writeFileSync(exe, `#!/bin/sh\ntouch ${JSON.stringify(mark)}\nexit 1\n`);
    chmodSync(exe, 0o755);
    const f = await explicitCore({ 'm/1/model.py': 'class TritonPythonModel:\n    pass\n' });
    for (const key of ['PYTHON_EXECUTABLE', 'EXECUTION_ENV_PATH']) {
      const override = identityJson({ backend: 'python', parameters: { [key]: { string_value: key === 'EXECUTION_ENV_PATH' ? outside : exe } } });
      await expect(f.core.load('m', { config: config(override) })).rejects.toMatchObject({
        code: 'INVALID_ARG',
        message: `Invalid config override for model 'm': parameter '${key}' chooses a program to run; it can only be set in the model's own config.pbtxt, not in a load request`,
      });
    }
    expect(existsSync(mark)).toBe(false);
  });

  it("the value the model's own config.pbtxt sets may be sent back unchanged", async () => {
    const f = await explicitCore();
    await fs.writeFile(path.join(f.dir, 'm', 'config.pbtxt'), `${IDENTITY}parameters { key: "PYTHON_EXECUTABLE" value { string_value: "/usr/bin/python3" } }\n`);
    await f.core.load('m', { config: config(identityJson({ parameters: { PYTHON_EXECUTABLE: { string_value: '/usr/bin/python3' } } })) });
    await expect(f.core.load('m', { config: config(identityJson({ parameters: { PYTHON_EXECUTABLE: { string_value: '/bin/sh' } } })) })).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });

  it('labels, warm-up data, the batching library and the runtime library stay inside too (real paths)', async () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, 'secret'), 'root:x:0:0\n');
    const f = await explicitCore();
    symlinkSync(path.join(outside, 'secret'), path.join(f.dir, 'm', 'labels.txt'));
    const label = identityJson({ output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1], label_filename: 'labels.txt' }] });
    await expect(f.core.load('m', { config: config(label) })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: `label file path '${path.join(f.dir, 'm', 'labels.txt')}' for output 'OUTPUT0' in model 'm' is outside model directory`,
    });
    const warm = identityJson({ model_warmup: [{ name: 'w', batch_size: 1, inputs: { INPUT0: { data_type: 'TYPE_FP32', dims: [1], input_data_file: '../../../../etc/passwd' } } }] });
    await expect(f.core.load('m', { config: config(warm) })).rejects.toMatchObject({
      message: expect.stringMatching(/^warmup data file '.*' for input 'INPUT0' of warmup sample 'w' in model 'm' is outside model directory$/),
    });
    const batch = identityJson({ parameters: { TRITON_BATCH_STRATEGY_PATH: { string_value: '/usr/lib/libc.so.6' } } });
    await expect(f.core.load('m', { config: config(batch) })).rejects.toMatchObject({ message: 'Batching library path escapes model repository.' });
    await expect(f.core.load('m', { config: config(identityJson({ runtime: '../../../lib/evil.so' })) })).rejects.toMatchObject({
      message: expect.stringMatching(/^backend library name '\.\.\/\.\.\/\.\.\/lib\/evil\.so' escapes backend directory/),
    });
    expect((await infer(f)).outputs[0]!.shape).toEqual([2]);
  });
});

describe('"file:" parameters', () => {
  it('stay inside the load folder; a file where a folder is needed is refused (poll failures, core-load-edges.test.ts has the logged reasons)', async () => {
    const f = await explicitCore();
    const cfg = config(identityJson());
    const pollFailure = { code: 'INTERNAL', message: "failed to load 'm', failed to poll from model repository" };
    for (const key of ['../x', '1/../../x', '1/../../../etc/cron.d/x']) {
      await expect(f.core.load('m', { config: cfg, [`file:${key}`]: bytes('x') })).rejects.toMatchObject(pollFailure);
    }
    await expect(f.core.load('m', { config: cfg, 'file:1': bytes('a'), 'file:1/model.bin': bytes('b') })).rejects.toMatchObject(pollFailure);
    // Nothing is left of the refused loads.
    const base = await f.core.scratch.location();
    expect(base && readdirSync(base)).toEqual([]);
  });

  it('are written to a private folder (0700, files 0600), removed when replaced, when unloaded and at shutdown', async () => {
    const f = await explicitCore();
    const cfg = config(identityJson());
    await f.core.load('m', { config: cfg, 'file:1/notes.txt': bytes('one') });
    const base = (await f.core.scratch.location())!;
    expect(path.basename(base)).toMatch(/^model-lab-overrides-\w{6}$/);
    expect(statSync(base).mode & 0o777).toBe(0o700);
    const [first] = readdirSync(base);
    const firstDir = path.join(base, first!);
    expect(statSync(path.join(firstDir, '1')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(firstDir, '1', 'notes.txt')).mode & 0o777).toBe(0o600);
    expect(f.repo.models.get('m')!.dir).toBe(firstDir);

    await f.core.load('m', { config: cfg, 'file:1/notes.txt': bytes('two') });
    expect(existsSync(firstDir)).toBe(false);
    expect(readdirSync(base)).toHaveLength(1);

    await f.core.unload('m');
    expect(readdirSync(base)).toEqual([]);

    await f.core.load('m', { config: cfg, 'file:1/notes.txt': bytes('three') });
    expect(readdirSync(base)).toHaveLength(1);
    await f.core.shutdown();
    expect(existsSync(base)).toBe(false);
    expect(f.repo.models.get('m')!.state).toBe('UNAVAILABLE');
  });

  it('a load with files that fails keeps the loaded version and its folder; the new folder goes', async () => {
    const f = await explicitCore();
    await f.core.load('m', { config: config(identityJson()), 'file:1/a.txt': bytes('ok') });
    const base = (await f.core.scratch.location())!;
    const [serving] = readdirSync(base);
    const broken = identityJson({ backend: 'onnxruntime', default_model_filename: 'model.onnx' });
    await expect(f.core.load('m', { config: config(broken), 'file:1/model.onnx': bytes('not onnx') })).rejects.toMatchObject({
      code: 'INVALID_ARG',
      message: expect.stringMatching(/^load failed for model 'm': version 1 is at UNAVAILABLE state/),
    });
    expect(readdirSync(base)).toEqual([serving]);
    expect((await infer(f)).outputs[0]!.shape).toEqual([2]);
  });
});

describe('the scratch folder of `model-lab serve`', () => {
  it('is not the predictable /tmp/model-lab-overrides-<pid>: a link planted there is never followed, and nothing is left at stop', async () => {
    const tmp = tempDir();
    const attacker = tempDir();
    const planted = path.join(tmp, `model-lab-overrides-${process.pid}`);
    symlinkSync(attacker, planted);
    const repoDir = tempDir();
    mkdirSync(path.join(repoDir, 'm', '1'), { recursive: true });
    writeFileSync(path.join(repoDir, 'm', 'config.pbtxt'), IDENTITY);
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = tmp;
    const repo = new Repository(repoDir, { controlMode: 'explicit' });
    try {
      await repo.loadAll();
      const serving = await startServing(repo, { http: false, grpc: false, metrics: false, version: 'test' });
      await serving.core.load('m', { config: config(identityJson()), 'file:1/payload.txt': bytes('hello') });
      expect(readdirSync(attacker)).toEqual([]);
      await serving.stop();
      expect(readdirSync(tmp)).toEqual([path.basename(planted)]);
      expect(readdirSync(attacker)).toEqual([]);
    } finally {
      process.env['TMPDIR'] = saved;
      if (saved === undefined) delete process.env['TMPDIR'];
      await repo.close();
    }
  });
});

describe('a load that fails while the model serves', () => {
  it('answers the failure and the loaded version keeps serving (a corrupt model file, a broken config.pbtxt)', async () => {
    const f = await explicitCore();
    await fs.writeFile(path.join(f.dir, 'm', 'config.pbtxt'), 'name: "m" backend: "onnxruntime" max_batch_size: 0');
    await fs.writeFile(path.join(f.dir, 'm', '1', 'model.onnx'), 'garbage');
    await expect(f.core.load('m')).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringMatching(/^load failed for model 'm': version 1 is at UNAVAILABLE state: /) });
    expect(f.core.modelReady('m')).toBe(true);
    expect((await infer(f)).outputs[0]!.shape).toEqual([2]);
    await fs.writeFile(path.join(f.dir, 'm', 'config.pbtxt'), 'name: "m" max_batch_size: [');
    await expect(f.core.load('m')).rejects.toMatchObject({ code: 'INTERNAL', message: "failed to load 'm', failed to poll from model repository" });
    expect(f.core.repositoryIndex(false)).toEqual([
      { name: 'm', version: '1', state: 'READY', reason: expect.stringMatching(/^reload failed, the previously loaded version still serves: failed to read text proto/) },
    ]);
    expect((await infer(f)).outputs[0]!.shape).toEqual([2]);
    // Metrics say so too (the lab's own family; Triton only logs it), until a load succeeds.
    const metrics = new TritonMetrics(f.core, { allowCpuMetrics: false });
    expect(metrics.render()).toContain('\nmodel_lab_reload_failed{model="m"} 1\n');
    await fs.writeFile(path.join(f.dir, 'm', 'config.pbtxt'), IDENTITY);
    await fs.rm(path.join(f.dir, 'm', '1', 'model.onnx'));
    await f.core.load('m');
    expect(metrics.render()).not.toContain('model_lab_reload_failed{');
  });
});

describe('the in-flight bound', () => {
  it('counts requests waiting in a model queue, not only those executing', async () => {
    const f = await startServeFixture({ http: false, core: { maxInflight: 3 } });
    open.push(f);
    // One instance: one request executes, two wait in its queue.
    await fs.writeFile(path.join(f.dir, 'slow', 'config.pbtxt'), (await fs.readFile(path.join(f.dir, 'slow', 'config.pbtxt'), 'utf8')).replace('count: 4', 'count: 1'));
    await f.repo.load(['slow']);
    const slow = (ms: number) => f.core.infer('slow', undefined, { inputs: [f32('IN', [1], [ms])] });
    const running = [slow(300), slow(1), slow(1)];
    await expect(slow(1)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await Promise.all(running);
  }, 20_000);
});
