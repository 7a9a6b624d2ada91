/**
 * `model-lab profile` against an independent load generator, in one run (`npm run bench:profile`),
 * measured as a user measures: the CLI is built (children.ts), `model-lab serve` runs in its own
 * process and serves a repository with the tiny identity model of bench:serve and the quick-deploy
 * text direction classifier (PaddleOCR, no config.pbtxt), a repository the profiler did not open.
 * At each concurrency, BENCH_ROUNDS times in turn: bench:serve's closed loop as its own process
 * (`profile/independent-client.mjs`: N callers over one keep-alive agent, the request encoded once by
 * the bench, never decoded; no lab code), then
 * `model-lab profile -u <url>` as its own process (perf_analyzer's method: warm-up, windows until 3
 * agree), its -f CSV read back. The independent loop's completions are read the way perf_analyzer
 * reads its own (windows of the same length; the throughput of the first 3 in a row whose counts and
 * average latencies agree within 10%, at most BENCH_MAX_WINDOWS windows; else no figure): on a machine
 * whose load comes and goes, a plain average over seconds mixes busy and quiet stretches that a
 * stable profile skips, and the two figures would differ by the load, not by the clients. The medians of the two are compared, so load that comes and goes on
 * a shared machine favours neither; the load average is printed with the figures. Neither client
 * shares a thread with the server. The server's CPU per request is measured for both (from /proc
 * and the model's statistics): equal, the two clients ask the same of the server.
 *
 * A second table alternates short slices (BENCH_SLICE_MS, BENCH_SLICES times), both clients in this
 * process: the independent loop, then the profiler's own loop and window accounting
 * (`profileLevel`, one window, the `HttpTarget` of `model-lab profile -u`), with the client CPU per
 * request of each. Prints the tables and a JSON summary (also bench/results/profile.json), and
 * whether every ratio is within 5% (printed, never asserted: benchmarks are not timed tests).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, it } from 'vitest';
import { HttpTarget } from '../electron/cli/profile-http';
import { buildRequests } from '../electron/engine/profile/inputs';
import { profileLevel } from '../electron/engine/profile/measure';
import { DEFAULT_SETTINGS, systemClock } from '../electron/engine/profile/types';
import type { Tensor } from '../electron/engine/tensor/tensor';
import { TritonHttpClient } from '../electron/server/triton/http/client';
import { median, percentile, table } from './measure';
import { cpuSeconds, startChild, stopChildren } from './processes';
import { buildCli, CLI, independentProcess, OUT, profileProcess } from './profile/children';

/** Windows the independent loop runs at most to find 3 that agree (perf_analyzer's --max-trials default). */
const MAX_WINDOWS = Number(process.env['BENCH_MAX_WINDOWS'] ?? 10);
const INTERVAL_MS = Number(process.env['BENCH_PROFILE_INTERVAL_MS'] ?? 1000);
const LEVELS = (process.env['BENCH_CONCURRENCY'] ?? '1,4,8').split(',').map(Number);
const TOLERANCE = 0.05;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SLICES = Number(process.env['BENCH_SLICES'] ?? 6);
const SLICE_MS = Number(process.env['BENCH_SLICE_MS'] ?? 500);
const ONLY = process.env['BENCH_MODELS']?.split(',');
const summary: Record<string, unknown> = { cpus: os.cpus().length, node: process.version, out: OUT, maxWindows: MAX_WINDOWS, rounds: ROUNDS, measurementIntervalMs: INTERVAL_MS, tolerance: TOLERANCE };
let repoDir = '';

afterAll(() => {
  stopChildren();
  if (repoDir) rmSync(repoDir, { recursive: true, force: true });
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/profile.json', JSON.stringify(summary, null, 2));
  console.log(`\nJSON summary (bench/results/profile.json):\n${JSON.stringify(summary, null, 2)}`);
});

interface ModelCase {
  model: string;
  /** `--shape` for the profiler, and the same shape (batch 1 in front) for the independent client. */
  shape: [string, number[]];
  output: string;
}

const MODELS: ModelCase[] = [
  { model: 'tiny', shape: ['INPUT0', [16]], output: 'OUTPUT0' },
  { model: 'text_direction', shape: ['x', [3, 48, 192]], output: 'softmax_0.tmp_0' },
].filter((m) => !ONLY || ONLY.includes(m.model)) as ModelCase[];

function writeRepo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
  mkdirSync(path.join(dir, 'tiny', '1'), { recursive: true });
  writeFileSync(
    path.join(dir, 'tiny/config.pbtxt'),
    'name: "tiny"\nbackend: "identity"\nmax_batch_size: 8\ninput [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 16 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 16 ] } ]\n',
  );
  symlinkSync(path.resolve('sample-repos/quick_deploy_onnx/text_direction'), path.join(dir, 'text_direction'));
  return dir;
}

/** bench:serve's closed loop: `concurrency` callers, each sending its next request when the last is answered. */
async function closedLoop(concurrency: number, seconds: number, send: () => Promise<void>): Promise<{ throughput: number; requests: number; p50ms: number }> {
  await Promise.all(Array.from({ length: concurrency }, () => send()));
  const lat: number[] = [];
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (process.hrtime.bigint() < end) {
        const t0 = process.hrtime.bigint();
        await send();
        lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  return { throughput: lat.length / elapsed, requests: lat.length, p50ms: percentile(lat, 50) };
}

/** What the server spent per request it answered over a stretch: its CPU (from /proc) over its inference count. */
class ServerMeter {
  constructor(
    private readonly pid: number,
    private readonly http: TritonHttpClient,
  ) {}

  async count(model: string): Promise<number> {
    const s = await this.http.statistics(model);
    return s.model_stats.reduce((n, m) => n + Number(m['inference_count'] ?? 0), 0);
  }

  async around<T>(model: string, run: () => Promise<T>): Promise<{ result: T; serverCpuUs: number }> {
    const n0 = await this.count(model);
    const c0 = cpuSeconds(this.pid);
    const result = await run();
    const c1 = cpuSeconds(this.pid);
    const n1 = await this.count(model);
    return { result, serverCpuUs: ((c1 - c0) * 1e6) / Math.max(1, n1 - n0) };
  }
}

interface Point {
  model: string;
  concurrency: number;
  profile: number[];
  independent: number[];
  profileMedian: number;
  independentMedian: number;
  ratio: number;
  within: boolean;
  profileP50ms: number;
  independentP50ms: number;
  profileServerCpuUs: number;
  independentServerCpuUs: number;
  /** The share of a core each client used over its run (the profile process: its start and warm-up included). */
  profileClientCores: number;
  independentClientCores: number;
  load1: [number, number];
  profileExits: number[];
}

/** One point: ROUNDS times the independent loop, then `model-lab profile` as its own process; medians compared. */
async function point(url: string, meter: ServerMeter, m: ModelCase, c: number, requestFile: string, csvFile: string): Promise<Point> {
  const [name, dims] = m.shape;
  const args = ['-m', m.model, '-u', url, '--concurrency-range', String(c), '-p', String(INTERVAL_MS), '--shape', `${name}:${dims.join(',')}`];
  const load0 = os.loadavg()[0]!;
  const ind: { throughput: number; p50ms: number; server: number; client: number }[] = [];
  const prof: { throughput: number; p50ms: number; server: number; client: number; exit: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const i = await meter.around(m.model, () => independentProcess(url, m.model, c, requestFile, INTERVAL_MS, MAX_WINDOWS));
    ind.push({ throughput: i.result.throughput, p50ms: i.result.p50ms, server: i.serverCpuUs, client: i.result.cpuS / i.result.wallS });
    const p = await meter.around(m.model, () => profileProcess(args, csvFile));
    prof.push({ throughput: p.result.inferPerSec, p50ms: p.result.p50ms, server: p.serverCpuUs, client: p.result.clientCpuS / p.result.wallS, exit: p.result.exitCode });
  }
  const med = (xs: number[]): number => median(xs.filter(Number.isFinite));
  const profileMedian = med(prof.map((p) => p.throughput));
  const independentMedian = med(ind.map((i) => i.throughput));
  const ratio = profileMedian / independentMedian;
  return {
    model: m.model,
    concurrency: c,
    profile: prof.map((p) => p.throughput),
    independent: ind.map((i) => i.throughput),
    profileMedian,
    independentMedian,
    ratio,
    within: Math.abs(ratio - 1) <= TOLERANCE,
    profileP50ms: med(prof.map((p) => p.p50ms)),
    independentP50ms: med(ind.map((i) => i.p50ms)),
    profileServerCpuUs: med(prof.map((p) => p.server)),
    independentServerCpuUs: med(ind.map((i) => i.server)),
    profileClientCores: med(prof.map((p) => p.client)),
    independentClientCores: med(ind.map((i) => i.client)),
    load1: [load0, os.loadavg()[0]!],
    profileExits: prof.map((p) => p.exit),
  };
}

interface SliceRow {
  model: string;
  concurrency: number;
  profilerMedian: number;
  independentMedian: number;
  ratio: number;
  within: boolean;
  /** CPU of this process (the client only: the server is another process) per request. */
  profilerCpuUs: number;
  independentCpuUs: number;
  cpuRatio: number;
}

const cpuUs = (u: NodeJS.CpuUsage): number => u.user + u.system;

/** Alternating short slices in this process: the independent loop, then one window of the profiler's own loop over HttpTarget. */
async function slices(url: string, m: ModelCase, c: number, send: () => Promise<void>): Promise<SliceRow> {
  const [name, dims] = m.shape;
  const { target, inputs } = await HttpTarget.open(url, m.model, undefined, { maxSockets: c + 4 });
  target.setRequests(buildRequests(inputs, { kind: 'random' }, new Map([[name, dims]]), 1));
  const settings = { ...DEFAULT_SETTINGS, concurrency: { start: c, end: c, step: 1 }, measurementIntervalMs: SLICE_MS, maxTrials: 1, warmupRequests: 10 };
  const prof: number[] = [];
  const ind: number[] = [];
  const cpu = { prof: 0, profN: 0, ind: 0, indN: 0 };
  try {
    for (let r = 0; r < SLICES; r++) {
      let u = process.cpuUsage();
      const i = await closedLoop(c, SLICE_MS / 1000, send);
      cpu.ind += cpuUs(process.cpuUsage(u));
      cpu.indN += i.requests + c; // + the first request of each caller, not timed
      ind.push(i.throughput);
      u = process.cpuUsage();
      const p = await profileLevel(target, systemClock, settings, c);
      cpu.prof += cpuUs(process.cpuUsage(u));
      cpu.profN += p.measurement.client.requestCount + 10 + c; // + the warm-up and the requests in flight at the end
      prof.push(p.measurement.client.inferPerSec);
    }
  } finally {
    target.close();
  }
  const ratio = median(prof) / median(ind);
  const profilerCpuUs = cpu.prof / cpu.profN;
  const independentCpuUs = cpu.ind / cpu.indN;
  return {
    model: m.model,
    concurrency: c,
    profilerMedian: median(prof),
    independentMedian: median(ind),
    ratio,
    within: Math.abs(ratio - 1) <= TOLERANCE,
    profilerCpuUs,
    independentCpuUs,
    cpuRatio: profilerCpuUs / independentCpuUs,
  };
}

function printPoints(points: Point[]): void {
  console.log(
    `\nmodel-lab profile -u (its own process) vs bench:serve's closed loop, server in its own process (${os.cpus().length} cores, ${process.version}; profile windows ${INTERVAL_MS} ms; independent (its own process) read in the same windows until 3 agree within 10%, at most ${MAX_WINDOWS}; medians of ${ROUNDS} alternating runs; load = 1-min load average before / after)\n`,
  );
  console.log(
    table(
      [
        'model',
        'c',
        'profile infer/s',
        'independent infer/s',
        'ratio',
        'within 5%',
        'profile runs',
        'independent runs',
        'p50 ms prof / ind',
        'server µs/req prof / ind',
        'client cores prof / ind',
        'load',
      ],
      points.map((r) => [
        r.model,
        String(r.concurrency),
        r.profileMedian,
        r.independentMedian,
        r.ratio,
        r.within ? 'yes' : 'NO',
        r.profile.map((v) => v.toFixed(0)).join(' '),
        r.independent.map((v) => v.toFixed(0)).join(' '),
        `${r.profileP50ms.toFixed(3)} / ${r.independentP50ms.toFixed(3)}`,
        `${r.profileServerCpuUs.toFixed(0)} / ${r.independentServerCpuUs.toFixed(0)}`,
        `${r.profileClientCores.toFixed(2)} / ${r.independentClientCores.toFixed(2)}`,
        `${r.load1[0].toFixed(2)} / ${r.load1[1].toFixed(2)}`,
      ]),
    ),
  );
  console.log("(a run shown as NaN did not stabilize: for the profile, perf_analyzer's 'Failed to obtain stable measurement', exit 1; medians leave it out)");
}

function printSlices(rows: SliceRow[]): void {
  console.log(
    `\nThe profiler's loop and window accounting vs the independent loop, both in this process, alternating ${SLICE_MS} ms slices ${SLICES} times (throughput: medians; client CPU per request: totals)\n`,
  );
  console.log(
    table(
      ['model', 'c', 'profiler infer/s', 'independent infer/s', 'ratio', 'within 5%', 'profiler client µs/req', 'independent client µs/req', 'CPU ratio'],
      rows.map((r) => [r.model, String(r.concurrency), r.profilerMedian, r.independentMedian, r.ratio, r.within ? 'yes' : 'NO', r.profilerCpuUs, r.independentCpuUs, r.cpuRatio]),
    ),
  );
}

it('model-lab profile vs an independent closed-loop client', async () => {
  buildCli();
  repoDir = writeRepo();
  const server = await startChild(process.execPath, [CLI, 'serve', repoDir, '--http-port=0', '--allow-grpc=false', '--allow-metrics=false', '--log-info=false'], /^HTTP\s/);
  const url = server.lines.find((l) => l.startsWith('HTTP'))!.split(/\s+/)[1]!;
  const http = new TritonHttpClient(url, { maxSockets: Math.max(...LEVELS) + 4 });
  const meter = new ServerMeter(server.child.pid!, http);
  const csvFile = path.join(repoDir, 'profile.csv');
  const points: Point[] = [];
  const sliceRows: SliceRow[] = [];
  for (const m of MODELS) {
    const [name, dims] = m.shape;
    const n = dims.reduce((a, b) => a * b, 1);
    const input: Tensor = { name, dtype: 'FP32', shape: [1, ...dims], data: Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 255) / 127.5 - 1) };
    const req = TritonHttpClient.encodeInfer([input], { outputs: [{ name: m.output, binary: true }] });
    const send = async (): Promise<void> => {
      const r = await http.request('POST', `/v2/models/${m.model}/infer`, req.body, req.headers);
      if (r.status !== 200) throw new Error(`${m.model}: HTTP ${r.status}: ${r.body.toString()}`);
    };
    await closedLoop(Math.max(...LEVELS), 1, send); // warm: sessions, sockets, JIT
    const requestFile = path.join(repoDir, `${m.model}-request.json`);
    writeFileSync(requestFile, JSON.stringify({ body: Buffer.from(req.body).toString('base64'), headers: req.headers }));
    for (const c of LEVELS) {
      const p = await point(url, meter, m, c, requestFile, csvFile);
      points.push(p);
      // As it comes, so a run cut short still says what it measured.
      console.log(
        `${p.model} c=${c}: profile ${p.profile.map((v) => v.toFixed(0)).join(' ')} vs independent ${p.independent.map((v) => v.toFixed(0)).join(' ')} infer/s, ratio of medians ${p.ratio.toFixed(3)}, load ${p.load1.map((v) => v.toFixed(2)).join(' / ')}`,
      );
    }
    if (SLICES > 0) for (const c of LEVELS) sliceRows.push(await slices(url, m, c, send));
  }
  http.close();
  printPoints(points);
  if (sliceRows.length) printSlices(sliceRows);
  const agree = points.every((r) => r.within);
  console.log(`\nThroughput agrees within 5% at every point: ${agree ? 'yes' : `NO (${points.filter((r) => !r.within).length} of ${points.length} points outside)`}`);
  summary['points'] = points;
  summary['slices'] = sliceRows;
  summary['agreeWithin5Percent'] = agree;
});
