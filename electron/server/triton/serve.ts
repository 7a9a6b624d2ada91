/**
 * Serving a repository the way `tritonserver` does: the HTTP, gRPC and
 * metrics endpoints over one TritonCore, started together (or not at all),
 * and stopped gracefully: new requests are refused, requests in flight
 * finish, then the listeners close. Used by `model-lab serve` and by the
 * desktop app's serve switch.
 */
import os from 'node:os';
import path from 'node:path';
import { LabError, errorMessage } from '../../engine/errors';
import type { Repository } from '../../engine/repository/repository';
import { TritonCore } from './core';
import { startGrpcServer } from './grpc/server';
import { startHttpServer } from './http/server';
import type { LogLevel } from './log-settings';
import { startMetricsServer } from './metrics/server';

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
  /** Inferences in flight, all frontends together, before new ones are refused (default 1024). */
  maxInflight?: number;
  grpcMaxMessageBytes?: number;
  allowCpuMetrics?: boolean;
  metricsIntervalMs?: number;
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

const LOCAL = new Set(['127.0.0.1', 'localhost', '::1']);

/** Whether an address is only reachable from this machine. */
export function isLoopback(host: string): boolean {
  return LOCAL.has(host);
}

function bindError(kind: string, ep: Endpoint, err: unknown): LabError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'address not available on this machine' : errorMessage(err);
  return new LabError('UNAVAILABLE', `failed to start ${kind} service on ${ep.host}:${ep.port}: ${why}`, { cause: err });
}

export async function startServing(repo: Repository, opts: ServeOptions): Promise<Serving> {
  const core = new TritonCore(repo, {
    version: opts.version,
    ...(opts.strictReadiness !== undefined ? { strictReadiness: opts.strictReadiness } : {}),
    ...(opts.exitTimeoutSecs !== undefined ? { exitTimeoutSecs: opts.exitTimeoutSecs } : {}),
    scratchDir: path.resolve(os.tmpdir()),
    ...(opts.maxInflight ? { maxInflight: opts.maxInflight } : {}),
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
  const log = (level: LogLevel, message: string): void => {
    if (core.logSettings.allows(level)) opts.sink?.(core.logSettings.format(level, message));
  };
  const closers: (() => Promise<void>)[] = [];
  const serving: Omit<Serving, 'stop'> = { core };
  try {
    if (opts.grpc) {
      const ep = opts.grpc;
      const g = await startGrpcServer(core, { host: ep.host, port: ep.port, ...(opts.grpcMaxMessageBytes ? { maxMessageBytes: opts.grpcMaxMessageBytes } : {}), log }).catch((err: unknown) => {
        throw bindError('GRPC', ep, err);
      });
      closers.push(() => g.close(true));
      serving.grpc = { host: ep.host, port: g.port };
      log('info', `Started GRPCInferenceService at ${ep.host}:${g.port}`);
    }
    if (opts.http) {
      const ep = opts.http;
      const h = await startHttpServer(core, {
        host: ep.host,
        port: ep.port,
        ...(opts.httpMaxInputBytes ? { maxInputBytes: opts.httpMaxInputBytes } : {}),
        ...(opts.maxInflight ? { maxInflight: opts.maxInflight } : {}),
        log,
      }).catch((err: unknown) => {
        throw bindError('HTTP', ep, err);
      });
      closers.push(() => h.close());
      serving.http = { host: ep.host, port: h.port };
      log('info', `Started HTTPService at ${ep.host}:${h.port}`);
    }
    if (opts.metrics) {
      const ep = opts.metrics;
      const m = await startMetricsServer(core, {
        host: ep.host,
        port: ep.port,
        ...(opts.allowCpuMetrics !== undefined ? { allowCpuMetrics: opts.allowCpuMetrics } : {}),
        ...(opts.metricsIntervalMs !== undefined ? { intervalMs: opts.metricsIntervalMs } : {}),
      }).catch((err: unknown) => {
        throw bindError('Metrics', ep, err);
      });
      closers.push(() => m.close());
      serving.metrics = { host: ep.host, port: m.port };
      log('info', `Started Metrics Service at ${ep.host}:${m.port}`);
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
