/**
 * Serving throughput and latency, measured in one run (`npm run bench:serve`):
 * `model-lab serve` runs in its own process (the built CLI), the load comes
 * from this one, closed-loop at fixed concurrency.
 *  1. A tiny model (identity, FP32 [1,16]) over HTTP binary, HTTP JSON and
 *     gRPC, next to a bare Node HTTP server echoing the same bytes (the floor
 *     of any Node HTTP stack). Each protocol's load comes from a lean client
 *     with its request encoded once (serve/grpc-load.ts for gRPC), so the
 *     points measure the server, not the load generator.
 *  2. PaddleOCR v4 recognition without and with dynamic batching.
 *  3. The OCR ensemble over gRPC (one JPEG in, text out).
 * The server's memory is sampled throughout. Prints tables and a JSON summary
 * (also written to bench/results/serve.json). Needs `npm run build` first
 * (MODEL_LAB_OUT names another build folder, as for the e2e tests).
 * The tiny model's points are interleaved repeats (median kept), as the
 * recognition model's: the gRPC target (server CPU per request within 1.5x of
 * HTTP binary's at concurrency 8) compares two of them.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import type { Tensor } from '../electron/engine/tensor/tensor';
import { createGrpcClient, inferRequest, responseTensors } from '../electron/server/triton/grpc/client';
import { TritonHttpClient } from '../electron/server/triton/http/client';
import { percentile, table } from './measure';
import { GrpcLoad } from './serve/grpc-load';
import { cpuSeconds, rssMiB, startChild, stopChildren } from './processes';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const HEAVY_SECONDS = Number(process.env['BENCH_HEAVY_SECONDS'] ?? 6);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);
const samples = path.resolve('sample-repos/ocr_ensemble');
const cli = path.resolve(process.env['MODEL_LAB_OUT'] ?? 'out', 'main/cli.js');
const summary: Record<string, unknown> = { cpus: os.cpus().length, node: process.version, seconds: SECONDS, heavySeconds: HEAVY_SECONDS };
let repoDir = '';

afterAll(() => {
  stopChildren();
  if (repoDir) rmSync(repoDir, { recursive: true, force: true });
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/serve.json', JSON.stringify(summary, null, 2));
  console.log(`\nJSON summary (bench/results/serve.json):\n${JSON.stringify(summary, null, 2)}`);
});

function writeRepo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-serve-'));
  const put = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  put(
    'tiny/config.pbtxt',
    'name: "tiny"\nbackend: "identity"\nmax_batch_size: 8\ninput [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 16 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 16 ] } ]\n',
  );
  mkdirSync(path.join(dir, 'tiny', '1'));
  const rec = (name: string, batching: string): void => {
    put(
      `${name}/config.pbtxt`,
      `name: "${name}"\nbackend: "onnxruntime"\nmax_batch_size: 16\ninput [ { name: "x" data_type: TYPE_FP32 dims: [ 3, 48, -1 ] } ]\noutput [ { name: "softmax_11.tmp_0" data_type: TYPE_FP32 dims: [ -1, 6625 ] } ]\ninstance_group [ { kind: KIND_CPU count: 1 } ]\n${batching}`,
    );
    mkdirSync(path.join(dir, name, '1'));
    symlinkSync(path.join(samples, 'text_recognition/1/model.onnx'), path.join(dir, name, '1/model.onnx'));
  };
  rec('rec_plain', '');
  rec('rec_batched', 'dynamic_batching { preferred_batch_size: [ 8 ] max_queue_delay_microseconds: 10000 }\n');
  for (const m of ['ensemble_model', 'detection_preprocessing', 'text_detection', 'detection_postprocessing', 'text_recognition', 'recognition_postprocessing']) {
    symlinkSync(path.join(samples, m), path.join(dir, m));
  }
  return dir;
}

interface Point {
  scenario: string;
  /** Server CPU time per answered request, in microseconds: what the server spends, whoever limits throughput. */
  serverCpuUs: number;
  concurrency: number;
  requests: number;
  errors: number;
  throughput: number;
  p50ms: number;
  p99ms: number;
}

/** Closed loop: `concurrency` callers, each sending its next request when the last is answered. */
async function measure(scenario: string, concurrency: number, seconds: number, serverPid: number, send: () => Promise<void>): Promise<Point> {
  // Warm-up: every caller's connection is open and the model has run.
  await Promise.all(Array.from({ length: concurrency }, () => send()));
  const lat: number[] = [];
  let errors = 0;
  let firstError = '';
  const cpu0 = cpuSeconds(serverPid);
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (process.hrtime.bigint() < end) {
        const t0 = process.hrtime.bigint();
        try {
          await send();
          lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
        } catch (err) {
          errors++;
          firstError ||= err instanceof Error ? err.message : String(err);
        }
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const serverCpuUs = ((cpuSeconds(serverPid) - cpu0) * 1e6) / Math.max(1, lat.length);
  if (firstError) console.log(`${scenario} c=${concurrency}: ${errors} errors, first: ${firstError}`);
  return { scenario, serverCpuUs, concurrency, requests: lat.length, errors, throughput: lat.length / elapsed, p50ms: percentile(lat, 50), p99ms: percentile(lat, 99) };
}

/** Per-crop time of the recognition model run directly with ONNX Runtime (2 intra-op threads, as the server's sessions), batch 1 vs 8. */
async function sessionBatchGain(file: string): Promise<{ batch1Ms: number; batch8Ms: number; gain: number }> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 2, interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: '0' } } } });
  const perCrop = async (b: number): Promise<number> => {
    const x = new ort.Tensor(
      'float32',
      Float32Array.from({ length: b * 3 * 48 * 320 }, (_, i) => ((i * 7919) % 255) / 127.5 - 1),
      [b, 3, 48, 320],
    );
    for (let i = 0; i < 2; i++) await session.run({ x });
    const n = Math.max(4, Math.round(48 / b));
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await session.run({ x });
    return (performance.now() - t0) / n / b;
  };
  const batch1Ms = await perCrop(1);
  const batch8Ms = await perCrop(8);
  await session.release();
  return { batch1Ms, batch8Ms, gain: batch1Ms / batch8Ms };
}

/** The run with the median throughput (its latencies and CPU with it). */
function medianPoint(runs: Point[]): Point {
  const sorted = [...runs].sort((a, b) => a.throughput - b.throughput);
  return { ...sorted[sorted.length >> 1]!, requests: runs.reduce((n, r) => n + r.requests, 0), errors: runs.reduce((n, r) => n + r.errors, 0) };
}

/** As medianPoint, with the median server CPU per request of the runs (a noisy machine moves CPU and throughput apart). */
function medianCpuPoint(runs: Point[]): Point {
  const cpu = runs.map((r) => r.serverCpuUs).sort((a, b) => a - b);
  return { ...medianPoint(runs), serverCpuUs: cpu[cpu.length >> 1]! };
}

function f32(name: string, shape: number[], fill: (i: number) => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, dtype: 'FP32', shape, data: Float32Array.from({ length: n }, (_, i) => fill(i)) };
}

it('serving throughput and latency', async () => {
  if (!existsSync(cli)) throw new Error('the CLI is not built: run `npm run build` first');
  repoDir = writeRepo();
  const server = await startChild(process.execPath, [cli, 'serve', repoDir, '--http-port=0', '--grpc-port=0', '--metrics-port=0', '--log-info=false'], /^Metrics\s/);
  const httpUrl = server.lines.find((l) => l.startsWith('HTTP'))!.split(/\s+/)[1]!;
  const grpcAddr = server.lines.find((l) => l.startsWith('gRPC'))!.split(/\s+/)[1]!;
  const echo = await startChild(process.execPath, [path.resolve('bench/serve/echo-server.mjs')], /^ECHO \d+/);
  const echoPort = Number(echo.lines.find((l) => l.startsWith('ECHO'))!.split(' ')[1]);
  const pid = server.child.pid!;
  const echoPid = echo.child.pid!;
  const memory: { at: string; rssMiB: number }[] = [{ at: 'after load', rssMiB: rssMiB(pid) }];
  const http = new TritonHttpClient(httpUrl, { maxSockets: 64 });
  const echoClient = new TritonHttpClient(`http://127.0.0.1:${echoPort}`, { maxSockets: 64 });
  const grpc = createGrpcClient(grpcAddr);
  const grpcLoad = new GrpcLoad(grpcAddr);
  const points: Point[] = [];

  // 1. Tiny model: protocol overhead against the floor.
  const tiny = f32('INPUT0', [1, 16], (i) => i / 16);
  const bin = TritonHttpClient.encodeInfer([tiny], { outputs: [{ name: 'OUTPUT0', binary: true }] });
  const json = TritonHttpClient.encodeInfer([tiny], { binaryInputs: false, outputs: [{ name: 'OUTPUT0', binary: false }] });
  const tinyGrpc = inferRequest('tiny', [tiny]);
  const ok = (r: { status: number; body: Buffer }): void => {
    if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body.toString()}`);
  };
  // One checked answer each, so the numbers below are for correct responses.
  const first = TritonHttpClient.decodeInfer(await http.request('POST', '/v2/models/tiny/infer', bin.body, bin.headers));
  if ((first.outputs[0]!.data as Float32Array)[15] !== 15 / 16) throw new Error('tiny model answered wrongly');
  if (responseTensors(await grpc.modelInfer(tinyGrpc)).length !== 1) throw new Error('gRPC answered wrongly');
  const tinyFramed = GrpcLoad.frame(tinyGrpc);
  if ((responseTensors(await grpcLoad.modelInfer(tinyFramed))[0]!.data as Float32Array)[15] !== 15 / 16) throw new Error('gRPC (lean client) answered wrongly');
  const tinyScenarios: [string, number, () => Promise<void>][] = [
    ['echo server (floor)', echoPid, async () => ok(await echoClient.request('POST', '/v2/models/tiny/infer', bin.body, bin.headers))],
    ['tiny HTTP binary', pid, async () => ok(await http.request('POST', '/v2/models/tiny/infer', bin.body, bin.headers))],
    ['tiny HTTP JSON', pid, async () => ok(await http.request('POST', '/v2/models/tiny/infer', json.body, json.headers))],
    ['tiny gRPC', pid, async () => void (await grpcLoad.modelInfer(tinyFramed))],
    // The same calls from grpc-js's client: the server's CPU when a heavier client paces it.
    ['tiny gRPC, grpc-js client', pid, async () => void (await grpc.modelInfer(tinyGrpc))],
  ];
  // Interleaved and repeated (median kept), SECONDS per point in all, so drift and a noisy machine favour no protocol.
  for (const c of [1, 8, 32]) {
    const runs = new Map<string, Point[]>(tinyScenarios.map(([name]) => [name, []]));
    for (let rep = 0; rep < REPEATS; rep++) {
      for (const [name, target, send] of tinyScenarios) runs.get(name)!.push(await measure(name, c, SECONDS / REPEATS, target, send));
    }
    for (const [name] of tinyScenarios) points.push(medianCpuPoint(runs.get(name)!));
  }
  memory.push({ at: 'after tiny model', rssMiB: rssMiB(pid) });

  // 2. Recognition model: one text-line crop per request, without and with dynamic batching.
  const crop = f32('x', [1, 3, 48, 320], (i) => ((i * 7919) % 255) / 127.5 - 1);
  const recBody = TritonHttpClient.encodeInfer([crop], { outputs: [{ name: 'softmax_11.tmp_0', binary: true }] });
  const recModels = ['rec_plain', 'rec_batched'] as const;
  for (const model of recModels) {
    const r = TritonHttpClient.decodeInfer(await http.request('POST', `/v2/models/${model}/infer`, recBody.body, recBody.headers));
    if (r.outputs[0]!.shape.join(',') !== '1,40,6625') throw new Error(`${model} answered shape ${r.outputs[0]!.shape.join(',')}`);
    // Both sessions warm (arena grown for every batch size) before anything is measured.
    await measure('warm-up', 16, 2, pid, async () => ok(await http.request('POST', `/v2/models/${model}/infer`, recBody.body, recBody.headers)));
  }
  // Interleaved and repeated (the median of REPEATS runs is kept), so drift and a noisy machine favour neither.
  for (const c of [1, 8, 16, 32]) {
    const runs: Record<string, Point[]> = { rec_plain: [], rec_batched: [] };
    for (let rep = 0; rep < REPEATS; rep++) {
      for (const model of recModels) {
        runs[model]!.push(
          await measure(`recognition ${model === 'rec_plain' ? 'no batching' : 'dynamic batching'}`, c, HEAVY_SECONDS / 2, pid, async () =>
            ok(await http.request('POST', `/v2/models/${model}/infer`, recBody.body, recBody.headers)),
          ),
        );
      }
    }
    for (const model of recModels) points.push(medianPoint(runs[model]!));
  }
  // The ceiling: the recognition session alone in this process (server idle), one crop vs a batch of 8.
  const ceiling = await sessionBatchGain(path.join(samples, 'text_recognition/1/model.onnx'));
  const batchStats = ((await http.statistics('rec_batched')).model_stats[0]!['batch_stats'] as { batch_size: number; compute_infer: { count: number } }[]).map((b) => ({
    batchSize: b.batch_size,
    executions: b.compute_infer.count,
  }));
  memory.push({ at: 'after recognition', rssMiB: rssMiB(pid) });

  // 3. The OCR ensemble over gRPC, as Part 5's client sends it.
  const jpeg = readFileSync(path.resolve('resources/sample-images/noisy-scan.jpg'));
  const image: Tensor = { name: 'input_image', dtype: 'UINT8', shape: [1, jpeg.byteLength], data: new Uint8Array(jpeg) };
  const ocrReq = inferRequest('ensemble_model', [image]);
  const text = responseTensors(await grpc.modelInfer(ocrReq))[0]!;
  summary['ocrLines'] = (text.data as Uint8Array[]).length;
  for (const c of [1, 8, 32]) points.push(await measure('OCR ensemble gRPC', c, HEAVY_SECONDS, pid, async () => void (await grpc.modelInfer(ocrReq))));
  memory.push({ at: 'after OCR ensemble', rssMiB: rssMiB(pid) });

  // 4. The same heavy load again: memory must stay where it was (working set reached, nothing leaking).
  for (let round = 1; round <= 2; round++) {
    await measure('repeat: dynamic batching', 32, HEAVY_SECONDS / 2, pid, async () => ok(await http.request('POST', '/v2/models/rec_batched/infer', recBody.body, recBody.headers)));
    await measure('repeat: OCR ensemble', 32, HEAVY_SECONDS / 2, pid, async () => void (await grpc.modelInfer(ocrReq)));
    await measure('repeat: tiny HTTP binary', 32, SECONDS / 2, pid, async () => ok(await http.request('POST', '/v2/models/tiny/infer', bin.body, bin.headers)));
    memory.push({ at: `after repeat ${round}`, rssMiB: rssMiB(pid) });
  }

  http.close();
  echoClient.close();
  grpc.close();
  grpcLoad.close();

  console.log(
    `\nServing benchmark (${os.cpus().length} cores, ${process.version}; closed loop, ${SECONDS}s per point, ${HEAVY_SECONDS}s for models that compute; recognition: median of ${REPEATS} interleaved runs of ${HEAVY_SECONDS / 2}s)\n`,
  );
  console.log(
    table(
      ['scenario', 'conc', 'req', 'err', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req'],
      points.map((p) => [p.scenario, String(p.concurrency), String(p.requests), String(p.errors), p.throughput, p.p50ms, p.p99ms, p.serverCpuUs]),
    ),
  );
  const at = (s: string, c: number): Point => points.find((p) => p.scenario === s && p.concurrency === c)!;
  const ratios = [1, 8, 32].map((c) => ({
    concurrency: c,
    binaryCpuVsEcho: at('tiny HTTP binary', c).serverCpuUs / at('echo server (floor)', c).serverCpuUs,
    binaryVsEcho: at('tiny HTTP binary', c).throughput / at('echo server (floor)', c).throughput,
    jsonVsEcho: at('tiny HTTP JSON', c).throughput / at('echo server (floor)', c).throughput,
    grpcVsEcho: at('tiny gRPC', c).throughput / at('echo server (floor)', c).throughput,
  }));
  const grpcCpu = [1, 8, 32].map((c) => ({
    concurrency: c,
    grpcUs: at('tiny gRPC', c).serverCpuUs,
    grpcJsClientUs: at('tiny gRPC, grpc-js client', c).serverCpuUs,
    binaryUs: at('tiny HTTP binary', c).serverCpuUs,
    ratio: at('tiny gRPC', c).serverCpuUs / at('tiny HTTP binary', c).serverCpuUs,
    grpcJsClientRatio: at('tiny gRPC, grpc-js client', c).serverCpuUs / at('tiny HTTP binary', c).serverCpuUs,
  }));
  const batching = [1, 8, 16, 32].map((c) => ({ concurrency: c, speedup: at('recognition dynamic batching', c).throughput / at('recognition no batching', c).throughput }));
  console.log(`\nTiny model vs the bare echo server (target: HTTP binary >= 0.60)\n`);
  console.log(
    table(
      ['conc', 'binary/echo', 'JSON/echo', 'gRPC/echo', 'server CPU per request, binary/echo'],
      ratios.map((r) => [String(r.concurrency), r.binaryVsEcho, r.jsonVsEcho, r.grpcVsEcho, r.binaryCpuVsEcho]),
    ),
  );
  console.log(`\nServer CPU per request, tiny model: gRPC vs HTTP binary (target at 8: gRPC <= 1.5x)\n`);
  console.log(
    table(
      ['conc', 'gRPC µs/req', 'HTTP binary µs/req', 'gRPC/binary', 'gRPC µs/req, grpc-js client', 'that/binary'],
      grpcCpu.map((g) => [String(g.concurrency), g.grpcUs, g.binaryUs, g.ratio, g.grpcJsClientUs, g.grpcJsClientRatio]),
    ),
  );
  console.log(`\nDynamic batching speed-up on the recognition model (target at 16: >= 1.5x)\n`);
  console.log(
    table(
      ['conc', 'batched/plain'],
      batching.map((b) => [String(b.concurrency), b.speedup]),
    ),
  );
  console.log(
    `\nCeiling on this machine: the recognition session alone takes ${ceiling.batch1Ms.toFixed(1)} ms per crop at batch 1 and ${ceiling.batch8Ms.toFixed(1)} ms at batch 8 (${ceiling.gain.toFixed(2)}x): no scheduler can gain more from batching here.`,
  );
  console.log(`\nBatches the dynamic batcher formed (all runs of rec_batched): ${batchStats.map((b) => `${b.batchSize}×${b.executions}`).join(', ')}`);
  // Flat: the repeats of the heaviest loads leave the server where the first pass did.
  const firstPass = memory.find((m) => m.at === 'after OCR ensemble')!.rssMiB;
  const growth = memory[memory.length - 1]!.rssMiB - firstPass;
  console.log(`\nServer memory (RSS, MiB)\n`);
  console.log(
    table(
      ['when', 'RSS MiB'],
      memory.map((m) => [m.at, m.rssMiB]),
    ),
  );
  console.log(`growth over two repeats of the heaviest loads: ${growth.toFixed(1)} MiB`);
  summary['points'] = points;
  summary['tinyVsEcho'] = ratios;
  summary['grpcCpuVsBinary'] = grpcCpu;
  summary['dynamicBatching'] = { config: 'max_batch_size 16, preferred_batch_size [8], max_queue_delay_microseconds 10000', speedups: batching, batchStats, sessionAloneCeiling: ceiling };
  summary['memory'] = memory;
  summary['errors'] = points.reduce((n, p) => n + p.errors, 0);
  summary['memoryGrowthOverRepeatsMiB'] = growth;
});
