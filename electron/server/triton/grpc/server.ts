/**
 * Triton's gRPC frontend (grpc_server.cc, infer_handler.cc,
 * stream_infer_handler.cc) over a TritonCore: inference.GRPCInferenceService
 * with every RPC of Triton's grpc_service.proto, and grpc.health.v1.Health.
 * Messages are protobuf-es; grpc-js carries them. Errors keep Triton's
 * messages and map to gRPC codes as Triton's GrpcStatusUtil does.
 *
 * Gates, before a call's message is read: Triton's restricted protocols
 * (--grpc-restricted-protocol, each RPC in grpc_server.cc's category) and,
 * on a loopback address, an :authority naming this machine (DNS rebinding).
 * Received messages are limited (64 MiB by default, Triton allows 2 GiB) and
 * a ModelStreamInfer stream stops being read while it has too many requests
 * in flight or too many answers its client has not read. Request bytes held
 * at once count against a server-wide budget (shared with the HTTP endpoint
 * under serve), stalled messages and unread answers are cut off
 * (call-limits.ts), and connections and their concurrent streams are capped
 * (connections.ts: we own the listening socket and inject connections).
 *
 * Shared memory: no region can be registered in the lab, so the status RPCs
 * answer an empty list (NOT_FOUND for a named region), unregistering is a
 * no-op, registering system shared memory is UNIMPLEMENTED and registering
 * CUDA shared memory fails as on a Triton built without GPU support.
 */
import net from 'node:net';
import { create, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import {
  Metadata,
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  status,
  type ServerInterceptor,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerErrorResponse,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { type ErrorCode, LabError, errorMessage, toLabError } from '../../../engine/errors';
import { hostRefusal } from '../access';
import { BodyBudget } from '../http/body';
import type { CoreInferRequest, CoreInferResponse, LoadParameter, TritonCore } from '../core';
import type { LogLevel, SettingValue } from '../log-settings';
import { type RestrictedCategory, type Restrictions, restrictedProtocolMessage, restrictionMet } from '../restricted';
import type { DurationJson, ModelStatsJson } from '../statistics-json';
import type { TraceChange } from '../trace-settings';
import { parseVersion } from '../versions';
import {
  InferParameterSchema,
  type LogSettingsRequest_SettingValue,
  type ModelInferRequest,
  type ModelStreamInferResponse,
  ModelStatisticsSchema,
  ModelStreamInferResponseSchema,
  ModelInferResponseSchema,
  StatisticDurationSchema,
} from './gen/grpc_service_pb';
import { type HealthCheckRequest, type HealthCheckResponse, HealthCheckResponse_ServingStatus, HealthCheckResponseSchema } from './gen/health_pb';
import { callLimits, meterOf } from './call-limits';
import { GrpcConnections } from './connections';
import { inferResponse, readInferRequest } from './infer';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_RECEIVE_BYTES, GRPCInferenceService, Health, type ServiceShape, UndecodableRequest, serverServiceDefinition } from './service';

export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port; the handle reports the one bound. */
  port: number;
  /** Largest message received (default 64 MiB; Triton: INT32_MAX); larger ones fail with RESOURCE_EXHAUSTED unread. */
  maxMessageBytes?: number;
  /** Triton's --grpc-restricted-protocol (headers already carry the triton-grpc-protocol- prefix). */
  restricted?: Restrictions;
  /** ModelStreamInfer requests in flight on one stream before it stops being read (default 64). */
  maxStreamPending?: number;
  /** How long a graceful close waits for calls in flight before cutting them off (default 30 s). */
  drainTimeoutMs?: number;
  /** Request bytes held at once, all calls (and, when shared, HTTP bodies): default 2 GiB, never below one largest message. */
  budget?: BodyBudget;
  /** A started request message (a unary call's whole request) must arrive within this (default 120 s). */
  messageTimeoutMs?: number;
  /** A call whose answer waits while its connection sends nothing for this long is cut off (default 60 s). */
  sendTimeoutMs?: number;
  /** Open connections at most (default 256); idle or stalled ones make room. */
  maxConnections?: number;
  /** Calls open at once on one connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS, default 100). */
  maxConcurrentStreams?: number;
  /** A connection with no call open for this long is closed (GOAWAY; default 5 minutes). */
  maxConnectionIdleMs?: number;
  /** Triton's --grpc-max-connection-age / --grpc-max-connection-age-grace (ms; unlimited by default). */
  maxConnectionAgeMs?: number;
  maxConnectionAgeGraceMs?: number;
  /** Triton's --grpc-keepalive-time / --grpc-keepalive-timeout (ms; 7200000 / 20000). */
  keepaliveTimeMs?: number;
  keepaliveTimeoutMs?: number;
  log?: (level: LogLevel, message: string) => void;
}

export const GRPC_DEFAULTS = {
  budgetBytes: 2048 * 1024 * 1024,
  messageTimeoutMs: 120_000,
  sendTimeoutMs: 60_000,
  maxConnections: 256,
  maxConcurrentStreams: 100,
  maxConnectionIdleMs: 300_000,
  keepaliveTimeMs: 7_200_000,
  keepaliveTimeoutMs: 20_000,
} as const;

export interface RunningGrpcServer {
  port: number;
  /** Graceful: stop accepting calls and let those in flight finish; otherwise cut every call off. */
  close(graceful: boolean): Promise<void>;
}

/** Triton's GrpcStatusUtil::CodeToStatus. */
const GRPC_CODE: Record<ErrorCode, status> = {
  INVALID_ARG: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  UNAVAILABLE: status.UNAVAILABLE,
  UNSUPPORTED: status.UNIMPLEMENTED,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  INTERNAL: status.INTERNAL,
  CANCELLED: status.CANCELLED,
  UNKNOWN: status.UNKNOWN,
};

export function grpcStatusOf(code: ErrorCode): status {
  return GRPC_CODE[code];
}

/** A thrown error as the gRPC status a call ends with: Triton's code mapping, the message as it is. */
function serviceError(err: unknown): ServerErrorResponse {
  const e = toLabError(err);
  return Object.assign(new Error(e.message), { code: GRPC_CODE[e.code], details: e.message });
}

const SHM_UNSUPPORTED = 'shared memory is not supported by Model Lab; send tensors in the request';
const SHUTTING_DOWN = 'GRPC server is shutting down and has stopped accepting new requests.';

type Shape = ServiceShape<typeof GRPCInferenceService>;
type UnaryKey = { [K in keyof Shape]: Shape[K]['methodKind'] extends 'unary' ? K : never }[keyof Shape];
type Req<K extends keyof Shape> = MessageShape<Shape[K]['input']>;
type Res<K extends keyof Shape> = MessageShape<Shape[K]['output']>;
type ResInit<K extends keyof Shape> = MessageInitShape<Shape[K]['output']>;

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

/** std::stoi as Triton's TraceSetting handler applies it: leading integer, int32 range. */
function traceInteger(key: 'trace_rate' | 'trace_count' | 'log_frequency', raw: string): string {
  const m = /^\s*([+-]?\d+)/.exec(raw);
  if (!m) throw new LabError('INVALID_ARG', `Unable to parse '${key}', got: ${raw}`);
  const v = Number.parseInt(m[1]!, 10);
  if (v < -2147483648 || v > 2147483647) {
    const range = key === 'trace_count' ? '[ -1, 2147483647 ]' : '[ 0, 4294967295 ]';
    throw new LabError('INVALID_ARG', `Unable to parse '${key}', value is out of range ${range}, got: ${raw}`);
  }
  if (key === 'trace_count' && v < -1) throw new LabError('INVALID_ARG', `Unable to parse 'trace_count'. Expecting value >= -1, got: ${raw}`);
  return String(v);
}

/** One LogSettings value checked for the kind Triton expects of its key. */
function logValue(key: string, v: LogSettingsRequest_SettingValue): SettingValue {
  const c = v.parameterChoice;
  switch (key) {
    case 'log_verbose_level':
      if (c.case !== 'uint32Param') throw new LabError('INVALID_ARG', `expect int32 for '${key}'`);
      return c.value;
    case 'log_format':
      if (c.case !== 'stringParam') throw new LabError('INVALID_ARG', `expect string for '${key}'`);
      if (c.value !== 'default' && c.value !== 'ISO8601') throw new LabError('INVALID_ARG', `invalid argument for log_format, got: ${c.value}`);
      return c.value;
    default:
      if (c.case !== 'boolParam') throw new LabError('INVALID_ARG', `expect boolean for '${key}'`);
      return c.value;
  }
}

/** The category grpc_server.cc restricts each RPC under (health.v1 Check with health, as Triton's HealthCheck). */
const CATEGORY: Record<string, RestrictedCategory> = {
  ServerLive: 'health',
  ServerReady: 'health',
  ModelReady: 'health',
  ServerMetadata: 'metadata',
  ModelMetadata: 'metadata',
  ModelInfer: 'inference',
  ModelStreamInfer: 'inference',
  ModelConfig: 'model-config',
  ModelStatistics: 'statistics',
  RepositoryIndex: 'model-repository',
  RepositoryModelLoad: 'model-repository',
  RepositoryModelUnload: 'model-repository',
  SystemSharedMemoryStatus: 'shared-memory',
  SystemSharedMemoryRegister: 'shared-memory',
  SystemSharedMemoryUnregister: 'shared-memory',
  CudaSharedMemoryStatus: 'shared-memory',
  CudaSharedMemoryRegister: 'shared-memory',
  CudaSharedMemoryUnregister: 'shared-memory',
  TraceSetting: 'trace',
  LogSettings: 'logging',
};

const categoryOfPath = (path: string): RestrictedCategory | undefined => {
  if (path.startsWith(`/${Health.typeName}/`)) return 'health';
  if (!path.startsWith(`/${GRPCInferenceService.typeName}/`)) return undefined;
  return CATEGORY[path.slice(GRPCInferenceService.typeName.length + 2)];
};

/**
 * Refuses a call from its headers alone, before its message is read: a foreign :authority on a loopback
 * address, then a missing or wrong restricted-protocol header (ExecutePrecondition).
 */
function gate(host: string, restricted: Restrictions): ServerInterceptor {
  return (descriptor, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            const badHost = hostRefusal(host, call.getHost());
            if (badHost) return call.sendStatus({ code: status.PERMISSION_DENIED, details: badHost, metadata: new Metadata() });
            const category = categoryOfPath(descriptor.path);
            const r = category ? restricted[category] : undefined;
            if (r) {
              const given = metadata.get(r.header)[0];
              if (!restrictionMet(typeof given === 'string' ? given : given?.toString('latin1'), r.value)) {
                return call.sendStatus({ code: status.UNAVAILABLE, details: restrictedProtocolMessage(r.header), metadata: new Metadata() });
              }
            }
            pass(metadata);
          },
        }),
    });
}

/** grpc-js's channel options for our limits (connection age and keepalive as Triton sets them). */
function channelOptions(opts: GrpcServerOptions, maxReceive: number): Record<string, number> {
  const age = opts.maxConnectionAgeMs ?? 0;
  const grace = opts.maxConnectionAgeGraceMs ?? 0;
  return {
    'grpc.max_receive_message_length': maxReceive,
    'grpc.max_send_message_length': DEFAULT_MAX_MESSAGE_BYTES,
    'grpc.max_concurrent_streams': opts.maxConcurrentStreams ?? GRPC_DEFAULTS.maxConcurrentStreams,
    'grpc.max_connection_idle_ms': opts.maxConnectionIdleMs ?? GRPC_DEFAULTS.maxConnectionIdleMs,
    'grpc.keepalive_time_ms': opts.keepaliveTimeMs ?? GRPC_DEFAULTS.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': opts.keepaliveTimeoutMs ?? GRPC_DEFAULTS.keepaliveTimeoutMs,
    ...(age > 0 ? { 'grpc.max_connection_age_ms': age } : {}),
    ...(grace > 0 ? { 'grpc.max_connection_age_grace_ms': grace } : {}),
  };
}

/** Our own listening socket: accepted connections go to the cap, then to grpc-js. */
function listen(host: string, port: number, accept: (socket: net.Socket) => void): Promise<net.Server> {
  const listener = net.createServer({ noDelay: true }, accept);
  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(port, host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host, () => {
      listener.off('error', reject);
      resolve(listener);
    });
  });
}

export async function startGrpcServer(core: TritonCore, opts: GrpcServerOptions): Promise<RunningGrpcServer> {
  const log = (level: LogLevel, message: string): void => {
    if (core.logSettings.allows(level)) opts.log?.(level, message);
  };
  const maxReceive = opts.maxMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES;
  const budget = opts.budget ?? new BodyBudget(Math.max(GRPC_DEFAULTS.budgetBytes, maxReceive + 5));
  const connections = new GrpcConnections(opts.maxConnections ?? GRPC_DEFAULTS.maxConnections);
  const limits = callLimits({
    budget,
    messageTimeoutMs: opts.messageTimeoutMs ?? GRPC_DEFAULTS.messageTimeoutMs,
    sendTimeoutMs: opts.sendTimeoutMs ?? GRPC_DEFAULTS.sendTimeoutMs,
    connections,
    log: (message) => log('verbose', message),
  });
  const server = new Server({ ...channelOptions(opts, maxReceive), interceptors: [limits, gate(opts.host, opts.restricted ?? {})] });
  const maxPending = opts.maxStreamPending ?? 64;
  let stopping = false;
  /** Open streams: each is told when a graceful close begins. */
  const streams = new Set<{ drain(): void }>();

  // ---- unary RPCs -------------------------------------------------------
  const impl: UntypedServiceImplementation = {};
  const unary = <K extends UnaryKey>(key: K, fn: (req: Req<K>, signal: AbortSignal) => Promise<ResInit<K>> | ResInit<K>): void => {
    const method = GRPCInferenceService.method[key];
    impl[method.name] = (call: ServerUnaryCall<Req<K>, Res<K>>, callback: sendUnaryData<Res<K>>): void => {
      const request: unknown = call.request;
      if (request instanceof UndecodableRequest) return callback(serviceError(request.error()));
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      Promise.resolve()
        .then(() => fn(call.request, abort.signal))
        .then(
          (res) => callback(null, create(method.output, res) as Res<K>),
          (err: unknown) => {
            log('verbose', `${method.name} failed: ${errorMessage(err)}`);
            callback(serviceError(err));
          },
        );
    };
  };
  const version = (v: string): string | undefined => (v === '' ? undefined : v);

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

  unary('modelInfer', async (req, signal) => {
    if (stopping) throw new LabError('UNAVAILABLE', SHUTTING_DOWN);
    const config = core.modelConfigMessage(req.modelName, version(req.modelVersion));
    if (config.modelTransactionPolicy?.decoupled) throw new LabError('UNSUPPORTED', "ModelInfer RPC doesn't support models with decoupled transaction policy");
    const { name, version: v, request } = readInferRequest(req, config);
    return inferResponse(await core.infer(name, version(v), { ...request, signal }));
  });

  const noRepositoryName = (name: string): void => {
    if (name !== '') throw new LabError('UNSUPPORTED', "'repository_name' specification is not supported");
  };
  unary('repositoryIndex', (req) => {
    noRepositoryName(req.repositoryName);
    return { models: core.repositoryIndex(req.ready).map((e) => ({ name: e.name, version: e.version ?? '', state: e.state ?? '', reason: e.reason ?? '' })) };
  });
  unary('repositoryModelLoad', async (req) => {
    noRepositoryName(req.repositoryName);
    const params: Record<string, LoadParameter> = {};
    for (const [key, p] of Object.entries(req.parameters)) {
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
    await core.load(req.modelName, params);
    return {};
  });
  unary('repositoryModelUnload', async (req) => {
    noRepositoryName(req.repositoryName);
    const p = req.parameters['unload_dependents'];
    if (p && p.parameterChoice.case !== 'boolParam') throw new LabError('INVALID_ARG', "invalid value type for 'unload_dependents' parameter, expected bool_param.");
    await core.unload(req.modelName, { unloadDependents: p?.parameterChoice.value === true });
    return {};
  });

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

  unary('traceSetting', (req) => {
    const model = req.modelName === '' ? undefined : req.modelName;
    if (model && !core.modelReady(model)) throw new LabError('INVALID_ARG', `Request for unknown model : ${model}`);
    const s = req.settings;
    if (Object.keys(s).length > 0) {
      if (s['trace_file']) throw new LabError('UNSUPPORTED', 'trace file location can not be updated through network protocol');
      const changes: Record<string, TraceChange> = {};
      const level = s['trace_level'];
      if (level) changes['trace_level'] = level.value.length === 0 ? null : level.value;
      for (const key of ['trace_rate', 'trace_count', 'log_frequency'] as const) {
        const v = s[key];
        if (!v) continue;
        if (v.value.length === 0) changes[key] = null;
        else if (v.value.length === 1) changes[key] = traceInteger(key, v.value[0]!);
        else throw new LabError('INVALID_ARG', `expect only 1 value for '${key}'`);
      }
      core.traceSettings.update(model, changes);
    }
    const now = core.traceSettings.get(model);
    return {
      settings: {
        trace_level: { value: now.trace_level },
        trace_rate: { value: [now.trace_rate] },
        trace_count: { value: [now.trace_count] },
        log_frequency: { value: [now.log_frequency] },
        trace_file: { value: [now.trace_file] },
        trace_mode: { value: [now.trace_mode] },
      },
    };
  });

  unary('logSettings', (req) => {
    const s = req.settings;
    if (Object.keys(s).length > 0) {
      if (s['log_file']) throw new LabError('UNSUPPORTED', 'log file location can not be updated through network protocol');
      // Applied one by one in Triton's order: a bad value stops there, earlier ones stay applied.
      for (const key of ['log_info', 'log_warning', 'log_error', 'log_verbose_level', 'log_format']) {
        const v = s[key];
        if (v) core.logSettings.update({ [key]: logValue(key, v) });
      }
    }
    const now = core.logSettings.get();
    return {
      settings: {
        log_file: { parameterChoice: { case: 'stringParam', value: now.log_file } },
        log_info: { parameterChoice: { case: 'boolParam', value: now.log_info } },
        log_warning: { parameterChoice: { case: 'boolParam', value: now.log_warning } },
        log_error: { parameterChoice: { case: 'boolParam', value: now.log_error } },
        log_verbose_level: { parameterChoice: { case: 'uint32Param', value: now.log_verbose_level } },
        log_format: { parameterChoice: { case: 'stringParam', value: now.log_format } },
      },
    };
  });

  // ---- ModelStreamInfer -----------------------------------------------------
  /** Triton's `triton_final_response` parameter, set on every response its stream callback writes. */
  const finalParam = (final: boolean) => ({ triton_final_response: create(InferParameterSchema, { parameterChoice: { case: 'boolParam', value: final } }) });

  /** A request that failed as a whole: error_message (with the id when the request was refused before running). */
  const streamFailure = (req: ModelInferRequest, err: unknown): { message: ModelStreamInferResponse; error: LabError } => {
    const e = toLabError(err);
    log('verbose', `[request id: ${req.id || '<id_unknown>'}] Infer failed: ${e.message}`);
    // Errors from a running model come back like Triton's response callback: no id, the final flag.
    const ran = e.stage === 'execute';
    const inferResponse = create(ModelInferResponseSchema, ran ? { parameters: finalParam(true) } : { id: req.id });
    return { message: create(ModelStreamInferResponseSchema, { errorMessage: e.message, inferResponse }), error: e };
  };

  const startInfer = async (req: ModelInferRequest, signal: AbortSignal, onResponse?: CoreInferRequest['onResponse']): Promise<CoreInferResponse> => {
    if (stopping) throw new LabError('UNAVAILABLE', SHUTTING_DOWN);
    const config = core.modelConfigMessage(req.modelName, version(req.modelVersion));
    const { name, version: v, request } = readInferRequest(req, config);
    return core.infer(name, version(v), { ...request, signal, ...(onResponse ? { onResponse } : {}) });
  };

  /** One request to a model that is not decoupled: its one response, or its error. */
  const streamAnswer = async (req: ModelInferRequest, signal: AbortSignal): Promise<{ message: ModelStreamInferResponse; error?: LabError }> => {
    try {
      const response = inferResponse(await startInfer(req, signal));
      response.parameters = finalParam(true);
      return { message: create(ModelStreamInferResponseSchema, { inferResponse: response }) };
    } catch (err) {
      return streamFailure(req, err);
    }
  };

  /** A model that is not found cannot be decoupled; its request fails on the usual path. */
  const isDecoupled = (req: ModelInferRequest): boolean => {
    try {
      return core.modelConfigMessage(req.modelName, version(req.modelVersion)).modelTransactionPolicy?.decoupled === true;
    } catch {
      return false;
    }
  };

  /**
   * One request to a decoupled model: each response is written as the model sends it, with
   * `triton_final_response`; a final flag sent alone is written (as an empty response naming the
   * request) only when the request set `triton_enable_empty_final_response`. Errors go to `failed`
   * (which writes them, or closes the stream under `triton_grpc_error`).
   */
  const streamDecoupled = async (
    req: ModelInferRequest,
    signal: AbortSignal,
    write: (m: ModelStreamInferResponse) => void,
    failed: (m: ModelStreamInferResponse, e: LabError) => void,
  ): Promise<void> => {
    const p = req.parameters['triton_enable_empty_final_response']?.parameterChoice;
    const emptyFinal = p?.case === 'boolParam' && p.value;
    const echo = { id: req.id, modelName: req.modelName, modelVersion: req.modelVersion };
    try {
      await startInfer(req, signal, (r, final) => {
        if (r === null) {
          if (emptyFinal) write(create(ModelStreamInferResponseSchema, { inferResponse: create(ModelInferResponseSchema, { ...echo, parameters: finalParam(true) }) }));
        } else if (r instanceof LabError) {
          log('verbose', `[request id: ${req.id || '<id_unknown>'}] Infer failed: ${r.message}`);
          failed(create(ModelStreamInferResponseSchema, { errorMessage: r.message, inferResponse: create(ModelInferResponseSchema, { ...echo, parameters: finalParam(final) }) }), r);
        } else {
          const response = inferResponse(r);
          response.parameters = finalParam(final);
          write(create(ModelStreamInferResponseSchema, { inferResponse: response }));
        }
      });
    } catch (err) {
      const { message, error } = streamFailure(req, err);
      failed(message, error);
    }
  };

  impl[GRPCInferenceService.method.modelStreamInfer.name] = (call: ServerDuplexStream<ModelInferRequest, ModelStreamInferResponse>): void => {
    const abort = new AbortController();
    // triton_grpc_error: true closes the stream with the first error's status instead of answering error_message.
    const grpcErrorMode = call.metadata.get('triton_grpc_error')[0] === 'true';
    let pending = 0;
    let inputEnded = false;
    let finished = false;
    let draining = false;
    // Responses go out in request order, as Triton writes them for models that are not decoupled;
    // a decoupled model's responses go out as they come.
    let order: Promise<void> = Promise.resolve();
    const finish = (err?: LabError | ServerErrorResponse): void => {
      if (finished) return;
      finished = true;
      streams.delete(entry);
      if (err) {
        abort.abort();
        call.emit('error', err instanceof LabError ? serviceError(err) : err);
      } else call.end();
    };
    const maybeFinish = (): void => {
      if ((inputEnded || draining) && pending === 0) finish();
    };
    // Too many requests in flight: stop reading the stream, so further ones wait in the transport.
    const meter = meterOf(call.metadata);
    const settled = (): void => {
      meter?.requestDone();
      pending--;
      if (call.isPaused() && pending < maxPending) call.resume();
      maybeFinish();
    };
    // A decoupled model's answers cannot wait: a client that does not read them loses the stream.
    const unread = (): ServerErrorResponse => {
      const details = `the client is not reading this stream's responses (${call.writableLength} waiting); closing it`;
      return Object.assign(new Error(details), { code: status.RESOURCE_EXHAUSTED, details });
    };
    const entry = {
      drain: () => {
        draining = true;
        maybeFinish();
      },
    };
    streams.add(entry);
    const write = (message: ModelStreamInferResponse): Promise<void> =>
      new Promise((resolve) => {
        if (finished || call.cancelled) return resolve();
        if (call.write(message)) return resolve();
        const done = (): void => {
          call.off('drain', done);
          call.off('cancelled', done);
          resolve();
        };
        call.on('drain', done);
        call.on('cancelled', done);
      });
    let broken = false;
    call.on('data', (req: ModelInferRequest | UndecodableRequest) => {
      if (finished || broken) return;
      if (req instanceof UndecodableRequest) {
        // Like a failed read: the answers before it go out, then the stream ends with the error
        // (counted as pending, so the stream cannot end well in between).
        broken = true;
        pending++;
        order = order.then(() => finish(req.error()));
        return;
      }
      if (++pending >= maxPending) call.pause();
      if (isDecoupled(req)) {
        const send = (m: ModelStreamInferResponse): void => (call.writableLength >= maxPending * 16 ? finish(unread()) : void write(m));
        const failed = (m: ModelStreamInferResponse, e: LabError): void => (grpcErrorMode ? finish(e) : send(m));
        void streamDecoupled(req, abort.signal, send, failed).finally(settled);
        return;
      }
      const answer = streamAnswer(req, abort.signal);
      order = order.then(async () => {
        const { message, error } = await answer;
        if (error && grpcErrorMode) finish(error);
        else await write(message);
        settled();
      });
    });
    call.on('end', () => {
      inputEnded = true;
      maybeFinish();
    });
    call.on('cancelled', () => {
      abort.abort();
      finished = true;
      streams.delete(entry);
    });
    call.on('error', (err: Error) => log('verbose', `ModelStreamInfer stream error: ${err.message}`));
  };

  server.addService(serverServiceDefinition(GRPCInferenceService), impl);

  // ---- grpc.health.v1.Health ----------------------------------------------
  const servingStatus = (): HealthCheckResponse_ServingStatus => (core.ready() ? HealthCheckResponse_ServingStatus.SERVING : HealthCheckResponse_ServingStatus.NOT_SERVING);
  const watches = new Set<() => void>();
  server.addService(serverServiceDefinition(Health), {
    [Health.method.check.name]: (call: ServerUnaryCall<HealthCheckRequest | UndecodableRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>): void => {
      if (call.request instanceof UndecodableRequest) return callback(serviceError(call.request.error()));
      try {
        callback(null, create(HealthCheckResponseSchema, { status: servingStatus() }));
      } catch (err) {
        callback(serviceError(err));
      }
    },
    // Sends the status now and again whenever it changes (checked once a second).
    [Health.method.watch.name]: (call: ServerWritableStream<HealthCheckRequest | UndecodableRequest, HealthCheckResponse>): void => {
      if (call.request instanceof UndecodableRequest) return void call.emit('error', serviceError(call.request.error()));
      const current = (): HealthCheckResponse_ServingStatus => {
        try {
          return servingStatus();
        } catch {
          return HealthCheckResponse_ServingStatus.NOT_SERVING;
        }
      };
      let last = current();
      call.write(create(HealthCheckResponseSchema, { status: last }));
      const timer = setInterval(() => {
        const now = current();
        if (now !== last) {
          last = now;
          call.write(create(HealthCheckResponseSchema, { status: now }));
        }
      }, 1000);
      timer.unref();
      const stop = (): void => {
        clearInterval(timer);
        watches.delete(stop);
      };
      const end = (): void => {
        stop();
        call.end();
      };
      watches.add(end);
      call.on('cancelled', stop);
    },
  });

  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const listener = await listen(opts.host, opts.port, (socket) => connections.admit(socket, (s) => injector.injectConnection(s)));
  const port = (listener.address() as net.AddressInfo).port;
  const stopListening = (): void => {
    if (listener.listening) listener.close();
  };

  let closing: Promise<void> | undefined;
  const force = (): void => {
    server.forceShutdown();
    connections.destroyAll();
  };
  return {
    port,
    close(graceful: boolean): Promise<void> {
      if (closing) {
        if (!graceful) force();
        return closing;
      }
      stopping = true;
      stopListening();
      for (const end of [...watches]) end();
      if (!graceful) {
        force();
        closing = Promise.resolve();
        return closing;
      }
      for (const s of [...streams]) s.drain();
      closing = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          log('warning', 'gRPC calls still in flight after the drain timeout; closing them');
          force();
          resolve();
        }, opts.drainTimeoutMs ?? 30_000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          connections.destroyAll();
          resolve();
        });
      });
      return closing;
    },
  };
}
