/** What flows through the engine's single inference path: requests, results, and the runner interface. */
import type { SequenceStateRow } from '../../contract/lab-api';
import type { ModelConfig } from '../config/gen/model_config_pb';
import type { LabError } from '../errors';
import type { Tensor } from '../tensor/tensor';
import type { ExecutionTimes, ModelStatistics } from './stats';
import type { TraceContext } from './trace';

/** Request and response parameters as Triton carries them (InferParameter: bool, int64 or string). */
export type ParameterValue = string | number | boolean;
export type Parameters = Record<string, ParameterValue>;

/**
 * Triton's sequence flags of a request (the `sequence_id`, `sequence_start` and `sequence_end`
 * parameters of HTTP and gRPC): a correlation id that is an unsigned 64-bit integer or a string.
 * A request without one (or with id 0 / "") is not part of a sequence.
 */
export interface SequenceFlags {
  id: bigint | string;
  start: boolean;
  end: boolean;
}

export interface InferRequest {
  /** Client-chosen id, echoed in the result and in Triton's error prefix. */
  id?: string;
  inputs: Tensor[];
  /** Outputs to return; empty or absent means all of the model's outputs. */
  outputs?: string[];
  parameters?: Parameters;
  /** The request's sequence flags, read from its parameters by the entry point (sequence batcher models). */
  sequence?: SequenceFlags;
  /** Set to record a trace of this request (and its ensemble steps and BLS calls). */
  trace?: TraceContext;
  signal?: AbortSignal;
  /**
   * Streaming (Triton's decoupled models, gRPC ModelStreamInfer, BLS exec(decoupled=True)): called
   * for every response as the model sends it, `final` on the last. `infer` then resolves once the
   * final flag came, with the last response that had one (empty outputs if none did); it rejects
   * only when the request failed as a whole (refused, crashed, execute() raised). A model that is
   * not decoupled answers once, with `final` set. Without it, a decoupled model must answer with
   * at most one response.
   */
  onResponse?: (response: StreamedResponse, final: boolean) => void;
}

/** One response of a stream: a result, an error the model sent as its response, or null for a final flag sent alone. */
export type StreamedResponse = InferResult | LabError | null;

export interface InferResult {
  modelName: string;
  modelVersion: number;
  id: string;
  outputs: Tensor[];
  /** Response parameters the model set (Python's InferenceResponse(parameters=…)); absent when none. */
  parameters?: Parameters;
  /** Where the time went (for an ensemble, summed over its steps), as Triton's statistics split it. */
  timing?: RequestTiming;
}

export interface RequestTiming extends ExecutionTimes {
  queueNs: number;
}

/** A request after Triton's checks: inputs keyed by name, shapes without the batch dimension, reshape applied. */
export interface PreparedRequest {
  id: string;
  /** 0 when the model does not batch. */
  batchSize: number;
  inputs: Map<string, Tensor>;
  /** Output names to produce. */
  requested: string[];
  parameters: Parameters;
  /** The sequence flags (sequence batcher models only; see SequenceFlags). */
  sequence?: SequenceFlags;
  trace?: TraceContext;
  /** Aborted when the caller cancels (gRPC cancel, closed stream, client disconnect, the lab's Cancel). */
  signal?: AbortSignal;
  /**
   * Set by the model runner: a backend whose models send responses themselves (Triton's response
   * sender) passes each one here as it is sent, `final` on the last (a null response: the final
   * flag alone). Once the final flag went through it, the result the backend returns for this
   * request is ignored. Backends that answer once just return their result.
   */
  respond?: (response: InstanceResponse | Tensor[] | Error | null, final: boolean) => void;
}

/** Anything the engine can run: a model version with instances, or an ensemble. */
export interface Runner {
  readonly modelName: string;
  readonly version: number;
  readonly config: ModelConfig;
  /** Triton's per-version statistics (success, failure, queue and compute durations, batch sizes). */
  readonly statistics: ModelStatistics;
  infer(req: InferRequest): Promise<InferResult>;
  /**
   * Stops taking requests, lets those executing finish and stops the instances. With `graceMs`,
   * within that time: what is not done by then is stopped at once (shutdown's deadline).
   */
  close(graceMs?: number): Promise<void>;
  /** Stops every instance at once, without waiting for anything (shutdown past its deadline). */
  kill?(): Promise<void>;
  /** The live sequences (models with sequence_batching), for the playground's running state. */
  sequences?(): SequenceStateRow[];
}

/** How backends find other models (BLS, ensemble steps): -1 means the latest ready version. */
export interface ModelResolver {
  resolve(model: string, version: number): Runner;
  /** Model control for models (python_backend's pb_utils.load_model & co.), where a server allows it. */
  modelControl?: ModelControl | undefined;
}

/** Triton's model control as a model may use it (BLS); errors are Triton's (explicit mode only, bad names, failed loads). */
export interface ModelControl {
  /** `config`: a JSON config override; `files`: "file:<version>/<name>" keys with their contents. */
  load(model: string, config: string, files: Record<string, Uint8Array>): Promise<void>;
  unload(model: string, unloadDependents: boolean): Promise<void>;
  /** -1: any version. */
  isReady(model: string, version: number): boolean;
}

/** A response with parameters (a backend that answers with plain tensors returns Tensor[]). */
export interface InstanceResponse {
  outputs: Tensor[];
  parameters?: Parameters;
}

/** Outcome per request from a backend instance: output tensors (with parameters or not), or an error for that request alone. */
export type InstanceResult = Tensor[] | InstanceResponse | Error;

/** The tensors of a response, whichever form it came in. */
export function responseOutputs(r: Tensor[] | InstanceResponse): Tensor[] {
  return Array.isArray(r) ? r : r.outputs;
}

/** The parameters of a response, when it has any. */
export function responseParameters(r: Tensor[] | InstanceResponse): Parameters | undefined {
  return Array.isArray(r) ? undefined : r.parameters && Object.keys(r.parameters).length > 0 ? r.parameters : undefined;
}

export interface BackendInstance {
  readonly name: string;
  /** Where it runs, e.g. "CPU" or "GPU 0". */
  readonly device: string;
  /**
   * How many execute() calls the runner may have in flight on this instance at once (default 1).
   * A Python instance whose execute is `async def` takes several, as Triton's stub runs them on
   * one event loop.
   */
  readonly maxConcurrent?: number;
  /**
   * Set by the runner: an instance whose maxConcurrent grows while executes are in flight (a Python
   * instance is free again once the stub's execute() returned, though responses are still owed)
   * calls it then, so queued requests go to it.
   */
  onAvailable?: () => void;
  /** Runs requests together (they may have been batched); one result per request. */
  execute(requests: PreparedRequest[]): Promise<InstanceResult[]>;
  /** The backend's own time for the last execute (the session run, the script's execute), in ns. */
  readonly lastOwnNs?: number;
  /** Time the last execute spent preparing inputs before that (tensor conversion, sending to a worker), in ns. */
  readonly lastInputNs?: number;
  /** Finalizes and stops the instance; with `graceMs`, a child not done by then is killed. */
  close(graceMs?: number): Promise<void>;
  /** Stops a child process or worker at once (no finalize). Instances without one need not have it. */
  kill?(): Promise<void>;
}
