/**
 * Types of the lab API for profiling (perf_analyzer's method: warm-up, measurement windows until 3
 * agree, the server-side breakdown from statistics deltas) and for the what-if search over config
 * knobs (Model Analyzer's idea: temporary configs, each profiled, ranked under a latency budget).
 * A profile runs in the background; progress comes as `profile-progress` / `whatif-progress` events.
 */

export interface ProfileRequest {
  /** A local repository's id or a remote server's (`remote:…`). */
  repoId: string;
  model: string;
  version?: number;
  batchSize?: number;
  /** Closed loop: this many requests in flight, start..end by step (default 1:1:1). */
  concurrency?: { start: number; end: number; step: number };
  /** Open loop instead of concurrency: requests per second, start..end by step. */
  requestRate?: { start: number; end: number; step: number };
  inputData?: 'zero' | 'random';
  /** Dims for inputs with variable dims (-1), without the batch dimension. */
  shapes?: Record<string, number[]>;
  measurementIntervalMs?: number;
  /** Stabilize on this percentile's latency (e.g. 95); absent: the average. */
  percentile?: number;
  /** Windows per level before giving up on stability (default 10). */
  maxTrials?: number;
  /** How close (%) the last 3 windows' throughput and latency must be to call a level stable (perf_analyzer's -s; default 10). */
  stabilityPercentage?: number;
  /** A remote server's protocol to profile over (default the server's own). */
  protocol?: 'http' | 'grpc';
  /** Shown in the list of past profiles. */
  label?: string;
}

/** Microseconds, as perf_analyzer prints them. */
export interface ProfileComponents {
  clientSendUs: number;
  networkServerSendRecvUs: number;
  serverQueueUs: number;
  serverComputeInputUs: number;
  serverComputeInferUs: number;
  serverComputeOutputUs: number;
  clientRecvUs: number;
}

export interface ProfilePoint {
  /** The level measured: requests in flight, or requests per second. */
  concurrency?: number;
  requestRate?: number;
  stable: boolean;
  windows: number;
  requestCount: number;
  inferPerSec: number;
  latencyUs: { avg: number; std: number; p50: number; p90: number; p95: number; p99: number };
  components: ProfileComponents;
}

export interface ProfileRun {
  profileId: string;
  repoId: string;
  model: string;
  version?: number;
  label: string;
  /** The request as completed with defaults. */
  settings: Required<Pick<ProfileRequest, 'batchSize' | 'inputData' | 'measurementIntervalMs' | 'maxTrials'>> &
    Pick<ProfileRequest, 'concurrency' | 'requestRate' | 'percentile' | 'shapes' | 'protocol' | 'stabilityPercentage'>;
  startedAt: number;
  finishedAt?: number;
  state: 'running' | 'done' | 'stopped' | 'error';
  error?: { code: string; message: string };
  target: { kind: 'in-process' | 'http' | 'grpc'; address: string; sameHost: boolean };
  /** What it was measured on: the client's cores and CPU, the execution provider, whether client and server share the host. */
  machine: { cores: number; cpuModel: string; platform: string; sameHost: boolean; provider?: string };
  warnings: string[];
  points: ProfilePoint[];
  /** Where the sweep is: level i of n, window j of at most maxTrials. */
  progress: { level: number; levels: number; window: number; maxWindows: number };
  /** perf_analyzer's `-f` CSV of the points so far. */
  csv: string;
  /** Set when a what-if run made it: the variant's name. */
  variant?: string;
}

/** The knobs a what-if search varies; every combination is a variant (bounded by `maxVariants`). */
export interface WhatIfKnobs {
  instanceCounts?: number[];
  dynamicBatching?: boolean[];
  preferredBatchSizes?: number[][];
  maxQueueDelayUs?: number[];
}

export interface WhatIfRequest {
  /** Local repositories only: the variants load as temporary configs. */
  repoId: string;
  model: string;
  knobs: WhatIfKnobs;
  /** The latency a variant must keep (at the percentile of `profile`, else the average). */
  latencyBudgetMs: number;
  /** How each variant is profiled. */
  profile: Omit<ProfileRequest, 'repoId' | 'model' | 'label'>;
  /** Default 8. */
  maxVariants?: number;
}

export interface WhatIfVariant {
  name: string;
  /** The knob values in words, e.g. ["instance count 2", "dynamic batching on"]. */
  changes: string[];
  /** The knob values it sets (none: the baseline), for a view to put in its own words. */
  knobs?: { instanceCount?: number; dynamicBatching?: boolean; preferredBatchSizes?: number[]; maxQueueDelayUs?: number };
  /** The variant's config.pbtxt. */
  configText: string;
  state: 'pending' | 'running' | 'done' | 'error' | 'stopped';
  error?: { code: string; message: string };
  profileId?: string;
  /** Its best point within the budget (highest throughput), if any. */
  best?: { inferPerSec: number; latencyUs: number; concurrency?: number; requestRate?: number };
  withinBudget: boolean;
  /** 1 = best, among the variants within the budget. */
  rank?: number;
  /** Its lowest-latency point (shown for a variant that missed the budget: by how much). */
  closest?: { inferPerSec: number; latencyUs: number; concurrency?: number; requestRate?: number };
  /** While it runs: level i of n, window j of at most maxWindows. */
  progress?: { level: number; levels: number; window: number; maxWindows: number };
  /** Its measured points (as in a ProfileRun). */
  points?: ProfilePoint[];
}

export interface WhatIfRun {
  whatIfId: string;
  repoId: string;
  model: string;
  latencyBudgetMs: number;
  /** How each variant was profiled (as requested). */
  profile?: WhatIfRequest['profile'];
  state: 'running' | 'done' | 'stopped' | 'error';
  error?: { code: string; message: string };
  startedAt: number;
  finishedAt?: number;
  variants: WhatIfVariant[];
  /** The best variant within the budget. */
  winner?: string;
  /** A unified diff from the model's config.pbtxt to the winner's (applied only by `applyWhatIf`). */
  diff?: string;
}
