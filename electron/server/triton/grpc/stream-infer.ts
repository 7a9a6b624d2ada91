/**
 * ModelStreamInfer (stream_infer_handler.cc): requests in on one
 * bidirectional stream, answers out in request order for models that are not
 * decoupled; a decoupled model's responses go out as they come, with
 * `triton_final_response`. A failed request answers `error_message` and the
 * stream goes on, unless the call asked for `triton_grpc_error: true`, which
 * closes the stream with the error's status. The stream stops being read
 * while it has too many requests in flight, and a client that does not read a
 * decoupled model's answers loses the stream.
 */
import { setMaxListeners } from 'node:events';
import { create } from '@bufbuild/protobuf';
import { status, type ServerDuplexStream, type ServerErrorResponse } from '@grpc/grpc-js';
import { LabError, toLabError } from '../../../engine/errors';
import type { CoreInferRequest, CoreInferResponse } from '../core';
import { InferParameterSchema, type ModelInferRequest, type ModelStreamInferResponse, ModelStreamInferResponseSchema, ModelInferResponseSchema } from './gen/grpc_service_pb';
import { meterOf } from './call-limits';
import { inferResponse, readInferRequest } from './infer';
import { type RpcContext, SHUTTING_DOWN, optionalVersion as version, serviceError } from './rpc';
import { UndecodableRequest } from './service';

/** A stream as the server's close sees it: told when a graceful close begins. */
export interface DrainableStream {
  drain(): void;
}

export interface StreamOptions {
  /** Requests in flight on one stream before it stops being read. */
  maxPending: number;
  /** Open streams (each adds itself while it is open). */
  streams: Set<DrainableStream>;
}

type StreamCall = ServerDuplexStream<ModelInferRequest, ModelStreamInferResponse>;

/** Triton's `triton_final_response` parameter, set on every response its stream callback writes (beside the model's own response parameters). */
const finalParam = (final: boolean) => ({ triton_final_response: create(InferParameterSchema, { parameterChoice: { case: 'boolParam', value: final } }) });

/** A request that failed as a whole: error_message (with the id when the request was refused before running). */
function streamFailure(ctx: RpcContext, req: ModelInferRequest, err: unknown): { message: ModelStreamInferResponse; error: LabError } {
  const e = toLabError(err);
  ctx.log('verbose', `[request id: ${req.id || '<id_unknown>'}] Infer failed: ${e.message}`);
  // Errors from a running model come back like Triton's response callback: no id, the final flag.
  const ran = e.stage === 'execute';
  const inferResponse = create(ModelInferResponseSchema, ran ? { parameters: finalParam(true) } : { id: req.id });
  return { message: create(ModelStreamInferResponseSchema, { errorMessage: e.message, inferResponse }), error: e };
}

async function startInfer(ctx: RpcContext, req: ModelInferRequest, signal: AbortSignal, onResponse?: CoreInferRequest['onResponse']): Promise<CoreInferResponse> {
  if (ctx.stopping()) throw new LabError('UNAVAILABLE', SHUTTING_DOWN);
  const config = ctx.core.modelConfigMessage(req.modelName, version(req.modelVersion));
  const { name, version: v, request } = readInferRequest(req, config);
  return ctx.core.infer(name, version(v), { ...request, signal, ...(onResponse ? { onResponse } : {}) });
}

/** One request to a model that is not decoupled: its one response, or its error. */
async function streamAnswer(ctx: RpcContext, req: ModelInferRequest, signal: AbortSignal): Promise<{ message: ModelStreamInferResponse; error?: LabError }> {
  try {
    const response = inferResponse(await startInfer(ctx, req, signal));
    response.parameters = { ...response.parameters, ...finalParam(true) };
    return { message: create(ModelStreamInferResponseSchema, { inferResponse: response }) };
  } catch (err) {
    return streamFailure(ctx, req, err);
  }
}

/** A model that is not found cannot be decoupled; its request fails on the usual path. */
function isDecoupled(ctx: RpcContext, req: ModelInferRequest): boolean {
  try {
    return ctx.core.modelConfigMessage(req.modelName, version(req.modelVersion)).modelTransactionPolicy?.decoupled === true;
  } catch {
    return false;
  }
}

/**
 * One request to a decoupled model: each response is written as the model sends it, with
 * `triton_final_response`; a final flag sent alone is written (as an empty response naming the
 * request) only when the request set `triton_enable_empty_final_response`. Errors go to `failed`
 * (which writes them, or closes the stream under `triton_grpc_error`).
 */
async function streamDecoupled(
  ctx: RpcContext,
  req: ModelInferRequest,
  signal: AbortSignal,
  write: (m: ModelStreamInferResponse) => void,
  failed: (m: ModelStreamInferResponse, e: LabError) => void,
): Promise<void> {
  const p = req.parameters['triton_enable_empty_final_response']?.parameterChoice;
  const emptyFinal = p?.case === 'boolParam' && p.value;
  const echo = { id: req.id, modelName: req.modelName, modelVersion: req.modelVersion };
  try {
    await startInfer(ctx, req, signal, (r, final) => {
      if (r === null) {
        if (emptyFinal) write(create(ModelStreamInferResponseSchema, { inferResponse: create(ModelInferResponseSchema, { ...echo, parameters: finalParam(true) }) }));
      } else if (r instanceof LabError) {
        ctx.log('verbose', `[request id: ${req.id || '<id_unknown>'}] Infer failed: ${r.message}`);
        failed(create(ModelStreamInferResponseSchema, { errorMessage: r.message, inferResponse: create(ModelInferResponseSchema, { ...echo, parameters: finalParam(final) }) }), r);
      } else {
        const response = inferResponse(r);
        response.parameters = { ...response.parameters, ...finalParam(final) };
        write(create(ModelStreamInferResponseSchema, { inferResponse: response }));
      }
    });
  } catch (err) {
    const { message, error } = streamFailure(ctx, req, err);
    failed(message, error);
  }
}

/** One open ModelStreamInfer call: its requests in flight, the order of its answers, and how it ends. */
class InferStream implements DrainableStream {
  private readonly abort = new AbortController();
  // triton_grpc_error: true closes the stream with the first error's status instead of answering error_message.
  private readonly grpcErrorMode: boolean;
  // Too many requests in flight: stop reading the stream, so further ones wait in the transport.
  private readonly meter: ReturnType<typeof meterOf>;
  private pending = 0;
  private inputEnded = false;
  private finished = false;
  private draining = false;
  private broken = false;
  // Responses go out in request order, as Triton writes them for models that are not decoupled;
  // a decoupled model's responses go out as they come.
  private order: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: RpcContext,
    private readonly call: StreamCall,
    private readonly opts: StreamOptions,
  ) {
    this.grpcErrorMode = call.metadata.get('triton_grpc_error')[0] === 'true';
    this.meter = meterOf(call.metadata);
    // Every request in flight listens on the stream's signal (their number is bounded by maxPending), more than Node's default of 10.
    setMaxListeners(0, this.abort.signal);
  }

  /** Joins the open streams and starts reading requests. */
  start(): void {
    const { ctx, call, opts } = this;
    opts.streams.add(this);
    call.on('data', (req: ModelInferRequest | UndecodableRequest) => this.received(req));
    call.on('end', () => {
      this.inputEnded = true;
      this.maybeFinish();
    });
    call.on('cancelled', () => {
      // Triton's verbose line (its QA counts it); its requests in flight are cancelled.
      if (!this.finished) ctx.log('verbose', 'Cancellation notification received for ModelStreamInferHandler');
      this.abort.abort();
      this.finished = true;
      opts.streams.delete(this);
    });
    call.on('error', (err: Error) => ctx.log('verbose', `ModelStreamInfer stream error: ${err.message}`));
  }

  drain(): void {
    this.draining = true;
    this.maybeFinish();
  }

  private finish(err?: LabError | ServerErrorResponse): void {
    if (this.finished) return;
    this.finished = true;
    this.opts.streams.delete(this);
    if (err) {
      this.abort.abort();
      this.call.emit('error', err instanceof LabError ? serviceError(err) : err);
    } else this.call.end();
  }

  private maybeFinish(): void {
    if ((this.inputEnded || this.draining) && this.pending === 0) this.finish();
  }

  private settled(): void {
    this.meter?.requestDone();
    this.pending--;
    if (this.call.isPaused() && this.pending < this.opts.maxPending) this.call.resume();
    this.maybeFinish();
  }

  /** A decoupled model's answers cannot wait: a client that does not read them loses the stream. */
  private unread(): ServerErrorResponse {
    const details = `the client is not reading this stream's responses (${this.call.writableLength} waiting); closing it`;
    return Object.assign(new Error(details), { code: status.RESOURCE_EXHAUSTED, details });
  }

  /** Resolves once the message is handed over (or the stream is gone). */
  private write(message: ModelStreamInferResponse): Promise<void> {
    const { call } = this;
    return new Promise((resolve) => {
      if (this.finished || call.cancelled) return resolve();
      if (call.write(message)) return resolve();
      const done = (): void => {
        call.off('drain', done);
        call.off('cancelled', done);
        resolve();
      };
      call.on('drain', done);
      call.on('cancelled', done);
    });
  }

  private received(req: ModelInferRequest | UndecodableRequest): void {
    if (this.finished || this.broken) return;
    if (req instanceof UndecodableRequest) {
      // Like a failed read: the answers before it go out, then the stream ends with the error
      // (counted as pending, so the stream cannot end well in between).
      this.broken = true;
      this.pending++;
      this.order = this.order.then(() => this.finish(req.error()));
      return;
    }
    if (++this.pending >= this.opts.maxPending) this.call.pause();
    if (isDecoupled(this.ctx, req)) this.runDecoupled(req);
    else this.runInOrder(req);
  }

  private runDecoupled(req: ModelInferRequest): void {
    const send = (m: ModelStreamInferResponse): void => (this.call.writableLength >= this.opts.maxPending * 16 ? this.finish(this.unread()) : void this.write(m));
    const failed = (m: ModelStreamInferResponse, e: LabError): void => (this.grpcErrorMode ? this.finish(e) : send(m));
    void streamDecoupled(this.ctx, req, this.abort.signal, send, failed).finally(() => this.settled());
  }

  private runInOrder(req: ModelInferRequest): void {
    const answer = streamAnswer(this.ctx, req, this.abort.signal);
    this.order = this.order.then(async () => {
      const { message, error } = await answer;
      if (error && this.grpcErrorMode) this.finish(error);
      else await this.write(message);
      this.settled();
    });
  }
}

/** The ModelStreamInfer handler. */
export function modelStreamInfer(ctx: RpcContext, opts: StreamOptions): (call: StreamCall) => void {
  return (call) => new InferStream(ctx, call, opts).start();
}
