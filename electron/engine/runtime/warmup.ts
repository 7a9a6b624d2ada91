/**
 * model_warmup: requests run on every instance before the model is ready,
 * with zero, random or file data, as Triton does.
 *
 * Warm-up tensors are generated from the config's dims, so a config of a few
 * hundred bytes (in a folder that is only opened, never trusted, or a load
 * request's override) could ask for gigabytes, or for billions of runs. Unlike
 * Triton, which allocates whatever the dims ask for, the lab checks the size
 * and the work of every sample before anything is allocated or started
 * (warmupIssues, called by the loader before instances start) and refuses the
 * model with the reason.
 */
import path from 'node:path';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { toNumbers } from '../config/shape';
import { type ConfigIssue, issue } from '../config/issues';
import type { FieldPath } from '../config/text/source-map';
import { LabError, errorMessage } from '../errors';
import { apiDType } from '../tensor/dtype';
import { type Tensor, allocate, deserializeBytes, elementCount, elementSize, viewAs } from '../tensor/tensor';
import type { BackendInstance, PreparedRequest } from './types';
import { readContained } from '../repository/containment';
import { WARMUP_FOLDER } from '../repository/file-fields';

/** The largest warm-up data file read. */
export const MAX_WARMUP_FILE_BYTES = 256 * 2 ** 20;
/** The most one sample's generated tensors take, all inputs and the batch together: what a data file may hold. */
export const MAX_WARMUP_SAMPLE_BYTES = MAX_WARMUP_FILE_BYTES;
/** The most warm-up executions per instance: the samples, each `count` times. */
export const MAX_WARMUP_RUNS = 10_000;
/** The most warm-up data sent through the model: sample bytes × count × instances, over all samples. */
export const MAX_WARMUP_WORK_BYTES = 16 * 2 ** 30;
/** What a BYTES element is counted as (its slot, and its 4-byte length when serialized). */
const BYTES_ELEMENT_COST = 16;
const EMPTY = new Uint8Array(0);

type WarmupSample = ModelConfig['modelWarmup'][number];
type WarmupInput = NonNullable<WarmupSample['inputs'][string]>;

function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(n < 2 ** 20 ? 2 : 0)} MiB`;
}

/** The shape a warm-up input is generated with: [batch, ...dims] when the model batches. */
function warmupShape(input: WarmupInput, batch: number, mbs: number): number[] {
  const dims = toNumbers(input.dims);
  return mbs > 0 ? [Math.max(1, batch), ...dims] : dims;
}

/** Bytes of one sample's generated tensors, or an issue naming the input that cannot be generated. */
function sampleBytes(c: ModelConfig, w: WarmupSample, at: FieldPath): { bytes: number } | { issue: ConfigIssue } {
  let bytes = 0;
  for (const [name, input] of Object.entries(w.inputs)) {
    const dtype = apiDType(input.dataType);
    const shape = warmupShape(input, w.batchSize, c.maxBatchSize);
    if (shape.some((d) => d < 0)) return { issue: issue('warmup.variable-dims', `warmup setting expects all variable-size dimensions are specified for input '${name}'`, at) };
    bytes += elementCount(shape) * (dtype === undefined ? 0 : elementSize(dtype) || BYTES_ELEMENT_COST);
  }
  return { bytes };
}

/**
 * Whether the config's warm-up samples can be generated and run within the bounds, checked before
 * anything is allocated or any instance starts: one sample's tensors, the runs per instance, and the
 * data sent through all `instances`.
 */
export function warmupIssues(c: ModelConfig, instances: number): ConfigIssue[] {
  let runs = 0;
  let work = 0;
  for (const [i, w] of c.modelWarmup.entries()) {
    const at: FieldPath = ['model_warmup', i];
    const size = sampleBytes(c, w, at);
    if ('issue' in size) return [size.issue];
    if (size.bytes > MAX_WARMUP_SAMPLE_BYTES) {
      return [
        issue(
          'warmup.too-large',
          `warmup sample '${w.name}' needs ${mib(size.bytes)} of input data; Model Lab generates at most ${mib(MAX_WARMUP_SAMPLE_BYTES)} for one sample (all its inputs, batch included)`,
          at,
        ),
      ];
    }
    const count = Math.max(1, w.count);
    runs += count;
    work += size.bytes * count * Math.max(1, instances);
  }
  if (runs > MAX_WARMUP_RUNS) {
    return [issue('warmup.too-many', `model_warmup asks for ${runs} executions on each instance (samples × count); Model Lab runs at most ${MAX_WARMUP_RUNS}`, ['model_warmup'])];
  }
  if (work > MAX_WARMUP_WORK_BYTES) {
    return [
      issue('warmup.too-many', `model_warmup sends ${mib(work)} through the model (sample size × count × ${instances} instances); Model Lab sends at most ${mib(MAX_WARMUP_WORK_BYTES)}`, [
        'model_warmup',
      ]),
    ];
  }
  return [];
}

async function warmupInput(modelDir: string, name: string, input: WarmupInput, batch: number, mbs: number): Promise<Tensor> {
  const dtype = apiDType(input.dataType);
  if (!dtype) throw new LabError('INVALID_ARG', `warmup input '${name}' has no data_type`);
  const shape = warmupShape(input, batch, mbs);
  const count = elementCount(shape);
  const choice = input.inputDataType;
  if (choice.case === 'inputDataFile') {
    // Inside the model folder (real paths), a regular file, bounded: never a link to /dev/zero or elsewhere.
    const bytes = new Uint8Array(await readContained(modelDir, path.join(modelDir, WARMUP_FOLDER, choice.value), MAX_WARMUP_FILE_BYTES));
    const per = dtype === 'BYTES' ? deserializeBytes(bytes) : viewAs(dtype, bytes);
    if (count > 0 && per.length === 0) throw new LabError('INVALID_ARG', `warmup data file '${choice.value}' for input '${name}' holds no elements`);
    const data = allocate(dtype, count);
    for (let i = 0; i < count; i++) (data as unknown as unknown[])[i] = (per as unknown as unknown[])[i % per.length];
    return { name, dtype, shape, data };
  }
  // BYTES: every element the same empty string (one object, not one per element).
  const data = dtype === 'BYTES' ? new Array<Uint8Array>(count).fill(EMPTY) : allocate(dtype, count);
  if (choice.case === 'randomData' && !Array.isArray(data)) {
    for (let i = 0; i < count; i++) {
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(Math.floor(Math.random() * 100));
      else if (data instanceof Float32Array || data instanceof Float64Array) data[i] = Math.random();
      else (data as Uint8Array)[i] = Math.floor(Math.random() * 2);
    }
  }
  return { name, dtype, shape, data };
}

export async function warmUp(config: ModelConfig, modelDir: string, instances: BackendInstance[]): Promise<void> {
  // The loader checked already; checked again here so that nothing reaches an allocation unchecked.
  const refused = warmupIssues(config, instances.length)[0];
  if (refused) throw new LabError('INVALID_ARG', refused.message);
  for (const w of config.modelWarmup) {
    const inputs = new Map<string, Tensor>();
    try {
      for (const [name, input] of Object.entries(w.inputs)) inputs.set(name, await warmupInput(modelDir, name, input, w.batchSize, config.maxBatchSize));
    } catch (err) {
      throw new LabError('INVALID_ARG', `failed to prepare warmup sample '${w.name}': ${errorMessage(err)}`);
    }
    const req: PreparedRequest = { id: `warmup:${w.name}`, batchSize: config.maxBatchSize > 0 ? Math.max(1, w.batchSize) : 0, inputs, requested: config.output.map((o) => o.name), parameters: {} };
    for (const instance of instances) {
      for (let i = 0; i < Math.max(1, w.count); i++) {
        const [result] = await instance.execute([req]);
        if (result instanceof Error) throw new LabError('INTERNAL', `warmup sample '${w.name}' failed on ${instance.name}: ${result.message}`);
      }
    }
  }
}
