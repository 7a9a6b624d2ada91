/**
 * Turns an initializer's stored values (little-endian raw bytes, or ONNX's
 * typed repeated fields) into an engine Tensor the viewers can page through.
 */
import type { TensorProto } from 'onnx-buf';
import { LabError } from '../errors';
import type { ApiDType } from '../tensor/dtype';
import { type NumericArray, type Tensor, elementSize, viewAs } from '../tensor/tensor';
import { elementsOf, onnxApiDType, onnxDTypeName } from './onnx-types';

export interface TensorHead {
  name: string;
  dataType: number;
  dims: number[];
}

function apiOf(h: TensorHead): ApiDType {
  const api = onnxApiDType(h.dataType);
  if (!api) throw new LabError('UNSUPPORTED', `initializer '${h.name}' is ${onnxDTypeName(h.dataType)}, which the tensor viewers cannot show`);
  return api;
}

export function tensorFromRaw(h: TensorHead, bytes: Uint8Array): Tensor {
  const dtype = apiOf(h);
  const elements = elementsOf(h.dims);
  if (dtype === 'BYTES') throw new LabError('INVALID_ARG', `initializer '${h.name}' is a STRING tensor stored as raw bytes, which ONNX does not allow`);
  const need = elements * elementSize(dtype);
  if (bytes.byteLength !== need) {
    throw new LabError('INVALID_ARG', `initializer '${h.name}' holds ${bytes.byteLength} bytes, but ${elements} ${dtype} values of shape [${h.dims.join(', ')}] need ${need}`);
  }
  return { name: h.name, dtype, shape: [...h.dims], data: viewAs(dtype, bytes) };
}

function checkCount(h: TensorHead, have: number, field: string): void {
  const need = elementsOf(h.dims);
  if (have !== need) throw new LabError('INVALID_ARG', `initializer '${h.name}' has ${have} values in ${field}, but its shape [${h.dims.join(', ')}] needs ${need}`);
}

/** A typed field of a TensorProto: its ONNX name, its values, and how they become the dtype's array. */
interface TypedField {
  field: string;
  values: readonly unknown[];
  read: () => NumericArray;
}

const int32Field = (t: TensorProto, read: (v: number[]) => NumericArray): TypedField => ({ field: 'int32_data', values: t.int32Data, read: () => read(t.int32Data) });

/** Where ONNX keeps each numeric dtype's values when raw_data is empty. */
const TYPED: Record<Exclude<ApiDType, 'BYTES'>, (t: TensorProto) => TypedField> = {
  FP32: (t) => ({ field: 'float_data', values: t.floatData, read: () => Float32Array.from(t.floatData) }),
  FP64: (t) => ({ field: 'double_data', values: t.doubleData, read: () => Float64Array.from(t.doubleData) }),
  INT64: (t) => ({ field: 'int64_data', values: t.int64Data, read: () => BigInt64Array.from(t.int64Data) }),
  UINT64: (t) => ({ field: 'uint64_data', values: t.uint64Data, read: () => BigUint64Array.from(t.uint64Data) }),
  UINT32: (t) => ({ field: 'uint64_data', values: t.uint64Data, read: () => Uint32Array.from(t.uint64Data, (v) => Number(BigInt.asUintN(32, v))) }),
  INT32: (t) => int32Field(t, (v) => Int32Array.from(v)),
  INT16: (t) => int32Field(t, (v) => Int16Array.from(v)),
  INT8: (t) => int32Field(t, (v) => Int8Array.from(v)),
  // 16-bit floats travel as their bit patterns in int32_data.
  UINT16: (t) => int32Field(t, (v) => Uint16Array.from(v)),
  FP16: (t) => int32Field(t, (v) => Uint16Array.from(v)),
  BF16: (t) => int32Field(t, (v) => Uint16Array.from(v)),
  UINT8: (t) => int32Field(t, (v) => Uint8Array.from(v)),
  BOOL: (t) => int32Field(t, (v) => Uint8Array.from(v)),
};

function typed(h: TensorHead, dtype: Exclude<ApiDType, 'BYTES'>, t: TensorProto): NumericArray {
  const f = TYPED[dtype](t);
  checkCount(h, f.values.length, f.field);
  return f.read();
}

/** Values of a decoded TensorProto: raw_data when present, else its typed field. */
export function tensorFromProto(h: TensorHead, t: TensorProto): Tensor {
  if (t.rawData.byteLength > 0) return tensorFromRaw(h, t.rawData);
  const dtype = apiOf(h);
  if (dtype === 'BYTES') {
    checkCount(h, t.stringData.length, 'string_data');
    return { name: h.name, dtype, shape: [...h.dims], data: t.stringData };
  }
  if (elementsOf(h.dims) === 0) return tensorFromRaw(h, new Uint8Array(0));
  return { name: h.name, dtype, shape: [...h.dims], data: typed(h, dtype, t) };
}
