/**
 * What the sequence batcher costs per request (`npm run bench:python`, issue 15: < 50 µs over a plain
 * request). The same model twice, once plain and once with sequence_batching and all four control
 * inputs (START, END, READY as INT32, CORRID as UINT64), requests alternating between the two (which goes
 * first swapping every round) so both see the same machine: the sequence one carries a correlation id, gets its slot looked up, its four
 * control tensors built and sent along. Measured with a Python model.py (the control tensors cross
 * to the stub and become pb_utils tensors) and with the in-process identity backend (the scheduler
 * alone). Two plain Python models against each other give the noise floor of the Python rows (each
 * model has its own process, and a loaded machine favours one or the other). Prints a table with the medians, the difference and the ratio, and a JSON summary
 * (bench/results/sequence.json). Never a timed assertion: the figures are for people to read.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, it } from 'vitest';
import { Repository } from '../electron/engine/repository/repository';
import type { InferRequest } from '../electron/engine/runtime/types';
import { median, percentile, table, us } from './measure';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 2000);
const summary: Record<string, unknown> = { cpus: os.cpus().length, node: process.version, runs: RUNS };
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-sequence-'));
let repo: Repository | undefined;

afterAll(async () => {
  await repo?.close();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/sequence.json', JSON.stringify(summary, null, 2));
  console.log(`\nJSON summary (bench/results/sequence.json):\n${JSON.stringify(summary, null, 2)}`);
});

const SEQUENCE = `sequence_batching {
  max_sequence_idle_microseconds: 60000000
  control_input [
    { name: "START" control [ { kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ] } ] },
    { name: "END" control [ { kind: CONTROL_SEQUENCE_END int32_false_true: [ 0, 1 ] } ] },
    { name: "READY" control [ { kind: CONTROL_SEQUENCE_READY int32_false_true: [ 0, 1 ] } ] },
    { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } ] }
  ]
}
`;

const config = (name: string, backend: string, sequence: boolean): string =>
  `name: "${name}"\nbackend: "${backend}"\nmax_batch_size: 0\ninstance_group [ { kind: KIND_CPU count: 1 } ]\n` +
  `input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]\n` +
  (sequence ? SEQUENCE : '');

/** Echoes INPUT0 (the controls arrive as inputs of the sequence model's requests; reading them is the model's own work). */
const PY_MODEL = `import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for r in requests:
            x = pb_utils.get_input_tensor_by_name(r, "INPUT0").as_numpy()
            responses.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUTPUT0", x)]))
        return responses
`;

function write(rel: string, text: string): void {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const input = (): InferRequest['inputs'] => [{ name: 'INPUT0', dtype: 'FP32', shape: [16], data: new Float32Array(16).fill(1) }];

/** Alternates plain and sequence requests (one long sequence: START first, END last); per-request times in ns. */
async function alternate(plain: string, seq: string, isSequence: boolean): Promise<{ plain: number[]; seq: number[] }> {
  const r = repo!;
  const times = { plain: [] as number[], seq: [] as number[] };
  const warm = Math.min(100, RUNS);
  for (let i = 0; i < warm + RUNS; i++) {
    const sequence = { id: 424242n, start: i === 0, end: i === warm + RUNS - 1 };
    // Which goes first swaps every round: the first of a pair may pay for the wake-up of the event loop.
    const order = i % 2 === 0 ? (['plain', 'seq'] as const) : (['seq', 'plain'] as const);
    for (const kind of order) {
      const t0 = process.hrtime.bigint();
      if (kind === 'plain') await r.infer(plain, -1, { inputs: input() });
      else await r.infer(seq, -1, isSequence ? { inputs: input(), sequence } : { inputs: input() });
      if (i >= warm) times[kind].push(Number(process.hrtime.bigint() - t0));
    }
  }
  return times;
}

it('sequence request overhead over a plain request', async () => {
  write('py_plain/config.pbtxt', config('py_plain', 'python', false));
  write('py_plain/1/model.py', PY_MODEL);
  write('py_seq/config.pbtxt', config('py_seq', 'python', true));
  write('py_seq/1/model.py', PY_MODEL);
  write('py_plain_b/config.pbtxt', config('py_plain_b', 'python', false));
  write('py_plain_b/1/model.py', PY_MODEL);
  write('id_plain/config.pbtxt', config('id_plain', 'identity', false));
  write('id_plain/1/.keep', '');
  write('id_seq/config.pbtxt', config('id_seq', 'identity', true));
  write('id_seq/1/.keep', '');
  repo = new Repository(dir);
  await repo.loadAll();
  for (const m of ['py_plain', 'py_plain_b', 'py_seq', 'id_plain', 'id_seq']) {
    const rec = repo.models.get(m)!;
    if (rec.state !== 'READY') throw new Error(`${m} is ${rec.state}: ${rec.reason}`);
  }
  const rows: (string | number)[][] = [];
  for (const [label, plain, seq] of [
    ['Python model.py', 'py_plain', 'py_seq'],
    ['Python, plain vs plain (noise floor)', 'py_plain', 'py_plain_b'],
    ['identity (in process)', 'id_plain', 'id_seq'],
  ] as const) {
    const t = await alternate(plain, seq, seq !== 'py_plain_b');
    const p = median(t.plain);
    const s = median(t.seq);
    // The difference of the medians, and the median of the differences within each round (the two
    // requests of a round ran back to back, so drift in the machine's load cancels out of it).
    const overheadUs = us(s - p);
    const pairedUs = us(median(t.seq.map((x, i) => x - t.plain[i]!)));
    const met = overheadUs < 50 && pairedUs < 50;
    rows.push([
      label,
      us(p).toFixed(1),
      us(percentile(t.plain, 90)).toFixed(1),
      us(s).toFixed(1),
      us(percentile(t.seq, 90)).toFixed(1),
      overheadUs.toFixed(1),
      pairedUs.toFixed(1),
      (s / p).toFixed(3),
      met ? 'yes' : 'NO',
    ]);
    summary[seq] = { plainMedianUs: us(p), sequenceMedianUs: us(s), overheadUs, pairedOverheadUs: pairedUs, ratio: s / p, target50us: met };
  }
  console.log(`\nSequence request vs plain request (alternating, ${RUNS} each; median and p90 per request, µs)`);
  console.log(table(['model', 'plain med', 'plain p90', 'sequence med', 'sequence p90', 'overhead µs', 'paired µs', 'ratio', '< 50 µs'], rows));
  console.log(
    `load average during the run: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  summary['loadAverage'] = os.loadavg();
});
