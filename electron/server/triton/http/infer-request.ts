/**
 * An HTTP inference request body read as Triton's HTTP frontend reads it
 * (http_server.cc EVBufferToInput / ParseJsonTriton*): the JSON header
 * (the whole body, or its first Inference-Header-Content-Length bytes),
 * then binary tensor data in input order; or, with a header length of 0,
 * a raw single-input request. Checks run in Triton's order and wording.
 */
import { LabError } from '../../../engine/errors';
import { logRequest } from '../../../engine/triton-errors';
import type { ApiDType } from '../../../engine/tensor/dtype';
import { type Tensor, allocate, bytesFromStrings, elementSize, isApiDType } from '../../../engine/tensor/tensor';
import type { SequenceFlags } from '../../../engine/runtime/types';
import { type CoreInferRequest, type RequestedOutput, sequenceFlagsOf } from '../core';
import { tensorFromRaw } from '../wire-tensor';
import { NON_FINITE_MARKERS, parseJsonBody } from './json-body';
import { sequenceIdOf } from './sequence-id';

export type OutputKind = 'json' | 'binary';

export interface HttpInferRequest {
  request: CoreInferRequest;
  /** How each requested output goes back; outputs not listed use `defaultKind`. */
  kinds: Map<string, OutputKind>;
  defaultKind: OutputKind;
}

export interface HttpLimits {
  /** Triton's --http-max-input-size: the JSON header, each JSON input and a raw input. */
  maxInputBytes: number;
}

const MAX_NESTING = 100;

// bigint: an integer of an array beyond 2^53, kept exact (json-body.ts exactIntegers).
type Json = null | boolean | number | bigint | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** TritonJson's accessor errors are INTERNAL; RETURN_MSG_IF_ERR prefixes them with what was being parsed. */
function jsonError(context: string, detail: string): LabError {
  return new LabError('INTERNAL', `${context}: ${detail}`);
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isUInt(v: Json | undefined): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function memberString(o: JsonObject, key: string, context: string): string {
  const v = o[key];
  if (v === undefined) throw jsonError(context, `attempt to access non-existing object member '${key}'`);
  if (typeof v !== 'string') throw jsonError(context, 'attempt to access JSON non-string as string');
  return v;
}

function memberArray(o: JsonObject, key: string, context: string): Json[] {
  const v = o[key];
  if (v === undefined) throw jsonError(context, `attempt to access non-existing object member '${key}'`);
  if (!Array.isArray(v)) throw jsonError(context, 'attempt to access JSON non-array as array');
  return v;
}

function asBool(v: Json | undefined, context: string): boolean {
  if (typeof v !== 'boolean') throw jsonError(context, 'attempt to access JSON non-boolean as boolean');
  return v;
}

function asUInt(v: Json | undefined, context: string): number {
  if (!isUInt(v)) throw jsonError(context, 'attempt to access JSON non-unsigned-integer as unsigned-integer');
  return v;
}

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** A shape dimension as Triton reads it: IndexAsUInt, then kept in an int64 (so beyond INT64_MAX it turns negative). */
function shapeDim(v: Json | undefined): bigint {
  const u = typeof v === 'bigint' ? v : isUInt(v) && Number.isSafeInteger(v) ? BigInt(v) : -1n;
  if (u < 0n || u > UINT64_MAX) throw jsonError("Unable to parse 'shape'", 'attempt to access JSON non-unsigned-integer as unsigned-integer');
  return BigInt.asIntN(64, u);
}

/** Triton's GetElementCount (common.cc), exact: the count, or why there is none. */
function elementCountOf(name: string, shape: readonly bigint[]): bigint {
  let count = 1n;
  for (const d of shape) {
    if (d < 0n) throw new LabError('INVALID_ARG', `invalid shape for input '${name}': shape ${shapeToString(shape)} contains one or more invalid dimensions`);
    if (d === 0n) return 0n;
  }
  for (const d of shape) {
    if (count > INT64_MAX / d) {
      throw new LabError('INVALID_ARG', `invalid shape for input '${name}': shape ${shapeToString(shape)} causes total element count to exceed maximum size of ${INT64_MAX}`);
    }
    count *= d;
  }
  return count;
}

/** Request-level parameters: Triton's reserved ones become request fields (the sequence flags into `seq`), others pass through. */
function readParameters(json: JsonObject, out: Record<string, string | number | boolean>, seq: Partial<SequenceFlags>, rawText: () => string): OutputKind {
  let kind: OutputKind = 'json';
  const params = json['parameters'];
  if (params === undefined) return kind;
  if (!isObject(params)) throw jsonError('failed to get request params.', 'attempt to get members for non-object');
  for (const [key, v] of Object.entries(params)) {
    switch (key) {
      case 'sequence_id':
        seq.id = sequenceIdOf(v, rawText);
        break;
      case 'sequence_start':
        seq.start = asBool(v, "Unable to parse 'sequence_start'");
        break;
      case 'sequence_end':
        seq.end = asBool(v, "Unable to parse 'sequence_end'");
        break;
      case 'priority':
      case 'timeout':
        out[key] = asUInt(v, `Unable to parse '${key}'`);
        break;
      case 'binary_data_output':
        kind = asBool(v, "Unable to parse 'binary_data_output'") ? 'binary' : 'json';
        break;
      default:
        if (key.startsWith('triton_')) {
          throw new LabError('INVALID_ARG', "parameter keys starting with 'triton_' are reserved for Triton usage and should not be specified.");
        }
        if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[key] = v;
        else throw new LabError('INVALID_ARG', `parameter '${key}' has invalid type. It should be either 'int', 'bool', or 'string'.`);
    }
  }
  return kind;
}

function contentTypeCheck(input: JsonObject): void {
  const params = isObject(input['parameters']) ? input['parameters'] : undefined;
  const hasData = input['data'] !== undefined;
  const hasBinary = params?.['binary_data_size'] !== undefined;
  const hasShm = params?.['shared_memory_region'] !== undefined;
  const count = Number(hasData) + Number(hasBinary) + Number(hasShm);
  if (count === 1) return;
  let msg = "Input must set only one of the following fields: 'data', 'binary_data_size' in 'parameters', 'shared_memory_region' in 'parameters'. But";
  if (count === 0) msg += ' no field is set';
  else msg += ` set${hasData ? " 'data'" : ''}${hasBinary ? " 'binary_data_size'" : ''}${hasShm ? " 'shared_memory_region'" : ''}`;
  throw new LabError('INVALID_ARG', msg);
}

function shapeToString(shape: readonly (number | bigint)[]): string {
  return `[${shape.join(',')}]`;
}

/** Flattens nested JSON data (row-major) as Triton's ReadDataFromJson does, checking the count against the shape. */
function flatten(data: Json[], expected: number): Json[] {
  const out: Json[] = [];
  const walk = (v: Json, depth: number): void => {
    if (depth >= MAX_NESTING) throw new LabError('INVALID_ARG', `Unable to parse 'data': JSON nesting depth exceeds maximum allowed limit (${MAX_NESTING})`);
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    if (out.length >= expected) throw new LabError('INTERNAL', "Unable to parse 'data': Shape does not match true shape of 'data' field");
    out.push(v);
  };
  walk(data, 0);
  return out;
}

/**
 * One data value as RapidJSON holds it and TritonJson hands it out: an int64 (IndexAsInt), a uint64
 * (IndexAsUInt) or a double. Integers beyond 2^53 arrive as bigints (json-body.ts exactIntegers); a
 * number that is not a safe integer was a double for RapidJSON too, which the integer accessors refuse.
 */
function numberOf(v: Json, kind: 'uint' | 'int' | 'double'): number | bigint {
  // NaN and Infinity arrive as marker strings from the lenient parse (json-body.ts).
  if (kind === 'double' && typeof v === 'string' && Object.hasOwn(NON_FINITE_MARKERS, v)) return NON_FINITE_MARKERS[v]!;
  const notUInt = "Unable to parse 'data': attempt to access JSON non-unsigned-integer as unsigned-integer";
  const notInt = "Unable to parse 'data': attempt to access JSON non-signed-integer as signed-integer";
  if (typeof v === 'bigint') {
    if (kind === 'uint' && v < 0n) throw new LabError('INTERNAL', notUInt);
    if (kind === 'int' && v > INT64_MAX) throw new LabError('INTERNAL', notInt);
    return kind === 'double' ? Number(v) : v;
  }
  if (typeof v !== 'number') {
    const what = kind === 'uint' ? 'non-unsigned-integer as unsigned-integer' : kind === 'int' ? 'non-signed-integer as signed-integer' : 'non-number as double';
    throw new LabError('INTERNAL', `Unable to parse 'data': attempt to access JSON ${what}`);
  }
  if (kind === 'uint' && !(Number.isSafeInteger(v) && v >= 0)) throw new LabError('INTERNAL', notUInt);
  if (kind === 'int' && !Number.isSafeInteger(v)) throw new LabError('INTERNAL', notInt);
  return v;
}

/** A value for a typed array of 32 bits or fewer: a bigint cut to its low 32 bits (the array's own conversion does the rest, as C's cast). */
const narrow = (v: number | bigint): number => (typeof v === 'bigint' ? Number(BigInt.asUintN(32, v)) : v);

/** JSON data into the dtype's typed array, with C's narrowing for out-of-range integers as Triton does. */
function tensorFromJson(name: string, dtype: ApiDType, shape: number[], data: Json[], count: number, maxBytes: number): Tensor {
  if (dtype === 'FP16' || dtype === 'BF16') {
    throw new LabError('INVALID_ARG', `receiving ${dtype} data via JSON is not supported. Please use the binary data format for input ${name}`);
  }
  if (dtype === 'BYTES') {
    const items = flatten(data, Number.MAX_SAFE_INTEGER);
    const strings = items.map((v) => {
      if (typeof v !== 'string') throw new LabError('INTERNAL', "Unable to parse 'data': attempt to access JSON non-string as string");
      return v;
    });
    const bytes = bytesFromStrings(strings);
    const size = bytes.reduce((n, b) => n + 4 + b.byteLength, 0);
    if (size > maxBytes) throw oversized(name, size, maxBytes);
    return { name, dtype, shape, data: bytes };
  }
  const items = flatten(data, count);
  if (items.length !== count) throw new LabError('INTERNAL', "Failed to parse 'data' field: shape does not match true shape");
  const out = allocate(dtype, count);
  if (dtype === 'BOOL') {
    const o = out as Uint8Array;
    items.forEach((v, i) => {
      if (typeof v !== 'boolean') throw new LabError('INTERNAL', "Unable to parse 'data': attempt to access JSON non-boolean as boolean");
      o[i] = v ? 1 : 0;
    });
  } else if (dtype === 'INT64' || dtype === 'UINT64') {
    const o = out as BigInt64Array | BigUint64Array;
    const kind = dtype === 'INT64' ? 'int' : 'uint';
    items.forEach((v, i) => {
      const x = numberOf(v, kind);
      o[i] = typeof x === 'bigint' ? x : BigInt(x);
    });
  } else {
    const o = out as Exclude<typeof out, Uint8Array[] | BigInt64Array | BigUint64Array>;
    const kind = dtype === 'FP32' || dtype === 'FP64' ? 'double' : dtype.startsWith('U') ? 'uint' : 'int';
    items.forEach((v, i) => (o[i] = narrow(numberOf(v, kind))));
  }
  return { name, dtype, shape, data: out };
}

/** The element count once its byte size is known to fit (Triton's overflow check, then --http-max-input-size), as a number. */
function checkedCount(name: string, dtype: ApiDType, count: bigint, maxBytes: number): number {
  // BYTES are sized by their strings, once read (tensorFromJson); elementCountOf kept the count within int64.
  if (dtype === 'BYTES') return Number(count);
  const typeSize = BigInt(elementSize(dtype));
  if (typeSize > 1n && count > INT64_MAX / typeSize) {
    throw new LabError('INVALID_ARG', `byte size overflow for input '${name}': element count (${count}) * data type size (${typeSize}) exceeds maximum allowed size (${INT64_MAX})`);
  }
  if (count * typeSize > BigInt(maxBytes)) throw oversized(name, count * typeSize, maxBytes);
  return Number(count);
}

function oversized(name: string, size: number | bigint, max: number): LabError {
  return new LabError('INVALID_ARG', `JSON input '${name}' has a byte_size (${size} bytes) that exceeds the maximum allowed value of ${max} bytes. Use --http-max-input-size to increase the limit.`);
}

/** A raw single-input request (Inference-Header-Content-Length: 0): the whole body is the one input. */
function rawRequest(body: Buffer, limits: HttpLimits): HttpInferRequest {
  if (body.byteLength > limits.maxInputBytes) {
    throw new LabError(
      'INVALID_ARG',
      `Raw input has a byte_size (${body.byteLength} bytes) that exceeds the maximum allowed value of ${limits.maxInputBytes} bytes. Use --http-max-input-size to increase the limit.`,
    );
  }
  return { request: { inputs: [], rawInput: body }, kinds: new Map(), defaultKind: 'binary' };
}

/** The request's inputs as they are read: the body, where its binary data goes on, the names seen. */
interface InputCursor {
  body: Buffer;
  /** The next unread byte of binary data (the JSON header's length at first). */
  offset: number;
  model: string;
  request: CoreInferRequest;
  /** Triton's request-id prefix for its errors. */
  prefix: string;
  seen: Set<string>;
  maxInputBytes: number;
}

/** One input, checked in Triton's order: binary data (the next bytes after the header) or JSON data; a shared-memory region is never found. */
function readInput(item: Json, cur: InputCursor): Tensor {
  const { model, request } = cur;
  if (!isObject(item)) throw jsonError("Unable to parse 'name'", "attempt to access non-existing object member 'name'");
  contentTypeCheck(item);
  const name = memberString(item, 'name', "Unable to parse 'name'");
  const datatype = memberString(item, 'datatype', "Unable to parse 'datatype'");
  const exactShape = memberArray(item, 'shape', "Unable to parse 'shape'").map(shapeDim);
  const shape = exactShape.map(Number);
  if (cur.seen.has(name)) throw new LabError('INVALID_ARG', `${cur.prefix}input '${name}' already exists in request`);
  cur.seen.add(name);
  const params = isObject(item['parameters']) ? item['parameters'] : undefined;
  if (params?.['binary_data_size'] !== undefined) {
    // Without Inference-Header-Content-Length the JSON is the whole body, so binary data is simply missing.
    const size = asUInt(params['binary_data_size'], "Unable to parse 'binary_data_size'");
    const available = cur.body.byteLength - cur.offset;
    if (size > available) throw new LabError('INVALID_ARG', `unexpected size for input '${name}', expecting ${size - available} additional bytes for model '${model}'`);
    const raw = cur.body.subarray(cur.offset, cur.offset + size);
    cur.offset += size;
    return tensorFromRaw(name, datatype, shape, raw, { model, ...(request.id !== undefined ? { requestId: request.id } : {}) });
  }
  if (params?.['shared_memory_region'] !== undefined) {
    const region = params['shared_memory_region'];
    if (typeof region !== 'string') throw jsonError("Unable to parse 'shared_memory_region'", 'attempt to access JSON non-string as string');
    // No region can be registered with the lab, so none is ever found.
    throw new LabError('NOT_FOUND', `Unable to find shared memory region: '${region}'`);
  }
  const exactCount = elementCountOf(name, exactShape);
  if (!isApiDType(datatype)) throw new LabError('INVALID_ARG', `invalid datatype for input ${name}`);
  if (exactCount === 0n) return { name, dtype: datatype, shape, data: allocate(datatype, 0) };
  const data = memberArray(item, 'data', "Unable to parse 'data'");
  return tensorFromJson(name, datatype, shape, data, checkedCount(name, datatype, exactCount, cur.maxInputBytes), cur.maxInputBytes);
}

/** The requested outputs (classification, binary_data; shared memory never found), and how each goes back. */
function readOutputs(json: JsonObject, prefix: string): { outputs: RequestedOutput[]; kinds: Map<string, OutputKind> } {
  const outputs: RequestedOutput[] = [];
  const kinds = new Map<string, OutputKind>();
  const names = new Set<string>();
  for (const item of memberArray(json, 'outputs', "Unable to parse 'outputs'")) {
    if (!isObject(item)) throw jsonError("Unable to parse 'name'", "attempt to access non-existing object member 'name'");
    const params = isObject(item['parameters']) ? item['parameters'] : undefined;
    if (params?.['shared_memory_region'] !== undefined && params['classification'] !== undefined) {
      throw new LabError('INVALID_ARG', "Output can't set both 'shared_memory_region' and 'classification'");
    }
    const name = memberString(item, 'name', "Unable to parse 'name'");
    if (names.has(name)) throw new LabError('INVALID_ARG', `${prefix}output '${name}' already exists in request`);
    names.add(name);
    const out: RequestedOutput = { name };
    if (params?.['classification'] !== undefined) out.classification = asUInt(params['classification'], "Unable to set 'classification'");
    if (params?.['shared_memory_region'] !== undefined) {
      const region = params['shared_memory_region'];
      throw new LabError('NOT_FOUND', `Unable to find shared memory region: '${typeof region === 'string' ? region : ''}'`);
    }
    const binary = params?.['binary_data'] !== undefined ? asBool(params['binary_data'], "Unable to parse 'binary_data'") : false;
    kinds.set(name, binary ? 'binary' : 'json');
    outputs.push(out);
  }
  return { outputs, kinds };
}

/**
 * Reads an inference request. `headerLength` is Inference-Header-Content-Length
 * (undefined: the whole body is JSON; 0: a raw single-input request).
 */
export function readInferRequest(body: Buffer, headerLength: number | undefined, model: string, limits: HttpLimits): HttpInferRequest {
  if (headerLength === 0) return rawRequest(body, limits);
  const jsonLength = headerLength ?? body.byteLength;
  const json = parseJsonBody(body, jsonLength, limits.maxInputBytes, { exactIntegers: true }) as Json;
  if (!isObject(json)) throw jsonError("Unable to parse 'inputs'", "attempt to access non-existing object member 'inputs'");

  const request: CoreInferRequest = { inputs: [] };
  if (json['id'] !== undefined) {
    if (typeof json['id'] !== 'string') throw jsonError("Unable to parse 'id'", 'attempt to access JSON non-string as string');
    request.id = json['id'];
  }
  const parameters: Record<string, string | number | boolean> = {};
  const seq: Partial<SequenceFlags> = {};
  const defaultKind = readParameters(json, parameters, seq, () => body.toString('utf8', 0, jsonLength));
  if (Object.keys(parameters).length > 0) request.parameters = parameters;
  const sequence = sequenceFlagsOf(seq);
  if (sequence) request.sequence = sequence;
  const prefix = logRequest(request.id);

  const cur: InputCursor = { body, offset: jsonLength, model, request, prefix, seen: new Set(), maxInputBytes: limits.maxInputBytes };
  for (const item of memberArray(json, 'inputs', "Unable to parse 'inputs'")) request.inputs.push(readInput(item, cur));
  if (cur.offset !== body.byteLength) throw new LabError('INVALID_ARG', `unexpected additional input data for model '${model}'`);

  if (json['outputs'] === undefined) return { request, kinds: new Map(), defaultKind };
  const { outputs, kinds } = readOutputs(json, prefix);
  request.outputs = outputs;
  return { request, kinds, defaultKind };
}

/** Reads Inference-Header-Content-Length as Triton does (std::stoi, then range-checked against the body). */
export function headerLengthOf(value: string | undefined, contentLength: number): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*([+-]?\d+)/.exec(value);
  if (!m) throw new LabError('INVALID_ARG', `Unable to parse Inference-Header-Content-Length, got: ${value}`);
  const v = Number(m[1]);
  if (v < -2147483648 || v > 2147483647) {
    throw new LabError('INVALID_ARG', `Unable to parse Inference-Header-Content-Length, value is out of range [ -2147483648, 2147483647 ], got: ${value}`);
  }
  if (v < 0 || v > contentLength) throw new LabError('INVALID_ARG', `inference header size should be in range (0, ${contentLength}), got: ${value}`);
  return v;
}
