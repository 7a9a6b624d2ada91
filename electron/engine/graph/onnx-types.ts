/**
 * ONNX element types as the graph summary shows them: Triton's wire spelling
 * where the engine has a dtype for it (so the UI and configs read the same),
 * ONNX's own name for the rest (complex, 8-bit and 4-bit floats, 4-bit ints).
 */
import type { GraphDim, GraphValueType } from '../../contract/inspect-api';
import type { TypeProto } from 'onnx-buf';
import { DTYPES, type ApiDType } from '../tensor/dtype';

const API_BY_ONNX = new Map<number, ApiDType>(DTYPES.map((d) => [d.onnx, d.api]));

/** Names for ONNX types the engine table does not carry. */
const OTHER_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ',
  21: 'UINT4',
  22: 'INT4',
  23: 'FLOAT4E2M1',
  24: 'FLOAT8E8M0',
};

/** Stored bits per element for types outside the engine table. */
const OTHER_BITS: Record<number, number> = { 14: 64, 15: 128, 17: 8, 18: 8, 19: 8, 20: 8, 21: 4, 22: 4, 23: 4, 24: 8 };

export function onnxApiDType(elemType: number): ApiDType | undefined {
  return API_BY_ONNX.get(elemType);
}

export function onnxDTypeName(elemType: number): string {
  return API_BY_ONNX.get(elemType) ?? OTHER_NAMES[elemType] ?? `ONNX_TYPE_${elemType}`;
}

/** Bits per stored element; 0 for strings and unknown types. */
export function onnxElementBits(elemType: number): number {
  const api = API_BY_ONNX.get(elemType);
  if (api) return (DTYPES.find((d) => d.api === api)?.size ?? 0) * 8;
  return OTHER_BITS[elemType] ?? 0;
}

export function elementsOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function valueType(t: TypeProto | undefined): GraphValueType {
  const v = t?.value;
  switch (v?.case) {
    case 'tensorType':
    case 'sparseTensorType': {
      const out: GraphValueType = { dtype: v.case === 'sparseTensorType' ? `sparse ${onnxDTypeName(v.value.elemType)}` : onnxDTypeName(v.value.elemType) };
      const shape = v.value.shape;
      if (shape) {
        out.dims = shape.dim.map((d): GraphDim => {
          if (d.value.case === 'dimValue') return Number(d.value.value);
          if (d.value.case === 'dimParam') return d.value.value || null;
          return null;
        });
      }
      return out;
    }
    case 'sequenceType':
      return { dtype: 'sequence' };
    case 'mapType':
      return { dtype: 'map' };
    case 'optionalType':
      return { dtype: 'optional' };
    default:
      return { dtype: 'unknown' };
  }
}

/** "FP32 [1, 3, 224, 224]", "INT64 []", "FP32 [?]" for display in messages. */
export function describeType(t: GraphValueType): string {
  if (!t.dims) return t.dtype;
  return `${t.dtype} [${t.dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}
