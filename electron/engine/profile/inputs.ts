/**
 * Request data as perf_analyzer makes it (docs/input_data.md): `zero`, `random` (generated once,
 * reused by every request) or a JSON file `{"data": [{"NAME": [...]}, ...]}` whose entries are
 * used in turn, a tensor given as a flat or nested list or as `{"content": [...], "shape": [...]}`.
 * `--shape NAME:d1,d2` fills -1 dims; `-b N` adds the batch dimension to batching models.
 */
import { LabError } from '../errors';
import { MAX_GENERATED_ELEMENTS } from '../graph/observe/generated-input';
import { fill, flatten, type Json, shapeOf } from '../runs/values';
import type { ApiDType } from '../tensor/dtype';
import type { Tensor } from '../tensor/tensor';
import { elementCount } from '../tensor/tensor';

/** One model input: dims without the batch dimension; `batched` when max_batch_size > 0. */
export interface InputSpec {
  name: string;
  dtype: ApiDType;
  dims: number[];
  batched: boolean;
}

export type InputData = { kind: 'zero' } | { kind: 'random' } | { kind: 'json'; json: unknown; source: string };

/** `--shape NAME:1,2,3` entries by input name. */
export function parseShapes(specs: readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const spec of specs) {
    const m = /^(.+):(\d+(?:,\d+)*)$/.exec(spec);
    if (!m) throw new LabError('INVALID_ARG', `--shape expects NAME:d1,d2,… (positive integers), got '${spec}'`);
    out.set(m[1]!, m[2]!.split(',').map(Number));
  }
  return out;
}

function shapeFor(spec: InputSpec, shapes: Map<string, number[]>): number[] {
  const given = shapes.get(spec.name);
  if (given) {
    if (given.length !== spec.dims.length || given.some((d, i) => spec.dims[i] !== -1 && spec.dims[i] !== d)) {
      throw new LabError('INVALID_ARG', `--shape ${spec.name}:${given.join(',')} does not fit the input's dims [${spec.dims.join(', ')}]`);
    }
    return given;
  }
  if (spec.dims.some((d) => d < 0)) throw new LabError('INVALID_ARG', `input '${spec.name}' has variable dims [${spec.dims.join(', ')}]: give its shape with --shape ${spec.name}:…`);
  return spec.dims;
}

function generated(spec: InputSpec, count: number, random: boolean): (number | string | boolean)[] {
  const values: (number | string | boolean)[] = [];
  for (let i = 0; i < count; i++) {
    const r = random ? Math.random() : 0;
    if (spec.dtype === 'BYTES') values.push(random ? Math.floor(r * 1e9).toString(36) : '0');
    else if (spec.dtype === 'BOOL') values.push(r >= 0.5);
    else if (/^(FP|BF)/.test(spec.dtype)) values.push(r);
    else values.push(Math.floor(r * 100));
  }
  return values;
}

/** One request's tensors, the element repeated `batch` times for batching models. */
function batchOf(spec: InputSpec, shape: number[], values: (number | string | boolean | null)[], batch: number): Tensor {
  const all = spec.batched ? Array.from({ length: batch }, () => values).flat() : values;
  return { name: spec.name, dtype: spec.dtype, shape: spec.batched ? [batch, ...shape] : shape, data: fill(spec.dtype, all) };
}

function jsonEntries(data: Extract<InputData, { kind: 'json' }>): Record<string, unknown>[] {
  const entries = (data.json as { data?: unknown } | null)?.data;
  if (!Array.isArray(entries) || entries.length === 0 || entries.some((e) => typeof e !== 'object' || e === null || Array.isArray(e))) {
    throw new LabError('INVALID_ARG', `${data.source}: expected {"data": [{"INPUT": [...]}, ...]} (perf_analyzer's input data format)`);
  }
  return entries as Record<string, unknown>[];
}

function fromJson(spec: InputSpec, value: unknown, shapes: Map<string, number[]>, source: string): { shape: number[]; values: (number | string | boolean | null)[] } {
  if (value === undefined) throw new LabError('INVALID_ARG', `${source}: an entry has no data for input '${spec.name}'`);
  const obj = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { content?: Json; shape?: number[]; b64?: string }) : undefined;
  if (obj && obj.content === undefined) throw new LabError('INVALID_ARG', `${source}: input '${spec.name}' needs "content" (b64 data is not supported)`);
  const flat = flatten((obj ? obj.content : value) as Json);
  const shape = obj?.shape ?? (spec.dims.some((d) => d < 0) ? (shapes.get(spec.name) ?? shapeOf(value as Json)) : spec.dims);
  if (elementCount(shape) !== flat.length) throw new LabError('INVALID_ARG', `${source}: input '${spec.name}' has ${flat.length} values for shape [${shape.join(', ')}]`);
  return { shape, values: flat };
}

/** The requests' inputs, used in turn: one set for zero/random, one per entry of a JSON file. */
export function buildRequests(specs: InputSpec[], data: InputData, shapes: Map<string, number[]>, batch: number): Tensor[][] {
  for (const name of shapes.keys())
    if (!specs.some((s) => s.name === name)) throw new LabError('INVALID_ARG', `--shape: the model has no input '${name}' (inputs: ${specs.map((s) => s.name).join(', ')})`);
  if (batch > 1 && !specs.every((s) => s.batched)) throw new LabError('INVALID_ARG', `-b ${batch}: the model does not batch (max_batch_size 0)`);
  if (data.kind !== 'json') {
    return [
      specs.map((s) => {
        const shape = shapeFor(s, shapes);
        const count = elementCount(shape);
        // The dims come from a config (a remote server's, too): refused before a value is made.
        if (!(count * (s.batched ? batch : 1) <= MAX_GENERATED_ELEMENTS)) {
          throw new LabError('INVALID_ARG', `input '${s.name}' of shape [${shape.join(', ')}] is too large to generate: at most ${MAX_GENERATED_ELEMENTS} elements per request`);
        }
        return batchOf(s, shape, generated(s, count, data.kind === 'random'), batch);
      }),
    ];
  }
  return jsonEntries(data).map((entry) =>
    specs.map((s) => {
      const { shape, values } = fromJson(s, entry[s.name], shapes, data.source);
      return batchOf(s, shape, values, batch);
    }),
  );
}
