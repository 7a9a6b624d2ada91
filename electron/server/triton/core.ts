/**
 * What Triton's in-process API (tritonserver.cc) answers, over one
 * repository, for the HTTP and gRPC frontends: health, server and model
 * metadata, configs, inference with classification, statistics, the
 * repository index, explicit load/unload, trace and log settings, and a
 * graceful shutdown. Both frontends only translate their wire formats to
 * these calls, so they answer alike.
 */
import path from 'node:path';
import { fromJson } from '@bufbuild/protobuf';
import { type ModelConfig, ModelConfigSchema } from '../../engine/config/gen/model_config_pb';
import type { JsonObject } from '@bufbuild/protobuf';
import { configToTritonJson } from '../../engine/config/serialize';
import { toNumbers } from '../../engine/config/shape';
import { LabError, errorMessage, toLabError } from '../../engine/errors';
import { readContained } from '../../engine/repository/containment';
import { MAX_CONFIG_BYTES } from '../../engine/repository/model-loader';
import { type IndexEntry, type Repository, loadFailureOf } from '../../engine/repository/repository';
import type { ModelRecord } from '../../engine/repository/types';
import { Trace } from '../../engine/runtime/trace';
import type { InferResult, Runner, SequenceFlags, StreamedResponse } from '../../engine/runtime/types';
import { apiTypeName } from '../../engine/tensor/dtype';
import type { Tensor } from '../../engine/tensor/tensor';
import { classify } from './classification';
import { checkConfigOverride } from './load-override';
import { FILE_PREFIX, ScratchFolders } from './scratch';
import { LogSettings } from './log-settings';
import { statisticsJson, type ModelStatsJson } from './statistics-json';
import { TraceSettings } from './trace-settings';
import { parseVersion } from './versions';
import { rawInputTensor } from './wire-tensor';
import { NOT_IN_REPOSITORY, sequenceIdTooLong, serverExiting, unloadUnknown } from '../../engine/triton-errors';

export const TRITON_EXTENSIONS = [
  'classification',
  'model_repository',
  'model_repository(unload_dependents)',
  'schedule_policy',
  'model_configuration',
  'binary_tensor_data',
  'parameters',
  'statistics',
  'trace',
  'logging',
] as const;

export interface RequestedOutput {
  name: string;
  /** The classification extension: return the top `classification` classes as strings. */
  classification?: number;
}

export interface CoreInferRequest {
  id?: string;
  inputs: Tensor[];
  /** A raw binary request: the body is the model's single input, its shape deduced from the config. */
  rawInput?: Uint8Array;
  /** Absent or empty: every output of the model. */
  outputs?: RequestedOutput[];
  parameters?: Record<string, string | number | boolean>;
  /** Triton's sequence flags (the sequence_id, sequence_start and sequence_end parameters), read by the protocol. */
  sequence?: SequenceFlags;
  signal?: AbortSignal;
  /**
   * A decoupled model's stream (gRPC ModelStreamInfer): every response as the model sends it,
   * `final` on the last; null is the final flag sent alone. See InferRequest.onResponse.
   */
  onResponse?: (response: CoreInferResponse | LabError | null, final: boolean) => void;
}

/**
 * The sequence flags a request's parameters set (either protocol), with Triton's defaults for the
 * ones left out (correlation id 0, flags false); undefined when none was given.
 */
export function sequenceFlagsOf(given: Partial<SequenceFlags>): SequenceFlags | undefined {
  if (given.id === undefined && given.start === undefined && given.end === undefined) return undefined;
  return { id: given.id ?? 0n, start: given.start === true, end: given.end === true };
}

export interface CoreInferResponse {
  modelName: string;
  modelVersion: string;
  id: string;
  outputs: Tensor[];
  /** Response parameters the model set (bool, int64 or string values); absent when none. */
  parameters?: Record<string, string | number | boolean>;
}

export interface IoMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: IoMetadata[];
  outputs: IoMetadata[];
}

/** A load parameter as the frontends received it ("config": STRING, "file:<version>/<name>": BYTES). */
export type LoadParameter =
  { type: 'STRING'; value: string } | { type: 'BYTES'; value: Uint8Array } | { type: 'INT'; value: number } | { type: 'BOOL'; value: boolean } | { type: 'DOUBLE'; value: number };

/** The largest label file read for classification. */
const MAX_LABEL_BYTES = 16 * 2 ** 20;
/** Label lists remembered (per model, version, output and load). */
const MAX_LABEL_LISTS = 1024;

export interface CoreOptions {
  /** Reported as the server version in metadata. */
  version: string;
  /** Ready only when every model that should load did (Triton's --strict-readiness). */
  strictReadiness?: boolean;
  /** How long shutdown waits for requests in flight, in seconds (Triton's --exit-timeout-secs). */
  exitTimeoutSecs?: number;
  /**
   * The folder in which the core makes its private scratch folder (fs.mkdtemp, 0700) the first time
   * a load request sends files (default os.tmpdir()); removed at shutdown.
   */
  scratchDir?: string;
  /** Inferences in flight (all frontends together) before new ones are refused (default 1024). */
  maxInflight?: number;
  /**
   * Accept load/unload requests even though the repository is not in explicit mode (the desktop
   * Serve panel's "model control through the API" switch, off by default). Absent or false: the
   * repository's control mode decides, as in Triton.
   */
  allowModelControl?: boolean;
  log?: (level: 'info' | 'warning' | 'error' | 'verbose', message: string) => void;
}

/** Per request: which frontend, for metrics and logs. */
export type Frontend = 'http' | 'grpc';

export class TritonCore {
  readonly traceSettings = new TraceSettings({}, { log: (level, message) => this.log(level, message) });
  readonly logSettings = new LogSettings();
  /** Where "file:" load parameters are written. */
  readonly scratch: ScratchFolders;
  private exiting = false;
  private inflight = 0;
  private drained: (() => void) | undefined;
  private readonly labels = new Map<string, Promise<string[] | undefined>>();

  constructor(
    readonly repository: Repository,
    readonly options: CoreOptions,
  ) {
    this.scratch = new ScratchFolders(options.scratchDir);
  }

  private log(level: 'info' | 'warning' | 'error' | 'verbose', message: string): void {
    if (this.logSettings.allows(level)) this.options.log?.(level, message);
  }

  private checkRunning(): void {
    if (this.exiting) throw serverExiting();
  }

  /** Counts a request in flight so shutdown can wait for it. */
  async track<T>(fn: () => Promise<T>): Promise<T> {
    this.checkRunning();
    this.inflight++;
    try {
      return await fn();
    } finally {
      if (--this.inflight === 0) this.drained?.();
    }
  }

  get inFlight(): number {
    return this.inflight;
  }

  live(): boolean {
    this.checkRunning();
    return true;
  }

  ready(): boolean {
    this.checkRunning();
    if (this.repository.loading || this.repository.problem) return false;
    if (this.options.strictReadiness === false) return true;
    // Strict readiness: every model that was asked to load serves; unloaded ones do not count.
    for (const rec of this.repository.models.values()) {
      if (rec.unloaded) continue;
      const served = rec.versions.filter((v) => v.served);
      if (served.length === 0 || served.some((v) => v.state !== 'READY' && v.reason !== 'unloaded')) return false;
    }
    return true;
  }

  serverMetadata(): { name: string; version: string; extensions: string[] } {
    this.checkRunning();
    return { name: 'triton', version: this.options.version, extensions: [...TRITON_EXTENSIONS] };
  }

  private runner(name: string, version: string | undefined): Runner {
    return this.repository.resolve(name, parseVersion(version));
  }

  private readyVersions(name: string): number[] {
    const rec = this.repository.models.get(name);
    if (!rec) return [];
    return rec.versions.filter((v) => v.served && v.state === 'READY' && v.runner).map((v) => v.version);
  }

  modelReady(name: string, version?: string): boolean {
    this.checkRunning();
    try {
      this.runner(name, version);
      return true;
    } catch {
      return false;
    }
  }

  modelMetadata(name: string, version?: string): ModelMetadata {
    this.checkRunning();
    const v = parseVersion(version);
    const r = this.repository.resolve(name, v);
    const c = r.config;
    const io = (x: { name: string; dataType: ModelConfig['input'][number]['dataType']; dims: bigint[] }): IoMetadata => ({
      name: x.name,
      datatype: apiTypeName(x.dataType),
      shape: [...(c.maxBatchSize >= 1 ? [-1] : []), ...toNumbers(x.dims)],
    });
    return {
      name,
      versions: v !== -1 ? [String(v)] : this.readyVersions(name).map(String),
      platform: c.platform || c.backend,
      inputs: c.input.map(io),
      outputs: c.output.map(io),
    };
  }

  /** The configuration a version runs with, in Triton's JSON form. */
  modelConfig(name: string, version?: string): JsonObject {
    this.checkRunning();
    return configToTritonJson(this.runner(name, version).config);
  }

  modelConfigMessage(name: string, version?: string): ModelConfig {
    this.checkRunning();
    return this.runner(name, version).config;
  }

  async infer(name: string, version: string | undefined, req: CoreInferRequest): Promise<CoreInferResponse> {
    const max = this.options.maxInflight ?? 1024;
    // A bounded number of requests in memory: overload is refused cleanly instead of queueing without end.
    if (this.inflight >= max) throw new LabError('UNAVAILABLE', `Server is busy: ${this.inflight} inference requests are in flight (the limit is ${max}); retry later`);
    return this.track(async () => {
      const runner = this.runner(name, version);
      // As Triton's frontends setting the id (TRITONSERVER_InferenceRequestSetCorrelationIdString), whatever the model.
      if (typeof req.sequence?.id === 'string' && Buffer.byteLength(req.sequence.id, 'utf8') > 128) throw sequenceIdTooLong();
      const classes = new Map((req.outputs ?? []).filter((o) => o.classification !== undefined).map((o) => [o.name, o.classification!]));
      for (const [out, k] of classes) {
        if (!Number.isInteger(k) || k < 0) throw new LabError('INVALID_ARG', `unable to parse 'classification' for output '${out}': expected a non-negative integer`);
      }
      // Labels are read up front, so each streamed response is classified as it goes out.
      const labels = new Map(await Promise.all([...classes.keys()].map(async (out) => [out, await this.labelsOf(runner, out)] as const)));
      const batching = runner.config.maxBatchSize > 0;
      const present = (result: InferResult): CoreInferResponse => ({
        modelName: result.modelName,
        modelVersion: String(result.modelVersion),
        id: result.id,
        outputs: result.outputs.map((t) => {
          const k = classes.get(t.name);
          return k === undefined || k === 0 ? t : classify(t, k, batching, labels.get(t.name));
        }),
        ...(result.parameters ? { parameters: result.parameters } : {}),
      });
      const onResponse = req.onResponse;
      const sampled = this.traceSettings.sample(name);
      const trace = sampled ? new Trace(sampled.tensors) : undefined;
      const result = await runner
        .infer({
          ...(trace ? { trace: { trace, kind: 'request' as const, held: [] } } : {}),
          ...(req.id !== undefined ? { id: req.id } : {}),
          inputs: req.rawInput ? [rawInputTensor(runner.config, req.rawInput, req.id)] : req.inputs,
          ...(req.outputs && req.outputs.length > 0 ? { outputs: req.outputs.map((o) => o.name) } : {}),
          ...(req.parameters ? { parameters: req.parameters } : {}),
          ...(req.sequence ? { sequence: req.sequence } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
          ...(onResponse ? { onResponse: (r: StreamedResponse, final: boolean) => onResponse(r === null || r instanceof LabError ? r : present(r), final) } : {}),
        })
        .finally(() => {
          if (trace) this.traceSettings.record(trace, name);
        });
      return present(result);
    });
  }

  /**
   * An output's labels (label_filename in the model folder), read once per loaded version: a
   * regular file inside the model folder's real path, of bounded size (the loader checked it too,
   * but the file may have been swapped for a link since).
   */
  private labelsOf(runner: Runner, output: string): Promise<string[] | undefined> {
    const file = runner.config.output.find((o) => o.name === output)?.labelFilename;
    const rec = this.repository.models.get(runner.modelName);
    if (!file || !rec) return Promise.resolve(undefined);
    const key = `${runner.modelName}\u0000${runner.version}\u0000${output}\u0000${rec.stamp}`;
    let p = this.labels.get(key);
    if (!p) {
      p = readContained(rec.dir, path.join(rec.dir, file), MAX_LABEL_BYTES).then(
        (buf) =>
          buf
            .toString('utf8')
            .split(/\r?\n/)
            .filter((l, i, all) => l !== '' || i < all.length - 1),
        (err: unknown) => {
          this.log('warning', `failed to read labels '${file}' of model '${runner.modelName}': ${errorMessage(err)}`);
          return undefined;
        },
      );
      if (this.labels.size >= MAX_LABEL_LISTS) this.labels.delete(this.labels.keys().next().value!);
      this.labels.set(key, p);
    }
    return p;
  }

  statistics(name?: string, version?: string): { model_stats: ModelStatsJson[] } {
    this.checkRunning();
    const picked: { name: string; runner: Runner }[] = [];
    if (!name) {
      for (const rec of [...this.repository.models.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
        for (const v of this.readyVersions(rec.name)) picked.push({ name: rec.name, runner: this.repository.resolve(rec.name, v) });
      }
    } else {
      const ready = this.readyVersions(name);
      if (ready.length === 0) throw new LabError('INVALID_ARG', `requested model '${name}' is not available`);
      const v = parseVersion(version);
      if (v !== -1 && !ready.includes(v)) throw new LabError('INVALID_ARG', `requested model version is not available for model '${name}'`);
      for (const rv of v === -1 ? ready : [v]) picked.push({ name, runner: this.repository.resolve(name, rv) });
    }
    return { model_stats: picked.map((p) => statisticsJson(p.name, p.runner.version, p.runner.statistics)) };
  }

  /** Every runner that serves now, for metrics. */
  servingRunners(): Runner[] {
    const out: Runner[] = [];
    for (const rec of this.repository.models.values()) for (const v of rec.versions) if (v.served && v.state === 'READY' && v.runner) out.push(v.runner);
    return out;
  }

  /** Models that serve their previously loaded version because the latest reload failed, for metrics. */
  reloadFailures(): { model: string; reason: string }[] {
    const out: { model: string; reason: string }[] = [];
    for (const rec of this.repository.models.values()) {
      if (rec.reloadFailure && rec.versions.some((v) => v.served && v.state === 'READY' && v.runner)) out.push({ model: rec.name, reason: rec.reloadFailure.reason });
    }
    return out;
  }

  repositoryIndex(readyOnly: boolean): IndexEntry[] {
    this.checkRunning();
    const all = this.repository.index();
    return readyOnly ? all.filter((e) => e.state === 'READY') : all;
  }

  private checkExplicit(): void {
    if (this.options.allowModelControl) return;
    if (this.repository.options.controlMode !== 'explicit') throw new LabError('UNAVAILABLE', 'explicit model load / unload is not allowed if polling is enabled');
  }

  private checkName(name: string): void {
    if (name.trim() === '') throw new LabError('INVALID_ARG', 'Model name cannot be empty. Please enter a valid name to deploy.');
    // Triton's ValidateModelName: '..' itself or any '/'; a backslash is a separator only on Windows.
    if (name.trim() === '..' || name.includes('/') || (path.sep === '\\' && name.includes('\\')) || name.includes('\0')) {
      throw new LabError('INVALID_ARG', `invalid model name '${name}', model name must not contain path traversal characters`);
    }
  }

  /**
   * Triton's explicit load, with `config` and "file:<version>/<name>" overrides. Files go to a
   * fresh scratch folder; every file the config names must be inside the model's folder (real
   * paths) and it may not choose an interpreter (load-override.ts). A model that serves keeps
   * serving when the load fails, and the caller gets the failure, as in Triton.
   */
  async load(name: string, parameters: Record<string, LoadParameter> = {}): Promise<void> {
    this.checkRunning();
    this.checkExplicit();
    this.checkName(name);
    // What Triton finds wrong with the parameters, it finds while polling the model (InitializeModelInfo
    // and the file-override repo agent): the caller gets the poll failure, the log says why.
    let parsed: ReturnType<typeof loadParameters>;
    try {
      parsed = loadParameters(parameters);
    } catch (err) {
      return this.pollFailure(name, err);
    }
    const { config, files } = parsed;
    const hasFiles = Object.keys(files).length > 0;
    if (hasFiles && !config) this.pollFailure(name, new LabError('INVALID_ARG', "Load parameter 'config' must be specified for model file override"));
    const dir = hasFiles ? await this.scratch.unpack(name, files).catch((err: unknown) => this.pollFailure(name, err)) : undefined;
    try {
      const own = path.join(this.repository.root, name);
      if (config) await checkConfigOverride(name, config, dir ?? own, dir ? undefined : own);
    } catch (err) {
      if (dir) await this.scratch.remove(dir);
      throw err;
    }
    this.log('info', `loading model '${name}'${config ? ' with a config override' : ''}${dir ? ` from files sent with the request (${dir})` : ''}`);
    const before = this.repository.models.get(name)?.reloadFailure;
    const release = dir ? () => this.scratch.remove(dir) : undefined;
    await this.repository.load([name], { [name]: { ...(config ? { config } : {}), ...(dir ? { dir } : {}), ...(release ? { release } : {}) } });
    this.answerLoad(name, before);
  }

  /**
   * Triton's poll failure for an INVALID_ARG LabError, with the reason logged; other errors (a full
   * disk, the server exiting) pass as they are.
   */
  private pollFailure(name: string, err: unknown): never {
    if (!(err instanceof LabError) || err.code !== 'INVALID_ARG') throw err;
    this.log('error', `Poll failed for model directory '${name}': ${err.message}`);
    throw new LabError('INTERNAL', `failed to load '${name}', failed to poll from model repository`);
  }

  /** Triton's answer to a load: the poll failure, the versions that failed, or success. */
  private answerLoad(name: string, before: ModelRecord['reloadFailure']): void {
    const rec = this.repository.models.get(name);
    const kept = rec?.reloadFailure !== before ? rec?.reloadFailure : undefined;
    if (!rec || !rec.polled || kept?.kind === 'poll') {
      const why = kept?.reason || rec?.reason || NOT_IN_REPOSITORY;
      this.log('error', `Poll failed for model directory '${name}': ${why}`);
      throw new LabError('INTERNAL', `failed to load '${name}', failed to poll from model repository`);
    }
    const failed = kept?.reason ?? loadFailureOf(rec)?.reason;
    if (failed) {
      this.log('error', `failed to load '${name}': ${failed}${kept ? ' (the previously loaded version keeps serving)' : ''}`);
      throw new LabError('INVALID_ARG', `load failed for model '${name}': ${failed}\n`);
    }
    this.log('info', `successfully loaded '${name}'`);
  }

  async unload(name: string, opts: { unloadDependents?: boolean } = {}): Promise<void> {
    this.checkRunning();
    this.checkExplicit();
    this.checkName(name);
    const rec = this.repository.models.get(name);
    if (!rec) throw unloadUnknown(name);
    await this.repository.unload(name, { unloadDependents: opts.unloadDependents === true });
    const still = this.readyVersions(name);
    if (still.length > 0) throw new LabError('INTERNAL', `failed to unload '${name}', versions that are still available: ${still.join(',')}`);
    this.log('info', `successfully unloaded '${name}'`);
  }

  /**
   * Refuses new requests, waits for those in flight (up to the exit timeout), unloads the models
   * loaded from files sent with a load request and removes the scratch folder, and writes what
   * traces are left. Models of the repository itself are the host's to close (Repository.close).
   */
  async shutdown(): Promise<{ drained: boolean }> {
    this.exiting = true;
    const timeoutMs = (this.options.exitTimeoutSecs ?? 30) * 1000;
    const deadline = Date.now() + timeoutMs;
    const drained = this.inflight === 0 || (await this.drain(timeoutMs));
    if (!drained) this.log('warning', `Exit timeout expired with ${this.inflight} request(s) in flight. Exiting immediately.`);
    // What is left of the exit timeout (a moment at least, when the drain used it all).
    await this.dropScratchModels(Math.max(250, deadline - Date.now()));
    await this.scratch.removeAll().catch((err: unknown) => this.log('error', `failed to remove the scratch folder: ${errorMessage(err)}`));
    await this.traceSettings.close();
    return { drained };
  }

  private drain(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.drained = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /** Unloads the models whose files came with a load request (their folder goes next), within `ms`. */
  private async dropScratchModels(ms: number): Promise<void> {
    const names: string[] = [];
    for (const rec of this.repository.models.values()) if (rec.override?.dir && (await this.scratch.owns(rec.override.dir))) names.push(rec.name);
    if (names.length === 0) return;
    const unloads = Promise.all(names.map((n) => this.repository.unload(n).catch(() => undefined)));
    await Promise.race([unloads, new Promise((r) => setTimeout(r, ms).unref?.())]);
  }

  get isExiting(): boolean {
    return this.exiting;
  }
}

/** A load request's parameters: the config override and the files (Triton's wording for what is wrong). */
function loadParameters(parameters: Record<string, LoadParameter>): { config?: ModelConfig; files: Record<string, Uint8Array> } {
  let config: ModelConfig | undefined;
  const files: Record<string, Uint8Array> = {};
  for (const [key, p] of Object.entries(parameters)) {
    if (key === 'config' && p.type === 'STRING') {
      const size = Buffer.byteLength(p.value);
      if (size > MAX_CONFIG_BYTES) throw new LabError('INVALID_ARG', `Invalid config override: ${size} bytes is more than the ${MAX_CONFIG_BYTES / 2 ** 20} MiB a config may have`);
      try {
        config = fromJson(ModelConfigSchema, JSON.parse(p.value) as Parameters<typeof fromJson>[1]);
      } catch (err) {
        throw new LabError('INVALID_ARG', `Invalid config override: ${errorMessage(err)}`);
      }
    } else if (key.startsWith(FILE_PREFIX)) {
      if (p.type !== 'BYTES') throw new LabError('INVALID_ARG', `File parameter '${key}' must have bytes type for its value`);
      files[key.slice(FILE_PREFIX.length)] = p.value;
    } else {
      throw new LabError('INVALID_ARG', `Unrecognized load parameter '${key}' with type '${p.type}'`);
    }
  }
  return { ...(config ? { config } : {}), files };
}

export function coreError(err: unknown): LabError {
  return toLabError(err);
}
