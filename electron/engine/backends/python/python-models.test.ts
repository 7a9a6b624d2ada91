/**
 * Python models through the engine: every dtype bit-exact both ways, the
 * pb_utils API as model.py sees it (initialize args, config helpers, dtype
 * helpers, Tensor, responses and errors, Logger, print), auto_complete_config
 * and decoupled responses.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest';
import type { ModelRunner } from '../../runtime/model-runner';
import type { Repository } from '../../repository/repository';
import { closeRepositories, loadRepository, makeTempDir, stateOf, type TempDir } from '../../repository/testing/temp-repo';
import { ensembleConfig, rejection, tensor, text, values } from '../../runtime/testing/models';
import type { StreamedResponse } from '../../runtime/types';
import { LabError } from '../../errors';
import { RunService } from '../../runs/runs';
import type { ApiDType } from '../../tensor/dtype';
import { bytesFromStrings, stringsFromBytes, type Tensor, type TensorData } from '../../tensor/tensor';
import { pyModel, pythonConfig, pythonMissing, untilLogged } from './testing/repo';

/** Skipped, not failed, where no Python with numpy is installed (never on CI). */
const describe = describeAll.skipIf(pythonMissing);

let dir: TempDir;
let repo: Repository;

const TYPES: [ApiDType, string][] = [
  ['BOOL', 'BOOL'],
  ['UINT8', 'UINT8'],
  ['UINT16', 'UINT16'],
  ['UINT32', 'UINT32'],
  ['UINT64', 'UINT64'],
  ['INT8', 'INT8'],
  ['INT16', 'INT16'],
  ['INT32', 'INT32'],
  ['INT64', 'INT64'],
  ['FP16', 'FP16'],
  ['FP32', 'FP32'],
  ['FP64', 'FP64'],
  ['BYTES', 'STRING'],
];

const SAMPLE: Record<string, TensorData> = {
  BOOL: Uint8Array.from([1, 0, 1, 1, 0, 0]),
  UINT8: Uint8Array.from([0, 1, 127, 128, 254, 255]),
  UINT16: Uint16Array.from([0, 1, 65535, 256, 3, 40000]),
  UINT32: Uint32Array.from([0, 1, 0xffffffff, 7, 0x80000000, 9]),
  UINT64: BigUint64Array.from([0n, 1n, 0xffffffffffffffffn, 5n, 1n << 63n, 6n]),
  INT8: Int8Array.from([-128, -1, 0, 1, 127, 5]),
  INT16: Int16Array.from([-32768, -1, 0, 1, 32767, 5]),
  INT32: Int32Array.from([-2147483648, -1, 0, 1, 2147483647, 5]),
  INT64: BigInt64Array.from([-(1n << 63n), -1n, 0n, 1n, (1n << 63n) - 1n, 5n]),
  // Raw half patterns: a NaN with payload, -0, infinity, subnormal.
  FP16: Uint16Array.from([0x7e01, 0x8000, 0x7c00, 0x0001, 0x3c00, 0xc000]),
  FP32: new Float32Array(new Uint32Array([0x7fc00001, 0x80000000, 0x7f800000, 0x00000001, 0x3f800000, 0xc0490fdb]).buffer),
  FP64: Float64Array.from([Number.NaN, -0, Infinity, Number.MIN_VALUE, 1.5, -Math.PI]),
  BYTES: [Uint8Array.from([]), Uint8Array.from([0, 0xff, 0x80]), ...bytesFromStrings(['hello', 'wörld', 'a\u0000b', ''])],
};

function bytesOf(data: TensorData): number[] {
  if (Array.isArray(data)) return data.flatMap((b) => [b.byteLength, ...b]);
  return Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

const cmd = (c: string): { inputs: Tensor[] } => ({ inputs: [text('CMD', [1], [c])] });
const json = (t: Tensor | undefined): unknown => JSON.parse(stringsFromBytes(t!.data as Uint8Array[])[0]!);
const instanceOf = (name: string): unknown => (repo.resolve(name, -1) as ModelRunner).instances[0];
const logsOf = (name: string): string[] => repo.models.get(name)!.versions[0]!.logs.map((l) => `${l.level}: ${l.message}`);

beforeAll(async () => {
  if (pythonMissing) return;
  dir = await makeTempDir({
    'echo/config.pbtxt': pythonConfig('echo', {
      mbs: 4,
      inputs: TYPES.map(([d, c]) => ({ name: `IN_${d}`, type: c, dims: [2, 3] })),
      outputs: TYPES.map(([d, c]) => ({ name: `OUT_${d}`, type: c, dims: [2, 3] })),
      dynamic: true,
    }),
    'echo/1/model.py': pyModel('echo'),
    'big/config.pbtxt': pythonConfig('big', { inputs: [{ name: 'IN', dims: [-1, -1] }], outputs: [{ name: 'OUT', dims: [-1, -1] }] }),
    'big/1/model.py': pyModel('echo'),
    'api/config.pbtxt': pythonConfig('api', {
      inputs: [{ name: 'CMD', type: 'STRING', dims: [1] }],
      outputs: [
        { name: 'RESULT', type: 'STRING', dims: [-1] },
        { name: 'EXTRA', dims: [3] },
      ],
    }),
    'api/1/model.py': pyModel('api'),
    'auto/config.pbtxt': 'backend: "python"\n',
    'auto/1/model.py': pyModel('auto_complete'),
    // Imports as under Triton: relative to the version folder, and from the model folder.
    'rel/config.pbtxt': pythonConfig('rel', { inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] }),
    'rel/1/model.py': `from .twice import twice\nimport offset\nimport triton_python_backend_utils as pb_utils\n\n\nclass TritonPythonModel:\n    def execute(self, requests):\n        return [pb_utils.InferenceResponse([pb_utils.Tensor("OUT", twice(pb_utils.get_input_tensor_by_name(r, "IN").as_numpy()) + offset.OFFSET)]) for r in requests]\n`,
    'rel/1/twice.py': 'def twice(x):\n    return x * 2\n',
    'rel/offset.py': 'OFFSET = 1\n',
    'decoupled/config.pbtxt': pythonConfig('decoupled', {
      inputs: [{ name: 'IN', type: 'INT32', dims: [1] }],
      outputs: [{ name: 'OUT', type: 'INT32', dims: [1] }],
      params: { EXECUTE_TIMEOUT_MS: '400' },
      extra: 'model_transaction_policy { decoupled: true }',
    }),
    'decoupled/1/model.py': pyModel('decoupled'),
    // Triton marks an ensemble with a decoupled member decoupled too.
    'dens/config.pbtxt': ensembleConfig('dens', {
      inputs: [{ name: 'X', type: 'INT32', dims: [1] }],
      outputs: [{ name: 'Y', type: 'INT32', dims: [1] }],
      steps: [{ model: 'decoupled', inputs: { IN: 'X' }, outputs: { OUT: 'Y' } }],
    }),
    'dens/1': null,
  });
  repo = await loadRepository(dir.root);
});
afterAll(async () => {
  await closeRepositories();
  dir?.cleanup();
});

describe('tensors between the lab and Python', () => {
  it('every dtype goes in and comes back bit-exact, batched with its shape', async () => {
    expect(stateOf(repo, 'echo')).toEqual({ state: 'READY', reason: '' });
    const inputs = TYPES.map(([d]) => tensor(`IN_${d}`, d, [1, 2, 3], SAMPLE[d]!));
    const r = await repo.infer('echo', -1, { inputs });
    for (const [d] of TYPES) {
      const out = r.outputs.find((t) => t.name === `OUT_${d}`)!;
      expect([out.dtype, out.shape], d).toEqual([d, [1, 2, 3]]);
      expect(bytesOf(out.data), d).toEqual(bytesOf(SAMPLE[d]!));
    }
  });

  it('STRING arrives as an object array of bytes, BOOL as bool; print() goes to the model log', async () => {
    const logs = await untilLogged(
      () => logsOf('echo'),
      (l) => l.includes('info: got IN_FP16 float16 [1, 2, 3]'),
    );
    expect(logs).toContain('info: initialized echo echo_0');
    expect(logs).toContain('info: got IN_BYTES object [1, 2, 3]');
    expect(logs).toContain('info: got IN_BOOL bool [1, 2, 3]');
    expect(logs).toContain('info: got IN_FP16 float16 [1, 2, 3]');
  });

  it('a 4 MB tensor makes the round trip intact', async () => {
    const big = new Float32Array(1 << 20).map((_, i) => i * 0.5);
    const r = await repo.infer('big', -1, { inputs: [tensor('IN', 'FP32', [2, 1 << 19], big)] });
    const out = r.outputs[0]!;
    expect(out.shape).toEqual([2, 1 << 19]);
    expect(Buffer.from(new Uint8Array((out.data as Float32Array).buffer, (out.data as Float32Array).byteOffset, big.byteLength)).equals(Buffer.from(big.buffer))).toBe(true);
    // Both ways went through files (SPILL_BYTES), and each file was removed once read.
    const proc = (instanceOf('big') as unknown as { child: { spillDir: string; spills: number } }).child;
    expect(proc.spills).toBeGreaterThan(0);
    expect(readdirSync(proc.spillDir)).toEqual([]);
  });
});

describe('pb_utils inside model.py', () => {
  it("initialize() gets Triton's args, and BLS outside execute() is refused", async () => {
    const r = json((await repo.infer('api', -1, cmd('args'))).outputs[0]) as Record<string, unknown>;
    expect(r).toEqual({
      keys: ['model_config', 'model_instance_device_id', 'model_instance_kind', 'model_instance_name', 'model_name', 'model_repository', 'model_version'],
      args: { model_instance_device_id: '0', model_instance_kind: 'CPU', model_instance_name: 'api_0', model_name: 'api', model_repository: `${dir.root}/api`, model_version: '1' },
      config_name: 'api',
      init_bls: "BLS is only supported during the 'execute' function.",
    });
  });

  it('get_input_config_by_name / get_output_config_by_name read the JSON config', async () => {
    const r = json((await repo.infer('api', -1, cmd('config'))).outputs[0]) as Record<string, unknown>;
    expect(r['input']).toMatchObject({ name: 'CMD', data_type: 'TYPE_STRING', dims: [1] });
    expect(r['output']).toMatchObject({ name: 'RESULT', data_type: 'TYPE_STRING', dims: [-1] });
    expect(r['missing']).toBeNull();
    expect(r['decoupled']).toBe(false);
  });

  it('the dtype helpers map Triton and numpy types both ways', async () => {
    const r = json((await repo.infer('api', -1, cmd('dtypes'))).outputs[0]) as Record<string, Record<string, unknown>>;
    expect(r['string_to_numpy']).toMatchObject({ TYPE_BOOL: 'bool', TYPE_UINT8: 'uint8', TYPE_FP16: 'float16', TYPE_FP32: 'float32', TYPE_STRING: 'object', TYPE_UINT64: 'uint64' });
    expect(r['numpy_to_triton']).toEqual({ bool: 1, uint8: 2, int8: 6, int32: 8, int64: 9, float16: 10, float32: 11, float64: 12, object: 13 });
    expect(r['triton_to_numpy']).toMatchObject({ '1': 'bool', '2': 'uint8', '9': 'int64', '11': 'float32', '13': 'object' });
    expect(r['unknown']).toBeNull();
  });

  it("TritonError has Triton's codes, INTERNAL by default", async () => {
    const r = json((await repo.infer('api', -1, cmd('errors'))).outputs[0]);
    expect(r).toEqual({
      codes: { UNKNOWN: 0, INTERNAL: 1, NOT_FOUND: 2, INVALID_ARG: 3, UNAVAILABLE: 4, UNSUPPORTED: 5, ALREADY_EXISTS: 6, CANCELLED: 7 },
      default: 1,
      message: 'msg',
      exception: true,
    });
  });

  it('Logger levels and print() / stderr reach the model log', async () => {
    await repo.infer('api', -1, cmd('logger'));
    await untilLogged(
      () => logsOf('api'),
      (l) => l.includes('info: printed line') && l.includes('error: stderr line'),
    );
    expect(logsOf('api')).toEqual(
      expect.arrayContaining(['info: info line', 'warn: warn line', 'error: error line', 'verbose: verbose line', 'warn: warning via log()', 'info: printed line', 'error: stderr line']),
    );
  });

  it('Tensor: name, shape, triton_dtype, is_cpu, DLPack; lookups by name give None when missing', async () => {
    const r = json((await repo.infer('api', -1, { ...cmd('tensor'), id: 'req-7' })).outputs[0]);
    expect(r).toEqual({
      name: 'T',
      shape: [2, 3],
      dtype: 8,
      cpu: true,
      dlpack: [
        [0, 1, 2],
        [3, 4, 5],
      ],
      capsule: 'PyCapsule',
      by_name: 'T',
      none: null,
      missing_input: null,
      request_id: 'req-7',
      requested: ['RESULT', 'EXTRA'],
    });
  });

  it('serialize_byte_tensor / deserialize_bytes_tensor use the 4-byte length layout', async () => {
    const r = json((await repo.infer('api', -1, cmd('serialize'))).outputs[0]);
    expect(r).toEqual({ raw: [1, 0, 0, 0, 97, 5, 0, 0, 0, 195, 169, 116, 195, 169, 1, 0, 0, 0, 55], back: ['a', 'été', '7'] });
  });

  it('object arrays: bytes as they are, other objects as their UTF-8 str()', async () => {
    const out = (await repo.infer('api', -1, cmd('strings'))).outputs[0]!;
    expect(out.shape).toEqual([2, 2]);
    expect((out.data as Uint8Array[]).map((b) => Array.from(b))).toEqual([[114, 97, 119, 255], [...Buffer.from('über')], [...Buffer.from('3')], [...Buffer.from('2.5')]]);
  });

  it('outputs are pruned to those requested', async () => {
    const all = await repo.infer('api', -1, cmd('many-outputs'));
    expect(all.outputs.map((t) => t.name).sort()).toEqual(['EXTRA', 'RESULT']);
    const one = await repo.infer('api', -1, { ...cmd('many-outputs'), outputs: ['RESULT'] });
    expect(one.outputs.map((t) => t.name)).toEqual(['RESULT']);
  });

  it('InferenceResponse(error=...) fails that request with its code and message', async () => {
    const e = await rejection(repo.infer('api', -1, cmd('error-response')));
    expect([e.code, e.message]).toEqual(['NOT_FOUND', 'no such thing here']);
    const s = await rejection(repo.infer('api', -1, cmd('error-string')));
    expect([s.code, s.message]).toEqual(['INTERNAL', 'plain message']);
  });

  it('an exception fails the request with the Python traceback, and the instance carries on', async () => {
    const e = await rejection(repo.infer('api', -1, cmd('raise')));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toMatch(
      /^Failed to process the request\(s\) for model 'api_0', message: ValueError: bad input on purpose\n\nAt:\n {2}\/.*\/api\/1\/model\.py\(\d+\): explode\n {2}\/.*\/api\/1\/model\.py\(\d+\): execute\n$/,
    );
    expect(json((await repo.infer('api', -1, cmd('errors'))).outputs[0])).toMatchObject({ default: 1 });
  });

  it("what execute() returns is checked with Triton's wording", async () => {
    expect((await rejection(repo.infer('api', -1, cmd('short')))).message).toBe(
      "Failed to process the request(s) for model 'api_0', message: Number of InferenceResponse objects do not match the number of InferenceRequest objects. InferenceRequest(s) size is:1, and InferenceResponse(s) size is:0\n",
    );
    expect((await rejection(repo.infer('api', -1, cmd('not-a-list')))).message).toBe(
      "Failed to process the request(s) for model 'api_0', message: Expected a list in the execute return, found type '<class 'str'>'.",
    );
    expect((await rejection(repo.infer('api', -1, cmd('wrong-type')))).message).toBe(
      "Failed to process the request(s) for model 'api_0', message: Expected an 'InferenceResponse' object in the execute function return list, found type '<class 'int'>'.",
    );
  });
});

describe('model.py imports', () => {
  it('from its own folder (relative) and from the model folder, as under Triton', async () => {
    expect(stateOf(repo, 'rel')).toEqual({ state: 'READY', reason: '' });
    expect(values((await repo.infer('rel', -1, { inputs: [tensor('IN', 'FP32', [2], Float32Array.from([1, 5]))] })).outputs[0])).toEqual([3, 11]);
  });
});

describe('auto_complete_config', () => {
  it('fills IO, max_batch_size and dynamic batching into a config that had none, and the model runs', async () => {
    expect(stateOf(repo, 'auto')).toEqual({ state: 'READY', reason: '' });
    const c = repo.models.get('auto')!.versions[0]!.config!;
    expect(c.input.map((i) => [i.name, i.dims.map(Number)])).toEqual([['X', [4]]]);
    expect(c.output.map((o) => [o.name, o.dims.map(Number)])).toEqual([['Y', [4]]]);
    expect(c.maxBatchSize).toBe(8);
    expect(c.schedulingChoice.case).toBe('dynamicBatching');
    const r = await repo.infer('auto', -1, { inputs: [tensor('X', 'FP32', [1, 4], Float32Array.from([1, 2, 3, 4]))] });
    expect(values(r.outputs[0])).toEqual([2, 4, 6, 8]);
  });
});

describe('decoupled models', () => {
  const call = (n: number) => repo.infer('decoupled', -1, { inputs: [tensor('IN', 'INT32', [1], Int32Array.from([n]))] });

  it('one response from the response sender, sent from a thread after execute() returned None', async () => {
    expect(values((await call(1)).outputs[0])).toEqual([0]);
    // A second final flag is refused with Triton's message.
    for (let i = 0; i < 100 && !logsOf('decoupled').some((l) => l.includes('second final')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(logsOf('decoupled')).toContain('info: second final: Unable to send response. Response sender has been closed.');
  });

  it('an error response through the sender fails the request with its code', async () => {
    const e = await rejection(call(-1));
    expect([e.code, e.message]).toEqual(['INVALID_ARG', 'negative']);
  });

  it('only the final flag: the request succeeds with no outputs', async () => {
    expect((await call(0)).outputs).toEqual([]);
  });

  it("several responses to one request on a path that takes one fail with Triton's frontend wording", async () => {
    const e = await rejection(call(3));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toBe('expected a single response, got 3');
    expect(values((await call(1)).outputs[0])).toEqual([0]);
  });

  it('without a stream, an ensemble over it works while the member answers once', async () => {
    expect(values((await repo.infer('dens', -1, { inputs: [tensor('X', 'INT32', [1], Int32Array.from([1]))] })).outputs[0])).toEqual([0]);
  });

  it('a request whose sender goes away without the final flag ends at once with an error; the instance goes on, not restarted', async () => {
    const instance = instanceOf('decoupled') as { restarts: number };
    const restarts = instance.restarts;
    const events: string[] = [];
    const record = (r: StreamedResponse, final: boolean): number =>
      events.push(r instanceof LabError ? `${r.code}: ${r.message}${final ? ' (final)' : ''}` : `${r ? values(r.outputs[0]).join() : 'flag'}${final ? ' (final)' : ''}`);
    await repo.infer('decoupled', -1, { inputs: [tensor('IN', 'INT32', [1], Int32Array.from([99]))], onResponse: record });
    expect(events).toEqual([
      '99',
      'INTERNAL: the response sender of a request was released without sending the final flag (TRITONSERVER_RESPONSE_COMPLETE_FINAL); nothing can answer the request any more (final)',
    ]);
    expect(instance.restarts).toBe(restarts);
    expect(values((await call(1)).outputs[0])).toEqual([0]);
  });
});

describe('decoupled models, streamed (InferRequest.onResponse)', () => {
  interface Seen {
    out?: number[];
    error?: string;
    code?: string;
    final: boolean;
    at: number;
  }
  const seen = (r: StreamedResponse, final: boolean): Seen => {
    const at = Date.now();
    if (r === null) return { final, at };
    if (r instanceof LabError) return { error: r.message, code: r.code, final, at };
    return { out: values(r.outputs[0]), final, at };
  };
  const stream = async (model: string, input: Tensor): Promise<{ events: Seen[]; outputs: Tensor[]; resolvedAt: number }> => {
    const events: Seen[] = [];
    const r = await repo.infer(model, -1, { inputs: [input], onResponse: (x, final) => events.push(seen(x, final)) });
    return { events, outputs: r.outputs, resolvedAt: Date.now() };
  };
  const strip = (events: Seen[]): Omit<Seen, 'at'>[] => events.map(({ at: _at, ...rest }) => rest);
  const n = (v: number): Tensor => tensor('IN', 'INT32', [1], Int32Array.from([v]));

  it('several responses, in order, then the final flag alone; the request resolves with the last one', async () => {
    const { events, outputs } = await stream('decoupled', n(3));
    expect(strip(events)).toEqual([{ out: [0], final: false }, { out: [10], final: false }, { out: [20], final: false }, { final: true }]);
    expect(values(outputs[0])).toEqual([20]);
  });

  it('one response', async () => {
    expect(strip((await stream('decoupled', n(1))).events)).toEqual([{ out: [0], final: false }, { final: true }]);
  });

  it('only the final flag: one event, no outputs', async () => {
    const { events, outputs } = await stream('decoupled', n(0));
    expect(strip(events)).toEqual([{ final: true }]);
    expect(outputs).toEqual([]);
  });

  it('an error response mid-stream is passed on and the stream goes on to its final response', async () => {
    const { events, outputs } = await stream('decoupled', n(-2));
    expect(strip(events)).toEqual([
      { out: [1], final: false },
      { error: 'halfway', code: 'UNAVAILABLE', final: false },
      { out: [2], final: false },
      { out: [3], final: true },
    ]);
    expect(values(outputs[0])).toEqual([3]);
  });

  it('each response arrives when it is sent, not collected at the end', async () => {
    const { events, resolvedAt } = await stream('decoupled', n(203));
    expect(events.map((e) => e.out?.[0])).toEqual([0, 10, 20, undefined]);
    // The model sleeps 100 ms between sends.
    expect(events[1]!.at - events[0]!.at).toBeGreaterThanOrEqual(80);
    expect(events[2]!.at - events[1]!.at).toBeGreaterThanOrEqual(80);
    expect(resolvedAt).toBeGreaterThanOrEqual(events[3]!.at);
  });

  it('concurrent streams keep their own responses', async () => {
    const [a, b] = await Promise.all([stream('decoupled', n(2)), stream('decoupled', n(3))]);
    expect(a.events.map((e) => e.out?.[0])).toEqual([0, 10, undefined]);
    expect(b.events.map((e) => e.out?.[0])).toEqual([0, 10, 20, undefined]);
  });

  it('a model that is not decoupled answers once, with the final flag', async () => {
    const { events } = await stream('rel', tensor('IN', 'FP32', [2], Float32Array.from([1, 2])));
    expect(strip(events)).toEqual([{ out: [3, 5], final: true }]);
  });

  it('an ensemble with a decoupled member refuses to stream, saying why', async () => {
    const e = await rejection(repo.infer('dens', -1, { inputs: [tensor('X', 'INT32', [1], Int32Array.from([1]))], onResponse: () => undefined }));
    expect([e.code, e.message]).toEqual(['UNSUPPORTED', "ensemble 'dens' has decoupled members; the lab cannot stream responses through an ensemble yet (call the decoupled model directly)"]);
  });
});

describe('playground runs of a decoupled model (RunService.run)', () => {
  const runs = new RunService(() => repo);
  const run = (v: number) => runs.run({ repoId: 'r', model: 'decoupled', inputs: [{ name: 'IN', kind: 'values', dtype: 'INT32', shape: [1], values: [v] }] });
  const outOf = (runId: string): number[] => values(runs.tensor({ runId, side: 'output', name: 'OUT' }));

  it('several responses: the run shows the last one with outputs, and the model log says there were more', async () => {
    const r = await run(3);
    expect(r.state).toBe('ok');
    expect(outOf(r.runId)).toEqual([20]);
    const note = "This decoupled model sent 3 responses; the outputs shown are the last one's that had outputs. Triton's gRPC ModelStreamInfer returns every response.";
    expect(r.note).toBe(note);
    expect(logsOf('decoupled')).toContain(`info: run ${r.runId}: ${note}`);
  });

  it('an error among the responses is counted; one response is shown as is, with no note', async () => {
    const mixed = await run(-2);
    expect([mixed.state, outOf(mixed.runId)]).toEqual(['ok', [3]]);
    expect(mixed.note).toMatch(/^This decoupled model sent 4 responses \(1 of them errors\)/);
    expect(logsOf('decoupled').some((l) => l.includes(`run ${mixed.runId}: This decoupled model sent 4 responses (1 of them errors)`))).toBe(true);
    const one = await run(1);
    expect([one.state, outOf(one.runId), one.note]).toEqual(['ok', [0], undefined]);
    expect(logsOf('decoupled').some((l) => l.includes(`run ${one.runId}:`))).toBe(false);
  });

  it('only an error response fails the run with its message; only the final flag is a run with no outputs', async () => {
    expect(await run(-1)).toMatchObject({ state: 'error', error: 'negative' });
    expect(await run(0)).toMatchObject({ state: 'ok', outputs: [] });
  });
});
