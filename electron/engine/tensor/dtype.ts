/**
 * The one table of Triton data types: config enum, API name, element size,
 * numpy name and ONNX element type. Everything else derives from it.
 */
import { DataType } from '../config/gen/model_config_pb';

export type ApiDType = 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BYTES' | 'BF16';

export interface DTypeInfo {
  dataType: DataType;
  /** Config spelling, e.g. TYPE_FP32. */
  config: string;
  /** HTTP/gRPC spelling, e.g. FP32; TYPE_STRING is BYTES on the wire. */
  api: ApiDType;
  /** Bytes per element; 0 for variable-size BYTES. */
  size: number;
  numpy: string;
  /** ONNX TensorProto.DataType. */
  onnx: number;
}

export const DTYPES: readonly DTypeInfo[] = [
  { dataType: DataType.TYPE_BOOL, config: 'TYPE_BOOL', api: 'BOOL', size: 1, numpy: 'bool', onnx: 9 },
  { dataType: DataType.TYPE_UINT8, config: 'TYPE_UINT8', api: 'UINT8', size: 1, numpy: 'uint8', onnx: 2 },
  { dataType: DataType.TYPE_UINT16, config: 'TYPE_UINT16', api: 'UINT16', size: 2, numpy: 'uint16', onnx: 4 },
  { dataType: DataType.TYPE_UINT32, config: 'TYPE_UINT32', api: 'UINT32', size: 4, numpy: 'uint32', onnx: 12 },
  { dataType: DataType.TYPE_UINT64, config: 'TYPE_UINT64', api: 'UINT64', size: 8, numpy: 'uint64', onnx: 13 },
  { dataType: DataType.TYPE_INT8, config: 'TYPE_INT8', api: 'INT8', size: 1, numpy: 'int8', onnx: 3 },
  { dataType: DataType.TYPE_INT16, config: 'TYPE_INT16', api: 'INT16', size: 2, numpy: 'int16', onnx: 5 },
  { dataType: DataType.TYPE_INT32, config: 'TYPE_INT32', api: 'INT32', size: 4, numpy: 'int32', onnx: 6 },
  { dataType: DataType.TYPE_INT64, config: 'TYPE_INT64', api: 'INT64', size: 8, numpy: 'int64', onnx: 7 },
  { dataType: DataType.TYPE_FP16, config: 'TYPE_FP16', api: 'FP16', size: 2, numpy: 'float16', onnx: 10 },
  { dataType: DataType.TYPE_FP32, config: 'TYPE_FP32', api: 'FP32', size: 4, numpy: 'float32', onnx: 1 },
  { dataType: DataType.TYPE_FP64, config: 'TYPE_FP64', api: 'FP64', size: 8, numpy: 'float64', onnx: 11 },
  { dataType: DataType.TYPE_STRING, config: 'TYPE_STRING', api: 'BYTES', size: 0, numpy: 'object', onnx: 8 },
  { dataType: DataType.TYPE_BF16, config: 'TYPE_BF16', api: 'BF16', size: 2, numpy: 'bfloat16', onnx: 16 },
];

const byDataType = new Map(DTYPES.map((d) => [d.dataType, d]));
const byOnnx = new Map(DTYPES.map((d) => [d.onnx, d]));

export function dtypeOf(dt: DataType): DTypeInfo | undefined {
  return byDataType.get(dt);
}

/** Config spelling of any DataType value, TYPE_INVALID included. */
export function configTypeName(dt: DataType): string {
  return byDataType.get(dt)?.config ?? (dt === DataType.TYPE_INVALID ? 'TYPE_INVALID' : `TYPE_${dt}`);
}

/** API spelling (FP32, BYTES); INVALID for TYPE_INVALID, as Triton prints it. */
export function apiTypeName(dt: DataType): string {
  return byDataType.get(dt)?.api ?? 'INVALID';
}

export function dataTypeFromOnnx(onnxType: number): DataType {
  return byOnnx.get(onnxType)?.dataType ?? DataType.TYPE_INVALID;
}

const ONNX_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
};

export function onnxTypeName(onnxType: number): string {
  return ONNX_NAMES[onnxType] ?? `ONNX_TYPE_${onnxType}`;
}

/** The API dtype of a config DataType, or undefined for TYPE_INVALID. */
export function apiDType(dt: DataType): ApiDType | undefined {
  return byDataType.get(dt)?.api;
}
