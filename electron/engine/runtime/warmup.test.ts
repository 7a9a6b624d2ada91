/**
 * model_warmup: samples run on every instance, `count` times each, with zero
 * or file data, before the version becomes READY; a failing sample leaves
 * the version UNAVAILABLE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Repository } from '../repository/repository';
import { makeTempDir, type TempDir } from '../repository/testing/temp-repo';
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
const executes = (name: string): string[] =>
  (repo.models.get(name)?.versions[0]?.logs ?? []).filter((l) => l.message.startsWith('execute ')).map((l) => l.message);

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
