/**
 * The unary RPCs of GRPCInferenceService (grpc_server.cc), each a
 * translation of its message to a TritonCore call, by family: health and
 * metadata, ModelInfer, model control, and shared memory. The settings RPCs
 * are in settings-rpcs.ts, ModelStreamInfer in stream-infer.ts.
 *
 * Shared memory: no region can be registered in the lab, so the status RPCs
 * answer an empty list (NOT_FOUND for a named region), unregistering is a
 * no-op, registering system shared memory is UNIMPLEMENTED and registering
 * CUDA shared memory fails as on a Triton built without GPU support.
 */
import { create } from '@bufbuild/protobuf';
import { LabError } from '../../../engine/errors';
import type { LoadParameter } from '../core';
import type { DurationJson, ModelStatsJson } from '../statistics-json';
import { parseVersion } from '../versions';
import { type ModelRepositoryParameter, ModelStatisticsSchema, StatisticDurationSchema } from './gen/grpc_service_pb';
import { inferResponse, readInferRequest } from './infer';
import { type RpcContext, SHUTTING_DOWN, type Unary, optionalVersion as version } from './rpc';
import { addSettingsRpcs } from './settings-rpcs';

const SHM_UNSUPPORTED = 'shared memory is not supported by Model Lab; send tensors in the request';

const duration = (d: DurationJson) => create(StatisticDurationSchema, { count: BigInt(d.count), ns: BigInt(d.ns) });

/** tritonserver's statistics JSON as the ModelStatistics message (grpc_server.cc copies field by field). */
function statisticsMessage(s: ModelStatsJson) {
  const i = s.inference_stats;
  return create(ModelStatisticsSchema, {
    name: s.name,
    version: s.version,
    lastInference: BigInt(Math.round(s.last_inference)),
    inferenceCount: BigInt(s.inference_count),
    executionCount: BigInt(s.execution_count),
    inferenceStats: {
      success: duration(i.success),
      fail: duration(i.fail),
      queue: duration(i.queue),
      computeInput: duration(i.compute_input),
      computeInfer: duration(i.compute_infer),
      computeOutput: duration(i.compute_output),
      cacheHit: duration(i.cache_hit),
      cacheMiss: duration(i.cache_miss),
    },
    batchStats: s.batch_stats.map((b) => ({
      batchSize: BigInt(b.batch_size),
      computeInput: duration(b.compute_input),
      computeInfer: duration(b.compute_infer),
      computeOutput: duration(b.compute_output),
    })),
    memoryUsage: [],
    responseStats: {},
  });
}

/** ServerLive, ServerReady, ModelReady, ServerMetadata, ModelMetadata, ModelConfig, ModelStatistics. */
function addHealthAndMetadataRpcs(unary: Unary, { core }: RpcContext): void {
  unary('serverLive', () => ({ live: core.live() }));
  unary('serverReady', () => ({ ready: core.ready() }));
  // A bad version string is an error; a model that is unknown or not loaded is just not ready (as
  // Triton's QA expects of ModelReady; the newest core turns lookup failures into errors instead).
  unary('modelReady', (req) => {
    parseVersion(req.version);
    return { ready: core.modelReady(req.name, version(req.version)) };
  });
  unary('serverMetadata', () => core.serverMetadata());
  unary('modelMetadata', (req) => {
    const md = core.modelMetadata(req.name, version(req.version));
    const io = (t: { name: string; datatype: string; shape: number[] }) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(BigInt) });
    return { name: md.name, versions: md.versions, platform: md.platform, inputs: md.inputs.map(io), outputs: md.outputs.map(io) };
  });
  unary('modelConfig', (req) => ({ config: core.modelConfigMessage(req.name, version(req.version)) }));
  unary('modelStatistics', (req) => {
    parseVersion(req.version);
    const stats = core.statistics(req.name === '' ? undefined : req.name, version(req.version));
    return { modelStats: stats.model_stats.map(statisticsMessage) };
  });
}

/** ModelInfer: refused while closing and for decoupled models (those answer on ModelStreamInfer). */
function addInferRpc(unary: Unary, { core, stopping }: RpcContext): void {
  unary('modelInfer', async (req, signal) => {
    if (stopping()) throw new LabError('UNAVAILABLE', SHUTTING_DOWN);
    const config = core.modelConfigMessage(req.modelName, version(req.modelVersion));
    if (config.modelTransactionPolicy?.decoupled) throw new LabError('UNSUPPORTED', "ModelInfer RPC doesn't support models with decoupled transaction policy");
    const { name, version: v, request } = readInferRequest(req, config);
    return inferResponse(await core.infer(name, version(v), { ...request, signal }));
  });
}

/** RepositoryModelLoad's parameters: `config` as a string, `file:<path>` as bytes, nothing else. */
function loadParameters(given: Record<string, ModelRepositoryParameter>): Record<string, LoadParameter> {
  const params: Record<string, LoadParameter> = {};
  for (const [key, p] of Object.entries(given)) {
    const c = p.parameterChoice;
    if (key === 'config') {
      if (c.case !== 'stringParam') throw new LabError('INVALID_ARG', `invalid value type for load parameter '${key}', expected string_param.`);
      params[key] = { type: 'STRING', value: c.value };
    } else if (key.startsWith('file:')) {
      if (c.case !== 'bytesParam') throw new LabError('INVALID_ARG', `invalid value type for load parameter '${key}', expected bytes_param.`);
      params[key] = { type: 'BYTES', value: c.value };
    } else {
      throw new LabError('INVALID_ARG', `unrecognized load parameter '${key}'.`);
    }
  }
  return params;
}

/** RepositoryIndex, RepositoryModelLoad, RepositoryModelUnload (one repository: no repository_name). */
function addModelControlRpcs(unary: Unary, { core }: RpcContext): void {
  const noRepositoryName = (name: string): void => {
    if (name !== '') throw new LabError('UNSUPPORTED', "'repository_name' specification is not supported");
  };
  unary('repositoryIndex', (req) => {
    noRepositoryName(req.repositoryName);
    return { models: core.repositoryIndex(req.ready).map((e) => ({ name: e.name, version: e.version ?? '', state: e.state ?? '', reason: e.reason ?? '' })) };
  });
  unary('repositoryModelLoad', async (req) => {
    noRepositoryName(req.repositoryName);
    await core.load(req.modelName, loadParameters(req.parameters));
    return {};
  });
  unary('repositoryModelUnload', async (req) => {
    noRepositoryName(req.repositoryName);
    const p = req.parameters['unload_dependents'];
    if (p && p.parameterChoice.case !== 'boolParam') throw new LabError('INVALID_ARG', "invalid value type for 'unload_dependents' parameter, expected bool_param.");
    await core.unload(req.modelName, { unloadDependents: p?.parameterChoice.value === true });
    return {};
  });
}

/** The shared-memory RPCs of a server where no region can be registered. */
function addSharedMemoryRpcs(unary: Unary): void {
  unary('systemSharedMemoryStatus', (req) => {
    if (req.name !== '') throw new LabError('NOT_FOUND', `Unable to find system shared memory region: '${req.name}'`);
    return { regions: {} };
  });
  unary('systemSharedMemoryRegister', () => {
    throw new LabError('UNSUPPORTED', SHM_UNSUPPORTED);
  });
  unary('systemSharedMemoryUnregister', () => ({}));
  unary('cudaSharedMemoryStatus', (req) => {
    if (req.name !== '') throw new LabError('NOT_FOUND', `Unable to find cuda shared memory region: '${req.name}'`);
    return { regions: {} };
  });
  unary('cudaSharedMemoryRegister', (req) => {
    throw new LabError('INVALID_ARG', `failed to register CUDA shared memory region: '${req.name}', GPUs not supported`);
  });
  unary('cudaSharedMemoryUnregister', () => ({}));
}

/** Every unary RPC of GRPCInferenceService. */
export function addUnaryRpcs(unary: Unary, ctx: RpcContext): void {
  addHealthAndMetadataRpcs(unary, ctx);
  addInferRpc(unary, ctx);
  addModelControlRpcs(unary, ctx);
  addSharedMemoryRpcs(unary);
  addSettingsRpcs(unary, ctx);
}
