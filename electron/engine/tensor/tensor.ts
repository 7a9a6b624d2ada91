/**
 * Tensors as the engine moves them: a dtype from the one table, a row-major
 * shape, and data kept in the typed array that matches the dtype (views, not
 * copies, wherever the bytes allow it). BYTES tensors hold one Uint8Array per
 * element; FP16 and BF16 hold their raw 16-bit patterns in a Uint16Array.
 */
import { LabError } from '../errors';
import { type ApiDType, DTYPES, type DTypeInfo } from './dtype';

export type NumericArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigUint64Array | BigInt64Array | Float32Array | Float64Array;

export type TensorData = NumericArray | Uint8Array[];

export interface Tensor {
  name: string;
  dtype: ApiDType;
  shape: number[];
  data: TensorData;
  /** Nobody reads this data after the receiver: its buffer may be moved (transferred) rather than copied. */
  transferable?: boolean;
}

const byApi = new Map<string, DTypeInfo>(DTYPES.map((d) => [d.api, d]));

export function dtypeInfo(dtype: string): DTypeInfo {
  const info = byApi.get(dtype);
  if (!info) throw new LabError('INVALID_ARG', `invalid datatype '${dtype}'`);
  return info;
}

export function isApiDType(dtype: string): dtype is ApiDType {
  return byApi.has(dtype);
}

type ArrayCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray; new (length: number): NumericArray; BYTES_PER_ELEMENT: number };

const CTORS: Record<Exclude<ApiDType, 'BYTES'>, ArrayCtor> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
  BF16: Uint16Array,
};

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Bytes per element; 0 for BYTES. */
export function elementSize(dtype: ApiDType): number {
  return dtypeInfo(dtype).size;
}

/** A typed array of the dtype's kind over `bytes`, copying only when the bytes are misaligned. */
export function viewAs(dtype: Exclude<ApiDType, 'BYTES'>, bytes: Uint8Array): NumericArray {
  const Ctor = CTORS[dtype];
  const size = Ctor.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) {
    throw new LabError('INVALID_ARG', `${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  }
  if (bytes.byteOffset % size === 0) return new Ctor(bytes.buffer, bytes.byteOffset, bytes.byteLength / size);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Ctor(copy.buffer, 0, bytes.byteLength / size);
}

export function allocate(dtype: ApiDType, count: number): TensorData {
  if (dtype === 'BYTES') return Array.from({ length: count }, () => new Uint8Array(0));
  return new CTORS[dtype](count);
}

/** The typed array constructor name a dtype uses, for messages and checks. */
export function arrayKindOf(dtype: ApiDType): string {
  return dtype === 'BYTES' ? 'Uint8Array[]' : CTORS[dtype].name;
}

export function isBytesData(data: TensorData): data is Uint8Array[] {
  return Array.isArray(data);
}

export function dataLength(data: TensorData): number {
  return data.length;
}

/** The raw bytes of a numeric tensor (a view) or the length-prefixed serialization of BYTES. */
export function tensorBytes(t: Tensor): Uint8Array {
  if (isBytesData(t.data)) return serializeBytes(t.data);
  const d = t.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Triton's BYTES wire form: each element as a uint32 little-endian length followed by its bytes. */
export function serializeBytes(items: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const b of items) total += 4 + b.byteLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let off = 0;
  for (const b of items) {
    view.setUint32(off, b.byteLength, true);
    out.set(b, off + 4);
    off += 4 + b.byteLength;
  }
  return out;
}

/** Parses the BYTES wire form; `expected` elements when known. Views into `buf`, no copies. */
export function deserializeBytes(buf: Uint8Array, expected?: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  while (off < buf.byteLength) {
    if (off + 4 > buf.byteLength) {
      throw new LabError('INVALID_ARG', `incomplete string length indicator: expecting 4 bytes but only ${buf.byteLength - off} bytes available`);
    }
    const len = view.getUint32(off, true);
    off += 4;
    if (off + len > buf.byteLength) throw new LabError('INVALID_ARG', `incomplete string data: expecting ${len} bytes but only ${buf.byteLength - off} bytes available`);
    out.push(buf.subarray(off, off + len));
    off += len;
    if (expected !== undefined && out.length > expected) break;
  }
  if (expected !== undefined && out.length !== expected) {
    throw new LabError('INVALID_ARG', `expected ${expected} string elements, got ${out.length}`);
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export function bytesFromStrings(items: readonly string[]): Uint8Array[] {
  return items.map((s) => encoder.encode(s));
}

export function stringsFromBytes(items: readonly Uint8Array[]): string[] {
  return items.map((b) => decoder.decode(b));
}

/** Makes a tensor, checking that the data holds exactly the elements the shape needs. */
export function makeTensor(name: string, dtype: ApiDType, shape: readonly number[], data: TensorData): Tensor {
  dtypeInfo(dtype);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new LabError('INVALID_ARG', `tensor '${name}' has an invalid shape [${shape.join(',')}]`);
  const count = elementCount(shape);
  if (dtype === 'BYTES' ? !isBytesData(data) : isBytesData(data)) {
    throw new LabError('INVALID_ARG', `tensor '${name}' of type ${dtype} needs ${arrayKindOf(dtype)} data`);
  }
  if (data.length !== count) {
    throw new LabError('INVALID_ARG', `tensor '${name}' has ${data.length} elements but its shape [${shape.join(',')}] needs ${count}`);
  }
  return { name, dtype, shape: [...shape], data };
}

/** The byte size Triton accounts for a tensor (BYTES: 4-byte prefix + payload per element). */
export function byteSize(t: Tensor): number {
  if (isBytesData(t.data)) return t.data.reduce((n, b) => n + 4 + b.byteLength, 0);
  return t.data.byteLength;
}

/** A numeric view over elements [start, start+count) of a tensor's data, without copying. */
export function sliceData(data: TensorData, start: number, count: number): TensorData {
  return isBytesData(data) ? data.slice(start, start + count) : data.subarray(start, start + count);
}

/** Concatenates same-typed data (e.g. requests along the batch dimension). */
export function concatData(dtype: ApiDType, parts: readonly TensorData[]): TensorData {
  if (parts.length === 1) return parts[0]!;
  if (dtype === 'BYTES') return (parts as Uint8Array[][]).flat();
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = allocate(dtype, total) as NumericArray;
  let off = 0;
  for (const p of parts as NumericArray[]) {
    (out as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(p as ArrayLike<number | bigint>, off);
    off += p.length;
  }
  return out;
}
