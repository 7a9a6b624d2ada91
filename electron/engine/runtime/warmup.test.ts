/**
 * model_warmup: samples run on every instance, `count` times each, with zero
 * or file data, before the version becomes READY; a failing sample leaves
 * the version UNAVAILABLE.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../lab';
import { Repository } from '../repository/repository';
import { makeTempDir, TempDirs, type TempDir } from '../repository/testing/temp-repo';
import { Fifos, noFifos, within } from '../util/testing/fifo';
import { MAX_WARMUP_RUNS } from './warmup';
import { f32, scriptConfig } from './testing/models';

let dir: TempDir;
let repo: Repository;
/** Per change notification of 'warm': state, reason and how many executes were logged by then. */
const seen: { state: string; reason: string; executes: number }[] = [];

const LOGGING = `export default class TritonPythonModel {
  initialize(args) {
    this.instance = args.model_instance_name;
  }
  execute(requests) {
    return requests.map((r) => {
      const x = r.inputs()[0];
      if (x.numbers()[0] === 99) throw new Error('too cold');
      pb_utils.Logger.log_info(\`execute \${this.instance} \${r.request_id} \${JSON.stringify(x.shape)} \${x.numbers().join(',')}\`);
      return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', x.data, x.shape)] });
    });
  }
}
`;

const warmup = (file: string) => `model_warmup [
  { name: "zeros" batch_size: 2 count: 3 inputs { key: "IN" value: { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } } },
  { name: "file" batch_size: 1 inputs { key: "IN" value: { data_type: TYPE_FP32 dims: [ 4 ] input_data_file: "${file}" } } }
]`;

const io = { mbs: 4, inputs: [{ name: 'IN', dims: [4] }], outputs: [{ name: 'OUT', dims: [4] }] };
const executes = (name: string): string[] => (repo.models.get(name)?.versions[0]?.logs ?? []).filter((l) => l.message.startsWith('execute ')).map((l) => l.message);

beforeAll(async () => {
  dir = await makeTempDir({
    'warm/config.pbtxt': scriptConfig('warm', { ...io, count: 2, extra: warmup('in.bin') }),
    'warm/1/model.js': LOGGING,
    'warm/warmup/in.bin': new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer),
    'cold/config.pbtxt': scriptConfig('cold', { ...io, extra: warmup('bad.bin') }),
    'cold/1/model.js': LOGGING,
    'cold/warmup/bad.bin': new Uint8Array(Float32Array.from([99, 0, 0, 0]).buffer),
  });
  repo = new Repository(dir.root);
  repo.onChange((changed) => {
    const v = repo.models.get('warm')?.versions[0];
    if (changed.includes('warm') && v) seen.push({ state: v.state, reason: v.reason, executes: executes('warm').length });
  });
  await repo.loadAll();
});
afterAll(async () => {
  await repo.close();
  dir.cleanup();
});

describe('model_warmup', () => {
  it('runs each sample count times on every instance, with zero and file data, before READY', () => {
    expect(repo.models.get('warm')!.state).toBe('READY');
    const lines = executes('warm');
    const zeros = (inst: string) => `execute ${inst} warmup:zeros [2,4] 0,0,0,0,0,0,0,0`;
    const file = (inst: string) => `execute ${inst} warmup:file [1,4] 1,2,3,4`;
    expect(lines).toEqual([zeros('warm_0_0'), zeros('warm_0_0'), zeros('warm_0_0'), zeros('warm_0_1'), zeros('warm_0_1'), zeros('warm_0_1'), file('warm_0_0'), file('warm_0_1')]);
    // The version said it was warming up, and was READY only once all 8 had run.
    expect(seen.some((s) => s.state === 'LOADING' && s.reason === 'warming up' && s.executes < 8)).toBe(true);
    const firstReady = seen.find((s) => s.state === 'READY');
    expect(firstReady?.executes).toBe(8);
  });

  it('requests after warmup run normally', async () => {
    const r = await repo.infer('warm', -1, { inputs: [f32('IN', [1, 4], [5, 6, 7, 8])] });
    expect(r.outputs[0]!.shape).toEqual([1, 4]);
    expect(executes('warm')).toHaveLength(9);
  });

  it('a failing sample leaves the version UNAVAILABLE with the reason', () => {
    const rec = repo.models.get('cold')!;
    expect(rec.state).toBe('UNAVAILABLE');
    expect(rec.versions[0]!.runner).toBeUndefined();
    // The zero sample passed; the file sample (99, ...) made execute() throw.
    expect(rec.versions[0]!.reason).toMatch(/^Internal: warmup sample 'file' failed on cold_0: Failed to process the request\(s\) for model 'cold_0', message: Error: too cold\n/);
    expect(() => repo.resolve('cold', -1)).toThrow("Request for unknown model: 'cold' has no available versions");
  });
});

/**
 * Hostile configs in a folder that is only opened, never trusted: a config of
 * a few hundred bytes must not make the lab allocate gigabytes, run billions
 * of warm-ups or wait forever on a FIFO named as warm-up data.
 */
describe('warm-up from an untrusted folder is bounded before anything is allocated', () => {
  const temp = new TempDirs();
  const fifos = new Fifos();
  const labs: Lab[] = [];
  afterEach(async () => {
    fifos.releaseAll();
    for (const l of labs.splice(0)) await l.close();
    temp.cleanup();
  });

  const MiB = 2 ** 20;
  /** An identity model (FP32 [-1], no batching) whose one warm-up sample is `sample` and which has `count` instances. */
  const identity = (sample: string, count = 1): string => `name: "w"
backend: "identity"
max_batch_size: 0
input [{ name: "INPUT0" data_type: TYPE_FP32 dims: [-1] }]
output [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [-1] }]
instance_group [{ kind: KIND_CPU count: ${count} }]
model_warmup [{ name: "s" ${sample} }]
`;
  const input = (value: string): string => `batch_size: 1 inputs { key: "INPUT0" value: { ${value} } }`;

  async function open(files: Record<string, string | null>): Promise<{ state?: string; reason?: string }> {
    const d = await temp.make({ 'w/1': null, ...files });
    const lab = new Lab();
    labs.push(lab);
    const m = (await lab.openRepository(d.root)).models.find((x) => x.name === 'w');
    return { state: m?.state, reason: m?.reason };
  }

  it('a 300-byte config asking for a 1 GiB random tensor is refused without the memory being spent', async () => {
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - before)), 5);
    const got = await open({ 'w/config.pbtxt': identity(input(`data_type: TYPE_FP32 dims: [${256 * MiB}] random_data: true`)) }).finally(() => clearInterval(timer));
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    expect(got).toEqual({
      state: 'UNAVAILABLE',
      reason: "Invalid argument: warmup sample 's' needs 1024 MiB of input data; Model Lab generates at most 256 MiB for one sample (all its inputs, batch included)",
    });
    expect(peak).toBeLessThan(300 * MiB);
  }, 60_000);

  it('BYTES elements count too (a list of 50 million empty strings is refused)', async () => {
    const got = await open({ 'w/config.pbtxt': identity(input('data_type: TYPE_STRING dims: [50000000] zero_data: true')).replaceAll('TYPE_FP32', 'TYPE_STRING') });
    expect(got.reason).toMatch(/^Invalid argument: warmup sample 's' needs 763 MiB of input data/);
  });

  it('count is bounded: four billion warm-up runs are refused before any instance starts', async () => {
    const got = await open({ 'w/config.pbtxt': identity(`count: 4000000000 ${input('data_type: TYPE_FP32 dims: [4] zero_data: true')}`) });
    expect(got).toEqual({
      state: 'UNAVAILABLE',
      reason: `Invalid argument: model_warmup asks for 4000000000 executions on each instance (samples × count); Model Lab runs at most ${MAX_WARMUP_RUNS}`,
    });
  });

  it('the data sent through all instances is bounded (sample size × count × instances)', async () => {
    const got = await open({ 'w/config.pbtxt': identity(`count: 100 ${input(`data_type: TYPE_FP32 dims: [${32 * MiB}] zero_data: true`)}`, 64) });
    expect(got.reason).toBe('Invalid argument: model_warmup sends 819200 MiB through the model (sample size × count × 64 instances); Model Lab sends at most 16384 MiB');
  });

  it("a variable-size dimension is refused in Triton's words", async () => {
    const got = await open({ 'w/config.pbtxt': identity(input('data_type: TYPE_FP32 dims: [-1] zero_data: true')) });
    expect(got.reason).toBe("Invalid argument: warmup setting expects all variable-size dimensions are specified for input 'INPUT0'");
  });

  it('a small warm-up still runs', async () => {
    expect(await open({ 'w/config.pbtxt': identity(input(`data_type: TYPE_FP32 dims: [${MiB}] random_data: true`), 2) })).toEqual({ state: 'READY', reason: '' });
  });

  it.skipIf(noFifos)('a warm-up data file that is a FIFO fails the load at once instead of hanging it', async () => {
    const d = await temp.make({ 'w/config.pbtxt': identity(input('data_type: TYPE_FP32 dims: [4] input_data_file: "data"')), 'w/1': null, 'w/warmup': null });
    fifos.make(path.join(d.root, 'w', 'warmup', 'data'));
    const lab = new Lab();
    labs.push(lab);
    const opened = lab.openRepository(d.root);
    expect(await within(opened, 5000)).toBe('settled');
    const m = (await opened).models.find((x) => x.name === 'w');
    expect(m?.state).toBe('UNAVAILABLE');
    expect(m?.reason).toMatch(/^Invalid argument: failed to prepare warmup sample 's': '.*data' is not a file but a FIFO; only regular files are read$/);
  });
});
