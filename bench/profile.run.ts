/**
 * `model-lab profile` against an independent load generator, in one run (`npm run bench:profile`):
 * `model-lab serve` (started in this process on port 0) serves a repository with the tiny identity
 * model of bench:serve and the quick-deploy text direction classifier (PaddleOCR, no config.pbtxt).
 * At each concurrency, `model-lab profile -u <url>` (perf_analyzer's method: warm-up, windows until
 * 3 agree) is run through the CLI entry point and its -f CSV read back; around it, bench:serve's
 * closed loop (N callers over the same Triton HTTP client, the request encoded once) measures the
 * same model for BENCH_SECONDS before and after the profile, and the mean of the two is kept, so
 * drift favours neither. Prints a table and a JSON summary (also written to bench/results/profile.json),
 * and whether every ratio is within 5% (printed, never asserted: benchmarks are not timed tests).
 *
 * On a shared machine whose load changes from second to second, a run of several seconds per side
 * measures the load as much as the client. A second table therefore alternates short slices
 * (BENCH_SLICE_MS, BENCH_ROUNDS times): the independent loop, then the profiler's own loop and
 * window accounting (`profileLevel`, one window, the same `HttpTarget` as `model-lab profile -u`),
 * and compares the medians: what is left of the difference is the profiler's, not the machine's.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, it } from 'vitest';
import { runCli } from '../electron/cli/main';
import type { Output } from '../electron/cli/output';
import { parseServeArgs, type RunningServe, startServe } from '../electron/cli/serve';
import { HttpTarget } from '../electron/cli/profile-http';
import { buildRequests } from '../electron/engine/profile/inputs';
import { profileLevel } from '../electron/engine/profile/measure';
import { DEFAULT_SETTINGS, systemClock } from '../electron/engine/profile/types';
import type { Tensor } from '../electron/engine/tensor/tensor';
import { TritonHttpClient } from '../electron/server/triton/http/client';
import { median, percentile, table } from './measure';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const INTERVAL_MS = Number(process.env['BENCH_PROFILE_INTERVAL_MS'] ?? 1000);
const LEVELS = (process.env['BENCH_CONCURRENCY'] ?? '1,4,8').split(',').map(Number);
const TOLERANCE = 0.05;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 8);
const SLICE_MS = Number(process.env['BENCH_SLICE_MS'] ?? 500);
const ONLY = process.env['BENCH_MODELS']?.split(',');
const summary: Record<string, unknown> = { cpus: os.cpus().length, node: process.version, seconds: SECONDS, measurementIntervalMs: INTERVAL_MS, tolerance: TOLERANCE };
let repoDir = '';
let server: RunningServe | undefined;

afterAll(async () => {
  await server?.stop();
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

const quiet = (lines: string[] = []): Output => ({ log: (l) => lines.push(l), err: (l) => lines.push(l) });

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

/** One `model-lab profile -u` run at one concurrency, as a user types it; infer/s from its -f CSV. */
async function profile(url: string, m: ModelCase, c: number, csvFile: string): Promise<{ inferPerSec: number; exitCode: number; p50ms: number }> {
  const lines: string[] = [];
  const [name, dims] = m.shape;
  const args = ['profile', '-m', m.model, '-u', url, '--concurrency-range', String(c), '-p', String(INTERVAL_MS), '--shape', `${name}:${dims.join(',')}`, '-f', csvFile];
  const exitCode = await runCli(args, quiet(lines));
  const rows = readFileSync(csvFile, 'utf8').trimEnd().split('\n');
  const head = rows[0]!.split(',');
  const row = rows[1]?.split(',');
  if (exitCode !== 0 || !row) console.log(`profile ${m.model} c=${c} exited ${exitCode}:\n${lines.slice(-5).join('\n')}`);
  return {
    inferPerSec: row ? Number(row[head.indexOf('Inferences/Second')]) : NaN,
    exitCode,
    p50ms: row ? Number(row[head.indexOf('p50 latency')]) / 1000 : NaN,
  };
}

interface SliceRow {
  model: string;
  concurrency: number;
  profilerMedian: number;
  independentMedian: number;
  ratio: number;
  within: boolean;
  /** CPU time of this process (server and client) per request: what a loaded machine cannot blur. */
  profilerCpuUs: number;
  independentCpuUs: number;
  cpuRatio: number;
}

const cpuUs = (u: NodeJS.CpuUsage): number => u.user + u.system;

/** Alternating short slices: the independent loop, then one window of the profiler's own loop over HttpTarget. */
async function interleaved(url: string, m: ModelCase, c: number, send: () => Promise<void>): Promise<SliceRow> {
  const [name, dims] = m.shape;
  const { target, inputs } = await HttpTarget.open(url, m.model, undefined, { maxSockets: c + 4 });
  target.setRequests(buildRequests(inputs, { kind: 'random' }, new Map([[name, dims]]), 1));
  const settings = { ...DEFAULT_SETTINGS, concurrency: { start: c, end: c, step: 1 }, measurementIntervalMs: SLICE_MS, maxTrials: 1, warmupRequests: c };
  const prof: number[] = [];
  const ind: number[] = [];
  const cpu = { prof: 0, profN: 0, ind: 0, indN: 0 };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      let u = process.cpuUsage();
      const i = await closedLoop(c, SLICE_MS / 1000, send);
      cpu.ind += cpuUs(process.cpuUsage(u));
      cpu.indN += i.requests + c; // + the first request of each caller, not timed
      ind.push(i.throughput);
      u = process.cpuUsage();
      const p = await profileLevel(target, systemClock, settings, c);
      cpu.prof += cpuUs(process.cpuUsage(u));
      cpu.profN += p.measurement.client.requestCount + 2 * c; // + the warm-up and the requests in flight at the end
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

it('model-lab profile vs an independent closed-loop client', async () => {
  repoDir = writeRepo();
  const setup = parseServeArgs([repoDir, '--http-port=0', '--allow-grpc=false', '--allow-metrics=false', '--log-info=false'], {});
  if (setup === 'help') throw new Error('help');
  server = await startServe(setup, quiet());
  const url = `http://127.0.0.1:${server.serving.http!.port}`;
  const http = new TritonHttpClient(url, { maxSockets: Math.max(...LEVELS) + 4 });
  const csvFile = path.join(repoDir, 'profile.csv');
  const slices: SliceRow[] = [];
  const rows: {
    model: string;
    concurrency: number;
    profileInferPerSec: number;
    independentInferPerSec: number;
    /** The two closed-loop runs around the profile: their spread is the noise of this machine. */
    independentBefore: number;
    independentAfter: number;
    ratio: number;
    within: boolean;
    profileP50ms: number;
    independentP50ms: number;
    profileExit: number;
  }[] = [];

  for (const m of MODELS) {
    const [name, dims] = m.shape;
    const n = dims.reduce((a, b) => a * b, 1);
    const input: Tensor = { name, dtype: 'FP32', shape: [1, ...dims], data: Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 255) / 127.5 - 1) };
    const req = TritonHttpClient.encodeInfer([input], { outputs: [{ name: m.output, binary: true }] });
    const send = async (): Promise<void> => {
      const r = await http.request('POST', `/v2/models/${m.model}/infer`, req.body, req.headers);
      if (r.status !== 200) throw new Error(`${m.model}: HTTP ${r.status}: ${r.body.toString()}`);
    };
    await closedLoop(Math.max(...LEVELS), 1, send); // warm: sessions and sockets
    for (const c of LEVELS) slices.push(await interleaved(url, m, c, send));
    for (const c of LEVELS) {
      const before = await closedLoop(c, SECONDS, send);
      const p = await profile(url, m, c, csvFile);
      const after = await closedLoop(c, SECONDS, send);
      const independent = (before.throughput + after.throughput) / 2;
      const ratio = p.inferPerSec / independent;
      rows.push({
        model: m.model,
        concurrency: c,
        profileInferPerSec: p.inferPerSec,
        independentInferPerSec: independent,
        independentBefore: before.throughput,
        independentAfter: after.throughput,
        ratio,
        within: Math.abs(ratio - 1) <= TOLERANCE,
        profileP50ms: p.p50ms,
        independentP50ms: (before.p50ms + after.p50ms) / 2,
        profileExit: p.exitCode,
      });
    }
  }
  http.close();

  console.log(
    `\nmodel-lab profile -u vs bench:serve's closed loop (${os.cpus().length} cores, ${process.version}; profile windows ${INTERVAL_MS} ms; independent: mean of ${SECONDS}s before and after)\n`,
  );
  console.log(
    table(
      ['model', 'concurrency', 'profile infer/s', 'independent infer/s', 'before / after', 'ratio', 'within 5%', 'profile p50 ms', 'independent p50 ms'],
      rows.map((r) => [
        r.model,
        String(r.concurrency),
        r.profileInferPerSec,
        r.independentInferPerSec,
        `${r.independentBefore.toFixed(0)} / ${r.independentAfter.toFixed(0)}`,
        r.ratio,
        r.within ? 'yes' : 'NO',
        r.profileP50ms,
        r.independentP50ms,
      ]),
    ),
  );
  console.log(
    `\nThe profiler's loop and window accounting vs the independent loop, alternating ${SLICE_MS} ms slices ${ROUNDS} times (throughput: medians; CPU of this process, server and client, per request: totals)\n`,
  );
  console.log(
    table(
      ['model', 'concurrency', 'profiler infer/s', 'independent infer/s', 'ratio', 'within 5%', 'profiler CPU µs/req', 'independent CPU µs/req', 'CPU ratio'],
      slices.map((r) => [r.model, String(r.concurrency), r.profilerMedian, r.independentMedian, r.ratio, r.within ? 'yes' : 'NO', r.profilerCpuUs, r.independentCpuUs, r.cpuRatio]),
    ),
  );
  summary['slices'] = slices;
  const agree = rows.every((r) => r.within);
  console.log(`\nThroughput agrees within 5% at every point: ${agree ? 'yes' : `NO (${rows.filter((r) => !r.within).length} of ${rows.length} points outside)`}`);
  summary['points'] = rows;
  summary['agreeWithin5Percent'] = agree;
});
