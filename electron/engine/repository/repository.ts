/**
 * A model repository folder: every model in it, loaded independently (one
 * broken model never stops the others), ensembles evaluated after their
 * members, optional polling for changes (Triton's poll mode) and explicit
 * load/unload.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LogLevel } from '../backends/child-supervisor';
import { LabError, errorMessage } from '../errors';
import { NOT_IN_REPOSITORY, noAvailableVersions, unknownModel, unknownVersion, unloadUnknown, versionNotReady } from '../triton-errors';
import type { InferRequest, InferResult, ModelControl, ModelResolver, Runner } from '../runtime/types';
import { readDirSafe } from '../util/fs-tree';
import { evaluateEnsembles } from './ensembles';
import { addLayoutFixes } from './layout-fixes';
import { DEFAULT_LOAD_OPTIONS, appendLog, isEnsemble, type LoadOptions, loadVersion, logEvent, type ModelOverride, modelStamp, pollModel, type RuntimeHooks, setVersionState } from './model-loader';
import type { ReloadFailure } from '../../contract/lab-api';
import type { ModelRecord } from './types';
import { ensembleSteps } from '../config/ensemble-graph';

export type ControlMode = 'none' | 'poll' | 'explicit';

export interface RepositoryOptions extends LoadOptions {
  controlMode: ControlMode;
  pollSecs: number;
  /** Models loaded at start in explicit mode ('*' loads all). */
  startupModels: string[];
  /** How many models load at once. */
  concurrency: number;
  /** Receives every line the models log (their loading, restarts, what their code prints). */
  onModelLog?: NonNullable<RuntimeHooks['log']>;
}

export const DEFAULT_REPOSITORY_OPTIONS: RepositoryOptions = {
  ...DEFAULT_LOAD_OPTIONS,
  controlMode: 'none',
  pollSecs: 15,
  startupModels: [],
  concurrency: 4,
};

/** How a repository is opened: its options, and `runtime: false` to only check models without starting them. */
export type RepositoryInit = Omit<Partial<RepositoryOptions>, 'runtime'> & { runtime?: boolean };

export interface IndexEntry {
  name: string;
  version?: string;
  state?: string;
  reason?: string;
}

export type RepositoryListener = (changed: string[]) => void;

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Closes a record's runners (instances, workers, sessions); with `graceMs`, within that time. */
async function closeRunners(rec: ModelRecord | undefined, graceMs?: number): Promise<void> {
  if (!rec) return;
  await Promise.all(
    rec.versions.map(async (v) => {
      const r = v.runner;
      v.runner = undefined;
      await r?.close(graceMs).catch(() => undefined);
    }),
  );
}

/** Why a (re)load of `rec` failed, as Triton counts it: the model folder or config (poll), or a version that did not load. */
export function loadFailureOf(rec: ModelRecord): Omit<ReloadFailure, 'time'> | undefined {
  if (!rec.polled) return { kind: 'poll', reason: rec.reason || firstMessage(rec) || `failed to poll model '${rec.name}'` };
  if (isEnsemble(rec)) return undefined;
  const served = rec.versions.filter((v) => v.served);
  if (served.length === 0) return { kind: 'load', reason: rec.reason || `at least one version must be available under the version policy of model '${rec.name}'` };
  const bad = served.filter((v) => v.state !== 'READY');
  if (bad.length === 0) return undefined;
  return { kind: 'load', reason: bad.map((v) => `version ${v.version} is at ${v.state} state: ${v.reason};`).join('') };
}

function firstMessage(rec: ModelRecord): string | undefined {
  return rec.issues.find((i) => i.severity === 'error')?.message;
}

/**
 * A reload of `prev` failed (`fresh` is the attempt): as in Triton, the versions that served keep
 * serving and the failure is only reported. What the lab shows of the folder (config text,
 * diagnostics, files) is the attempt's, so the user sees what to fix; the versions the attempt
 * started are stopped (their runners are returned, to close). The folder's stamp is the
 * attempt's: polling tries again once the files change, not on every poll.
 */
function keepServing(prev: ModelRecord, fresh: ModelRecord, failure: Omit<ReloadFailure, 'time'>): Runner[] {
  const kept = prev.versions.filter((v) => v.served && v.state === 'READY' && v.runner);
  const numbers = new Set(kept.map((v) => v.version));
  const stop: Runner[] = [];
  for (const v of fresh.versions) {
    if (v.runner) stop.push(v.runner);
    v.runner = undefined;
    // The attempt's log of a kept version holds the earlier lines too (keepLogs), and what failed.
    if (numbers.has(v.version)) kept.find((k) => k.version === v.version)!.logs = v.logs;
    else if (v.state === 'READY') setVersionState(v, 'UNAVAILABLE', 'unloaded');
  }
  prev.versions = [...kept, ...fresh.versions.filter((x) => !numbers.has(x.version))].sort((a, b) => a.version - b.version);
  prev.configText = fresh.configText;
  prev.configPath = fresh.configPath;
  prev.outline = fresh.outline;
  prev.issues = fresh.issues;
  prev.fileDiagnostics = fresh.fileDiagnostics;
  prev.files = fresh.files;
  prev.stamp = fresh.stamp;
  prev.reloadFailure = { ...failure, time: Date.now() };
  return stop;
}

/** A reload keeps each version's earlier log (a crash's traceback is what the user reloads to fix), marked where the new load begins. */
function keepLogs(old: ModelRecord | undefined, rec: ModelRecord): void {
  if (!old) return;
  for (const v of rec.versions) {
    const was = old.versions.find((o) => o.version === v.version);
    if (!was?.logs.length) continue;
    v.logs.push(...was.logs);
    appendLog(v, 'info', '— reloaded: the lines above are from the previous load —', { kind: 'reloaded', version: v.version });
  }
}

export class Repository implements ModelResolver {
  readonly root: string;
  readonly options: RepositoryOptions;
  readonly models = new Map<string, ModelRecord>();
  /** Model control for models (BLS load_model & co.): set by a server over this repository while it serves. */
  modelControl: ModelControl | undefined;
  /** Problems with the repository folder itself. */
  problem: string | undefined;
  loading = false;
  private listeners = new Set<RepositoryListener>();
  private pollTimer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Which mutation a piece of work belongs to (carried into the processes and workers it starts), and the one running. */
  private readonly mutationScope = new AsyncLocalStorage<number>();
  /** Runners retired by model control a model asked for, draining in the background (close() waits for them, then kills them). */
  private readonly draining = new Map<Promise<void>, Runner[]>();
  /** The drains of the retirements the running mutation made (serial() waits for them after it). */
  private readonly retiring = new AsyncLocalStorage<Promise<void>[]>();
  private runningMutation = 0;
  /** The models the running load is loading. */
  private readonly loadingNow = new Set<string>();
  private mutations = 0;
  /** close() began: loads still queued start nothing. */
  private closing = false;

  constructor(root: string, options: RepositoryInit = {}) {
    this.root = path.resolve(root);
    const { runtime, ...rest } = options;
    this.options = { ...DEFAULT_REPOSITORY_OPTIONS, ...rest };
    // Loading starts instances unless asked only to check (runtime: false).
    if (runtime !== false) {
      const log = this.options.onModelLog;
      this.options.runtime = { resolver: this, changed: (m) => this.emit([m]), signal: (m) => this.loadAborts.get(m)?.signal, ...(log ? { log } : {}) };
    }
  }

  private readonly loadAborts = new Map<string, AbortController>();
  /** Config or folder overrides from explicit loads; they hold until the model is loaded again without one. */
  private readonly overrides = new Map<string, ModelOverride>();

  /** Stops a model's loading between instances; returns whether a load was running. */
  cancelLoad(model: string): boolean {
    const c = this.loadAborts.get(model);
    c?.abort();
    return c !== undefined;
  }

  /** Finds a servable model version; -1 is the latest ready one. Triton's wording when there is none. */
  resolve(model: string, version: number): Runner {
    const rec = this.models.get(model);
    if (!rec || !rec.polled || rec.neverLoaded) throw unknownModel(model);
    if (version === -1) {
      const ready = rec.versions.filter((v) => v.served && v.state === 'READY' && v.runner);
      const latest = ready[ready.length - 1];
      if (!latest?.runner) throw noAvailableVersions(model);
      return latest.runner;
    }
    const v = rec.versions.find((x) => x.version === version && x.served);
    if (!v) throw unknownVersion(model, version);
    if (v.state !== 'READY' || !v.runner) throw versionNotReady(model, version);
    return v.runner;
  }

  /** Runs one request through the model's normal path (checks, queue, instances, traces). */
  infer(model: string, version: number, request: InferRequest): Promise<InferResult> {
    try {
      return this.resolve(model, version).infer(request);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Adds a line to a loaded version's log, as its instances' own lines are added. */
  logTo(model: string, version: number, level: LogLevel, message: string): void {
    const v = this.models.get(model)?.versions.find((x) => x.version === version);
    if (!v) return;
    const line = appendLog(v, level, message);
    this.options.runtime?.log?.(model, version, level, line);
  }

  onChange(listener: RepositoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(changed: string[]): void {
    for (const l of this.listeners) {
      try {
        l(changed);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  /** Runs repository mutations one at a time so loads never interleave; none starts once close() began. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const guarded = (): Promise<T> => (this.closing ? Promise.reject(new LabError('UNAVAILABLE', `the repository ${this.root} is closed`)) : fn());
    // Asked for from inside the mutation that runs (a model's initialize() loading another model
    // through BLS model control, as Triton allows): queued behind its caller it would wait forever.
    const scope = this.mutationScope.getStore();
    if (scope !== undefined && scope === this.runningMutation) {
      // Not while every model loads (start-up, a reload of the whole repository): that pass would then overwrite what the model loaded.
      if (this.loading) return Promise.reject(new LabError('UNAVAILABLE', 'models cannot be loaded or unloaded by a model while the repository loads all its models'));
      return guarded();
    }
    const id = ++this.mutations;
    const drains: Promise<void>[] = [];
    const inScope = (): Promise<T> => {
      this.runningMutation = id;
      return this.retiring
        .run(drains, () => this.mutationScope.run(id, guarded))
        .finally(() => {
          if (this.runningMutation === id) this.runningMutation = 0;
        });
    };
    const run = this.queue.then(inScope, inScope);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    // The versions the mutation retired drain after it, outside the queue: a request of theirs may be
    // waiting for a later mutation (a model's load_model). The caller hears once they have, unless it
    // is a model (fromModel: the request waiting may be its own), as Triton's unload is asynchronous.
    const drained = async (): Promise<void> => {
      if (!byModel.getStore()) await Promise.all(drains);
    };
    return run.then(
      async (v) => {
        await drained();
        return v;
      },
      async (err: unknown) => {
        await drained();
        throw err;
      },
    );
  }

  private async modelDirs(): Promise<string[]> {
    try {
      const st = await fs.stat(this.root);
      if (!st.isDirectory()) {
        this.problem = 'repository path is not a valid directory';
        return [];
      }
    } catch (err) {
      this.problem = `repository path is not a valid directory: ${errorMessage(err)}`;
      return [];
    }
    const { entries, error } = await readDirSafe(this.root);
    if (error) {
      this.problem = `failed to open directory ${this.root}: ${error}`;
      return [];
    }
    this.problem = undefined;
    const names: string[] = [];
    for (const e of entries) {
      if (e.isDirectory()) names.push(e.name);
      else if (e.isSymbolicLink()) {
        const isDir = await fs.stat(path.join(this.root, e.name)).then(
          (s) => s.isDirectory(),
          () => false,
        );
        if (isDir) names.push(e.name);
      }
    }
    return names;
  }

  /** Loads every model (or, in explicit mode, the startup models). */
  loadAll(): Promise<void> {
    return this.serial(async () => {
      this.loading = true;
      try {
        const names = await this.presentNames();
        await this.dropVanished(new Set(names));
        const explicit = this.options.controlMode === 'explicit' && !this.options.startupModels.includes('*');
        const wanted = explicit ? names.filter((n) => this.options.startupModels.includes(n)) : names;
        await this.loadModels(names, new Set(wanted));
        this.emit(names);
      } finally {
        this.loading = false;
      }
    });
  }

  /** Model folders in the repository, plus models loaded from a folder sent with an explicit load. */
  private async presentNames(): Promise<string[]> {
    const names = await this.modelDirs();
    for (const [n, o] of this.overrides) if (o.dir && !names.includes(n)) names.push(n);
    return names;
  }

  /**
   * Models whose folder is gone are unloaded as Triton's poll does: their instances stop and they
   * leave the index; ensembles using them are re-checked by the caller. Returns their names.
   */
  private async dropVanished(present: Set<string>): Promise<string[]> {
    const gone = [...this.models.keys()].filter((n) => !present.has(n));
    for (const n of gone) {
      const rec = this.models.get(n)!;
      this.models.delete(n);
      this.overrides.delete(n);
      if (serving(rec)) this.logToAll(rec, 'info', `the model folder is gone: model '${n}' is unloaded`);
      await this.retire(rec);
    }
    return gone;
  }

  /** Closes a record no longer in use, and removes the folder its explicit load brought once nothing uses it. */
  private async retire(rec: ModelRecord, graceMs?: number): Promise<void> {
    const runners = rec.versions.flatMap((v) => (v.runner ? [v.runner] : []));
    const done = closeRunners(rec, graceMs).then(() => this.release(rec.override));
    const tracked = done.catch(() => undefined).finally(() => this.draining.delete(tracked));
    this.draining.set(tracked, runners);
    // Inside a mutation the runners drain in the background, as Triton's AsyncUnload releases a model
    // once its last request is done: one of those requests may be waiting for a mutation queued
    // behind this one (a model's load_model / unload_model), so waiting here could wait forever.
    const drains = this.retiring.getStore();
    if (drains) drains.push(tracked);
    else await tracked;
  }

  private async release(o: ModelOverride | undefined): Promise<void> {
    if (!o?.release) return;
    // An unloaded model no longer uses its folder (a later load reads the repository's).
    const used = [...this.overrides.values()].includes(o) || [...this.models.values()].some((r) => r.override === o && !r.unloaded);
    if (!used) await o.release().catch(() => undefined);
  }

  /** A line in the log of each version that serves (or is served by policy), passed on to the host's log. */
  private logToAll(rec: ModelRecord, level: LogLevel, message: string): void {
    for (const v of rec.versions) {
      if (!v.served || (rec.reloadFailure && !v.runner)) continue;
      const line = appendLog(v, level, message);
      this.options.runtime?.log?.(rec.name, v.version, level, line);
    }
  }

  /** Polls, loads versions and evaluates ensembles for `names`; others are listed unloaded. */
  private async loadModels(names: string[], wanted: Set<string>): Promise<void> {
    const records = new Map<string, ModelRecord>();
    // The versions being replaced keep serving until the new ones are up, as in Triton.
    const previous = new Map(names.flatMap((n) => (this.models.has(n) ? [[n, this.models.get(n)!] as const] : [])));
    await mapLimit(names, this.options.concurrency, async (name) => {
      const rec = await pollModel(this.root, name, this.options, this.overrides.get(name));
      keepLogs(this.models.get(name), rec);
      if (!wanted.has(name)) {
        markUnloaded(rec);
        rec.neverLoaded = true;
      }
      records.set(name, rec);
      // A model that serves keeps serving until its replacement is up (below), as in Triton.
      if (!serving(this.models.get(name))) this.models.set(name, rec);
    });
    this.pullInMembers(wanted, records);
    await this.startVersions([...records.values()].filter((r) => wanted.has(r.name) && r.polled && !isEnsemble(r)));
    const retired: ModelRecord[] = [];
    const stopped: Runner[] = [];
    for (const [name, rec] of records) {
      const prev = previous.get(name);
      const failure = wanted.has(name) && serving(prev) ? loadFailureOf(rec) : undefined;
      if (prev && failure) {
        // Triton's rule: a failed reload leaves the loaded versions serving and only reports the failure.
        stopped.push(...keepServing(prev, rec, failure));
        // The model log, and through it the server's log (model-lab serve prints model logs).
        this.logToAll(prev, 'error', `reload failed, the version loaded before keeps serving: ${failure.reason}`);
        this.restoreOverride(name, prev);
        this.models.set(name, prev);
        retired.push(rec);
        continue;
      }
      this.models.set(name, rec);
      if (prev && prev !== rec) retired.push(prev);
    }
    evaluateEnsembles(this.models, this);
    for (const rec of this.models.values()) summarize(rec);
    await addLayoutFixes(records.values(), this.models);
    await Promise.all(stopped.map((r) => r.close().catch(() => undefined)));
    for (const rec of retired) await this.retire(rec);
  }

  /** Explicit loads pull in an ensemble's members, as Triton does. */
  private pullInMembers(wanted: Set<string>, records: Map<string, ModelRecord>): void {
    const members = [...wanted].flatMap((name) => this.dependenciesOf(name, records));
    for (const dep of members) {
      const rec = records.get(dep);
      if (wanted.has(dep) || !rec) continue;
      wanted.add(dep);
      rec.unloaded = false;
      rec.neverLoaded = false;
    }
  }

  /** Loads the versions of plain (non-ensemble) models, each cancellable through its abort controller. */
  private async startVersions(plain: ModelRecord[]): Promise<void> {
    await mapLimit(plain, this.options.concurrency, async (rec) => {
      const abort = new AbortController();
      if (this.closing) abort.abort();
      this.loadAborts.set(rec.name, abort);
      try {
        await Promise.all(rec.versions.filter((v) => v.served).map((v) => loadVersion(rec, v, this.options)));
      } finally {
        this.loadAborts.delete(rec.name);
      }
    });
  }

  /** After a failed reload, the override in effect is again the one the serving record was loaded with. */
  private restoreOverride(name: string, prev: ModelRecord): void {
    if (prev.override) this.overrides.set(name, prev.override);
    else this.overrides.delete(name);
  }

  private dependenciesOf(name: string, records: Map<string, ModelRecord>, seen = new Set<string>()): string[] {
    const rec = records.get(name);
    if (!rec?.base || seen.has(name)) return [];
    seen.add(name);
    const direct = ensembleSteps(rec.base).map((s) => s.modelName);
    return [...direct, ...direct.flatMap((d) => this.dependenciesOf(d, records, seen))];
  }

  /** Ensembles that (transitively) contain `name`. */
  private dependentsOf(name: string): string[] {
    const out = new Set<string>();
    const visit = (n: string): void => {
      for (const rec of this.models.values()) {
        if (!rec.base || out.has(rec.name)) continue;
        if (ensembleSteps(rec.base).some((s) => s.modelName === n)) {
          out.add(rec.name);
          visit(rec.name);
        }
      }
    };
    visit(name);
    return [...out];
  }

  /**
   * (Re)loads the named models and re-evaluates the ensembles that use them; `overrides` replace a
   * model's config or folder. A model that serves keeps serving when its reload fails (its record's
   * `reloadFailure` says why), as in Triton; a name with no folder is a poll failure then, and is
   * dropped (its instances stopped) when it did not serve.
   */
  load(names: string[], overrides: Record<string, ModelOverride> = {}): Promise<void> {
    const refused = this.refusedNested(names);
    if (refused) return Promise.reject(refused);
    return this.serial(async () => {
      const before = new Map(names.map((n) => [n, this.overrides.get(n)] as const));
      for (const n of names) {
        const o = overrides[n];
        if (o && (o.config || o.dir)) this.overrides.set(n, o);
        else this.overrides.delete(n);
      }
      const existing = new Set(await this.presentNames());
      for (const n of names) if (!existing.has(n)) await this.missingOnLoad(n, before.get(n));
      for (const o of Object.values(overrides)) if (![...this.overrides.values()].includes(o)) await this.release(o);
      const targets = names.filter((n) => existing.has(n));
      const affected = new Set([...targets, ...targets.flatMap((n) => this.dependentsOf(n))].filter((n) => existing.has(n)));
      for (const n of affected) {
        const rec = this.models.get(n);
        if (rec && !serving(rec)) rec.state = 'LOADING';
      }
      this.emit([...affected]);
      const stillUnloaded = [...affected].filter((n) => !targets.includes(n) && this.models.get(n)?.unloaded);
      for (const n of affected) this.loadingNow.add(n);
      try {
        await this.loadModels([...affected], new Set([...affected].filter((n) => !stillUnloaded.includes(n))));
      } finally {
        for (const n of affected) this.loadingNow.delete(n);
      }
      this.emit([...affected, ...names.filter((n) => !existing.has(n))]);
    });
  }

  /** A model asking, from inside the mutation that runs, to load or unload one that mutation is loading (itself, from its initialize()). */
  private refusedNested(names: string[]): LabError | undefined {
    const scope = this.mutationScope.getStore();
    if (scope === undefined || scope !== this.runningMutation) return undefined;
    const busy = names.find((n) => this.loadingNow.has(n));
    return busy === undefined ? undefined : new LabError('UNAVAILABLE', `model '${busy}' is being loaded; a model may not load or unload it while that load runs`);
  }

  /** An explicit load of a model with no folder: Triton's poll fails; a model that serves keeps serving. */
  private async missingOnLoad(name: string, override: ModelOverride | undefined): Promise<void> {
    const rec = this.models.get(name);
    if (override) this.overrides.set(name, override);
    else this.overrides.delete(name);
    if (rec && serving(rec)) {
      rec.reloadFailure = { kind: 'poll', reason: NOT_IN_REPOSITORY, time: Date.now() };
      this.logToAll(rec, 'error', `reload failed, the loaded versions keep serving: no folder named '${name}' in ${this.root}`);
      return;
    }
    if (!rec) return;
    this.models.delete(name);
    await this.retire(rec);
  }

  /**
   * Unloads a model; ensembles using it stop serving. With `unloadDependents`
   * (Triton's unload_dependents), the models it pulled in go too: an
   * ensemble's members, unless another loaded ensemble still uses them.
   * An explicit load's override goes with the model (a later load reads its folder).
   */
  unload(name: string, opts: { unloadDependents?: boolean } = {}): Promise<void> {
    const refused = this.refusedNested([name]);
    if (refused) return Promise.reject(refused);
    return this.serial(async () => {
      const rec = this.models.get(name);
      if (!rec) throw unloadUnknown(name);
      const targets = [name];
      if (opts.unloadDependents) {
        const gone = new Set([name]);
        for (const dep of this.dependenciesOf(name, this.models)) {
          const users = this.dependentsOf(dep).filter((u) => !gone.has(u) && !this.models.get(u)?.unloaded);
          if (users.length === 0 && !gone.has(dep)) {
            gone.add(dep);
            targets.push(dep);
          }
        }
      }
      for (const t of targets) {
        const r = this.models.get(t);
        if (!r) continue;
        markUnloaded(r);
        this.overrides.delete(t);
        await this.retire(r);
        summarize(r);
      }
      evaluateEnsembles(this.models, this);
      const affected = [...new Set(targets.flatMap((t) => [t, ...this.dependentsOf(t)]))];
      for (const n of affected) summarize(this.models.get(n)!);
      this.emit(affected);
    });
  }

  /** One poll: loads added and changed models, unloads deleted ones. Returns what changed. */
  poll(): Promise<string[]> {
    return this.serial(async () => {
      const names = await this.presentNames();
      const current = new Set(names);
      const gone = await this.dropVanished(current);
      const changed: string[] = [...gone];
      for (const n of names) {
        const rec = this.models.get(n);
        const dir = this.overrides.get(n)?.dir ?? path.join(this.root, n);
        if (!rec || rec.stamp !== (await modelStamp(dir))) changed.push(n);
      }
      if (changed.length === 0) return [];
      const present = changed.filter((n) => current.has(n));
      const affected = new Set([...present, ...present.flatMap((n) => this.dependentsOf(n)), ...gone.flatMap((n) => this.dependentsOf(n))]);
      const explicit = this.options.controlMode === 'explicit';
      const wanted = [...affected].filter((n) => !explicit || (this.models.has(n) && !this.models.get(n)!.unloaded));
      await this.loadModels(
        [...affected].filter((n) => current.has(n)),
        new Set(wanted),
      );
      evaluateEnsembles(this.models, this);
      for (const rec of this.models.values()) summarize(rec);
      const all = [...new Set([...changed, ...affected])];
      this.emit(all);
      return all;
    });
  }

  startPolling(secs = this.options.pollSecs): void {
    this.stopPolling();
    this.options.pollSecs = secs;
    const tick = (): void => {
      if (this.closing) return;
      this.pollTimer = setTimeout(() => {
        this.poll().then(tick, tick);
      }, secs * 1000);
      this.pollTimer.unref?.();
    };
    tick();
  }

  stopPolling(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  get polling(): boolean {
    return this.pollTimer !== undefined;
  }

  /**
   * Triton's repository index: one entry per model version, or the name alone when never loaded.
   * A version that keeps serving after a failed reload is READY with the failure as its reason.
   */
  index(): IndexEntry[] {
    const out: IndexEntry[] = [];
    for (const rec of [...this.models.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (rec.neverLoaded) {
        out.push({ name: rec.name });
        continue;
      }
      const served = rec.versions.filter((v) => v.served);
      if (!rec.polled || served.length === 0) {
        out.push({ name: rec.name, state: rec.state, ...(rec.reason ? { reason: rec.reason } : {}) });
        continue;
      }
      for (const v of served) {
        const reason = v.state === 'READY' && rec.reloadFailure ? reloadReason(rec.reloadFailure) : v.reason;
        out.push({ name: rec.name, version: String(v.version), state: v.state, ...(reason ? { reason } : {}) });
      }
    }
    return out;
  }

  /**
   * Stops polling and every model's instances, within `timeoutMs` (default 10 s): loads under way
   * are cancelled, finalize() gets what time there is, and whatever is still running at the
   * deadline is killed. Folders explicit loads brought are released.
   */
  async close(opts: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + Math.max(0, opts.timeoutMs ?? 10_000);
    const left = (): number => Math.max(0, deadline - Date.now());
    this.closing = true;
    this.stopPolling();
    this.listeners.clear();
    for (const c of this.loadAborts.values()) c.abort();
    await Promise.race([this.queue.catch(() => undefined), wait(left())]);
    const records = [...this.models.values()];
    const runners = [...records.flatMap((r) => r.versions.flatMap((v) => (v.runner ? [v.runner] : []))), ...[...this.draining.values()].flat()];
    const closing = Promise.all([...records.map((r) => closeRunners(r, left())), ...this.draining.keys()]);
    await Promise.race([closing, wait(left())]);
    await Promise.all(runners.map((r) => r.kill?.().catch(() => undefined)));
    const folders = new Set([...this.overrides.values(), ...records.map((r) => r.override)]);
    this.overrides.clear();
    for (const o of folders) await o?.release?.().catch(() => undefined);
  }
}

const byModel = new AsyncLocalStorage<true>();

/**
 * Runs model control a model asked for (BLS): the call returns without waiting for the runners its
 * load or unload retired to drain (the model's request may be one of theirs).
 */
export function fromModel<T>(fn: () => Promise<T>): Promise<T> {
  return byModel.run(true, fn);
}

function wait(ms: number): Promise<void> {
  return new Promise((r) => {
    setTimeout(r, ms).unref?.();
  });
}

/** The index reason of a version that serves after a failed reload. */
export function reloadReason(f: ReloadFailure): string {
  return `reload failed, the previously loaded version still serves: ${f.reason}`;
}

/** Whether any version of the model is ready to take requests. */
function serving(rec: ModelRecord | undefined): boolean {
  return rec?.versions.some((v) => v.state === 'READY' && v.runner !== undefined) ?? false;
}

function markUnloaded(rec: ModelRecord): void {
  rec.unloaded = true;
  delete rec.reloadFailure;
  for (const v of rec.versions) {
    if (!v.served) continue;
    const was = v.state;
    setVersionState(v, 'UNAVAILABLE', 'unloaded');
    if (was !== 'UNAVAILABLE') logEvent(v, { kind: 'unloaded' });
  }
}

/** The model's overall state: READY when any served version is. */
export function summarize(rec: ModelRecord): void {
  if (rec.unloaded) {
    rec.state = 'UNAVAILABLE';
    rec.reason = rec.neverLoaded ? 'not loaded (explicit model control)' : 'unloaded';
    if (rec.neverLoaded) rec.reasonCode = 'NOT_LOADED';
    else delete rec.reasonCode;
    return;
  }
  if (!rec.polled) {
    rec.state = 'UNAVAILABLE';
    return;
  }
  const served = rec.versions.filter((v) => v.served);
  if (served.some((v) => v.state === 'READY')) {
    rec.state = 'READY';
    rec.reason = '';
    delete rec.reasonCode;
  } else if (served.some((v) => v.state === 'LOADING')) {
    rec.state = 'LOADING';
  } else {
    rec.state = 'UNAVAILABLE';
    const why = served.find((v) => v.reason);
    if (why) {
      rec.reason = why.reason;
      if (why.reasonCode) rec.reasonCode = why.reasonCode;
      else delete rec.reasonCode;
    }
  }
}
