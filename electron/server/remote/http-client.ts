/**
 * A TritonConnection over Triton's HTTP/REST protocol (KServe v2 plus Triton's extensions), written
 * from the server's docs/protocol/*.md: JSON endpoints for metadata, index, config and statistics,
 * model control, and inference with the binary tensor data extension both ways, as tritonclient.http
 * sends it (a JSON header of Inference-Header-Content-Length bytes, then the tensors' raw bytes; every
 * output asked for as binary data). Each answer is bounded before it is read and checked for shape.
 */
import http from 'node:http';
import type { RemoteIndexEntry, RemoteInferRequest, RemoteInferResult, RemoteStatistics, TritonConnectOptions, TritonConnection } from '../../engine/remote/types';
import type { RemoteModelMetadata } from '../../contract/remote-api';
import type { Parameters } from '../../engine/runtime/types';
import { tensorBytes } from '../../engine/tensor/tensor';
import { codeOfHttpStatus, protocolError, remoteError } from './errors';
import { type ExchangeRequest, type HttpExchange, type HttpTarget, LIMITS, exchange, makeAgent } from './http-transport';
import { decodeInferBody } from './infer-body';
import { indexOf, modelMetadataOf, parseJsonBody, serverMetadataOf, statisticsOf } from './shapes';

function modelPath(model: string, version?: string): string {
  return `/v2/models/${encodeURIComponent(model)}${version ? `/versions/${encodeURIComponent(version)}` : ''}`;
}

/** The JSON header and binary body of an inference request, as tritonclient.http builds them (its key order too: id, inputs, outputs, parameters). */
export function encodeInferBody(req: RemoteInferRequest): { body: Buffer; headerLength: number } {
  const parts: Uint8Array[] = [];
  const params: Parameters = { ...(req.parameters ?? {}) };
  if (!req.outputs) params['binary_data_output'] = true;
  const header = {
    ...(req.id !== undefined && req.id !== '' ? { id: req.id } : {}),
    inputs: req.inputs.map((t) => {
      const bytes = tensorBytes(t);
      parts.push(bytes);
      return { name: t.name, shape: t.shape, datatype: t.dtype, parameters: { binary_data_size: bytes.byteLength } };
    }),
    ...(req.outputs ? { outputs: req.outputs.map((name) => ({ name, parameters: { binary_data: true } })) } : {}),
    ...(Object.keys(params).length ? { parameters: params } : {}),
  };
  const json = Buffer.from(JSON.stringify(header));
  return { body: Buffer.concat([json, ...parts]), headerLength: json.byteLength };
}

export class HttpTritonConnection implements TritonConnection {
  readonly protocol = 'http' as const;
  private readonly agent: http.Agent;

  constructor(
    private readonly target: HttpTarget,
    private readonly opts: Omit<TritonConnectOptions, 'url'>,
  ) {
    this.agent = makeAgent(target, opts);
  }

  private send(method: 'GET' | 'POST', path: string, body?: unknown, limit: number = LIMITS.json, signal?: AbortSignal): Promise<HttpExchange> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return exchange(this.target, this.agent, this.opts, { method, path, body: data, limit, signal, ...(data ? { headers: { 'Content-Type': 'application/json' } } : {}) });
  }

  /** An error status: the server's `{"error": "..."}` as it came, or "not Triton" when it has none. */
  private failure(r: HttpExchange): Error {
    let json: unknown;
    try {
      json = JSON.parse(r.body.toString('utf8'));
    } catch {
      json = undefined;
    }
    const message = (json as { error?: unknown } | undefined)?.error;
    if (typeof message === 'string') return remoteError(codeOfHttpStatus(r.status), undefined, message);
    if (r.status === 401 || r.status === 403) {
      return remoteError('INVALID_ARG', 'REMOTE_PROTOCOL', `${this.target.url} refused the request with HTTP ${r.status}: check the headers (e.g. authorization)`);
    }
    const location = r.headers.location;
    if (r.status >= 300 && r.status < 400 && typeof location === 'string') {
      // Only scheme, host and path of where it points: a query could carry a token.
      const to = /^[a-z]+:\/\/[^/?#@]+[^?#]*/i.exec(location)?.[0] ?? 'another address';
      return protocolError(this.target.url, `HTTP ${r.status} redirects to ${to.slice(0, 200)} (Triton does not redirect: give the address it points to)`);
    }
    if (r.status === 502 || r.status === 503 || r.status === 504) {
      return remoteError('UNAVAILABLE', 'REMOTE_UNREACHABLE', `A proxy in front of the server answered HTTP ${r.status} (${http.STATUS_CODES[r.status] ?? ''}): the server behind it may be down`);
    }
    return protocolError(this.target.url, `HTTP ${r.status} without Triton's error object`);
  }

  private async json(method: 'GET' | 'POST', path: string, what: string, body?: unknown): Promise<unknown> {
    const r = await this.send(method, path, body);
    if (r.status !== 200) throw this.failure(r);
    if (r.body.byteLength === 0) return '';
    return parseJsonBody(this.target.url, r.body, what);
  }

  async serverMetadata(): Promise<{ name: string; version: string; extensions: string[] }> {
    return serverMetadataOf(this.target.url, await this.json('GET', '/v2', 'server metadata'));
  }

  async ready(): Promise<boolean> {
    return (await this.send('GET', '/v2/health/ready')).status === 200;
  }

  async repositoryIndex(): Promise<RemoteIndexEntry[]> {
    return indexOf(this.target.url, await this.json('POST', '/v2/repository/index', 'repository index', {}));
  }

  async modelConfig(model: string, version?: string): Promise<unknown> {
    return this.json('GET', `${modelPath(model, version)}/config`, 'model configuration');
  }

  async modelMetadata(model: string, version?: string): Promise<RemoteModelMetadata> {
    return modelMetadataOf(this.target.url, await this.json('GET', modelPath(model, version), 'model metadata'));
  }

  async statistics(model?: string, version?: string): Promise<RemoteStatistics> {
    return statisticsOf(this.target.url, await this.json('GET', model ? `${modelPath(model, version)}/stats` : '/v2/models/stats', 'statistics'));
  }

  async load(model: string): Promise<void> {
    await this.json('POST', `/v2/repository/models/${encodeURIComponent(model)}/load`, 'load answer', {});
  }

  async unload(model: string): Promise<void> {
    await this.json('POST', `/v2/repository/models/${encodeURIComponent(model)}/unload`, 'unload answer', {});
  }

  infer(model: string, version: string, req: RemoteInferRequest): Promise<RemoteInferResult> {
    return this.prepareInfer(model, version, req).send(req.signal);
  }

  /** The body, path and headers built once; each send only exchanges them. */
  prepareInfer(model: string, version: string, req: Omit<RemoteInferRequest, 'signal'>): { send(signal?: AbortSignal): Promise<RemoteInferResult> } {
    const { body, headerLength } = encodeInferBody(req);
    const path = `${modelPath(model, version)}/infer`;
    const headers = { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': headerLength };
    return { send: (signal) => this.sendInfer({ method: 'POST', path, body, headers, limit: LIMITS.infer, signal }) };
  }

  private async sendInfer(req: ExchangeRequest): Promise<RemoteInferResult> {
    const r = await exchange(this.target, this.agent, this.opts, req);
    if (r.status !== 200) throw this.failure(r);
    const t = process.hrtime.bigint();
    const decoded = decodeInferBody(this.target.url, r.body, r.headers['inference-header-content-length']);
    return { ...decoded, sendNs: r.sendNs, recvNs: r.recvNs + Number(process.hrtime.bigint() - t) };
  }

  close(): void {
    this.agent.destroy();
  }
}
