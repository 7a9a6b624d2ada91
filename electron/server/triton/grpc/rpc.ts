/**
 * What the gRPC frontend's handlers share (server.ts builds it once per
 * server): the core and its log, whether a close has begun, Triton's mapping
 * of error codes to gRPC statuses (GrpcStatusUtil::CodeToStatus, the message
 * as it is), and the adapter that turns a typed function into a grpc-js
 * unary handler.
 */
import { create, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { status, type sendUnaryData, type ServerErrorResponse, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { type ErrorCode, errorMessage, toLabError } from '../../../engine/errors';
import type { TritonCore } from '../core';
import type { LogLevel } from '../log-settings';
import { GRPCInferenceService, type ServiceShape, UndecodableRequest } from './service';

export interface RpcContext {
  core: TritonCore;
  /** Logs when the core's log settings allow the level. */
  log(level: LogLevel, message: string): void;
  /** True once a close has begun: new inferences are refused. */
  stopping(): boolean;
}

/** Triton's GrpcStatusUtil::CodeToStatus. */
const GRPC_CODE: Record<ErrorCode, status> = {
  INVALID_ARG: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  UNAVAILABLE: status.UNAVAILABLE,
  UNSUPPORTED: status.UNIMPLEMENTED,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  INTERNAL: status.INTERNAL,
  CANCELLED: status.CANCELLED,
  UNKNOWN: status.UNKNOWN,
};

export function grpcStatusOf(code: ErrorCode): status {
  return GRPC_CODE[code];
}

/** A thrown error as the gRPC status a call ends with: Triton's code mapping, the message as it is. */
export function serviceError(err: unknown): ServerErrorResponse {
  const e = toLabError(err);
  return Object.assign(new Error(e.message), { code: GRPC_CODE[e.code], details: e.message });
}

export const SHUTTING_DOWN = 'GRPC server is shutting down and has stopped accepting new requests.';

/** A request's version field: empty means the model's policy picks. */
export const optionalVersion = (v: string): string | undefined => (v === '' ? undefined : v);

type Shape = ServiceShape<typeof GRPCInferenceService>;
export type UnaryKey = { [K in keyof Shape]: Shape[K]['methodKind'] extends 'unary' ? K : never }[keyof Shape];
type Req<K extends keyof Shape> = MessageShape<Shape[K]['input']>;
type Res<K extends keyof Shape> = MessageShape<Shape[K]['output']>;
type ResInit<K extends keyof Shape> = MessageInitShape<Shape[K]['output']>;

/** Registers one unary RPC of GRPCInferenceService: its request in, its answer (or thrown error) out. */
export type Unary = <K extends UnaryKey>(key: K, fn: (req: Req<K>, signal: AbortSignal) => Promise<ResInit<K>> | ResInit<K>) => void;

/**
 * The `unary` that fills `impl`: an undecodable request fails as grpc-js would fail it, a cancelled
 * call aborts its signal, and a failure is logged (verbose) and answered with Triton's status.
 */
export function unaryAdder(impl: UntypedServiceImplementation, log: RpcContext['log']): Unary {
  return <K extends UnaryKey>(key: K, fn: (req: Req<K>, signal: AbortSignal) => Promise<ResInit<K>> | ResInit<K>): void => {
    const method = GRPCInferenceService.method[key];
    impl[method.name] = (call: ServerUnaryCall<Req<K>, Res<K>>, callback: sendUnaryData<Res<K>>): void => {
      const request: unknown = call.request;
      if (request instanceof UndecodableRequest) return callback(serviceError(request.error()));
      const abort = new AbortController();
      // grpc-js reports every call as cancelled once it has ended, answered or not: only one still running is aborted.
      let answered = false;
      call.on('cancelled', () => {
        if (answered) return;
        // Triton's verbose line (its QA counts it), for the inference handler as there.
        if (method.name === 'ModelInfer') log('verbose', 'Cancellation notification received for ModelInferHandler');
        abort.abort();
      });
      Promise.resolve()
        .then(() => fn(call.request, abort.signal))
        .then(
          (res) => {
            answered = true;
            callback(null, create(method.output, res) as Res<K>);
          },
          (err: unknown) => {
            answered = true;
            log('verbose', `${method.name} failed: ${errorMessage(err)}`);
            callback(serviceError(err));
          },
        );
    };
  };
}
