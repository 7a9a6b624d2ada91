/**
 * The profiler's terms, after perf_analyzer's (triton client repo, src/c++/perf_analyzer):
 * a target that runs one request and reports the model's cumulative statistics, a clock, and
 * the figures of a measurement window and of a stable concurrency level.
 */

/** Time as the profiler sees it: injected so the window and stability logic runs against a fake clock in tests. */
export interface Clock {
  /** Nanoseconds from an arbitrary origin, never going back. */
  nowNs(): number;
  sleep(ms: number): Promise<void>;
  /**
   * Lets timers and I/O run between a worker's requests: an in-process model can answer within
   * microtasks, and a closed loop of those would starve the window's timer forever.
   */
  yield(): Promise<void>;
}

/** How long a worker may run without giving timers and I/O a turn. */
const YIELD_EVERY_NS = 1_000_000;
let lastYieldNs = 0;

/**
 * The real clock. Its yield gives the event loop a turn at most once a millisecond: a turn per
 * request cost a fast HTTP model ~5% of its throughput (bench:profile), and a model that answers
 * within microtasks still lets the window's timer fire within about a millisecond.
 */
export const systemClock: Clock = {
  nowNs: () => Number(process.hrtime.bigint()),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  yield: () => {
    const now = Number(process.hrtime.bigint());
    if (now - lastYieldNs < YIELD_EVERY_NS) return Promise.resolve();
    return new Promise((resolve) =>
      setImmediate(() => {
        lastYieldNs = Number(process.hrtime.bigint());
        resolve();
      }),
    );
  },
};

/** A model's cumulative server-side statistics (Triton's ModelStatistics inference_stats, summed over versions). */
export interface ServerStats {
  successCount: number;
  successNs: number;
  queueCount: number;
  queueNs: number;
  computeInputCount: number;
  computeInputNs: number;
  computeInferCount: number;
  computeInferNs: number;
  computeOutputCount: number;
  computeOutputNs: number;
  inferenceCount: number;
  executionCount: number;
}

/** What the client measured of one request besides its latency: time to send it and to read the response (0 in-process). */
export interface RequestTimes {
  sendNs: number;
  recvNs: number;
}

export interface TargetDescription {
  /** How the requests travel; `address` is the repository folder or the server's URL. */
  kind: 'in-process' | 'http' | 'grpc';
  address: string;
  /** Whether the server runs on this machine (in-process, or a loopback address). */
  sameHost: boolean;
}

/** What the profiler drives: perf_analyzer's client backend, reduced to what a closed loop needs. */
export interface ProfileTarget {
  /** Runs one request and resolves when its response is in. */
  infer(): Promise<RequestTimes>;
  /** The model's cumulative statistics now. */
  statistics(): Promise<ServerStats>;
  describe(): TargetDescription;
  /**
   * Every request goes through a socket, so it always lets timers and I/O run: the closed loop then
   * skips its yield between requests (an event-loop turn each, a measurable cost on a fast model).
   */
  readonly network?: boolean;
}

/** One completed request, as the closed loop records it. */
export interface RequestRecord {
  startNs: number;
  endNs: number;
  sendNs: number;
  recvNs: number;
  /** Request-rate mode: sent later than its slot in the schedule. */
  delayed?: boolean;
}

/** Client figures over a set of requests (perf_analyzer's ClientSideStats). */
export interface ClientStats {
  requestCount: number;
  durationNs: number;
  inferPerSec: number;
  avgLatencyNs: number;
  stdNs: number;
  /** p50, p90, p95, p99 and the --percentile asked for. */
  percentileNs: Map<number, number>;
  avgSendNs: number;
  avgRecvNs: number;
  /** Request-rate mode: requests sent late (perf_analyzer's delayed_request_count) and requests sent per second. */
  delayedCount?: number;
  sendRate?: number;
}

/** One measurement window, or the merge of the stable ones. */
export interface Measurement {
  client: ClientStats;
  /** Statistics delta between the window's start and end. */
  server: ServerStats;
  /** The latency stability is judged on: the --percentile one, or the average. */
  stabilizingLatencyNs: number;
  /** The window's request latencies (merged: all windows'), kept for the merge. */
  latencies: number[];
}

export interface PointResult {
  /** Requests in flight (concurrency mode; 0 in request-rate mode). */
  concurrency: number;
  /** Request-rate mode: the requests per second scheduled. */
  requestRate?: number;
  stable: boolean;
  /** Windows measured at this level (perf_analyzer's trials). */
  windows: number;
  /** The last three windows merged (when stable), else the last window. */
  measurement: Measurement;
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  platform: string;
  sameHost: boolean;
}

export interface ProfileSettings {
  batchSize: number;
  concurrency: { start: number; end: number; step: number };
  /** perf_analyzer's --request-rate-range: an open loop at a constant interval instead of the closed loop. */
  requestRate?: { start: number; end: number; step: number };
  measurementIntervalMs: number;
  /** -1: stabilize on the average latency (perf_analyzer's default). */
  percentile: number;
  /** 0.1: windows agree within 10%. */
  stabilityThreshold: number;
  maxTrials: number;
  /** Requests run at each concurrency level before its first window. */
  warmupRequests: number;
}

export const DEFAULT_SETTINGS: ProfileSettings = {
  batchSize: 1,
  concurrency: { start: 1, end: 1, step: 1 },
  measurementIntervalMs: 5000,
  percentile: -1,
  stabilityThreshold: 0.1,
  maxTrials: 10,
  warmupRequests: 0,
};

export interface ProfileResult {
  model: string;
  target: TargetDescription;
  machine: MachineInfo;
  settings: ProfileSettings;
  points: PointResult[];
  warnings: string[];
}
