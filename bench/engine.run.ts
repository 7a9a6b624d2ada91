/**
 * Engine overheads, measured in one run (`npm run bench:engine`):
 *  1. Ensemble scheduling: end-to-end latency vs the floor (the backends' own
 *     compute: ONNX session runs and the scripts' execute) and vs a straight
 *     line of the same model calls with no scheduler.
 *  2. One BLS exec() call vs calling the same model directly.
 *  3. Throughput with concurrent requests.
 * Prints tables and a JSON summary (also written to bench/results/engine.json).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, it } from 'vitest';
import { parseInput } from '../electron/cli/tensor-input';
import { ensembleSteps } from '../electron/engine/config/ensemble-graph';
import { toNumbers } from '../electron/engine/config/shape';
import { Repository } from '../electron/engine/repository/repository';
import { reshapeTensorDims } from '../electron/engine/runtime/ensemble-runner';
import { Trace } from '../electron/engine/runtime/trace';
import type { InferRequest, Runner } from '../electron/engine/runtime/types';
import type { Tensor } from '../electron/engine/tensor/tensor';
import { median, ms, percentile, table, us } from './measure';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);
const summary: Record<string, unknown> = { runs: RUNS, cpus: os.cpus().length, node: process.version };
const repos: Repository[] = [];

afterAll(async () => {
  await Promise.all(repos.map((r) => r.close()));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/engine.json', JSON.stringify(summary, null, 2));
  console.log(`\nJSON summary (bench/results/engine.json):\n${JSON.stringify(summary, null, 2)}`);
});

async function open(dir: string): Promise<Repository> {
  const repo = new Repository(dir);
  repos.push(repo);
  await repo.loadAll();
  return repo;
}

/** The same member calls an ensemble makes, one after another, with no scheduler in between. */
async function straightLine(repo: Repository, ensemble: Runner, inputs: Tensor[]): Promise<void> {
  const tensors = new Map<string, { t: Tensor; batch: number }>();
  const batching = ensemble.config.maxBatchSize > 0;
  for (const t of inputs) tensors.set(t.name, { t, batch: batching ? t.shape[0]! : 0 });
  const pending = ensembleSteps(ensemble.config).map((s) => s);
  while (pending.length > 0) {
    const i = pending.findIndex((s) => Object.values(s.inputMap).every((n) => tensors.has(n)));
    const step = pending.splice(i, 1)[0]!;
    const member = repo.resolve(step.modelName, Number(step.modelVersion));
    const mb = member.config.maxBatchSize > 0;
    const stepInputs = Object.entries(step.inputMap).map(([key, name]) => {
      const e = tensors.get(name)!;
      const dims = toNumbers(member.config.input.find((x) => x.name === key)!.dims);
      return { ...e.t, name: key, shape: reshapeTensorDims(dims, mb, e.batch, e.t.shape) };
    });
    const out = await member.infer({ inputs: stepInputs, outputs: Object.keys(step.outputMap) });
    for (const o of out.outputs) tensors.set(step.outputMap[o.name]!, { t: o, batch: mb ? stepInputs[0]!.shape[0]! : 0 });
  }
}

interface EnsembleCase {
  label: string;
  repo: Repository;
  model: string;
  inputs: Tensor[];
}

async function ensembleCases(): Promise<EnsembleCase[]> {
  const cases: EnsembleCase[] = [];
  const ocrDir = 'sample-repos/ocr_ensemble';
  const manifest = 'resources/sample-images/manifest.json';
  if (existsSync(path.join(ocrDir, 'text_detection/1/model.onnx')) && existsSync(manifest)) {
    const repo = await open(ocrDir);
    const runner = repo.resolve('ensemble_model', -1);
    const images = (JSON.parse(readFileSync(manifest, 'utf8')) as { images: { file: string; rotation: number }[] }).images
      .filter((i) => i.rotation === 0)
      .map((i) => i.file)
      .slice(0, 6);
    for (const img of images) {
      cases.push({ label: `ocr_ensemble ${img}`, repo, model: 'ensemble_model', inputs: [await parseInput(runner.config, `input_image=@resources/sample-images/${img}`)] });
    }
  }
  const dp = await open('sample-repos/data_pipeline');
  const image = new Float32Array(480 * 640 * 3).map((_, i) => i % 255);
  cases.push({
    label: 'data_pipeline 480×640 image',
    repo: dp,
    model: 'ensemble_model',
    inputs: [
      { name: 'ensemble_input_string', dtype: 'BYTES', shape: [1, 1], data: [new TextEncoder().encode('This is a string')] },
      { name: 'ensemble_input_UINT8_array', dtype: 'UINT8', shape: [1, 3], data: new Uint8Array([1, 2, 3]) },
      { name: 'ensemble_input_INT8_array', dtype: 'INT8', shape: [1, 3], data: new Int8Array([-1, 2, -3]) },
      { name: 'ensemble_input_FP32_image', dtype: 'FP32', shape: [1, 480, 640, 3], data: image },
      { name: 'ensemble_input_bool', dtype: 'BOOL', shape: [1, 1], data: new Uint8Array([1]) },
    ],
  });
  return cases;
}

it('ensemble scheduling overhead', async () => {
  const rows: (string | number)[][] = [];
  const out: unknown[] = [];
  for (const c of await ensembleCases()) {
    const runner = c.repo.resolve(c.model, -1);
    const req = (trace?: Trace): InferRequest => ({ inputs: c.inputs, ...(trace ? { trace: { trace, held: [] } } : {}) });
    for (let i = 0; i < 3; i++) await runner.infer(req());
    const e2e: number[] = [];
    const floor: number[] = [];
    const steps: number[] = [];
    let stepCount = 0;
    for (let i = 0; i < RUNS; i++) {
      const trace = new Trace(false);
      await runner.infer(req(trace));
      const top = trace.spans.find((s) => s.parentId === undefined)!;
      const stepSpans = trace.spans.filter((s) => s.kind === 'step');
      stepCount = stepSpans.length;
      e2e.push(top.requestEnd! - top.requestStart);
      floor.push(stepSpans.reduce((n, s) => n + (s.ownNs ?? 0), 0));
      steps.push(stepSpans.reduce((n, s) => n + (s.requestEnd! - s.requestStart), 0));
    }
    const line: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = process.hrtime.bigint();
      await straightLine(c.repo, runner, c.inputs);
      line.push(Number(process.hrtime.bigint() - t0));
    }
    // Per run: scheduler = end to end minus the steps' own spans; backend I/O = the spans minus the backends' compute.
    const sched = e2e.map((v, i) => v - steps[i]!);
    const io = steps.map((v, i) => v - floor[i]!);
    const m = median(e2e);
    const sm = median(sched);
    const n = Math.max(1, stepCount);
    rows.push([c.label, stepCount, ms(m), ms(median(floor)), ms(median(io)), ms(sm), (100 * sm) / m, us(sm / n), ms(median(line))]);
    out.push({
      case: c.label,
      steps: stepCount,
      e2eMs: ms(m),
      floorMs: ms(median(floor)),
      backendIoMs: ms(median(io)),
      schedulerMs: ms(sm),
      schedulerPct: (100 * sm) / m,
      schedulerPerStepUs: us(sm / n),
      overheadVsFloorPct: (100 * (m - median(floor))) / m,
      straightLineMs: ms(median(line)),
    });
  }
  summary['ensemble'] = out;
  console.log(
    `\nEnsemble latency, median of ${RUNS} runs. floor = the backends' own compute (session runs, scripts' execute);\n` +
      `backend I/O = moving tensors in and out of them; scheduler = the rest of end to end; straight = the same model calls in a plain loop\n` +
      table(['case', 'steps', 'e2e ms', 'floor ms', 'backend I/O ms', 'scheduler ms', 'sched %', 'sched µs/step', 'straight ms'], rows),
  );
});

it('BLS exec() vs calling the model directly', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lab-bench-bls-'));
  const files: Record<string, string> = {
    'target/config.pbtxt': 'backend: "identity"\nmax_batch_size: 8\ninput [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]\n',
    'caller/config.pbtxt': 'max_batch_size: 0\ninput [ { name: "N" data_type: TYPE_INT32 dims: [ 1 ] } ]\noutput [ { name: "NS_PER_CALL" data_type: TYPE_FP64 dims: [ 1 ] } ]\n',
    'caller/1/model.js': `export default class TritonPythonModel {
  async execute(requests) {
    const out = [];
    for (const r of requests) {
      const n = pb_utils.get_input_tensor_by_name(r, 'N').numbers()[0];
      const x = new pb_utils.Tensor('INPUT0', new Float32Array(16), [1, 16]);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const res = await new pb_utils.InferenceRequest({ model_name: 'target', inputs: [x], requested_output_names: ['OUTPUT0'] }).exec();
        if (res.has_error()) throw res.error();
      }
      const per = Number(process.hrtime.bigint() - t0) / n;
      out.push(new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('NS_PER_CALL', new Float64Array([per]), [1])] }));
    }
    return out;
  }
}
`,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  mkdirSync(path.join(root, 'target/1'), { recursive: true });
  const repo = await open(root);
  const n = 2000;
  await repo.infer('caller', -1, { inputs: [{ name: 'N', dtype: 'INT32', shape: [1], data: new Int32Array([200]) }] });
  const bls = (await repo.infer('caller', -1, { inputs: [{ name: 'N', dtype: 'INT32', shape: [1], data: new Int32Array([n]) }] })).outputs[0]!.data as Float64Array;
  const target = repo.resolve('target', -1);
  const x: Tensor = { name: 'INPUT0', dtype: 'FP32', shape: [1, 16], data: new Float32Array(16) };
  for (let i = 0; i < 200; i++) await target.infer({ inputs: [x] });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await target.infer({ inputs: [x] });
  const direct = Number(process.hrtime.bigint() - t0) / n;
  const blsNs = bls[0]!;
  summary['bls'] = { calls: n, blsExecUs: us(blsNs), directUs: us(direct), overheadUs: us(blsNs - direct) };
  console.log(
    `\nBLS exec() of an identity model, ${n} calls\n${table(
      ['path', 'µs per call'],
      [
        ['exec() from a script model', us(blsNs)],
        ['direct call to the model', us(direct)],
        ['BLS overhead', us(blsNs - direct)],
      ],
    )}`,
  );
});

it('throughput with concurrent requests', async () => {
  const cases = await ensembleCases();
  const c = cases[0]!;
  const runner = c.repo.resolve(c.model, -1);
  const rows: (string | number)[][] = [];
  const out: unknown[] = [];
  for (const concurrency of [1, 2, 4, 8]) {
    const total = Math.max(RUNS, concurrency * 4);
    const latencies: number[] = [];
    let next = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next++;
          const s = process.hrtime.bigint();
          await runner.infer({ inputs: c.inputs });
          latencies.push(Number(process.hrtime.bigint() - s));
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    rows.push([concurrency, total / seconds, ms(median(latencies)), ms(percentile(latencies, 95))]);
    out.push({ concurrency, requestsPerSecond: total / seconds, p50Ms: ms(median(latencies)), p95Ms: ms(percentile(latencies, 95)) });
  }
  summary['throughput'] = { case: c.label, levels: out };
  console.log(`\nThroughput: ${c.label}\n${table(['concurrency', 'req/s', 'p50 ms', 'p95 ms'], rows)}`);
});
