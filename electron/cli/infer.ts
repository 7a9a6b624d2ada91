/** `model-lab infer <repo> <model> --input …`: runs one request and prints the outputs readably. */
import path from 'node:path';
import { Repository } from '../engine/repository/repository';
import { Trace, type TraceSpan } from '../engine/runtime/trace';
import type { InferResult, Parameters, Runner, SequenceFlags } from '../engine/runtime/types';
import { bf16ToFloat, halfToFloat } from '../engine/tensor/half';
import { type Tensor, elementCount, isBytesData, stringsFromBytes } from '../engine/tensor/tensor';
import { type CommonFlags, loadOptions, repositoryArg, UsageError } from './args';
import { requestParameters } from './infer-parameters';
import { flagsFor, requestSpecs, type SequenceOptions, sequenceOptions } from './infer-sequence';
import type { Output } from './output';
import { parseInput } from './tensor-input';

function numbers(t: Tensor): number[] {
  if (isBytesData(t.data)) return [];
  if (t.dtype === 'FP16') return Array.from(t.data as Uint16Array, halfToFloat);
  if (t.dtype === 'BF16') return Array.from(t.data as Uint16Array, bf16ToFloat);
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(5);
}

/** A few lines a person can read: strings decoded, numbers summarized, images described. */
export function describeTensor(t: Tensor, max = 20): string[] {
  const head = `${t.name}  ${t.dtype} [${t.shape.join(', ')}]`;
  if (isBytesData(t.data)) {
    const strings = stringsFromBytes(t.data);
    return [head, ...strings.slice(0, max).map((s, i) => `  [${i}] ${JSON.stringify(s)}`), ...(strings.length > max ? [`  … ${strings.length - max} more`] : [])];
  }
  const values = numbers(t);
  const lines = [head];
  const last = t.shape[t.shape.length - 1] ?? 0;
  if (t.dtype === 'UINT8' && t.shape.length >= 3 && (last === 3 || last === 1 || last === 4)) {
    lines.push(`  looks like an image: ${t.shape[t.shape.length - 2]}×${t.shape[t.shape.length - 3]} with ${last} channel${last > 1 ? 's' : ''}`);
  }
  if (values.length > 0) {
    let min = Infinity;
    let max2 = -Infinity;
    let sum = 0;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max2) max2 = v;
      sum += v;
    }
    lines.push(`  min ${fmt(min)}  max ${fmt(max2)}  mean ${fmt(sum / values.length)}`);
    lines.push(`  ${values.slice(0, max).map(fmt).join(', ')}${values.length > max ? `, … (${elementCount(t.shape)} values)` : ''}`);
  }
  return lines;
}

function ms(ns: number | undefined): string {
  return ns === undefined ? '-' : (ns / 1e6).toFixed(2);
}

/** One row per span: what ran, where it waited and how long it computed. */
export function traceTable(spans: TraceSpan[]): string[] {
  const depth = (s: TraceSpan): number => (s.parentId === undefined ? 0 : 1 + depth(spans.find((p) => p.id === s.parentId) ?? { ...s, parentId: undefined }));
  const rows = spans.map((s) => {
    const queue = s.computeStart !== undefined && s.queueStart !== undefined ? s.computeStart - s.queueStart : undefined;
    const compute = s.computeEnd !== undefined && s.computeStart !== undefined ? s.computeEnd - s.computeStart : undefined;
    const total = s.requestEnd !== undefined ? s.requestEnd - s.requestStart : undefined;
    const label = `${'  '.repeat(depth(s))}${s.kind === 'step' ? `step ${s.step}: ` : s.kind === 'bls' ? 'BLS: ' : ''}${s.model}`;
    return [label, String(s.version), ms(s.requestStart), ms(queue), ms(compute), ms(total), s.error ? 'error' : ''];
  });
  const head = ['MODEL', 'VERSION', 'START ms', 'QUEUE ms', 'COMPUTE ms', 'TOTAL ms', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) =>
    r
      .map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

interface Printed {
  result: InferResult;
  sequence?: SequenceFlags;
  trace?: Trace;
}

/** One result, as KServe-shaped JSON (one line) or readable lines. */
function printResult({ result, sequence, trace }: Printed, json: boolean, out: Output): void {
  if (json) {
    out.log(
      JSON.stringify({
        model_name: result.modelName,
        model_version: String(result.modelVersion),
        ...(sequence ? { sequence_id: String(sequence.id), sequence_start: sequence.start, sequence_end: sequence.end } : {}),
        ...(result.parameters ? { parameters: result.parameters } : {}),
        outputs: result.outputs.map((t) => ({ name: t.name, datatype: t.dtype, shape: t.shape, data: isBytesData(t.data) ? stringsFromBytes(t.data) : numbers(t) })),
        ...(trace ? { trace: trace.spans.map(({ inputs: _i, outputs: _o, ...s }) => s) } : {}),
      }),
    );
    return;
  }
  const seq = sequence ? `  sequence ${typeof sequence.id === 'string' ? JSON.stringify(sequence.id) : sequence.id}${sequence.start ? ' start' : ''}${sequence.end ? ' end' : ''}` : '';
  out.log(`${result.modelName} (version ${result.modelVersion})${seq}`);
  if (result.parameters)
    out.log(
      `parameters  ${Object.entries(result.parameters)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join('  ')}`,
    );
  for (const t of result.outputs) for (const l of describeTensor(t)) out.log(l);
  if (trace) {
    out.log('');
    for (const l of traceTable(trace.spans)) out.log(l);
  }
}

/** The request(s) of the command line: one, or with --sequence-id the requests of a sequence, in order. */
async function runRequests(runner: Runner, flags: CommonFlags, seq: SequenceOptions | undefined, parameters: Parameters | undefined, out: Output): Promise<void> {
  const specs = (flags.values.input as string[] | undefined) ?? [];
  const requests = seq ? requestSpecs(specs) : [specs];
  for (const [k, group] of requests.entries()) {
    const inputs = await Promise.all(group.map((s) => parseInput(runner.config, s)));
    const trace = flags.values.trace ? new Trace(false) : undefined;
    const sequence = seq ? flagsFor(seq, k, requests.length) : undefined;
    const result = await runner.infer({
      id: 'cli',
      inputs,
      outputs: (flags.values.output as string[] | undefined) ?? [],
      ...(sequence ? { sequence } : {}),
      ...(parameters ? { parameters } : {}),
      ...(trace ? { trace: { trace, held: [] } } : {}),
    });
    printResult({ result, ...(sequence ? { sequence } : {}), ...(trace ? { trace } : {}) }, flags.values.json === true, out);
  }
}

export async function inferCommand(flags: CommonFlags, out: Output): Promise<number> {
  const { repo: dir, rest } = repositoryArg(flags);
  const [model, extra] = rest;
  if (!model) throw new UsageError('a model name is required: model-lab infer <repo> <model> --input name=value');
  if (extra) throw new UsageError(`unexpected argument '${extra}'`);
  // Checked before the repository loads: a mistyped flag fails at once.
  const seq = sequenceOptions(flags.values);
  const parameters = requestParameters(flags.values['request-parameter'] as string[] | undefined);
  const repo = new Repository(path.resolve(dir), loadOptions(flags.values));
  try {
    await repo.loadAll();
    const version = typeof flags.values.version === 'string' ? Number(flags.values.version) : -1;
    await runRequests(repo.resolve(model, version), flags, seq, parameters, out);
    return 0;
  } catch (err) {
    out.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await repo.close();
  }
}
