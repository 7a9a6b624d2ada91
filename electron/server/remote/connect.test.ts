/**
 * The remote clients against `model-lab serve` in-process (the same protocol a Triton speaks), over
 * HTTP and gRPC: every TritonConnection method, explicit model control on and off, restricted APIs
 * needing a header, inference with binary data (FP32, FP16, BYTES, two inputs, every datatype byte
 * for byte), cancellation, and answers above the 64 MiB bound.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromTritonJson } from '../../engine/config/from-triton-json';
import { LabError } from '../../engine/errors';
import type { TritonConnection } from '../../engine/remote/types';
import { allocate, bytesFromStrings, isBytesData, makeTensor, stringsFromBytes, tensorBytes } from '../../engine/tensor/tensor';
import { type RunningGrpcServer, startGrpcServer } from '../triton/grpc/server';
import { DTYPES, type ServeFixture, startServeFixture } from '../triton/testing/serve-fixture';
import { connectTriton } from './connect';

const STARTUP = ['id_fp32', 'id_fp16', 'id_bytes', 'two_in', 'batching', 'slow'];
const ADMIN = 'very-secret-admin-key';
/** For hooks that start a served repository (the default hook timeout is 10 s). */
const STARTUP_MS = 60_000;

interface Served {
  f: ServeFixture;
  grpc: RunningGrpcServer;
  connect(protocol: 'http' | 'grpc', headers?: Record<string, string>): TritonConnection;
}

async function serve(explicit: boolean): Promise<Served> {
  const f = await startServeFixture({
    repo: explicit ? { controlMode: 'explicit', startupModels: STARTUP } : {},
    http: { restricted: { statistics: { header: 'admin-key', value: ADMIN } } },
  });
  const grpc = await startGrpcServer(f.core, { host: '127.0.0.1', port: 0, restricted: { statistics: { header: 'triton-grpc-protocol-admin-key', value: ADMIN } } });
  const connect = (protocol: 'http' | 'grpc', headers: Record<string, string> = {}): TritonConnection =>
    connectTriton({ url: protocol === 'http' ? f.url : `grpc://127.0.0.1:${grpc.port}`, headers, timeoutMs: 5000 });
  return { f, grpc, connect };
}

async function failure(p: Promise<unknown>): Promise<LabError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return err as LabError;
  }
  throw new Error('expected a failure');
}

const admin = (protocol: 'http' | 'grpc'): Record<string, string> => (protocol === 'http' ? { 'admin-key': ADMIN } : { 'triton-grpc-protocol-admin-key': ADMIN });

describe.each(['http', 'grpc'] as const)('over %s, explicit model control', (protocol) => {
  let s: Served;
  let c: TritonConnection;
  // A served repository with six models loaded: seconds on a busy machine, past the 10 s default for hooks.
  beforeAll(async () => {
    s = await serve(true);
    c = s.connect(protocol, admin(protocol));
  }, STARTUP_MS);
  afterAll(async () => {
    c.close();
    await s.grpc.close(false);
    await s.f.close();
  });

  it('reads server metadata, extensions and readiness', async () => {
    expect(c.protocol).toBe(protocol);
    const md = await c.serverMetadata();
    expect(md.name).toBe('triton');
    expect(md.version).toBe('0.0.0-test');
    expect(md.extensions).toEqual(expect.arrayContaining(['model_repository', 'statistics', 'binary_tensor_data']));
    expect(await c.ready()).toBe(true);
  });

  it('reads the repository index with states and reasons, unloaded models included', async () => {
    const index = await c.repositoryIndex();
    expect(index.find((e) => e.name === 'id_fp32')).toEqual({ name: 'id_fp32', version: '1', state: 'READY', reason: '' });
    // Never loaded: Triton lists only the name.
    expect(index.find((e) => e.name === 'id_int8')).toEqual({ name: 'id_int8', version: '', state: '', reason: '' });
  });

  it('reads the config JSON (the same over both protocols) and the metadata', async () => {
    const json = await c.modelConfig('batching');
    const { config, ignored } = configFromTritonJson(json);
    expect(ignored).toEqual([]);
    expect(config.name).toBe('batching');
    expect(config.maxBatchSize).toBe(8);
    expect(config.input[0]!.dims.map(Number)).toEqual([-1]);
    const other = await s.connect(protocol === 'http' ? 'grpc' : 'http').modelConfig('batching');
    expect(json).toEqual(other);
    const md = await c.modelMetadata('two_in', '1');
    expect(md).toEqual({
      name: 'two_in',
      versions: ['1'],
      platform: md.platform,
      inputs: [
        { name: 'INPUT0', datatype: 'INT32', shape: [-1] },
        { name: 'INPUT1', datatype: 'INT32', shape: [-1] },
      ],
      outputs: [
        { name: 'OUTPUT0', datatype: 'INT32', shape: [-1] },
        { name: 'OUTPUT1', datatype: 'INT32', shape: [-1] },
      ],
    });
  });

  it('runs FP32, FP16 (raw 16-bit patterns), BYTES and two inputs with binary data, timing send and receive', async () => {
    const fp32 = await c.infer('id_fp32', '', { inputs: [makeTensor('INPUT0', 'FP32', [3], new Float32Array([1.5, -2, 3.25]))] });
    expect(fp32.modelVersion).toBe('1');
    expect(fp32.outputs).toHaveLength(1);
    expect(fp32.outputs[0]).toMatchObject({ name: 'OUTPUT0', dtype: 'FP32', shape: [3] });
    expect(Array.from(fp32.outputs[0]!.data as Float32Array)).toEqual([1.5, -2, 3.25]);
    expect(fp32.sendNs).toBeGreaterThan(0);
    expect(fp32.recvNs).toBeGreaterThan(0);

    const half = await c.infer('id_fp16', '1', { inputs: [makeTensor('INPUT0', 'FP16', [2], new Uint16Array([0x3c00, 0xc000]))] });
    expect(half.outputs[0]!.dtype).toBe('FP16');
    expect(Array.from(half.outputs[0]!.data as Uint16Array)).toEqual([0x3c00, 0xc000]);

    const words = ['héllo', '', 'wörld\u0000!'];
    const bytes = await c.infer('id_bytes', '', { inputs: [makeTensor('INPUT0', 'BYTES', [3], bytesFromStrings(words))] });
    expect(bytes.outputs[0]!.dtype).toBe('BYTES');
    expect(stringsFromBytes(bytes.outputs[0]!.data as Uint8Array[])).toEqual(words);

    const two = await c.infer('two_in', '', {
      id: 'r7',
      inputs: [makeTensor('INPUT0', 'INT32', [2], new Int32Array([1, 2])), makeTensor('INPUT1', 'INT32', [1], new Int32Array([9]))],
      outputs: ['OUTPUT1'],
    });
    expect(two.outputs.map((o) => o.name)).toEqual(['OUTPUT1']);
    expect(Array.from(two.outputs[0]!.data as Int32Array)).toEqual([9]);
  });

  it('passes the server error of a bad inference through as it came', async () => {
    const err = await failure(c.infer('id_fp32', '', { inputs: [makeTensor('WRONG', 'FP32', [1], new Float32Array([1]))] }));
    expect(err.code).toBe('INVALID_ARG');
    expect(err.message).toMatch(/unexpected inference input 'WRONG' for model 'id_fp32'/);
    expect(err.reason).toBeUndefined();
  });

  it('reads statistics in the HTTP JSON shape, with the restricted header sent', async () => {
    await c.infer('batching', '', { inputs: [makeTensor('INPUT0', 'FP32', [1, 2], new Float32Array([1, 2]))] });
    const stats = await c.statistics('batching');
    expect(stats.model_stats).toHaveLength(1);
    const m = stats.model_stats[0]!;
    expect(m).toMatchObject({ name: 'batching', version: '1' });
    expect(m.inference_count).toBeGreaterThanOrEqual(1);
    expect(m.inference_stats?.['success']?.count).toBeGreaterThanOrEqual(1);
    expect(typeof m.inference_stats?.['compute_infer']?.ns).toBe('number');
    expect(m.batch_stats?.[0]).toMatchObject({ batch_size: 1 });
    expect((await c.statistics()).model_stats.length).toBeGreaterThanOrEqual(STARTUP.length);
    const without = s.connect(protocol);
    const err = await failure(without.statistics('batching'));
    expect(err.message).toMatch(/is restricted, expecting header 'triton-grpc-protocol-admin-key'|This API is restricted, expecting header 'admin-key'/);
    without.close();
  });

  it('loads and unloads a model, and passes the error for an unknown one through', async () => {
    await c.load('id_int8');
    expect((await c.repositoryIndex()).find((e) => e.name === 'id_int8')).toMatchObject({ state: 'READY', version: '1' });
    await c.unload('id_int8');
    // Unloaded after a load: Triton keeps the version with its state and reason.
    expect((await c.repositoryIndex()).find((e) => e.name === 'id_int8')).toMatchObject({ state: 'UNAVAILABLE', reason: 'unloaded' });
    const err = await failure(c.load('no_such_model'));
    expect(err.message).toMatch(/no_such_model/);
    expect(err.reason).toBeUndefined();
  });

  it('cancels an inference when its signal aborts', async () => {
    const ac = new AbortController();
    const p = c.infer('slow', '', { inputs: [makeTensor('IN', 'FP32', [1], new Float32Array([2000]))], signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const err = await failure(p);
    expect(err.code).toBe('CANCELLED');
  });
});

describe.each(['http', 'grpc'] as const)('over %s, model control off', (protocol) => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(false);
  }, STARTUP_MS);
  afterAll(async () => {
    await s.grpc.close(false);
    await s.f.close();
  });

  it('round-trips every datatype byte for byte with binary data', async () => {
    const c = s.connect(protocol);
    for (const dtype of DTYPES) {
      const input = dtype === 'BYTES' ? makeTensor('INPUT0', dtype, [3], bytesFromStrings(['a', '', 'x'.repeat(300)])) : makeTensor('INPUT0', dtype, [5], allocate(dtype, 5));
      if (!isBytesData(input.data)) {
        const raw = new Uint8Array(input.data.buffer, input.data.byteOffset, input.data.byteLength);
        raw.forEach((_, i) => (raw[i] = dtype === 'BOOL' ? i % 2 : (i * 37 + 11) & 0xff));
      }
      const r = await c.infer(`id_${dtype.toLowerCase()}`, '', { inputs: [input] });
      expect(r.outputs[0]).toMatchObject({ name: 'OUTPUT0', dtype, shape: input.shape });
      expect(Buffer.from(tensorBytes(r.outputs[0]!)).equals(Buffer.from(tensorBytes(input))), dtype).toBe(true);
    }
    c.close();
  });

  it("shows the server's refusal to load as it came", async () => {
    const c = s.connect(protocol);
    const err = await failure(c.load('id_fp32'));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toBe('explicit model load / unload is not allowed if polling is enabled');
    expect(err.reason).toBeUndefined();
    c.close();
  });
});

describe('answers above the 64 MiB bound', () => {
  let f: ServeFixture;
  let grpc: RunningGrpcServer;
  beforeAll(async () => {
    f = await startServeFixture({ repo: { controlMode: 'explicit', startupModels: ['id_fp32'] } });
    grpc = await startGrpcServer(f.core, { host: '127.0.0.1', port: 0, maxMessageBytes: 128 * 1024 * 1024 });
  }, STARTUP_MS);
  afterAll(async () => {
    await grpc.close(false);
    await f.close();
  });

  it.each(['http', 'grpc'] as const)('are refused unread over %s', async (protocol) => {
    const c = connectTriton({ url: protocol === 'http' ? f.url : `grpc://127.0.0.1:${grpc.port}`, headers: {}, timeoutMs: 30_000 });
    const n = 17 * 1024 * 1024;
    const err = await failure(c.infer('id_fp32', '', { inputs: [makeTensor('INPUT0', 'FP32', [n], new Float32Array(n))] }));
    expect(err.reason).toBe('REMOTE_PROTOCOL');
    expect(err.message).toMatch(/is larger than 64 MiB.*not read/);
    c.close();
  });
});

function hasIpv6Loopback(): boolean {
  try {
    execFileSync(process.execPath, ['-e', 'const s=require("net").createServer();s.on("error",()=>process.exit(1));s.listen(0,"::1",()=>s.close())'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasIpv6Loopback())('IPv6 (skipped: no ::1 loopback here)', () => {
  it.each(['http', 'grpc'] as const)('reaches a server at [::1] over %s', async (protocol) => {
    const f = await startServeFixture({ repo: { controlMode: 'explicit', startupModels: ['id_fp32'] }, http: { host: '::1' } });
    const grpc = await startGrpcServer(f.core, { host: '::1', port: 0 });
    try {
      const c = connectTriton({ url: protocol === 'http' ? `[::1]:${f.http!.port}` : `grpc://[::1]:${grpc.port}`, headers: {}, timeoutMs: 5000 });
      expect((await c.serverMetadata()).name).toBe('triton');
      const r = await c.infer('id_fp32', '', { inputs: [makeTensor('INPUT0', 'FP32', [1], new Float32Array([4]))] });
      expect(Array.from(r.outputs[0]!.data as Float32Array)).toEqual([4]);
      c.close();
    } finally {
      await grpc.close(false);
      await f.close();
    }
  });
});
