/**
 * Triton's classification extension (server classification.cc): an output
 * requested with `classification: k` comes back as BYTES "value:index[:label]"
 * strings, the k largest per batch item, values printed like C++ std::to_string.
 */
import { LabError } from '../../engine/errors';
import { bf16ToFloat, halfToFloat } from '../../engine/tensor/half';
import { type Tensor, bytesFromStrings, elementCount, isBytesData } from '../../engine/tensor/tensor';

const MAX_CLASSIFICATION_ELEMENTS = 1_000_000;

/** std::to_string: %f for floating point, plain digits for integers. */
function cppToString(v: number, integer: boolean): string {
  if (integer) return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return v.toFixed(6);
}

export function classify(t: Tensor, k: number, batching: boolean, labels: readonly string[] | undefined): Tensor {
  if (isBytesData(t.data) || t.dtype === 'BOOL') {
    throw new LabError('INVALID_ARG', `class result not available for output due to unsupported type '${t.dtype}'`);
  }
  const total = elementCount(t.shape);
  if (total > MAX_CLASSIFICATION_ELEMENTS) throw new LabError('INVALID_ARG', 'classification output tensor too large');
  const integer = !['FP16', 'FP32', 'FP64', 'BF16'].includes(t.dtype);
  const read = (i: number): number => {
    const d = t.data as ArrayLike<number | bigint>;
    if (t.dtype === 'FP16') return halfToFloat(d[i] as number);
    if (t.dtype === 'BF16') return bf16ToFloat(d[i] as number);
    return Number(d[i]);
  };
  const batch = batching && t.shape.length > 0 ? t.shape[0]! : 0;
  const per = batch === 0 ? total : elementCount(t.shape.slice(1));
  const count = Math.min(per, k);
  const out: string[] = [];
  for (let b = 0; b < Math.max(1, batch); b++) {
    const base = b * per;
    const idx = Array.from({ length: per }, (_, i) => i).sort((a, c) => read(base + c) - read(base + a));
    for (let j = 0; j < count; j++) {
      const i = idx[j]!;
      const label = labels?.[i];
      out.push(`${cppToString(read(base + i), integer)}:${i}${label !== undefined ? `:${label}` : ''}`);
    }
  }
  return { name: t.name, dtype: 'BYTES', shape: batch === 0 ? [count] : [batch, count], data: bytesFromStrings(out) };
}
