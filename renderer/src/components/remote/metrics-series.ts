/**
 * The metrics view's figures over time, from successive MetricsSnapshots (cumulative counters):
 * per model, the request and failure rates and the average queue and compute times per request
 * over each interval (Δ microseconds / Δ successful requests: Triton adds its durations on
 * success only), and pending requests; per GPU and for the host, the gauges as they were read.
 *
 * Counters only grow, so a counter that went down means the server (or the model) started again:
 * as Prometheus' rate() does, the new value is then the whole increase since the reset, and the
 * point is marked `reset`. Each series keeps at most `maxPoints` points (oldest dropped).
 */
import type { MetricsSnapshot } from '@contract/remote-api';

type ModelFigures = MetricsSnapshot['models'][number];

export interface ModelPoint {
  /** End of the interval, ms since the epoch. */
  time: number;
  /** Requests per second over the interval: successful, failed. */
  successRate: number;
  failureRate: number;
  /** Inferences (batch items) per second. */
  inferenceRate: number;
  /** Average microseconds per successful request over the interval; undefined when none succeeded. */
  requestUs?: number;
  queueUs?: number;
  computeInputUs?: number;
  computeInferUs?: number;
  computeOutputUs?: number;
  pending?: number;
  /** A counter went down since the last scrape: the server or model started again. */
  reset?: boolean;
}

export interface ModelSeries {
  key: string;
  model: string;
  version: string;
  points: ModelPoint[];
}

export interface GaugePoint {
  time: number;
  utilization?: number;
  memoryUsedBytes?: number;
  memoryTotalBytes?: number;
  powerWatts?: number;
}

export interface MetricsSeries {
  /** The last good snapshot (rates are taken against it). */
  last?: MetricsSnapshot;
  /** Good scrapes so far. */
  scrapes: number;
  models: ModelSeries[];
  gpus: { uuid: string; points: GaugePoint[] }[];
  cpu: GaugePoint[];
}

export const DEFAULT_MAX_POINTS = 120;

export function emptySeries(): MetricsSeries {
  return { scrapes: 0, models: [], gpus: [], cpu: [] };
}

export const modelKey = (m: { model: string; version: string }): string => `${m.model}\u0000${m.version}`;

const COUNTERS = ['success', 'failure', 'inferenceCount', 'requestUs', 'queueUs', 'computeInputUs', 'computeInferUs', 'computeOutputUs'] as const;
type Counter = (typeof COUNTERS)[number];

/** Increases of every counter since `prev`, Prometheus-style across a reset. */
function deltas(cur: ModelFigures, prev: ModelFigures): { d: Record<Counter, number>; reset: boolean } {
  const reset = COUNTERS.some((k) => cur[k] < prev[k]);
  const d = {} as Record<Counter, number>;
  for (const k of COUNTERS) d[k] = reset ? cur[k] : cur[k] - prev[k];
  return { d, reset };
}

/** One interval's point for a model seen in both scrapes. */
export function modelPoint(cur: ModelFigures, prev: ModelFigures, seconds: number, time: number): ModelPoint {
  const { d, reset } = deltas(cur, prev);
  const per = (us: number): number | undefined => (d.success > 0 ? us / d.success : undefined);
  const p: ModelPoint = { time, successRate: d.success / seconds, failureRate: d.failure / seconds, inferenceRate: d.inferenceCount / seconds };
  const avg = { requestUs: per(d.requestUs), queueUs: per(d.queueUs), computeInputUs: per(d.computeInputUs), computeInferUs: per(d.computeInferUs), computeOutputUs: per(d.computeOutputUs) };
  for (const [k, v] of Object.entries(avg)) if (v !== undefined) p[k as keyof typeof avg] = v;
  if (cur.pending !== undefined) p.pending = cur.pending;
  if (reset) p.reset = true;
  return p;
}

const push = <T>(list: T[], item: T, max: number): T[] => [...list, item].slice(-max);

function nextModels(series: MetricsSeries, snap: MetricsSnapshot, prev: MetricsSnapshot | undefined, max: number): ModelSeries[] {
  const out = new Map(series.models.map((s) => [s.key, s]));
  const before = new Map((prev?.models ?? []).map((m) => [modelKey(m), m]));
  const seconds = prev ? (snap.time - prev.time) / 1000 : 0;
  for (const m of snap.models) {
    const key = modelKey(m);
    const s = out.get(key) ?? { key, model: m.model, version: m.version, points: [] };
    const p = before.get(key);
    // A model new since the last scrape has no interval yet; a clock that did not move gives no rate.
    out.set(key, p && seconds > 0 ? { ...s, points: push(s.points, modelPoint(m, p, seconds, snap.time), max) } : s);
  }
  return [...out.values()];
}

function gauge(g: Omit<GaugePoint, 'time'>, time: number): GaugePoint {
  return { time, ...g };
}

/** The series with one more scrape; a scrape not later than the last one is ignored. */
export function addSnapshot(series: MetricsSeries, snap: MetricsSnapshot, max = DEFAULT_MAX_POINTS): MetricsSeries {
  const prev = series.last;
  if (prev && snap.time <= prev.time) return series;
  const gpus = new Map(series.gpus.map((g) => [g.uuid, g]));
  for (const { uuid, ...g } of snap.gpus) gpus.set(uuid, { uuid, points: push(gpus.get(uuid)?.points ?? [], gauge(g, snap.time), max) });
  return {
    last: snap,
    scrapes: series.scrapes + 1,
    models: nextModels(series, snap, prev, max),
    gpus: [...gpus.values()],
    cpu: snap.cpu ? push(series.cpu, gauge(snap.cpu, snap.time), max) : series.cpu,
  };
}

/** The latest point of a model, for the table. */
export const latest = (s: ModelSeries): ModelPoint | undefined => s.points[s.points.length - 1];

/** Models with the busiest first (latest request rate, then name). */
export function byActivity(models: readonly ModelSeries[]): ModelSeries[] {
  const rate = (s: ModelSeries): number => {
    const p = latest(s);
    return p ? p.successRate + p.failureRate : -1;
  };
  return [...models].sort((a, b) => rate(b) - rate(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** A rounded "nice" upper bound for a chart axis (1, 2, 2.5, 5 × 10^n). */
export function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * exp) return m * exp;
  return 10 * exp;
}

/** SVG polyline points of `values` over `times` in a w×h box (y up, 0..max); gaps split the line. */
export function linePaths(times: readonly number[], values: readonly (number | undefined)[], w: number, h: number, max: number): string[] {
  if (times.length === 0) return [];
  // One point reads as a level across the chart rather than a dot nobody sees.
  if (times.length === 1) return linePaths([0, 1], [values[0], values[0]], w, h, max);
  const t0 = times[0]!;
  const span = Math.max(1, times[times.length - 1]! - t0);
  const paths: string[] = [];
  let cur: string[] = [];
  values.forEach((v, i) => {
    if (v === undefined || !Number.isFinite(v)) {
      if (cur.length > 0) paths.push(cur.join(' '));
      cur = [];
      return;
    }
    const x = ((times[i]! - t0) / span) * w;
    const y = h - (Math.min(v, max) / max) * h;
    cur.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  if (cur.length > 0) paths.push(cur.join(' '));
  return paths;
}

/** SVG polygons of stacked layers (each over the ones before it), missing values counted as 0. */
export function stackedAreas(times: readonly number[], layers: readonly (readonly (number | undefined)[])[], w: number, h: number, max: number): string[] {
  if (times.length === 0) return [];
  if (times.length === 1)
    return stackedAreas(
      [0, 1],
      layers.map((l) => [l[0], l[0]]),
      w,
      h,
      max,
    );
  const t0 = times[0]!;
  const span = Math.max(1, times[times.length - 1]! - t0);
  const xs = times.map((t) => ((t - t0) / span) * w);
  const y = (v: number): number => h - (Math.min(v, max) / max) * h;
  const base = times.map(() => 0);
  return layers.map((layer) => {
    const bottom = [...base];
    layer.forEach((v, i) => (base[i]! += v !== undefined && Number.isFinite(v) ? v : 0));
    const top = xs.map((x, i) => `${x.toFixed(1)},${y(base[i]!).toFixed(1)}`);
    const back = xs.map((x, i) => `${x.toFixed(1)},${y(bottom[i]!).toFixed(1)}`).reverse();
    return [...top, ...back].join(' ');
  });
}
