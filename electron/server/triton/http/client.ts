/**
 * A small typed client for Triton's HTTP protocol, written from the protocol
 * docs: what our tests and benchmarks use to talk to `model-lab serve` (and
 * would equally talk to a real Triton). Binary tensor data by default, as
 * tritonclient.http does.
 */
import http from 'node:http';
import type { ApiDType } from '../../../engine/tensor/dtype';
import { type Tensor, deserializeBytes, isBytesData, stringsFromBytes, tensorBytes, viewAs } from '../../../engine/tensor/tensor';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface InferOptions {
  version?: string;
  id?: string;
  /** Send inputs as binary data (default) or as JSON. */
  binaryInputs?: boolean;
  /** Outputs to ask for; absent means all. */
  outputs?: { name: string; binary?: boolean; classification?: number }[];
  /** Request-level binary_data_output, used when `outputs` is absent. */
  binaryOutput?: boolean;
  parameters?: Record<string, string | number | boolean>;
}

export interface InferReply {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: Tensor[];
}

interface OutputJson {
  name: string;
  datatype: ApiDType;
  shape: number[];
  data?: unknown[];
  parameters?: { binary_data_size?: number };
}

/** Tensor data as plain JSON values (row-major, flat). */
function jsonData(t: Tensor): unknown[] {
  if (isBytesData(t.data)) return stringsFromBytes(t.data);
  if (t.dtype === 'BOOL') return Array.from(t.data as Uint8Array, (v) => v !== 0);
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v));
}

/** A tensor from JSON values of the given dtype. */
function fromJsonData(o: OutputJson): Tensor {
  const values = o.data ?? [];
  if (o.datatype === 'BYTES') return { name: o.name, dtype: o.datatype, shape: o.shape, data: values.map((v) => new TextEncoder().encode(String(v))) };
  const bytes = new Uint8Array(0);
  const probe = viewAs(o.datatype, bytes);
  const Ctor = probe.constructor as new (n: number) => typeof probe;
  const arr = new Ctor(values.length);
  values.forEach((v, i) => {
    (arr as unknown as (number | bigint)[])[i] = arr instanceof BigInt64Array || arr instanceof BigUint64Array ? BigInt(v as number) : v === true ? 1 : v === false ? 0 : (v as number);
  });
  return { name: o.name, dtype: o.datatype, shape: o.shape, data: arr };
}

export class TritonHttpClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(url: string, opts: { maxSockets?: number } = {}) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  }

  close(): void {
    this.agent.destroy();
  }

  request(method: string, path: string, body?: Buffer | string, headers: Record<string, string | number> = {}): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.host, port: this.port, method, path, agent: this.agent, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : { 'Content-Type': 'application/json' });
    if (r.status !== 200) throw new HttpError(r.status, (JSON.parse(r.body.toString() || '{}') as { error?: string }).error ?? `HTTP ${r.status}`);
    return (r.body.byteLength ? JSON.parse(r.body.toString()) : undefined) as T;
  }

  async live(): Promise<boolean> {
    return (await this.request('GET', '/v2/health/live')).status === 200;
  }

  async ready(): Promise<boolean> {
    return (await this.request('GET', '/v2/health/ready')).status === 200;
  }

  serverMetadata(): Promise<{ name: string; version: string; extensions: string[] }> {
    return this.json('GET', '/v2');
  }

  private modelPath(model: string, version?: string): string {
    return `/v2/models/${encodeURIComponent(model)}${version ? `/versions/${version}` : ''}`;
  }

  async modelReady(model: string, version?: string): Promise<boolean> {
    return (await this.request('GET', `${this.modelPath(model, version)}/ready`)).status === 200;
  }

  modelMetadata(
    model: string,
    version?: string,
  ): Promise<{ name: string; versions: string[]; platform: string; inputs: { name: string; datatype: string; shape: number[] }[]; outputs: { name: string; datatype: string; shape: number[] }[] }> {
    return this.json('GET', this.modelPath(model, version));
  }

  modelConfig(model: string, version?: string): Promise<Record<string, unknown>> {
    return this.json('GET', `${this.modelPath(model, version)}/config`);
  }

  statistics(model?: string, version?: string): Promise<{ model_stats: Record<string, unknown>[] }> {
    return this.json('GET', model ? `${this.modelPath(model, version)}/stats` : '/v2/models/stats');
  }

  repositoryIndex(ready = false): Promise<{ name: string; version?: string; state?: string; reason?: string }[]> {
    return this.json('POST', '/v2/repository/index', { ready });
  }

  load(model: string, parameters?: Record<string, string>): Promise<void> {
    return this.json('POST', `/v2/repository/models/${encodeURIComponent(model)}/load`, parameters ? { parameters } : undefined);
  }

  unload(model: string, unloadDependents = false): Promise<void> {
    return this.json('POST', `/v2/repository/models/${encodeURIComponent(model)}/unload`, { parameters: { unload_dependents: unloadDependents } });
  }

  /** Builds the request body and headers for an inference (exposed for byte-level tests). */
  static encodeInfer(inputs: Tensor[], opts: InferOptions = {}): { body: Buffer; headers: Record<string, string | number> } {
    const binary = opts.binaryInputs ?? true;
    const parts: Uint8Array[] = [];
    const params: Record<string, string | number | boolean> = { ...(opts.parameters ?? {}) };
    // Like tritonclient.http: without a list of outputs, ask for all of them as binary data.
    if (!opts.outputs) params['binary_data_output'] = opts.binaryOutput ?? true;
    const header = {
      ...(opts.id !== undefined ? { id: opts.id } : {}),
      ...(Object.keys(params).length ? { parameters: params } : {}),
      inputs: inputs.map((t) => {
        const base = { name: t.name, shape: t.shape, datatype: t.dtype };
        if (!binary) return { ...base, data: jsonData(t) };
        const bytes = tensorBytes(t);
        parts.push(bytes);
        return { ...base, parameters: { binary_data_size: bytes.byteLength } };
      }),
      ...(opts.outputs
        ? {
            outputs: opts.outputs.map((o) => ({
              name: o.name,
              parameters: { binary_data: o.binary ?? true, ...(o.classification !== undefined ? { classification: o.classification } : {}) },
            })),
          }
        : {}),
    };
    const json = Buffer.from(JSON.stringify(header));
    if (!binary) return { body: json, headers: { 'Content-Type': 'application/json' } };
    return { body: Buffer.concat([json, ...parts]), headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': json.byteLength } };
  }

  /** Reads an inference response (JSON, or JSON + binary data). */
  static decodeInfer(r: HttpResult): InferReply {
    if (r.status !== 200) throw new HttpError(r.status, (JSON.parse(r.body.toString() || '{}') as { error?: string }).error ?? `HTTP ${r.status}`);
    const headerLength = r.headers['inference-header-content-length'];
    const jsonLength = headerLength === undefined ? r.body.byteLength : Number(headerLength);
    const head = JSON.parse(r.body.subarray(0, jsonLength).toString()) as { model_name: string; model_version: string; id?: string; outputs: OutputJson[] };
    let offset = jsonLength;
    const outputs = head.outputs.map((o): Tensor => {
      const size = o.parameters?.binary_data_size;
      if (size === undefined) return fromJsonData(o);
      const raw = new Uint8Array(r.body.subarray(offset, offset + size));
      offset += size;
      if (o.datatype === 'BYTES') return { name: o.name, dtype: o.datatype, shape: o.shape, data: deserializeBytes(raw) };
      return { name: o.name, dtype: o.datatype, shape: o.shape, data: viewAs(o.datatype, raw) };
    });
    return { model_name: head.model_name, model_version: head.model_version, ...(head.id !== undefined ? { id: head.id } : {}), outputs };
  }

  async infer(model: string, inputs: Tensor[], opts: InferOptions = {}): Promise<InferReply> {
    const { body, headers } = TritonHttpClient.encodeInfer(inputs, opts);
    return TritonHttpClient.decodeInfer(await this.request('POST', `${this.modelPath(model, opts.version)}/infer`, body, headers));
  }
}
