/**
 * Tensors from plain values, shared by `model-lab infer` and the playground:
 * nested JSON arrays (rectangular, row-major), typed by the model's dtype
 * (FP16/BF16 converted, INT64 from numbers or digit strings), and the batch
 * dimension a batching model needs when the value leaves it out.
 */
import type { ModelConfig } from '../config/gen/model_config_pb';
import { toNumbers } from '../config/shape';
import { LabError } from '../errors';
import type { ApiDType } from '../tensor/dtype';
import { floatToBf16, floatToHalf } from '../tensor/half';
import { type TensorData, allocate, bytesFromStrings } from '../tensor/tensor';

export type Json = number | string | boolean | null | Json[];

export function shapeOf(v: Json): number[] {
  if (!Array.isArray(v)) return [];
  if (v.length === 0) return [0];
  const inner = shapeOf(v[0]!);
  for (const x of v) if (JSON.stringify(shapeOf(x)) !== JSON.stringify(inner)) throw new LabError('INVALID_ARG', 'nested arrays must be rectangular');
  return [v.length, ...inner];
}

export function flatten(v: Json, out: (number | string | boolean | null)[] = []): (number | string | boolean | null)[] {
  if (Array.isArray(v)) for (const x of v) flatten(x, out);
  else out.push(v);
  return out;
}

function integer(v: number | string | boolean | null, dtype: ApiDType): bigint {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return BigInt(v.trim());
  const n = Number(v);
  if (!Number.isFinite(n)) throw new LabError('INVALID_ARG', `'${String(v)}' is not a ${dtype} value`);
  return BigInt(Math.trunc(n));
}

/** Bad values named one by one in an error before the rest are counted. */
const MAX_NAMED = 20;

/** Stores one value at `i`; throws a LabError naming the value when the dtype cannot hold it. */
function put(data: TensorData, dtype: ApiDType, i: number, v: number | string | boolean | null): void {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    data[i] = integer(v, dtype);
    return;
  }
  const n = typeof v === 'boolean' ? (v ? 1 : 0) : v === null ? Number.NaN : Number(v);
  if (typeof v === 'string' && Number.isNaN(n) && !/^nan$/i.test(v.trim())) throw new LabError('INVALID_ARG', `'${v}' is not a number`);
  if (dtype === 'FP16') (data as Uint16Array)[i] = floatToHalf(n);
  else if (dtype === 'BF16') (data as Uint16Array)[i] = floatToBf16(n);
  else if (dtype === 'BOOL') (data as Uint8Array)[i] = n ? 1 : 0;
  else (data as Float32Array)[i] = n;
}

/**
 * Typed data for `values` (already flat). Every value is checked: one bad value reads as before
 * ("'x' is not a number"); several are listed with their positions (the first MAX_NAMED, then how
 * many more), so a pasted list is fixed in one pass.
 */
export function fill(dtype: ApiDType, values: (number | string | boolean | null)[]): TensorData {
  if (dtype === 'BYTES') return bytesFromStrings(values.map((v) => (v === null ? '' : String(v))));
  const data = allocate(dtype, values.length);
  const bad: string[] = [];
  let count = 0;
  values.forEach((v, i) => {
    try {
      put(data, dtype, i, v);
    } catch (err) {
      if (!(err instanceof LabError)) throw err;
      if (++count <= MAX_NAMED) bad.push(`value ${i + 1}: ${err.message}`);
    }
  });
  if (count === 1) throw new LabError('INVALID_ARG', bad[0]!.replace(/^value \d+: /, ''));
  if (count > 1) throw new LabError('INVALID_ARG', `${count} values are not ${dtype} values: ${bad.join('; ')}${count > MAX_NAMED ? `; and ${count - MAX_NAMED} more` : ''}`);
  return data;
}

/** Adds the batch dimension a batching model needs when the value leaves it out. */
export function withBatch(config: ModelConfig, name: string, shape: number[]): number[] {
  const dims = toNumbers(config.input.find((i) => i.name === name)?.dims ?? []);
  return config.maxBatchSize > 0 && shape.length === dims.length ? [1, ...shape] : shape;
}
