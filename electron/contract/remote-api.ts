/**
 * Types of the lab API for remote Triton servers (a real Triton on a GPU node or in a cluster, or
 * another `model-lab serve`): adding one by URL with headers and TLS options, browsing it in the
 * tree beside local repositories (its RepositoryInfo carries `remote`), and scraping its metrics.
 * Header values are secrets: they go into the credential store and never come back through the API.
 */

export type RemoteProtocol = 'http' | 'grpc';

export interface RemoteTls {
  /** A PEM file with the CA(s) to trust (absolute path, read when connecting). */
  caFile?: string;
  /** Accept any certificate (the UI warns: anyone on the path can read and change the traffic). */
  skipVerify?: boolean;
}

/** What the user gives to add a server. */
export interface RemoteServerRequest {
  /** `http://host:8000`, `https://…`, `grpc://host:8001` or `grpcs://…` (gRPC over TLS); `host:port` alone means http. */
  url: string;
  /** Shown in the tree; defaults to the URL's host:port. */
  name?: string;
  /** Sent with every request (e.g. `authorization`, `admin-key`). Kept in the credential store, never returned. */
  headers?: Record<string, string>;
  tls?: RemoteTls;
  /** Per-request timeout in ms (default 10000). */
  timeoutMs?: number;
  /** Where Prometheus metrics are; default the server's host on port 8002, `/metrics`. */
  metricsUrl?: string;
}

export interface RemoteServerInfo {
  /** Also the `repoId` of its entry in `listRepositories` (starts with `remote:`). */
  id: string;
  name: string;
  url: string;
  protocol: RemoteProtocol;
  tls: RemoteTls;
  /** The header names sent (values are never returned). */
  headerNames: string[];
  /** Where the header values are kept: Electron's safeStorage, a 0600 file (browser mode), or memory only (tests, CLI). */
  credentialStore: 'safeStorage' | 'file' | 'memory';
  metricsUrl: string;
  timeoutMs: number;
  state: 'connecting' | 'connected' | 'unreachable';
  /** Why it is unreachable (refused, timeout, TLS, bad answer…), in words a user can act on. */
  error?: { code: string; message: string };
  /** From the server's metadata (`GET /v2`, ServerMetadata). */
  server?: { name: string; version: string; extensions: string[] };
  /** e.g. certificate checks are off. */
  warnings: string[];
}

/** What the settings file keeps of an added server (never a header value: those are in the credential store). */
export interface StoredRemoteServer {
  id: string;
  name: string;
  url: string;
  tls: RemoteTls;
  timeoutMs: number;
  metricsUrl: string;
  headerNames: string[];
}

/** A model's metadata as the server reports it (`GET /v2/models/<m>[/versions/<v>]`). */
export interface RemoteModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: { name: string; datatype: string; shape: number[] }[];
  outputs: { name: string; datatype: string; shape: number[] }[];
}

/** One scrape of a Prometheus `/metrics` endpoint, reduced to what the metrics view charts. */
export interface MetricsSnapshot {
  url: string;
  /** Milliseconds since the epoch, when the scrape ended. */
  time: number;
  /** Cumulative counters per model and version (Triton's nv_inference_* families; microseconds as Triton counts them). */
  models: {
    model: string;
    version: string;
    success: number;
    failure: number;
    inferenceCount: number;
    executionCount: number;
    requestUs: number;
    queueUs: number;
    computeInputUs: number;
    computeInferUs: number;
    computeOutputUs: number;
    /** nv_inference_pending_request_count, when present. */
    pending?: number;
  }[];
  /** From the nv_gpu_* families, when present (a server with GPUs). */
  gpus: { uuid: string; utilization?: number; memoryUsedBytes?: number; memoryTotalBytes?: number; powerWatts?: number }[];
  /** From nv_cpu_utilization (0..1) and nv_cpu_memory_{used,total}_bytes, when the server exports them. */
  cpu?: { utilization?: number; memoryUsedBytes?: number; memoryTotalBytes?: number };
  /** Every family name seen, for the "raw" list. */
  families: string[];
}
