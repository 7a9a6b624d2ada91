/**
 * The lab API: one typed contract, served over IPC by the Electron main
 * process and over HTTP by the lab server, called by the renderer through
 * `useBackend()`. Types only — nothing here runs.
 */

export type ModelState = 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING';
export type Severity = 'error' | 'warning' | 'info';

/** A problem found in a repository, pointing at a file (and line) when it can. */
export interface Diagnostic {
  severity: Severity;
  /** Stable identifier of the rule, e.g. `config.syntax` or `ensemble.tensor-unused`. */
  code: string;
  message: string;
  /** Path relative to the repository root, `/`-separated. */
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** Config field the diagnostic is about, e.g. `input[0].dims`. */
  field?: string;
  /** What to do about it, when there is a clear fix. */
  fix?: string;
}

export interface FileNode {
  name: string;
  /** Relative to the repository root, `/`-separated. */
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  size?: number;
  children?: FileNode[];
  /** Set when a folder's listing was cut short (too many entries, too deep, unreadable, a loop). */
  truncated?: string;
}

export interface VersionSummary {
  version: number;
  /** Selected by the model's version policy. */
  served: boolean;
  state: ModelState;
  reason: string;
  files: FileNode[];
  /** Where its instances run once loaded, e.g. "CPU" or "GPU 0". */
  device?: string;
  /** Why the device the config asked for is not used (e.g. no CUDA here). */
  deviceNote?: string;
}

export interface ModelSummary {
  name: string;
  state: ModelState;
  reason: string;
  /** Backend name as Triton resolves it (onnxruntime, python, ensemble, ...), empty when unknown. */
  backend: string;
  platform: string;
  isEnsemble: boolean;
  /** Whether this lab can run the backend (it may still be unavailable for other reasons). */
  runnable: boolean;
  hasConfigFile: boolean;
  versions: VersionSummary[];
  /** Files directly in the model folder (config.pbtxt, labels, ...). */
  files: FileNode[];
  errors: number;
  warnings: number;
}

export interface RepositoryInfo {
  id: string;
  path: string;
  /** Folder name, for display. */
  name: string;
  sample: boolean;
  controlMode: 'none' | 'poll' | 'explicit';
  watching: boolean;
  pollSecs: number;
  /** Problems with the repository itself (unreadable, not a folder, ...). */
  diagnostics: Diagnostic[];
  models: ModelSummary[];
  loading: boolean;
}

export interface IoRow {
  name: string;
  /** Config spelling, e.g. TYPE_FP32. */
  dataType: string;
  /** Wire spelling, e.g. FP32 or BYTES. */
  datatype: string;
  dims: number[];
  /** The shape a request carries: [-1, ...dims] when the model batches, else dims. */
  fullShape: number[];
  reshape?: number[];
  format?: string;
  optional?: boolean;
  isShapeTensor?: boolean;
  labelFilename?: string;
}

export interface InstanceGroupRow {
  name: string;
  kind: string;
  count: number;
  gpus: number[];
}

export interface EnsembleStepRow {
  modelName: string;
  modelVersion: number;
  inputMap: Record<string, string>;
  outputMap: Record<string, string>;
}

export interface ModelDetail {
  repoId: string;
  summary: ModelSummary;
  /** config.pbtxt as written, or undefined when the folder has none. */
  configText?: string;
  configPath?: string;
  diagnostics: Diagnostic[];
  /** The configuration Triton would use, in text format and in Triton's /config JSON shape. */
  completedConfigText?: string;
  completedConfigJson?: unknown;
  /** Fields the lab filled in (auto-complete and defaults), by config path. */
  autoFilled: string[];
  maxBatchSize: number;
  inputs: IoRow[];
  outputs: IoRow[];
  instanceGroups: InstanceGroupRow[];
  scheduling: 'none' | 'dynamic_batching' | 'sequence_batching' | 'ensemble_scheduling';
  ensembleSteps: EnsembleStepRow[];
  versionPolicy: string;
  defaultModelFilename: string;
}

export interface HostInfo {
  mode: 'electron' | 'browser';
  appVersion: string;
  platform: string;
  /** A native folder dialog is available (Electron); browser mode types a path instead. */
  canPickFolder: boolean;
  /** Folder holding the bundled sample repositories, when present. */
  samplesDir?: string;
}

export interface FileContent {
  path: string;
  size: number;
  /** UTF-8 text, or undefined when the file is binary or too large to show. */
  text?: string;
  note?: string;
}

/** Where the Triton endpoints listen; port 0 takes any free port. */
export interface ServeSettings {
  host: string;
  httpPort: number;
  grpcPort: number;
  metricsPort: number;
}

/** The Triton-compatible server (HTTP, gRPC, metrics) the app can run for one open repository. */
export interface ServeStatus {
  /** Whether this host can serve at all. */
  available: boolean;
  state: 'stopped' | 'starting' | 'running' | 'stopping';
  repoId?: string;
  repoName?: string;
  /** Base URLs once running, e.g. http://127.0.0.1:8000 and 127.0.0.1:8001. */
  http?: string;
  grpc?: string;
  metrics?: string;
  /** Requests being answered now. */
  inFlight: number;
  /** Why the last start failed, or what went wrong while stopping. */
  error?: string;
  /** The settings of the running server, or the ones a start would use. */
  settings: ServeSettings;
}

export type LabEvent =
  | { type: 'repositories-changed' }
  | { type: 'repository-changed'; repoId: string }
  | { type: 'models-changed'; repoId: string; models: string[] }
  | { type: 'serve-changed'; status: ServeStatus };

/** Every method: request → response. Transports derive their routes from these keys. */
export interface LabMethods {
  hostInfo: { req: Record<string, never>; res: HostInfo };
  listRepositories: { req: Record<string, never>; res: RepositoryInfo[] };
  openRepository: { req: { path: string }; res: RepositoryInfo };
  openSamples: { req: Record<string, never>; res: RepositoryInfo[] };
  closeRepository: { req: { repoId: string }; res: { closed: boolean } };
  reloadRepository: { req: { repoId: string }; res: RepositoryInfo };
  pickRepositoryFolder: { req: Record<string, never>; res: { path: string | null } };
  getModel: { req: { repoId: string; model: string }; res: ModelDetail };
  loadModel: { req: { repoId: string; model: string }; res: ModelSummary };
  unloadModel: { req: { repoId: string; model: string }; res: ModelSummary };
  /** Stops a model's loading before its next instance starts. */
  cancelLoad: { req: { repoId: string; model: string }; res: { cancelled: boolean } };
  setWatch: { req: { repoId: string; enabled: boolean; pollSecs?: number }; res: RepositoryInfo };
  readFile: { req: { repoId: string; path: string }; res: FileContent };
  serveStatus: { req: Record<string, never>; res: ServeStatus };
  /** Serves one open repository over Triton's HTTP, gRPC and metrics endpoints (stopping any other). */
  startServing: { req: { repoId: string } & Partial<ServeSettings>; res: ServeStatus };
  /** Stops gracefully: requests in flight finish first. */
  stopServing: { req: Record<string, never>; res: ServeStatus };
}

export type LabMethod = keyof LabMethods;
export type LabRequest<M extends LabMethod> = LabMethods[M]['req'];
export type LabResponse<M extends LabMethod> = LabMethods[M]['res'];

/** The client the renderer uses; IPC and HTTP implement it the same way. */
export interface LabClient {
  call<M extends LabMethod>(method: M, req: LabRequest<M>): Promise<LabResponse<M>>;
  onEvent(listener: (ev: LabEvent) => void): () => void;
}

/** Errors cross every transport in this shape. */
export interface LabErrorBody {
  error: { code: string; message: string };
}
