/**
 * Reads an inference answer from a remote server into engine tensors: over HTTP the JSON header
 * (Inference-Header-Content-Length bytes) and then each binary output's bytes in order, or JSON
 * `data` for an output the server sent as JSON; over gRPC the raw_output_contents. The server is
 * not trusted: every output's bytes must match its shape and datatype, and the binary sizes must
 * add up to the body, or the answer is refused as not Triton's (REMOTE_PROTOCOL).
 */
import type { RemoteInferResult } from '../../engine/remote/types';
import type { Parameters } from '../../engine/runtime/types';
import { type ApiDType } from '../../engine/tensor/dtype';
import { type Tensor, allocate, deserializeBytes, elementCount, elementSize, isApiDType, viewAs } from '../../engine/tensor/tensor';
import { errorMessage } from '../../engine/errors';
import { protocolError } from './errors';

type Decoded = Omit<RemoteInferResult, 'sendNs' | 'recvNs'>;

interface OutputHead {
  name: string;
  datatype: ApiDType;
  shape: number[];
  size?: number;
  data?: unknown[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function shapeOf(url: string, name: string, v: unknown): number[] {
  if (!Array.isArray(v) || !v.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw protocolError(url, `output '${name}' has no valid shape`);
  return v as number[];
}

function outputHead(url: string, o: unknown): OutputHead {
  if (!isObject(o) || typeof o['name'] !== 'string') throw protocolError(url, 'an output of its inference answer has no name');
  const name = o['name'];
  const datatype = o['datatype'];
  if (typeof datatype !== 'string' || !isApiDType(datatype)) throw protocolError(url, `output '${name}' has an unknown datatype`);
  const size = isObject(o['parameters']) ? o['parameters']['binary_data_size'] : undefined;
  if (size !== undefined && !(Number.isSafeInteger(size) && (size as number) >= 0)) throw protocolError(url, `output '${name}' has an invalid binary_data_size`);
  return { name, datatype, shape: shapeOf(url, name, o['shape']), ...(size !== undefined ? { size: size as number } : {}), ...(Array.isArray(o['data']) ? { data: o['data'] as unknown[] } : {}) };
}

/** Raw bytes as a tensor, checked against the shape (views when aligned, as wire-tensor does). */
export function tensorFromWire(url: string, name: string, datatype: string, shape: number[], raw: Uint8Array): Tensor {
  if (!isApiDType(datatype)) throw protocolError(url, `output '${name}' has an unknown datatype`);
  const count = elementCount(shape);
  try {
    if (datatype === 'BYTES') return { name, dtype: datatype, shape, data: deserializeBytes(raw, count) };
    const want = count * elementSize(datatype);
    if (raw.byteLength !== want) throw new Error(`${raw.byteLength} bytes for ${count} elements of ${datatype}`);
    const aligned = raw.byteOffset % elementSize(datatype) === 0 ? raw : raw.slice();
    return { name, dtype: datatype, shape, data: viewAs(datatype, aligned) };
  } catch (err) {
    throw protocolError(url, `output '${name}' does not match its shape: ${errorMessage(err)}`);
  }
}

/** An output the server sent as JSON values. */
function tensorFromJson(url: string, h: OutputHead): Tensor {
  const values = h.data ?? [];
  const count = elementCount(h.shape);
  if (values.length !== count) throw protocolError(url, `output '${h.name}' has ${values.length} values for shape [${h.shape.join(',')}]`);
  if (h.datatype === 'BYTES') return { name: h.name, dtype: h.datatype, shape: h.shape, data: values.map((v) => new TextEncoder().encode(String(v))) };
  const data = allocate(h.datatype, count);
  const big = data instanceof BigInt64Array || data instanceof BigUint64Array;
  values.forEach((v, i) => {
    const n = v === true ? 1 : v === false ? 0 : Number(v);
    (data as unknown as (number | bigint)[])[i] = big ? BigInt(Math.trunc(n)) : n;
  });
  return { name: h.name, dtype: h.datatype, shape: h.shape, data };
}

function headerLengthOf(url: string, body: Buffer, header: string | string[] | undefined): number {
  if (header === undefined) return body.byteLength;
  const n = Number(Array.isArray(header) ? header[0] : header);
  if (!Number.isSafeInteger(n) || n < 0 || n > body.byteLength) throw protocolError(url, 'its Inference-Header-Content-Length does not fit the answer');
  return n;
}

export function decodeInferBody(url: string, body: Buffer, headerLength: string | string[] | undefined): Decoded {
  const jsonLength = headerLengthOf(url, body, headerLength);
  let head: unknown;
  try {
    head = JSON.parse(body.subarray(0, jsonLength).toString('utf8'));
  } catch {
    throw protocolError(url, 'its inference answer is not JSON');
  }
  if (!isObject(head) || !Array.isArray(head['outputs'])) throw protocolError(url, 'its inference answer has no outputs');
  let offset = jsonLength;
  const outputs = head['outputs'].map((o): Tensor => {
    const h = outputHead(url, o);
    if (h.size === undefined) return tensorFromJson(url, h);
    if (offset + h.size > body.byteLength) throw protocolError(url, `output '${h.name}' says ${h.size} bytes but the answer ends sooner`);
    const raw = new Uint8Array(body.buffer, body.byteOffset + offset, h.size);
    offset += h.size;
    return tensorFromWire(url, h.name, h.datatype, h.shape, raw);
  });
  if (offset !== body.byteLength) throw protocolError(url, `its inference answer has ${body.byteLength - offset} bytes after the last output`);
  const params = isObject(head['parameters']) ? (head['parameters'] as Parameters) : undefined;
  return { modelVersion: typeof head['model_version'] === 'string' ? head['model_version'] : '', outputs, ...(params ? { parameters: params } : {}) };
}
