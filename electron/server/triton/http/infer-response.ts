/**
 * An inference response as Triton's HTTP frontend writes it
 * (InferRequestClass::FinalizeResponse): a JSON header with id (when set),
 * model_name, model_version, the response parameters (when the model set any)
 * and outputs; each output's data inline as JSON
 * or, for binary outputs, a binary_data_size parameter with the bytes
 * appended after the JSON in output order.
 */
import { LabError } from '../../../engine/errors';
import { type Tensor, elementCount, isBytesData } from '../../../engine/tensor/tensor';
import type { CoreInferResponse } from '../core';
import { rawFromTensor } from '../wire-tensor';
import type { OutputKind } from './infer-request';

export interface EncodedResponse {
  /** The JSON part: bytes where a BYTES output holds bytes that are not UTF-8 (written as they are, as Triton does). */
  json: string | Buffer;
  /** Binary output data, in output order, to follow the JSON. */
  binary: Uint8Array[];
}

/** A finite number as RapidJSON writes it; NaN and infinities as its kWriteNanAndInfFlag literals. */
function num(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** An element as RapidJSON's Writer quotes it without validating: its bytes, with '"', '\\' and control characters escaped. */
function rawJsonString(b: Uint8Array): Buffer {
  const out: number[] = [0x22];
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) out.push(0x5c, c);
    else if (c >= 0x20) out.push(c);
    else {
      const named = ({ 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0c: 'f', 0x0d: 'r' } as Record<number, string>)[c];
      for (const ch of named ? `\\${named}` : `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`) out.push(ch.charCodeAt(0));
    }
  }
  out.push(0x22);
  return Buffer.from(out);
}

/** A BYTES element: JSON text when it is UTF-8; otherwise a NUL in the text (JSON.stringify never leaves one) for `raws` to fill. */
function bytesElement(b: Uint8Array, raws: Buffer[]): string {
  try {
    return JSON.stringify(strictUtf8.decode(b));
  } catch {
    raws.push(rawJsonString(b));
    return '\u0000';
  }
}

function jsonData(t: Tensor, raws: Buffer[]): string {
  const d = t.data;
  if (isBytesData(d)) return `[${d.map((b) => bytesElement(b, raws)).join(',')}]`;
  if (t.dtype === 'FP16' || t.dtype === 'BF16') {
    throw new LabError('INVALID_ARG', `sending ${t.dtype} data via JSON is not supported. Please use the binary data format for output`);
  }
  if (d.length !== elementCount(t.shape)) {
    throw new LabError('INTERNAL', `Failed to write 'data' field: output tensor shape does not match size of output for '${t.name}'`);
  }
  if (t.dtype === 'BOOL') return `[${Array.from(d as Uint8Array, (v) => (v === 0 ? 'false' : 'true')).join(',')}]`;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return `[${Array.from(d, String).join(',')}]`;
  if (d instanceof Float32Array || d instanceof Float64Array) return `[${Array.from(d, num).join(',')}]`;
  return `[${(d as Exclude<typeof d, BigInt64Array | BigUint64Array>).join(',')}]`;
}

/** The response parameters the model set, as Triton writes them before the outputs (none: nothing). */
function parametersJson(parameters: CoreInferResponse['parameters']): string {
  if (!parameters) return '';
  const entries = Object.entries(parameters).map(([k, v]) => `${JSON.stringify(k)}:${typeof v === 'number' ? num(v) : JSON.stringify(v)}`);
  return entries.length > 0 ? `"parameters":{${entries.join(',')}},` : '';
}

export function encodeInferResponse(resp: CoreInferResponse, kinds: Map<string, OutputKind>, defaultKind: OutputKind): EncodedResponse {
  const binary: Uint8Array[] = [];
  const outputs: string[] = [];
  const raws: Buffer[] = [];
  for (const t of resp.outputs) {
    const head = `{"name":${JSON.stringify(t.name)},"datatype":"${t.dtype}","shape":[${t.shape.join(',')}]`;
    if ((kinds.get(t.name) ?? defaultKind) === 'binary') {
      const bytes = rawFromTensor(t);
      if (bytes.byteLength > 0) binary.push(bytes);
      outputs.push(`${head},"parameters":{"binary_data_size":${bytes.byteLength}}}`);
    } else {
      outputs.push(`${head},"data":${jsonData(t, raws)}}`);
    }
  }
  const id = resp.id ? `"id":${JSON.stringify(resp.id)},` : '';
  const json = `{${id}"model_name":${JSON.stringify(resp.modelName)},"model_version":${JSON.stringify(resp.modelVersion)},${parametersJson(resp.parameters)}"outputs":[${outputs.join(',')}]}`;
  if (raws.length === 0) return { json, binary };
  const parts = json.split('\u0000');
  return { json: Buffer.concat(parts.flatMap((p, i) => (i < raws.length ? [Buffer.from(p), raws[i]!] : [Buffer.from(p)]))), binary };
}
