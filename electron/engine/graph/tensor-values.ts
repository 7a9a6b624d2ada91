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

function typed(h: TensorHead, dtype: Exclude<ApiDType, 'BYTES'>, t: TensorProto): NumericArray {
  switch (dtype) {
    case 'FP32':
      checkCount(h, t.floatData.length, 'float_data');
      return Float32Array.from(t.floatData);
    case 'FP64':
      checkCount(h, t.doubleData.length, 'double_data');
      return Float64Array.from(t.doubleData);
    case 'INT64':
      checkCount(h, t.int64Data.length, 'int64_data');
      return BigInt64Array.from(t.int64Data);
    case 'UINT64':
      checkCount(h, t.uint64Data.length, 'uint64_data');
      return BigUint64Array.from(t.uint64Data);
    case 'UINT32':
      checkCount(h, t.uint64Data.length, 'uint64_data');
      return Uint32Array.from(t.uint64Data, (v) => Number(BigInt.asUintN(32, v)));
    case 'INT32':
      checkCount(h, t.int32Data.length, 'int32_data');
      return Int32Array.from(t.int32Data);
    case 'INT16':
      checkCount(h, t.int32Data.length, 'int32_data');
      return Int16Array.from(t.int32Data);
    case 'INT8':
      checkCount(h, t.int32Data.length, 'int32_data');
      return Int8Array.from(t.int32Data);
    case 'UINT16':
    case 'FP16':
    case 'BF16':
      // 16-bit floats travel as their bit patterns in int32_data.
      checkCount(h, t.int32Data.length, 'int32_data');
      return Uint16Array.from(t.int32Data);
    case 'UINT8':
    case 'BOOL':
      checkCount(h, t.int32Data.length, 'int32_data');
      return Uint8Array.from(t.int32Data);
  }
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
