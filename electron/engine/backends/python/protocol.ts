/**
 * Messages between the lab and a Python stub process (py/model_lab_stub.py).
 * Each is one frame: a JSON header, then the raw bytes of the tensors it
 * names (`TensorMeta.offset` into the frame's payload).
 */
import type { ErrorCode } from '../../errors';
import type { ApiDType } from '../../tensor/dtype';

export interface TensorMeta {
  name: string;
  dtype: ApiDType;
  shape: number[];
  /** Byte offset into the payload (8-byte aligned). */
  offset: number;
  nbytes: number;
}

export interface WireError {
  code: ErrorCode;
  message: string;
}

/** One response as the stub sends it. */
export type WireResponse = { outputs: TensorMeta[] } | { error: WireError };

export type LogLevel = 'info' | 'warn' | 'error' | 'verbose';

export type ToStub =
  | { type: 'init'; args: Record<string, string> }
  | { type: 'autocomplete'; config: string }
  | { type: 'execute'; id: number; requests: { id: string; inputs: TensorMeta[]; requested: string[]; parameters: Record<string, string | number | boolean> }[] }
  | ({ type: 'bls-result'; callId: number } & ({ outputs: TensorMeta[] } | { error: WireError }))
  | { type: 'finalize' };

export type FromStub =
  | { type: 'loaded'; hasAutoComplete: boolean }
  | { type: 'load-error'; error: WireError }
  | { type: 'ready' }
  | { type: 'init-error'; error: WireError }
  | { type: 'autocomplete-result'; config?: Record<string, unknown>; error?: WireError }
  /** execute() returned; null entries are answered (or still to be answered) by response senders. */
  | { type: 'executed'; id: number; responses: (WireResponse | null)[]; ownNs: number }
  | { type: 'execute-error'; id: number; error: WireError }
  | { type: 'response'; id: number; index: number; response?: WireResponse; final: boolean }
  | { type: 'bls'; callId: number; model: string; version: number; requestId: string; inputs: TensorMeta[]; requested: string[]; parameters: Record<string, string | number | boolean> }
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'finalized' };

/** What the stub is started with (its one command-line argument, as JSON). */
export interface StubSetup {
  file: string;
  versionDir: string;
  modelName: string;
}
