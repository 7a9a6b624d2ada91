/**
 * model_warmup: requests run on every instance before the model is ready,
 * with zero, random or file data, as Triton does.
 */
import path from 'node:path';
import type { ModelConfig } from '../config/gen/model_config_pb';
import { toNumbers } from '../config/shape';
import { LabError, errorMessage } from '../errors';
import { apiDType } from '../tensor/dtype';
import { type Tensor, allocate, deserializeBytes, elementCount, viewAs } from '../tensor/tensor';
import type { BackendInstance, PreparedRequest } from './types';
import { readContained } from '../repository/containment';
import { WARMUP_FOLDER } from '../repository/file-fields';

/** The largest warm-up data file read. */
export const MAX_WARMUP_FILE_BYTES = 256 * 2 ** 20;

async function warmupInput(modelDir: string, name: string, input: NonNullable<ModelConfig['modelWarmup'][number]['inputs'][string]>, batch: number, mbs: number): Promise<Tensor> {
  const dtype = apiDType(input.dataType);
  if (!dtype) throw new LabError('INVALID_ARG', `warmup input '${name}' has no data_type`);
  const dims = toNumbers(input.dims);
  const shape = mbs > 0 ? [Math.max(1, batch), ...dims] : dims;
  const count = elementCount(shape);
  const choice = input.inputDataType;
  if (choice.case === 'inputDataFile') {
    // Inside the model folder (real paths), a regular file, bounded: never a link to /dev/zero or elsewhere.
    const bytes = new Uint8Array(await readContained(modelDir, path.join(modelDir, WARMUP_FOLDER, choice.value), MAX_WARMUP_FILE_BYTES));
    const per = dtype === 'BYTES' ? deserializeBytes(bytes) : viewAs(dtype, bytes);
    const data = allocate(dtype, count);
    for (let i = 0; i < count; i++) (data as unknown as unknown[])[i] = (per as unknown as unknown[])[i % per.length];
    return { name, dtype, shape, data };
  }
  const data = allocate(dtype, count);
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
