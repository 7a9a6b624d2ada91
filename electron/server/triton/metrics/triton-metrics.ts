/**
 * Triton's Prometheus metrics (docs/user_guide/metrics.md, core
 * metrics.cc / metric_model_reporter.cc) built from the statistics every
 * serving model version keeps:
 *
 * - per model version, labels `model` and `version`: the counters
 *   nv_inference_request_success, nv_inference_request_failure (one sample
 *   per `reason`: REJECTED, CANCELED, BACKEND, OTHER), nv_inference_count,
 *   nv_inference_exec_count, the cumulative microsecond counters
 *   nv_inference_{request,queue,compute_input,compute_infer,compute_output}_duration_us
 *   (left out with counter_latencies=false), and the gauge
 *   nv_inference_pending_request_count. Ensembles are listed like any
 *   model; composing models count the requests their steps sent them.
 * - nv_pinned_memory_pool_{total,used}_bytes: always 0 (no CUDA pinned pool).
 * - with CPU metrics: nv_cpu_utilization (0..1, whole system, over the last
 *   poll period, from /proc/stat) and nv_cpu_memory_{total,used}_bytes
 *   (/proc/meminfo MemTotal and MemTotal - MemAvailable), polled every
 *   interval / 2 as Triton's poll thread does.
 *
 * - model_lab_reload_failed (the lab's own, label `model`): 1 while a model serves its
 *   previously loaded version because its latest reload failed (Triton only logs that).
 *
 * - with --metrics-config histogram_latencies=true / summary_latencies=true:
 *   the first-response histogram and the latency summaries (latency-families.ts).
 *
 * Not reported: GPU metrics (no DCGM here; --allow-gpu-metrics is accepted
 * and ignored), response cache metrics (no cache), nv_model_load_duration_secs.
 *
 * prometheus-cpp keeps a sample's labels in a std::map, so Triton prints
 * them sorted by name: {model,version} and {model,reason,version}, with a
 * `_<key>` label per config metric_tags entry ahead of them.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Runner } from '../../../engine/runtime/types';
import { type FailureReason, ModelStatistics } from '../../../engine/runtime/stats';
import { DEFAULT_SUMMARY_QUANTILES, type LatencyOptions, latencyFamilies } from './latency-families';
import { type Labels, type MetricFamily, type MetricType, renderExposition } from './prometheus';

export { parseMetricsConfig, parseSummaryQuantiles, type MetricsConfig } from './latency-families';

/** What the metrics read from the core: every loaded, ready model version, and the reloads that failed. */
export interface MetricsSource {
  servingRunners(): Runner[];
  reloadFailures?(): { model: string }[];
}

export interface TritonMetricsOptions {
  /** --allow-cpu-metrics (default true). */
  allowCpuMetrics?: boolean;
  /** --allow-gpu-metrics: accepted, no effect (there are no GPU metrics). */
  allowGpuMetrics?: boolean;
  /** --metrics-interval-ms: how often CPU figures are collected (default 2000). */
  intervalMs?: number;
  /** --metrics-config counter_latencies (default true): the *_duration_us counters. */
  counterLatencies?: boolean;
  /** --metrics-config histogram_latencies=true: the first-response histogram. */
  histogramLatencies?: boolean;
  /** --metrics-config summary_latencies=true: the latency summaries (their recent latencies are kept from then on). */
  summaryLatencies?: boolean;
  /** --metrics-config summary_quantiles: the summaries' quantiles (Triton's five by default). */
  summaryQuantiles?: readonly number[];
  /** Where CPU figures come from; defaults read /proc (or os.* where there is no /proc). */
  cpu?: CpuReader;
}

export const DEFAULT_METRICS_INTERVAL_MS = 2000;

/** Triton's failure reasons, in its enum order. */
export const FAILURE_REASONS: readonly FailureReason[] = ['REJECTED', 'CANCELED', 'BACKEND', 'OTHER'];

interface FamilyDef {
  name: string;
  type: MetricType;
  help: string;
}

const fam = (name: string, type: MetricType, help: string): FamilyDef => ({ name, type, help });

// Triton's family names and types; the help texts say the same in short.
export const FAMILIES = {
  success: fam('nv_inference_request_success', 'counter', 'Number of successful inference requests, all batch sizes'),
  failure: fam('nv_inference_request_failure', 'counter', 'Number of failed inference requests, all batch sizes'),
  count: fam('nv_inference_count', 'counter', 'Number of inferences performed (does not include cached requests)'),
  execCount: fam('nv_inference_exec_count', 'counter', 'Number of model executions performed (does not include cached requests)'),
  requestDuration: fam('nv_inference_request_duration_us', 'counter', 'Cumulative inference request duration in microseconds (includes cached requests)'),
  queueDuration: fam('nv_inference_queue_duration_us', 'counter', 'Cumulative inference queuing duration in microseconds (includes cached requests)'),
  computeInput: fam('nv_inference_compute_input_duration_us', 'counter', 'Cumulative compute input duration in microseconds (does not include cached requests)'),
  computeInfer: fam('nv_inference_compute_infer_duration_us', 'counter', 'Cumulative compute inference duration in microseconds (does not include cached requests)'),
  computeOutput: fam('nv_inference_compute_output_duration_us', 'counter', 'Cumulative inference compute output duration in microseconds (does not include cached requests)'),
  pending: fam('nv_inference_pending_request_count', 'gauge', 'Instantaneous number of pending requests awaiting execution per-model.'),
  pinnedTotal: fam('nv_pinned_memory_pool_total_bytes', 'gauge', 'Pinned memory pool total memory size, in bytes'),
  pinnedUsed: fam('nv_pinned_memory_pool_used_bytes', 'gauge', 'Pinned memory pool used memory size, in bytes'),
  cpuUtilization: fam('nv_cpu_utilization', 'gauge', 'CPU utilization rate [0.0 - 1.0]'),
  cpuMemoryTotal: fam('nv_cpu_memory_total_bytes', 'gauge', 'CPU total memory (RAM), in bytes'),
  cpuMemoryUsed: fam('nv_cpu_memory_used_bytes', 'gauge', 'CPU used memory (RAM), in bytes'),
  // Model Lab's own (Triton has no metric for a failed load), outside Triton's nv_ names.
  reloadFailed: fam('model_lab_reload_failed', 'gauge', 'Model Lab: 1 while a model serves its previously loaded version because its latest reload failed'),
} as const;

// --- CPU and memory -------------------------------------------------------

/** Aggregate CPU time, in any unit, split as utilization needs it. */
export interface CpuTimes {
  busy: number;
  idle: number;
}

export interface MemoryFigures {
  totalBytes: number;
  usedBytes: number;
}

export interface CpuReader {
  times(): CpuTimes | undefined;
  memory(): MemoryFigures | undefined;
}

/** The aggregate `cpu` line of /proc/stat: busy = user+nice+system+irq+softirq+steal, idle = idle+iowait (Triton's split). */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { busy: user + nice + system + irq + softirq + steal, idle: idle + iowait };
}

/** /proc/meminfo: total = MemTotal, used = MemTotal - MemAvailable, in bytes. */
export function parseMeminfo(text: string): MemoryFigures | undefined {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (total === undefined || available === undefined || available > total) return undefined;
  return { totalBytes: total, usedBytes: total - available };
}

/** Busy share of the time between two readings; 0 when no time passed. */
export function cpuUtilization(now: CpuTimes, before: CpuTimes): number {
  const busy = Math.max(0, now.busy - before.busy);
  const idle = Math.max(0, now.idle - before.idle);
  return busy + idle > 0 ? busy / (busy + idle) : 0;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** /proc where there is one (Linux, as Triton), os.cpus() / os.totalmem() elsewhere. */
export const systemCpuReader: CpuReader = {
  times() {
    const stat = readText('/proc/stat');
    const parsed = stat === undefined ? undefined : parseProcStat(stat);
    if (parsed) return parsed;
    const cpus = os.cpus();
    if (cpus.length === 0) return undefined;
    return cpus.reduce<CpuTimes>((a, c) => ({ busy: a.busy + c.times.user + c.times.nice + c.times.sys + c.times.irq, idle: a.idle + c.times.idle }), { busy: 0, idle: 0 });
  },
  memory() {
    const info = readText('/proc/meminfo');
    const parsed = info === undefined ? undefined : parseMeminfo(info);
    if (parsed) return parsed;
    const total = os.totalmem();
    return { totalBytes: total, usedBytes: Math.max(0, total - os.freemem()) };
  },
};

// --- the metrics ----------------------------------------------------------

const usFromNs = (ns: number): number => Math.floor(ns / 1000);

export class TritonMetrics {
  readonly intervalMs: number;
  readonly cpuEnabled: boolean;
  private readonly counterLatencies: boolean;
  private readonly latency: LatencyOptions;
  private readonly cpu: CpuReader;
  private lastTimes: CpuTimes | undefined;
  private utilization = 0;
  private memory: MemoryFigures = { totalBytes: 0, usedBytes: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: MetricsSource,
    options: TritonMetricsOptions = {},
  ) {
    const interval = options.intervalMs ?? DEFAULT_METRICS_INTERVAL_MS;
    if (!Number.isFinite(interval) || interval <= 0) throw new Error(`metrics interval must be a positive number of milliseconds, got ${interval}`);
    this.intervalMs = interval;
    this.cpuEnabled = options.allowCpuMetrics !== false;
    this.counterLatencies = options.counterLatencies !== false;
    this.latency = {
      histogramLatencies: options.histogramLatencies === true,
      summaryLatencies: options.summaryLatencies === true,
      summaryQuantiles: options.summaryQuantiles && options.summaryQuantiles.length > 0 ? options.summaryQuantiles : DEFAULT_SUMMARY_QUANTILES,
    };
    // One switch for the process, as Triton's metrics configuration is.
    if (this.latency.summaryLatencies) ModelStatistics.keepRecentLatencies = true;
    this.cpu = options.cpu ?? systemCpuReader;
  }

  /** Starts collecting CPU figures (a baseline now, then every interval / 2). */
  start(): void {
    if (!this.cpuEnabled || this.timer) return;
    this.lastTimes = this.cpu.times();
    this.memory = this.cpu.memory() ?? this.memory;
    this.timer = setInterval(() => this.pollCpu(), Math.max(1, this.intervalMs / 2));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One collection: utilization since the previous one, memory now. */
  pollCpu(): void {
    const times = this.cpu.times();
    if (times) {
      this.utilization = this.lastTimes ? cpuUtilization(times, this.lastTimes) : 0;
      this.lastTimes = times;
    } else {
      this.utilization = 0;
    }
    this.memory = this.cpu.memory() ?? { totalBytes: 0, usedBytes: 0 };
  }

  families(): MetricFamily[] {
    const runners = [...this.source.servingRunners()].sort((a, b) => (a.modelName < b.modelName ? -1 : a.modelName > b.modelName ? 1 : a.version - b.version));
    const perModel = (def: FamilyDef, value: (s: ModelStatistics) => number): MetricFamily => ({
      ...def,
      samples: runners.map((r) => ({ labels: modelLabels(r), value: value(r.statistics) })),
    });
    const out: MetricFamily[] = [
      perModel(FAMILIES.success, (s) => s.success.count),
      {
        ...FAMILIES.failure,
        samples: runners.flatMap((r) =>
          FAILURE_REASONS.map((reason) => ({
            labels: modelLabels(r, { reason }),
            value: r.statistics.failures[reason],
          })),
        ),
      },
      perModel(FAMILIES.count, (s) => s.inferenceCount),
      perModel(FAMILIES.execCount, (s) => s.executionCount),
    ];
    if (this.counterLatencies) {
      out.push(
        perModel(FAMILIES.requestDuration, (s) => usFromNs(s.success.ns)),
        perModel(FAMILIES.queueDuration, (s) => usFromNs(s.queue.ns)),
        perModel(FAMILIES.computeInput, (s) => usFromNs(s.computeInput.ns)),
        perModel(FAMILIES.computeInfer, (s) => usFromNs(s.computeInfer.ns)),
        perModel(FAMILIES.computeOutput, (s) => usFromNs(s.computeOutput.ns)),
      );
    }
    out.push(...latencyFamilies(runners, this.latency, (r) => modelLabels(r)));
    out.push(perModel(FAMILIES.pending, (s) => s.pending));
    const failed = this.source.reloadFailures?.() ?? [];
    out.push({ ...FAMILIES.reloadFailed, samples: failed.map((f) => ({ labels: [['model', f.model]] as Labels, value: 1 })) });
    out.push({ ...FAMILIES.pinnedTotal, samples: [{ value: 0 }] }, { ...FAMILIES.pinnedUsed, samples: [{ value: 0 }] });
    if (this.cpuEnabled) {
      out.push(
        { ...FAMILIES.cpuUtilization, samples: [{ value: this.utilization }] },
        { ...FAMILIES.cpuMemoryTotal, samples: [{ value: this.memory.totalBytes }] },
        { ...FAMILIES.cpuMemoryUsed, samples: [{ value: this.memory.usedBytes }] },
      );
    }
    return out;
  }

  render(): string {
    return renderExposition(this.families());
  }
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * A version's labels: `model`, `version`, each config metric_tags entry as `_<key>`, and any
 * `extra`, sorted by name as prometheus-cpp's std::map keeps them. Tags that would not make a
 * valid, unreserved label name are left out.
 */
function modelLabels(r: Runner, extra: Record<string, string> = {}): Labels {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.config.metricTags)) {
    const name = `_${k}`;
    if (LABEL_NAME.test(name) && !name.startsWith('__')) labels[name] = v;
  }
  Object.assign(labels, { model: r.modelName, version: String(r.version) }, extra);
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
