/**
 * Repository behaviour: loading a folder, polling for changes, load and
 * unload, explicit model control and the repository index.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildOnnxModel } from '../onnx/testing/build-model';
import { Repository } from './repository';
import { identityConfig, loadRepository, stateOf, TempDirs, type RepoFiles } from './testing/temp-repo';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const onnx = buildOnnxModel({ inputs: [{ name: 'x', type: 1, dims: [-1, 3] }], outputs: [{ name: 'y', type: 1, dims: [-1, 3] }] });
const ENSEMBLE = `name: "e" platform: "ensemble" max_batch_size: 8
input { name: "IN" data_type: TYPE_FP32 dims: [ -1 ] }
output { name: "OUT" data_type: TYPE_FP32 dims: [ -1 ] }
ensemble_scheduling {
  step { model_name: "a" model_version: -1 input_map { key: "INPUT0" value: "IN" } output_map { key: "OUTPUT0" value: "mid" } }
  step { model_name: "b" model_version: -1 input_map { key: "INPUT0" value: "mid" } output_map { key: "OUTPUT0" value: "OUT" } }
}`;
const PIPELINE: RepoFiles = {
  'a/config.pbtxt': identityConfig('a'),
  'a/1': null,
  'b/config.pbtxt': identityConfig('b'),
  'b/1': null,
  'e/config.pbtxt': ENSEMBLE,
  'e/1': null,
  'other/1/model.onnx': onnx,
};

describe('loading a folder', () => {
  it('a model with only model.onnx and no config is READY with a completed config', async () => {
    const d = await temp.make({ 'plain/1/model.onnx': onnx });
    const repo = await loadRepository(d.root);
    const rec = repo.models.get('plain')!;
    expect(rec.configPath).toBeUndefined();
    expect(rec.state).toBe('READY');
    expect(rec.versions[0]!.config).toMatchObject({ name: 'plain', platform: 'onnxruntime_onnx', backend: 'onnxruntime', defaultModelFilename: 'model.onnx', maxBatchSize: 4 });
    expect(rec.versions[0]!.filled.has('input')).toBe(true);
  });

  it('an empty repository folder has no models and no problem', async () => {
    const d = await temp.make();
    const repo = await loadRepository(d.root);
    expect(repo.models.size).toBe(0);
    expect(repo.problem).toBeUndefined();
    expect(repo.index()).toEqual([]);
  });
});

describe('repository index', () => {
  it('one entry per served version, sorted by name; version a string; reason only when there is one', async () => {
    const d = await temp.make({
      ...PIPELINE,
      'two/config.pbtxt': 'version_policy { all { } }',
      'two/1/model.onnx': onnx,
      'two/2/model.onnx': onnx,
      'bad/config.pbtxt': 'name: "bad" max_batch_size: -1 backend: "onnxruntime"',
      'bad/1/model.onnx': onnx,
      'broken/1/model.onnx': new Uint8Array([1, 2, 3]),
    });
    const repo = await loadRepository(d.root);
    const index = repo.index();
    expect(index.map((e) => e.name)).toEqual(['a', 'b', 'bad', 'broken', 'e', 'other', 'two', 'two']);
    expect(index.filter((e) => e.name === 'two')).toEqual([
      { name: 'two', version: '1', state: 'READY' },
      { name: 'two', version: '2', state: 'READY' },
    ]);
    // A model whose config failed has no versions: name, state and reason only.
    expect(index.find((e) => e.name === 'bad')).toEqual({ name: 'bad', state: 'UNAVAILABLE', reason: "'max_batch_size' must be non-negative value for bad" });
    expect(index.find((e) => e.name === 'broken')).toMatchObject({ version: '1', state: 'UNAVAILABLE', reason: expect.stringMatching(/^Internal: /) });
    for (const e of index) expect(Object.keys(e).every((k) => ['name', 'version', 'state', 'reason'].includes(k))).toBe(true);
  });
});

describe('poll', () => {
  it('reports nothing when nothing changed', async () => {
    const d = await temp.make(PIPELINE);
    const repo = await loadRepository(d.root);
    expect(await repo.poll()).toEqual([]);
  });

  it('picks up an edited config', async () => {
    const d = await temp.make({ 'm/config.pbtxt': 'max_batch_size: 4', 'm/1/model.onnx': onnx });
    const repo = await loadRepository(d.root);
    expect(repo.models.get('m')!.versions[0]!.config!.maxBatchSize).toBe(4);
    const seen: string[][] = [];
    repo.onChange((names) => seen.push(names));
    await d.write('m/config.pbtxt', 'max_batch_size: 2 # smaller');
    expect(await repo.poll()).toEqual(['m']);
    expect(repo.models.get('m')!.versions[0]!.config!.maxBatchSize).toBe(2);
    expect(seen).toContainEqual(['m']);

    // A config that no longer parses is a failed reload: the loaded version keeps serving (Triton's rule).
    await d.write('m/config.pbtxt', 'max_batch_size: "oops"');
    await repo.poll();
    expect(stateOf(repo, 'm')).toEqual({ state: 'READY', reason: '' });
    expect(repo.models.get('m')!.reloadFailure).toMatchObject({ kind: 'poll', reason: expect.stringMatching(/^failed to read text proto from .*config\.pbtxt: 1:17: /) });
  });

  it('picks up added and deleted models, and re-checks the ensembles that use them', async () => {
    const d = await temp.make(PIPELINE);
    const repo = await loadRepository(d.root);
    expect(stateOf(repo, 'e')?.state).toBe('READY');

    await d.remove('b');
    expect(await repo.poll()).toContain('b');
    expect(repo.models.has('b')).toBe(false);
    expect(stateOf(repo, 'e')).toEqual({ state: 'UNAVAILABLE', reason: 'Invalid argument: ensemble e contains models that are not available or ambiguous: b' });

    await d.write('b/config.pbtxt', identityConfig('b'));
    await d.write('b/1', null);
    expect(await repo.poll()).toContain('b');
    expect(stateOf(repo, 'b')?.state).toBe('READY');
    expect(stateOf(repo, 'e')?.state).toBe('READY');
  });

  it('picks up a new version folder', async () => {
    const d = await temp.make({ 'm/1/model.onnx': onnx });
    const repo = await loadRepository(d.root);
    await d.write('m/2/model.onnx', onnx);
    await repo.poll();
    expect(repo.index()).toEqual([{ name: 'm', version: '2', state: 'READY' }]);
  });
});

describe('load and unload', () => {
  it('unloading a member makes it unavailable ("unloaded") and the ensemble with it; loading brings both back', async () => {
    const d = await temp.make(PIPELINE);
    const repo = await loadRepository(d.root);
    await repo.unload('a');
    expect(stateOf(repo, 'a')).toEqual({ state: 'UNAVAILABLE', reason: 'unloaded' });
    expect(repo.index().find((e) => e.name === 'a')).toEqual({ name: 'a', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' });
    expect(stateOf(repo, 'e')).toEqual({ state: 'UNAVAILABLE', reason: 'Invalid argument: ensemble e contains models that are not available or ambiguous: a' });
    expect(stateOf(repo, 'other')?.state).toBe('READY');

    await repo.load(['a']);
    expect(stateOf(repo, 'a')?.state).toBe('READY');
    expect(stateOf(repo, 'e')?.state).toBe('READY');
  });

  it('unloading an ensemble leaves its members alone', async () => {
    const d = await temp.make(PIPELINE);
    const repo = await loadRepository(d.root);
    await repo.unload('e');
    expect(stateOf(repo, 'e')).toEqual({ state: 'UNAVAILABLE', reason: 'unloaded' });
    expect(stateOf(repo, 'a')?.state).toBe('READY');
  });

  it('unloading an unknown model is NOT_FOUND; loading a vanished one that never served drops it', async () => {
    const d = await temp.make({ ...PIPELINE, 'broken/1/model.onnx': new Uint8Array([1, 2, 3]) });
    const repo = await loadRepository(d.root);
    await expect(repo.unload('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await d.remove('broken');
    await repo.load(['broken']);
    expect(repo.models.has('broken')).toBe(false);
  });

  it('load re-reads a changed config', async () => {
    const d = await temp.make({ 'm/config.pbtxt': 'max_batch_size: 4', 'm/1/model.onnx': onnx });
    const repo = await loadRepository(d.root);
    await d.write('m/config.pbtxt', 'max_batch_size: 3');
    await repo.load(['m']);
    expect(repo.models.get('m')!.versions[0]!.config!.maxBatchSize).toBe(3);
  });
});

describe('explicit model control', () => {
  it('loads only the requested models, plus the members of a requested ensemble', async () => {
    const d = await temp.make(PIPELINE);
    const repo = new Repository(d.root, { controlMode: 'explicit', startupModels: ['e'] });
    await repo.loadAll();
    expect(stateOf(repo, 'e')?.state).toBe('READY');
    expect(stateOf(repo, 'a')?.state).toBe('READY');
    expect(stateOf(repo, 'b')?.state).toBe('READY');
    expect(stateOf(repo, 'other')).toEqual({ state: 'UNAVAILABLE', reason: 'not loaded (explicit model control)' });
    // Every folder is still listed; one never asked for is listed by name only, as Triton does.
    expect(repo.index().map((e) => e.name)).toEqual(['a', 'b', 'e', 'other']);
    expect(repo.index().find((e) => e.name === 'other')).toEqual({ name: 'other' });

    await repo.load(['other']);
    expect(stateOf(repo, 'other')?.state).toBe('READY');
  });

  it('loads nothing without startup models, and everything with "*"', async () => {
    const d = await temp.make(PIPELINE);
    const none = new Repository(d.root, { controlMode: 'explicit' });
    await none.loadAll();
    expect([...none.models.values()].every((r) => r.state === 'UNAVAILABLE')).toBe(true);
    const all = new Repository(d.root, { controlMode: 'explicit', startupModels: ['*'] });
    await all.loadAll();
    expect([...all.models.values()].every((r) => r.state === 'READY')).toBe(true);
  });

  it('a poll reloads a changed model but does not load models nobody asked for', async () => {
    const d = await temp.make(PIPELINE);
    const repo = new Repository(d.root, { controlMode: 'explicit', startupModels: ['a'] });
    await repo.loadAll();
    await d.write('a/config.pbtxt', identityConfig('a', { mbs: 2 }));
    await d.write('other/config.pbtxt', 'max_batch_size: 2');
    await repo.poll();
    expect(repo.models.get('a')!.versions[0]!.config!.maxBatchSize).toBe(2);
    expect(stateOf(repo, 'other')?.state).toBe('UNAVAILABLE');
  });
});

describe('polling timer', () => {
  it('startPolling and stopPolling toggle the timer', async () => {
    const d = await temp.make({ 'm/1/model.onnx': onnx });
    const repo = await loadRepository(d.root);
    repo.startPolling(60);
    expect(repo.polling).toBe(true);
    repo.stopPolling();
    expect(repo.polling).toBe(false);
    repo.close();
  });
});
