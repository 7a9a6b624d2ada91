/**
 * `model-lab serve <repo>`: the repository behind Triton's HTTP (8000), gRPC
 * (8001) and metrics (8002) endpoints, taking tritonserver's own flags so
 * scripts and docs written for tritonserver work as they are. Binds
 * 127.0.0.1 unless told otherwise; refuses requests from web pages unless
 * their origin is allowed; Triton's restricted APIs can put load/unload
 * behind a key. A few lab-only flags bound time and memory per client.
 * SIGINT/SIGTERM stop it gracefully.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LabError, errorMessage } from '../engine/errors';
import { parseAllowedOrigins } from '../server/triton/access';
import { GRPC_RESTRICTED_PREFIX, type Restrictions, parseRestrictedOption } from '../server/triton/restricted';
import { type ControlMode, Repository } from '../engine/repository/repository';
import { toModelSummary } from '../engine/repository/views';
import { isLoopback, type ServeOptions, type Serving, startServing } from '../server/triton/serve';
import type { LogLevel as ServeLogLevel } from '../server/triton/log-settings';
import { type MetricsConfig, parseMetricsConfig } from '../server/triton/metrics/triton-metrics';
import { loadOptions, UsageError } from './args';
import type { Output } from './output';
import { formatTable } from './validate';

export const SERVE_USAGE = `Usage: model-lab serve <repo> [tritonserver options]

  --model-repository=<path>          the repository (or give it as the first argument)
  --http-port=N --grpc-port=N --metrics-port=N      ports (8000, 8001, 8002)
  --http-address=A --grpc-address=A --metrics-address=A
                                     addresses to bind (127.0.0.1); anything else is reachable
                                     from other machines, and a warning says so
  --allow-http=B --allow-grpc=B --allow-metrics=B   turn an endpoint off with false
  --model-control-mode=none|poll|explicit           as tritonserver (none)
  --repository-poll-secs=N           how often poll mode looks for changes (15)
  --load-model=NAME                  explicit mode: load at start (repeatable; * for all)
  --strict-readiness=B               ready only when every model is (true)
  --exit-on-error=B                  exit when a model fails to load at start (false here;
                                     tritonserver defaults to true)
  --exit-timeout-secs=N              how long shutdown waits for requests in flight (30)
  --http-max-input-size=BYTES        largest JSON request part, raw input or inflated body (67108864)
  --http-restricted-api=<apis>:<key>=<value>        as tritonserver: those APIs need header <key>
                                     (e.g. model-repository:admin-key=secret; repeatable)
  --grpc-restricted-protocol=<protocols>:<key>=<value>
                                     as tritonserver: header triton-grpc-protocol-<key>
                                     APIs: health, metadata, inference, shared-memory,
                                     model-config, model-repository, statistics, trace, logging
                                     Keys on the command line can be read by other local users:
  --http-restricted-api-file=PATH --grpc-restricted-protocol-file=PATH
                                     the same entries from a file (one per line or ;-separated,
                                     # comments; keep it chmod 600), or from the environment:
                                     MODEL_LAB_HTTP_RESTRICTED_API, MODEL_LAB_GRPC_RESTRICTED_PROTOCOL
  --grpc-max-connection-age=MS --grpc-max-connection-age-grace=MS
                                     as tritonserver: close connections this old (unlimited)
  --grpc-keepalive-time=MS --grpc-keepalive-timeout=MS
                                     as tritonserver: ping idle connections (7200000, 20000)
Model Lab only:
  --http-allow-origin=ORIGIN[,ORIGIN] web pages of these origins may call the HTTP API (CORS);
                                     requests from any other page are refused (none by default)
  --http-header-timeout-secs=N       headers must arrive within N seconds (30)
  --http-body-timeout-secs=N         a body must arrive within N seconds of its headers, a
                                     started gRPC message (a unary call's request) too (120)
  --http-max-body-size=BYTES         largest body with binary tensor data (1073741824)
  --http-body-budget=BYTES           request bodies and gRPC messages held at once, all
                                     clients of both (2147483648, or the largest body if larger)
  --http-max-connections=N           open HTTP connections; stalled ones make room (1024)
  --http-send-timeout-secs=N         an answer its client reads none of for N seconds is
                                     cut off and its connection closed; gRPC too (60)
  --grpc-max-message-size=BYTES      largest gRPC message received (--http-max-input-size)
  --grpc-max-connections=N           open gRPC connections; idle or stalled ones make room (256)
  --grpc-max-concurrent-streams=N    calls at once on one gRPC connection (100)
  --allow-cpu-metrics=B --metrics-interval-ms=N
  --metrics-config=histogram_latencies=true --metrics-config=summary_latencies=true
                                     --metrics-config=summary_quantiles=0.5:0.05,0.9:0.01
                                     --metrics-config=counter_latencies=false
  --trace-config=triton,file=PATH --trace-config=level=TIMESTAMPS --trace-config=rate=N
                                     --trace-config=count=N --trace-config=log-frequency=N
  --log-verbose=N --log-info=B --log-warning=B --log-error=B --log-format=default|ISO8601
  --disable-auto-complete-config --backend-config=default-max-batch-size=N
`;

/** tritonserver options that mean nothing here: accepted with a notice, so existing command lines run. */
const IGNORED = [
  'backend-directory',
  'repoagent-directory',
  'pinned-memory-pool-byte-size',
  'cuda-memory-pool-byte-size',
  'min-supported-compute-capability',
  'buffer-manager-thread-count',
  'model-load-thread-count',
  'http-thread-count',
  'reuse-http-port',
  'reuse-grpc-port',
  'allow-gpu-metrics',
  'id',
  'rate-limit',
  'model-namespacing',
  'strict-model-config',
  'cache-config',
  'response-cache-byte-size',
  'grpc-infer-allocation-pool-size',
  'grpc-keepalive-permit-without-calls',
  'grpc-http2-max-pings-without-data',
  'grpc-http2-min-recv-ping-interval-without-data',
  'grpc-http2-max-ping-strikes',
] as const;

const OPTIONS = {
  'model-repository': { type: 'string' },
  'http-port': { type: 'string' },
  'grpc-port': { type: 'string' },
  'metrics-port': { type: 'string' },
  'http-address': { type: 'string' },
  'grpc-address': { type: 'string' },
  'metrics-address': { type: 'string' },
  'allow-http': { type: 'string' },
  'allow-grpc': { type: 'string' },
  'allow-metrics': { type: 'string' },
  'allow-cpu-metrics': { type: 'string' },
  'metrics-interval-ms': { type: 'string' },
  'metrics-config': { type: 'string', multiple: true },
  'model-control-mode': { type: 'string' },
  'repository-poll-secs': { type: 'string' },
  'load-model': { type: 'string', multiple: true },
  'strict-readiness': { type: 'string' },
  'exit-on-error': { type: 'string' },
  'exit-timeout-secs': { type: 'string' },
  'http-max-input-size': { type: 'string' },
  'http-restricted-api': { type: 'string', multiple: true },
  'grpc-restricted-protocol': { type: 'string', multiple: true },
  'http-restricted-api-file': { type: 'string' },
  'grpc-restricted-protocol-file': { type: 'string' },
  'http-allow-origin': { type: 'string', multiple: true },
  'http-header-timeout-secs': { type: 'string' },
  'http-body-timeout-secs': { type: 'string' },
  'http-max-body-size': { type: 'string' },
  'http-body-budget': { type: 'string' },
  'http-max-connections': { type: 'string' },
  'http-send-timeout-secs': { type: 'string' },
  'grpc-max-message-size': { type: 'string' },
  'grpc-max-connections': { type: 'string' },
  'grpc-max-concurrent-streams': { type: 'string' },
  'grpc-max-connection-age': { type: 'string' },
  'grpc-max-connection-age-grace': { type: 'string' },
  'grpc-keepalive-time': { type: 'string' },
  'grpc-keepalive-timeout': { type: 'string' },
  'trace-config': { type: 'string', multiple: true },
  'log-verbose': { type: 'string' },
  'log-info': { type: 'string' },
  'log-warning': { type: 'string' },
  'log-error': { type: 'string' },
  'log-format': { type: 'string' },
  'disable-auto-complete-config': { type: 'boolean' },
  'backend-config': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries(IGNORED.map((k) => [k, { type: 'string', multiple: true }])),
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

function bool(values: Values, key: string, dflt: boolean): boolean {
  const v = values[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'string') return dflt;
  if (['true', '1', 'yes', 'on'].includes(v.toLowerCase())) return true;
  if (['false', '0', 'no', 'off'].includes(v.toLowerCase())) return false;
  throw new UsageError(`--${key} expects true or false, got '${v}'`);
}

function int(values: Values, key: string, dflt: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = values[key];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${key} expects an integer from ${min} to ${max}, got '${String(v)}'`);
  return n;
}

type RestrictedFlag = 'http-restricted-api' | 'grpc-restricted-protocol';

/** Where a restricted-API key can be given without putting it on the command line. */
export const RESTRICTED_ENV: Record<RestrictedFlag, string> = {
  'http-restricted-api': 'MODEL_LAB_HTTP_RESTRICTED_API',
  'grpc-restricted-protocol': 'MODEL_LAB_GRPC_RESTRICTED_PROTOCOL',
};

const MAX_RESTRICTED_FILE_BYTES = 64 * 1024;

/** `<apis>:<key>=<value>` entries separated by `;` or newlines; blank entries and `#` comment lines are skipped. */
function restrictedEntries(text: string): string[] {
  return text
    .split(/[;\r\n]+/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.startsWith('#'));
}

/** The entries of a --*-restricted-*-file: a regular file of at most 64 KiB; a warning if other users may read it. */
function restrictedFile(file: string, flag: string, warnings: string[]): string[] {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new UsageError(`--${flag}-file: ${file} is not a regular file`);
    if (st.size > MAX_RESTRICTED_FILE_BYTES) throw new UsageError(`--${flag}-file: ${file} is larger than ${MAX_RESTRICTED_FILE_BYTES} bytes`);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) warnings.push(`${file} (--${flag}-file) can be read by other users; chmod 600 it`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--${flag}-file: cannot read ${file}: ${errorMessage(err)}`);
  }
  return restrictedEntries(text);
}

/**
 * --http-restricted-api / --grpc-restricted-protocol values, as tritonserver parses them, from the
 * command line, the environment variable and the file together (a category in one group only). A key
 * on the command line is readable by other local users (ps, /proc/<pid>/cmdline): a warning says so.
 */
function restrictions(values: Values, key: RestrictedFlag, env: NodeJS.ProcessEnv, warnings: string[]): Restrictions | undefined {
  const args = (values[key] as string[] | undefined) ?? [];
  if (args.length > 0) {
    warnings.push(`the key given with --${key} can be read by other users of this machine (ps, /proc/<pid>/cmdline); give it in ${RESTRICTED_ENV[key]} or --${key}-file instead`);
  }
  const file = values[`${key}-file`] as string | undefined;
  const all = [...args, ...restrictedEntries(env[RESTRICTED_ENV[key]] ?? ''), ...(file ? restrictedFile(file, key, warnings) : [])];
  if (all.length === 0) return undefined;
  const into: Restrictions = {};
  try {
    for (const a of all) parseRestrictedOption(a, key, key === 'http-restricted-api' ? '' : GRPC_RESTRICTED_PREFIX, key === 'http-restricted-api' ? 'api' : 'protocol', into);
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
  return into;
}

/** The protections of the endpoints: origins, restricted APIs, time and memory per client. */
function protections(values: Values, warnings: string[], env: NodeJS.ProcessEnv): Partial<ServeOptions> {
  let origins: string[];
  try {
    origins = parseAllowedOrigins((values['http-allow-origin'] as string[] | undefined) ?? []);
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
  if (origins.length > 0) warnings.push(`web pages from ${origins.join(', ')} can call the HTTP API (run inference${values['model-control-mode'] === 'explicit' ? ', load and unload models' : ''})`);
  const httpRestricted = restrictions(values, 'http-restricted-api', env, warnings);
  const grpcRestricted = restrictions(values, 'grpc-restricted-protocol', env, warnings);
  const grpcMax = values['grpc-max-message-size'] === undefined ? undefined : int(values, 'grpc-max-message-size', 0, 1, 2147483647);
  return {
    ...(origins.length > 0 ? { httpAllowOrigins: origins } : {}),
    ...(httpRestricted ? { httpRestricted } : {}),
    ...(grpcRestricted ? { grpcRestricted } : {}),
    httpHeaderTimeoutMs: int(values, 'http-header-timeout-secs', 30, 1, 86400) * 1000,
    httpBodyTimeoutMs: int(values, 'http-body-timeout-secs', 120, 1, 86400) * 1000,
    httpMaxBodyBytes: int(values, 'http-max-body-size', 1024 * 1024 * 1024, 1),
    // Left to the server by default: 2 GiB, never less than one largest body.
    ...(values['http-body-budget'] !== undefined ? { httpBodyBudgetBytes: int(values, 'http-body-budget', 0, 1) } : {}),
    httpMaxConnections: int(values, 'http-max-connections', 1024, 1, 1_000_000),
    httpSendTimeoutMs: int(values, 'http-send-timeout-secs', 60, 1, 86400) * 1000,
    ...(grpcMax !== undefined ? { grpcMaxMessageBytes: grpcMax } : {}),
    ...grpcConnectionOptions(values),
  };
}

/** gRPC connection limits: the lab's caps, and Triton's age and keepalive flags (milliseconds). */
function grpcConnectionOptions(values: Values): Partial<ServeOptions> {
  const INT32 = 2147483647;
  const ms = (key: string): number | undefined => (values[key] === undefined ? undefined : int(values, key, 0, 0, INT32));
  const age = ms('grpc-max-connection-age');
  const grace = ms('grpc-max-connection-age-grace');
  const time = ms('grpc-keepalive-time');
  const timeout = ms('grpc-keepalive-timeout');
  return {
    grpcMaxConnections: int(values, 'grpc-max-connections', 256, 1, 1_000_000),
    grpcMaxConcurrentStreams: int(values, 'grpc-max-concurrent-streams', 100, 1, INT32),
    ...(age !== undefined ? { grpcMaxConnectionAgeMs: age } : {}),
    ...(grace !== undefined ? { grpcMaxConnectionAgeGraceMs: grace } : {}),
    ...(time !== undefined ? { grpcKeepaliveTimeMs: time } : {}),
    ...(timeout !== undefined ? { grpcKeepaliveTimeoutMs: timeout } : {}),
  };
}

export interface ServeSetup {
  repoDir: string;
  controlMode: ControlMode;
  pollSecs: number;
  startupModels: string[];
  exitOnError: boolean;
  options: ServeOptions;
  warnings: string[];
  repoInit: ReturnType<typeof loadOptions>;
}

/** The repository, as --model-repository or the one positional argument. */
function repositoryOf(values: Values, positionals: string[]): string {
  const fromFlag = values['model-repository'];
  const repoDir = typeof fromFlag === 'string' && fromFlag ? fromFlag : positionals[0];
  if (!repoDir) throw new UsageError('a model repository is required (a path, or --model-repository=<path>)');
  const extra = typeof fromFlag === 'string' && fromFlag ? positionals : positionals.slice(1);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  return repoDir;
}

/** --model-control-mode and --load-model, with tritonserver's rules between them. */
function modelControl(values: Values): { mode: ControlMode; startupModels: string[] } {
  const mode = (values['model-control-mode'] as string | undefined) ?? 'none';
  if (mode !== 'none' && mode !== 'poll' && mode !== 'explicit') throw new UsageError(`--model-control-mode must be none, poll or explicit, got '${mode}'`);
  const startupModels = (values['load-model'] as string[] | undefined) ?? [];
  if (startupModels.length > 0 && mode !== 'explicit') throw new UsageError('--load-model needs --model-control-mode=explicit');
  if (startupModels.includes('*') && startupModels.length > 1) throw new UsageError("Wildcard model name '*' must be the ONLY startup model if specified at all.");
  return { mode, startupModels };
}

/** One endpoint's address and port, or false when --allow-<kind>=false; a warning when it listens beyond this machine. */
function endpoint(values: Values, kind: 'http' | 'grpc' | 'metrics', port: number, warnings: string[]): ServeOptions['http'] {
  if (!bool(values, `allow-${kind}`, true)) return false;
  const host = (values[`${kind}-address`] as string | undefined) ?? '127.0.0.1';
  if (!isLoopback(host)) warnings.push(`the ${kind.toUpperCase()} endpoint listens on ${host}: anyone who can reach this address can run, load and unload models`);
  return { host, port: int(values, `${kind}-port`, port, 0, 65535) };
}

/** --trace-config entries, [<mode>,]<setting>=<value> as tritonserver takes them (triton mode only). */
function traceConfig(values: Values): NonNullable<ServeOptions['trace']> {
  const trace: NonNullable<ServeOptions['trace']> = {};
  for (const entry of (values['trace-config'] as string[] | undefined) ?? []) {
    const m = /^(?:(triton|opentelemetry),)?([\w-]+)=(.*)$/.exec(entry);
    if (!m) throw new UsageError(`--trace-config expects [<mode>,]<setting>=<value>, got '${entry}'`);
    const [, traceMode, key, value] = m as unknown as [string, string | undefined, string, string];
    if (traceMode === 'opentelemetry') throw new UsageError('--trace-config opentelemetry tracing is not supported by Model Lab; use triton mode');
    if (key === 'file') trace.file = path.resolve(value);
    else if (key === 'level') trace.level = [...(trace.level ?? []), value.toUpperCase()];
    else if (key === 'rate') trace.rate = value;
    else if (key === 'count') trace.count = value;
    else if (key === 'log-frequency') trace.logFrequency = value;
    else if (key === 'mode') {
      if (value !== 'triton') throw new UsageError(`--trace-config mode=${value} is not supported by Model Lab; use triton`);
    } else throw new UsageError(`--trace-config: unknown setting '${key}'`);
  }
  return trace;
}

/** --metrics-config <setting>=<value>, repeated, as tritonserver reads it. */
function metricsConfigOf(values: Values): MetricsConfig {
  try {
    return parseMetricsConfig((values['metrics-config'] as string[] | undefined) ?? []);
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

/** --log-format: default or ISO8601. */
function logFormatOf(values: Values): string | undefined {
  const logFormat = values['log-format'] as string | undefined;
  if (logFormat !== undefined && logFormat !== 'default' && logFormat !== 'ISO8601') throw new UsageError(`invalid argument for --log-format, got: ${logFormat}`);
  return logFormat;
}

/** What the endpoints serve with: addresses, readiness, limits and protections, metrics, trace and log settings. */
function serveOptions(values: Values, trace: NonNullable<ServeOptions['trace']>, logFormat: string | undefined, warnings: string[], env: NodeJS.ProcessEnv): ServeOptions {
  const options: ServeOptions = {
    http: endpoint(values, 'http', 8000, warnings),
    grpc: endpoint(values, 'grpc', 8001, warnings),
    metrics: endpoint(values, 'metrics', 8002, warnings),
    version: process.env['npm_package_version'] ?? '0.1.0',
    strictReadiness: bool(values, 'strict-readiness', true),
    exitTimeoutSecs: int(values, 'exit-timeout-secs', 30),
    httpMaxInputBytes: int(values, 'http-max-input-size', 64 * 1024 * 1024, 1),
    ...protections(values, warnings, env),
    allowCpuMetrics: bool(values, 'allow-cpu-metrics', true),
    metricsIntervalMs: int(values, 'metrics-interval-ms', 2000, 1),
    metricsConfig: metricsConfigOf(values),
    ...(Object.keys(trace).length > 0 ? { trace } : {}),
    log: {
      verbose: int(values, 'log-verbose', 0),
      info: bool(values, 'log-info', true),
      warning: bool(values, 'log-warning', true),
      error: bool(values, 'log-error', true),
      ...(logFormat ? { format: logFormat } : {}),
    },
  };
  if (!options.http && !options.grpc) warnings.push('both HTTP and gRPC are off: only metrics will be served');
  return options;
}

/**
 * Reads tritonserver-style arguments into what serving needs; usage errors for anything malformed.
 * Steps, in the order their errors are reported: the arguments, the repository, ignored flags,
 * model control, trace and log settings, then the endpoints' options.
 */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeSetup | 'help' {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values['help']) return 'help';
  const repoDir = repositoryOf(values, positionals);
  const warnings: string[] = [];
  for (const k of IGNORED) if (values[k] !== undefined) warnings.push(`--${k} has no effect in Model Lab; ignored`);
  const { mode, startupModels } = modelControl(values);
  const trace = traceConfig(values);
  const logFormat = logFormatOf(values);
  const options = serveOptions(values, trace, logFormat, warnings, env);
  return {
    repoDir: path.resolve(repoDir),
    controlMode: mode,
    pollSecs: int(values, 'repository-poll-secs', 15, 1),
    startupModels,
    exitOnError: bool(values, 'exit-on-error', false),
    options,
    warnings,
    repoInit: loadOptions({ 'disable-auto-complete-config': values['disable-auto-complete-config'], 'backend-config': values['backend-config'] }),
  };
}

export interface RunningServe {
  repo: Repository;
  serving: Serving;
  stop(): Promise<void>;
}

/** Loads the repository and starts the endpoints; prints the model table and the addresses as tritonserver does. */
export async function startServe(setup: ServeSetup, out: Output): Promise<RunningServe> {
  for (const w of setup.warnings) out.err(`warning: ${w}`);
  // Models log while they load, before the server (and its log settings) exists: hold those lines until then.
  let modelLog: ((level: ServeLogLevel, message: string) => void) | undefined = undefined;
  const early: [ServeLogLevel, string][] = [];
  const onModelLog = (model: string, version: number, level: string, message: string): void => {
    const l: ServeLogLevel = level === 'warn' ? 'warning' : (level as ServeLogLevel);
    const line = `${model} v${version}: ${message.startsWith(`${model}: `) ? message.slice(model.length + 2) : message}`;
    if (modelLog) modelLog(l, line);
    else if (early.length < 1000) early.push([l, line]);
  };
  const repo = new Repository(setup.repoDir, { ...setup.repoInit, controlMode: setup.controlMode, pollSecs: setup.pollSecs, startupModels: setup.startupModels, onModelLog });
  await repo.loadAll();
  if (repo.problem) {
    await repo.close();
    throw new LabError('INVALID_ARG', `${setup.repoDir}: ${repo.problem}`);
  }
  const models = [...repo.models.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => toModelSummary(m, repo.root));
  const rows = models.flatMap((m) => {
    const served = m.versions.filter((v) => v.served);
    // Explicit model control lists the models it was not asked to load; they have not failed.
    const base = { name: m.name, backend: m.backend, platform: m.platform, notLoaded: m.reasonCode === 'NOT_LOADED' };
    if (served.length === 0) return [{ ...base, version: '-', state: m.state, reason: m.reason }];
    return served.map((v) => ({ ...base, version: String(v.version), state: v.state, reason: v.reason }));
  });
  for (const l of formatTable(rows)) out.log(l);
  const failed = rows.filter((r) => r.state !== 'READY' && !r.notLoaded);
  if (failed.length > 0) {
    out.err(`error: ${failed.length} model version(s) failed to load: ${failed.map((r) => r.name).join(', ')}`);
    if (setup.exitOnError) {
      await repo.close();
      throw new LabError('INTERNAL', 'failed to load all models');
    }
  }
  let serving: Serving;
  try {
    serving = await startServing(repo, { ...setup.options, sink: (line) => out.err(line) });
  } catch (err) {
    await repo.close();
    throw err;
  }
  const settings = serving.core.logSettings;
  modelLog = (level, message) => {
    if (settings.allows(level)) out.err(settings.format(level, message));
  };
  for (const [level, message] of early.splice(0)) modelLog(level, message);
  if (setup.controlMode === 'poll') repo.startPolling(setup.pollSecs);
  for (const [kind, ep] of [
    ['HTTP', serving.http],
    ['gRPC', serving.grpc],
    ['Metrics', serving.metrics],
  ] as const) {
    if (ep) out.log(`${kind.padEnd(7)} ${kind === 'gRPC' ? '' : 'http://'}${ep.host}:${ep.port}${kind === 'Metrics' ? '/metrics' : ''}`);
  }
  let stopping: Promise<void> | undefined;
  return {
    repo,
    serving,
    stop: () => {
      stopping ??= (async () => {
        // One deadline for the whole shutdown (--exit-timeout-secs): draining, then closing models, killing what is left.
        const deadline = Date.now() + (setup.options.exitTimeoutSecs ?? 30) * 1000;
        const { drained } = await serving.stop();
        if (!drained) out.err('warning: requests were still running when the exit timeout expired');
        await repo.close({ timeoutMs: Math.max(0, deadline - Date.now()) });
      })();
      return stopping;
    },
  };
}

/** The command: serve until SIGINT or SIGTERM. */
export async function serveCommand(argv: string[], out: Output): Promise<number> {
  const setup = parseServeArgs(argv);
  // Read: models (Python processes included) need not inherit the keys.
  for (const name of Object.values(RESTRICTED_ENV)) delete process.env[name];
  if (setup === 'help') {
    out.log(SERVE_USAGE);
    return 0;
  }
  const running = await startServe(setup, out);
  out.log('Serving; press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      out.log('Stopping: finishing requests in flight…');
      void running.stop().finally(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
