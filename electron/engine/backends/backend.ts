/**
 * What a backend is to the lab: one descriptor per backend (`backends/<name>/index.ts`, and
 * `backends/foreign/` for those the lab describes but cannot run), listed in `registry.ts`.
 * Everything that depends on the backend (backend-field detection, workspace trust, what is
 * runnable, auto-complete, the load-time checks, starting instances) reads the descriptor,
 * so a backend is added or changed in its own folder.
 */
import { promises as fs } from 'node:fs';
import type { ModelConfig } from '../config/gen/model_config_pb';
import type { ConfigIssue } from '../config/issues';
import type { OnnxModelIO } from '../onnx/model-io';
import type { BackendInstance, ModelResolver } from '../runtime/types';
import type { LogLevel } from './child-supervisor';
import type { InstancePlacement } from '../../contract/lab-api';

/** What the first version folder holds, for Triton's backend detection (AutoCompleteBackendFields). */
export interface FolderView {
  /** The model folder has a sub-folder (a version or not). */
  hasVersion: boolean;
  /** The first sub-folder (byte order) holds `name`. */
  has(name: string): boolean;
  /** …and it is a folder. */
  isDir(name: string): boolean;
}

/** Triton lets the files decide only when neither platform nor default_model_filename says anything. */
export function filesDecide(c: ModelConfig, folder: FolderView): boolean {
  return !c.platform && !c.defaultModelFilename && folder.hasVersion;
}

export interface PrepareContext {
  model: string;
  /** Absolute path of the version folder. */
  versionDir: string;
  config: ModelConfig;
  filled: Set<string>;
  autoComplete: boolean;
  defaultMaxBatchSize: number;
  /** The folder's code may run (workspace trust); false: scripts are read, never executed. */
  runCode?: boolean;
  /** The lab's Python interpreter setting. */
  python?: string;
  /** Aborted when the load is cancelled or the repository closes: a throwaway auto-complete child stops. */
  signal?: AbortSignal;
}

export interface PrepareResult {
  /** Problems in Triton's order; the first error is the version's reason. */
  issues: ConfigIssue[];
  /** The backend changed the config; Triton normalizes it again. */
  changed: boolean;
  modelFile?: string;
  onnx?: OnnxModelIO;
  /** IO is filled by code the lab cannot run (e.g. Python's auto_complete_config). */
  ioFromUnrunnableCode?: boolean;
}

export interface InstanceSpec {
  name: string;
  kind: 'CPU' | 'GPU' | 'MODEL';
  gpu: number;
}

export interface LoadContext {
  model: string;
  version: number;
  modelDir: string;
  versionDir: string;
  config: ModelConfig;
  modelFile?: string;
  resolver: ModelResolver;
  log: (level: LogLevel, message: string) => void;
  /** Told after each instance starts. */
  progress?: (done: number, total: number) => void;
  /** Aborting stops before the next instance starts (a session being created finishes first). */
  signal?: AbortSignal;
  /** The lab's Python interpreter setting. */
  python?: string;
}

export interface LoadedInstances {
  instances: BackendInstance[];
  /** Where the instances run, e.g. "CPU" or "GPU 0". */
  device: string;
  /** Why a GPU was asked for but not used. */
  fallback?: string;
  /** Each instance and where it runs, where the backend knows (ONNX Runtime: its execution provider). */
  placements?: InstancePlacement[];
}

export interface Backend {
  /** Triton's name for it, as `backend:` spells it in a config. */
  readonly name: string;
  /** What it runs, in a few words, for the UI and diagnostics ("ONNX models, in ONNX Runtime"). */
  readonly runs: string;
  /** It runs code from the repository folder, so workspace trust applies. */
  readonly runsUserCode: boolean;
  /** Its instances run on the lab's Python interpreter setting: a new setting loads them again. */
  readonly usesPythonSetting?: boolean;
  /**
   * Its step of Triton's AutoCompleteBackendFields: claims the config when its platform, its
   * default_model_filename or (when `filesDecide`) the first version folder's files say so, and
   * fills what the backend implies. True when the config is this backend's (detection stops).
   */
  fields?(c: ModelConfig, folder: FolderView): boolean;
  /** Runs before the config's final validation (auto-complete). */
  complete(ctx: PrepareContext): Promise<PrepareResult>;
  /** Runs after it (config against model). */
  check(ctx: PrepareContext, prepared: PrepareResult): ConfigIssue | undefined;
  /** Starts a version's instances, one per spec; absent for backends the lab cannot run. */
  instances?(specs: InstanceSpec[], ctx: LoadContext): Promise<LoadedInstances>;
}

/** Whether the lab runs this backend's models (else they are read, completed and checked only). */
export function isRunnable(b: Backend): boolean {
  return b.instances !== undefined;
}

/** 'special': a FIFO, device or socket (never opened: it could block or never end). */
export async function pathKind(p: string): Promise<'file' | 'dir' | 'special' | undefined> {
  try {
    const st = await fs.stat(p);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'special';
  } catch {
    return undefined;
  }
}
