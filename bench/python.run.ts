/**
 * Python backend overheads (`npm run bench:python`):
 *  1. Round trip through an identity model.py vs the same identity as a
 *     script model (model.js), for a small tensor and a 4 MB tensor: the
 *     lab → Python → lab transport plus the stub's work, per request.
 *  2. BLS exec() from Python: calls timed inside model.py into an identity
 *     model, vs calling that model directly from Node.
 *  3. async def execute: 8 concurrent requests, each awaiting 50 ms, on one
 *     instance, against a blocking execute (time.sleep) — throughput and the
 *     ratio, measured in one run (issue 15: ≥ 6×). A decoupled model's async
 *     executes overlap on the instance's event loop; one that is not decoupled
 *     runs them one at a time, as Triton's stub does, and overlaps the
 *     requests of a batch (asyncio.gather) instead.
 * Prints tables and a JSON summary (also written to bench/results/python.json).
 * Targets (issue 7): < 300 µs per small request, ≥ 1 GB/s for large tensors.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, it } from 'vitest';
import { Repository } from '../electron/engine/repository/repository';
import type { Tensor } from '../electron/engine/tensor/tensor';
import { median, percentile, table, us } from './measure';

const SMALL_RUNS = Number(process.env['BENCH_RUNS'] ?? 2000);
const LARGE_RUNS = Math.max(20, Math.round(SMALL_RUNS / 20));
const BLS_CALLS = 500;
const summary: Record<string, unknown> = { cpus: os.cpus().length, node: process.version, smallRuns: SMALL_RUNS, largeRuns: LARGE_RUNS };
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-python-'));
let repo: Repository | undefined;

afterAll(async () => {
  await repo?.close();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/python.json', JSON.stringify(summary, null, 2));
  console.log(`\nJSON summary (bench/results/python.json):\n${JSON.stringify(summary, null, 2)}`);
});

const io = (backend: string, name: string, [i, o] = ['IN', 'OUT']): string =>
  `name: "${name}"\nbackend: "${backend}"\nmax_batch_size: 0\n` + `input [ { name: "${i}" data_type: TYPE_FP32 dims: [ -1 ] } ]\noutput [ { name: "${o}" data_type: TYPE_FP32 dims: [ -1 ] } ]\n`;

const PY_IDENTITY = `import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        return [pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUT", pb_utils.get_input_tensor_by_name(r, "IN").as_numpy())]) for r in requests]
`;

const JS_IDENTITY = `export default class TritonPythonModel {
  execute(requests) {
    return requests.map((r) => {
      const t = pb_utils.get_input_tensor_by_name(r, 'IN');
      return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', t.data, t.shape, t.dtype)] });
    });
  }
}
`;

/** Calls 'ident' CALLS times per request, timing each exec() inside Python; OUT holds the times in µs. */
const PY_BLS = `import time

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for r in requests:
            x = pb_utils.get_input_tensor_by_name(r, "IN").as_numpy()
            times = []
            for _ in range(${BLS_CALLS}):
                t0 = time.perf_counter()
                out = pb_utils.InferenceRequest(model_name="ident", inputs=[pb_utils.Tensor("INPUT0", x)], requested_output_names=["OUTPUT0"]).exec()
                times.append((time.perf_counter() - t0) * 1e6)
                if out.has_error():
                    raise pb_utils.TritonModelException(out.error().message())
            responses.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUT", np.array(times, dtype=np.float32))]))
        return responses
`;

function write(rel: string, text: string): void {
  const p = path.join(dir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
}

const input = (n: number, name = 'IN'): Tensor[] => [{ name, dtype: 'FP32', shape: [n], data: new Float32Array(n).fill(1.5) }];

async function latencies(model: string, n: number, runs: number, name = 'IN'): Promise<number[]> {
  const r = repo!;
  for (let i = 0; i < Math.min(50, runs); i++) await r.infer(model, -1, { inputs: input(n, name) });
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const inputs = input(n, name);
    const t0 = process.hrtime.bigint();
    await r.infer(model, -1, { inputs });
    out.push(Number(process.hrtime.bigint() - t0));
  }
  return out;
}

it('python backend overheads', async () => {
  write('py_identity/config.pbtxt', io('python', 'py_identity'));
  write('py_identity/1/model.py', PY_IDENTITY);
  write('js_identity/config.pbtxt', io('script', 'js_identity'));
  write('js_identity/1/model.js', JS_IDENTITY);
  write('ident/config.pbtxt', io('identity', 'ident', ['INPUT0', 'OUTPUT0']));
  mkdirSync(path.join(dir, 'ident', '1'), { recursive: true });
  write('py_bls/config.pbtxt', io('python', 'py_bls'));
  write('py_bls/1/model.py', PY_BLS);
  repo = new Repository(dir);
  await repo.loadAll();
  for (const m of ['py_identity', 'js_identity', 'ident', 'py_bls']) {
    const rec = repo.models.get(m)!;
    if (rec.state !== 'READY') throw new Error(`${m}: ${rec.state} ${rec.reason}`);
  }

  const sizes: [string, number, number][] = [
    ['small (16 × FP32, 64 B)', 16, SMALL_RUNS],
    ['4 MB (1,048,576 × FP32)', 1 << 20, LARGE_RUNS],
  ];
  const rows: (string | number)[][] = [];
  const round: Record<string, unknown> = {};
  for (const [label, n, runs] of sizes) {
    const py = await latencies('py_identity', n, runs);
    const js = await latencies('js_identity', n, runs);
    const bytes = n * 4;
    const pyMed = median(py);
    const jsMed = median(js);
    const pyMin = Math.min(...py);
    rows.push([label, us(pyMed), us(percentile(py, 90)), us(pyMin), us(jsMed), us(percentile(js, 90)), pyMed / jsMed, bytes / pyMed, bytes / pyMin, bytes / jsMed]);
    round[label] = {
      runs,
      pythonMedianUs: us(pyMed),
      pythonP90Us: us(percentile(py, 90)),
      pythonMinUs: us(pyMin),
      scriptMedianUs: us(jsMed),
      scriptP90Us: us(percentile(js, 90)),
      ratio: pyMed / jsMed,
      pythonGBps: bytes / pyMed,
      pythonBestGBps: bytes / pyMin,
      scriptGBps: bytes / jsMed,
    };
  }
  summary['roundTrip'] = round;
  console.log('\nRound trip through an identity model (repo.infer → backend → result), median and p90 per request');
  console.log(table(['tensor', 'model.py µs', 'p90', 'min', 'model.js µs', 'p90', 'py/js', 'model.py GB/s', 'best', 'model.js GB/s'], rows));
  console.log('GB/s: tensor bytes per request / latency (each byte travels to the backend and back); "best" from the fastest request.');
  console.log(
    `load average during the run: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
  summary['loadAverage'] = os.loadavg();

  // BLS: per-call times measured inside Python, against calling the same model from Node.
  const blsRows: (string | number)[][] = [];
  const bls: Record<string, unknown> = {};
  for (const [label, n] of sizes) {
    const res = await repo.infer('py_bls', -1, { inputs: input(n) });
    const times = Array.from(res.outputs[0]!.data as Float32Array).slice(50);
    const direct = await latencies('ident', n, n > 1000 ? LARGE_RUNS : BLS_CALLS, 'INPUT0');
    const blsMed = median(times);
    const directMed = us(median(direct));
    blsRows.push([label, blsMed, percentile(times, 90), directMed, blsMed / directMed]);
    bls[label] = { calls: times.length, execMedianUs: blsMed, execP90Us: percentile(times, 90), directMedianUs: directMed, ratio: blsMed / directMed };
  }
  summary['blsExec'] = bls;
  console.log(`\nBLS exec() from model.py into an identity model (${BLS_CALLS} calls, timed in Python) vs the same call from Node`);
  console.log(table(['tensor', 'exec() µs', 'p90', 'direct µs', 'ratio'], blsRows));
});

const ASYNC_CONCURRENCY = 8;
const ASYNC_ROUNDS = Math.max(3, Math.round(Number(process.env['BENCH_ASYNC_ROUNDS'] ?? 10)));

type SleepKind = 'blocking' | 'async' | 'async-decoupled' | 'async-batched';

const SLEEP_HEAD = `import asyncio
import time

import triton_python_backend_utils as pb_utils

FINAL = pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL


def answer(request):
    return pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUT", pb_utils.get_input_tensor_by_name(request, "IN").as_numpy())])


class TritonPythonModel:
`;

/** The execute of each kind: every request waits 50 ms (blocking, or awaiting on the event loop). */
const SLEEP_EXECUTE: Record<SleepKind, string> = {
  blocking: `    def execute(self, requests):
        time.sleep(0.05)
        return [answer(r) for r in requests]
`,
  async: `    async def execute(self, requests):
        await asyncio.sleep(0.05)
        return [answer(r) for r in requests]
`,
  'async-decoupled': `    async def execute(self, requests):
        await asyncio.sleep(0.05)
        for r in requests:
            r.get_response_sender().send(answer(r), flags=FINAL)
        return None
`,
  'async-batched': `    async def execute(self, requests):
        async def one(r):
            await asyncio.sleep(0.05)
            return answer(r)

        return list(await asyncio.gather(*[one(r) for r in requests]))
`,
};

function sleepConfig(name: string, kind: SleepKind): string {
  const one = 'instance_group [ { count: 1, kind: KIND_CPU } ]\n';
  if (kind === 'async-decoupled') return io('python', name) + one + 'model_transaction_policy { decoupled: true }\n';
  if (kind !== 'async-batched') return io('python', name) + one;
  // The 8 requests of a round arrive together and leave as one batch of 8 (max_batch_size: it goes at once).
  return (
    `name: "${name}"\nbackend: "python"\nmax_batch_size: ${ASYNC_CONCURRENCY}\n` +
    'input [ { name: "IN" data_type: TYPE_FP32 dims: [ 16 ] } ]\noutput [ { name: "OUT" data_type: TYPE_FP32 dims: [ 16 ] } ]\n' +
    one +
    'dynamic_batching { max_queue_delay_microseconds: 20000 }\n'
  );
}

/**
 * Rounds of ASYNC_CONCURRENCY requests sent at once; returns each round's time in ns. The median
 * round gives the throughput, so a scheduler hiccup on a shared machine does not decide it.
 */
async function concurrentRounds(r: Repository, model: string, batched: boolean): Promise<number[]> {
  const one = (): Promise<unknown> => r.infer(model, -1, { inputs: batched ? [{ ...input(16)[0]!, shape: [1, 16] }] : input(16) });
  await Promise.all(Array.from({ length: ASYNC_CONCURRENCY }, one));
  const rounds: number[] = [];
  for (let round = 0; round < ASYNC_ROUNDS; round++) {
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: ASYNC_CONCURRENCY }, one));
    rounds.push(Number(process.hrtime.bigint() - t0));
  }
  return rounds;
}

it('async execute: concurrent requests that await, against a blocking execute', async () => {
  const models: [string, string, SleepKind][] = [
    ['py_sleep_blocking', 'def execute: time.sleep(0.05)', 'blocking'],
    ['py_sleep_async', 'async def execute (not decoupled)', 'async'],
    ['py_sleep_async_decoupled', 'async def execute (decoupled)', 'async-decoupled'],
    ['py_sleep_async_batched', 'async def, batches of 8, gather', 'async-batched'],
  ];
  const root = path.join(dir, 'async');
  for (const [name, , kind] of models) {
    write(`async/${name}/config.pbtxt`, sleepConfig(name, kind));
    write(`async/${name}/1/model.py`, SLEEP_HEAD + SLEEP_EXECUTE[kind]);
  }
  const r = new Repository(root);
  try {
    await r.loadAll();
    for (const [name] of models) {
      const rec = r.models.get(name)!;
      if (rec.state !== 'READY') throw new Error(`${name}: ${rec.state} ${rec.reason}`);
    }
    const rounds = new Map<string, number[]>();
    for (const [name, , kind] of models) rounds.set(name, await concurrentRounds(r, name, kind === 'async-batched'));
    const rate = (name: string): number => ASYNC_CONCURRENCY / (median(rounds.get(name)!) / 1e9);
    const blocking = rate('py_sleep_blocking');
    const rows = models.map(([name, label]) => {
      const times = rounds.get(name)!;
      return [label, String(ASYNC_CONCURRENCY * ASYNC_ROUNDS), median(times) / 1e6, percentile(times, 90) / 1e6, rate(name), rate(name) / blocking];
    });
    const ratio = rate('py_sleep_async_decoupled') / blocking;
    summary['asyncExecute'] = {
      concurrency: ASYNC_CONCURRENCY,
      rounds: ASYNC_ROUNDS,
      awaitMs: 50,
      requestsPerSecond: Object.fromEntries(models.map(([name]) => [name, rate(name)])),
      ratio,
      target: 6,
      met: ratio >= 6,
    };
    console.log(`\nasync execute: ${ASYNC_ROUNDS} rounds of ${ASYNC_CONCURRENCY} concurrent requests, each execute waiting 50 ms, one instance`);
    console.log(table(['execute', 'requests', 'round ms', 'p90', 'req/s', '× blocking'], rows));
    console.log('round: 8 requests sent at once until the last answer; req/s = 8 / median round.');
    console.log(
      `decoupled async / blocking = ${ratio.toFixed(2)}× (target ≥ 6×: ${ratio >= 6 ? 'met' : 'NOT met'}). Not decoupled, Triton's stub waits for each coroutine (~1×); such a model overlaps its requests within a batch.`,
    );
  } finally {
    await r.close();
  }
});
