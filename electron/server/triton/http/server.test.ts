/**
 * The HTTP frontend through a real socket, with our typed client: routes,
 * JSON and binary inference for every dtype, classification, raw requests,
 * statistics, Triton's error statuses and wording for bad input, overload
 * and graceful shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync, gunzipSync } from 'node:zlib';
import { f32, tensor, text } from '../../../engine/runtime/testing/models';
import type { ApiDType } from '../../../engine/tensor/dtype';
import { type Tensor, allocate, stringsFromBytes } from '../../../engine/tensor/tensor';
import { DTYPES, type ServeFixture, startServeFixture } from '../testing/serve-fixture';
import { HttpError, TritonHttpClient } from './client';

let f: ServeFixture;
let c: TritonHttpClient;

beforeAll(async () => {
  f = await startServeFixture({ core: { maxInflight: 3 } });
  c = new TritonHttpClient(f.url);
}, 30_000);

afterAll(async () => {
  c.close();
  await f.close();
});

const post = (path: string, body: string | Buffer, headers: Record<string, string | number> = {}) => c.request('POST', path, body, headers);
const errorOf = (r: { body: Buffer }) => (JSON.parse(r.body.toString()) as { error: string }).error;

/** Three sample values of each dtype. */
function sample(dtype: ApiDType): Tensor {
  const data = allocate(dtype, 3);
  if (dtype === 'BYTES') return text('INPUT0', [3], ['a', '', 'héllo']);
  const d = data as unknown as (number | bigint)[];
  const vals = dtype === 'BOOL' ? [1, 0, 1] : dtype.startsWith('FP') || dtype === 'BF16' ? [0x3c00, 0xc000, 0x4248] : [1, 2, 120];
  vals.forEach((v, i) => (d[i] = data instanceof BigInt64Array || data instanceof BigUint64Array ? BigInt(v) : v));
  if (dtype === 'FP32' || dtype === 'FP64') [0.5, -2, 3.25].forEach((v, i) => (d[i] = v));
  return tensor('INPUT0', dtype, [3], data);
}

function plain(t: Tensor): unknown[] {
  return Array.isArray(t.data) ? stringsFromBytes(t.data) : Array.from(t.data as ArrayLike<number | bigint>, (v) => String(v));
}

describe('server routes', () => {
  it('health, server metadata with the extensions list, model metadata and readiness', async () => {
    expect(await c.live()).toBe(true);
    expect(await c.ready()).toBe(true);
    const meta = await c.serverMetadata();
    expect(meta.name).toBe('triton');
    expect(meta.extensions).toEqual(expect.arrayContaining(['binary_tensor_data', 'classification', 'model_repository', 'statistics']));
    expect(await c.modelMetadata('batching')).toEqual({
      name: 'batching',
      versions: ['1'],
      platform: 'identity',
      inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [-1, -1] }],
      outputs: [{ name: 'OUTPUT0', datatype: 'FP32', shape: [-1, -1] }],
    });
    expect((await c.modelMetadata('pipeline', '1')).platform).toBe('ensemble');
    expect(await c.modelReady('batching')).toBe(true);
    expect(await c.modelReady('batching', '7')).toBe(false);
    const notReady = await c.request('GET', '/v2/models/batching/versions/7/ready');
    expect([notReady.status, errorOf(notReady)]).toEqual([400, 'Model version not ready']);
  });

  it('model config in Triton JSON, unknown models and versions with Triton wording', async () => {
    const cfg = await c.modelConfig('classifier');
    expect(cfg).toMatchObject({ name: 'classifier', backend: 'identity', max_batch_size: 4, output: [{ name: 'OUTPUT0', label_filename: 'labels.txt', dims: [5] }] });
    const unknown = await c.request('GET', '/v2/models/nope/config');
    expect([unknown.status, errorOf(unknown)]).toEqual([404, "Request for unknown model: 'nope' is not found"]);
    const noVersion = await c.request('GET', '/v2/models/batching/versions/3');
    expect([noVersion.status, errorOf(noVersion)]).toEqual([404, "Request for unknown model: 'batching' version 3 is not found"]);
  });

  it('answers 404 Not Found and 405 Method Not Allowed like Triton', async () => {
    const nf = await c.request('GET', '/v2/nothing/here');
    expect([nf.status, errorOf(nf)]).toEqual([404, 'Not Found']);
    const m = await c.request('GET', '/v2/models/batching/infer');
    expect([m.status, errorOf(m)]).toEqual([405, 'Method Not Allowed']);
    const p = await post('/v2/health/live', '');
    expect(p.status).toBe(405);
  });

  it('repository index lists every model version; load/unload need explicit mode', async () => {
    const index = await c.repositoryIndex();
    expect(index).toContainEqual({ name: 'batching', version: '1', state: 'READY' });
    expect(index.length).toBeGreaterThan(10);
    const bad = await post('/v2/repository/index', JSON.stringify({ ready: 'yes' }));
    expect([bad.status, errorOf(bad)]).toEqual([400, "Invalid value for 'ready': expected a boolean"]);
    const load = await post('/v2/repository/models/batching/load', '');
    expect([load.status, errorOf(load)]).toEqual([503, 'explicit model load / unload is not allowed if polling is enabled']);
  });

  it('trace and log settings read and update with Triton value forms', async () => {
    const t = JSON.parse((await c.request('GET', '/v2/trace/setting')).body.toString()) as Record<string, unknown>;
    expect(t).toMatchObject({ trace_level: ['OFF'], trace_rate: '1000', trace_count: '-1', trace_mode: 'triton' });
    const set = await post('/v2/models/batching/trace/setting', JSON.stringify({ trace_level: ['TIMESTAMPS'], trace_rate: '1' }));
    expect(JSON.parse(set.body.toString())).toMatchObject({ trace_level: ['TIMESTAMPS'], trace_rate: '1' });
    const bad = await post('/v2/trace/setting', JSON.stringify({ trace_rate: 'often' }));
    expect([bad.status, errorOf(bad)]).toEqual([400, "Unable to parse 'trace_rate', got: often"]);
    const file = await post('/v2/trace/setting', JSON.stringify({ trace_file: '/tmp/x' }));
    expect([file.status, errorOf(file)]).toEqual([501, 'trace file location can not be updated through network protocol']);
    await post('/v2/models/batching/trace/setting', JSON.stringify({ trace_level: null, trace_rate: null }));
    const log = await post('/v2/logging', JSON.stringify({ log_verbose_level: 1 }));
    expect(JSON.parse(log.body.toString())).toMatchObject({ log_info: true, log_verbose_level: 1, log_format: 'default' });
    await post('/v2/logging', JSON.stringify({ log_verbose_level: 0 }));
  });

  it('shared memory: no regions, registration refused, a region in a request is not found', async () => {
    expect(JSON.parse((await c.request('GET', '/v2/systemsharedmemory/status')).body.toString())).toEqual([]);
    const reg = await post('/v2/systemsharedmemory/region/r0/register', JSON.stringify({ key: '/r0', offset: 0, byte_size: 64 }));
    expect(reg.status).toBe(501);
    const infer = await post(
      '/v2/models/id_fp32/infer',
      JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1], datatype: 'FP32', parameters: { shared_memory_region: 'r0', shared_memory_byte_size: 4 } }] }),
    );
    expect([infer.status, errorOf(infer)]).toEqual([404, "Unable to find shared memory region: 'r0'"]);
  });
});

describe('inference', () => {
  it.each(DTYPES)('%s round-trips unchanged as binary data', async (dtype) => {
    const input = sample(dtype);
    const r = await c.infer(`id_${dtype.toLowerCase()}`, [input]);
    expect(r.outputs[0]).toMatchObject({ name: 'OUTPUT0', dtype, shape: [3] });
    expect(plain(r.outputs[0]!)).toEqual(plain(input));
  });

  it.each(DTYPES.filter((d) => d !== 'FP16' && d !== 'BF16'))('%s round-trips unchanged as JSON', async (dtype) => {
    const input = sample(dtype);
    const r = await c.infer(`id_${dtype.toLowerCase()}`, [input], { binaryInputs: false, binaryOutput: false });
    expect(plain(r.outputs[0]!)).toEqual(plain(input));
  });

  it('FP16 cannot travel as JSON, either way', async () => {
    const sent = await post('/v2/models/id_fp16/infer', JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1], datatype: 'FP16', data: [1] }] }));
    expect([sent.status, errorOf(sent)]).toEqual([400, 'receiving FP16 data via JSON is not supported. Please use the binary data format for input INPUT0']);
    const { body, headers } = TritonHttpClient.encodeInfer([sample('FP16')], { outputs: [{ name: 'OUTPUT0', binary: false }] });
    const back = await post('/v2/models/id_fp16/infer', body, headers);
    expect([back.status, errorOf(back)]).toEqual([400, 'sending FP16 data via JSON is not supported. Please use the binary data format for output']);
  });

  it('reads nested JSON data row-major and echoes the request id', async () => {
    const r = await post(
      '/v2/models/batching/infer',
      JSON.stringify({
        id: 'q1',
        inputs: [
          {
            name: 'INPUT0',
            shape: [2, 2],
            datatype: 'FP32',
            data: [
              [1, 2],
              [3, 4],
            ],
          },
        ],
      }),
    );
    expect(JSON.parse(r.body.toString())).toEqual({ id: 'q1', model_name: 'batching', model_version: '1', outputs: [{ name: 'OUTPUT0', datatype: 'FP32', shape: [2, 2], data: [1, 2, 3, 4] }] });
  });

  it('mixes JSON and binary outputs as each output asks', async () => {
    const r = await c.infer('two_in', [tensor('INPUT0', 'INT32', [2], Int32Array.from([1, 2])), tensor('INPUT1', 'INT32', [1], Int32Array.from([9]))], {
      outputs: [{ name: 'OUTPUT1', binary: false }, { name: 'OUTPUT0' }],
    });
    expect(r.outputs.map((o) => [o.name, plain(o)])).toEqual([
      ['OUTPUT1', ['9']],
      ['OUTPUT0', ['1', '2']],
    ]);
  });

  it('classification: top-k "value:index:label" strings per batch item, shape [batch, k]', async () => {
    const r = await c.infer('classifier', [f32('INPUT0', [2, 5], [0.1, 0.9, 0.3, 0.2, 0.4, 5, 1, 2, 3, 4])], { outputs: [{ name: 'OUTPUT0', classification: 2 }] });
    expect(r.outputs[0]).toMatchObject({ dtype: 'BYTES', shape: [2, 2] });
    expect(plain(r.outputs[0]!)).toEqual(['0.900000:1:dog', '0.400000:4:frog', '5.000000:0:cat', '4.000000:4:frog']);
  });

  it('a raw binary request (header length 0) feeds the single input, shape deduced from the config', async () => {
    const body = Buffer.from('raw jpeg bytes');
    const r = TritonHttpClient.decodeInfer(await post('/v2/models/raw_bytes/infer', body, { 'Inference-Header-Content-Length': 0 }));
    expect(r.outputs[0]).toMatchObject({ dtype: 'BYTES', shape: [1] });
    expect(plain(r.outputs[0]!)).toEqual(['raw jpeg bytes']);
    const two = await post('/v2/models/two_in/infer', body, { 'Inference-Header-Content-Length': 0 });
    expect([two.status, errorOf(two)]).toEqual([400, "[request id: <id_unknown>] Raw request must only have 1 input (found 1) to be deduced but got 2 inputs in 'two_in' model configuration"]);
  });

  it('runs ensembles and counts statistics for the ensemble and its composing model', async () => {
    const before = (await c.statistics('batching')).model_stats[0] as { inference_count: number };
    const r = await c.infer('pipeline', [f32('IN', [1, 3], [1, 2, 3])]);
    expect(plain(r.outputs[0]!)).toEqual(['1', '2', '3']);
    const ens = (await c.statistics('pipeline')).model_stats[0] as { inference_count: number; inference_stats: { success: { count: number } } };
    expect(ens.inference_stats.success.count).toBeGreaterThanOrEqual(1);
    const after = (await c.statistics('batching')).model_stats[0] as { inference_count: number };
    expect(after.inference_count - before.inference_count).toBe(2);
    const all = await c.statistics();
    expect(all.model_stats.map((s) => s['name'])).toContain('pipeline');
    const none = await c.request('GET', '/v2/models/nope/stats');
    expect([none.status, errorOf(none)]).toEqual([400, "requested model 'nope' is not available"]);
  });

  it('gzip request and response bodies', async () => {
    const json = JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 2], datatype: 'FP32', data: [7, 8] }] });
    const r = await post('/v2/models/batching/infer', gzipSync(json), { 'Content-Encoding': 'gzip', 'Accept-Encoding': 'gzip' });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(r.body).toString()).outputs[0].data).toEqual([7, 8]);
    const odd = await post('/v2/models/batching/infer', json, { 'Content-Encoding': 'br' });
    expect([odd.status, errorOf(odd)]).toEqual([501, 'Unsupported compression type']);
  });

  it('compresses inference replies only, as Triton (tritonclient.http.aio reads the others raw)', async () => {
    for (const path of ['/v2/models/batching/stats', '/v2/models/batching/config', '/v2/models/batching', '/v2']) {
      const r = await c.request('GET', path, undefined, { 'Accept-Encoding': 'gzip, deflate' });
      expect([path, r.status, r.headers['content-encoding']]).toEqual([path, 200, undefined]);
      expect(() => JSON.parse(r.body.toString())).not.toThrow();
    }
    const index = await c.request('POST', '/v2/repository/index', '{}', { 'Accept-Encoding': 'gzip' });
    expect([index.status, index.headers['content-encoding']]).toEqual([200, undefined]);
  });
});

describe('bad input gets Triton status and wording, and the server keeps serving', () => {
  const cases: [string, () => Promise<{ status: number; body: Buffer }>, number, string][] = [
    ['malformed JSON', () => post('/v2/models/batching/infer', '{"inputs": [', { 'Content-Type': 'application/json' }), 500, 'failed to parse the request JSON buffer: '],
    ['no inputs member', () => post('/v2/models/batching/infer', '{}'), 500, "Unable to parse 'inputs': attempt to access non-existing object member 'inputs'"],
    [
      'neither data nor binary',
      () => post('/v2/models/batching/infer', JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32' }] })),
      400,
      "Input must set only one of the following fields: 'data', 'binary_data_size' in 'parameters', 'shared_memory_region' in 'parameters'. But no field is set",
    ],
    [
      'negative dim',
      () => post('/v2/models/batching/infer', JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, -1], datatype: 'FP32', data: [1] }] })),
      500,
      "Unable to parse 'shape': attempt to access JSON non-unsigned-integer as unsigned-integer",
    ],
    [
      'too many values',
      () => post('/v2/models/batching/infer', JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [1, 2] }] })),
      500,
      "Unable to parse 'data': Shape does not match true shape of 'data' field",
    ],
    [
      'too few values',
      () => post('/v2/models/batching/infer', JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 3], datatype: 'FP32', data: [1, 2] }] })),
      500,
      "Failed to parse 'data' field: shape does not match true shape",
    ],
    [
      'a string where numbers go',
      () => post('/v2/models/batching/infer', JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: ['x'] }] })),
      500,
      "Unable to parse 'data': attempt to access JSON non-number as double",
    ],
    [
      'wrong dtype',
      () => post('/v2/models/batching/infer', JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'INT32', data: [1] }] })),
      400,
      "[request id: <id_unknown>] inference input 'INPUT0' data-type is 'INT32', but model 'batching' expects 'FP32'",
    ],
    [
      'wrong shape',
      () => post('/v2/models/classifier/infer', JSON.stringify({ id: 'r1', inputs: [{ name: 'INPUT0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] })),
      400,
      "[request id: r1] unexpected shape for input 'INPUT0' for model 'classifier'. Expected [-1,5], got [1,4]. ",
    ],
    [
      'batch too large',
      () => post('/v2/models/classifier/infer', JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [5, 5], datatype: 'FP32', data: new Array(25).fill(0) }] })),
      400,
      "[request id: <id_unknown>] inference request batch-size must be <= 4 for 'classifier'",
    ],
    [
      'unknown input',
      () => post('/v2/models/batching/infer', JSON.stringify({ inputs: [{ name: 'X', shape: [1, 1], datatype: 'FP32', data: [1] }] })),
      400,
      "unexpected inference input 'X' for model 'batching'",
    ],
    [
      'unknown output',
      () => post('/v2/models/batching/infer', JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [1] }], outputs: [{ name: 'NOPE' }] })),
      400,
      "unexpected inference output 'NOPE' for model 'batching'",
    ],
    [
      'reserved parameter',
      () => post('/v2/models/batching/infer', JSON.stringify({ parameters: { triton_x: 1 }, inputs: [] })),
      400,
      "parameter keys starting with 'triton_' are reserved for Triton usage and should not be specified.",
    ],
    ['header length not a number', () => post('/v2/models/batching/infer', '{}', { 'Inference-Header-Content-Length': 'abc' }), 400, 'Unable to parse Inference-Header-Content-Length, got: abc'],
    ['header length larger than the body', () => post('/v2/models/batching/infer', '{}', { 'Inference-Header-Content-Length': 99 }), 400, 'inference header size should be in range (0, 2), got: 99'],
    ['unknown model', () => post('/v2/models/ghost/infer', JSON.stringify({ inputs: [] })), 404, "Request for unknown model: 'ghost' is not found"],
    ['bad version', () => post('/v2/models/batching/versions/2/infer', JSON.stringify({ inputs: [] })), 404, "Request for unknown model: 'batching' version 2 is not found"],
  ];
  it.each(cases)('%s', async (_label, send, status, message) => {
    const r = await send();
    expect(r.status).toBe(status);
    expect(errorOf(r).startsWith(message)).toBe(true);
  });

  it('truncated and oversized binary bodies', async () => {
    const { body, headers } = TritonHttpClient.encodeInfer([f32('INPUT0', [1, 4], [1, 2, 3, 4])]);
    const short = await post('/v2/models/batching/infer', body.subarray(0, body.byteLength - 6), headers);
    expect([short.status, errorOf(short)]).toEqual([400, "unexpected size for input 'INPUT0', expecting 6 additional bytes for model 'batching'"]);
    const extra = await post('/v2/models/batching/infer', Buffer.concat([body, Buffer.alloc(3)]), headers);
    expect([extra.status, errorOf(extra)]).toEqual([400, "unexpected additional input data for model 'batching'"]);
    const json = JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 2], datatype: 'FP32', parameters: { binary_data_size: 7 } }] });
    const odd = await post('/v2/models/batching/infer', Buffer.concat([Buffer.from(json), Buffer.alloc(7)]), { 'Inference-Header-Content-Length': Buffer.byteLength(json) });
    expect([odd.status, errorOf(odd)]).toEqual([400, "[request id: <id_unknown>] input byte size mismatch for input 'INPUT0' for model 'batching'. Expected 8, got 7"]);
    expect((await c.infer('batching', [f32('INPUT0', [1, 1], [3])])).outputs[0]!.shape).toEqual([1, 1]);
  });

  it('limits the JSON size (--http-max-input-size) and the body size', async () => {
    const small = await startServeFixture({ http: { maxInputBytes: 64, maxBodyBytes: 1024 } });
    try {
      const cl = new TritonHttpClient(small.url);
      const big = JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 30], datatype: 'FP32', data: new Array(30).fill(1) }] });
      const r = await cl.request('POST', '/v2/models/batching/infer', big);
      expect([r.status, errorOf(r)]).toEqual([400, `request JSON size of ${big.length} bytes exceeds the maximum allowed input size of 64 bytes. Use --http-max-input-size to increase the limit.`]);
      const huge = await cl.request('POST', '/v2/models/batching/infer', Buffer.alloc(4096), { 'Inference-Header-Content-Length': 10 });
      expect(huge.status).toBe(400);
      expect(errorOf(huge)).toContain('exceeds the maximum allowed size of 1024 bytes for a request with binary data');
      cl.close();
    } finally {
      await small.close();
    }
  });
});

describe('overload and shutdown', () => {
  it('refuses inferences past the in-flight limit with 503, then serves again', async () => {
    const slow = (ms: number) => c.infer('slow', [f32('IN', [1], [ms])]);
    const running = [slow(400), slow(400), slow(400)];
    await new Promise((r) => setTimeout(r, 100));
    const refused = await c.request('POST', '/v2/models/slow/infer', JSON.stringify({ inputs: [{ name: 'IN', shape: [1], datatype: 'FP32', data: [1] }] }));
    expect(refused.status).toBe(503);
    expect(errorOf(refused)).toMatch(/^Server is busy: 3 inference requests are in flight/);
    await Promise.all(running);
    expect((await slow(1)).outputs[0]!.shape).toEqual([1]);
  });

  it('graceful shutdown: in-flight requests finish, new ones get "Server exiting"', async () => {
    const g = await startServeFixture();
    const cl = new TritonHttpClient(g.url);
    try {
      await cl.infer('slow', [f32('IN', [1], [1])]);
      const inflight = cl.infer('slow', [f32('IN', [1], [300])]);
      await new Promise((r) => setTimeout(r, 80));
      const stopping = g.core.shutdown();
      const late = await cl.request('GET', '/v2/health/ready');
      expect([late.status, errorOf(late)]).toEqual([503, 'Server exiting']);
      const lateInfer = await cl.request('POST', '/v2/models/batching/infer', JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [1] }] }));
      expect([lateInfer.status, errorOf(lateInfer)]).toEqual([503, 'Server exiting']);
      expect((await inflight).outputs[0]!.shape).toEqual([1]);
      expect(await stopping).toEqual({ drained: true });
    } finally {
      cl.close();
      await g.close();
    }
  }, 20_000);

  it('reports HttpError for client use', () => {
    expect(new HttpError(404, 'x').status).toBe(404);
  });
});

describe('the core refuses overload for every frontend', () => {
  it('past maxInflight, core.infer answers UNAVAILABLE at once and serves again afterwards', async () => {
    const g = await startServeFixture({ http: false, core: { maxInflight: 2 } });
    try {
      const slow = (ms: number) => g.core.infer('slow', '', { inputs: [f32('IN', [1], [ms])] });
      const running = [slow(300), slow(300)];
      await expect(slow(1)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'Server is busy: 2 inference requests are in flight (the limit is 2); retry later' });
      await Promise.all(running);
      expect((await slow(1)).outputs[0]!.shape).toEqual([1]);
    } finally {
      await g.close();
    }
  }, 20_000);
});
