/** Messages between a script model's host (main thread) and its worker. Tensors travel as typed arrays. */
import type { WireSequence } from '../sequence-wire';
import type { ApiDType } from '../../tensor/dtype';
import type { TensorData } from '../../tensor/tensor';
import type { ControlMessage, ControlRequest, LogLevel, WireError } from '../child-supervisor';

export type { LogLevel, WireError };

export interface WireTensor {
  name: string;
  dtype: ApiDType;
  shape: number[];
  data: TensorData;
}

export interface WireRequest extends WireSequence {
  id: string;
  inputs: WireTensor[];
  requested: string[];
  parameters: Record<string, string | number | boolean>;
}

/** A response: its outputs and the response parameters the model set (absent when none), or its error. */
export type WireResult = { outputs: WireTensor[]; parameters?: Record<string, string | number | boolean> } | { error: WireError };

/** Triton's JSON config shape (what `args.model_config` holds). */
export type ConfigJson = Record<string, unknown>;

/**
 * `cancelled`: one Int32 per request, set to 1 (Atomics) when its caller cancels; the worker's
 * request.is_cancelled() reads it, even while execute() runs without yielding.
 */
export type HostMessage = ControlRequest | { type: 'execute'; id: number; requests: WireRequest[]; cancelled?: SharedArrayBuffer } | { type: 'bls-result'; callId: number; result: WireResult };

export type WorkerMessage =
  | ControlMessage
  | { type: 'result'; id: number; responses: WireResult[]; ownNs: number }
  | { type: 'execute-error'; id: number; error: WireError }
  | ({
      type: 'bls';
      callId: number;
      model: string;
      version: number;
      requestId: string;
      inputs: WireTensor[];
      requested: string[];
      parameters: Record<string, string | number | boolean>;
    } & WireSequence)
  | { type: 'log'; level: LogLevel; message: string };

/** What the worker is started with. */
export interface WorkerSetup {
  /** The model file to import. */
  file: string;
  versionDir: string;
  modelDir: string;
  instanceName: string;
}

/** Buffers that belong to the worker's own outputs may move to the host without copying. */
export function transferables(tensors: readonly WireTensor[]): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const t of tensors) {
    if (Array.isArray(t.data)) continue;
    const buf = t.data.buffer;
    if (buf instanceof ArrayBuffer && buf.byteLength === t.data.byteLength) seen.add(buf);
  }
  return [...seen];
}
