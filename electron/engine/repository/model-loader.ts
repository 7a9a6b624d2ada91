/**
 * Loads one model folder the way Triton does, step by step: read and parse
 * config.pbtxt, fill backend fields, normalize, validate, pick versions, then
 * per version let the backend auto-complete and check the config against the
 * model file. Never throws: every failure becomes a state and a reason.
 */
import { clone, create } from '@bufbuild/protobuf';
import { type Dirent, promises as fs } from 'node:fs';
import path from 'node:path';
import type { FileNode, LogEvent, ModelState } from '../../contract/lab-api';
import { CONFIG_FILENAME, PLATFORM } from '../config/constants';
import { type ModelConfig, ModelConfigSchema } from '../config/gen/model_config_pb';
import { type ConfigIssue, firstError, issue } from '../config/issues';
import { normalizeInstanceGroups, normalizeModelConfig, type DeviceFacts } from '../config/normalize';
import { configToText } from '../config/serialize';
import { parseConfigText } from '../config/text/parse';
import { instanceTotal, validateInstanceGroups, validateModelConfig, validateModelIO } from '../config/validate-model';
import { codeLabel, type ErrorReason, errorMessage, LabError } from '../errors';
import { autoCompleteBackendFields, firstSubdir, type FolderFacts } from '../backends/backend-fields';
import { type Backend, type PrepareResult, isRunnable } from '../backends/backend';
import { backendFor } from '../backends/registry';
import { createInstances } from '../backends/instances';
import { clipLine } from '../backends/log-lines';
import type { LogLevel } from '../backends/script/protocol';
import { ModelRunner } from '../runtime/model-runner';
import { loadInitialStates } from '../runtime/sequence-batcher';
import type { Tensor } from '../tensor/tensor';
import type { ModelResolver } from '../runtime/types';
import { warmUp, warmupIssues } from '../runtime/warmup';
import { runtimeLibraryIssue } from '../backends/runtime-library';
import { listTree, readDirSafe, toPosix } from '../util/fs-tree';
import { openNonBlocking, readUpTo, specialKind } from '../util/regular-file';
import { applyVersionPolicy, scanVersionDirs, type VersionScan } from './versions';
import { escapesReally } from './containment';
import { modelFileIssues, readFileIssues } from './file-fields';
import type { ModelOverride, ModelRecord, VersionRecord } from './types';

/**
 * Configs larger than this are refused before parsing (Triton reads any size). Real configs are a
 * few KB; a parsed config with its outline holds about 40 times its text (a 3 MB config of inputs
 * held 121 MB), so a larger cap would let one folder, or one load request, take gigabytes.
 */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** What loading needs to actually start instances; without it versions are only checked. */
export interface RuntimeHooks {
  resolver: ModelResolver;
  /** Tells the repository that a version's state or progress changed. */
  changed?: (model: string) => void;
  /** Cancels a model's loading when aborted. */
  signal?: (model: string) => AbortSignal | undefined;
  /** Every line a version logs, as it is logged (a server prints them, as Triton does). */
  log?: (model: string, version: number, level: LogLevel, message: string) => void;
}

export interface LoadOptions {
  devices: DeviceFacts;
  runtime?: RuntimeHooks;
  /** Triton's default; --disable-auto-complete-config turns it off. */
  autoComplete: boolean;
  defaultMaxBatchSize: number;
  /** Workspace trust: false reads script models but never runs them (no auto-complete, no instances). */
  runCode?: boolean;
  /** The lab's chosen Python interpreter (a setting); a model's own config parameter still wins. */
  python?: string;
}

export const DEFAULT_LOAD_OPTIONS: LoadOptions = { devices: { gpus: [] }, autoComplete: true, defaultMaxBatchSize: 4 };

/** Triton's per-version reason: "<Code>: <message>". */
export function reasonOf(i: ConfigIssue): string {
  return `${codeLabel(i.status ?? 'INVALID_ARG')}: ${i.message}`;
}

/** Sets a version's state and reason; the reason code goes with its reason (none unless given). */
export function setVersionState(v: VersionRecord, state: ModelState, reason: string, code?: ErrorReason): void {
  v.state = state;
  v.reason = reason;
  if (code) v.reasonCode = code;
  else delete v.reasonCode;
}

/** A version that did not load: Triton's reason from the issue, with the issue's reason code. */
function failVersion(v: VersionRecord, i: ConfigIssue): void {
  setVersionState(v, 'UNAVAILABLE', reasonOf(i), i.reason);
}

function emptyRecord(name: string, dir: string): ModelRecord {
  return {
    name,
    dir,
    baseFilled: new Set(),
    polled: false,
    issues: [],
    dependencyIssues: [],
    fileDiagnostics: [],
    versions: [],
    policy: '',
    state: 'UNAVAILABLE',
    reason: '',
    files: [],
    stamp: '',
    unloaded: false,
  };
}

function unreadable(file: string, err: unknown): { error: string } {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'EACCES' ? 'Permission denied' : e.code === 'ENOENT' ? 'No such file or directory' : errorMessage(err);
  return { error: `failed to open text file for read ${file}: ${why}` };
}

/**
 * A config (or label) file's text, read through one handle opened without blocking: a FIFO or a
 * device (a link to /dev/zero) is refused before a byte is read, and the size checked is the size
 * read (stat, then readFile, would read whatever was swapped in between).
 */
async function readConfig(file: string): Promise<{ text?: string; error?: string }> {
  let opened: Awaited<ReturnType<typeof openNonBlocking>>;
  try {
    opened = await openNonBlocking(file);
  } catch (err) {
    return unreadable(file, err);
  }
  const { handle, stat } = opened;
  try {
    const kind = specialKind(stat);
    if (kind === 'a directory') return { error: `failed to open text file for read ${file}: Is a directory` };
    if (kind) return { error: `failed to open text file for read ${file}: not a regular file (${kind})` };
    if (stat.size > MAX_CONFIG_BYTES) {
      return { error: `failed to read text proto from ${file}: the file is ${(stat.size / 2 ** 20).toFixed(1)} MiB; configs over ${MAX_CONFIG_BYTES / 2 ** 20} MiB are refused` };
    }
    return { text: (await readUpTo(handle, stat.size)).toString('utf8') };
  } catch (err) {
    return unreadable(file, err);
  } finally {
    await handle.close();
  }
}

/** Signature of what a model folder holds, to notice changes when polling. */
export async function modelStamp(dir: string): Promise<string> {
  const parts: string[] = [];
  const visit = async (d: string, depth: number): Promise<void> => {
    const { entries, error } = await readDirSafe(d);
    if (error) {
      parts.push(`${d}!${error}`);
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      try {
        const st = await fs.stat(p);
        parts.push(`${p}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`);
        if (st.isDirectory() && depth < 2) await visit(p, depth + 1);
      } catch {
        parts.push(`${p}:?`);
      }
    }
  };
  await visit(dir, 0);
  return parts.join('|');
}

export type { ModelOverride } from './types';

/** The model folder's sub-folders (linked folders too) and their version scan, or why it cannot be read. */
async function readModelFolder(dir: string): Promise<{ entries: Dirent[]; subdirs: string[]; scan: VersionScan } | { error: string }> {
  const { entries, error } = await readDirSafe(dir);
  if (error) return { error };
  const subdirs: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) subdirs.push(e.name);
    else if (e.isSymbolicLink()) {
      try {
        if ((await fs.stat(path.join(dir, e.name))).isDirectory()) subdirs.push(e.name);
      } catch {
        /* a broken link is not a folder */
      }
    }
  }
  return { entries, subdirs, scan: scanVersionDirs(subdirs) };
}

/** What backend detection reads: the entries of the first sub-folder in byte order (not the newest version). */
async function folderFacts(dir: string, subdirs: string[]): Promise<FolderFacts> {
  const first = firstSubdir(subdirs);
  const firstDirEntries = new Map<string, boolean>();
  if (first !== undefined) {
    const listing = await readDirSafe(path.join(dir, first));
    for (const e of listing.entries) {
      let isDir = e.isDirectory();
      if (e.isSymbolicLink())
        isDir = await fs.stat(path.join(dir, first, e.name)).then(
          (s) => s.isDirectory(),
          () => false,
        );
      firstDirEntries.set(e.name, isDir);
    }
  }
  return { subdirs, firstDirEntries };
}

/** A config.pbtxt inside a version folder is never read by Triton (the published Data Pipelines layout). */
function configInVersionWarnings(rec: ModelRecord, scan: VersionScan, filesOf: (version: string) => FileNode[]): void {
  const name = rec.name;
  for (const v of scan.versions) {
    if (filesOf(v.name).some((f) => f.name === CONFIG_FILENAME && f.kind !== 'dir')) {
      rec.fileDiagnostics.push({
        severity: 'warning',
        code: 'layout.config-in-version',
        message: `'${name}/${v.name}/${CONFIG_FILENAME}' is inside a version folder, where Triton never looks for a config; Triton reads only '${name}/${CONFIG_FILENAME}'`,
        file: toPosix(path.join(name, v.name, CONFIG_FILENAME)),
        fix: `Move it to '${name}/${CONFIG_FILENAME}' (one level up) and make sure it is complete: name, platform or backend, max_batch_size, input and output.`,
      });
    }
  }
}

/** Triton treats every folder as a model, hidden ones included. */
function hiddenFolderWarning(rec: ModelRecord): void {
  if (!rec.name.startsWith('.')) return;
  rec.fileDiagnostics.push({
    severity: 'warning',
    code: 'layout.hidden-folder',
    message: `Triton treats every folder in a model repository as a model, hidden ones included: '${rec.name}' is loaded as a model`,
    file: rec.name,
    fix: `Remove '${rec.name}' from the repository (or move it out) if it is not a model.`,
  });
}

/** The model stops here: `i` is its issue and `reason` its reason (Triton's message, which may differ from the issue's). */
function stop(rec: ModelRecord, i: ConfigIssue, reason = i.message): undefined {
  rec.issues.push(i);
  rec.reason = reason;
  return undefined;
}

/**
 * The model's config: an explicit load's, else config.pbtxt (read only inside the model folder,
 * then parsed), else an empty one for auto-complete to fill. Undefined when the model stops here
 * (the record then holds the issue and the reason).
 */
async function readModelConfig(rec: ModelRecord, entries: Dirent[], opts: LoadOptions, override: ModelOverride): Promise<ModelConfig | undefined> {
  const { name, dir } = rec;
  const configPath = path.join(dir, CONFIG_FILENAME);
  if (override.config) {
    const config = clone(ModelConfigSchema, override.config);
    if (!config.name) config.name = name;
    rec.configText = configToText(config);
    return config;
  }
  if (!entries.some((e) => e.name === CONFIG_FILENAME)) {
    if (opts.autoComplete) return create(ModelConfigSchema);
    const message = `failed to open text file for read ${configPath}: No such file or directory`;
    return stop(rec, issue('config.missing', message, undefined, 'INTERNAL'));
  }
  rec.configPath = configPath;
  // A config.pbtxt linked to a file outside the model folder is not read (its text would show in the lab).
  if ((await escapesReally(configPath, dir)).escapes) {
    const message = `config file path '${configPath}' for model '${name}' is outside model directory: it is a link to a file elsewhere`;
    return stop(rec, issue('config.outside', message, undefined, 'UNSUPPORTED'));
  }
  const read = await readConfig(configPath);
  if (read.error !== undefined) return stop(rec, issue('config.unreadable', read.error, undefined, 'INTERNAL'));
  rec.configText = read.text!;
  const parsed = parseConfigText(read.text!);
  rec.outline = parsed.outline;
  if (parsed.error || !parsed.config) {
    const at = parsed.error?.span.start ?? { line: 1, column: 1 };
    const message = `failed to read text proto from ${configPath}: ${at.line}:${at.column}: ${parsed.error?.message ?? 'unreadable'}`;
    return stop(rec, { ...issue('config.syntax', parsed.error?.message ?? 'unreadable', undefined, 'INTERNAL'), ...(parsed.error ? { span: parsed.error.span } : {}) }, message);
  }
  return parsed.config;
}

/** Backend fields, normalization and the model-level checks of Triton's InitializeModelInfo; the config becomes the record's base. */
function completeModelConfig(rec: ModelRecord, config: ModelConfig, facts: FolderFacts, opts: LoadOptions): void {
  const backendIssue = autoCompleteBackendFields(rec.name, config, facts);
  if (backendIssue) rec.issues.push(backendIssue);
  normalizeModelConfig(config, rec.baseFilled);
  rec.base = config;
  if (backendIssue) return;
  rec.issues.push(...validateModelConfig(config));
  if (!opts.autoComplete) rec.issues.push(...validateModelIO(config));
  if (config.name !== rec.name) {
    rec.issues.push(issue('config.name-mismatch', `unexpected directory name '${rec.name}' for model '${config.name}', directory name must equal model name`, ['name']));
  }
}

/** The version policy picks the served versions; each version folder gets a record (not loaded yet). */
function versionRecords(rec: ModelRecord, config: ModelConfig, scan: VersionScan, filesOf: (version: string) => FileNode[]): ConfigIssue | undefined {
  const policy = applyVersionPolicy(rec.name, config.versionPolicy, scan.versions);
  rec.policy = policy.description;
  rec.issues.push(...policy.issues);
  const servedNames = new Set(policy.served.map((v) => v.name));
  rec.versions = scan.versions.map((v): VersionRecord => ({
    version: v.version,
    dirName: v.name,
    dir: path.join(rec.dir, v.name),
    served: servedNames.has(v.name),
    state: 'UNAVAILABLE',
    reason: servedNames.has(v.name) ? '' : 'not selected by the version policy',
    filled: new Set(),
    issues: [],
    files: filesOf(v.name),
    logs: [],
  }));
  const none = firstError(policy.issues);
  if (none && scan.versions.length === 0) {
    const holds = isEnsemble(rec) ? 'nothing (an ensemble needs only the empty folder)' : config.defaultModelFilename ? `the model file '${config.defaultModelFilename}'` : 'the model file';
    none.fix = `Create a version folder '${rec.name}/1/' holding ${holds}. Triton serves only numbered sub-folders of a model.`;
  }
  return none;
}

/**
 * Model-level work: Triton's InitializeModelInfo, plus what the browser shows. Steps: read the
 * folder, list its files, warn about layouts Triton ignores, read the config, complete and check
 * it, then pick the versions. A model that stops at a step keeps the reason.
 */
export async function pollModel(root: string, name: string, opts: LoadOptions, override: ModelOverride = {}): Promise<ModelRecord> {
  const dir = override.dir ?? path.join(root, name);
  const rec = emptyRecord(name, dir);
  if (override.config || override.dir) rec.override = override;
  rec.stamp = await modelStamp(dir);
  const folder = await readModelFolder(dir);
  if ('error' in folder) {
    stop(rec, issue('model.unreadable', `failed to open directory ${dir}: ${folder.error}`, undefined, 'INTERNAL'));
    return rec;
  }
  const { entries, subdirs, scan } = folder;
  const versionNames = new Set(scan.versions.map((v) => v.name));
  const allFiles = await listTree(root, dir);
  rec.files = allFiles.filter((f) => !versionNames.has(f.name));
  const filesOf = (vname: string): FileNode[] => allFiles.find((f) => f.name === vname)?.children ?? [];
  const facts = await folderFacts(dir, subdirs);
  configInVersionWarnings(rec, scan, filesOf);

  const config = await readModelConfig(rec, entries, opts, override);
  if (!config) return rec;
  completeModelConfig(rec, config, facts, opts);
  hiddenFolderWarning(rec);
  const err = firstError(rec.issues);
  rec.issues.push(...scan.skipped);
  if (err) {
    rec.reason = err.message;
    return rec;
  }
  const none = versionRecords(rec, config, scan, filesOf);
  // The config passed InitializeModelInfo, so Triton has the model in its dependency graph even
  // when no version can load (that error comes from AsyncLoad): ensembles then report it as a load failure.
  rec.polled = true;
  if (none) rec.reason = none.message;
  return rec;
}

/** Why a script model of an untrusted folder is not started. */
export const UNTRUSTED_REASON = "not started: this folder's code has not been trusted (trust it to run its script, Python and PyTorch models)";

/** Triton's CreateModel for one non-ensemble version. */
export async function loadVersion(rec: ModelRecord, v: VersionRecord, opts: LoadOptions): Promise<void> {
  const base = rec.base!;
  const c = clone(ModelConfigSchema, base);
  const filled = new Set(rec.baseFilled);
  const issues: ConfigIssue[] = [];
  const backend = backendFor(c.backend);
  // Triton looks for the backend library first; a 'runtime' it cannot use stops the load there.
  const runtimeProblem = await runtimeLibraryIssue(c, rec.dir, v.dir);
  if (runtimeProblem) issues.push(runtimeProblem);
  // A model file named outside the model folder is never read, and never run by auto-complete.
  const outside = modelFileIssues(rec.dir, v.dir, c);
  issues.push(...outside);
  issues.push(...normalizeInstanceGroups(c, opts.devices, filled));
  issues.push(...validateInstanceGroups(c, opts.devices.gpus));
  const signal = opts.runtime?.signal?.(rec.name);
  const ctx = {
    model: rec.name,
    versionDir: v.dir,
    config: c,
    filled,
    autoComplete: opts.autoComplete,
    defaultMaxBatchSize: opts.defaultMaxBatchSize,
    runCode: opts.runCode !== false,
    ...(opts.python ? { python: opts.python } : {}),
    ...(signal ? { signal } : {}),
  };
  const prepared: PrepareResult = outside.length > 0 ? { issues: [], changed: false } : await backend.complete(ctx);
  issues.push(...prepared.issues);
  if (prepared.changed) normalizeModelConfig(c, filled);
  if (!firstError(issues) && !prepared.ioFromUnrunnableCode) {
    // Model::Init: both checks again, on the final config.
    issues.push(...validateModelConfig(c), ...validateModelIO(c));
  }
  if (!firstError(issues)) {
    const problem = backend.check(ctx, prepared);
    if (problem) issues.push(problem);
  }
  // Warm-up bounds need the final config (auto-complete may set max_batch_size) and the instance count.
  if (!firstError(issues)) issues.push(...warmupIssues(c, instanceTotal(c)));
  if (!firstError(issues)) issues.push(...(await readFileIssues(rec.name, rec.dir, c)));
  if (!firstError(issues)) issues.push(...(await labelFileIssues(rec, c)));
  v.config = c;
  v.filled = filled;
  v.issues = issues;
  if (prepared.modelFile) v.modelFile = prepared.modelFile;
  if (prepared.onnx) v.onnx = prepared.onnx;
  const err = firstError(issues);
  if (runtimeProblem) {
    failVersion(v, runtimeProblem);
  } else if (outside.length > 0) {
    failVersion(v, outside[0]!);
  } else if (!isRunnable(backend)) {
    failVersion(v, prepared.issues.find((i) => i.status === 'UNSUPPORTED' || i.code === 'backend.unknown') ?? issues[0]!);
  } else if (err) {
    failVersion(v, err);
  } else if (opts.runtime && opts.runCode === false && backend.runsUserCode) {
    setVersionState(v, 'UNAVAILABLE', UNTRUSTED_REASON, 'UNTRUSTED');
  } else if (opts.runtime) {
    await startVersion(rec, v, c, backend, opts.runtime, opts.python);
  } else {
    setVersionState(v, 'READY', '');
  }
}

const MAX_LOG_LINES = 500;

/** Adds a line to a version's log (cut to MAX_LOG_LINE characters); returns the line as kept. */
export function appendLog(v: VersionRecord, level: LogLevel, message: string, event?: LogEvent): string {
  const line = clipLine(message);
  v.logs.push({ time: Date.now(), level, message: line, ...(event ? { event } : {}) });
  if (v.logs.length > MAX_LOG_LINES) v.logs.splice(0, v.logs.length - MAX_LOG_LINES);
  return line;
}

/** The English line of a lifecycle event (the UI words it from the event itself). */
function eventText(e: LogEvent): string {
  const n = (k: number | undefined): string => (k === 1 ? '1 instance' : `${k ?? 0} instances`);
  switch (e.kind) {
    case 'loading':
      return e.instances === undefined ? `loading version ${e.version}` : `loading version ${e.version}: starting ${n(e.instances)}`;
    case 'loaded':
      return `version ${e.version} loaded${e.ms === undefined ? '' : ` in ${e.ms} ms`}${e.device ? ` on ${e.device}` : ''}${e.instances ? ` (${n(e.instances)})` : ''}: ready for requests`;
    case 'failed':
      return `version ${e.version} failed to load: ${e.reason ?? 'unknown reason'}`;
    case 'unloaded':
      return `version ${e.version} unloaded`;
    case 'reloaded':
      return '— reloaded: the lines above are from the previous load —';
  }
}

/**
 * Records a step of the version's life in its log (loading, loaded, failed,
 * unloaded), so the Log tab tells what happened even for a model that prints
 * nothing. Only the log: the server's output has its own load messages.
 */
export function logEvent(v: VersionRecord, event: Omit<LogEvent, 'version'>): void {
  const e: LogEvent = { ...event, version: v.version };
  appendLog(v, e.kind === 'failed' ? 'error' : 'info', eventText(e), e);
}

/** Starts the instances, warms them up, and makes the version servable. */
async function startVersion(rec: ModelRecord, v: VersionRecord, c: ModelConfig, backend: Backend, hooks: RuntimeHooks, python?: string): Promise<void> {
  setVersionState(v, 'LOADING', 'starting instances');
  const started = Date.now();
  logEvent(v, { kind: 'loading', instances: instanceTotal(c) });
  hooks.changed?.(rec.name);
  const log = (level: LogLevel, message: string): void => {
    const line = appendLog(v, level, message);
    hooks.log?.(rec.name, v.version, level, line);
  };
  try {
    const loaded = await createInstances(backend, {
      model: rec.name,
      version: v.version,
      modelDir: rec.dir,
      versionDir: v.dir,
      config: c,
      ...(python ? { python } : {}),
      ...(v.modelFile ? { modelFile: v.modelFile } : {}),
      resolver: hooks.resolver,
      log,
      progress: (done, total) => {
        v.reason = `started ${done} of ${total} instances`;
        hooks.changed?.(rec.name);
      },
      ...(hooks.signal?.(rec.name) ? { signal: hooks.signal(rec.name)! } : {}),
    });
    let initialStates: ReadonlyMap<string, Tensor> | undefined;
    try {
      // Sequence models: initial states from <model>/initial_state/ files, read once (Triton reads them when its scheduler starts).
      initialStates = await loadInitialStates(c, rec.dir);
      if (c.modelWarmup.length > 0) {
        v.reason = 'warming up';
        hooks.changed?.(rec.name);
        await warmUp(c, rec.dir, loaded.instances);
      }
    } catch (err) {
      await Promise.all(loaded.instances.map((i) => i.close().catch(() => undefined)));
      throw err;
    }
    v.runner = new ModelRunner(c, v.version, loaded.instances, { initialStates, log });
    v.device = loaded.device;
    if (loaded.fallback) v.deviceNote = loaded.fallback;
    if (loaded.placements) v.placements = loaded.placements;
    setVersionState(v, 'READY', '');
    logEvent(v, { kind: 'loaded', ms: Date.now() - started, instances: loaded.instances.length, ...(loaded.device ? { device: loaded.device } : {}) });
  } catch (err) {
    const failed: ConfigIssue = {
      ...issue('backend.load', errorMessage(err), undefined, err instanceof LabError ? err.code : 'INTERNAL'),
      ...(err instanceof LabError && err.reason ? { reason: err.reason } : {}),
    };
    failVersion(v, failed);
    v.issues.push(failed);
    logEvent(v, { kind: 'failed', reason: v.reason });
  }
  hooks.changed?.(rec.name);
}

/** Label files must be readable regular files of a bounded size (readFileIssues checked that they are inside). */
async function labelFileIssues(rec: ModelRecord, c: ModelConfig): Promise<ConfigIssue[]> {
  const out: ConfigIssue[] = [];
  for (const [i, o] of c.output.entries()) {
    if (!o.labelFilename) continue;
    const read = await readConfig(path.join(rec.dir, o.labelFilename));
    if (read.error) out.push(issue('output.label-missing', read.error, ['output', i, 'label_filename'], 'INTERNAL'));
  }
  return out;
}

export function isEnsemble(rec: ModelRecord): boolean {
  return rec.base?.platform === PLATFORM.ensemble || rec.base?.schedulingChoice.case === 'ensembleScheduling';
}
