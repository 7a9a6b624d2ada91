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
  /** The JSON part. */
  json: string;
  /** Binary output data, in output order, to follow the JSON. */
  binary: Uint8Array[];
}

/** A finite number as RapidJSON writes it; NaN and infinities as its kWriteNanAndInfFlag literals. */
function num(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

function jsonData(t: Tensor): string {
  const d = t.data;
  if (isBytesData(d)) {
    const dec = new TextDecoder();
    return `[${d.map((b) => JSON.stringify(dec.decode(b))).join(',')}]`;
  }
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
  for (const t of resp.outputs) {
    const head = `{"name":${JSON.stringify(t.name)},"datatype":"${t.dtype}","shape":[${t.shape.join(',')}]`;
    if ((kinds.get(t.name) ?? defaultKind) === 'binary') {
      const bytes = rawFromTensor(t);
      if (bytes.byteLength > 0) binary.push(bytes);
      outputs.push(`${head},"parameters":{"binary_data_size":${bytes.byteLength}}}`);
    } else {
      outputs.push(`${head},"data":${jsonData(t)}}`);
    }
  }
  const id = resp.id ? `"id":${JSON.stringify(resp.id)},` : '';
  const json = `{${id}"model_name":${JSON.stringify(resp.modelName)},"model_version":${JSON.stringify(resp.modelVersion)},${parametersJson(resp.parameters)}"outputs":[${outputs.join(',')}]}`;
  return { json, binary };
}
