/**
 * The gRPC frontend end to end: a TritonCore over a temporary repository of
 * identity models, the real grpc-js server on an ephemeral port, and the
 * typed client. Health, metadata, config, inference (raw and typed contents,
 * every dtype), classification, statistics, the repository extension, trace
 * and log settings, streaming, Triton's request errors, shared memory,
 * cancellation, message limits and closing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Client, Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { DataType } from '../../../engine/config/gen/model_config_pb';
import { Repository } from '../../../engine/repository/repository';
import { makeTempDir, type TempDir } from '../../../engine/repository/testing/temp-repo';
import { modelConfig, sleep } from '../../../engine/runtime/testing/models';
import type { ApiDType } from '../../../engine/tensor/dtype';
import { bytesFromStrings, stringsFromBytes, type Tensor, type TensorData } from '../../../engine/tensor/tensor';
import { TritonCore } from '../core';
import { type GrpcInferenceClient, createGrpcClient, inferRequest, responseTensors } from './client';
import { ModelInferRequestSchema, ModelStreamInferResponseSchema } from './gen/grpc_service_pb';
import { type HealthCheckResponse, HealthCheckRequestSchema, HealthCheckResponse_ServingStatus } from './gen/health_pb';
import { type RunningGrpcServer, startGrpcServer } from './server';
import { Health, methodDefinition } from './service';
import { grpcError } from './testing/fixtures';

const DTYPES: ApiDType[] = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BF16', 'BYTES'];
const configType = (d: ApiDType): string => (d === 'BYTES' ? 'STRING' : d);

function identity(name: string, type: string, mbs: number, dims: number[], extra: { output?: string; model?: string } = {}): Record<string, string | null> {
  return {
    [`${name}/config.pbtxt`]: modelConfig(name, {
      backend: 'identity',
      mbs,
      inputs: [{ name: 'INPUT0', type, dims }],
      outputs: [{ name: 'OUTPUT0', type, dims, ...(extra.output ? { extra: extra.output } : {}) }],
      ...(extra.model ? { extra: extra.model } : {}),
    }),
    [`${name}/1`]: null,
  };
}

function repoFiles(): Record<string, string | null> {
  let files: Record<string, string | null> = {};
  for (const d of DTYPES) files = { ...files, ...identity(`id_${d.toLowerCase()}`, configType(d), 0, [-1]) };
  return {
    ...files,
    ...identity('batching', 'FP32', 8, [-1]),
    ...identity('counted', 'FP32', 8, [-1]),
    ...identity('classifier', 'FP32', 0, [5], { output: 'label_filename: "labels.txt"' }),
    'classifier/labels.txt': 'cat\ndog\nbird\nfish\nfrog\n',
    // A request waits here for its batch until cancelled (10 s queue delay, batch of 8 preferred).
    ...identity('queued', 'FP32', 8, [-1], { model: 'dynamic_batching { preferred_batch_size: [ 8 ] max_queue_delay_microseconds: 10000000 }' }),
    ...identity('delayed', 'FP32', 8, [-1], { model: 'dynamic_batching { preferred_batch_size: [ 8 ] max_queue_delay_microseconds: 200000 }' }),
    'two_in/config.pbtxt': modelConfig('two_in', {
      backend: 'identity',
      inputs: [
        { name: 'INPUT0', type: 'INT32', dims: [-1] },
        { name: 'INPUT1', type: 'INT32', dims: [-1] },
      ],
      outputs: [
        { name: 'OUTPUT0', type: 'INT32', dims: [-1] },
        { name: 'OUTPUT1', type: 'INT32', dims: [-1] },
      ],
    }),
    'two_in/1': null,
  };
}

/** Sample data of n elements for a dtype. */
function sample(dtype: ApiDType, n: number): TensorData {
  const ints = Array.from({ length: n }, (_, i) => i * 3 - 2);
  switch (dtype) {
    case 'BOOL':
      return Uint8Array.from(ints, (v) => (v > 0 ? 1 : 0));
    case 'UINT8':
      return Uint8Array.from(ints, (v) => v + 2);
    case 'UINT16':
      return Uint16Array.from(ints, (v) => v + 60000);
    case 'UINT32':
      return Uint32Array.from(ints, (v) => v + 4000000000);
    case 'UINT64':
      return BigUint64Array.from(ints, (v) => BigInt(v + 2) + 2n ** 63n);
    case 'INT8':
      return Int8Array.from(ints);
    case 'INT16':
      return Int16Array.from(ints, (v) => v * 1000);
    case 'INT32':
      return Int32Array.from(ints, (v) => v * 100000);
    case 'INT64':
      return BigInt64Array.from(ints, (v) => BigInt(v) * 2n ** 40n);
    case 'FP16':
    case 'BF16':
      return Uint16Array.from(ints, (v) => 0x3c00 + v);
    case 'FP32':
      return Float32Array.from(ints, (v) => v / 4);
    case 'FP64':
      return Float64Array.from(ints, (v) => v / 3);
    case 'BYTES':
      return bytesFromStrings(ints.map((v) => `s${v}`));
  }
}

async function expectError(p: Promise<unknown>, code: status, details: string): Promise<void> {
  const err = await grpcError(p);
  expect({ code: err.code, details: err.details }).toEqual({ code, details });
}

const plain = (t: Tensor): unknown[] => (Array.isArray(t.data) ? stringsFromBytes(t.data) : Array.from(t.data as ArrayLike<number | bigint>));

let dir: TempDir;
let repo: Repository;
let core: TritonCore;
let server: RunningGrpcServer;
let client: GrpcInferenceClient;
const logs: string[] = [];

beforeAll(async () => {
  dir = await makeTempDir(repoFiles());
  repo = new Repository(dir.root);
  await repo.loadAll();
  core = new TritonCore(repo, { version: '2.99.0' });
  server = await startGrpcServer(core, { host: '127.0.0.1', port: 0, log: (level, msg) => logs.push(`${level}: ${msg}`) });
  client = createGrpcClient(`127.0.0.1:${server.port}`);
});

afterAll(async () => {
  client?.close();
  await server?.close(false);
  await repo?.close();
  dir?.cleanup();
});

describe('health and metadata', () => {
  it('binds an ephemeral port', () => {
    expect(server.port).toBeGreaterThan(0);
  });

  it('answers live, ready and the standard health check', async () => {
    expect((await client.serverLive()).live).toBe(true);
    expect((await client.serverReady()).ready).toBe(true);
    expect((await client.health()).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect((await client.health('inference.GRPCInferenceService')).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it('health Watch sends the current status first', async () => {
    const def = methodDefinition(Health.method.watch);
    const raw = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      const call = raw.makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, create(HealthCheckRequestSchema, {}));
      call.on('error', () => undefined);
      const first = await new Promise<HealthCheckResponse>((resolve) => call.once('data', resolve));
      expect(first.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      call.cancel();
    } finally {
      raw.close();
    }
  });

  it('answers server and model metadata', async () => {
    const md = await client.serverMetadata();
    expect(md.name).toBe('triton');
    expect(md.version).toBe('2.99.0');
    expect(md.extensions).toContain('classification');
    const mm = await client.modelMetadata({ name: 'batching' });
    expect(mm.name).toBe('batching');
    expect(mm.versions).toEqual(['1']);
    expect(mm.platform).toBe('identity');
    expect(mm.inputs.map((i) => [i.name, i.datatype, i.shape])).toEqual([['INPUT0', 'FP32', [-1n, -1n]]]);
    expect(mm.outputs.map((i) => [i.name, i.datatype, i.shape])).toEqual([['OUTPUT0', 'FP32', [-1n, -1n]]]);
    expect((await client.modelMetadata({ name: 'id_bytes', version: '1' })).inputs[0]?.datatype).toBe('BYTES');
  });

  it("answers the model configuration as Triton's ModelConfig message", async () => {
    const { config } = await client.modelConfig({ name: 'classifier' });
    expect(config?.name).toBe('classifier');
    expect(config?.backend).toBe('identity');
    expect(config?.input[0]?.dataType).toBe(DataType.TYPE_FP32);
    expect(config?.output[0]?.labelFilename).toBe('labels.txt');
  });

  it('model ready: true for a served version, false for unknown models and versions, an error for a bad version string', async () => {
    expect((await client.modelReady({ name: 'batching' })).ready).toBe(true);
    expect((await client.modelReady({ name: 'batching', version: '1' })).ready).toBe(true);
    expect((await client.modelReady({ name: 'batching', version: '2' })).ready).toBe(false);
    expect((await client.modelReady({ name: 'nope' })).ready).toBe(false);
    await expectError(
      client.modelReady({ name: 'batching', version: 'x' }),
      status.INVALID_ARGUMENT,
      "failed to get model version from specified version string 'x' (details: stoll), version should be an integral value > 0",
    );
  });
});

describe('ModelInfer', () => {
  it.each(DTYPES)('round-trips %s through raw contents', async (dtype) => {
    const input: Tensor = { name: 'INPUT0', dtype, shape: [4], data: sample(dtype, 4) };
    const res = await client.modelInfer(inferRequest(`id_${dtype.toLowerCase()}`, [input], { id: `r-${dtype}` }));
    expect(res.modelName).toBe(`id_${dtype.toLowerCase()}`);
    expect(res.modelVersion).toBe('1');
    expect(res.id).toBe(`r-${dtype}`);
    expect(res.outputs.map((o) => [o.name, o.datatype, o.shape])).toEqual([['OUTPUT0', dtype, [4n]]]);
    expect(res.rawOutputContents).toHaveLength(1);
    const [out] = responseTensors(res);
    expect(plain(out!)).toEqual(plain(input));
  });

  it('reads typed contents for every list, widening smaller integers as Triton does', async () => {
    const cases: { dtype: ApiDType; contents: Record<string, unknown[]>; expected: unknown[] }[] = [
      { dtype: 'BOOL', contents: { boolContents: [true, false, true] }, expected: [1, 0, 1] },
      // int_contents carries INT8: the low byte of each int32 (300 → 44).
      { dtype: 'INT8', contents: { intContents: [-1, 127, 300] }, expected: [-1, 127, 44] },
      { dtype: 'INT16', contents: { intContents: [-2, 70000] }, expected: [-2, 4464] },
      { dtype: 'INT32', contents: { intContents: [-5, 2147483647] }, expected: [-5, 2147483647] },
      { dtype: 'INT64', contents: { int64Contents: [-(2n ** 62n), 7n] }, expected: [-(2n ** 62n), 7n] },
      { dtype: 'UINT8', contents: { uintContents: [255, 256] }, expected: [255, 0] },
      { dtype: 'UINT16', contents: { uintContents: [65535, 65537] }, expected: [65535, 1] },
      { dtype: 'UINT32', contents: { uintContents: [4294967295] }, expected: [4294967295] },
      { dtype: 'UINT64', contents: { uint64Contents: [2n ** 64n - 1n] }, expected: [2n ** 64n - 1n] },
      { dtype: 'FP32', contents: { fp32Contents: [1.5, -2.25] }, expected: [1.5, -2.25] },
      { dtype: 'FP64', contents: { fp64Contents: [Math.PI] }, expected: [Math.PI] },
      { dtype: 'BYTES', contents: { bytesContents: bytesFromStrings(['héllo', '', 'x']) }, expected: ['héllo', '', 'x'] },
    ];
    for (const c of cases) {
      const n = c.expected.length;
      const res = await client.modelInfer({
        modelName: `id_${c.dtype.toLowerCase()}`,
        inputs: [{ name: 'INPUT0', datatype: c.dtype, shape: [BigInt(n)], contents: c.contents }],
      });
      expect(plain(responseTensors(res)[0]!), c.dtype).toEqual(c.expected);
      // Triton's gRPC server always answers raw.
      expect(res.outputs[0]?.contents).toBeUndefined();
    }
  });

  it('returns only the requested outputs, in the order asked', async () => {
    const a: Tensor = { name: 'INPUT0', dtype: 'INT32', shape: [2], data: Int32Array.from([1, 2]) };
    const b: Tensor = { name: 'INPUT1', dtype: 'INT32', shape: [1], data: Int32Array.from([9]) };
    const res = await client.modelInfer(inferRequest('two_in', [a, b], { outputs: ['OUTPUT1'] }));
    expect(res.outputs.map((o) => o.name)).toEqual(['OUTPUT1']);
    expect(plain(responseTensors(res)[0]!)).toEqual([9]);
    const both = await client.modelInfer(inferRequest('two_in', [a, b]));
    expect(both.outputs.map((o) => o.name)).toEqual(['OUTPUT0', 'OUTPUT1']);
  });

  it('classification: top-k classes as BYTES with labels; binary_data is ignored', async () => {
    const x: Tensor = { name: 'INPUT0', dtype: 'FP32', shape: [5], data: Float32Array.from([1, 5, 3, 4, 2]) };
    const req = inferRequest('classifier', [x], { outputs: [{ name: 'OUTPUT0', classification: 2 }] });
    req.outputs![0]!.parameters!['binary_data'] = { parameterChoice: { case: 'boolParam', value: false } };
    const res = await client.modelInfer(req);
    expect(res.outputs.map((o) => [o.datatype, o.shape])).toEqual([['BYTES', [2n]]]);
    expect(plain(responseTensors(res)[0]!)).toEqual(['5.000000:1:dog', '4.000000:3:fish']);
  });

  it('passes request parameters through and checks the reserved ones', async () => {
    const x: Tensor = { name: 'INPUT0', dtype: 'FP32', shape: [1, 1], data: Float32Array.from([1]) };
    await client.modelInfer(inferRequest('batching', [x], { parameters: { priority: 0, timeout: 1000, custom: 'yes', ratio: 0.5, flag: true } }));
    const req = inferRequest('batching', [x]);
    req.parameters = { priority: { parameterChoice: { case: 'stringParam', value: 'high' } } };
    await expectError(client.modelInfer(req), status.INVALID_ARGUMENT, "invalid value type for 'priority' parameter, expected int64_param or uint64_param.");
    req.parameters = { priority: { parameterChoice: { case: 'int64Param', value: -1n } } };
    await expectError(client.modelInfer(req), status.INVALID_ARGUMENT, "invalid value for 'priority', expected value >= 0.");
    req.parameters = { sequence_start: { parameterChoice: { case: 'int64Param', value: 1n } } };
    await expectError(client.modelInfer(req), status.INVALID_ARGUMENT, "invalid value type for 'sequence_start' parameter, expected bool_param.");
    req.parameters = { big: { parameterChoice: { case: 'uint64Param', value: 1n } } };
    await expectError(client.modelInfer(req), status.INVALID_ARGUMENT, "invalid value type for 'big' parameter, expected int64_param, bool_param, or string_param.");
    req.parameters = { triton_x: { parameterChoice: { case: 'boolParam', value: true } } };
    await expectError(
      client.modelInfer(req),
      status.INVALID_ARGUMENT,
      "parameter keys starting with 'triton_' are reserved for Triton usage. Only the following keys starting with 'triton_' are allowed: triton_enable_empty_final_response",
    );
  });
});

describe("request errors (Triton's wording and codes)", () => {
  const fp32 = (shape: number[], values: number[]): Tensor => ({ name: 'INPUT0', dtype: 'FP32', shape, data: Float32Array.from(values) });

  it('unknown model: NOT_FOUND before anything else is read', async () => {
    await expectError(client.modelInfer(inferRequest('x', [fp32([1], [1])])), status.NOT_FOUND, "Request for unknown model: 'x' is not found");
    // Even with inputs that would be refused.
    await expectError(
      client.modelInfer({ modelName: 'x', inputs: [{ name: 'a', datatype: 'FP16', shape: [1n], contents: { fp32Contents: [1] } }] }),
      status.NOT_FOUND,
      "Request for unknown model: 'x' is not found",
    );
  });

  it('a shape that does not match the data or the model', async () => {
    await expectError(
      client.modelInfer(inferRequest('id_fp32', [fp32([3], [1, 2])])),
      status.INVALID_ARGUMENT,
      "[request id: <id_unknown>] input byte size mismatch for input 'INPUT0' for model 'id_fp32'. Expected 12, got 8",
    );
    await expectError(
      client.modelInfer({ modelName: 'id_fp32', id: 'q1', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [3n], contents: { fp32Contents: [1, 2] } }] }),
      status.INVALID_ARGUMENT,
      "[request id: q1] input byte size mismatch for input 'INPUT0' for model 'id_fp32'. Expected 12, got 8",
    );
    const err = await grpcError(client.modelInfer(inferRequest('batching', [fp32([2], [1, 2])])));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toContain("unexpected shape for input 'INPUT0' for model 'batching'");
  });

  it('typed contents together with raw contents', async () => {
    const req = inferRequest('id_fp32', [fp32([1], [1])]);
    req.inputs![0]!.contents = { fp32Contents: [1] };
    await expectError(client.modelInfer(req), status.INVALID_ARGUMENT, "contents field must not be specified when using raw_input_contents for 'INPUT0' for model 'id_fp32'");
  });

  it('fewer raw contents than inputs; extra raw contents are ignored as in Triton', async () => {
    const a: Tensor = { name: 'INPUT0', dtype: 'INT32', shape: [1], data: Int32Array.from([1]) };
    const b: Tensor = { name: 'INPUT1', dtype: 'INT32', shape: [1], data: Int32Array.from([2]) };
    const req = inferRequest('two_in', [a, b]);
    req.rawInputContents = req.rawInputContents!.slice(0, 1);
    await expectError(client.modelInfer(req), status.INVALID_ARGUMENT, "unable to find data for input tensor 'INPUT1' for model 'two_in' in request.");
    const extra = inferRequest('id_int32', [a]);
    extra.rawInputContents = [...extra.rawInputContents!, new Uint8Array(4)];
    expect(plain(responseTensors(await client.modelInfer(extra))[0]!)).toEqual([1]);
  });

  it('typed contents of the wrong kind: FP16 has no list, a list for another type, two lists', async () => {
    await expectError(
      client.modelInfer({ modelName: 'id_fp16', inputs: [{ name: 'INPUT0', datatype: 'FP16', shape: [1n], contents: { fp32Contents: [1] } }] }),
      status.INVALID_ARGUMENT,
      "unexpected explicit tensor data for input tensor 'INPUT0' for model 'id_fp16' of type 'FP32', expected datatype 'FP16'",
    );
    await expectError(
      client.modelInfer({ modelName: 'id_uint8', inputs: [{ name: 'INPUT0', datatype: 'UINT8', shape: [1n], contents: { intContents: [1] } }] }),
      status.INVALID_ARGUMENT,
      "unexpected explicit tensor data for input tensor 'INPUT0' for model 'id_uint8' of type 'INT32', expected datatype 'UINT8'",
    );
    await expectError(
      client.modelInfer({ modelName: 'id_int64', inputs: [{ name: 'INPUT0', datatype: 'INT64', shape: [1n], contents: { int64Contents: [1n], fp64Contents: [1] } }] }),
      status.INVALID_ARGUMENT,
      "unexpected explicit tensor data for input tensor 'INPUT0' for model 'id_int64', binary data was already supplied.",
    );
    await expectError(
      client.modelInfer({ modelName: 'id_fp32', inputs: [{ name: 'INPUT0', datatype: 'FLOAT', shape: [1n], contents: { fp32Contents: [1] } }] }),
      status.INVALID_ARGUMENT,
      "unexpected explicit tensor data for input tensor 'INPUT0' for model 'id_fp32' of type 'FP32', expected datatype '<invalid>'",
    );
  });

  it('a raw datatype the model does not expect, and an unknown output', async () => {
    const x: Tensor = { name: 'INPUT0', dtype: 'INT32', shape: [1], data: Int32Array.from([1]) };
    await expectError(
      client.modelInfer(inferRequest('id_fp32', [x])),
      status.INVALID_ARGUMENT,
      "[request id: <id_unknown>] inference input 'INPUT0' data-type is 'INT32', but model 'id_fp32' expects 'FP32'",
    );
    await expectError(client.modelInfer(inferRequest('id_fp32', [fp32([1], [1])], { outputs: ['NOPE'] })), status.INVALID_ARGUMENT, "unexpected inference output 'NOPE' for model 'id_fp32'");
  });

  it('classification parameters of the wrong kind or size', async () => {
    const req = inferRequest('classifier', [fp32([5], [1, 2, 3, 4, 5])], { outputs: [{ name: 'OUTPUT0', classification: 0 }] });
    await expectError(client.modelInfer(req), status.INVALID_ARGUMENT, "invalid value for 'classification' parameter, expected >= 0");
    req.outputs![0]!.parameters = { classification: { parameterChoice: { case: 'stringParam', value: '2' } } };
    await expectError(client.modelInfer(req), status.INVALID_ARGUMENT, "invalid value type for 'classification' parameter, expected int64_param");
  });

  it('a version that is not a number, or not served', async () => {
    await expectError(
      client.modelInfer(inferRequest('id_fp32', [fp32([1], [1])], { version: 'abc' })),
      status.INVALID_ARGUMENT,
      "failed to get model version from specified version string 'abc' (details: stoll), version should be an integral value > 0",
    );
    const err = await grpcError(client.modelInfer(inferRequest('id_fp32', [fp32([1], [1])], { version: '7' })));
    expect(err.code).toBe(status.NOT_FOUND);
  });
});

describe('ModelStreamInfer', () => {
  it('answers each request in order; an error answers error_message and the stream goes on', async () => {
    const s = client.stream();
    const x = (v: number): Tensor => ({ name: 'INPUT0', dtype: 'FP32', shape: [1], data: Float32Array.from([v]) });
    s.send(inferRequest('id_fp32', [x(1)], { id: 'a' }));
    s.send(inferRequest('missing', [x(2)], { id: 'b' }));
    s.send(inferRequest('id_fp32', [{ ...x(3), shape: [2] }], { id: 'c' }));
    s.send(inferRequest('id_fp32', [x(4)], { id: 'd' }));
    const answers = [await s.next(), await s.next(), await s.next(), await s.next()];
    expect(answers.map((a) => [a.inferResponse?.id, a.errorMessage])).toEqual([
      ['a', ''],
      ['b', "Request for unknown model: 'missing' is not found"],
      ['c', "[request id: c] input byte size mismatch for input 'INPUT0' for model 'id_fp32'. Expected 8, got 4"],
      ['d', ''],
    ]);
    expect(plain(responseTensors(answers[3]!.inferResponse!)[0]!)).toEqual([4]);
    s.end();
    await s.done;
  });

  it('a message that cannot be decoded ends the stream with INTERNAL after the answers before it (it used to leave the client waiting)', async () => {
    const raw = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      const same = (b: Buffer): Buffer => b;
      const call = raw.makeBidiStreamRequest('/inference.GRPCInferenceService/ModelStreamInfer', same, same, new Metadata(), { deadline: Date.now() + 5000 });
      const answers: Buffer[] = [];
      call.on('data', (b: Buffer) => answers.push(b));
      const ended = new Promise<ServiceError>((resolve) => call.on('error', resolve));
      // The first waits 200 ms in its model's batcher while the undecodable one (a length past the end) arrives.
      const x: Tensor = { name: 'INPUT0', dtype: 'FP32', shape: [1, 1], data: Float32Array.from([1]) };
      call.write(Buffer.from(toBinary(ModelInferRequestSchema, create(ModelInferRequestSchema, inferRequest('delayed', [x], { id: '1' })))));
      call.write(Buffer.from([0x0a, 0x50, 0x61]));
      call.end();
      const err = await ended;
      expect(err.code).toBe(status.INTERNAL);
      expect(err.details).toMatch(/^Error deserializing request: /);
      expect(answers.map((a) => fromBinary(ModelStreamInferResponseSchema, a).inferResponse?.id)).toEqual(['1']);
      // Unary calls answer the same way.
      const unary = await new Promise<ServiceError | null>((resolve) =>
        raw.makeUnaryRequest('/inference.GRPCInferenceService/ModelInfer', same, same, Buffer.from([0x0f, 0x01]), new Metadata(), { deadline: Date.now() + 5000 }, resolve),
      );
      expect(unary).toMatchObject({ code: status.INTERNAL, details: expect.stringMatching(/^Error deserializing request: /) });
    } finally {
      raw.close();
    }
  });

  it('keeps request order when later requests finish first', async () => {
    const s = client.stream();
    const x: Tensor = { name: 'INPUT0', dtype: 'FP32', shape: [1, 1], data: Float32Array.from([1]) };
    // The first waits 200 ms in its model's batcher; the second is done at once.
    s.send(inferRequest('delayed', [x], { id: '1' }));
    s.send(inferRequest('id_fp32', [{ ...x, shape: [1] }], { id: '2' }));
    const ids = [(await s.next()).inferResponse?.id, (await s.next()).inferResponse?.id];
    expect(ids).toEqual(['1', '2']);
    s.end();
    await s.done;
  });

  it('triton_grpc_error: true closes the stream with the first error as its status', async () => {
    const s = client.stream({ metadata: { triton_grpc_error: 'true' } });
    s.send(inferRequest('missing', [{ name: 'INPUT0', dtype: 'FP32', shape: [1], data: Float32Array.from([1]) }]));
    const err = await grpcError(s.done);
    expect({ code: err.code, details: err.details }).toEqual({ code: status.NOT_FOUND, details: "Request for unknown model: 'missing' is not found" });
  });
});

describe('statistics', () => {
  it('counts inferences and executions, with batch and cache statistics', async () => {
    const x: Tensor = { name: 'INPUT0', dtype: 'FP32', shape: [2, 3], data: new Float32Array(6) };
    for (let i = 0; i < 3; i++) await client.modelInfer(inferRequest('counted', [x]));
    const { modelStats } = await client.modelStatistics({ name: 'counted' });
    expect(modelStats).toHaveLength(1);
    const s = modelStats[0]!;
    expect([s.name, s.version, s.inferenceCount, s.executionCount]).toEqual(['counted', '1', 6n, 3n]);
    expect(s.inferenceStats?.success?.count).toBe(3n);
    expect(s.inferenceStats?.fail?.count).toBe(0n);
    expect(s.inferenceStats?.cacheHit).toEqual(expect.objectContaining({ count: 0n, ns: 0n }));
    expect(s.inferenceStats?.cacheMiss).toEqual(expect.objectContaining({ count: 0n, ns: 0n }));
    expect(s.batchStats.map((b) => [b.batchSize, b.computeInfer?.count])).toEqual([[2n, 3n]]);
    expect(s.lastInference).toBeGreaterThan(0n);
  });

  it("every model without a name; Triton's errors for unknown models and versions", async () => {
    const all = await client.modelStatistics({});
    expect(all.modelStats.map((m) => m.name)).toEqual(expect.arrayContaining(['batching', 'counted', 'id_fp32']));
    await expectError(client.modelStatistics({ name: 'nope' }), status.INVALID_ARGUMENT, "requested model 'nope' is not available");
    await expectError(client.modelStatistics({ name: 'counted', version: '9' }), status.INVALID_ARGUMENT, "requested model version is not available for model 'counted'");
  });
});

describe('repository extension', () => {
  it('index lists models with version and state; ready filters; repository_name is refused as in Triton', async () => {
    const { models } = await client.repositoryIndex({});
    const counted = models.find((m) => m.name === 'counted');
    expect(counted).toEqual(expect.objectContaining({ name: 'counted', version: '1', state: 'READY' }));
    expect((await client.repositoryIndex({ ready: true })).models.every((m) => m.state === 'READY')).toBe(true);
    await expectError(client.repositoryIndex({ repositoryName: 'other' }), status.UNIMPLEMENTED, "'repository_name' specification is not supported");
  });

  it('load and unload need explicit model control', async () => {
    const msg = 'explicit model load / unload is not allowed if polling is enabled';
    await expectError(client.repositoryModelLoad({ modelName: 'counted' }), status.UNAVAILABLE, msg);
    await expectError(client.repositoryModelUnload({ modelName: 'counted' }), status.UNAVAILABLE, msg);
  });

  it('explicit mode: load (with a config override), unload, and parameter checks', async () => {
    const d = await makeTempDir(identity('m', 'FP32', 0, [-1]));
    const r = new Repository(d.root, { controlMode: 'explicit' });
    await r.loadAll();
    const c = new TritonCore(r, { version: '1' });
    const srv = await startGrpcServer(c, { host: '127.0.0.1', port: 0 });
    const cl = createGrpcClient(`127.0.0.1:${srv.port}`);
    try {
      // Nothing loads at start in explicit mode.
      expect((await cl.modelReady({ name: 'm' })).ready).toBe(false);
      await cl.repositoryModelLoad({ modelName: 'm' });
      expect((await cl.modelReady({ name: 'm' })).ready).toBe(true);
      expect((await cl.repositoryIndex({ ready: true })).models.map((m) => m.name)).toEqual(['m']);

      const override = JSON.stringify({
        name: 'm',
        backend: 'identity',
        max_batch_size: 4,
        input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [2] }],
        output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [2] }],
      });
      await cl.repositoryModelLoad({ modelName: 'm', parameters: { config: { parameterChoice: { case: 'stringParam', value: override } } } });
      expect((await cl.modelConfig({ name: 'm' })).config?.maxBatchSize).toBe(4);

      await expectError(
        cl.repositoryModelLoad({ modelName: 'm', parameters: { config: { parameterChoice: { case: 'bytesParam', value: new Uint8Array(1) } } } }),
        status.INVALID_ARGUMENT,
        "invalid value type for load parameter 'config', expected string_param.",
      );
      await expectError(
        cl.repositoryModelLoad({ modelName: 'm', parameters: { 'file:1/model.onnx': { parameterChoice: { case: 'stringParam', value: 'x' } } } }),
        status.INVALID_ARGUMENT,
        "invalid value type for load parameter 'file:1/model.onnx', expected bytes_param.",
      );
      await expectError(
        cl.repositoryModelLoad({ modelName: 'm', parameters: { other: { parameterChoice: { case: 'boolParam', value: true } } } }),
        status.INVALID_ARGUMENT,
        "unrecognized load parameter 'other'.",
      );
      await expectError(
        cl.repositoryModelUnload({ modelName: 'm', parameters: { unload_dependents: { parameterChoice: { case: 'stringParam', value: 'yes' } } } }),
        status.INVALID_ARGUMENT,
        "invalid value type for 'unload_dependents' parameter, expected bool_param.",
      );

      await cl.repositoryModelUnload({ modelName: 'm', parameters: { unload_dependents: { parameterChoice: { case: 'boolParam', value: true } } } });
      expect((await cl.modelReady({ name: 'm' })).ready).toBe(false);
      await expectError(cl.modelInfer({ modelName: 'm' }), status.NOT_FOUND, "Request for unknown model: 'm' has no available versions");
      await expectError(cl.repositoryModelUnload({ modelName: 'ghost' }), status.NOT_FOUND, "failed to unload 'ghost', model not found");
    } finally {
      cl.close();
      await srv.close(false);
      await r.close();
      d.cleanup();
    }
  });
});

describe('trace and log settings', () => {
  it("trace settings: global and per model, Triton's value forms and errors", async () => {
    const g = await client.traceSetting({});
    expect(Object.fromEntries(Object.entries(g.settings).map(([k, v]) => [k, v.value]))).toEqual({
      trace_level: ['OFF'],
      trace_rate: ['1000'],
      trace_count: ['-1'],
      log_frequency: ['0'],
      trace_file: [''],
      trace_mode: ['triton'],
    });
    const m = await client.traceSetting({ modelName: 'counted', settings: { trace_rate: { value: ['5'] }, trace_level: { value: ['TIMESTAMPS'] } } });
    expect(m.settings['trace_rate']?.value).toEqual(['5']);
    expect(m.settings['trace_level']?.value).toEqual(['TIMESTAMPS']);
    // An empty list clears the model's own value.
    const cleared = await client.traceSetting({ modelName: 'counted', settings: { trace_rate: { value: [] }, trace_level: { value: [] } } });
    expect(cleared.settings['trace_rate']?.value).toEqual(['1000']);
    expect(cleared.settings['trace_level']?.value).toEqual(['OFF']);
    await expectError(client.traceSetting({ settings: { trace_rate: { value: ['1', '2'] } } }), status.INVALID_ARGUMENT, "expect only 1 value for 'trace_rate'");
    await expectError(client.traceSetting({ settings: { trace_count: { value: ['-3'] } } }), status.INVALID_ARGUMENT, "Unable to parse 'trace_count'. Expecting value >= -1, got: -3");
    await expectError(client.traceSetting({ settings: { trace_rate: { value: ['fast'] } } }), status.INVALID_ARGUMENT, "Unable to parse 'trace_rate', got: fast");
    await expectError(client.traceSetting({ settings: { trace_level: { value: ['OFF', 'TENSORS'] } } }), status.INVALID_ARGUMENT, "Expect only one trace level 'OFF' is specified");
    await expectError(client.traceSetting({ settings: { trace_file: { value: ['x'] } } }), status.UNIMPLEMENTED, 'trace file location can not be updated through network protocol');
    await expectError(client.traceSetting({ modelName: 'nope' }), status.INVALID_ARGUMENT, 'Request for unknown model : nope');
  });

  it("log settings: read, update, Triton's gRPC kind checks", async () => {
    const before = await client.logSettings({});
    expect(before.settings['log_info']?.parameterChoice).toEqual({ case: 'boolParam', value: true });
    expect(before.settings['log_verbose_level']?.parameterChoice).toEqual({ case: 'uint32Param', value: 0 });
    expect(before.settings['log_format']?.parameterChoice).toEqual({ case: 'stringParam', value: 'default' });
    const after = await client.logSettings({ settings: { log_verbose_level: { parameterChoice: { case: 'uint32Param', value: 1 } } } });
    expect(after.settings['log_verbose_level']?.parameterChoice).toEqual({ case: 'uint32Param', value: 1 });
    // Verbose logging shows failed calls.
    await grpcError(client.modelInfer({ modelName: 'zzz' }));
    expect(logs).toContain("verbose: ModelInfer failed: Request for unknown model: 'zzz' is not found");
    await client.logSettings({ settings: { log_verbose_level: { parameterChoice: { case: 'uint32Param', value: 0 } } } });
    await expectError(client.logSettings({ settings: { log_info: { parameterChoice: { case: 'uint32Param', value: 1 } } } }), status.INVALID_ARGUMENT, "expect boolean for 'log_info'");
    await expectError(
      client.logSettings({ settings: { log_verbose_level: { parameterChoice: { case: 'boolParam', value: true } } } }),
      status.INVALID_ARGUMENT,
      "expect int32 for 'log_verbose_level'",
    );
    await expectError(
      client.logSettings({ settings: { log_format: { parameterChoice: { case: 'stringParam', value: 'json' } } } }),
      status.INVALID_ARGUMENT,
      'invalid argument for log_format, got: json',
    );
    await expectError(
      client.logSettings({ settings: { log_file: { parameterChoice: { case: 'stringParam', value: 'x' } } } }),
      status.UNIMPLEMENTED,
      'log file location can not be updated through network protocol',
    );
  });
});

describe('shared memory', () => {
  it('statuses are empty, unregistering is a no-op, registering is refused', async () => {
    expect((await client.systemSharedMemoryStatus({})).regions).toEqual({});
    expect((await client.cudaSharedMemoryStatus({})).regions).toEqual({});
    await expectError(client.systemSharedMemoryStatus({ name: 'r' }), status.NOT_FOUND, "Unable to find system shared memory region: 'r'");
    await expectError(client.cudaSharedMemoryStatus({ name: 'r' }), status.NOT_FOUND, "Unable to find cuda shared memory region: 'r'");
    await expectError(client.systemSharedMemoryRegister({ name: 'r', key: '/r', byteSize: 16n }), status.UNIMPLEMENTED, 'shared memory is not supported by Model Lab; send tensors in the request');
    await expectError(client.cudaSharedMemoryRegister({ name: 'g', byteSize: 16n }), status.INVALID_ARGUMENT, "failed to register CUDA shared memory region: 'g', GPUs not supported");
    await client.systemSharedMemoryUnregister({});
    await client.cudaSharedMemoryUnregister({ name: 'g' });
  });

  it('a tensor in a shared memory region: the region is never found', async () => {
    const shm = {
      shared_memory_region: { parameterChoice: { case: 'stringParam' as const, value: 'r' } },
      shared_memory_byte_size: { parameterChoice: { case: 'int64Param' as const, value: 4n } },
    };
    await expectError(
      client.modelInfer({ modelName: 'id_fp32', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1n], parameters: shm }] }),
      status.NOT_FOUND,
      "Unable to find shared memory region: 'r'",
    );
    await expectError(
      client.modelInfer({ modelName: 'id_fp32', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1n], parameters: { shared_memory_region: shm.shared_memory_region } }] }),
      status.INVALID_ARGUMENT,
      "'shared_memory_byte_size' must be specified along with 'shared_memory_region' parameter for tensor 'INPUT0'",
    );
  });
});

describe('cancellation, limits and closing', () => {
  /** Waits until the queued model holds `n` requests. */
  const queuedInEngine = async (n: number): Promise<void> => {
    const stats = repo.resolve('queued', -1).statistics;
    for (let i = 0; i < 250 && stats.pending < n; i++) await sleep(10);
    expect(stats.pending).toBe(n);
  };

  it('a cancelled call aborts the request in the engine', async () => {
    const abort = new AbortController();
    const x: Tensor = { name: 'INPUT0', dtype: 'FP32', shape: [1, 1], data: Float32Array.from([1]) };
    const call = client.modelInfer(inferRequest('queued', [x]), { signal: abort.signal });
    await queuedInEngine(1);
    abort.abort();
    const err = await grpcError(call);
    expect(err.code).toBe(status.CANCELLED);
    const stats = repo.resolve('queued', -1).statistics;
    for (let i = 0; i < 50 && stats.failures.CANCELED === 0; i++) await sleep(20);
    expect(stats.failures.CANCELED).toBe(1);
  });

  it('a cancelled stream aborts its requests', async () => {
    const x: Tensor = { name: 'INPUT0', dtype: 'FP32', shape: [1, 1], data: Float32Array.from([1]) };
    const s = client.stream();
    s.send(inferRequest('queued', [x]));
    await queuedInEngine(1);
    s.cancel();
    const stats = repo.resolve('queued', -1).statistics;
    for (let i = 0; i < 50 && stats.failures.CANCELED < 2; i++) await sleep(20);
    expect(stats.failures.CANCELED).toBe(2);
  });

  it('messages over the limit fail with RESOURCE_EXHAUSTED; a graceful close ends idle streams', async () => {
    const small = await startGrpcServer(core, { host: '127.0.0.1', port: 0, maxMessageBytes: 1024 });
    const cl = createGrpcClient(`127.0.0.1:${small.port}`);
    try {
      const big: Tensor = { name: 'INPUT0', dtype: 'FP32', shape: [1024], data: new Float32Array(1024) };
      const err = await grpcError(cl.modelInfer(inferRequest('id_fp32', [big])));
      expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
      const ok: Tensor = { name: 'INPUT0', dtype: 'FP32', shape: [4], data: new Float32Array(4) };
      expect((await cl.modelInfer(inferRequest('id_fp32', [ok]))).outputs).toHaveLength(1);

      const s = cl.stream();
      s.send(inferRequest('id_fp32', [ok], { id: 's' }));
      expect((await s.next()).inferResponse?.id).toBe('s');
      const started = Date.now();
      await small.close(true);
      await s.done;
      expect(Date.now() - started).toBeLessThan(2000);
      const after = await grpcError(cl.serverLive({}, { timeoutMs: 500 }));
      expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(after.code);
    } finally {
      cl.close();
      await small.close(false);
    }
  });
});

describe('readiness', () => {
  it('a repository with a broken model is not ready: ServerReady false, health NOT_SERVING', async () => {
    const d = await makeTempDir({ ...identity('ok', 'FP32', 0, [-1]), 'bad/config.pbtxt': 'name: "bad" max_batch_size: oops', 'bad/1': null });
    const r = new Repository(d.root);
    await r.loadAll();
    const c = new TritonCore(r, { version: '1' });
    const srv = await startGrpcServer(c, { host: '127.0.0.1', port: 0 });
    const cl = createGrpcClient(`127.0.0.1:${srv.port}`);
    try {
      expect((await cl.serverLive()).live).toBe(true);
      expect((await cl.serverReady()).ready).toBe(false);
      expect((await cl.health()).status).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
      await c.shutdown();
      await expectError(cl.serverLive(), status.UNAVAILABLE, 'Server exiting');
      await expectError(cl.health(), status.UNAVAILABLE, 'Server exiting');
    } finally {
      cl.close();
      await srv.close(false);
      await r.close();
      d.cleanup();
    }
  });
});
