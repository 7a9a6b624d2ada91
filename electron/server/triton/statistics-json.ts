/** A model version's statistics in the JSON shape of Triton's statistics extension (tritonserver.cc ModelStatistics). */
import type { DurationStat, ModelStatistics } from '../../engine/runtime/stats';

export interface DurationJson {
  count: number;
  ns: number;
}

export interface ModelStatsJson {
  name: string;
  version: string;
  last_inference: number;
  inference_count: number;
  execution_count: number;
  inference_stats: Record<'success' | 'fail' | 'queue' | 'compute_input' | 'compute_infer' | 'compute_output' | 'cache_hit' | 'cache_miss', DurationJson>;
  response_stats: Record<string, never>;
  batch_stats: { batch_size: number; compute_input: DurationJson; compute_infer: DurationJson; compute_output: DurationJson }[];
  memory_usage: never[];
}

const d = (s: DurationStat): DurationJson => ({ count: s.count, ns: Math.round(s.ns) });

export function statisticsJson(name: string, version: number, s: ModelStatistics): ModelStatsJson {
  return {
    name,
    version: String(version),
    last_inference: s.lastInferenceMs,
    inference_count: s.inferenceCount,
    execution_count: s.executionCount,
    inference_stats: {
      success: d(s.success),
      fail: d(s.fail),
      queue: d(s.queue),
      compute_input: d(s.computeInput),
      compute_infer: d(s.computeInfer),
      compute_output: d(s.computeOutput),
      // No response cache in the lab.
      cache_hit: { count: 0, ns: 0 },
      cache_miss: { count: 0, ns: 0 },
    },
    response_stats: {},
    batch_stats: [...s.batches.values()]
      .sort((a, b) => a.batchSize - b.batchSize)
      .map((b) => ({ batch_size: b.batchSize, compute_input: d(b.computeInput), compute_infer: d(b.computeInfer), compute_output: d(b.computeOutput) })),
    memory_usage: [],
  };
}
