/**
 * Where an initializer's values live, worked out while parsing and without
 * copying them: a byte range of the model file (raw_data), a range of an
 * external data file, the whole TensorProto's range (typed fields found by the
 * wire scanner, decoded when viewed), or the decoded message itself (typed
 * fields found by the in-memory parser; small by nature).
 */
import { create } from '@bufbuild/protobuf';
import { type TensorProto, TensorProtoSchema } from 'onnx-buf';
import type { GraphInitializer } from '../../contract/inspect-api';
import { LabError } from '../errors';
import { elementsOf, onnxDTypeName, onnxElementBits } from './onnx-types';

/** Which bytes a view of a buffer stands for in the file: `buf[0]` is at `fileOffset`. */
export interface FileBase {
  buf: Uint8Array;
  fileOffset: number;
}

export type TensorSource =
  | { kind: 'raw'; offset: number; length: number }
  | { kind: 'external'; location: string; offset: number; length?: number }
  | { kind: 'message'; offset: number; length: number }
  | { kind: 'inline'; proto: TensorProto }
  | { kind: 'empty' };

/** What the viewer needs to turn a source into a tensor. */
export interface TensorLocator {
  name: string;
  dataType: number;
  dims: number[];
  source: TensorSource;
}

const DATA_LOCATION_EXTERNAL = 1;

/** A TensorProto without its data (names, dims, type, external data keys). */
export type TensorMeta = Pick<TensorProto, 'name' | 'dims' | 'dataType' | 'dataLocation' | 'externalData'>;

function externalSource(t: TensorMeta): TensorSource | undefined {
  if (t.dataLocation !== DATA_LOCATION_EXTERNAL) return undefined;
  const kv = new Map(t.externalData.map((e) => [e.key, e.value]));
  const location = kv.get('location') ?? '';
  if (!location) throw new LabError('INVALID_ARG', `initializer '${t.name}' is marked as external data but names no 'location' file`);
  const num = (key: string): number | undefined => {
    const v = kv.get(key);
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new LabError('INVALID_ARG', `initializer '${t.name}' has an invalid external data ${key} '${v}'`);
    return n;
  };
  const length = num('length');
  return { kind: 'external', location, offset: num('offset') ?? 0, ...(length !== undefined ? { length } : {}) };
}

/** Bytes the values take as stored, from element count and type when the data is not a plain byte range. */
function typedBytes(dataType: number, elements: number, stringBytes: number): number {
  if (dataType === 8) return stringBytes;
  return Math.ceil((elements * onnxElementBits(dataType)) / 8);
}

export function initializerEntry(t: TensorMeta, source: TensorSource, stringBytes = 0): GraphInitializer {
  const dims = t.dims.map(Number);
  const elements = elementsOf(dims);
  const entry: GraphInitializer = { name: t.name, dtype: onnxDTypeName(t.dataType), dims, bytes: 0, elements };
  if (source.kind === 'raw') entry.bytes = source.length;
  else if (source.kind === 'external') {
    entry.bytes = source.length ?? typedBytes(t.dataType, elements, 0);
    entry.external = { location: source.location, offset: source.offset, length: entry.bytes };
  } else if (source.kind !== 'empty') entry.bytes = typedBytes(t.dataType, elements, stringBytes);
  return entry;
}

/** Copies what a decoded TensorProto holds apart from raw_data, so nothing keeps the file's buffer alive. */
function detached(t: TensorProto): TensorProto {
  return create(TensorProtoSchema, {
    name: t.name,
    dims: [...t.dims],
    dataType: t.dataType,
    floatData: t.floatData,
    int32Data: t.int32Data,
    int64Data: t.int64Data,
    doubleData: t.doubleData,
    uint64Data: t.uint64Data,
    stringData: t.stringData.map((s) => s.slice()),
  });
}

function hasTypedData(t: TensorProto): boolean {
  return t.floatData.length + t.int32Data.length + t.int64Data.length + t.doubleData.length + t.uint64Data.length + t.stringData.length > 0;
}

/**
 * Locates the data of a fully decoded TensorProto. Its raw_data is a view of
 * `base.buf` (protobuf-es reads bytes fields as subarrays), which gives the
 * file offset; a copy would mean the parser changed and is refused loudly.
 */
export function sourceOfDecoded(t: TensorProto, base: FileBase): { source: TensorSource; stringBytes: number } {
  const ext = externalSource(t);
  if (ext) return { source: ext, stringBytes: 0 };
  if (t.rawData.byteLength > 0) {
    if (t.rawData.buffer !== base.buf.buffer) throw new LabError('INTERNAL', `cannot locate the data of '${t.name}' in the model file`);
    const offset = base.fileOffset + (t.rawData.byteOffset - base.buf.byteOffset);
    return { source: { kind: 'raw', offset, length: t.rawData.byteLength }, stringBytes: 0 };
  }
  if (hasTypedData(t)) {
    const stringBytes = t.stringData.reduce((n, s) => n + s.byteLength, 0);
    return { source: { kind: 'inline', proto: detached(t) }, stringBytes };
  }
  return { source: { kind: 'empty' }, stringBytes: 0 };
}

/** Locates the data of a TensorProto the wire scanner walked: raw_data by range, typed fields by the message's range. */
export function sourceOfScanned(t: TensorMeta, found: { raw?: { offset: number; length: number }; typed: boolean; span: { offset: number; length: number } }): TensorSource {
  const ext = externalSource(t);
  if (ext) return ext;
  if (found.raw && found.raw.length > 0) return { kind: 'raw', ...found.raw };
  if (found.typed) return { kind: 'message', ...found.span };
  return { kind: 'empty' };
}
