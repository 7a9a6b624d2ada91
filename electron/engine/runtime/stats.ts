/**
 * Per model version statistics in Triton's terms (core infer_stats /
 * tritonserver.cc ModelStatistics): success and failure with their request
 * durations, queue and compute phases, per-batch-size execution figures.
 *
 * For the latency metrics behind Triton's --metrics-config switches (core
 * metric_model_reporter.cc): a histogram of the time to a request's first
 * response in whole milliseconds (buckets 100, 500, 2000, 5000 unless the
 * config's model_metrics says otherwise), and, while summaries are asked for
 * (ModelStatistics.keepRecentLatencies), the latencies of the last 60 s
 * (at most 1024 per phase) for the summaries' quantiles.
 */
export interface DurationStat {
  count: number;
  ns: number;
}

export interface BatchStat {
  batchSize: number;
  computeInput: DurationStat;
  computeInfer: DurationStat;
  computeOutput: DurationStat;
}

/** Why a request failed, as Triton's nv_inference_request_failure labels it. */
export type FailureReason = 'REJECTED' | 'CANCELED' | 'BACKEND' | 'OTHER';

export interface ExecutionTimes {
  inputNs: number;
  inferNs: number;
  outputNs: number;
}

const zero = (): DurationStat => ({ count: 0, ns: 0 });

/** Triton's first-response histogram: its family name and default buckets in ms (metric_model_reporter.h). */
export const FIRST_RESPONSE_FAMILY = 'nv_inference_first_response_histogram_ms';
export const FIRST_RESPONSE_BUCKETS_MS: readonly number[] = [100, 500, 2000, 5000];

/** The buckets a config's model_metrics sets for the first-response histogram, or Triton's default. */
export function firstResponseBuckets(config: {
  modelMetrics?: { metricControl: readonly { metricIdentifier?: { family: string }; metricOptions: { case: string | undefined; value?: { buckets: readonly number[] } } }[] };
}): readonly number[] {
  let buckets = FIRST_RESPONSE_BUCKETS_MS;
  for (const mc of config.modelMetrics?.metricControl ?? []) {
    if (mc.metricIdentifier?.family === FIRST_RESPONSE_FAMILY && mc.metricOptions.case === 'histogramOptions') buckets = [...(mc.metricOptions.value?.buckets ?? [])];
  }
  return buckets;
}

/** A Prometheus histogram: per-bucket counts (upper bounds ascending, then the +Inf bucket), sum and count. */
export class Histogram {
  readonly bounds: readonly number[];
  /** Counts per bucket, not cumulative; the last is above every bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = [...new Set(bounds)].sort((a, b) => a - b);
    this.counts = new Array<number>(this.bounds.length + 1).fill(0);
  }

  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

/** The latencies (µs) observed in the last `maxAgeMs`, at most `capacity` of them, for a summary's quantiles. */
export class RecentLatencies {
  private readonly values: Float64Array;
  private readonly times: Float64Array;
  private next = 0;
  private size = 0;

  constructor(
    readonly capacity = 1024,
    readonly maxAgeMs = 60_000,
  ) {
    this.values = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
  }

  observe(us: number, nowMs = Date.now()): void {
    this.values[this.next] = us;
    this.times[this.next] = nowMs;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** Each quantile as the observation at its rank (nearest rank) among the recent ones; NaN when there are none. */
  quantiles(qs: readonly number[], nowMs = Date.now()): number[] {
    const recent: number[] = [];
    for (let i = 0; i < this.size; i++) if (nowMs - this.times[i]! <= this.maxAgeMs) recent.push(this.values[i]!);
    recent.sort((a, b) => a - b);
    return qs.map((q) => (recent.length === 0 ? Number.NaN : recent[Math.min(recent.length - 1, Math.max(0, Math.ceil(q * recent.length) - 1))]!));
  }
}

/** The phases Triton keeps summaries of, in its order. */
export const SUMMARY_PHASES = ['request', 'queue', 'computeInput', 'computeInfer', 'computeOutput'] as const;
export type SummaryPhase = (typeof SUMMARY_PHASES)[number];

export class ModelStatistics {
  success = zero();
  fail = zero();
  queue = zero();
  computeInput = zero();
  computeInfer = zero();
  computeOutput = zero();
  /** Inferences, each batch element counted (Triton's inference_count). */
  inferenceCount = 0;
  /** Times an instance ran (Triton's execution_count). */
  executionCount = 0;
  /** Milliseconds since the epoch of the last successful inference; 0 before any. */
  lastInferenceMs = 0;
  failures: Record<FailureReason, number> = { REJECTED: 0, CANCELED: 0, BACKEND: 0, OTHER: 0 };
  readonly batches = new Map<number, BatchStat>();
  /** Requests waiting in the queue or executing. */
  pending = 0;
  /** Time to each request's first response, in whole ms (Triton's first-response histogram). */
  readonly firstResponse: Histogram;
  /** Recent latencies per phase while summaries are kept (see keepRecentLatencies). */
  recent: Record<SummaryPhase, RecentLatencies> | undefined;

  /** Whether successes keep their recent latencies, for --metrics-config summary_latencies=true (one switch per process, as Triton's). */
  static keepRecentLatencies = false;

  constructor(firstResponseBounds: readonly number[] = FIRST_RESPONSE_BUCKETS_MS) {
    this.firstResponse = new Histogram(firstResponseBounds);
  }

  /** A request's first response went out `ns` after it arrived (whole milliseconds, as Triton). */
  observeFirstResponse(ns: number): void {
    this.firstResponse.observe(Math.floor(ns / 1e6));
  }

  private observeRecent(requestNs: number, queueNs: number, times: ExecutionTimes): void {
    if (!ModelStatistics.keepRecentLatencies) return;
    this.recent ??= { request: new RecentLatencies(), queue: new RecentLatencies(), computeInput: new RecentLatencies(), computeInfer: new RecentLatencies(), computeOutput: new RecentLatencies() };
    const us = (ns: number): number => Math.floor(ns / 1000);
    const now = Date.now();
    this.recent.request.observe(us(requestNs), now);
    this.recent.queue.observe(us(queueNs), now);
    this.recent.computeInput.observe(us(times.inputNs), now);
    this.recent.computeInfer.observe(us(times.inferNs), now);
    this.recent.computeOutput.observe(us(times.outputNs), now);
  }

  /** A successful request; its first response went out at its end unless `firstResponseNs` says earlier (a response sender). */
  recordSuccess(requestNs: number, queueNs: number, times: ExecutionTimes, batchElements: number, firstResponseNs = requestNs): void {
    this.success.count++;
    this.success.ns += requestNs;
    this.queue.count++;
    this.queue.ns += queueNs;
    for (const [stat, ns] of [
      [this.computeInput, times.inputNs],
      [this.computeInfer, times.inferNs],
      [this.computeOutput, times.outputNs],
    ] as const) {
      stat.count++;
      stat.ns += ns;
    }
    this.inferenceCount += batchElements;
    this.lastInferenceMs = Date.now();
    this.observeFirstResponse(firstResponseNs);
    this.observeRecent(requestNs, queueNs, times);
  }

  /**
   * An ensemble request: its duration split as the composing models' was, and one execution of
   * the whole pipeline in batch_stats at the request's batch size, at least 1 (core
   * ensemble_scheduler.cc, UpdateInferBatchStatsWithDuration).
   */
  recordEnsemble(requestNs: number, timing: ExecutionTimes & { queueNs: number }, batchElements: number): void {
    this.recordSuccess(requestNs, timing.queueNs, timing, batchElements);
    this.recordExecution(Math.max(1, batchElements), timing);
  }

  /** A failed request; its error response is its first response unless `responded` (counted again, as Triton counts a failed ensemble). */
  recordFailure(requestNs: number, reason: FailureReason, responded = false): void {
    this.fail.count++;
    this.fail.ns += requestNs;
    this.failures[reason]++;
    if (!responded) this.observeFirstResponse(requestNs);
  }

  recordExecution(batchSize: number, times: ExecutionTimes): void {
    this.executionCount++;
    let b = this.batches.get(batchSize);
    if (!b) {
      b = { batchSize, computeInput: zero(), computeInfer: zero(), computeOutput: zero() };
      this.batches.set(batchSize, b);
    }
    b.computeInput.count++;
    b.computeInput.ns += times.inputNs;
    b.computeInfer.count++;
    b.computeInfer.ns += times.inferNs;
    b.computeOutput.count++;
    b.computeOutput.ns += times.outputNs;
  }
}
