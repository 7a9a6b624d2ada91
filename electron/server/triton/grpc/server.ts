/**
 * Triton's gRPC frontend (grpc_server.cc, infer_handler.cc,
 * stream_infer_handler.cc) over a TritonCore: inference.GRPCInferenceService
 * with every RPC of Triton's grpc_service.proto (unary-rpcs.ts,
 * settings-rpcs.ts, stream-infer.ts), and grpc.health.v1.Health (health.ts).
 * Messages are protobuf-es; grpc-js carries them. Errors keep Triton's
 * messages and map to gRPC codes as Triton's GrpcStatusUtil does (rpc.ts).
 * This module wires them into one grpc-js server, listens, and closes.
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
 */
import net from 'node:net';
import { type Metadata, Server, ServerCredentials, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { hostRefusal } from '../access';
import { BodyBudget } from '../http/body';
import type { TritonCore } from '../core';
import type { LogLevel } from '../log-settings';
import { type RestrictedCategory, type Restrictions, restrictedProtocolMessage, restrictionMet } from '../restricted';
import { type Refusal, callLimits } from './call-limits';
import { GrpcConnections } from './connections';
import { healthService } from './health';
import { type RpcContext, unaryAdder } from './rpc';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_RECEIVE_BYTES, GRPCInferenceService, Health, serverServiceDefinition } from './service';
import { type DrainableStream, modelStreamInfer } from './stream-infer';
import { addUnaryRpcs } from './unary-rpcs';

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

/** :authority values remembered as allowed (a client sends the same one on every call); past this many, none more are. */
const KNOWN_AUTHORITIES = 16;

/**
 * Refuses a call from its headers alone, before its message is read: a foreign :authority on a loopback
 * address, then a missing or wrong restricted-protocol header (ExecutePrecondition).
 */
function gate(host: string, restricted: Restrictions): (path: string, authority: string, metadata: Metadata) => Refusal | undefined {
  const allowed = new Set<string>();
  return (path, authority, metadata) => {
    if (!allowed.has(authority)) {
      const badHost = hostRefusal(host, authority);
      if (badHost) return { code: status.PERMISSION_DENIED, details: badHost };
      if (allowed.size < KNOWN_AUTHORITIES) allowed.add(authority);
    }
    const category = categoryOfPath(path);
    const r = category ? restricted[category] : undefined;
    if (r) {
      const given = metadata.get(r.header)[0];
      if (!restrictionMet(typeof given === 'string' ? given : given?.toString('latin1'), r.value)) return { code: status.UNAVAILABLE, details: restrictedProtocolMessage(r.header) };
    }
    return undefined;
  };
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
    // Channelz (grpc-js's per-call and per-socket bookkeeping for its debug service) is never served here: off, it costs nothing per call.
    'grpc.enable_channelz': 0,
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

/** What a close acts on: the server and its sockets, the open streams and Health watches. */
interface Closable {
  server: Server;
  listener: net.Server;
  connections: GrpcConnections;
  streams: Set<DrainableStream>;
  endWatches(): void;
  drainTimeoutMs: number;
  log(level: LogLevel, message: string): void;
}

/**
 * The server's close: new calls refused and the listener closed at once; graceful, open streams
 * finish their requests and calls in flight get the drain timeout before they are cut off;
 * otherwise (or a second, forced close) every call is cut off now.
 */
function closer(c: Closable, stop: () => void): (graceful: boolean) => Promise<void> {
  let closing: Promise<void> | undefined;
  const force = (): void => {
    c.server.forceShutdown();
    c.connections.destroyAll();
  };
  return (graceful) => {
    if (closing) {
      if (!graceful) force();
      return closing;
    }
    stop();
    if (c.listener.listening) c.listener.close();
    c.endWatches();
    if (!graceful) {
      force();
      closing = Promise.resolve();
      return closing;
    }
    for (const s of [...c.streams]) s.drain();
    closing = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        c.log('warning', 'gRPC calls still in flight after the drain timeout; closing them');
        force();
        resolve();
      }, c.drainTimeoutMs);
      c.server.tryShutdown(() => {
        clearTimeout(timer);
        c.connections.destroyAll();
        resolve();
      });
    });
    return closing;
  };
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
    admit: gate(opts.host, opts.restricted ?? {}),
  });
  const server = new Server({ ...channelOptions(opts, maxReceive), interceptors: [limits] });
  let stopping = false;
  const ctx: RpcContext = { core, log, stopping: () => stopping };
  const streams = new Set<DrainableStream>();

  const impl: UntypedServiceImplementation = {};
  addUnaryRpcs(unaryAdder(impl, log), ctx);
  impl[GRPCInferenceService.method.modelStreamInfer.name] = modelStreamInfer(ctx, { maxPending: opts.maxStreamPending ?? 64, streams });
  server.addService(serverServiceDefinition(GRPCInferenceService), impl);
  const health = healthService(core);
  server.addService(serverServiceDefinition(Health), health.implementation);

  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const listener = await listen(opts.host, opts.port, (socket) => connections.admit(socket, (s) => injector.injectConnection(s)));
  const close = closer({ server, listener, connections, streams, endWatches: health.endWatches, drainTimeoutMs: opts.drainTimeoutMs ?? 30_000, log }, () => {
    stopping = true;
  });
  return { port: (listener.address() as net.AddressInfo).port, close };
}
