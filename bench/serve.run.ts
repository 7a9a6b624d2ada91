/**
 * Serving throughput and latency, measured in one run (`npm run bench:serve`):
 * `model-lab serve` runs in its own process (the built CLI), the load comes
 * from this one, closed-loop at fixed concurrency.
 *  1. A tiny model (identity, FP32 [1,16]) over HTTP binary, HTTP JSON and
 *     gRPC, next to a bare Node HTTP server echoing the same bytes (the floor
 *     of any Node HTTP stack).
 *  2. PaddleOCR v4 recognition without and with dynamic batching.
 *  3. The OCR ensemble over gRPC (one JPEG in, text out).
 * The server's memory is sampled throughout. Prints tables and a JSON summary
 * (also written to bench/results/serve.json). Needs `npm run build` first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, it } from 'vitest';
import type { Tensor } from '../electron/engine/tensor/tensor';
import { createGrpcClient, inferRequest, responseTensors } from '../electron/server/triton/grpc/client';
import { TritonHttpClient } from '../electron/server/triton/http/client';
import { percentile, table } from './measure';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const HEAVY_SECONDS = Number(process.env['BENCH_HEAVY_SECONDS'] ?? 6);
const samples = path.resolve('sample-repos/ocr_ensemble');
const cli = path.resolve('out/main/cli.js');
const summary: Record<string, unknown> = { cpus: os.cpus().length, node: process.version, seconds: SECONDS, heavySeconds: HEAVY_SECONDS };
const children: ChildProcess[] = [];
let repoDir = '';

afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
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
  rec('rec_batched', 'dynamic_batching { max_queue_delay_microseconds: 2000 }\n');
  for (const m of ['ensemble_model', 'detection_preprocessing', 'text_detection', 'detection_postprocessing', 'text_recognition', 'recognition_postprocessing']) {
    symlinkSync(path.join(samples, m), path.join(dir, m));
  }
  return dir;
}

/** Starts a child and waits for the line its `pattern` matches. */
function startChild(cmd: string, args: string[], pattern: RegExp, timeoutMs = 120_000): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(' ')} did not start:\n${lines.join('\n')}`)), timeoutMs);
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
      if (lines.some((l) => pattern.test(l))) {
        clearTimeout(timer);
        resolve({ child, lines });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}:\n${lines.join('\n')}`)));
  });
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

interface Point {
  scenario: string;
  concurrency: number;
  requests: number;
  errors: number;
  throughput: number;
  p50ms: number;
  p99ms: number;
}

/** Closed loop: `concurrency` callers, each sending its next request when the last is answered. */
async function measure(scenario: string, concurrency: number, seconds: number, send: () => Promise<void>): Promise<Point> {
  // Warm-up: every caller's connection is open and the model has run.
  await Promise.all(Array.from({ length: concurrency }, () => send()));
  const lat: number[] = [];
  let errors = 0;
  let firstError = '';
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
  if (firstError) console.log(`${scenario} c=${concurrency}: ${errors} errors, first: ${firstError}`);
  return { scenario, concurrency, requests: lat.length, errors, throughput: lat.length / elapsed, p50ms: percentile(lat, 50), p99ms: percentile(lat, 99) };
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
  const memory: { at: string; rssMiB: number }[] = [{ at: 'after load', rssMiB: rssMiB(pid) }];
  const http = new TritonHttpClient(httpUrl, { maxSockets: 64 });
  const echoClient = new TritonHttpClient(`http://127.0.0.1:${echoPort}`, { maxSockets: 64 });
  const grpc = createGrpcClient(grpcAddr);
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
  for (const c of [1, 8, 32]) {
    points.push(await measure('echo server (floor)', c, SECONDS, async () => ok(await echoClient.request('POST', '/v2/models/tiny/infer', bin.body, bin.headers))));
    points.push(await measure('tiny HTTP binary', c, SECONDS, async () => ok(await http.request('POST', '/v2/models/tiny/infer', bin.body, bin.headers))));
    points.push(await measure('tiny HTTP JSON', c, SECONDS, async () => ok(await http.request('POST', '/v2/models/tiny/infer', json.body, json.headers))));
    points.push(await measure('tiny gRPC', c, SECONDS, async () => void (await grpc.modelInfer(tinyGrpc))));
  }
  memory.push({ at: 'after tiny model', rssMiB: rssMiB(pid) });

  // 2. Recognition model: one text-line crop per request, without and with dynamic batching.
  const crop = f32('x', [1, 3, 48, 320], (i) => ((i * 7919) % 255) / 127.5 - 1);
  const recBody = TritonHttpClient.encodeInfer([crop], { outputs: [{ name: 'softmax_11.tmp_0', binary: true }] });
  for (const model of ['rec_plain', 'rec_batched']) {
    const r = TritonHttpClient.decodeInfer(await http.request('POST', `/v2/models/${model}/infer`, recBody.body, recBody.headers));
    if (r.outputs[0]!.shape.join(',') !== '1,40,6625') throw new Error(`${model} answered shape ${r.outputs[0]!.shape.join(',')}`);
    for (const c of [1, 8, 16, 32]) {
      points.push(await measure(`recognition ${model === 'rec_plain' ? 'no batching' : 'dynamic batching'}`, c, HEAVY_SECONDS, async () => ok(await http.request('POST', `/v2/models/${model}/infer`, recBody.body, recBody.headers))));
    }
  }
  memory.push({ at: 'after recognition', rssMiB: rssMiB(pid) });

  // 3. The OCR ensemble over gRPC, as Part 5's client sends it.
  const jpeg = readFileSync(path.resolve('resources/sample-images/noisy-scan.jpg'));
  const image: Tensor = { name: 'input_image', dtype: 'UINT8', shape: [jpeg.byteLength], data: new Uint8Array(jpeg) };
  const ocrReq = inferRequest('ensemble_model', [image]);
  const text = responseTensors(await grpc.modelInfer(ocrReq))[0]!;
  summary['ocrLines'] = (text.data as Uint8Array[]).length;
  for (const c of [1, 8, 32]) points.push(await measure('OCR ensemble gRPC', c, HEAVY_SECONDS, async () => void (await grpc.modelInfer(ocrReq))));
  memory.push({ at: 'end', rssMiB: rssMiB(pid) });

  http.close();
  echoClient.close();
  grpc.close();

  console.log(`\nServing benchmark (${os.cpus().length} cores, ${process.version}; closed loop, ${SECONDS}s per point, ${HEAVY_SECONDS}s for models that compute)\n`);
  console.log(
    table(
      ['scenario', 'conc', 'req', 'err', 'req/s', 'p50 ms', 'p99 ms'],
      points.map((p) => [p.scenario, String(p.concurrency), String(p.requests), String(p.errors), p.throughput, p.p50ms, p.p99ms]),
    ),
  );
  const at = (s: string, c: number): Point => points.find((p) => p.scenario === s && p.concurrency === c)!;
  const ratios = [1, 8, 32].map((c) => ({
    concurrency: c,
    binaryVsEcho: at('tiny HTTP binary', c).throughput / at('echo server (floor)', c).throughput,
    jsonVsEcho: at('tiny HTTP JSON', c).throughput / at('echo server (floor)', c).throughput,
    grpcVsEcho: at('tiny gRPC', c).throughput / at('echo server (floor)', c).throughput,
  }));
  const batching = [1, 8, 16, 32].map((c) => ({ concurrency: c, speedup: at('recognition dynamic batching', c).throughput / at('recognition no batching', c).throughput }));
  console.log(`\nTiny model vs the bare echo server (target: HTTP binary >= 0.60)\n`);
  console.log(table(['conc', 'binary/echo', 'JSON/echo', 'gRPC/echo'], ratios.map((r) => [String(r.concurrency), r.binaryVsEcho, r.jsonVsEcho, r.grpcVsEcho])));
  console.log(`\nDynamic batching speed-up on the recognition model (target at 16: >= 1.5x)\n`);
  console.log(table(['conc', 'batched/plain'], batching.map((b) => [String(b.concurrency), b.speedup])));
  const growth = memory[memory.length - 1]!.rssMiB - memory[0]!.rssMiB;
  console.log(`\nServer memory (RSS, MiB)\n`);
  console.log(table(['when', 'RSS MiB'], memory.map((m) => [m.at, m.rssMiB])));
  summary['points'] = points;
  summary['tinyVsEcho'] = ratios;
  summary['dynamicBatching'] = batching;
  summary['memory'] = memory;
  summary['errors'] = points.reduce((n, p) => n + p.errors, 0);
  summary['memoryGrowthMiB'] = growth;
});
