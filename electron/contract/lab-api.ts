/**
 * The lab API: one typed contract, served over IPC by the Electron main
 * process and over HTTP by the lab server, called by the renderer through
 * `useBackend()`. Types only — nothing here runs.
 */
import type { DeploymentExport, DeploymentExportRequest, OnnxConversion, OnnxConversionRequest, PortabilityReport } from './deploy-api';
import type { ConfigFromModel, ExportedTrace, GraphAnalysis, GraphObservation, GraphObserveRequest, GraphSummary, StepAction, StepRunRequest, StepRunState } from './inspect-api';
import type { MetricsSnapshot, RemoteModelMetadata, RemoteServerInfo, RemoteServerRequest, StoredRemoteServer } from './remote-api';
import type { ProfileRequest, ProfileRun, WhatIfRequest, WhatIfRun } from './profile-api';

export type * from './inspect-api';
export type * from './deploy-api';
export type * from './remote-api';
export type * from './profile-api';

export type ModelState = 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING';
export type Severity = 'error' | 'warning' | 'info';

/**
 * Why something failed or did not run, for code to decide on: messages are for people and follow
 * Triton's wording, so nothing matches their text. Carried by the engine's LabErrors and by model
 * and version summaries (`reasonCode`). The one list of them.
 */
export type ErrorReason =
  /** The dynamic batcher's queue for the request's priority level is full (Triton: "Exceeds maximum queue size"). */
  | 'QUEUE_FULL'
  /** The request waited in the queue past its timeout (Triton: "Request timeout expired"). */
  | 'QUEUE_TIMEOUT'
  /** A model's worker or process did not answer in time (load, initialize(), execute()). */
  | 'TIMED_OUT'
  /** Explicit model control: the model was never asked to load. */
  | 'NOT_LOADED'
  /** The folder's code is not trusted, so the model's code was not run. */
  | 'UNTRUSTED'
  /** A Python model found no Python 3 interpreter with numpy. */
  | 'PYTHON_ENV'
  /** ONNX Runtime's native binding did not load on this computer (no binary for it, or missing system libraries). */
  | 'ORT_BINDING'
  /** A remote server refused the connection (nothing listens there, or a firewall). */
  | 'REMOTE_REFUSED'
  /** A remote server did not answer within the timeout. */
  | 'REMOTE_TIMEOUT'
  /** TLS failed: untrusted or mismatched certificate, or TLS spoken to a plain port (or the reverse). */
  | 'REMOTE_TLS'
  /** The name did not resolve, or the connection dropped (the server vanished mid-request). */
  | 'REMOTE_UNREACHABLE'
  /** The server answered with something that is not Triton's protocol. */
  | 'REMOTE_PROTOCOL';

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
  /** A fix the lab can make itself (applyRepair), shown to the user as a diff first. */
  repair?: RepairPlan;
}

/** One line of a model's log: its loading, its instances' restarts, and what its code prints or logs. */
export interface LogEntry {
  /** Milliseconds since the epoch. */
  time: number;
  level: 'verbose' | 'info' | 'warn' | 'error';
  message: string;
  /** Set on the lab's own record of the version's life (the message says the same in English), so the UI can word it in the user's language. */
  event?: LogEvent;
}

/** A step in a version's life that the lab records in its log: loading, loaded (with how long and where), failed (why), unloaded, and where a reload's lines begin. */
export interface LogEvent {
  kind: 'loading' | 'loaded' | 'failed' | 'unloaded' | 'reloaded';
  version: number;
  /** How long the load took (loaded). */
  ms?: number;
  /** Where the instances run (loaded), e.g. "CPU". */
  device?: string;
  /** How many instances were started (loading, loaded). */
  instances?: number;
  /** Why (failed), in Triton's words. */
  reason?: string;
}

/** Files a repair writes: a new config, made from (and replacing) one Triton never reads. */
export interface RepairPlan {
  /** File to create, relative to the repository root; it must not exist. */
  write: string;
  text: string;
  /** The file it replaces: shown as the diff's left side, then moved to `keepAs` (nothing is deleted). */
  from?: { file: string; text: string; keepAs: string };
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
  /** Why, for code to decide on (the reason's text is for people). */
  reasonCode?: ErrorReason;
  files: FileNode[];
  /** Where its instances run once loaded, e.g. "CPU" or "GPU 0". */
  device?: string;
  /** Why the device the config asked for is not used (e.g. no CUDA here). */
  deviceNote?: string;
  /** Each loaded instance and where it runs (set by backends that know, e.g. ONNX Runtime's execution provider). */
  instances?: InstancePlacement[];
}

/** Where one instance of a loaded version runs. */
export interface InstancePlacement {
  /** The instance's name, e.g. "add_0_0". */
  name: string;
  /** "CPU" or "GPU 0". */
  device: string;
  /** ONNX Runtime's execution provider, e.g. "CPUExecutionProvider" or "CUDAExecutionProvider". */
  provider?: string;
}

/**
 * The last reload of a model failed while its earlier versions kept serving (Triton keeps them):
 * the model is READY, and this says why the new files did not load.
 */
export interface ReloadFailure {
  /** 'poll': the model folder or its config could not be read; 'load': a version did not load. */
  kind: 'poll' | 'load';
  /** Triton's wording of the failure. */
  reason: string;
  /** Milliseconds since the epoch. */
  time: number;
}

export interface ModelSummary {
  name: string;
  state: ModelState;
  reason: string;
  /** Why, for code to decide on (the reason's text is for people). */
  reasonCode?: ErrorReason;
  /** Set while the model serves its previously loaded versions after a reload that failed. */
  reloadFailure?: ReloadFailure;
  /** Backend name as Triton resolves it (onnxruntime, python, ensemble, ...), empty when unknown. */
  backend: string;
  platform: string;
  isEnsemble: boolean;
  /** Whether this lab can run the backend (it may still be unavailable for other reasons). */
  runnable: boolean;
  /** What the backend runs, from its module (e.g. "ONNX models, in ONNX Runtime"); absent without a backend. */
  backendRuns?: string;
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
  /** Whether its code may run; untrusted repositories are browsed without starting script models. */
  trust: TrustState;
  /** It has models that run code from the folder (script backend). */
  hasCode: boolean;
  /** Set when this entry is a remote Triton server (its id is the repoId; `path` is its URL). */
  remote?: RemoteServerInfo;
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
  /** The member has sequence_batching: it takes the ensemble request's sequence id and flags. */
  sequence?: boolean;
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
  /** A remote server's model: its metadata as the server reports it (the config shown is the server's, printed as config.pbtxt). */
  remoteMetadata?: RemoteModelMetadata;
}

export interface HostInfo {
  mode: 'electron' | 'browser';
  appVersion: string;
  platform: string;
  /** A native folder dialog is available (Electron); browser mode types a path instead. */
  canPickFolder: boolean;
  /** A native file dialog for playground inputs (`pickInputFile`, Electron); browser mode uploads files instead. */
  canPickFile?: boolean;
  /** Folder holding the bundled sample repositories, when present. */
  samplesDir?: string;
  /** Folders of the saved workspace (or the command line) that did not open at start, and why. */
  workspaceSkipped?: WorkspaceSkip[];
  /**
   * The selection of the last session, offered while the lab runs on the workspace it reopened at
   * start and nothing was selected since (a window opened later in the same run starts as it is).
   */
  restoreSelection?: NonNullable<LabWorkspace['selection']>;
}

/** A folder the lab was to reopen at start that did not open (vanished, not a repository, …). */
export interface WorkspaceSkip {
  path: string;
  reason: string;
}

export interface FileContent {
  path: string;
  size: number;
  /** UTF-8 text, or undefined when the file is binary or too large to show. */
  text?: string;
  note?: string;
}

// ---------------------------------------------------------------------------
// Running models from the lab (playground), and looking at tensors.

export type TensorDType = 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BF16' | 'BYTES';

/**
 * Where an image comes from: a file on this machine, a bundled sample image (by file name), or bytes the UI read (base64).
 * A `path` is read only inside an open repository or the sample images, or when the user picked it (`pickInputFile`).
 */
export type ImageSource = { path: string } | { sample: string } | { base64: string; fileName?: string };

/** Whether the playground may read a typed path, and why not: outside what it reads, missing, or a folder. */
export interface InputPathCheck {
  path: string;
  readable: boolean;
  reason?: 'outside' | 'missing' | 'not-a-file';
}

/** One input of a playground request, described the way the form builds it; the engine turns it into a tensor. */
export type InputSpec =
  /** Values as JSON, flat (row-major) or nested; the shape is given. BYTES take strings, BOOL take booleans. */
  | { name: string; kind: 'values'; dtype: TensorDType; shape: number[]; values: unknown[] }
  /** Generated data of the given shape. */
  | { name: string; kind: 'generate'; dtype: TensorDType; shape: number[]; fill: 'zeros' | 'ones' | 'random' | 'range' }
  /** One string element per line (BYTES). */
  | { name: string; kind: 'text'; lines: string[]; shape?: number[] }
  /** A file's bytes, as they are (UINT8 [-1] or one BYTES element), e.g. an encoded image for the OCR ensemble. */
  | { name: string; kind: 'bytes'; source: ImageSource; dtype: 'UINT8' | 'BYTES' }
  /** An image decoded to pixels: HWC or CHW, optional resize, scale then (x - mean) / std per channel, RGB or BGR order. */
  | {
      name: string;
      kind: 'image';
      source: ImageSource;
      dtype: 'FP32' | 'UINT8';
      layout: 'HWC' | 'CHW';
      channels: 1 | 3;
      order?: 'RGB' | 'BGR';
      resize?: { width: number; height: number };
      /** Multiply by this first (e.g. 1/255). */
      scale?: number;
      mean?: number[];
      std?: number[];
    };

export interface RunRequest {
  repoId: string;
  model: string;
  /** Latest ready version when absent. */
  version?: number;
  inputs: InputSpec[];
  /** Outputs to return; all when absent. */
  outputs?: string[];
  /** Chosen by the UI so the run can be cancelled while it runs. */
  runId?: string;
  /** Add the batch dimension a batching model needs to inputs whose shape leaves it out (default true). */
  addBatchDim?: boolean;
  /** Request parameters, as Triton's clients send them (bool, integer or string values). */
  parameters?: Record<string, string | number | boolean>;
  /**
   * Sequence flags for a model with sequence_batching: the correlation id (a decimal string holding
   * an unsigned 64-bit integer, or any other string for a string id, as the model's CORRID type says),
   * and whether this request starts or ends the sequence.
   */
  sequence?: RunSequence;
}

/** One live sequence of a sequence_batching model, as the playground shows it. */
export interface SequenceStateRow {
  /** The correlation id as text (a uint64 in decimal, or the string id). */
  id: string;
  idIsString: boolean;
  version: number;
  /** The instance (and batch slot, for the direct strategy) it is bound to, if any. */
  instance?: string;
  slot?: number;
  /** Requests it has taken so far, and when it last got one (ms since the epoch). */
  requests: number;
  lastAt: number;
  /** When it is dropped for being idle (ms since the epoch), from max_sequence_idle_microseconds. */
  idleUntil: number;
  /** The implicit state it carries (sequence_batching.state), by name, with shape and type. */
  state?: { name: string; dtype: string; shape: number[] }[];
}

export interface RunSequence {
  id: string;
  /** The id is a string correlation id (TYPE_STRING CORRID), not a number. */
  idIsString?: boolean;
  start?: boolean;
  end?: boolean;
}

export interface TensorStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  nan: number;
  inf: number;
}

/** How a tensor can be shown as an image (batch, height, width, channels at their axes). */
export interface ImageLayout {
  /** ENCODED: the tensor holds image files (PNG, JPEG, ...), one per batch entry; the size is the first one's. */
  layout: 'HW' | 'HWC' | 'CHW' | 'NHW' | 'NHWC' | 'NCHW' | 'ENCODED';
  batch: number;
  height: number;
  width: number;
  channels: number;
}

/** A tensor of a run as the UI first sees it: metadata and summaries; the data itself is fetched in pages. */
export interface TensorInfo {
  name: string;
  dtype: TensorDType;
  shape: number[];
  elements: number;
  byteSize: number;
  /** Numbers (FP16/BF16 decoded): statistics over every element. */
  stats?: TensorStats;
  /** BOOL: how many are true. */
  trueCount?: number;
  /** BYTES: how many elements are not valid UTF-8 (shown as hex). */
  binaryElements?: number;
  /** Ways it could be an image, best guess first. */
  imageLayouts: ImageLayout[];
}

export interface RunStep {
  /** Span id in the run's trace; children point at it with parentId. */
  id?: number;
  parentId?: number;
  /** Ensemble step index or BLS call, for traces. */
  kind: 'request' | 'step' | 'bls';
  model: string;
  version: number;
  step?: number;
  /** Milliseconds from the run's start. */
  startMs: number;
  queueMs: number;
  computeMs: number;
  totalMs: number;
  /** Milliseconds from the run's start when it was queued / began computing (for timelines). */
  queueStartMs?: number;
  computeStartMs?: number;
  instance?: string;
  /** How many requests its instance ran together. */
  batchedWith?: number;
  /** Whether its input and output tensors were kept (viewable through TensorRef.spanId). */
  hasTensors?: boolean;
  error?: string;
}

export interface RunResult {
  runId: string;
  repoId: string;
  model: string;
  version: number;
  /** When it ran (ms since the epoch) and how long it took end to end. */
  startedAt: number;
  ms: number;
  state: 'ok' | 'error' | 'cancelled';
  error?: string;
  /** How it was started: a plain run, or a step-through, whose `ms` includes the time it stood paused. */
  mode?: 'run' | 'step';
  /** Step-through: the time spent paused between steps (so compute can be told from waiting). */
  pausedMs?: number;
  /** What went in, in a few words for the run history: sample or file names per image input, "values" for typed ones. */
  inputLabel?: string;
  /** Something the user should know about the outputs shown (a decoupled model sent several responses). */
  note?: string;
  /** The request parameters it was sent with, and the response parameters the model set. */
  requestParameters?: Record<string, string | number | boolean>;
  responseParameters?: Record<string, string | number | boolean>;
  /** The sequence it was part of (sequence_batching models). */
  sequence?: RunSequence;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  steps: RunStep[];
}

/**
 * A tensor the viewers can page through: a run's input or output, a tensor
 * inside an ensemble run (side 'edge', by ensemble tensor name), a step's or
 * BLS call's own input/output (side 'input'/'output' with `spanId`), or an
 * ONNX initializer (side 'initializer', `runId` = GraphSummary.graphId).
 */
export interface TensorRef {
  runId: string;
  side: 'input' | 'output' | 'edge' | 'initializer';
  name: string;
  /** A span of the run's trace (RunStep.id): its own inputs/outputs instead of the run's. */
  spanId?: number;
}

/** Elements [offset, offset + values.length) of a tensor, row-major: numbers (int64 as strings when beyond 2^53), booleans, or strings. */
export interface TensorPage {
  offset: number;
  total: number;
  values: (number | string | boolean | null)[];
  /** BYTES: elements that are not UTF-8 come as hex and are flagged here (by position in `values`). */
  hex?: number[];
}

export interface ImageRequest extends TensorRef {
  layout: ImageLayout['layout'];
  batchIndex?: number;
  /** Value range mapped to 0..255; the data's own min..max when absent. */
  range?: [number, number];
  /** Channel order of 3-channel data (BGR is swapped for display). */
  order?: 'RGB' | 'BGR';
}

export interface RenderedImage {
  width: number;
  height: number;
  /** A PNG, base64. */
  png: string;
  range: [number, number];
}

export interface HeatmapRequest extends TensorRef {
  /** Which index to take on every axis except the two shown (`axes`, else the last two), in axis order. */
  fixed: number[];
  /** The axes shown as rows and columns (two different axes); the last two when absent. */
  axes?: [number, number];
  /** At most this many cells per side; larger slices are averaged down. */
  maxSide?: number;
}

export interface Heatmap {
  rows: number;
  cols: number;
  /** Source cells per shown cell, per axis. */
  step: [number, number];
  /** The real extremes of the slice's finite elements (the colour scale's ends). */
  min: number;
  max: number;
  png: string;
}

export interface Histogram {
  min: number;
  max: number;
  counts: number[];
}

export interface ExportedTensor {
  fileName: string;
  /** The file's bytes, base64. */
  base64: string;
  mime: string;
}

export interface RunSnippets {
  curl: string;
  python: string;
}

/** A repository with script models runs code on load: the user decides first (samples are trusted). */
export type TrustState = 'trusted' | 'untrusted' | 'browse-only';
export type TrustDecision = 'once' | 'always' | 'browse-only';

export interface ModelStatsRow {
  version: number;
  success: number;
  failure: number;
  inferenceCount: number;
  executionCount: number;
  /** Average per successful request, in ms. */
  avgRequestMs: number;
  avgQueueMs: number;
  avgComputeMs: number;
  /** Executions per batch size. */
  batches: { size: number; executions: number }[];
  pending: number;
}

export interface LabSettings {
  theme: 'system' | 'light' | 'dark';
  locale: 'system' | 'en' | 'zh-CN';
  /** Most recent first. */
  recentRepositories: string[];
  /** The Python interpreter for Python models (a path or a command on the PATH); empty or absent: found automatically. A model's own config parameter still wins. */
  pythonExecutable?: string;
  /** Walkthrough progress by walkthrough id, so a tour resumes where it was left. */
  walkthroughs?: Record<string, { step: number; done: boolean }>;
  /**
   * The repositories open when the lab last ran, in tree order, and what was selected: reopened on
   * the next start. Absent before the first start (then the samples open); an empty list means the
   * user closed them all, and nothing opens.
   */
  workspace?: LabWorkspace;
  /** Remote servers added by URL (kept by the lab itself: setSettings leaves them alone; header values are never here). */
  remoteServers?: StoredRemoteServer[];
}

export interface LabWorkspace {
  repositories: { path: string; sample?: boolean }[];
  /** The selection by repository path (ids change between runs). */
  selection?: { path: string; model?: string; version?: number; file?: string; /** The model view's tab ('run', 'log', …), reopened with the model. */ tab?: string };
}

/** Where the Triton endpoints listen; port 0 takes any free port. */
export interface ServeSettings {
  host: string;
  httpPort: number;
  grpcPort: number;
  metricsPort: number;
  /**
   * Whether clients may load and unload models over the API (Triton's repository extension, with
   * config and file overrides). Off by default: a served folder stays as the lab loaded it.
   */
  modelControl: boolean;
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

/**
 * What the desktop app's menu asks of the window (Electron main sends these to
 * its own window only; the lab and browser mode never emit them).
 */
export type AppCommand = { kind: 'reload-selected' } | { kind: 'close-selected' } | { kind: 'select-repository'; repoId: string } | { kind: 'show-recent' };

export type LabEvent =
  | { type: 'repositories-changed' }
  | { type: 'repository-changed'; repoId: string }
  | { type: 'models-changed'; repoId: string; models: string[] }
  | { type: 'serve-changed'; status: ServeStatus }
  | { type: 'run-finished'; run: RunResult }
  | { type: 'settings-changed'; settings: LabSettings }
  | { type: 'app-command'; command: AppCommand }
  | { type: 'profile-progress'; profile: ProfileRun }
  | { type: 'whatif-progress'; run: WhatIfRun }
  /**
   * Desktop only: the engine's own process (electron/engine-host) stopped unexpectedly and is being
   * restarted ('restarting'), is back with the repositories reopened ('running'), or could not be
   * brought back ('failed'). `reason`: how it ended (exit code or signal), for people. `reopened`
   * false on 'running': the repositories were left closed, because the engine kept stopping while
   * it opened them (a Retry after that starts an empty lab, so a folder that crashes it cannot lock
   * the user out).
   */
  | { type: 'engine-status'; state: 'restarting' | 'running' | 'failed'; reason?: string; restarts: number; reopened?: boolean };

/** What a picked folder is for: none, a repository to open; 'export', a (new) folder to export into. */
export type FolderPurpose = 'export';

/** Every method: request → response. Transports derive their routes from these keys. */
export interface LabMethods {
  hostInfo: { req: Record<string, never>; res: HostInfo };
  /**
   * Desktop: starts the engine process again after it gave up (`engine-status` 'failed', the banner's
   * Retry); `restarted` false when it was not stopped. Browser mode answers UNSUPPORTED (its engine
   * lives in the lab server's process).
   */
  restartEngine: { req: Record<string, never>; res: { restarted: boolean } };
  listRepositories: { req: Record<string, never>; res: RepositoryInfo[] };
  openRepository: { req: { path: string }; res: RepositoryInfo };
  openSamples: { req: Record<string, never>; res: RepositoryInfo[] };
  closeRepository: { req: { repoId: string }; res: { closed: boolean } };
  reloadRepository: { req: { repoId: string }; res: RepositoryInfo };
  /** A folder from the native picker; `purpose: 'export'` asks for a folder to export into (one may be created there). */
  pickRepositoryFolder: { req: { purpose?: FolderPurpose }; res: { path: string | null } };
  getModel: { req: { repoId: string; model: string }; res: ModelDetail };
  loadModel: { req: { repoId: string; model: string }; res: ModelSummary };
  unloadModel: { req: { repoId: string; model: string }; res: ModelSummary };
  /** Stops a model's loading before its next instance starts. */
  cancelLoad: { req: { repoId: string; model: string }; res: { cancelled: boolean } };
  setWatch: { req: { repoId: string; enabled: boolean; pollSecs?: number }; res: RepositoryInfo };
  readFile: { req: { repoId: string; path: string }; res: FileContent };
  /** The native file dialog (Electron) for a playground input; the picked file may be read for the rest of the session. */
  pickInputFile: { req: Record<string, never>; res: { path: string | null } };
  /** Whether a typed path can be a playground input (see `ImageSource`). */
  checkInputPath: { req: { path: string }; res: InputPathCheck };
  serveStatus: { req: Record<string, never>; res: ServeStatus };
  /** Serves one open repository over Triton's HTTP, gRPC and metrics endpoints (stopping any other). */
  startServing: { req: { repoId: string } & Partial<ServeSettings>; res: ServeStatus };
  /** Stops gracefully: requests in flight finish first. */
  stopServing: { req: Record<string, never>; res: ServeStatus };
  /** Decides whether a repository's code may run; 'always' remembers the folder. */
  setTrust: { req: { repoId: string; decision: TrustDecision }; res: RepositoryInfo };
  /** Runs one request through the model's normal path; the result stays in the run history. */
  runModel: { req: RunRequest; res: RunResult };
  cancelRun: { req: { runId: string }; res: { cancelled: boolean } };
  /** Recent runs, newest first (a bounded history). */
  listRuns: { req: { repoId?: string; model?: string }; res: RunResult[] };
  /** A tensor's full description (statistics, image readings), e.g. for an initializer the graph only knows the shape of. */
  tensorInfo: { req: TensorRef; res: TensorInfo };
  tensorPage: { req: TensorRef & { offset: number; count: number }; res: TensorPage };
  tensorImage: { req: ImageRequest; res: RenderedImage };
  tensorHeatmap: { req: HeatmapRequest; res: Heatmap };
  tensorHistogram: { req: TensorRef & { bins?: number }; res: Histogram };
  exportTensor: { req: TensorRef & { format: 'npy' | 'json' }; res: ExportedTensor };
  /** The run's request as a curl command and a tritonclient script for `model-lab serve`. */
  runSnippets: { req: { runId: string }; res: RunSnippets };
  modelStats: { req: { repoId: string; model: string }; res: ModelStatsRow[] };
  /** The sequences a sequence_batching model holds now (its running state), oldest first. */
  modelSequences: { req: { repoId: string; model: string }; res: SequenceStateRow[] };
  /** The bundled sample images (file names) a playground can pick from. */
  sampleImages: {
    req: Record<string, never>;
    res: {
      file: string;
      width: number;
      height: number;
      description: string;
      /** The description in 简体中文, when the manifest has one (the UI shows it in that language). */
      descriptionZh?: string;
      /** A small JPEG data URL for the picker, when one could be made. */
      thumb?: string;
    }[];
  };
  getSettings: { req: Record<string, never>; res: LabSettings };
  setSettings: { req: Partial<LabSettings>; res: LabSettings };
  /** A compact summary of an ONNX model's graph (weights stay on disk). */
  modelGraph: { req: { repoId: string; model: string; version?: number }; res: GraphSummary };
  /** A big graph's constant previews and inferred types, once its analysis is done (GraphSummary.analysisPending). */
  graphAnalysis: { req: { graphId: string }; res: GraphAnalysis };
  /** Runs the graph once with every intermediate value as an output ("Run to see"); tensors viewable by the observation's runId. */
  observeGraph: { req: GraphObserveRequest; res: GraphObservation };
  /** The config.pbtxt input/output block the model's own inputs/outputs call for, and where the config disagrees. */
  configFromModel: { req: { repoId: string; model: string; version?: number }; res: ConfigFromModel };
  /** Whether a `netron` executable is on the PATH. */
  netronStatus: { req: Record<string, never>; res: { available: boolean; path?: string } };
  /** Starts netron on 127.0.0.1 for the model file and returns its address. */
  openInNetron: { req: { repoId: string; model: string; version?: number }; res: { url: string } };
  /** Runs an ensemble in step mode; resolves once it pauses before its first step (or ends). */
  startStepRun: { req: StepRunRequest; res: StepRunState };
  /** Step, continue (to the next breakpoint), run to the end, or stop; resolves at the next pause or the end. */
  stepRun: { req: { runId: string; action: StepAction; breakpoints?: number[] }; res: StepRunState };
  stepRunState: { req: { runId: string }; res: StepRunState };
  /** Each served version's log since it was last loaded (bounded; newest last). */
  modelLog: { req: { repoId: string; model: string }; res: { version: number; lines: LogEntry[] }[] };
  /** Applies the repair a diagnostic offers (by its code), then reloads the model. */
  applyRepair: { req: { repoId: string; model: string; code: string }; res: ModelDetail };
  /** A run's trace in Triton's trace-file JSON shape. */
  exportTrace: { req: { runId: string }; res: ExportedTrace };
  /** For every model of an open repository: runs on Triton as is, needs Python packages, or lab-only (with its Python twin). */
  portability: { req: { repoId: string; twins?: string }; res: PortabilityReport };
  /** Writes the repository (twins swapped in when asked), a Dockerfile, docker-compose.yml, Kubernetes manifests and a README into an empty folder. */
  exportDeployment: { req: DeploymentExportRequest; res: DeploymentExport };
  /** Exports a TorchScript model to ONNX with torch, opens the result, and compares both on the same inputs. */
  convertToOnnx: { req: OnnxConversionRequest; res: OnnxConversion };
  /** Adds a remote Triton server (it appears in `listRepositories` with `remote`); headers go to the credential store. */
  addRemoteServer: { req: RemoteServerRequest; res: RemoteServerInfo };
  /** Forgets a remote server and its stored headers. */
  removeRemoteServer: { req: { id: string }; res: { removed: boolean } };
  listRemoteServers: { req: Record<string, never>; res: RemoteServerInfo[] };
  /** One scrape of the Prometheus endpoint of a remote server, or of the repository the lab serves. */
  scrapeMetrics: { req: { repoId: string }; res: MetricsSnapshot };
  /** Starts a profile in the background (progress as `profile-progress` events); resolves at once. */
  startProfile: { req: ProfileRequest; res: ProfileRun };
  /** Stops a running profile after its current window; the points measured so far stay. */
  stopProfile: { req: { profileId: string }; res: ProfileRun };
  getProfile: { req: { profileId: string }; res: ProfileRun };
  /** Past and running profiles, newest first (a bounded history kept across restarts where the lab has a settings folder). */
  listProfiles: { req: { repoId?: string; model?: string }; res: ProfileRun[] };
  deleteProfile: { req: { profileId: string }; res: { deleted: boolean } };
  /** Profiles variants of a local model's config in the background (progress as `whatif-progress` events). */
  startWhatIf: { req: WhatIfRequest; res: WhatIfRun };
  stopWhatIf: { req: { whatIfId: string }; res: WhatIfRun };
  getWhatIf: { req: { whatIfId: string }; res: WhatIfRun };
  /** Writes a variant's config into the model's config.pbtxt and reloads the model (only on the user's say). */
  applyWhatIf: { req: { whatIfId: string; variant: string }; res: ModelDetail };
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
