/**
 * grpc.health.v1.Health over a TritonCore, as Triton's HealthCheck answers
 * it: SERVING while the server is ready. Watch sends the status now and again
 * whenever it changes (checked once a second) until the call ends or the
 * server closes.
 */
import { create } from '@bufbuild/protobuf';
import type { sendUnaryData, ServerUnaryCall, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { TritonCore } from '../core';
import { type HealthCheckRequest, type HealthCheckResponse, HealthCheckResponse_ServingStatus, HealthCheckResponseSchema, Health } from './gen/health_pb';
import { serviceError } from './rpc';
import { UndecodableRequest } from './service';

export interface HealthService {
  implementation: UntypedServiceImplementation;
  /** Ends every open Watch call (a closing server). */
  endWatches(): void;
}

export function healthService(core: TritonCore): HealthService {
  const servingStatus = (): HealthCheckResponse_ServingStatus => (core.ready() ? HealthCheckResponse_ServingStatus.SERVING : HealthCheckResponse_ServingStatus.NOT_SERVING);
  const watches = new Set<() => void>();
  const check = (call: ServerUnaryCall<HealthCheckRequest | UndecodableRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>): void => {
    if (call.request instanceof UndecodableRequest) return callback(serviceError(call.request.error()));
    try {
      callback(null, create(HealthCheckResponseSchema, { status: servingStatus() }));
    } catch (err) {
      callback(serviceError(err));
    }
  };
  const watch = (call: ServerWritableStream<HealthCheckRequest | UndecodableRequest, HealthCheckResponse>): void => {
    if (call.request instanceof UndecodableRequest) return void call.emit('error', serviceError(call.request.error()));
    const current = (): HealthCheckResponse_ServingStatus => {
      try {
        return servingStatus();
      } catch {
        return HealthCheckResponse_ServingStatus.NOT_SERVING;
      }
    };
    let last = current();
    call.write(create(HealthCheckResponseSchema, { status: last }));
    const timer = setInterval(() => {
      const now = current();
      if (now !== last) {
        last = now;
        call.write(create(HealthCheckResponseSchema, { status: now }));
      }
    }, 1000);
    timer.unref();
    const stop = (): void => {
      clearInterval(timer);
      watches.delete(stop);
    };
    const end = (): void => {
      stop();
      call.end();
    };
    watches.add(end);
    call.on('cancelled', stop);
  };
  return {
    implementation: { [Health.method.check.name]: check, [Health.method.watch.name]: watch },
    endWatches: () => {
      for (const end of [...watches]) end();
    },
  };
}
