/**
 * Messages between the lab and a Python stub process (py/model_lab_stub.py).
 * Each is one frame: a JSON header, then the raw bytes of the tensors it
 * names (`TensorMeta.offset` into the frame's payload).
 */
import type { Parameters } from '../../runtime/types';
import type { WireSequence } from '../sequence-wire';
import type { ApiDType } from '../../tensor/dtype';
import type { ControlMessage, ControlRequest, LogLevel, WireError } from '../child-supervisor';
import type { ServiceReply, ServiceRequest } from './services';

export type { LogLevel, WireError };

export interface TensorMeta {
  name: string;
  dtype: ApiDType;
  shape: number[];
  /** Byte offset into the payload (8-byte aligned). */
  offset: number;
  nbytes: number;
}

/**
 * One response as the stub sends it (and as a BLS result goes back to it): its outputs and the
 * response parameters the model set (bool, int or str values; absent when none), or its error.
 */
export type WireResponse = { outputs: TensorMeta[]; parameters?: Parameters } | { error: WireError };

export type ToStub =
  | ControlRequest
  | { type: 'execute'; id: number; requests: ({ id: string; inputs: TensorMeta[]; requested: string[]; parameters: Record<string, string | number | boolean> } & WireSequence)[] }
  | ({ type: 'bls-result'; callId: number } & WireResponse)
  /** One response of a BLS call made with exec(decoupled=True); absent with `final`: the final flag alone. */
  | { type: 'bls-response'; callId: number; final: boolean; response?: WireResponse }
  /** The answer to a `service` request (metrics, model control: services.ts). */
  | ServiceReply
  /** The answer to `is-cancelled`: whether that request's caller has cancelled it. */
  | { type: 'cancel-state'; callId: number; cancelled: boolean };

export type FromStub =
  | ControlMessage
  /** execute() returned; null entries are answered (or still to be answered) by response senders. */
  | { type: 'executed'; id: number; responses: (WireResponse | null)[]; ownNs: number }
  | { type: 'execute-error'; id: number; error: WireError }
  /** A decoupled model's async execute, run in the background, raised: its requests at `indexes` (still open) fail with it. */
  | { type: 'background-error'; id: number; indexes: number[]; error: WireError }
  /** Before 'ready': execute() is a decoupled model's coroutine, which returns once it is on the event loop, so executes need not wait for the last to return. */
  | { type: 'async-execute' }
  | { type: 'response'; id: number; index: number; response?: WireResponse; final: boolean }
  | {
      type: 'bls';
      callId: number;
      model: string;
      version: number;
      requestId: string;
      inputs: TensorMeta[];
      requested: string[];
      parameters: Record<string, string | number | boolean>;
      decoupled: boolean;
      /** The InferenceRequest's correlation_id and flags (see sequence-wire.ts). */
      correlationId?: number | string;
      correlationIdUint?: boolean;
      flags?: number;
      /** The execute the call was made for (absent from a thread the model started): its trace and held instances. */
      executeId?: number | null;
    }
  | { type: 'log'; level: LogLevel; message: string }
  /** request.is_cancelled() / response_sender.is_cancelled(): asks about request `index` of execute `id`. */
  | { type: 'is-cancelled'; callId: number; id: number; index: number }
  /** A BLS response iterator's cancel(): cancels the request that call `callId` made. */
  | { type: 'bls-cancel'; callId: number }
  /** Custom metrics and model control (services.ts). */
  | ServiceRequest;

/** What the stub is started with (its one command-line argument, as JSON). */
export interface StubSetup {
  file: string;
  versionDir: string;
  modelName: string;
  /** The instance's name (`<model>_0_0`), which Triton's stub names in some errors; the model's name without one. */
  instanceName?: string;
}
