/**
 * A small typed client for GRPCInferenceService and the health service,
 * built from the same protobuf-es descriptors as the server: one promise
 * method per unary RPC (named as protobuf-es names them: serverLive,
 * modelInfer, ...), a ModelStreamInfer helper, and conversions between
 * engine tensors and raw_input_contents / raw_output_contents. For the
 * tests and the benchmark; any Triton gRPC client works against the server.
 */
import { create, type DescMessage, type DescMethod, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { Client, Metadata, credentials, type CallOptions, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { type Tensor } from '../../../engine/tensor/tensor';
import { rawFromTensor, tensorFromRaw } from '../wire-tensor';
import { type InferParameterSchema, type ModelInferRequest, ModelInferRequestSchema, type ModelInferResponse, type ModelStreamInferResponse } from './gen/grpc_service_pb';
import { type HealthCheckResponse } from './gen/health_pb';
import { DEFAULT_MAX_MESSAGE_BYTES, GRPCInferenceService, Health, type ServiceShape, methodDefinition } from './service';

export interface CallOpts {
  /** Milliseconds from now. */
  timeoutMs?: number;
  /** Sent as request metadata (headers). */
  metadata?: Record<string, string>;
  /** Aborting cancels the call (the server sees a cancellation). */
  signal?: AbortSignal;
}

type Shape = ServiceShape<typeof GRPCInferenceService>;
type UnaryKey = { [K in keyof Shape]: Shape[K]['methodKind'] extends 'unary' ? K : never }[keyof Shape];

/** One method per unary RPC: request fields in, the response message out (rejects with a grpc-js ServiceError). */
export type UnaryMethods = {
  [K in UnaryKey]: (req?: MessageInitShape<Shape[K]['input']>, opts?: CallOpts) => Promise<MessageShape<Shape[K]['output']>>;
};

export type GrpcInferenceClient = UnaryMethods & {
  /** grpc.health.v1.Health/Check. */
  health(service?: string, opts?: CallOpts): Promise<HealthCheckResponse>;
  /** Opens a ModelStreamInfer stream. */
  stream(opts?: CallOpts): InferStream;
  close(): void;
};

function metadataOf(opts: CallOpts | undefined): Metadata {
  const md = new Metadata();
  for (const [k, v] of Object.entries(opts?.metadata ?? {})) md.set(k, v);
  return md;
}

function callOptions(opts: CallOpts | undefined): CallOptions {
  return opts?.timeoutMs !== undefined ? { deadline: Date.now() + opts.timeoutMs } : {};
}

/** The answers of one ModelStreamInfer call, read one at a time. */
export class InferStream {
  private readonly queue: ModelStreamInferResponse[] = [];
  private readonly waiting: { resolve(r: ModelStreamInferResponse): void; reject(e: Error): void }[] = [];
  private ended: Error | undefined;
  /** Resolves when the server ends the stream with OK; rejects with its error status otherwise. */
  readonly done: Promise<void>;

  constructor(private readonly call: ClientDuplexStream<ModelInferRequest, ModelStreamInferResponse>) {
    this.done = new Promise<void>((resolve, reject) => {
      call.on('data', (r: ModelStreamInferResponse) => {
        const w = this.waiting.shift();
        if (w) w.resolve(r);
        else this.queue.push(r);
      });
      call.on('error', (err: ServiceError) => {
        this.close(err);
        reject(err);
      });
      call.on('status', () => {
        this.close(new Error('stream ended'));
        resolve();
      });
    });
    // Callers that only use next() must not see an unhandled rejection.
    this.done.catch(() => undefined);
  }

  private close(err: Error): void {
    this.ended ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.ended);
  }

  send(req: MessageInitShape<typeof ModelInferRequestSchema>): void {
    this.call.write(create(ModelInferRequestSchema, req));
  }

  /** The next answer; rejects once the stream has ended and nothing is left. */
  next(): Promise<ModelStreamInferResponse> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** No more requests (half-close); the server ends the stream after answering those sent. */
  end(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel();
  }
}

export function createGrpcClient(address: string, opts: { maxMessageBytes?: number } = {}): GrpcInferenceClient {
  const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const client = new Client(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': max,
    'grpc.max_send_message_length': max,
  });

  const unary = <K extends UnaryKey>(key: K) => {
    const method: DescMethod = GRPCInferenceService.method[key];
    const def = methodDefinition(method);
    return (req?: MessageInitShape<Shape[K]['input']>, o?: CallOpts): Promise<MessageShape<Shape[K]['output']>> =>
      new Promise((resolve, reject) => {
        const msg = create(method.input, req as MessageInitShape<DescMessage> | undefined);
        const call = client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, msg, metadataOf(o), callOptions(o), (err, res) =>
          err || !res ? reject(err ?? new Error('no response')) : resolve(res as MessageShape<Shape[K]['output']>),
        );
        o?.signal?.addEventListener('abort', () => call.cancel(), { once: true });
      });
  };

  const methods: Partial<Record<UnaryKey, unknown>> = {};
  for (const m of GRPCInferenceService.methods) {
    if (m.methodKind === 'unary') methods[m.localName as UnaryKey] = unary(m.localName as UnaryKey);
  }

  const check = methodDefinition(Health.method.check);
  const streamDef = methodDefinition(GRPCInferenceService.method.modelStreamInfer);
  return {
    ...(methods as UnaryMethods),
    health: (service = '', o?: CallOpts) =>
      new Promise<HealthCheckResponse>((resolve, reject) => {
        client.makeUnaryRequest(check.path, check.requestSerialize, check.responseDeserialize, create(Health.method.check.input, { service }), metadataOf(o), callOptions(o), (err, res) =>
          err || !res ? reject(err ?? new Error('no response')) : resolve(res),
        );
      }),
    stream: (o?: CallOpts) => {
      const s = new InferStream(client.makeBidiStreamRequest(streamDef.path, streamDef.requestSerialize, streamDef.responseDeserialize, metadataOf(o), callOptions(o)));
      o?.signal?.addEventListener('abort', () => s.cancel(), { once: true });
      return s;
    },
    close: () => client.close(),
  };
}

type ParamValue = string | number | boolean | bigint;

/** A parameter map entry as InferParameter: bigint → int64, integer → int64, other numbers → double. */
export function inferParameter(v: ParamValue): MessageInitShape<typeof InferParameterSchema> {
  if (typeof v === 'boolean') return { parameterChoice: { case: 'boolParam', value: v } };
  if (typeof v === 'string') return { parameterChoice: { case: 'stringParam', value: v } };
  if (typeof v === 'bigint') return { parameterChoice: { case: 'int64Param', value: v } };
  return Number.isInteger(v) ? { parameterChoice: { case: 'int64Param', value: BigInt(v) } } : { parameterChoice: { case: 'doubleParam', value: v } };
}

export interface InferOpts {
  version?: string;
  id?: string;
  /** Outputs to return, each optionally as the top-k classes. */
  outputs?: (string | { name: string; classification?: number })[];
  parameters?: Record<string, ParamValue>;
}

/** A ModelInferRequest carrying `inputs` as raw_input_contents. */
export function inferRequest(model: string, inputs: readonly Tensor[], o: InferOpts = {}): MessageInitShape<typeof ModelInferRequestSchema> {
  const params = (p: Record<string, ParamValue> | undefined): Record<string, MessageInitShape<typeof InferParameterSchema>> =>
    Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [k, inferParameter(v)]));
  return {
    modelName: model,
    modelVersion: o.version ?? '',
    id: o.id ?? '',
    parameters: params(o.parameters),
    inputs: inputs.map((t) => ({ name: t.name, datatype: t.dtype, shape: t.shape.map(BigInt) })),
    outputs: (o.outputs ?? []).map((x) =>
      typeof x === 'string' ? { name: x } : { name: x.name, parameters: x.classification !== undefined ? params({ classification: BigInt(x.classification) }) : {} },
    ),
    rawInputContents: inputs.map(rawFromTensor),
  };
}

/** The outputs of a response as engine tensors (views of raw_output_contents where aligned). */
export function responseTensors(res: ModelInferResponse): Tensor[] {
  return res.outputs.map((o, i) => tensorFromRaw(o.name, o.datatype, o.shape.map(Number), res.rawOutputContents[i] ?? new Uint8Array(0), { model: res.modelName }));
}
