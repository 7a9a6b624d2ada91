/**
 * Reduces one parsed `/metrics` scrape to the `MetricsSnapshot` the metrics view charts, reading
 * Triton's families as its core writes them (docs/user_guide/metrics.md, core metrics.cc and
 * metric_model_reporter.cc):
 *
 * - per model version (labels `model`, `version`): the counters nv_inference_request_success,
 *   nv_inference_request_failure (one sample per `reason`: summed), nv_inference_count,
 *   nv_inference_exec_count, the cumulative microsecond counters
 *   nv_inference_{request,queue,compute_input,compute_infer,compute_output}_duration_us and the
 *   gauge nv_inference_pending_request_count. Other labels are summed over: a model on GPUs has
 *   one sample per `gpu_uuid`, config metric_tags add `_<key>` labels. With model namespacing on,
 *   the `namespace` label is kept in the name (`namespace::model`) so two models never merge.
 * - per GPU (label `gpu_uuid`): nv_gpu_utilization, nv_gpu_memory_used_bytes,
 *   nv_gpu_memory_total_bytes, nv_gpu_power_usage.
 * - the whole host: nv_cpu_utilization, nv_cpu_memory_{used,total}_bytes, when exported.
 *
 * A hostile or broken server cannot poison the figures: a non-finite or negative counter sample is
 * left out (it reads as absent), and a model or GPU count over MAX_SERIES is cut off.
 */
import type { MetricsSnapshot } from '../../contract/remote-api';
import type { PromExposition, PromSample } from './prometheus-parse';

type ModelFigures = MetricsSnapshot['models'][number];
type GpuFigures = MetricsSnapshot['gpus'][number];
type CounterKey = Exclude<keyof ModelFigures, 'model' | 'version' | 'pending'>;

/** Triton's per-model families and where each goes. */
export const MODEL_FAMILIES: Readonly<Record<string, CounterKey | 'pending'>> = {
  nv_inference_request_success: 'success',
  nv_inference_request_failure: 'failure',
  nv_inference_count: 'inferenceCount',
  nv_inference_exec_count: 'executionCount',
  nv_inference_request_duration_us: 'requestUs',
  nv_inference_queue_duration_us: 'queueUs',
  nv_inference_compute_input_duration_us: 'computeInputUs',
  nv_inference_compute_infer_duration_us: 'computeInferUs',
  nv_inference_compute_output_duration_us: 'computeOutputUs',
  nv_inference_pending_request_count: 'pending',
};

const GPU_FAMILIES: Readonly<Record<string, Exclude<keyof GpuFigures, 'uuid'>>> = {
  nv_gpu_utilization: 'utilization',
  nv_gpu_memory_used_bytes: 'memoryUsedBytes',
  nv_gpu_memory_total_bytes: 'memoryTotalBytes',
  nv_gpu_power_usage: 'powerWatts',
};

const CPU_FAMILIES: Readonly<Record<string, 'utilization' | 'memoryUsedBytes' | 'memoryTotalBytes'>> = {
  nv_cpu_utilization: 'utilization',
  nv_cpu_memory_used_bytes: 'memoryUsedBytes',
  nv_cpu_memory_total_bytes: 'memoryTotalBytes',
};

/** At most this many models and GPUs in one snapshot (a server with more is cut off, in name order). */
export const MAX_SERIES = 500;
/** At most this many family names in the raw list. */
export const MAX_FAMILY_NAMES = 2000;

const usable = (v: number): boolean => Number.isFinite(v) && v >= 0;

function emptyModel(model: string, version: string): ModelFigures {
  return { model, version, success: 0, failure: 0, inferenceCount: 0, executionCount: 0, requestUs: 0, queueUs: 0, computeInputUs: 0, computeInferUs: 0, computeOutputUs: 0 };
}

function modelName(labels: Record<string, string>): string | undefined {
  const model = labels['model'];
  if (model === undefined || model === '') return undefined;
  const ns = labels['namespace'];
  return ns ? `${ns}::${model}` : model;
}

function addModelSample(models: Map<string, ModelFigures>, s: PromSample, key: CounterKey | 'pending'): void {
  const name = modelName(s.labels);
  if (name === undefined || !usable(s.value)) return;
  const version = s.labels['version'] ?? '';
  const id = `${name}\u0000${version}`;
  let m = models.get(id);
  if (!m) {
    if (models.size >= MAX_SERIES) return;
    models.set(id, (m = emptyModel(name, version)));
  }
  m[key] = (m[key] ?? 0) + s.value;
}

function addGpuSample(gpus: Map<string, GpuFigures>, s: PromSample, key: Exclude<keyof GpuFigures, 'uuid'>): void {
  const uuid = s.labels['gpu_uuid'];
  if (uuid === undefined || !usable(s.value)) return;
  let g = gpus.get(uuid);
  if (!g) {
    if (gpus.size >= MAX_SERIES) return;
    gpus.set(uuid, (g = { uuid }));
  }
  g[key] = s.value;
}

/** The family a sample belongs to: its own name, or the declared family it is a `_sum`/`_count`/`_bucket` of. */
function familyOf(name: string, types: Map<string, string>): string {
  if (types.has(name)) return name;
  const m = /^(.*)_(sum|count|bucket)$/.exec(name);
  return m && types.has(m[1]!) ? m[1]! : name;
}

function familyNames(exp: PromExposition): string[] {
  const names = new Set<string>(exp.types.keys());
  for (const s of exp.samples) {
    if (names.size >= MAX_FAMILY_NAMES) break;
    names.add(familyOf(s.name, exp.types));
  }
  return [...names].sort().slice(0, MAX_FAMILY_NAMES);
}

/** The snapshot of one parsed scrape of `url`, ended at `time` (ms since the epoch). */
export function snapshotFromExposition(exp: PromExposition, url: string, time: number): MetricsSnapshot {
  const models = new Map<string, ModelFigures>();
  const gpus = new Map<string, GpuFigures>();
  const cpu: NonNullable<MetricsSnapshot['cpu']> = {};
  for (const s of exp.samples) {
    const modelKey = MODEL_FAMILIES[s.name];
    if (modelKey !== undefined) addModelSample(models, s, modelKey);
    const gpuKey = GPU_FAMILIES[s.name];
    if (gpuKey !== undefined) addGpuSample(gpus, s, gpuKey);
    const cpuKey = CPU_FAMILIES[s.name];
    if (cpuKey !== undefined && usable(s.value)) cpu[cpuKey] = s.value;
  }
  const byName = <T>(a: [string, T], b: [string, T]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return {
    url,
    time,
    models: [...models.entries()].sort(byName).map(([, m]) => m),
    gpus: [...gpus.entries()].sort(byName).map(([, g]) => g),
    ...(Object.keys(cpu).length > 0 ? { cpu } : {}),
    families: familyNames(exp),
  };
}
