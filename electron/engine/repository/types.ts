import type { Diagnostic, FileNode, InstancePlacement, LogEvent, ModelState, ReloadFailure } from '../../contract/lab-api';
import type { ModelConfig } from '../config/gen/model_config_pb';
import type { ConfigIssue } from '../config/issues';
import type { ErrorReason } from '../errors';
import type { Outline } from '../config/text/outline';
import type { OnnxModelIO } from '../onnx/model-io';
import type { Runner } from '../runtime/types';
import type { LogLevel } from '../backends/script/protocol';

export interface LogLine {
  /** Milliseconds since the epoch. */
  time: number;
  level: LogLevel;
  message: string;
  /** The lab's record of a load or unload (not the model's own output). */
  event?: LogEvent;
}

export interface VersionRecord {
  version: number;
  /** Folder name as on disk (may differ from the number, e.g. "3abc"). */
  dirName: string;
  dir: string;
  served: boolean;
  state: ModelState;
  reason: string;
  /** Why, for code to decide on; set with the reason (setVersionState). */
  reasonCode?: ErrorReason;
  /** The configuration this version runs with, after backend auto-complete. */
  config?: ModelConfig;
  filled: Set<string>;
  issues: ConfigIssue[];
  modelFile?: string;
  onnx?: OnnxModelIO;
  files: FileNode[];
  /** The loaded, runnable version (absent when the lab only checked it). */
  runner?: Runner;
  /** Where the instances run, e.g. "CPU". */
  device?: string;
  /** Why the config's device could not be used. */
  deviceNote?: string;
  /** Each instance and where it runs (execution provider), when the backend says. */
  placements?: InstancePlacement[];
  /** What the model printed and logged, newest last. */
  logs: LogLine[];
}

export interface ModelRecord {
  name: string;
  dir: string;
  configPath?: string;
  configText?: string;
  outline?: Outline;
  /** Config after backend-field detection and normalization, before any backend ran. */
  base?: ModelConfig;
  baseFilled: Set<string>;
  /** Model-level checks passed (Triton's InitializeModelInfo), so versions were attempted (there may be none). */
  polled: boolean;
  issues: ConfigIssue[];
  /** Ensemble dependency and wiring findings, replaced on every evaluation. */
  dependencyIssues: ConfigIssue[];
  /** Findings that are about files rather than config fields. */
  fileDiagnostics: Diagnostic[];
  versions: VersionRecord[];
  policy: string;
  state: ModelState;
  reason: string;
  /** Why, for code to decide on (summarize sets it with the reason). */
  reasonCode?: ErrorReason;
  files: FileNode[];
  /** Change signature for polling. */
  stamp: string;
  unloaded: boolean;
  /** Listed but never asked to load (explicit model control): Triton indexes it by name only. */
  neverLoaded?: boolean;
  /** The explicit load's config or folder this record was loaded with. */
  override?: ModelOverride;
  /**
   * The last reload failed while earlier versions kept serving (Triton's rule): why. The record
   * keeps the serving versions and shows the failed attempt's config text and diagnostics.
   */
  reloadFailure?: ReloadFailure;
}

/** What an explicit load may put in place of the model's folder or config.pbtxt (Triton's load parameters). */
export interface ModelOverride {
  config?: ModelConfig;
  dir?: string;
  /** Called once no loaded model uses `dir` any more (unloaded, replaced by a new load, repository closed). */
  release?: () => Promise<void>;
}
