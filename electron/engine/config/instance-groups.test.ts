/**
 * NormalizeInstanceGroup and ValidateInstanceGroup: defaults Triton fills
 * before a backend sees the config, and the checks with Triton's wording.
 * KIND_GPU on a machine without GPUs is the lab's one deliberate difference:
 * a warning (the lab runs it on the CPU) instead of a load error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeRepositories, identityConfig, loadRepository, stateOf, TempDirs } from '../repository/testing/temp-repo';
import { ModelInstanceGroup_Kind } from './gen/model_config_pb';
import { normalizeInstanceGroups } from './normalize';
import { MAX_INSTANCES, validateInstanceGroups } from './validate-model';
import { config, errorsOf, warningsOf } from './testing/config';

const temp = new TempDirs();
afterEach(async () => {
  await closeRepositories();
  temp.cleanup();
});

function groups(text: string, gpus: number[] = []) {
  const c = config(text);
  const issues = normalizeInstanceGroups(c, { gpus }, new Set());
  return { c, groups: c.instanceGroup.map((g) => ({ name: g.name, kind: g.kind, count: g.count, gpus: [...g.gpus] })), issues, errors: errorsOf(validateInstanceGroups(c, gpus)) };
}

describe('NormalizeInstanceGroup', () => {
  it('adds one group named after the model: KIND_CPU, count 2 for onnxruntime on a CPU-only machine', () => {
    const r = groups('name: "densenet" backend: "onnxruntime"');
    expect(r.groups).toEqual([{ name: 'densenet', kind: ModelInstanceGroup_Kind.CPU, count: 2, gpus: [] }]);
    expect(r.errors).toEqual([]);
  });

  it('count defaults to 2 for CPU instances of tensorflow too, and 1 for any other backend', () => {
    expect(groups('name: "t" backend: "tensorflow"').groups[0]!.count).toBe(2);
    expect(groups('name: "p" backend: "python"').groups[0]!.count).toBe(1);
    expect(groups('name: "s" backend: "script"').groups[0]!.count).toBe(1);
  });

  it('with GPUs the default group is KIND_GPU, count 1, on every GPU', () => {
    expect(groups('name: "m" backend: "onnxruntime"', [0, 1]).groups).toEqual([{ name: 'm', kind: ModelInstanceGroup_Kind.GPU, count: 1, gpus: [0, 1] }]);
  });

  it('names unnamed groups <model>_<index> and keeps given names and counts', () => {
    const r = groups('name: "m" backend: "onnxruntime" instance_group [ { kind: KIND_CPU }, { name: "fast" kind: KIND_CPU count: 3 } ]');
    expect(r.groups).toEqual([
      { name: 'm_0', kind: ModelInstanceGroup_Kind.CPU, count: 2, gpus: [] },
      { name: 'fast', kind: ModelInstanceGroup_Kind.CPU, count: 3, gpus: [] },
    ]);
  });

  it('KIND_AUTO becomes KIND_CPU when a listed gpu is not usable', () => {
    expect(groups('name: "m" backend: "python" instance_group { kind: KIND_AUTO gpus: [5] }', [0]).groups[0]!.kind).toBe(ModelInstanceGroup_Kind.CPU);
  });

  it('KIND_GPU without GPUs is a warning in this lab, not an error', () => {
    const r = groups('name: "m" backend: "onnxruntime" instance_group [ { kind: KIND_GPU count: 2 } ]');
    expect(warningsOf(r.issues)).toEqual(['instance group m_0 of model m has kind KIND_GPU but no GPUs are available']);
    expect(r.errors).toEqual([]);
    expect(r.groups[0]).toMatchObject({ kind: ModelInstanceGroup_Kind.GPU, count: 2 });
    expect(warningsOf(groups('name: "m" backend: "onnxruntime" instance_group [ { kind: KIND_GPU gpus: [0] } ]').issues)).toHaveLength(1);
  });

  it('KIND_GPU with GPUs available gets all of them and no warning', () => {
    const r = groups('name: "m" backend: "onnxruntime" instance_group [ { kind: KIND_GPU } ]', [0, 1]);
    expect(r.issues).toEqual([]);
    expect(r.groups[0]).toMatchObject({ gpus: [0, 1], count: 1 });
  });

  it('leaves ensembles alone', () => {
    const r = groups('name: "e" platform: "ensemble" ensemble_scheduling { }');
    expect(r.groups).toEqual([]);
    expect(r.errors).toEqual([]);
  });
});

describe('ValidateInstanceGroup', () => {
  it('KIND_CPU must not list GPUs', () => {
    expect(groups('name: "m" backend: "python" instance_group { name: "g" kind: KIND_CPU gpus: [0] }', [0]).errors).toEqual([
      'instance group g of model m has kind KIND_CPU but specifies one or more GPUs',
    ]);
    expect(groups('name: "m" backend: "python" instance_group { name: "g" kind: KIND_CPU }').errors).toEqual([]);
  });

  it('KIND_MODEL must not list GPUs', () => {
    expect(groups('name: "m" backend: "python" instance_group { name: "g" kind: KIND_MODEL gpus: [0] }', [0]).errors).toEqual([
      'instance group g of model m has kind KIND_MODEL but specifies one or more GPUs',
    ]);
    expect(groups('name: "m" backend: "python" instance_group { name: "g" kind: KIND_MODEL }').errors).toEqual([]);
  });

  it('a listed gpu id must exist', () => {
    expect(groups('name: "m" backend: "onnxruntime" instance_group { name: "g" kind: KIND_GPU gpus: [0, 3] }', [0, 1]).errors).toEqual([
      'instance group g of model m specifies invalid or unsupported gpu id 3. GPUs with at least the minimum required CUDA compute compatibility of 6.000000 are: 0, 1',
    ]);
    expect(groups('name: "m" backend: "onnxruntime" instance_group { name: "g" kind: KIND_GPU gpus: [1] }', [0, 1]).errors).toEqual([]);
  });

  it('profile is for TensorRT only (and Triton drops the space before "specifies")', () => {
    expect(groups('name: "m" backend: "onnxruntime" platform: "onnxruntime_onnx" instance_group { name: "g" kind: KIND_CPU profile: ["0"] }').errors).toEqual([
      'instance group g of model m and platform onnxruntime_onnxspecifies profile field which is only supported for TensorRT models',
    ]);
    expect(groups('name: "m" backend: "tensorrt" platform: "tensorrt_plan" instance_group { name: "g" kind: KIND_CPU profile: ["0"] }').errors).toEqual([]);
  });

  it('needs at least one group, and a resolved kind', () => {
    const c = config('name: "m" backend: "python"');
    expect(errorsOf(validateInstanceGroups(c, []))).toEqual(["must specify one or more 'instance group's for m"]);
    const auto = config('name: "m" backend: "python" instance_group { name: "g" }');
    const issues = validateInstanceGroups(auto, []);
    expect(errorsOf(issues)).toEqual(['instance group g of model m has unexpected kind KIND_AUTO']);
    expect(issues[0]!.status).toBe('INTERNAL');
  });
});

/**
 * Triton starts as many instances as a config asks for. Here an instance is an ONNX Runtime
 * session, a worker or a Python process, and a folder that is only opened (never trusted) still
 * starts its identity and ONNX models: the lab refuses more than MAX_INSTANCES per version.
 */
describe('how many instances a config may ask for', () => {
  it('count × GPUs over all groups is at most MAX_INSTANCES', () => {
    expect(MAX_INSTANCES).toBe(128);
    expect(groups('name: "m" backend: "onnxruntime" instance_group [ { kind: KIND_CPU count: 100 }, { kind: KIND_CPU count: 28 } ]').errors).toEqual([]);
    expect(groups('name: "m" backend: "python" instance_group [ { kind: KIND_CPU count: 100000 } ]').errors).toEqual([
      'model m asks for 100000 instances (count × GPUs over its instance groups); Model Lab starts at most 128 instances of a model version',
    ]);
    expect(groups('name: "m" backend: "onnxruntime" instance_group [ { kind: KIND_GPU count: 40 gpus: [0, 1, 2, 3] } ]', [0, 1, 2, 3]).errors).toEqual([
      'model m asks for 160 instances (count × GPUs over its instance groups); Model Lab starts at most 128 instances of a model version',
    ]);
  });

  it('an identity model asking for 100,000 instances is UNAVAILABLE with the reason, and none start', async () => {
    const d = await temp.make({ 'm/config.pbtxt': `${identityConfig('m')}instance_group [ { kind: KIND_CPU count: 100000 } ]\n`, 'm/1': null });
    const repo = await loadRepository(d.root);
    expect(stateOf(repo, 'm')).toEqual({
      state: 'UNAVAILABLE',
      reason: 'Invalid argument: model m asks for 100000 instances (count × GPUs over its instance groups); Model Lab starts at most 128 instances of a model version',
    });
    expect(repo.models.get('m')!.versions[0]!.runner).toBeUndefined();
  });
});
