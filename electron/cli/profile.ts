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
import { machineInfo, machineWarnings } from '../engine/profile/machine';
import { concurrencyLevels, profileLevel } from '../engine/profile/measure';
import { csv, levelLines, machineLines, settingsLines, summaryLines, unstableLine } from '../engine/profile/report';
import { type Clock, DEFAULT_SETTINGS, type PointResult, type ProfileSettings, type ProfileTarget, systemClock } from '../engine/profile/types';
import { Repository } from '../engine/repository/repository';
import type { Tensor } from '../engine/tensor/tensor';
import { loadOptions, UsageError } from './args';
import type { Output } from './output';
import { HttpTarget } from './profile-http';

export const PROFILE_USAGE = `Usage: model-lab profile <repo> -m <model> [options]     profile in-process (the lab's engine)
       model-lab profile -m <model> -u <url> [options]   profile a model-lab serve instance or a Triton over HTTP

perf_analyzer's method: N requests always in flight, a warm-up, then windows of
--measurement-interval ms until 3 in a row agree within --stability-percentage
(throughput and latency), at most --max-trials windows per level.

Options:
  -m <model>                        the model (required)
  -x <version>                      the model version (default: the latest ready one)
  -u <url>                          a server's HTTP endpoint, e.g. http://127.0.0.1:8000
  -i http                           the protocol (-i grpc is not supported yet)
  -b <n>                            batch size (default 1)
  --concurrency-range start:end:step  (default 1:1:1)
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

export interface ProfileSetup {
  repo?: string;
  url?: string;
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

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function settingsFrom(v: Values): ProfileSettings {
  const percentile = v.percentile === undefined ? -1 : int('--percentile', v.percentile, -1, 1);
  if (percentile > 99) throw new UsageError(`--percentile expects 1 … 99, got '${v.percentile}'`);
  return {
    batchSize: int('-b', v['batch-size'], 1, 1),
    concurrency: concurrencyRange(v['concurrency-range']),
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
  if (v.protocol !== undefined && v.protocol !== 'http') throw new UsageError(v.protocol === 'grpc' ? '-i grpc is not supported yet: use -i http' : `-i expects http, got '${v.protocol}'`);
  if (repo && v.url) throw new UsageError('give either a repository (in-process) or -u <url>, not both');
  if (!repo && !v.url) throw new UsageError('a repository path (in-process) or -u <url> is required');
  if (v.url && !/^https?:\/\/[^/]+/.test(v.url)) throw new UsageError(`-u expects http://host:port, got '${v.url}'`);
  if (v.url?.startsWith('https:')) throw new UsageError('https is not supported yet: use http://');
  if (v['model-version'] !== undefined && !/^\d+$/.test(v['model-version'])) throw new UsageError(`-x expects a version number, got '${v['model-version']}'`);
  let shapes: Map<string, number[]>;
  try {
    shapes = parseShapes(v.shape ?? []);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  return {
    ...(repo ? { repo } : {}),
    ...(v.url ? { url: v.url } : {}),
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

async function openTarget(setup: ProfileSetup, requestsFor: (specs: InputSpec[]) => Tensor[][]): Promise<OpenTarget> {
  if (setup.url) {
    const { target, inputs } = await HttpTarget.open(setup.url, setup.model, setup.version, { maxSockets: setup.settings.concurrency.end + 4 });
    try {
      target.setRequests(requestsFor(inputs));
    } catch (err) {
      target.close();
      throw err;
    }
    return { target, close: () => Promise.resolve(target.close()) };
  }
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
  const http = target.describe().kind === 'http';
  for (const c of concurrencyLevels(s.concurrency)) {
    out.log(`Request concurrency: ${c}`);
    const p = await profileLevel(target, clock, s, c);
    points.push(p);
    if (!p.stable) {
      out.err(unstableLine(p, s.maxTrials));
      break;
    }
    for (const l of levelLines(p.measurement, s.percentile, http)) out.log(l);
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
    const warnings = machineWarnings(machine, setup.settings.concurrency.end);
    for (const l of settingsLines(setup.settings, setup.model, description.kind === 'http' ? `Triton over HTTP (${description.address})` : 'model-lab engine (in-process)')) out.log(l);
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
