/**
 * grpc-js service definitions built from the protobuf-es descriptors of
 * grpc_service.proto and health.proto, so the server and the client share
 * one set of method paths and (de)serializers: protobuf-es toBinary /
 * fromBinary, no proto-loader.
 */
import { fromBinary, toBinary, type DescMessage, type DescMethod, type DescService, type MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type { MethodDefinition } from '@grpc/grpc-js';
import { LabError, errorMessage } from '../../../engine/errors';
import { GRPCInferenceService } from './gen/grpc_service_pb';
import { Health } from './gen/health_pb';

export { GRPCInferenceService, Health };

/** Triton's limit on gRPC messages both ways (MAX_GRPC_MESSAGE_SIZE, INT32_MAX): what we send, and what clients accept. */
export const DEFAULT_MAX_MESSAGE_BYTES = 2147483647;

/** What the server receives by default: the size of --http-max-input-size's default, not Triton's 2 GiB. */
export const DEFAULT_MAX_RECEIVE_BYTES = 64 * 1024 * 1024;

/** A Buffer over the same bytes (grpc-js wants Buffers; protobuf-es makes Uint8Arrays). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** One method's gRPC definition: its path and its protobuf-es (de)serializers. */
export function methodDefinition<I extends DescMessage, O extends DescMessage>(method: DescMethod & { input: I; output: O }): MethodDefinition<MessageShape<I>, MessageShape<O>> {
  const streamsIn = method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming';
  const streamsOut = method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming';
  return {
    path: `/${method.parent.typeName}/${method.name}`,
    requestStream: streamsIn,
    responseStream: streamsOut,
    requestSerialize: (m: MessageShape<I>) => asBuffer(toBinary(method.input, m)),
    requestDeserialize: (b: Buffer) => fromBinary(method.input, b),
    responseSerialize: (m: MessageShape<O>) => asBuffer(toBinary(method.output, m)),
    responseDeserialize: (b: Buffer) => fromBinary(method.output, b),
    originalName: method.localName,
  };
}

/** Every method of a service, keyed by its proto name (e.g. "ModelInfer"), as grpc-js Server.addService wants. */
export function serviceDefinition(service: DescService): Record<string, MethodDefinition<MessageShape<DescMessage>, MessageShape<DescMessage>>> {
  const out: Record<string, MethodDefinition<MessageShape<DescMessage>, MessageShape<DescMessage>>> = {};
  for (const m of service.methods) out[m.name] = methodDefinition(m);
  return out;
}

/**
 * A request message the server could not decode. grpc-js would end the call itself, and on a
 * ModelStreamInfer stream that left the client waiting forever (the failed message blocked every
 * later one, the half-close included); handed to the handler instead, it is answered like any bad
 * request.
 */
export class UndecodableRequest {
  constructor(readonly reason: string) {}

  /** The status a call ends with for it, in grpc-js's words (INTERNAL, as gRPC servers answer a message they cannot parse). */
  error(): LabError {
    return new LabError('INTERNAL', `Error deserializing request: ${this.reason}`);
  }
}

/** The server's definitions: as serviceDefinition, but a request that fails to decode arrives as an UndecodableRequest. */
export function serverServiceDefinition(service: DescService): Record<string, MethodDefinition<MessageShape<DescMessage> | UndecodableRequest, MessageShape<DescMessage>>> {
  const out: Record<string, MethodDefinition<MessageShape<DescMessage> | UndecodableRequest, MessageShape<DescMessage>>> = {};
  for (const m of service.methods) {
    const def = methodDefinition(m);
    out[m.name] = {
      ...def,
      // The server never serializes requests.
      requestSerialize: (r: MessageShape<DescMessage> | UndecodableRequest) => (r instanceof UndecodableRequest ? Buffer.alloc(0) : def.requestSerialize(r)),
      requestDeserialize: (b: Buffer) => {
        try {
          return fromBinary(m.input, b);
        } catch (err) {
          return new UndecodableRequest(errorMessage(err));
        }
      },
    };
  }
  return out;
}

/** The typed methods of a generated service: local name → { methodKind, input, output }. */
export type ServiceShape<S> = S extends GenService<infer M extends GenServiceMethods> ? M : never;
