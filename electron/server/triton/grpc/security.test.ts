/**
 * The gRPC endpoint's gates: Triton's restricted protocols
 * (--grpc-restricted-protocol, the `triton-grpc-protocol-<key>` header, the
 * category of every RPC as grpc_server.cc assigns them, UNAVAILABLE with
 * Triton's wording), the :authority check on a loopback port (DNS
 * rebinding), the default size of a received message, and a
 * ModelStreamInfer client that sends without reading.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client, Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import type { Tensor } from '../../../engine/tensor/tensor';
import type { TritonCore } from '../core';
import { grpcError, identityCore } from './testing/fixtures';
import { GRPC_RESTRICTED_PREFIX, RESTRICTED_CATEGORIES, type RestrictedCategory, type Restrictions } from '../restricted';
import { type CallOpts, createGrpcClient, inferRequest } from './client';
import { ModelInferRequestSchema } from './gen/grpc_service_pb';
import { type RunningGrpcServer, startGrpcServer } from './server';
import { GRPCInferenceService, methodDefinition } from './service';

let fixture: Awaited<ReturnType<typeof identityCore>>;
let core: TritonCore;

beforeAll(async () => {
  fixture = await identityCore();
  core = fixture.core;
});

afterAll(async () => {
  await fixture?.close();
});

const x = (n = 2): Tensor => ({ name: 'INPUT0', dtype: 'FP32', shape: [n], data: new Float32Array(n) });

/** Every RPC and the category grpc_server.cc restricts it under. */
const RPCS: [string, RestrictedCategory, (c: ReturnType<typeof createGrpcClient>, o: CallOpts) => Promise<unknown>][] = [
  ['ServerLive', 'health', (c, o) => c.serverLive({}, o)],
  ['ServerReady', 'health', (c, o) => c.serverReady({}, o)],
  ['ModelReady', 'health', (c, o) => c.modelReady({ name: 'id_fp32' }, o)],
  ['Health/Check', 'health', (c, o) => c.health('', o)],
  ['ServerMetadata', 'metadata', (c, o) => c.serverMetadata({}, o)],
  ['ModelMetadata', 'metadata', (c, o) => c.modelMetadata({ name: 'id_fp32' }, o)],
  ['ModelConfig', 'model-config', (c, o) => c.modelConfig({ name: 'id_fp32' }, o)],
  ['ModelStatistics', 'statistics', (c, o) => c.modelStatistics({}, o)],
  ['TraceSetting', 'trace', (c, o) => c.traceSetting({}, o)],
  ['LogSettings', 'logging', (c, o) => c.logSettings({}, o)],
  ['SystemSharedMemoryStatus', 'shared-memory', (c, o) => c.systemSharedMemoryStatus({}, o)],
  ['SystemSharedMemoryRegister', 'shared-memory', (c, o) => c.systemSharedMemoryRegister({}, o)],
  ['SystemSharedMemoryUnregister', 'shared-memory', (c, o) => c.systemSharedMemoryUnregister({}, o)],
  ['CudaSharedMemoryStatus', 'shared-memory', (c, o) => c.cudaSharedMemoryStatus({}, o)],
  ['CudaSharedMemoryRegister', 'shared-memory', (c, o) => c.cudaSharedMemoryRegister({}, o)],
  ['CudaSharedMemoryUnregister', 'shared-memory', (c, o) => c.cudaSharedMemoryUnregister({}, o)],
  ['RepositoryIndex', 'model-repository', (c, o) => c.repositoryIndex({}, o)],
  ['RepositoryModelLoad', 'model-repository', (c, o) => c.repositoryModelLoad({ modelName: 'id_fp32' }, o)],
  ['RepositoryModelUnload', 'model-repository', (c, o) => c.repositoryModelUnload({ modelName: 'id_fp32' }, o)],
  ['ModelInfer', 'inference', (c, o) => c.modelInfer(inferRequest('id_fp32', [x()]), o)],
  [
    'ModelStreamInfer',
    'inference',
    async (c, o) => {
      const s = c.stream(o);
      s.send(inferRequest('id_fp32', [x()]));
      s.end();
      await s.done;
    },
  ],
];

describe("Triton's restricted protocols (--grpc-restricted-protocol)", () => {
  let server: RunningGrpcServer;
  let client: ReturnType<typeof createGrpcClient>;
  const restricted: Restrictions = Object.fromEntries(RESTRICTED_CATEGORIES.map((c) => [c, { header: `${GRPC_RESTRICTED_PREFIX}key-${c}`, value: `secret-${c}` }]));

  beforeAll(async () => {
    server = await startGrpcServer(core, { host: '127.0.0.1', port: 0, restricted });
    client = createGrpcClient(`127.0.0.1:${server.port}`);
  });
  afterAll(async () => {
    client.close();
    await server.close(false);
  });

  it.each(RPCS)('%s needs the %s header', async (_name, category, call) => {
    const none = await grpcError(call(client, {}));
    expect({ code: none.code, details: none.details }).toEqual({ code: status.UNAVAILABLE, details: `This protocol is restricted, expecting header 'triton-grpc-protocol-key-${category}'` });
    const wrong = await grpcError(call(client, { metadata: { [`triton-grpc-protocol-key-${category}`]: 'nope' } }));
    expect(wrong.code).toBe(status.UNAVAILABLE);
    const other = RESTRICTED_CATEGORIES.find((c) => c !== category)!;
    expect((await grpcError(call(client, { metadata: { [`triton-grpc-protocol-key-${other}`]: `secret-${other}` } }))).code).toBe(status.UNAVAILABLE);
    try {
      await call(client, { metadata: { [`triton-grpc-protocol-key-${category}`]: `secret-${category}` } });
    } catch (err) {
      expect((err as ServiceError).details).not.toMatch(/restricted/);
    }
  });

  it('a refused load never reaches the core, and its message is never read', async () => {
    const load = vi.spyOn(core, 'load');
    const err = await grpcError(client.repositoryModelLoad({ modelName: 'id_fp32', parameters: { config: { parameterChoice: { case: 'stringParam', value: '{}' } } } }));
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(load).not.toHaveBeenCalled();
    load.mockRestore();
  });
});

describe('the :authority of a call to a loopback port', () => {
  let server: RunningGrpcServer;
  beforeAll(async () => {
    server = await startGrpcServer(core, { host: '127.0.0.1', port: 0 });
  });
  afterAll(() => server.close(false));

  const live = (authority?: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const c = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure(), authority ? { 'grpc.default_authority': authority } : {});
      const def = methodDefinition(GRPCInferenceService.method.serverLive);
      c.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, create(GRPCInferenceService.method.serverLive.input, {}), new Metadata(), (err, res) => {
        c.close();
        if (err) reject(err);
        else resolve(res);
      });
    });

  it('a foreign name is refused, loopback names pass', async () => {
    const err = await grpcError(live('evil.example:8001'));
    expect(err.code).toBe(status.PERMISSION_DENIED);
    expect(err.details).toMatch(/^Host 'evil.example:8001' is not allowed/);
    await expect(live()).resolves.toBeDefined();
    await expect(live('localhost:8001')).resolves.toBeDefined();
  });
});

describe('message sizes and streams', () => {
  it('by default a received message is limited to 64 MiB (Triton: 2 GiB), refused before it is parsed', async () => {
    const server = await startGrpcServer(core, { host: '127.0.0.1', port: 0 });
    const client = createGrpcClient(`127.0.0.1:${server.port}`);
    try {
      const err = await grpcError(client.modelInfer(inferRequest('id_fp32', [x(17 * 1024 * 1024)])));
      expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
      expect((await client.modelInfer(inferRequest('id_fp32', [x(4)]))).outputs).toHaveLength(1);
    } finally {
      client.close();
      await server.close(false);
    }
  }, 30_000);

  it('a stream that sends without reading stops being read once its requests in flight reach the bound', async () => {
    const server = await startGrpcServer(core, { host: '127.0.0.1', port: 0, maxStreamPending: 4 });
    const client = createGrpcClient(`127.0.0.1:${server.port}`);
    const infer = vi.spyOn(core, 'infer');
    try {
      const s = client.stream();
      // Nobody reads the answers: requests past the bound wait in the transport, not in the server.
      const block = new Promise<void>(() => undefined);
      infer.mockImplementation(() => block.then(() => ({ modelName: '', modelVersion: '', id: '', outputs: [] })));
      for (let i = 0; i < 200; i++) s.send(create(ModelInferRequestSchema, inferRequest('id_fp32', [x()])));
      await new Promise((r) => setTimeout(r, 300));
      expect(infer.mock.calls.length).toBe(4);
      s.cancel();
    } finally {
      infer.mockRestore();
      client.close();
      await server.close(false);
    }
  });
});
