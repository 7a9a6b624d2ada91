/**
 * The large-file path: walks ModelProto → graph (7) → node (1), initializer
 * (5), input (11), output (12), value_info (13) on the wire, through a file
 * window. Nodes and value infos are small and decoded with onnx-buf; an
 * initializer's raw_data (9) and typed data fields are stepped over and only
 * their position is kept, so a model of up to 2 GB parses in little memory.
 * A large node's If/Loop/Scan bodies (attribute fields g (6) and graphs (11))
 * are walked the same way, so weights that live inside bodies are not copied.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import {
  type AttributeProto,
  AttributeProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  ValueInfoProtoSchema,
} from 'onnx-buf';
import { LabError } from '../errors';
import { type FileWindow, truncated } from './file-window';
import { type TensorSource, sourceOfDecoded, sourceOfScanned } from './initializers';
import type { GraphScope, Located } from './graph-scope';
import { checkNesting } from './nesting';
import type { SummaryBuilder } from './summary-builder';

interface Field {
  no: number;
  wt: WireType;
  /** Position of the tag. */
  start: number;
  /** Position of the value (after the length, for length-delimited fields). */
  valueStart: number;
  end: number;
  varint?: bigint;
}

/** TensorProto fields that hold values: float_data, int32_data, string_data, int64_data, double_data, uint64_data. */
const TYPED_FIELDS = new Set([4, 5, 6, 7, 10, 11]);
const RAW_DATA = 9;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_TENSOR = 5;
const ATTRIBUTE_GRAPH = 6;
const ATTRIBUTE_GRAPHS = 11;
/** AttributeProto.AttributeType values for GRAPH and GRAPHS. */
const ATTRIBUTE_TYPE_GRAPH = 5;
const ATTRIBUTE_TYPE_GRAPHS = 10;
/** Nodes bigger than this are walked field by field rather than decoded whole. */
export const LARGE_NODE_BYTES = 4 * 2 ** 20;
const SMALL_TENSOR_BYTES = 4096;
const utf8 = new TextDecoder('utf-8', { fatal: false });

async function nextField(w: FileWindow, pos: number, end: number): Promise<Field> {
  const head = await w.bytes(pos, Math.min(20, end - pos));
  const r = new BinaryReader(head);
  const [no, wt] = r.tag();
  const field: Field = { no, wt, start: pos, valueStart: 0, end: 0 };
  switch (wt) {
    case WireType.Varint:
      field.varint = BigInt(r.int64());
      field.valueStart = pos + r.pos;
      field.end = field.valueStart;
      break;
    case WireType.LengthDelimited: {
      const len = r.uint32();
      field.valueStart = pos + r.pos;
      field.end = field.valueStart + len;
      break;
    }
    case WireType.Bit64:
      field.valueStart = pos + r.pos;
      field.end = field.valueStart + 8;
      break;
    case WireType.Bit32:
      field.valueStart = pos + r.pos;
      field.end = field.valueStart + 4;
      break;
    default:
      throw new LabError('INVALID_ARG', `unexpected protobuf group at byte ${pos}: the model file is damaged`);
  }
  if (field.end > end) throw truncated(pos, field.end, end, 'its enclosing message');
  return field;
}

async function value(w: FileWindow, f: Field): Promise<Uint8Array> {
  return w.bytes(f.valueStart, f.end - f.valueStart);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

interface ScannedTensor {
  meta: TensorProto;
  source: TensorSource;
  stringBytes: number;
}

/** A TensorProto walked field by field: its data is located, not read. */
async function scanTensor(w: FileWindow, start: number, end: number): Promise<ScannedTensor> {
  const parts: Uint8Array[] = [];
  let raw: { offset: number; length: number } | undefined;
  let typed = false;
  let stringBytes = 0;
  for (let pos = start; pos < end;) {
    const f = await nextField(w, pos, end);
    if (f.no === RAW_DATA && f.wt === WireType.LengthDelimited) raw = { offset: f.valueStart, length: f.end - f.valueStart };
    else if (TYPED_FIELDS.has(f.no)) {
      typed = true;
      if (f.no === 6) stringBytes += f.end - f.valueStart;
    } else parts.push((await w.bytes(f.start, f.end - f.start)).slice());
    pos = f.end;
  }
  // The remaining fields decode as a TensorProto without its data: name, dims, type, external data keys.
  const meta = fromBinary(TensorProtoSchema, concat(parts));
  return { meta, source: sourceOfScanned(meta, { ...(raw ? { raw } : {}), typed, span: { offset: start, length: end - start } }), stringBytes };
}

/** An attribute of a large node: tensors located (not read), bodies walked as graphs, the rest copied and decoded. */
async function scanAttribute(w: FileWindow, f: Field, scope: GraphScope, largeNodeBytes: number, node: { located: Located; scanned: Map<AttributeProto, GraphScope[]> }): Promise<AttributeProto> {
  const attrParts: Uint8Array[] = [];
  let tensor: ScannedTensor | undefined;
  const bodies: GraphScope[] = [];
  let graphsField = 0;
  for (let at = f.valueStart; at < f.end;) {
    const g = await nextField(w, at, f.end);
    at = g.end;
    if (g.wt === WireType.LengthDelimited && (g.no === ATTRIBUTE_GRAPH || g.no === ATTRIBUTE_GRAPHS)) {
      // A body (If branch, Loop or Scan body): walked like the main graph, so its weights are located, not copied.
      graphsField = g.no;
      const body = scope.child();
      await scanGraph(w, g.valueStart, g.end, body, largeNodeBytes);
      bodies.push(body);
    } else if (g.no === ATTRIBUTE_TENSOR && g.wt === WireType.LengthDelimited) {
      if (g.end - g.valueStart > SMALL_TENSOR_BYTES) tensor = await scanTensor(w, g.valueStart, g.end);
      else {
        // Small enough to decode whole, so its values show inline as they do on the in-memory path.
        const bytes = await value(w, g);
        const meta = fromBinary(TensorProtoSchema, bytes);
        tensor = { meta, ...sourceOfDecoded(meta, { buf: bytes, fileOffset: g.valueStart }) };
      }
    } else attrParts.push((await w.bytes(g.start, g.end - g.start)).slice());
  }
  const attribute = fromBinary(AttributeProtoSchema, concat(attrParts));
  if (tensor) {
    attribute.t = tensor.meta;
    node.located.set(tensor.meta, tensor);
  }
  if (graphsField) {
    // Old exporters leave the type unset; the field that held the bodies says which it is.
    attribute.type ||= graphsField === ATTRIBUTE_GRAPH ? ATTRIBUTE_TYPE_GRAPH : ATTRIBUTE_TYPE_GRAPHS;
    node.scanned.set(attribute, bodies);
  }
  return attribute;
}

/**
 * A node too big to decode in one piece (a Constant holding large weights, an
 * If or Loop whose bodies hold them): its attributes' tensors are walked like
 * initializers and its bodies like graphs; everything else is copied and decoded.
 */
async function scanLargeNode(w: FileWindow, start: number, end: number, scope: GraphScope, largeNodeBytes: number): Promise<void> {
  const parts: Uint8Array[] = [];
  const found = { located: new Map() as Located, scanned: new Map<AttributeProto, GraphScope[]>() };
  const attributes: AttributeProto[] = [];
  for (let pos = start; pos < end;) {
    const f = await nextField(w, pos, end);
    pos = f.end;
    if (f.no !== NODE_ATTRIBUTE || f.wt !== WireType.LengthDelimited) parts.push((await w.bytes(f.start, f.end - f.start)).slice());
    else attributes.push(await scanAttribute(w, f, scope, largeNodeBytes, found));
  }
  const node = fromBinary(NodeProtoSchema, concat(parts));
  node.attribute = attributes;
  const none = new Uint8Array(0);
  scope.addNode(node, { buf: none, fileOffset: start }, found.located, found.scanned);
}

/** A small node, bodies included; when decoding fails, says so if the bodies nest too deep (see decodeModel in onnx-summary). */
function decodeNode(bytes: Uint8Array, depth: number): NodeProto {
  try {
    return fromBinary(NodeProtoSchema, bytes);
  } catch (err) {
    checkNesting(bytes, 'node', depth);
    throw err;
  }
}

/** A graph (the main one or a body) into `scope`. */
async function scanGraph(w: FileWindow, start: number, end: number, scope: GraphScope, largeNodeBytes: number): Promise<void> {
  for (let pos = start; pos < end;) {
    const f = await nextField(w, pos, end);
    pos = f.end;
    if (f.wt !== WireType.LengthDelimited) continue;
    switch (f.no) {
      case 1: {
        if (f.end - f.valueStart > largeNodeBytes) {
          await scanLargeNode(w, f.valueStart, f.end, scope, largeNodeBytes);
          break;
        }
        const bytes = await value(w, f);
        scope.addNode(decodeNode(bytes, scope.depth), { buf: bytes, fileOffset: f.valueStart });
        break;
      }
      case 2:
        scope.name = utf8.decode(await value(w, f));
        break;
      case 5: {
        const t = await scanTensor(w, f.valueStart, f.end);
        scope.addInitializer(t.meta, t.source, t.stringBytes);
        break;
      }
      case 11:
        scope.inputs.push(fromBinary(ValueInfoProtoSchema, await value(w, f)));
        break;
      case 12:
        scope.outputs.push(fromBinary(ValueInfoProtoSchema, await value(w, f)));
        break;
      case 13:
        scope.addValueInfo(fromBinary(ValueInfoProtoSchema, await value(w, f)));
        break;
    }
  }
}

/** Walks the whole model; the builder receives parts in file order. */
export async function scanModel(w: FileWindow, b: SummaryBuilder, largeNodeBytes = LARGE_NODE_BYTES): Promise<void> {
  for (let pos = 0; pos < w.size;) {
    const f = await nextField(w, pos, w.size);
    pos = f.end;
    if (f.wt === WireType.Varint) {
      if (f.no === 1) b.irVersion = Number(f.varint);
      else if (f.no === 5) b.modelVersion = Number(f.varint);
      continue;
    }
    if (f.wt !== WireType.LengthDelimited) continue;
    switch (f.no) {
      case 2:
        b.producer = utf8.decode(await value(w, f));
        break;
      case 3:
        b.producerVersion = utf8.decode(await value(w, f));
        break;
      case 4:
        b.domain = utf8.decode(await value(w, f));
        break;
      case 6:
        b.doc = utf8.decode(await value(w, f));
        break;
      case 7:
        b.sawGraph = true;
        await scanGraph(w, f.valueStart, f.end, b.main, largeNodeBytes);
        break;
      case 8:
        b.addOpset(fromBinary(OperatorSetIdProtoSchema, await value(w, f)));
        break;
      case 14:
        b.addMetadata(fromBinary(StringStringEntryProtoSchema, await value(w, f)));
        break;
    }
  }
}
