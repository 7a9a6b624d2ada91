/**
 * Triton's reload rules (model_lifecycle.cc, model_repository_manager.cc):
 * a reload that fails, by poll or explicit load, leaves the loaded versions
 * serving (and the ensembles using them) and only reports the failure; a
 * model folder that disappears is unloaded, its instances stopped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildOnnxModel } from '../onnx/testing/build-model';
import { f32, rejection, values } from '../runtime/testing/models';
import { Repository } from './repository';
import { closeRepositories, identityConfig, loadRepository, stateOf, TempDirs, type RepoFiles } from './testing/temp-repo';

const temp = new TempDirs();
afterEach(async () => {
  await closeRepositories();
  temp.cleanup();
});

const onnx = buildOnnxModel({ inputs: [{ name: 'x', type: 1, dims: [-1, 3] }], outputs: [{ name: 'y', type: 1, dims: [-1, 3] }] });
const ENSEMBLE = `name: "e" platform: "ensemble" max_batch_size: 8
input { name: "IN" data_type: TYPE_FP32 dims: [ -1 ] }
output { name: "OUT" data_type: TYPE_FP32 dims: [ -1 ] }
ensemble_scheduling {
  step { model_name: "a" model_version: -1 input_map { key: "INPUT0" value: "IN" } output_map { key: "OUTPUT0" value: "OUT" } }
}`;
const FILES: RepoFiles = {
  'a/config.pbtxt': identityConfig('a'),
  'a/1': null,
  'e/config.pbtxt': ENSEMBLE,
  'e/1': null,
  'm/config.pbtxt': 'max_batch_size: 4',
  'm/1/model.onnx': onnx,
};
const x = () => ({ inputs: [f32('x', [1, 3], [1, 2, 3])] });
const IN = () => ({ inputs: [f32('IN', [1, 2], [5, 6])] });

describe('a failed reload keeps the loaded version serving', () => {
  it('poll: a config.pbtxt that no longer parses; the ensemble using the model keeps serving too', async () => {
    const d = await temp.make(FILES);
    const repo = await loadRepository(d.root);
    await d.write('a/config.pbtxt', 'name: "a" backend: "identity" max_batch_size: [ oops');
    expect(await repo.poll()).toContain('a');
    expect(values((await repo.infer('a', -1, { inputs: [f32('INPUT0', [1, 1], [7])] })).outputs[0])).toEqual([7]);
    expect(values((await repo.infer('e', -1, IN())).outputs[0])).toEqual([5, 6]);
    const rec = repo.models.get('a')!;
    expect(rec.state).toBe('READY');
    expect(rec.reloadFailure).toMatchObject({ kind: 'poll', reason: expect.stringMatching(/^failed to read text proto from .*config\.pbtxt: /) });
    // The lab shows the file as it is now, with its error at the line.
    expect(rec.configText).toContain('oops');
    expect(rec.issues.map((i) => i.code)).toContain('config.syntax');
    expect(repo.index().find((e) => e.name === 'a')).toEqual({
      name: 'a',
      version: '1',
      state: 'READY',
      reason: expect.stringMatching(/^reload failed, the previously loaded version still serves: failed to read text proto/),
    });
    expect(rec.versions[0]!.logs.at(-1)?.message).toMatch(/^reload failed, the version loaded before keeps serving: failed to read text proto/);
    // The same broken files are not loaded again on every poll; fixing them is.
    expect(await repo.poll()).toEqual([]);
    await d.write('a/config.pbtxt', identityConfig('a', { mbs: 2 }));
    expect(await repo.poll()).toContain('a');
    expect(repo.models.get('a')!.reloadFailure).toBeUndefined();
    expect(repo.models.get('a')!.versions[0]!.config!.maxBatchSize).toBe(2);
  });

  it("poll: a corrupt model.onnx; the version that served answers, the failure is in the index and the host's log", async () => {
    const d = await temp.make(FILES);
    const printed: string[] = [];
    const repo = await loadRepository(d.root, { onModelLog: (model, version, level, message) => printed.push(`${model} v${version} ${level}: ${message}`) });
    await d.write('m/1/model.onnx', new Uint8Array([1, 2, 3, 4]));
    await repo.poll();
    expect(values((await repo.infer('m', -1, x())).outputs[0])).toHaveLength(3);
    expect(repo.models.get('m')!.reloadFailure).toMatchObject({ kind: 'load', reason: expect.stringMatching(/^version 1 is at UNAVAILABLE state: Internal: unable to load model 'm'/) });
    expect(repo.index().find((e) => e.name === 'm')).toMatchObject({ state: 'READY', reason: expect.stringContaining('not a valid ONNX model') });
    expect(printed).toContainEqual(expect.stringMatching(/^m v1 error: reload failed, the version loaded before keeps serving: version 1 is at UNAVAILABLE state/));
  });

  it('explicit load: the failure is recorded, the loaded version keeps serving; a new version that loaded is stopped again', async () => {
    const d = await temp.make({ 'm/config.pbtxt': 'max_batch_size: 4 version_policy { all { } }', 'm/1/model.onnx': onnx });
    const repo = new Repository(d.root, { controlMode: 'explicit', startupModels: ['m'] });
    await repo.loadAll();
    const v1 = repo.resolve('m', 1);
    await d.write('m/2/model.onnx', onnx);
    await d.write('m/1/model.onnx', new Uint8Array([9, 9, 9]));
    await repo.load(['m']);
    expect(repo.resolve('m', -1)).toBe(v1);
    expect(repo.index()).toEqual([
      { name: 'm', version: '1', state: 'READY', reason: expect.stringMatching(/^reload failed.*version 1 is at UNAVAILABLE state/) },
      { name: 'm', version: '2', state: 'UNAVAILABLE', reason: 'unloaded' },
    ]);
    await repo.close();
  });

  it('a reload that works replaces the version and clears the failure', async () => {
    const d = await temp.make(FILES);
    const repo = await loadRepository(d.root);
    await d.write('m/1/model.onnx', new Uint8Array([1]));
    await repo.load(['m']);
    expect(repo.models.get('m')!.reloadFailure?.kind).toBe('load');
    const old = repo.resolve('m', 1);
    await d.write('m/1/model.onnx', onnx);
    await repo.load(['m']);
    expect(repo.models.get('m')!.reloadFailure).toBeUndefined();
    expect(repo.resolve('m', 1)).not.toBe(old);
    // The version that served until now was stopped.
    expect((await rejection(old.infer(x()))).message).toMatch(/is not at ready state/);
  });
});

describe('a model folder that goes away', () => {
  it('poll: the model is unloaded (its instances stop), leaves the index, and the ensemble stops serving', async () => {
    const d = await temp.make(FILES);
    const repo = await loadRepository(d.root);
    const runner = repo.resolve('a', 1);
    await d.remove('a');
    expect(await repo.poll()).toEqual(expect.arrayContaining(['a', 'e']));
    expect(repo.models.has('a')).toBe(false);
    expect((await rejection(runner.infer({ inputs: [f32('INPUT0', [1, 1], [1])] }))).message).toMatch(/is not at ready state/);
    expect(stateOf(repo, 'e')).toEqual({ state: 'UNAVAILABLE', reason: 'Invalid argument: ensemble e contains models that are not available or ambiguous: a' });
    expect((await rejection(repo.infer('e', -1, IN()))).code).toBe('NOT_FOUND');
  });

  it('explicit load of a model whose folder is gone: as in Triton the poll fails and the loaded version keeps serving, until unloaded', async () => {
    const d = await temp.make(FILES);
    const repo = new Repository(d.root, { controlMode: 'explicit', startupModels: ['m'] });
    await repo.loadAll();
    const runner = repo.resolve('m', 1);
    await d.remove('m');
    await repo.load(['m']);
    expect(repo.resolve('m', -1)).toBe(runner);
    expect(repo.models.get('m')!.reloadFailure).toMatchObject({ kind: 'poll', reason: 'model not found in any model repository.' });
    await repo.unload('m');
    expect((await rejection(runner.infer(x()))).message).toMatch(/is not at ready state/);
    await repo.close();
  });

  it('reloading the whole repository drops a vanished model after stopping it', async () => {
    const d = await temp.make(FILES);
    const repo = await loadRepository(d.root);
    const runner = repo.resolve('m', 1);
    await d.remove('m');
    await repo.loadAll();
    expect(repo.models.has('m')).toBe(false);
    expect((await rejection(runner.infer(x()))).message).toMatch(/is not at ready state/);
  });
});
