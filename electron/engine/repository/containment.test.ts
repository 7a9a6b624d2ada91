/**
 * Files a config names stay inside the model folder: model files (lexically,
 * before any code runs), label files, warm-up data, the batching library and
 * config.pbtxt itself (real paths, as Triton checks labels). Links inside a
 * repository that point at weights elsewhere, and a model folder that is
 * itself a link, still load.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pythonMissing } from '../backends/python/testing/repo';
import { buildOnnxModel } from '../onnx/testing/build-model';
import { modelConfig } from '../runtime/testing/models';
import { escapesReally, readContained, weaklyCanonical } from './containment';
import { Fifos, within } from '../util/testing/fifo';
import { closeRepositories, identityConfig, loadRepository, messagesOf, stateOf, TempDirs } from './testing/temp-repo';

const temp = new TempDirs();
const fifos = new Fifos();
afterEach(async () => {
  fifos.releaseAll();
  await closeRepositories();
  temp.cleanup();
});

const isWindows = process.platform === 'win32';
const onnx = buildOnnxModel({ inputs: [{ name: 'x', type: 1, dims: [-1, 3] }], outputs: [{ name: 'y', type: 1, dims: [-1, 3] }] });
const io = { inputs: [{ name: 'IN', dims: [1] }], outputs: [{ name: 'OUT', dims: [1] }] };
/** An identity model whose output has labels in labels.txt. */
const labelled = modelConfig('m', { backend: 'identity', mbs: 0, inputs: [{ name: 'INPUT0', dims: [4] }], outputs: [{ name: 'OUTPUT0', dims: [4], extra: 'label_filename: "labels.txt"' }] });

/** A model.py that leaves a mark when Python imports it. */
const marking = (mark: string): string => `open(${JSON.stringify(mark)}, "w").write("ran")
import triton_python_backend_utils as pb_utils
class TritonPythonModel:
    def auto_complete_config(auto_complete_model_config):
        return auto_complete_model_config
    def execute(self, requests):
        return []
`;

describe('model files named by the config', () => {
  it.skipIf(pythonMissing)('a default_model_filename leading out of the model folder is refused before Python starts', async () => {
    const d = await temp.make();
    const mark = path.join(d.root, 'ran');
    const outside = await temp.make({ 'elsewhere/1/model.py': marking(mark) });
    const repo = await temp.make({ 'm/1': null });
    const escape = path.relative(path.join(repo.root, 'm', '1'), path.join(outside.root, 'elsewhere/1/model.py'));
    await repo.write('m/config.pbtxt', modelConfig('m', { backend: 'python', ...io, extra: `default_model_filename: "${escape}"` }));
    const r = await loadRepository(repo.root);
    expect(stateOf(r, 'm')?.state).toBe('UNAVAILABLE');
    expect(stateOf(r, 'm')?.reason).toMatch(/^Invalid argument: Invalid default_model_filename '\.\.\/.*model\.py' with normalized path '.*' must stay within model directory\.$/);
    expect(existsSync(mark)).toBe(false);
  });

  it('cc_model_filenames may not leave the model folder either', async () => {
    const d = await temp.make({ 'm/config.pbtxt': `${identityConfig('m')}cc_model_filenames { key: "7.5" value: "../../secret" }\n`, 'm/1': null });
    const r = await loadRepository(d.root);
    expect(stateOf(r, 'm')?.reason).toMatch(/^Invalid argument: Invalid cc_model_filenames '7\.5' '\.\.\/\.\.\/secret' with normalized path/);
  });

  it.skipIf(isWindows)('a model file linked to a weights store outside the repository still loads', async () => {
    const store = await temp.make({ 'weights.onnx': onnx });
    const d = await temp.make({ 'm/1': null });
    await fs.symlink(path.join(store.root, 'weights.onnx'), path.join(d.root, 'm/1/model.onnx'));
    const r = await loadRepository(d.root);
    expect(stateOf(r, 'm')?.state).toBe('READY');
  });

  it.skipIf(isWindows)('a model folder that is itself a link loads, labels included', async () => {
    const elsewhere = await temp.make({ 'm/config.pbtxt': labelled, 'm/labels.txt': 'a\nb\n', 'm/1': null });
    const d = await temp.make();
    await fs.symlink(path.join(elsewhere.root, 'm'), path.join(d.root, 'm'));
    const r = await loadRepository(d.root);
    expect(messagesOf(r, 'm')).toEqual([]);
    expect(stateOf(r, 'm')?.state).toBe('READY');
  });
});

describe.skipIf(isWindows)('files the lab reads for a model', () => {
  it("a label file linked outside the model folder is refused in Triton's words", async () => {
    const secret = await temp.make({ 'secret.txt': 'root:x:0:0\n' });
    const d = await temp.make({ 'm/config.pbtxt': labelled, 'm/1': null });
    await fs.symlink(path.join(secret.root, 'secret.txt'), path.join(d.root, 'm/labels.txt'));
    const r = await loadRepository(d.root);
    expect(stateOf(r, 'm')).toEqual({
      state: 'UNAVAILABLE',
      reason: `Unsupported: label file path '${path.join(d.root, 'm/labels.txt')}' for output 'OUTPUT0' in model 'm' is outside model directory`,
    });
  });

  it('a config.pbtxt linked to a file outside the model folder is not read', async () => {
    const other = await temp.make({ 'config.pbtxt': identityConfig('m') });
    const d = await temp.make({ 'm/1': null });
    await fs.symlink(path.join(other.root, 'config.pbtxt'), path.join(d.root, 'm/config.pbtxt'));
    const r = await loadRepository(d.root);
    const rec = r.models.get('m')!;
    expect(rec.state).toBe('UNAVAILABLE');
    expect(rec.reason).toBe(`config file path '${path.join(d.root, 'm/config.pbtxt')}' for model 'm' is outside model directory: it is a link to a file elsewhere`);
    expect(rec.configText).toBeUndefined();
  });

  it('warm-up data linked outside the model folder is refused before anything runs', async () => {
    const secret = await temp.make({ 'data.bin': new Uint8Array(16) });
    const warm = 'model_warmup [ { name: "w" batch_size: 1 inputs { key: "INPUT0" value: { data_type: TYPE_FP32 dims: [ 4 ] input_data_file: "in.bin" } } } ]\n';
    const d = await temp.make({ 'm/config.pbtxt': identityConfig('m') + warm, 'm/1': null, 'm/warmup': null });
    await fs.symlink(path.join(secret.root, 'data.bin'), path.join(d.root, 'm/warmup/in.bin'));
    const r = await loadRepository(d.root);
    expect(stateOf(r, 'm')?.reason).toBe(
      `Invalid argument: warmup data file '${path.join(d.root, 'm/warmup/in.bin')}' for input 'INPUT0' of warmup sample 'w' in model 'm' is outside model directory`,
    );
  });

  it('TRITON_BATCH_STRATEGY_PATH outside the model folder: Triton\'s "Batching library path escapes model repository."', async () => {
    const d = await temp.make({ 'm/config.pbtxt': `${identityConfig('m')}parameters { key: "TRITON_BATCH_STRATEGY_PATH" value { string_value: "/usr/lib/libc.so.6" } }\n`, 'm/1': null });
    const r = await loadRepository(d.root);
    expect(stateOf(r, 'm')?.reason).toBe('Invalid argument: Batching library path escapes model repository.');
  });
});

describe.skipIf(isWindows)('containment helpers', () => {
  it('weakly canonical paths resolve links along the existing prefix', async () => {
    const d = await temp.make({ 'real/x': 'x' });
    await fs.symlink(path.join(d.root, 'real'), path.join(d.root, 'link'));
    const real = await fs.realpath(d.root);
    expect(await weaklyCanonical(path.join(d.root, 'link/missing/../y'))).toBe(path.join(real, 'real/y'));
    expect((await escapesReally(path.join(d.root, 'link/x'), path.join(d.root, 'real'))).escapes).toBe(false);
    expect((await escapesReally(path.join(d.root, 'real/../x'), path.join(d.root, 'real'))).escapes).toBe(true);
    // "/parent" and "/parent_dir" are different folders.
    expect((await escapesReally(path.join(d.root, 'real_dir'), path.join(d.root, 'real'))).escapes).toBe(true);
  });

  it('readContained refuses devices, links out and files over the limit', async () => {
    const d = await temp.make({ 'm/ok.txt': 'hello', 'm/big.txt': 'x'.repeat(100) });
    await fs.symlink('/dev/zero', path.join(d.root, 'm/zero'));
    await fs.symlink('/etc/hostname', path.join(d.root, 'm/out'));
    const m = path.join(d.root, 'm');
    expect((await readContained(m, path.join(m, 'ok.txt'), 10)).toString()).toBe('hello');
    await expect(readContained(m, path.join(m, 'big.txt'), 10)).rejects.toThrow(/at most 10 are read/);
    await expect(readContained(m, path.join(m, 'zero'), 10)).rejects.toThrow(/outside model directory/);
    await expect(readContained(m, path.join(m, 'out'), 10)).rejects.toThrow(/outside model directory/);
  });

  it('readContained refuses a FIFO inside the folder at once (open(2) of a FIFO would block until a writer came)', async () => {
    const d = await temp.make({ m: null });
    const m = path.join(d.root, 'm');
    const read = readContained(m, fifos.make(path.join(m, 'labels.txt')), 100);
    expect(await within(read, 2000)).toBe('settled');
    await expect(read).rejects.toMatchObject({ code: 'INVALID_ARG', message: `'${path.join(m, 'labels.txt')}' is not a file but a FIFO; only regular files are read` });
  });
});
