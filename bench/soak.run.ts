/**
 * `npm run bench:soak` (not in CI): `model-lab serve` (the built CLI, its own
 * process, explicit model control) under a mixed closed-loop load for 10
 * minutes at concurrency 64: the PaddleOCR ensemble over gRPC and HTTP, the
 * Data Pipelines ensemble of Python models, a tiny model, a model loaded,
 * run and unloaded again and again (sometimes from files sent with the load
 * request), and a few hostile callers (decompression bombs, oversized and
 * stalled bodies, browser origins, broken URLs, garbage bytes).
 *
 * Prints requests, errors, p50/p99 per kind, the server's RSS after warm-up
 * and at the end, its open file descriptors and child processes at the end,
 * and, after SIGTERM, how long shutdown took and whether any child process or
 * scratch folder was left behind. Target: 0 errors on well-formed requests,
 * RSS growth under 10% after warm-up, nothing leaked.
 *
 *   BENCH_SOAK_SECONDS (600), BENCH_SOAK_CONCURRENCY (64),
 *   BENCH_SOAK_KINDS (all: control,hostile,ocr,ocr-http,dp,tiny — a comma list picks some, to
 *   find which load the memory follows)
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, it } from 'vitest';
import type { Tensor } from '../electron/engine/tensor/tensor';
import { type GrpcInferenceClient, createGrpcClient, inferRequest } from '../electron/server/triton/grpc/client';
import { TritonHttpClient } from '../electron/server/triton/http/client';
import { percentile, table } from './measure';
import { rssMiB, startChild, stopChildren } from './processes';

const SECONDS = Number(process.env['BENCH_SOAK_SECONDS'] ?? 600);
const CONCURRENCY = Number(process.env['BENCH_SOAK_CONCURRENCY'] ?? 64);
const WARMUP_SECONDS = Math.min(60, Math.max(5, SECONDS / 10));
const KINDS = new Set((process.env['BENCH_SOAK_KINDS'] ?? 'control,hostile,ocr,ocr-http,dp,tiny').split(',').map((k) => k.trim()));
const cli = path.resolve('out/main/cli.js');
const cleanup: (() => void)[] = [];

afterAll(() => {
  stopChildren('SIGKILL');
  for (const c of cleanup.reverse()) c();
});

// ---- the repository ---------------------------------------------------------
const IDENTITY = (name: string): string =>
  `name: "${name}"\nbackend: "identity"\nmax_batch_size: 8\ninput [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 16 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 16 ] } ]\n`;

/** The OCR ensemble's models (linked), the Data Pipelines Python models (copied, renamed dp_*), a tiny model, a model to cycle. */
function writeRepo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-soak-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const ocr = path.resolve('sample-repos/ocr_ensemble');
  for (const m of ['ensemble_model', 'detection_preprocessing', 'text_detection', 'detection_postprocessing', 'text_recognition', 'recognition_postprocessing'])
    symlinkSync(path.join(ocr, m), path.join(dir, m));
  const dp = path.resolve('sample-repos/data_pipeline_python');
  const rename = (text: string): string => text.replace(/\bensemble_model\b/g, 'dp_ensemble').replace(/\bmodel([12])\b/g, 'dp_model$1');
  for (const m of ['model1', 'model2', 'ensemble_model']) {
    const to = path.join(dir, rename(m));
    cpSync(path.join(dp, m), to, { recursive: true });
    writeFileSync(path.join(to, 'config.pbtxt'), rename(readFileSync(path.join(to, 'config.pbtxt'), 'utf8')));
  }
  for (const m of ['tiny', 'cycler']) {
    mkdirSync(path.join(dir, m, '1'), { recursive: true });
    writeFileSync(path.join(dir, m, 'config.pbtxt'), IDENTITY(m));
  }
  return dir;
}

// ---- the server process ------------------------------------------------------
interface Server {
  child: ChildProcess;
  http: string;
  grpc: string;
  lastLines: string[];
}

async function startServer(repo: string): Promise<Server> {
  const flags = ['--model-control-mode=explicit', '--load-model=*', '--http-port=0', '--grpc-port=0', '--metrics-port=0', '--log-info=false', '--exit-timeout-secs=20'];
  const { child, lines } = await startChild(process.execPath, [cli, 'serve', repo, ...flags], /^Metrics\s/);
  const address = (re: RegExp): string => lines.map((l) => re.exec(l)?.[1]).find((a) => a !== undefined) ?? '';
  return { child, http: address(/^HTTP\s+(http:\/\/\S+)/), grpc: address(/^gRPC\s+(\S+)/), lastLines: lines };
}

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
/** Processes whose parent is `pid` (Python instances, and anything they started). */
function childrenOf(pid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  return out ? out.split(/\s+/).map(Number) : [];
}
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const scratchEntries = (): string[] => readdirSync(os.tmpdir()).filter((e) => e.startsWith('model-lab-'));

// ---- the load ------------------------------------------------------------------
interface Kind {
  name: string;
  hostile?: boolean;
  send: () => Promise<void>;
}

interface Tally {
  lat: number[];
  errors: number;
  firstError: string;
}

function tensors(): { ocr: Tensor; dp: Tensor[]; tiny: Tensor } {
  const jpeg = readFileSync(path.resolve('resources/sample-images/noisy-scan.jpg'));
  const enc = new TextEncoder();
  return {
    ocr: { name: 'input_image', dtype: 'UINT8', shape: [1, jpeg.byteLength], data: new Uint8Array(jpeg) },
    dp: [
      { name: 'ensemble_input_string', dtype: 'BYTES', shape: [1, 2], data: [enc.encode('soak'), enc.encode('测试')] },
      { name: 'ensemble_input_UINT8_array', dtype: 'UINT8', shape: [1, 3], data: new Uint8Array([1, 2, 3]) },
      { name: 'ensemble_input_INT8_array', dtype: 'INT8', shape: [1, 3], data: new Int8Array([-1, 0, 1]) },
      { name: 'ensemble_input_FP32_image', dtype: 'FP32', shape: [1, 8, 8, 3], data: new Float32Array(192).fill(0.5) },
      { name: 'ensemble_input_bool', dtype: 'BOOL', shape: [1, 2], data: new Uint8Array([1, 0]) },
    ],
    tiny: { name: 'INPUT0', dtype: 'FP32', shape: [1, 16], data: new Float32Array(16).fill(1) },
  };
}

/** Raw bytes to the HTTP port; resolves when the server answers or closes. */
function raw(port: number, bytes: Buffer, holdMs = 0): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => s.destroy(), Math.max(holdMs, 30_000));
    s.on('connect', () => s.write(bytes));
    s.on('data', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    s.on('error', () => undefined);
  });
}

function hostileKinds(port: number): Kind[] {
  const head = (method: string, p: string, headers: string[], body: Buffer): Buffer =>
    Buffer.concat([Buffer.from(`${method} ${p} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${headers.join('\r\n')}${headers.length ? '\r\n' : ''}\r\n`), body]);
  const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024, 0x20));
  const variants: (() => Promise<void>)[] = [
    () => raw(port, head('POST', '/v2/models/tiny/infer', ['Content-Encoding: gzip', `Content-Length: ${bomb.byteLength}`], bomb)),
    () => raw(port, head('POST', '/v2/models/tiny/infer', ['Content-Length: 17179869184'], Buffer.from('{"inputs": ['))),
    () => raw(port, head('POST', '/v2/models/tiny/infer', ['Content-Length: 1000000'], Buffer.from('{"inputs": [')), 20_000),
    () => raw(port, head('POST', '/v2/repository/models/cycler/load', ['Origin: https://evil.example', 'Content-Type: text/plain', 'Content-Length: 2'], Buffer.from('{}'))),
    () => raw(port, head('GET', '/v2/models/%E0%A4%A/ready', [], Buffer.alloc(0))),
    () => raw(port, Buffer.from('\u0000\u0001GARBAGE\r\n\r\n')),
  ];
  let i = 0;
  return [{ name: 'hostile (expected to be refused)', hostile: true, send: () => variants[i++ % variants.length]!() }];
}

function kinds(server: Server, grpc: GrpcInferenceClient, http: TritonHttpClient): Kind[][] {
  const t = tensors();
  const ocrGrpc = inferRequest('ensemble_model', [t.ocr]);
  let cycles = 0;
  const cycle = async (): Promise<void> => {
    // Every fourth cycle loads from files sent with the request (a scratch folder that must go away on unload).
    if (++cycles % 4 === 0)
      await http.load('cycler', {
        config: JSON.stringify({
          name: 'cycler',
          backend: 'identity',
          max_batch_size: 8,
          input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [16] }],
          output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [16] }],
        }),
        'file:1/notes.txt': Buffer.from('soak').toString('base64'),
      });
    else await http.load('cycler');
    await http.infer('cycler', [t.tiny]);
    await http.unload('cycler');
  };
  const port = Number(new URL(server.http).port);
  const ocr: Kind = { name: 'OCR ensemble, gRPC', send: async () => void (await grpc.modelInfer(ocrGrpc)) };
  const ocrHttp: Kind = { name: 'OCR ensemble, HTTP binary', send: async () => void (await http.infer('ensemble_model', [t.ocr])) };
  const dp: Kind = { name: 'Data Pipelines (Python), HTTP', send: async () => void (await http.infer('dp_ensemble', t.dp)) };
  const tiny: Kind = { name: 'tiny, gRPC', send: async () => void (await grpc.modelInfer(inferRequest('tiny', [t.tiny]))) };
  const control: Kind = { name: 'load / infer / unload', send: cycle };
  const [hostile] = hostileKinds(port);
  // Workers per kind, out of CONCURRENCY: one cycler, about a tenth hostile, the rest split across models.
  const nHostile = Math.max(1, Math.round(CONCURRENCY / 10));
  const rest = CONCURRENCY - 1 - nHostile;
  const share = (f: number): number => Math.max(1, Math.round(rest * f));
  const groups: [string, Kind[]][] = [
    ['control', [control]],
    ['hostile', Array<Kind>(nHostile).fill(hostile!)],
    ['ocr', Array<Kind>(share(0.3)).fill(ocr)],
    ['ocr-http', Array<Kind>(share(0.15)).fill(ocrHttp)],
    ['dp', Array<Kind>(share(0.35)).fill(dp)],
    ['tiny', Array<Kind>(Math.max(1, rest - share(0.3) - share(0.15) - share(0.35))).fill(tiny)],
  ];
  return groups.filter(([k]) => KINDS.has(k)).map(([, w]) => w);
}

async function drive(workers: Kind[], seconds: number, tallies: Map<string, Tally>): Promise<void> {
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    workers.map(async (k) => {
      const t = tallies.get(k.name) ?? { lat: [], errors: 0, firstError: '' };
      tallies.set(k.name, t);
      while (Date.now() < end) {
        const t0 = process.hrtime.bigint();
        try {
          await k.send();
          t.lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
        } catch (err) {
          t.errors++;
          t.firstError ||= err instanceof Error ? err.message : String(err);
          if (!k.hostile) await new Promise((r) => setTimeout(r, 50));
        }
      }
    }),
  );
}

it(
  `soak: ${SECONDS} s at concurrency ${CONCURRENCY}`,
  async () => {
    if (!existsSync(cli)) throw new Error('build first: npm run build (bench:soak does)');
    const scratchBefore = new Set(scratchEntries());
    const server = await startServer(writeRepo());
    const pid = server.child.pid!;
    const grpc = createGrpcClient(server.grpc);
    const http = new TritonHttpClient(server.http, { maxSockets: CONCURRENCY });
    cleanup.push(() => {
      grpc.close();
      http.close();
    });
    const workers = kinds(server, grpc, http).flat();

    console.log(`warm-up ${WARMUP_SECONDS} s…`);
    await drive(workers, WARMUP_SECONDS, new Map());
    const warm = { rss: rssMiB(pid), fds: openFds(pid), children: childrenOf(pid).length };
    console.log(`measuring ${SECONDS} s with ${workers.length} callers…`);
    const tallies = new Map<string, Tally>();
    const t0 = Date.now();
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMiB(pid)), 5000);
    await drive(workers, SECONDS, tallies);
    clearInterval(sampler);
    const elapsed = (Date.now() - t0) / 1000;
    // Let stalled sockets and cycled models settle before reading descriptors and processes.
    await new Promise((r) => setTimeout(r, 2000));
    const end = { rss: rssMiB(pid), fds: openFds(pid), children: childrenOf(pid) };

    const rows = [...tallies].map(([name, t]) => [
      name,
      String(t.lat.length),
      (t.lat.length / elapsed).toFixed(1),
      String(t.errors),
      t.lat.length ? percentile(t.lat, 50) : 0,
      t.lat.length ? percentile(t.lat, 99) : 0,
      t.firstError.slice(0, 60),
    ]);
    console.log(`\n${table(['kind', 'requests', 'req/s', 'errors', 'p50 ms', 'p99 ms', 'first error'], rows)}`);

    const t1 = Date.now();
    server.child.kill('SIGTERM');
    const exited = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 60_000);
      server.child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    const shutdownS = (Date.now() - t1) / 1000;
    await new Promise((r) => setTimeout(r, 500));
    const leftChildren = end.children.filter(alive);
    const leftScratch = scratchEntries().filter((e) => !scratchBefore.has(e));
    const wellFormedErrors = [...tallies].filter(([name]) => !name.startsWith('hostile')).reduce((n, [, t]) => n + t.errors, 0);
    const growth = ((end.rss - warm.rss) / warm.rss) * 100;
    const summary = {
      cpus: os.cpus().length,
      seconds: SECONDS,
      concurrency: workers.length,
      requests: Object.fromEntries(
        [...tallies].map(([k, t]) => [
          k,
          { requests: t.lat.length, errors: t.errors, p50ms: t.lat.length ? percentile(t.lat, 50) : 0, p99ms: t.lat.length ? percentile(t.lat, 99) : 0, firstError: t.firstError },
        ]),
      ),
      wellFormedErrors,
      rssMiB: { afterWarmup: warm.rss, end: end.rss, max: Math.max(...samples, end.rss), growthPercent: growth, every5s: samples },
      openFds: { afterWarmup: warm.fds, end: end.fds },
      childProcesses: { afterWarmup: warm.children, end: end.children.length, aliveAfterShutdown: leftChildren.length },
      shutdown: { exited, seconds: shutdownS },
      scratchLeft: leftScratch,
    };
    console.log(
      `\n${table(
        ['measure', 'value', 'target'],
        [
          ['errors on well-formed requests', String(wellFormedErrors), '0'],
          ['RSS after warm-up (MiB)', warm.rss, ''],
          ['RSS at the end (MiB)', end.rss, ''],
          ['RSS growth after warm-up', `${growth.toFixed(1)}%`, '< 10%'],
          ['RSS max (MiB)', summary.rssMiB.max, ''],
          [
            'RSS at 25 / 50 / 75 / 100% of the run (MiB)',
            [0.25, 0.5, 0.75, 1].map((f) => Math.round(samples[Math.min(samples.length - 1, Math.floor(f * samples.length))] ?? end.rss)).join(' / '),
            'flat',
          ],
          ['open fds after warm-up / end', `${warm.fds} / ${end.fds}`, 'no growth'],
          ['child processes after warm-up / end', `${warm.children} / ${end.children.length}`, 'no growth'],
          ['shutdown (SIGTERM → exit)', exited ? `${shutdownS.toFixed(1)} s` : 'did not exit in 60 s', '≤ exit timeout (20 s)'],
          ['child processes alive after exit', String(leftChildren.length), '0'],
          ['scratch folders left', String(leftScratch.length), '0'],
        ],
      )}`,
    );
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/soak.json', JSON.stringify(summary, null, 2));
    if (!exited) console.log(`server log (last lines):\n${server.lastLines.slice(-30).join('\n')}`);
  },
  (SECONDS + WARMUP_SECONDS + 600) * 1000,
);
