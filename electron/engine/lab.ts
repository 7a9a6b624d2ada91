/**
 * The facade every shell calls (Electron main, the lab HTTP server, the CLI):
 * open repositories, read their models, load and unload, watch for changes.
 * Files are read on real paths only: inside an open repository's real root,
 * the sample images, or (playground inputs) a file the user picked this
 * session (`util/real-path.ts`).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type {
  FileContent,
  InputPathCheck,
  LabEvent,
  LogEntry,
  LabSettings,
  ModelDetail,
  ModelStatsRow,
  SequenceStateRow,
  ModelSummary,
  RepositoryInfo,
  RunRequest,
  RunResult,
  TensorRef,
  TrustDecision,
  TrustState,
} from '../contract/lab-api';
import type { Tensor } from './tensor/tensor';
import type { Runner } from './runtime/types';
import { LabError } from './errors';
import { unknownModel } from './triton-errors';
import { GraphService, type GraphServiceOptions } from './graph/graph-service';
import { ObservationService } from './graph/observe/observation-service';
import { applyRepairPlan, repairPlan } from './repository/repair';
import { backendFor } from './backends/registry';
import { type RepositoryInit, Repository } from './repository/repository';
import { displayConfig, toModelDetail, toModelSummary } from './repository/views';
import { RunService } from './runs/runs';
import { StepRunService } from './runs/step-runs';
import { exportTrace } from './runs/trace-export';
import type { ExportedTrace, StepAction, StepRunRequest, StepRunState } from '../contract/inspect-api';
import { SettingsStore } from './settings';
import { checkWorkspace } from './settings-workspace';
import { assertRepositoryFolder } from './repository/folder-kind';
import type { InputFiles } from './runs/inputs';
import { isInside, realInside, realPath, realPathSync, withRealFile } from './util/real-path';
import { readUpTo } from './util/regular-file';
import { RemoteServers, isRemoteId } from './remote/registry';

/** Files larger than this are not sent to the UI as text. */
export const MAX_TEXT_FILE_BYTES = 2 * 1024 * 1024;

interface OpenRepo {
  id: string;
  repo: Repository;
  /** The root after links: what "inside this repository" is decided against. */
  realRoot: string;
  sample: boolean;
  /** The user (or the app, for samples and remembered folders) allowed this folder's code to run. */
  allowed: boolean;
  browseOnly: boolean;
  unsubscribe: () => void;
}

export interface LabOptions {
  repository?: RepositoryInit;
  /** Where settings and trusted folders are kept; none: in memory only. */
  settingsFile?: string;
  /** The bundled sample images (resources/sample-images). */
  sampleImagesDir?: string;
  /** Graph inspection: parsing thresholds, where netron is looked for. */
  graphs?: GraphServiceOptions;
}

export function repositoryId(absPath: string): string {
  return createHash('sha1').update(absPath).digest('hex').slice(0, 12);
}

export class Lab {
  private readonly repos = new Map<string, OpenRepo>();
  private readonly listeners = new Set<(ev: LabEvent) => void>();
  /** Real paths of files the user picked in the desktop file dialog this session (playground inputs). */
  private readonly pickedInputs = new Set<string>();
  /** close() has begun: repositories closing now stay in the saved workspace. */
  private closing = false;
  private readonly closers: (() => Promise<void>)[] = [];
  /** The last session's selection, offered to the window until a selection is saved (`workspace.ts`). */
  private offeredSelection: NonNullable<LabSettings['workspace']>['selection'];
  readonly settings: SettingsStore;
  readonly runs: RunService;
  readonly graphs: GraphService;
  readonly steps: StepRunService;
  /** "Run to see": graphs run once with every intermediate value kept for the viewers. */
  readonly observations: ObservationService;
  /** Remote Triton servers (`remote:<n>` ids); connected once the host gives its protocol clients (`remotes.attach`). */
  readonly remotes: RemoteServers;

  constructor(private readonly options: LabOptions = {}) {
    this.settings = new SettingsStore(options.settingsFile);
    const inputFiles: InputFiles = { allows: (p) => this.allowsInputFile(p) };
    this.remotes = new RemoteServers({ settings: this.settings, emit: (ev) => this.emit(ev) });
    const runner = (id: string, model: string, version: number): Promise<Runner> | undefined => (isRemoteId(id) ? this.remotes.runner(id, model, version) : undefined);
    this.runs = new RunService((id) => this.get(id).repo, { inputFiles, runner, ...(options.sampleImagesDir ? { sampleImagesDir: options.sampleImagesDir } : {}) });
    this.graphs = new GraphService((id) => this.get(id).repo, options.graphs);
    this.steps = new StepRunService(this.runs, { onFinished: (run) => this.emit({ type: 'run-finished', run }) });
    this.observations = new ObservationService(this.graphs, (id) => this.get(id).repo, this.runs, { inputFiles, ...(options.sampleImagesDir ? { sampleImagesDir: options.sampleImagesDir } : {}) });
  }

  onEvent(listener: (ev: LabEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Lets the host announce its own changes (e.g. the serve switch) to the same listeners. */
  emitEvent(ev: LabEvent): void {
    this.emit(ev);
  }

  private emit(ev: LabEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  private get(repoId: string): OpenRepo {
    const r = this.repos.get(repoId);
    if (!r) throw new LabError('NOT_FOUND', `no open repository with id '${repoId}'`);
    return r;
  }

  async openRepository(dir: string, opts: { sample?: boolean; options?: RepositoryInit } = {}): Promise<RepositoryInfo> {
    if (typeof dir !== 'string' || dir.trim() === '') throw new LabError('INVALID_ARG', 'a repository path is required');
    const abs = path.resolve(dir.trim());
    const st = await fs.stat(abs).catch(() => undefined);
    if (!st) throw new LabError('NOT_FOUND', `'${abs}' does not exist`);
    if (!st.isDirectory()) throw new LabError('INVALID_ARG', `'${abs}' is not a folder; a model repository is a folder with one sub-folder per model`);
    const realRoot = (await realPath(abs)) ?? abs;
    const id = repositoryId(abs);
    const existing = this.repos.get(id);
    if (existing) return this.info(existing);
    // A model folder, a folder of files or a folder of repositories: say so instead of listing "0 models".
    await assertRepositoryFolder(abs);
    if (this.repos.has(id)) return this.info(this.repos.get(id)!);
    const sample = opts.sample ?? false;
    // Workspace trust: a folder's code runs only once the user says so (samples ship with the app). A folder
    // without code at open is not thereby allowed: code that appears later (a pull, an edit) asks first too.
    // Decided on the real path: a link inside a trusted folder does not carry the trust to where it leads.
    const allowed = sample || this.settings.isTrusted(realRoot);
    const python = this.settings.get().pythonExecutable;
    const repo = new Repository(abs, { ...this.options.repository, ...opts.options, runCode: allowed, ...(python ? { python } : {}) });
    const entry: OpenRepo = { id, repo, realRoot, sample, allowed, browseOnly: false, unsubscribe: () => undefined };
    let trust = this.trustOf(entry);
    entry.unsubscribe = repo.onChange((models) => {
      this.emit({ type: 'models-changed', repoId: id, models });
      // Code that appeared since the folder was opened needs the user's answer: the prompt follows this event.
      const now = this.trustOf(entry);
      if (now !== trust) {
        trust = now;
        this.emit({ type: 'repository-changed', repoId: id });
      }
    });
    this.repos.set(id, entry);
    if (!sample) this.settings.addRecent(abs);
    this.recordWorkspace();
    this.emit({ type: 'repositories-changed' });
    await repo.loadAll();
    if (repo.options.controlMode === 'poll') repo.startPolling();
    this.emit({ type: 'repository-changed', repoId: id });
    return this.info(entry);
  }

  closeRepository(repoId: string): boolean {
    const r = this.repos.get(repoId);
    if (!r) return false;
    r.unsubscribe();
    void r.repo.close();
    this.repos.delete(repoId);
    this.steps.forget(repoId);
    this.runs.forget(repoId);
    this.graphs.forget(repoId, r.repo.root);
    this.observations.forget(repoId);
    this.recordWorkspace(r.repo.root);
    this.emit({ type: 'repositories-changed' });
    return true;
  }

  /**
   * The open repositories, in tree order, become the saved workspace (what the next start
   * reopens; `workspace.ts`). Not while the lab closes: closing at quit is not the user closing them.
   */
  private recordWorkspace(closed?: string): void {
    if (this.closing) return;
    const settings = this.settings.recordRepositories(
      [...this.repos.values()].map((r) => ({ path: r.repo.root, ...(r.sample ? { sample: true } : {}) })),
      closed,
    );
    this.emit({ type: 'settings-changed', settings });
  }

  /** Offers the last session's selection to the window (the workspace it belongs to was reopened). */
  offerSelection(sel: NonNullable<LabSettings['workspace']>['selection']): void {
    this.offeredSelection = sel ? { ...sel } : undefined;
  }

  /** The last session's selection while no selection was saved in this run; for `HostInfo.restoreSelection`. */
  get startupSelection(): NonNullable<LabSettings['workspace']>['selection'] {
    return this.offeredSelection ? { ...this.offeredSelection } : undefined;
  }

  /** Puts the open repositories in the order of `paths` (the saved workspace's); others keep their place after them. */
  orderRepositories(paths: readonly string[]): void {
    const rank = new Map(paths.map((p, i) => [path.resolve(p), i]));
    const entries = [...this.repos.entries()];
    const sorted = [...entries].sort(([, a], [, b]) => (rank.get(a.repo.root) ?? paths.length) - (rank.get(b.repo.root) ?? paths.length));
    if (sorted.every(([id], i) => id === entries[i]![0])) return;
    this.repos.clear();
    for (const [id, e] of sorted) this.repos.set(id, e);
    this.recordWorkspace();
    this.emit({ type: 'repositories-changed' });
  }

  listRepositories(): RepositoryInfo[] {
    return [...this.repos.values()].map((r) => this.info(r));
  }

  repository(repoId: string): Repository {
    return this.get(repoId).repo;
  }

  info(r: OpenRepo | string): RepositoryInfo {
    const e = typeof r === 'string' ? this.get(r) : r;
    const repo = e.repo;
    const models = [...repo.models.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((m) => toModelSummary(m, repo.root));
    return {
      id: e.id,
      path: repo.root,
      name: path.basename(repo.root),
      sample: e.sample,
      controlMode: repo.polling ? 'poll' : repo.options.controlMode,
      watching: repo.polling,
      pollSecs: repo.options.pollSecs,
      diagnostics: repo.problem ? [{ severity: 'error', code: 'repository.invalid', message: repo.problem, file: '' }] : [],
      models,
      loading: repo.loading,
      trust: this.trustOf(e),
      hasCode: this.codeNow(e),
    };
  }

  /**
   * Whether the folder has models that would run its code, as the loader itself read them (the
   * backend after auto-complete: config in any spelling, model.<backend> folders, model.py/model.js
   * files). The same reading gates what runs, so the prompt and the gate cannot disagree.
   */
  private codeNow(e: OpenRepo): boolean {
    return [...e.repo.models.values()].some((m) => backendFor(m.base?.backend ?? '').runsUserCode);
  }

  private trustOf(e: OpenRepo): TrustState {
    if (e.allowed) return 'trusted';
    if (e.browseOnly) return 'browse-only';
    return this.codeNow(e) ? 'untrusted' : 'trusted';
  }

  /** The user's answer to "run this folder's code?": once, always (remembered), or browse only. */
  async setTrust(repoId: string, decision: TrustDecision): Promise<RepositoryInfo> {
    const e = this.get(repoId);
    if (decision !== 'once' && decision !== 'always' && decision !== 'browse-only') throw new LabError('INVALID_ARG', `trust decision must be once, always or browse-only, got '${String(decision)}'`);
    if (decision === 'browse-only') {
      if (!e.allowed) e.browseOnly = true;
      this.emit({ type: 'repository-changed', repoId });
      return this.info(e);
    }
    if (decision === 'always') this.settings.trust(e.realRoot);
    if (!e.allowed) {
      e.allowed = true;
      e.browseOnly = false;
      e.repo.options.runCode = true;
      this.emit({ type: 'repository-changed', repoId });
      await e.repo.loadAll();
      this.emit({ type: 'repository-changed', repoId });
    }
    return this.info(e);
  }

  get sampleImagesDir(): string | undefined {
    return this.options.sampleImagesDir;
  }

  /** Where settings are kept (none: in memory only); the lab's own folders, such as converted models, go beside it. */
  get settingsFile(): string | undefined {
    return this.options.settingsFile;
  }

  getSettings(): LabSettings {
    return this.settings.get();
  }

  setSettings(changes: Partial<LabSettings>): LabSettings {
    if (!changes || typeof changes !== 'object') throw new LabError('INVALID_ARG', 'settings must be an object');
    const before = this.settings.get().pythonExecutable;
    // The lab records which repositories are open; a client sends the selection (checked all the same).
    const open = [...this.repos.values()].map((r) => ({ path: r.repo.root, ...(r.sample ? { sample: true } : {}) }));
    const ws = changes.workspace as unknown;
    const settings = this.settings.update(ws === undefined ? changes : { ...changes, workspace: { ...checkWorkspace(ws), repositories: open } });
    if (ws !== undefined) this.offeredSelection = undefined;
    this.emit({ type: 'settings-changed', settings });
    if (settings.pythonExecutable !== before) void this.reloadPythonModels(settings.pythonExecutable);
    return settings;
  }

  /** Another interpreter was chosen: Python models load again with it (the others are left alone). */
  private async reloadPythonModels(python: string | undefined): Promise<void> {
    for (const e of this.repos.values()) {
      if (python) e.repo.options.python = python;
      else delete e.repo.options.python;
      const names = [...e.repo.models.values()].filter((m) => backendFor(m.base?.backend ?? '').usesPythonSetting && !m.unloaded).map((m) => m.name);
      if (names.length) await e.repo.load(names).catch(() => undefined);
    }
  }

  /** The tensor a viewer asks for: a run's (inputs, outputs, ensemble edges, spans) or a graph's initializer. */
  tensor(ref: TensorRef): Tensor {
    if (ref.side === 'initializer') return this.graphs.tensor(ref);
    return this.steps.tensor(ref) ?? this.observations.tensor(ref) ?? this.runs.tensor(ref);
  }

  private checkRunnable(req: RunRequest): void {
    // A remote server runs its own models: trust is a question for local folders only.
    if (isRemoteId(req?.repoId)) return;
    const e = this.get(req?.repoId);
    const rec = e.repo.models.get(req.model);
    if (!e.allowed && rec && rec.state !== 'READY' && this.codeNow(e)) {
      // Untrusted folders never start scripts; say so instead of an opaque "not ready".
      throw new LabError('UNAVAILABLE', `'${req.model}' needs code from ${e.repo.root}, which is not trusted yet: trust the folder to run it`, { reason: 'UNTRUSTED' });
    }
  }

  async runModel(req: RunRequest): Promise<RunResult> {
    this.checkRunnable(req);
    const result = await this.runs.run(req);
    this.emit({ type: 'run-finished', run: result });
    return result;
  }

  /** Starts an ensemble in step mode; resolves paused before its first step (or ended). */
  startStepRun(req: StepRunRequest): Promise<StepRunState> {
    this.checkRunnable(req);
    return this.steps.start(req);
  }

  stepRun(runId: string, action: StepAction, breakpoints?: number[]): Promise<StepRunState> {
    return this.steps.act(runId, action, breakpoints);
  }

  stepRunState(runId: string): StepRunState {
    return this.steps.state(runId);
  }

  /** Any run's trace (a step-through still open included) as Triton's trace file. */
  exportTrace(runId: string): ExportedTrace {
    return this.steps.exportTrace(runId) ?? exportTrace(this.runs.stored(runId));
  }

  /** Per served version: requests, failures, average latency split, batch sizes. */
  modelStats(repoId: string, model: string): ModelStatsRow[] {
    const e = this.get(repoId);
    const rec = e.repo.models.get(model);
    if (!rec) throw unknownModel(model);
    const ms = (ns: number, n: number): number => (n ? ns / n / 1e6 : 0);
    return rec.versions
      .filter((v) => v.runner)
      .map((v) => {
        const s = v.runner!.statistics;
        return {
          version: v.version,
          success: s.success.count,
          failure: s.fail.count,
          inferenceCount: s.inferenceCount,
          executionCount: s.executionCount,
          avgRequestMs: ms(s.success.ns, s.success.count),
          avgQueueMs: ms(s.queue.ns, s.queue.count),
          avgComputeMs: ms(s.computeInput.ns + s.computeInfer.ns + s.computeOutput.ns, s.computeInfer.count),
          batches: [...s.batches.values()].sort((a, b) => a.batchSize - b.batchSize).map((b) => ({ size: b.batchSize, executions: b.computeInfer.count })),
          pending: s.pending,
        };
      });
  }

  /** The live sequences of a sequence_batching model, over its served versions, oldest first. */
  modelSequences(repoId: string, model: string): SequenceStateRow[] {
    const rec = this.get(repoId).repo.models.get(model);
    if (!rec) throw unknownModel(model);
    return rec.versions.flatMap((v) => v.runner?.sequences?.() ?? []).sort((a, b) => a.lastAt - b.lastAt);
  }

  /** The bundled sample images: file, size and what they show (in English, and in 简体中文 where the manifest says it). */
  async sampleImages(): Promise<{ file: string; width: number; height: number; description: string; descriptionZh?: string }[]> {
    const dir = this.options.sampleImagesDir;
    if (!dir) return [];
    const text = await fs.readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => '');
    if (!text) return [];
    const manifest = JSON.parse(text) as { images?: { file: string; width: number; height: number; description?: string; descriptionZh?: unknown }[] };
    return (manifest.images ?? []).map((i) => ({
      file: i.file,
      width: i.width,
      height: i.height,
      description: i.description ?? '',
      ...(typeof i.descriptionZh === 'string' && i.descriptionZh ? { descriptionZh: i.descriptionZh } : {}),
    }));
  }

  async reloadRepository(repoId: string): Promise<RepositoryInfo> {
    const e = this.get(repoId);
    await e.repo.loadAll();
    return this.info(e);
  }

  getModel(repoId: string, model: string): ModelDetail {
    const e = this.get(repoId);
    const rec = e.repo.models.get(model);
    if (!rec) throw unknownModel(model);
    const member = (name: string): boolean => {
      const m = e.repo.models.get(name);
      return (m ? displayConfig(m) : undefined)?.schedulingChoice.case === 'sequenceBatching';
    };
    return toModelDetail(e.id, rec, e.repo.root, member);
  }

  modelLog(repoId: string, model: string): { version: number; lines: LogEntry[] }[] {
    const rec = this.get(repoId).repo.models.get(model);
    if (!rec) throw unknownModel(model);
    return rec.versions.filter((v) => v.served || v.logs.length > 0).map((v) => ({ version: v.version, lines: v.logs.map((l) => ({ ...l })) }));
  }

  /** Applies the repair a model's diagnostic offers (recomputed here, never taken from the caller), then reloads the model. */
  async applyRepair(repoId: string, model: string, code: string): Promise<ModelDetail> {
    const e = this.get(repoId);
    const rec = e.repo.models.get(model);
    if (!rec) throw unknownModel(model);
    await applyRepairPlan(e.repo.root, repairPlan(rec, code));
    await e.repo.load([model]);
    return this.getModel(repoId, model);
  }

  private summary(e: OpenRepo, model: string): ModelSummary {
    const rec = e.repo.models.get(model);
    if (!rec) throw unknownModel(model);
    return toModelSummary(rec, e.repo.root);
  }

  async loadModel(repoId: string, model: string): Promise<ModelSummary> {
    const e = this.get(repoId);
    await e.repo.load([model]);
    if (!e.repo.models.has(model)) throw new LabError('NOT_FOUND', `failed to load '${model}', no model folder named '${model}' in ${e.repo.root}`);
    return this.summary(e, model);
  }

  async unloadModel(repoId: string, model: string): Promise<ModelSummary> {
    const e = this.get(repoId);
    await e.repo.unload(model);
    return this.summary(e, model);
  }

  setWatch(repoId: string, enabled: boolean, pollSecs?: number): RepositoryInfo {
    const e = this.get(repoId);
    if (pollSecs !== undefined && (!Number.isFinite(pollSecs) || pollSecs < 1 || pollSecs > 3600)) {
      throw new LabError('INVALID_ARG', 'poll interval must be between 1 and 3600 seconds');
    }
    if (enabled) e.repo.startPolling(pollSecs ?? e.repo.options.pollSecs);
    else e.repo.stopPolling();
    this.emit({ type: 'repository-changed', repoId });
    return this.info(e);
  }

  async readFile(repoId: string, rel: string): Promise<FileContent> {
    const e = this.get(repoId);
    if (typeof rel !== 'string' || rel === '' || path.isAbsolute(rel)) throw new LabError('INVALID_ARG', 'a path relative to the repository is required');
    const abs = path.resolve(e.repo.root, rel);
    if (!isInside(e.repo.root, abs)) throw new LabError('INVALID_ARG', `'${rel}' is outside the repository`);
    // A link inside the repository may point anywhere: decide on where it really leads.
    const real = await realInside(e.realRoot, abs, rel);
    return withRealFile(real, rel, async (handle, size): Promise<FileContent> => {
      if (size > MAX_TEXT_FILE_BYTES) return { path: rel, size, note: `${(size / 2 ** 20).toFixed(1)} MiB is too large to show as text` };
      const buf = await readUpTo(handle, size);
      const text = new TextDecoder('utf-8', { fatal: false }).decode(buf);
      const binary = buf.includes(0) || (text.match(/\uFFFD/g)?.length ?? 0) > buf.length / 100;
      return binary ? { path: rel, size, note: 'binary file' } : { path: rel, size, text };
    });
  }

  /**
   * Where playground inputs may be read from: inside an open repository (its real root, or its
   * root as opened, for a name that does not exist yet), the sample images, or a file picked this session.
   */
  private allowsInputFile(p: string): boolean {
    if (this.pickedInputs.has(p)) return true;
    for (const e of this.repos.values()) if (isInside(e.realRoot, p) || isInside(e.repo.root, p)) return true;
    const samples = this.options.sampleImagesDir;
    const realSamples = samples ? realPathSync(samples) : undefined;
    return realSamples !== undefined && isInside(realSamples, p);
  }

  /** A file the user picked in the desktop file dialog: playground inputs may read it for the rest of this session. */
  async rememberPickedInput(file: string): Promise<string> {
    const abs = path.resolve(file);
    const real = await realPath(abs);
    if (!real) throw new LabError('NOT_FOUND', `'${abs}' does not exist`);
    if (!(await fs.stat(real)).isFile()) throw new LabError('INVALID_ARG', `'${abs}' is not a file`);
    this.pickedInputs.add(real);
    return abs;
  }

  /** Whether a typed path could be a playground input, and why not (the form explains it where the path is typed). */
  async checkInputPath(file: string): Promise<InputPathCheck> {
    const abs = path.resolve(file.trim());
    const real = await realPath(abs);
    if (!real) return { path: abs, readable: false, reason: this.allowsInputFile(abs) ? 'missing' : 'outside' };
    if (!this.allowsInputFile(real)) return { path: abs, readable: false, reason: 'outside' };
    const st = await fs.stat(real).catch(() => undefined);
    return st?.isFile() ? { path: abs, readable: true } : { path: abs, readable: false, reason: 'not-a-file' };
  }

  /**
   * Work that runs beside the repositories (profiles, what-if searches) registers its stop here:
   * `close()` stops it first, so nothing keeps sending requests to a closing repository or a remote server.
   */
  onClose(stop: () => Promise<void>): void {
    this.closers.push(stop);
  }

  /** Closes every repository and waits for their instances to stop. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.closers.splice(0).map((stop) => stop().catch(() => undefined)));
    await this.settings.flush();
    await this.steps.close();
    this.observations.close();
    this.remotes.close();
    const repos = [...this.repos.values()].map((r) => r.repo);
    for (const id of [...this.repos.keys()]) this.closeRepository(id);
    this.listeners.clear();
    await Promise.all([...repos.map((r) => r.close()), this.graphs.close()]);
  }
}
