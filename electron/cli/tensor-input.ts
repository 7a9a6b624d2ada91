/**
 * Turns `--input name=<json>` and `--input name=@file` into tensors for a
 * model's input, using the config for the datatype and the batch dimension.
 */
import { promises as fs } from 'node:fs';
import type { ModelConfig } from '../engine/config/gen/model_config_pb';
import { toNumbers } from '../engine/config/shape';
import { LabError } from '../engine/errors';
import { apiDType } from '../engine/tensor/dtype';
import { floatToBf16, floatToHalf } from '../engine/tensor/half';
import { type Tensor, type TensorData, allocate, bytesFromStrings, elementCount, viewAs } from '../engine/tensor/tensor';

type Json = number | string | boolean | Json[];

function shapeOf(v: Json): number[] {
  if (!Array.isArray(v)) return [];
  if (v.length === 0) return [0];
  const inner = shapeOf(v[0]!);
  for (const x of v) if (JSON.stringify(shapeOf(x)) !== JSON.stringify(inner)) throw new LabError('INVALID_ARG', 'nested arrays must be rectangular');
  return [v.length, ...inner];
}

function flatten(v: Json, out: (number | string | boolean)[] = []): (number | string | boolean)[] {
  if (Array.isArray(v)) for (const x of v) flatten(x, out);
  else out.push(v);
  return out;
}

function fill(dtype: Tensor['dtype'], values: (number | string | boolean)[]): TensorData {
  if (dtype === 'BYTES') return bytesFromStrings(values.map(String));
  const data = allocate(dtype, values.length);
  values.forEach((v, i) => {
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
    if (typeof v === 'string' && Number.isNaN(n)) throw new LabError('INVALID_ARG', `'${v}' is not a number`);
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(Math.trunc(n));
    else if (dtype === 'FP16') (data as Uint16Array)[i] = floatToHalf(n);
    else if (dtype === 'BF16') (data as Uint16Array)[i] = floatToBf16(n);
    else (data as Float32Array)[i] = n;
  });
  return data;
}

/** Adds the batch dimension a batching model needs when the value leaves it out. */
function withBatch(config: ModelConfig, name: string, shape: number[]): number[] {
  const dims = toNumbers(config.input.find((i) => i.name === name)?.dims ?? []);
  return config.maxBatchSize > 0 && shape.length === dims.length ? [1, ...shape] : shape;
}

export async function parseInput(config: ModelConfig, spec: string): Promise<Tensor> {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new LabError('INVALID_ARG', `--input expects name=<json> or name=@file, got '${spec}'`);
  const name = spec.slice(0, eq);
  const value = spec.slice(eq + 1);
  const cfg = config.input.find((i) => i.name === name);
  if (!cfg) throw new LabError('INVALID_ARG', `model '${config.name}' has no input '${name}' (inputs: ${config.input.map((i) => i.name).join(', ')})`);
  const dtype = apiDType(cfg.dataType);
  if (!dtype) throw new LabError('INVALID_ARG', `input '${name}' has no data type in the config`);
  const dims = toNumbers(cfg.dims);

  if (value.startsWith('@')) {
    const bytes = new Uint8Array(await fs.readFile(value.slice(1)));
    if (value.endsWith('.json')) return parseInput(config, `${name}=${new TextDecoder().decode(bytes)}`);
    // A file for a variable-length byte input is sent as is (an encoded image, a document).
    if (dtype === 'UINT8' && dims.length === 1 && dims[0] === -1) return { name, dtype, shape: withBatch(config, name, [bytes.length]), data: bytes };
    if (dtype === 'BYTES') return { name, dtype, shape: withBatch(config, name, [1]), data: [bytes] };
    const data = viewAs(dtype, bytes);
    const fixed = dims.every((d) => d > 0) ? dims : [data.length];
    if (elementCount(fixed) !== data.length) throw new LabError('INVALID_ARG', `${value.slice(1)} holds ${data.length} ${dtype} values; input '${name}' needs dims [${dims.join(', ')}]`);
    return { name, dtype, shape: withBatch(config, name, fixed), data };
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(value) as Json;
  } catch {
    parsed = value;
  }
  const shape = shapeOf(parsed);
  const flat = flatten(parsed);
  return { name, dtype, shape: withBatch(config, name, shape.length === 0 ? [1] : shape), data: fill(dtype, flat) };
}
