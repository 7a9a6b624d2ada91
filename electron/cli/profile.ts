/**
 * `model-lab profile <repo> -m <model>` (in-process) or `model-lab profile -m <model> -u <url>`:
 * perf_analyzer's concurrency sweep, its text report and its -f CSV, with the machine it ran on.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LabError } from '../engine/errors';
import { buildRequests, type InputData, type InputSpec, parseShapes } from '../engine/profile/inputs';
import { LocalTarget, inputSpecs } from '../engine/profile/local';
import { loadWords, machineInfo, machineWarnings } from '../engine/profile/machine';
import { profileLevel, sweepLevels } from '../engine/profile/measure';
import { RemoteTarget } from '../engine/profile/remote';
import { readCaFile } from '../engine/remote/request';
import { parseServerUrl } from '../engine/remote/url';
import { connectTriton } from '../server/remote/connect';
import { csv, levelLines, machineLines, settingsLines, summaryLines, unstableLine } from '../engine/profile/report';
import { type Clock, DEFAULT_SETTINGS, type PointResult, type ProfileSettings, type ProfileTarget, systemClock } from '../engine/profile/types';
import { Repository } from '../engine/repository/repository';
import type { Tensor } from '../engine/tensor/tensor';
import { loadOptions, UsageError } from './args';
import type { Output } from './output';
import { HttpTarget } from './profile-http';

export const PROFILE_USAGE = `Usage: model-lab profile <repo> -m <model> [options]     profile in-process (the lab's engine)
       model-lab profile -m <model> -u <url> [options]   profile a model-lab serve instance or a Triton (HTTP or gRPC)

perf_analyzer's method: N requests always in flight, a warm-up, then windows of
--measurement-interval ms until 3 in a row agree within --stability-percentage
(throughput and latency), at most --max-trials windows per level.

Options:
  -m <model>                        the model (required)
  -x <version>                      the model version (default: the latest ready one)
  -u <url>                          a server, e.g. 127.0.0.1:8000, https://host:8000, grpc://host:8001
  -i http|grpc                      the protocol (default http)
  -H 'Name: value'                  a header sent with every request (gRPC: as metadata); repeatable
  --ssl-https-ca-certificates-file <pem>  trust this CA for https://
  --ssl-https-verify-peer 0|1       0: do not check the server's certificate (default 1)
  --ssl-grpc-use-ssl                gRPC over TLS (grpcs://)
  --ssl-grpc-root-certifications-file <pem>  trust this CA for gRPC over TLS
  -b <n>                            batch size (default 1)
  --concurrency-range start:end:step  N requests in flight (default 1:1:1)
  --request-rate-range start:end:step  instead: requests per second on a constant schedule (open loop)
  --input-data zero|random|<file.json>  request data (default random); the file in perf_analyzer's
                                    format: {"data": [{"INPUT": [...] or {"content": [...], "shape": [...]}}]}
  --shape NAME:d1,d2,…              the shape of an input with -1 dims
  --measurement-interval <ms>       window length (default 5000)
  --percentile <p>                  stabilize on (and report) the p-th latency, not the average
  --stability-percentage <pct>      how close 3 windows must be (default 10)
  --max-trials <n>                  windows per level before it is called unstable (default 10)
  --warmup-request-count <n>        requests run before each level's first window (default 10)
  -f <file.csv>                     write perf_analyzer's CSV
  --model-repository=<path>, --disable-auto-complete-config, --backend-config=…  as for serve
`;

const OPTIONS = {
  'model-name': { type: 'string', short: 'm' },
  'model-version': { type: 'string', short: 'x' },
  url: { type: 'string', short: 'u' },
  protocol: { type: 'string', short: 'i' },
  'batch-size': { type: 'string', short: 'b' },
  'concurrency-range': { type: 'string' },
  'request-rate-range': { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  'ssl-https-ca-certificates-file': { type: 'string' },
  'ssl-https-verify-peer': { type: 'string' },
  'ssl-grpc-use-ssl': { type: 'boolean' },
  'ssl-grpc-root-certifications-file': { type: 'string' },
  'input-data': { type: 'string' },
  shape: { type: 'string', multiple: true },
  'measurement-interval': { type: 'string', short: 'p' },
  percentile: { type: 'string' },
  'stability-percentage': { type: 'string', short: 's' },
  'max-trials': { type: 'string', short: 'r' },
  'warmup-request-count': { type: 'string' },
  filename: { type: 'string', short: 'f' },
  'model-repository': { type: 'string' },
  'disable-auto-complete-config': { type: 'boolean' },
  'strict-model-config': { type: 'string' },
  'backend-config': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/** How to reach a server: perf_analyzer's -i, -H and --ssl-* flags. */
export interface Connection {
  protocol: 'http' | 'grpc';
  /** With its scheme: http(s):// or grpc(s)://. */
  url: string;
  headers: Record<string, string>;
  caFile?: string;
  skipVerify?: boolean;
}

export interface ProfileSetup {
  repo?: string;
  url?: string;
  connection?: Connection;
  model: string;
  version?: string;
  settings: ProfileSettings;
  inputData: string;
  shapes: Map<string, number[]>;
  csvFile?: string;
  loadFlags: Record<string, string | boolean | string[] | undefined>;
}

function int(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} expects an integer ≥ ${min}, got '${v}'`);
  return n;
}

function concurrencyRange(v: string | undefined): ProfileSettings['concurrency'] {
  if (v === undefined) return DEFAULT_SETTINGS.concurrency;
  const m = /^(\d+)(?::(\d+))?(?::(\d+))?$/.exec(v);
  const [start, end, step] = m ? [Number(m[1]), Number(m[2] ?? m[1]), Number(m[3] ?? 1)] : [0, 0, 0];
  if (!m || start < 1 || end < start || step < 1) throw new UsageError(`--concurrency-range expects start:end:step with 1 ≤ start ≤ end and step ≥ 1, got '${v}'`);
  return { start, end, step };
}

/** --request-rate-range start[:end[:step]], floating-point as perf_analyzer takes it. */
function rateRange(v: string): NonNullable<ProfileSettings['requestRate']> {
  const m = /^(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?(?::(\d+(?:\.\d+)?))?$/.exec(v);
  const [start, end, step] = m ? [Number(m[1]), Number(m[2] ?? m[1]), Number(m[3] ?? 1)] : [0, 0, 0];
  if (!m || start <= 0 || end < start || step <= 0) throw new UsageError(`--request-rate-range expects start:end:step (requests per second) with 0 < start ≤ end and step > 0, got '${v}'`);
  if (Math.floor((end - start) / step) + 1 > 1000) throw new UsageError(`--request-rate-range '${v}' has more than 1000 levels: use a larger step`);
  return { start, end, step };
}

/** -H 'Name: value' (perf_analyzer's 'Header:Value'). */
function headersOf(list: string[] | undefined): Record<string, string> {
  const out = new Map<string, string>();
  for (const h of list ?? []) {
    const i = h.indexOf(':');
    const name = i > 0 ? h.slice(0, i).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`-H expects 'Name: value', got a header without a valid name`);
    // Names are case-insensitive: a second one would silently replace the first (the lab's clients refuse two as well).
    if (out.has(name.toLowerCase())) throw new UsageError(`-H: two headers named '${name}'`);
    out.set(name.toLowerCase(), h.slice(i + 1).trim());
  }
  // fromEntries: a header named __proto__ is a header like any other, not the object's prototype.
  return Object.fromEntries(out);
}

/** The server URL with its scheme: perf_analyzer's -u takes host:port, TLS then comes from the --ssl-* flags. */
function connectionOf(v: Values): Connection {
  const protocol = v.protocol === 'grpc' ? 'grpc' : 'http';
  const raw = v.url!;
  const scheme = /^([a-z]+):\/\//i.exec(raw)?.[1]?.toLowerCase();
  const httpsFlags = v['ssl-https-ca-certificates-file'] !== undefined || v['ssl-https-verify-peer'] !== undefined;
  const grpcFlags = v['ssl-grpc-use-ssl'] || v['ssl-grpc-root-certifications-file'] !== undefined;
  if (protocol === 'http' && grpcFlags) throw new UsageError('--ssl-grpc-* flags need -i grpc');
  if (protocol === 'grpc' && httpsFlags) throw new UsageError('--ssl-https-* flags are for -i http');
  if (scheme && (protocol === 'grpc') !== scheme.startsWith('grpc')) throw new UsageError(`-u ${raw} does not match -i ${protocol}`);
  const tls = protocol === 'grpc' ? !!grpcFlags || scheme === 'grpcs' : httpsFlags || scheme === 'https';
  const url = scheme ? raw : `${protocol === 'grpc' ? 'grpc' : 'http'}${tls ? 's' : ''}://${raw}`;
  try {
    parseServerUrl(url);
  } catch (err) {
    throw new UsageError(`-u: ${err instanceof Error ? err.message : String(err)}`);
  }
  const verify = v['ssl-https-verify-peer'];
  if (verify !== undefined && verify !== '0' && verify !== '1') throw new UsageError(`--ssl-https-verify-peer expects 0 or 1, got '${verify}'`);
  const caFile = v['ssl-https-ca-certificates-file'] ?? v['ssl-grpc-root-certifications-file'];
  return { protocol, url, headers: headersOf(v.header), ...(caFile ? { caFile } : {}), ...(verify === '0' ? { skipVerify: true } : {}) };
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function settingsFrom(v: Values): ProfileSettings {
  const percentile = v.percentile === undefined ? -1 : int('--percentile', v.percentile, -1, 1);
  if (percentile > 99) throw new UsageError(`--percentile expects 1 … 99, got '${v.percentile}'`);
  if (v['request-rate-range'] !== undefined && v['concurrency-range'] !== undefined) throw new UsageError('give either --concurrency-range or --request-rate-range, not both');
  return {
    batchSize: int('-b', v['batch-size'], 1, 1),
    concurrency: concurrencyRange(v['concurrency-range']),
    ...(v['request-rate-range'] !== undefined ? { requestRate: rateRange(v['request-rate-range']) } : {}),
    measurementIntervalMs: int('--measurement-interval', v['measurement-interval'], DEFAULT_SETTINGS.measurementIntervalMs, 1),
    percentile,
    stabilityThreshold: int('--stability-percentage', v['stability-percentage'], 10, 1) / 100,
    maxTrials: int('--max-trials', v['max-trials'], DEFAULT_SETTINGS.maxTrials, 3),
    warmupRequests: int('--warmup-request-count', v['warmup-request-count'], 10, 0),
  };
}

/** The command line, checked before anything loads: bad flags are usage errors (exit 2). */
export function parseProfileArgs(argv: string[]): ProfileSetup | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values: v, positionals } = parsed;
  if (v.help) return 'help';
  const repo = v['model-repository'] ?? positionals[0];
  const extra = positionals[v['model-repository'] ? 0 : 1];
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  if (!v['model-name']) throw new UsageError('a model is required: -m <model>');
  if (v.protocol !== undefined && v.protocol !== 'http' && v.protocol !== 'grpc') throw new UsageError(`-i expects http or grpc, got '${v.protocol}'`);
  if (repo && v.url) throw new UsageError('give either a repository (in-process) or -u <url>, not both');
  if (!repo && !v.url) throw new UsageError('a repository path (in-process) or -u <url> is required');
  const connection = v.url ? connectionOf(v) : undefined;
  if (v['model-version'] !== undefined && !/^\d+$/.test(v['model-version'])) throw new UsageError(`-x expects a version number, got '${v['model-version']}'`);
  let shapes: Map<string, number[]>;
  try {
    shapes = parseShapes(v.shape ?? []);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  return {
    ...(repo ? { repo } : {}),
    ...(connection ? { url: connection.url, connection } : {}),
    model: v['model-name'],
    ...(v['model-version'] !== undefined ? { version: v['model-version'] } : {}),
    settings: settingsFrom(v),
    inputData: v['input-data'] ?? 'random',
    shapes,
    ...(v.filename ? { csvFile: v.filename } : {}),
    loadFlags: v,
  };
}

async function inputDataOf(spec: string): Promise<InputData> {
  if (spec === 'zero' || spec === 'random') return { kind: spec };
  let text: string;
  try {
    text = await fs.readFile(spec, 'utf8');
  } catch (err) {
    throw new LabError('NOT_FOUND', `--input-data: cannot read ${spec}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return { kind: 'json', json: JSON.parse(text) as unknown, source: spec };
  } catch (err) {
    throw new LabError('INVALID_ARG', `--input-data: ${spec} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface OpenTarget {
  target: ProfileTarget;
  close(): Promise<void>;
}

/** The CA file through the lab's one reader (real path, regular file opened without blocking, bounded, PEM). */
async function readCa(file: string | undefined): Promise<string | undefined> {
  return file ? readCaFile(path.resolve(file)) : undefined;
}

const TIMEOUT_MS = 60_000;

/** gRPC: helper clients of server/remote, the request tensors built once. */
async function openGrpc(setup: ProfileSetup, c: Connection, requestsFor: (specs: InputSpec[]) => Tensor[][]): Promise<OpenTarget> {
  const caPem = await readCa(c.caFile);
  const conn = connectTriton({ url: c.url, headers: c.headers, timeoutMs: TIMEOUT_MS, ...(caPem ? { caPem } : {}), ...(c.skipVerify ? { skipVerify: true } : {}) });
  try {
    const specs = await RemoteTarget.inputs(conn, setup.model, setup.version);
    const target = new RemoteTarget(conn, c.url, setup.model, setup.version ?? '', requestsFor(specs));
    return { target, close: () => Promise.resolve(conn.close()) };
  } catch (err) {
    conn.close();
    throw err;
  }
}

async function openRemote(setup: ProfileSetup, c: Connection, requestsFor: (specs: InputSpec[]) => Tensor[][]): Promise<OpenTarget> {
  if (c.protocol === 'grpc') return openGrpc(setup, c, requestsFor);
  const caPem = await readCa(c.caFile);
  const maxSockets = (setup.settings.requestRate ? 256 : setup.settings.concurrency.end) + 4;
  const opts = { maxSockets, headers: c.headers, timeoutMs: TIMEOUT_MS, ...(caPem ? { caPem } : {}), ...(c.skipVerify ? { skipVerify: true } : {}) };
  const { target, inputs } = await HttpTarget.open(c.url, setup.model, setup.version, opts);
  try {
    target.setRequests(requestsFor(inputs));
  } catch (err) {
    target.close();
    throw err;
  }
  return { target, close: () => Promise.resolve(target.close()) };
}

async function openTarget(setup: ProfileSetup, requestsFor: (specs: InputSpec[]) => Tensor[][]): Promise<OpenTarget> {
  if (setup.connection) return openRemote(setup, setup.connection, requestsFor);
  const repo = new Repository(path.resolve(setup.repo!), loadOptions(setup.loadFlags));
  try {
    await repo.loadAll();
    if (repo.problem) throw new LabError('INVALID_ARG', `${repo.root}: ${repo.problem}`);
    const version = setup.version === undefined ? -1 : Number(setup.version);
    const runner = repo.resolve(setup.model, version);
    const target = new LocalTarget(repo, setup.model, version, requestsFor(inputSpecs(runner.config)));
    return { target, close: () => repo.close() };
  } catch (err) {
    await repo.close();
    throw err;
  }
}

/** Runs the sweep, printing each level's report as perf_analyzer does; stops at the first unstable level. */
async function sweep(target: ProfileTarget, s: ProfileSettings, clock: Clock, out: Output): Promise<PointResult[]> {
  const points: PointResult[] = [];
  const kind = target.describe().kind;
  for (const level of sweepLevels(s)) {
    // perf_analyzer's inference_profiler.cc (since #229, January 2025: "per second"; its settings line keeps "per seconds").
    out.log(typeof level === 'number' ? `Request concurrency: ${level}` : `Request Rate: ${level.requestRate} inference requests per second`);
    const p = await profileLevel(target, clock, s, level);
    points.push(p);
    if (!p.stable) {
      out.err(unstableLine(p, s.maxTrials));
      break;
    }
    for (const l of levelLines(p.measurement, s.percentile, kind === 'in-process' ? false : kind)) out.log(l);
  }
  return points;
}

export async function profileCommand(argv: string[], out: Output, clock: Clock = systemClock): Promise<number> {
  const setup = parseProfileArgs(argv);
  if (setup === 'help') {
    out.log(PROFILE_USAGE);
    return 0;
  }
  const data = await inputDataOf(setup.inputData);
  const opened = await openTarget(setup, (specs) => buildRequests(specs, data, setup.shapes, setup.settings.batchSize));
  try {
    const description = opened.target.describe();
    const machine = machineInfo(description);
    const warnings = machineWarnings(machine, loadWords(setup.settings));
    for (const l of settingsLines(
      setup.settings,
      setup.model,
      description.kind === 'in-process' ? 'model-lab engine (in-process)' : `Triton over ${description.kind === 'grpc' ? 'gRPC' : 'HTTP'} (${description.address})`,
    ))
      out.log(l);
    const points = await sweep(opened.target, setup.settings, clock, out);
    for (const l of summaryLines(points, setup.settings.percentile)) out.log(l);
    out.log('');
    for (const l of machineLines({ model: setup.model, target: description, machine, settings: setup.settings, points, warnings })) out.log(l);
    if (setup.csvFile) await fs.writeFile(setup.csvFile, csv(points));
    return points.every((p) => p.stable) ? 0 : 1;
  } finally {
    await opened.close();
  }
}
