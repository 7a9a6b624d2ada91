/**
 * Serving a repository the way `tritonserver` does: the HTTP, gRPC and
 * metrics endpoints over one TritonCore, started together (or not at all),
 * and stopped gracefully: new requests are refused, requests in flight
 * finish, then the listeners close. Used by `model-lab serve` and by the
 * desktop app's serve switch. The endpoints' protections (origins, Host,
 * restricted APIs, body and connection limits) are set here from one set of
 * options, with one budget of request bytes held for both endpoints; see
 * docs/SECURITY.md.
 */
import os from 'node:os';
import path from 'node:path';
import { LabError, errorMessage } from '../../engine/errors';
import type { Repository } from '../../engine/repository/repository';
import { isLoopbackName } from './access';
import { attachModelControl } from './bls-model-control';
import { TritonCore } from './core';
import { type GrpcServerOptions, startGrpcServer } from './grpc/server';
import { BodyBudget } from './http/body';
import { HTTP_DEFAULTS, type HttpServerOptions, startHttpServer } from './http/server';
import type { LogLevel } from './log-settings';
import { startMetricsServer } from './metrics/server';
import type { MetricsConfig } from './metrics/triton-metrics';
import type { Restrictions } from './restricted';

export interface Endpoint {
  host: string;
  port: number;
}

export interface ServeOptions {
  /** false turns an endpoint off (--allow-http=false and friends). */
  http: Endpoint | false;
  grpc: Endpoint | false;
  metrics: Endpoint | false;
  /** Reported as the server version. */
  version: string;
  strictReadiness?: boolean;
  exitTimeoutSecs?: number;
  httpMaxInputBytes?: number;
  /** The largest HTTP body with binary tensor data (lab-only --http-max-body-size, default 1 GiB). */
  httpMaxBodyBytes?: number;
  /** HTTP request bodies, gRPC request messages and unsent answers of both held at once (lab-only --http-body-budget, default 2 GiB, never below one largest body or message). */
  httpBodyBudgetBytes?: number;
  /** Origins whose pages may call the HTTP API (lab-only --http-allow-origin; none by default). */
  httpAllowOrigins?: string[];
  /** Triton's --http-restricted-api. */
  httpRestricted?: Restrictions;
  /** Lab-only --http-header-timeout-secs / --http-body-timeout-secs / --http-max-connections / --http-send-timeout-secs. */
  httpHeaderTimeoutMs?: number;
  httpBodyTimeoutMs?: number;
  httpMaxConnections?: number;
  httpSendTimeoutMs?: number;
  /** Inferences in flight, all frontends together, before new ones are refused (default 1024). */
  maxInflight?: number;
  /** The largest gRPC message received (lab-only --grpc-max-message-size; default --http-max-input-size). */
  grpcMaxMessageBytes?: number;
  /** Triton's --grpc-restricted-protocol. */
  grpcRestricted?: Restrictions;
  /** Lab-only --grpc-max-connections / --grpc-max-concurrent-streams. */
  grpcMaxConnections?: number;
  grpcMaxConcurrentStreams?: number;
  /** Triton's --grpc-max-connection-age / --grpc-max-connection-age-grace / --grpc-keepalive-time / --grpc-keepalive-timeout (ms). */
  grpcMaxConnectionAgeMs?: number;
  grpcMaxConnectionAgeGraceMs?: number;
  grpcKeepaliveTimeMs?: number;
  grpcKeepaliveTimeoutMs?: number;
  /** Load/unload over the API even if the repository is not in explicit mode (the desktop Serve panel's switch). */
  allowModelControl?: boolean;
  allowCpuMetrics?: boolean;
  metricsIntervalMs?: number;
  /** --metrics-config settings (counter, histogram and summary latencies, summary quantiles). */
  metricsConfig?: MetricsConfig;
  /** --trace-config triton,file=<path> and friends. */
  trace?: { file?: string; level?: string[]; rate?: string; count?: string; logFrequency?: string };
  log?: { verbose?: number; info?: boolean; warning?: boolean; error?: boolean; format?: string };
  /** Where log lines go (already formatted). */
  sink?: (line: string) => void;
}

export interface Serving {
  core: TritonCore;
  /** The addresses actually bound (ports resolved when 0 was asked). */
  http?: Endpoint;
  grpc?: Endpoint;
  metrics?: Endpoint;
  /** Refuses new requests, lets those in flight finish (up to the exit timeout), closes every listener. */
  stop(): Promise<{ drained: boolean }>;
}

/** Whether an address is only reachable from this machine (localhost, 127.0.0.0/8, ::1). */
export function isLoopback(host: string): boolean {
  return isLoopbackName(host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
}

function bindError(kind: string, ep: Endpoint, err: unknown): LabError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'address not available on this machine' : errorMessage(err);
  return new LabError('UNAVAILABLE', `failed to start ${kind} service on ${ep.host}:${ep.port}: ${why}`, { cause: err });
}

/** Only the options that were given, so each server keeps its own defaults. */
function given<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/**
 * One budget for both endpoints, so HTTP bodies and gRPC messages together stay under it: the flag's
 * value, else 2 GiB, never below one largest body or message.
 */
function sharedBudget(opts: ServeOptions): BodyBudget {
  const maxInput = opts.httpMaxInputBytes ?? HTTP_DEFAULTS.maxInputBytes;
  const largest = Math.max(opts.httpMaxBodyBytes ?? HTTP_DEFAULTS.maxBodyBytes, maxInput, (opts.grpcMaxMessageBytes ?? maxInput) + 5);
  return new BodyBudget(opts.httpBodyBudgetBytes ?? Math.max(HTTP_DEFAULTS.bodyBudgetBytes, largest));
}

function httpOptions(opts: ServeOptions, ep: Endpoint, budget: BodyBudget): HttpServerOptions {
  return {
    host: ep.host,
    port: ep.port,
    budget,
    ...given({
      maxInputBytes: opts.httpMaxInputBytes,
      maxBodyBytes: opts.httpMaxBodyBytes,
      allowOrigins: opts.httpAllowOrigins,
      restricted: opts.httpRestricted,
      headerTimeoutMs: opts.httpHeaderTimeoutMs,
      bodyTimeoutMs: opts.httpBodyTimeoutMs,
      maxConnections: opts.httpMaxConnections,
      sendTimeoutMs: opts.httpSendTimeoutMs,
    }),
  };
}

function grpcOptions(opts: ServeOptions, ep: Endpoint, budget: BodyBudget): GrpcServerOptions {
  return {
    host: ep.host,
    port: ep.port,
    budget,
    ...given({
      maxMessageBytes: opts.grpcMaxMessageBytes ?? opts.httpMaxInputBytes,
      restricted: opts.grpcRestricted,
      // One clock for request bytes and one for unread answers, on both endpoints.
      messageTimeoutMs: opts.httpBodyTimeoutMs,
      sendTimeoutMs: opts.httpSendTimeoutMs,
      maxConnections: opts.grpcMaxConnections,
      maxConcurrentStreams: opts.grpcMaxConcurrentStreams,
      maxConnectionAgeMs: opts.grpcMaxConnectionAgeMs,
      maxConnectionAgeGraceMs: opts.grpcMaxConnectionAgeGraceMs,
      keepaliveTimeMs: opts.grpcKeepaliveTimeMs,
      keepaliveTimeoutMs: opts.grpcKeepaliveTimeoutMs,
    }),
  };
}

/** The core, with the log and trace settings given on the command line. */
function createCore(repo: Repository, opts: ServeOptions): TritonCore {
  const core = new TritonCore(repo, {
    version: opts.version,
    ...(opts.strictReadiness !== undefined ? { strictReadiness: opts.strictReadiness } : {}),
    ...(opts.exitTimeoutSecs !== undefined ? { exitTimeoutSecs: opts.exitTimeoutSecs } : {}),
    scratchDir: path.resolve(os.tmpdir()),
    ...(opts.maxInflight ? { maxInflight: opts.maxInflight } : {}),
    ...(opts.allowModelControl ? { allowModelControl: true } : {}),
    log: (level: LogLevel, message: string) => opts.sink?.(core.logSettings.format(level, message)),
  });
  if (opts.log) {
    core.logSettings.update({
      ...(opts.log.verbose !== undefined ? { log_verbose_level: opts.log.verbose } : {}),
      ...(opts.log.info !== undefined ? { log_info: opts.log.info } : {}),
      ...(opts.log.warning !== undefined ? { log_warning: opts.log.warning } : {}),
      ...(opts.log.error !== undefined ? { log_error: opts.log.error } : {}),
      ...(opts.log.format !== undefined ? { log_format: opts.log.format } : {}),
    });
  }
  if (opts.trace) {
    const t = opts.trace;
    core.traceSettings.configure({
      ...(t.file !== undefined ? { trace_file: t.file } : {}),
      ...(t.level !== undefined ? { trace_level: t.level } : {}),
      ...(t.rate !== undefined ? { trace_rate: t.rate } : {}),
      ...(t.count !== undefined ? { trace_count: t.count } : {}),
      ...(t.logFrequency !== undefined ? { log_frequency: t.logFrequency } : {}),
    });
  }
  return core;
}

/** One endpoint to start: its key in Serving, its names (in bind errors, and in tritonserver's "Started …" line) and its start. */
interface EndpointStart {
  key: 'grpc' | 'http' | 'metrics';
  kind: string;
  service: string;
  ep: Endpoint | false;
  start(ep: Endpoint): Promise<{ port: number; close(): Promise<void> }>;
}

/** gRPC, HTTP and metrics in tritonserver's order, each with its options; one shared budget for the first two. */
function endpointStarts(core: TritonCore, opts: ServeOptions, log: (level: LogLevel, message: string) => void): EndpointStart[] {
  const budget = sharedBudget(opts);
  return [
    {
      key: 'grpc',
      kind: 'GRPC',
      service: 'GRPCInferenceService',
      ep: opts.grpc,
      start: async (ep) => {
        const g = await startGrpcServer(core, { ...grpcOptions(opts, ep, budget), log });
        return { port: g.port, close: () => g.close(true) };
      },
    },
    {
      key: 'http',
      kind: 'HTTP',
      service: 'HTTPService',
      ep: opts.http,
      start: async (ep) => {
        const h = await startHttpServer(core, { ...httpOptions(opts, ep, budget), log });
        return { port: h.port, close: () => h.close() };
      },
    },
    {
      key: 'metrics',
      kind: 'Metrics',
      service: 'Metrics Service',
      ep: opts.metrics,
      start: async (ep) => {
        const m = await startMetricsServer(core, {
          host: ep.host,
          port: ep.port,
          ...(opts.allowCpuMetrics !== undefined ? { allowCpuMetrics: opts.allowCpuMetrics } : {}),
          ...(opts.metricsIntervalMs !== undefined ? { intervalMs: opts.metricsIntervalMs } : {}),
          ...opts.metricsConfig,
        });
        return { port: m.port, close: () => m.close() };
      },
    },
  ];
}

export async function startServing(repo: Repository, opts: ServeOptions): Promise<Serving> {
  const core = createCore(repo, opts);
  const log = (level: LogLevel, message: string): void => {
    if (core.logSettings.allows(level)) opts.sink?.(core.logSettings.format(level, message));
  };
  // All or nothing: an endpoint that fails to start closes those already started.
  // Models may load and unload models (BLS model control) through this core while it serves.
  const closers: (() => Promise<void>)[] = [attachModelControl(repo, core)];
  const serving: Omit<Serving, 'stop'> = { core };
  try {
    for (const e of endpointStarts(core, opts, log)) {
      const ep = e.ep;
      if (!ep) continue;
      const started = await e.start(ep).catch((err: unknown) => {
        throw bindError(e.kind, ep, err);
      });
      closers.push(started.close);
      serving[e.key] = { host: ep.host, port: started.port };
      log('info', `Started ${e.service} at ${ep.host}:${started.port}`);
    }
  } catch (err) {
    await Promise.all(closers.map((c) => c().catch(() => undefined)));
    throw err;
  }
  let stopped: Promise<{ drained: boolean }> | undefined;
  return {
    ...serving,
    stop: () => {
      stopped ??= (async () => {
        const result = await core.shutdown();
        await Promise.all(closers.map((c) => c().catch(() => undefined)));
        return result;
      })();
      return stopped;
    },
  };
}
