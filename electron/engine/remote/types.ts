/**
 * What the engine needs of a remote Triton server, as an interface: the protocol clients (HTTP and
 * gRPC) live in `server/remote/` (they share the server's protocol pieces, which the engine may not
 * import) and reach the engine through `HostCapabilities.remote`. Every method rejects with a
 * LabError whose `reason` says what went wrong on the way (see `RemoteFailure`), and whose message a
 * user can act on; a server's own error comes back with its message as the server wrote it.
 */
import type { RemoteModelMetadata, RemoteProtocol } from '../../contract/remote-api';
import type { Parameters } from '../runtime/types';
import type { Tensor } from '../tensor/tensor';

export interface TritonConnectOptions {
  /** Parsed and checked: scheme http/https/grpc/grpcs, host, port. */
  url: string;
  headers: Record<string, string>;
  /** PEM text of the CA(s) to trust, already read from the user's file. */
  caPem?: string;
  skipVerify?: boolean;
  timeoutMs: number;
}

/** One entry of the repository index (`POST /v2/repository/index`, RepositoryIndex). */
export interface RemoteIndexEntry {
  name: string;
  version: string;
  state: string;
  reason: string;
}

/** Triton's per-model statistics, in the HTTP `/v2/models/<m>/stats` JSON shape (gRPC's converted to it). */
export interface RemoteStatistics {
  model_stats: {
    name: string;
    version: string;
    last_inference?: number;
    inference_count?: number;
    execution_count?: number;
    inference_stats?: Record<string, { count?: number; ns?: number }>;
    batch_stats?: { batch_size: number; compute_input?: { count?: number; ns?: number }; compute_infer?: { count?: number; ns?: number }; compute_output?: { count?: number; ns?: number } }[];
    /** Per response index (decoupled models): compute_infer, compute_output, success, fail, empty_response, cancel. */
    response_stats?: Record<string, Record<string, { count?: number; ns?: number }>>;
    /** Memory a model took when it loaded (Triton 2.40+): type CPU, CPU_PINNED or GPU. */
    memory_usage?: { type: string; id: number; byte_size: number }[];
  }[];
}

export interface RemoteInferRequest {
  id?: string;
  inputs: Tensor[];
  /** Output names to ask for; absent: all. */
  outputs?: string[];
  parameters?: Parameters;
  signal?: AbortSignal;
}

export interface RemoteInferResult {
  modelVersion: string;
  outputs: Tensor[];
  parameters?: Parameters;
  /** Client-side time to send the request and to read the response, for the profiler. */
  sendNs: number;
  recvNs: number;
}

/** One connection to one server (HTTP/1.1 keep-alive or one gRPC channel). */
export interface TritonConnection {
  readonly protocol: RemoteProtocol;
  serverMetadata(): Promise<{ name: string; version: string; extensions: string[] }>;
  ready(): Promise<boolean>;
  repositoryIndex(): Promise<RemoteIndexEntry[]>;
  /** Triton's model configuration JSON (`GET /v2/models/<m>/config`; gRPC's ModelConfig as proto3 JSON). */
  modelConfig(model: string, version?: string): Promise<unknown>;
  modelMetadata(model: string, version?: string): Promise<RemoteModelMetadata>;
  statistics(model?: string, version?: string): Promise<RemoteStatistics>;
  load(model: string): Promise<void>;
  unload(model: string): Promise<void>;
  /** Binary tensor data (HTTP's binary extension; gRPC raw contents). */
  infer(model: string, version: string, req: RemoteInferRequest): Promise<RemoteInferResult>;
  /**
   * Optional: the request encoded once, sent as often as asked (the profiler's loop, as
   * perf_analyzer builds its requests before measuring: an encode per request is measured too).
   */
  prepareInfer?(model: string, version: string, req: Omit<RemoteInferRequest, 'signal'>): { send(signal?: AbortSignal): Promise<RemoteInferResult> };
  close(): void;
}

/** A GET of a plain-text URL with the server's headers and TLS options (for `/metrics`), bounded in size. */
export type FetchText = (url: string, opts: Omit<TritonConnectOptions, 'url'>) => Promise<string>;

/** Keeps header values (secrets) out of the settings file. */
export interface CredentialStore {
  readonly kind: 'safeStorage' | 'file' | 'memory';
  /** Why stored values could not be used or kept (a refused file, no OS encryption), for the server page. */
  readonly problem?: string | undefined;
  get(serverId: string): Promise<Record<string, string>>;
  set(serverId: string, headers: Record<string, string>): Promise<void>;
  delete(serverId: string): Promise<void>;
}

/** What a host gives the engine for remote servers. */
export interface RemoteHost {
  connect(opts: TritonConnectOptions): TritonConnection;
  fetchText: FetchText;
  credentials: CredentialStore;
}
