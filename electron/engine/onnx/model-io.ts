/**
 * Reads what a Triton config needs from an ONNX model — graph inputs and
 * outputs with element types and shapes, IR version, opsets, producer —
 * by walking the protobuf wire format and skipping nodes and weights.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { type ValueInfoProto, ValueInfoProtoSchema } from 'onnx-buf';
import { LabError, errorMessage } from '../errors';
import { readUpTo, withRegularFile } from '../util/regular-file';

/** A dimension: a size, a symbolic name, or null when the model leaves it open. */
export type OnnxDim = number | string | null;

export interface OnnxValueInfo {
  name: string;
  /** 'tensor' for plain tensors; anything else cannot be a Triton input/output. */
  kind: 'tensor' | 'sequence' | 'map' | 'optional' | 'sparse_tensor' | 'unknown';
  /** ONNX TensorProto.DataType; 0 when unknown. */
  elemType: number;
  /** Undefined when the model gives no shape (unknown rank). */
  dims?: OnnxDim[];
}

export interface OnnxModelIO {
  irVersion: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  /** Graph inputs that are not initializers, as ONNX Runtime reports them. */
  inputs: OnnxValueInfo[];
  /** Graph inputs that also have an initializer: optional inputs with a default. */
  overridableInitializers: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** Node's Buffer limit; bigger single-file models must use external data anyway. */
const MAX_ONNX_BYTES = 2 ** 31 - 1;

export function toValueInfo(v: ValueInfoProto): OnnxValueInfo {
  const t = v.type?.value;
  switch (t?.case) {
    case 'tensorType': {
      const shape = t.value.shape;
      const dims = shape?.dim.map((d): OnnxDim => {
        if (d.value.case === 'dimValue') return Number(d.value.value);
        if (d.value.case === 'dimParam') return d.value.value || null;
        return null;
      });
      return { name: v.name, kind: 'tensor', elemType: t.value.elemType, dims };
    }
    case 'sequenceType':
      return { name: v.name, kind: 'sequence', elemType: 0 };
    case 'mapType':
      return { name: v.name, kind: 'map', elemType: 0 };
    case 'optionalType':
      return { name: v.name, kind: 'optional', elemType: 0 };
    case 'sparseTensorType':
      return { name: v.name, kind: 'sparse_tensor', elemType: t.value.elemType };
    default:
      return { name: v.name, kind: 'unknown', elemType: 0 };
  }
}

function readInitializerName(bytes: Uint8Array): string {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 8 && wt === WireType.LengthDelimited) return r.string();
    r.skip(wt, no);
  }
  return '';
}

function readOpset(bytes: Uint8Array): { domain: string; version: number } {
  const r = new BinaryReader(bytes);
  const out = { domain: '', version: 0 };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1 && wt === WireType.LengthDelimited) out.domain = r.string();
    else if (no === 2 && wt === WireType.Varint) out.version = Number(r.int64());
    else r.skip(wt, no);
  }
  return out;
}

function readGraph(bytes: Uint8Array, io: OnnxModelIO): void {
  const r = new BinaryReader(bytes);
  const inputs: OnnxValueInfo[] = [];
  const initializers = new Set<string>();
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (wt !== WireType.LengthDelimited) {
      r.skip(wt, no);
      continue;
    }
    if (no === 11) inputs.push(toValueInfo(fromBinary(ValueInfoProtoSchema, r.bytes())));
    else if (no === 12) io.outputs.push(toValueInfo(fromBinary(ValueInfoProtoSchema, r.bytes())));
    else if (no === 5) initializers.add(readInitializerName(r.bytes()));
    else r.skip(wt, no);
  }
  // A graph input with an initializer is a weight that callers may override, not a required input.
  io.inputs = inputs.filter((i) => !initializers.has(i.name));
  io.overridableInitializers = inputs.filter((i) => initializers.has(i.name));
}

/** A dimension as ONNX Runtime reports it: symbolic and unknown sizes are -1. */
export function ortDim(d: OnnxDim): number {
  return typeof d === 'number' ? d : -1;
}

export function ortShape(v: OnnxValueInfo): number[] {
  return (v.dims ?? []).map(ortDim);
}

export function readOnnxModelIO(bytes: Uint8Array): OnnxModelIO {
  const io: OnnxModelIO = { irVersion: 0, producer: '', opsets: [], inputs: [], overridableInitializers: [], outputs: [] };
  let sawGraph = false;
  let producerVersion = '';
  try {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [no, wt] = r.tag();
      if (no === 1 && wt === WireType.Varint) io.irVersion = Number(r.int64());
      else if (no === 2 && wt === WireType.LengthDelimited) io.producer = r.string();
      else if (no === 3 && wt === WireType.LengthDelimited) producerVersion = r.string();
      else if (no === 8 && wt === WireType.LengthDelimited) io.opsets.push(readOpset(r.bytes()));
      else if (no === 7 && wt === WireType.LengthDelimited) {
        readGraph(r.bytes(), io);
        sawGraph = true;
      } else r.skip(wt, no);
    }
  } catch (err) {
    throw new LabError('INVALID_ARG', `not a valid ONNX model: ${errorMessage(err)}`, { cause: err });
  }
  if (!sawGraph || io.irVersion === 0) {
    throw new LabError('INVALID_ARG', 'not a valid ONNX model: no graph or IR version found');
  }
  if (producerVersion) io.producer = `${io.producer} ${producerVersion}`.trim();
  return io;
}

/** Reads the model through one handle opened without blocking: a FIFO or device named model.onnx is refused unread. */
export async function readOnnxModelIOFile(path: string): Promise<OnnxModelIO> {
  const bytes = await withRegularFile(path, path, async (handle, size) => {
    if (size > MAX_ONNX_BYTES) {
      throw new LabError('UNSUPPORTED', `'${path}' is ${(size / 2 ** 30).toFixed(1)} GiB; single-file ONNX models are limited to 2 GiB (use external data)`);
    }
    return readUpTo(handle, size);
  });
  return readOnnxModelIO(bytes);
}
