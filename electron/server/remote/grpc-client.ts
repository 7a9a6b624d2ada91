/**
 * A TritonConnection over Triton's gRPC protocol (GRPCInferenceService), on one grpc-js channel with
 * the server's own protobuf-es descriptors: plain or TLS (a CA PEM, or certificate checks off), the
 * headers sent as call metadata, a deadline per call, answers above 64 MiB refused by the channel.
 * What the engine sees is the HTTP protocol's JSON: ModelConfig printed as Triton's config JSON
 * (configToTritonJson) and ModelStatistics in the `/stats` shape, so the pages need one reader.
 * Tensors go as raw_input_contents / raw_output_contents, as tritonclient.grpc sends them.
 */
import { create, type DescMessage, type DescMethod, type JsonObject, type JsonValue, type MessageInitShape, type MessageShape, toJson } from '@bufbuild/protobuf';
import { Client, type ChannelCredentials, Metadata, credentials } from '@grpc/grpc-js';
import type { RemoteModelMetadata } from '../../contract/remote-api';
import { configToTritonJson } from '../../engine/config/serialize';
import type { RemoteIndexEntry, RemoteInferRequest, RemoteInferResult, RemoteStatistics, TritonConnectOptions, TritonConnection } from '../../engine/remote/types';
import type { ParameterValue, Parameters } from '../../engine/runtime/types';
import { tensorBytes } from '../../engine/tensor/tensor';
import { LabError } from '../../engine/errors';
import { inferParameter } from '../triton/grpc/client';
import { type InferParameter, type InferParameterSchema, ModelStatisticsResponseSchema } from '../triton/grpc/gen/grpc_service_pb';
import { GRPCInferenceService, methodDefinition } from '../triton/grpc/service';
import { grpcError, protocolError } from './errors';
import { LIMITS } from './http-transport';
import { tensorFromWire } from './infer-body';
import { statisticsOf } from './shapes';

type Service = typeof GRPCInferenceService.method;
type UnaryKey = { [K in keyof Service]: Service[K]['methodKind'] extends 'unary' ? K : never }[keyof Service];

export interface GrpcTarget {
  tls: boolean;
  /** host:port, IPv6 in brackets. */
  address: string;
  url: string;
}

function channelCredentials(target: GrpcTarget, opts: Omit<TritonConnectOptions, 'url'>): ChannelCredentials {
  if (!target.tls) return credentials.createInsecure();
  const ca = opts.caPem !== undefined ? Buffer.from(opts.caPem) : null;
  const skip = opts.skipVerify === true;
  return credentials.createSsl(ca, null, null, { rejectUnauthorized: !skip, ...(skip ? { checkServerIdentity: () => undefined } : {}) });
}

/** Statistics keys whose uint64 values protobuf's JSON prints as strings (Triton's HTTP JSON has numbers). */
const NUMERIC_KEYS: ReadonlySet<string> = new Set(['last_inference', 'inference_count', 'execution_count', 'count', 'ns', 'batch_size', 'byte_size', 'id']);

function numbersIn(v: JsonValue, key = ''): JsonValue {
  if (Array.isArray(v)) return v.map((x) => numbersIn(x, key));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, numbersIn(x, k)]));
  if (typeof v === 'string' && NUMERIC_KEYS.has(key) && /^\d+$/.test(v)) return Number(v);
  return v;
}

function parameterValue(p: InferParameter): ParameterValue | undefined {
  const c = p.parameterChoice;
  if (c.case === 'int64Param' || c.case === 'uint64Param') return Number(c.value);
  return c.case === undefined ? undefined : c.value;
}

export class GrpcTritonConnection implements TritonConnection {
  readonly protocol = 'grpc' as const;
  private readonly client: Client;

  constructor(
    private readonly target: GrpcTarget,
    private readonly opts: Omit<TritonConnectOptions, 'url'>,
  ) {
    this.client = new Client(target.address, channelCredentials(target, opts), {
      'grpc.max_receive_message_length': LIMITS.infer,
      'grpc.max_send_message_length': -1,
    });
  }

  private metadata(): Metadata {
    const md = new Metadata();
    // gRPC wants binary values for `-bin` keys: the text is sent as its UTF-8 bytes.
    for (const [k, v] of Object.entries(this.opts.headers)) md.set(k.toLowerCase(), k.toLowerCase().endsWith('-bin') ? Buffer.from(v) : v);
    return md;
  }

  /** One unary call; `timing` gets the time spent encoding the request and decoding the answer. */
  private call<K extends UnaryKey>(key: K, req: MessageInitShape<Service[K]['input']>, signal?: AbortSignal, timing?: { sendNs: number; recvNs: number }): Promise<MessageShape<Service[K]['output']>> {
    const method: DescMethod = GRPCInferenceService.method[key];
    const def = methodDefinition(method);
    const timed =
      <A, B>(f: (a: A) => B, slot: 'sendNs' | 'recvNs') =>
      (a: A): B => {
        const t = process.hrtime.bigint();
        const out = f(a);
        if (timing) timing[slot] += Number(process.hrtime.bigint() - t);
        return out;
      };
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new LabError('CANCELLED', 'The request was cancelled'));
      const msg = create(method.input, req as MessageInitShape<DescMessage>);
      const c = this.client.makeUnaryRequest(
        def.path,
        timed(def.requestSerialize, 'sendNs'),
        timed(def.responseDeserialize, 'recvNs'),
        msg,
        this.metadata(),
        { deadline: Date.now() + this.opts.timeoutMs },
        (err, res) => {
          signal?.removeEventListener('abort', onAbort);
          if (err || !res)
            reject(
              err?.code === 1 && signal?.aborted
                ? new LabError('CANCELLED', 'The request was cancelled')
                : grpcError(err ?? new Error('no answer'), this.target.url, this.target.tls, this.opts.timeoutMs),
            );
          else resolve(res as MessageShape<Service[K]['output']>);
        },
      );
      const onAbort = (): void => c.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async serverMetadata(): Promise<{ name: string; version: string; extensions: string[] }> {
    const r = await this.call('serverMetadata', {});
    return { name: r.name, version: r.version, extensions: [...r.extensions] };
  }

  async ready(): Promise<boolean> {
    return (await this.call('serverReady', {})).ready;
  }

  async repositoryIndex(): Promise<RemoteIndexEntry[]> {
    const r = await this.call('repositoryIndex', { ready: false });
    return r.models.map((m) => ({ name: m.name, version: m.version, state: m.state, reason: m.reason }));
  }

  async modelConfig(model: string, version?: string): Promise<unknown> {
    const r = await this.call('modelConfig', { name: model, version: version ?? '' });
    if (!r.config) throw protocolError(this.target.url, 'its ModelConfigResponse has no config');
    return configToTritonJson(r.config);
  }

  async modelMetadata(model: string, version?: string): Promise<RemoteModelMetadata> {
    const r = await this.call('modelMetadata', { name: model, version: version ?? '' });
    const io = (ts: typeof r.inputs): RemoteModelMetadata['inputs'] => ts.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(Number) }));
    return { name: r.name, versions: [...r.versions], platform: r.platform, inputs: io(r.inputs), outputs: io(r.outputs) };
  }

  async statistics(model?: string, version?: string): Promise<RemoteStatistics> {
    const r = await this.call('modelStatistics', { name: model ?? '', version: version ?? '' });
    const json = toJson(ModelStatisticsResponseSchema, r, { useProtoFieldName: true, alwaysEmitImplicit: true }) as JsonObject;
    return statisticsOf(this.target.url, numbersIn(json));
  }

  async load(model: string): Promise<void> {
    await this.call('repositoryModelLoad', { modelName: model });
  }

  async unload(model: string): Promise<void> {
    await this.call('repositoryModelUnload', { modelName: model });
  }

  async infer(model: string, version: string, req: RemoteInferRequest): Promise<RemoteInferResult> {
    const timing = { sendNs: 0, recvNs: 0 };
    const t0 = process.hrtime.bigint();
    const params = (p: Parameters | undefined): Record<string, MessageInitShape<typeof InferParameterSchema>> => Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [k, inferParameter(v)]));
    const request = {
      modelName: model,
      modelVersion: version,
      id: req.id ?? '',
      parameters: params(req.parameters),
      inputs: req.inputs.map((t) => ({ name: t.name, datatype: t.dtype, shape: t.shape.map(BigInt) })),
      outputs: (req.outputs ?? []).map((name) => ({ name })),
      rawInputContents: req.inputs.map((t) => tensorBytes(t)),
    };
    timing.sendNs += Number(process.hrtime.bigint() - t0);
    const r = await this.call('modelInfer', request, req.signal, timing);
    const t1 = process.hrtime.bigint();
    if (r.rawOutputContents.length !== r.outputs.length) throw protocolError(this.target.url, `its answer has ${r.outputs.length} outputs but ${r.rawOutputContents.length} raw contents`);
    const outputs = r.outputs.map((o, i) => tensorFromWire(this.target.url, o.name, o.datatype, o.shape.map(Number), r.rawOutputContents[i]!));
    const parameters: Parameters = {};
    for (const [k, p] of Object.entries(r.parameters)) {
      const v = parameterValue(p);
      if (v !== undefined) parameters[k] = v;
    }
    timing.recvNs += Number(process.hrtime.bigint() - t1);
    return { modelVersion: r.modelVersion, outputs, ...(Object.keys(parameters).length ? { parameters } : {}), sendNs: timing.sendNs, recvNs: timing.recvNs };
  }

  close(): void {
    this.client.close();
  }
}
