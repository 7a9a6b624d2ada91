/**
 * Per model version statistics in Triton's terms (core infer_stats /
 * tritonserver.cc ModelStatistics): success and failure with their request
 * durations, queue and compute phases, per-batch-size execution figures.
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

  recordSuccess(requestNs: number, queueNs: number, times: ExecutionTimes, batchElements: number): void {
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

  recordFailure(requestNs: number, reason: FailureReason): void {
    this.fail.count++;
    this.fail.ns += requestNs;
    this.failures[reason]++;
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
