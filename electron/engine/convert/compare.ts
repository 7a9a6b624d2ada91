/**
 * Reading back what the converter's Python child wrote (raw little-endian
 * tensors in the job's folder) and comparing the TorchScript model's answers
 * with the ONNX model's: the largest absolute difference per output. Files
 * are read only from the job's own folder, and only as many bytes as their
 * stated shape and type need.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../errors';
import { halfToFloat } from '../tensor/half';
import { DTYPES, type ApiDType } from '../tensor/dtype';
import { elementCount, elementSize, viewAs, type Tensor, type TensorData } from '../tensor/tensor';
import type { SampleTensor } from './torch-export';

const BY_NUMPY = new Map(DTYPES.filter((d) => d.api !== 'BYTES').map((d) => [d.numpy, d.api]));

export async function readSampleTensor(workDir: string, t: SampleTensor): Promise<Tensor> {
  const dtype = BY_NUMPY.get(t.dtype);
  if (!dtype || dtype === 'BYTES') throw new LabError('UNSUPPORTED', `the converter wrote '${t.name}' as ${t.dtype}, a type the lab does not compare`);
  if (path.dirname(path.resolve(t.file)) !== workDir || !Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new LabError('INTERNAL', `the converter answered an unexpected file or shape for '${t.name}'`);
  }
  const expected = elementCount(t.shape) * elementSize(dtype);
  const bytes = await fs.readFile(t.file);
  if (bytes.byteLength !== expected) throw new LabError('INTERNAL', `'${t.name}': ${bytes.byteLength} bytes written where [${t.shape.join(', ')}] ${dtype} needs ${expected}`);
  return { name: t.name, dtype, shape: t.shape, data: viewAs(dtype as Exclude<ApiDType, 'BYTES'>, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)) };
}

function valueAt(dtype: ApiDType, data: TensorData, i: number): number {
  const v = (data as ArrayLike<number | bigint>)[i]!;
  if (dtype === 'FP16') return halfToFloat(Number(v));
  return Number(v);
}

/** max |a - b| over the elements; a NaN on one side only counts as Infinity, NaN on both as equal. */
export function maxAbsDiff(expected: Tensor, actual: Tensor): number {
  if (expected.dtype !== actual.dtype || expected.shape.join(',') !== actual.shape.join(',')) {
    throw new LabError(
      'INVALID_ARG',
      `the ONNX model answered '${actual.name}' as ${actual.dtype} [${actual.shape.join(', ')}], the TorchScript model as ${expected.dtype} [${expected.shape.join(', ')}]`,
    );
  }
  let worst = 0;
  for (let i = 0; i < elementCount(expected.shape); i++) {
    const a = valueAt(expected.dtype, expected.data, i);
    const b = valueAt(actual.dtype, actual.data, i);
    const d = Number.isNaN(a) || Number.isNaN(b) ? (Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity) : Math.abs(a - b);
    if (d > worst) worst = d;
  }
  return worst;
}
