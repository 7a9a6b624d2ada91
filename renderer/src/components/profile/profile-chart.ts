/**
 * The Profile tab's arithmetic, kept out of the components so it can be tested on its own: which
 * latency a point is plotted at, round axis ticks, the throughput-versus-latency curves (the run
 * shown and the past runs overlaid on the same scales), the stacked latency components per point
 * (perf_analyzer's breakdown, µs), the points table in perf_analyzer's `-f` CSV columns, and the
 * shapes prefilled for inputs with variable dims.
 */
import type { IoRow, ProfileComponents, ProfilePoint, ProfileRun } from '@contract/lab-api';

export const LATENCY_KEYS = ['avg', 'p50', 'p90', 'p95', 'p99'] as const;
export type LatencyKey = (typeof LATENCY_KEYS)[number];

/** The latency the run stabilized on: its percentile when it is one of the reported ones, else the average. */
export function defaultLatencyKey(run: Pick<ProfileRun, 'settings'> | undefined): LatencyKey {
  const p = run?.settings.percentile;
  const key = `p${p}`;
  return (LATENCY_KEYS as readonly string[]).includes(key) ? (key as LatencyKey) : 'avg';
}

export function latencyUs(p: ProfilePoint, key: LatencyKey): number {
  return p.latencyUs[key];
}

/** The level a point measured: its concurrency, or its request rate. */
export function levelOf(p: ProfilePoint): number {
  return p.concurrency ?? p.requestRate ?? 0;
}

/** About `n` round ticks from 0 to at least `max` (1, 2 or 5 times a power of ten apart). */
export function niceTicks(max: number, n = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / n;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let v = 0; v < max + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/** Microseconds as a person reads them: µs below a millisecond, ms below ten seconds, else s. */
export function formatUs(us: number): string {
  if (!Number.isFinite(us)) return '—';
  if (Math.abs(us) < 1000) return `${Math.round(us)} µs`;
  if (Math.abs(us) < 10_000_000) return `${Number((us / 1000).toPrecision(3))} ms`;
  return `${Number((us / 1e6).toPrecision(3))} s`;
}

/** Inferences per second with at most three significant decimals' worth of noise. */
export function formatRate(v: number): string {
  if (!Number.isFinite(v)) return '—';
  return v >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}

export interface CurveSeries {
  id: string;
  label: string;
  points: ProfilePoint[];
}

export interface PlotBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface CurveDot {
  x: number;
  y: number;
  level: number;
  latency: number;
  rate: number;
  stable: boolean;
}

export interface CurveGeometry {
  xTicks: { v: number; x: number }[];
  yTicks: { v: number; y: number }[];
  series: { id: string; label: string; path: string; dots: CurveDot[] }[];
}

/** Every series on one pair of scales from 0: x the chosen latency, y inferences/s; each line in level order. */
export function curveGeometry(series: CurveSeries[], key: LatencyKey, box: PlotBox): CurveGeometry {
  const all = series.flatMap((s) => s.points);
  const xTicks = niceTicks(Math.max(0, ...all.map((p) => latencyUs(p, key))));
  const yTicks = niceTicks(Math.max(0, ...all.map((p) => p.inferPerSec)));
  const xMax = xTicks[xTicks.length - 1]!;
  const yMax = yTicks[yTicks.length - 1]!;
  const w = box.width - box.left - box.right;
  const h = box.height - box.top - box.bottom;
  const sx = (v: number): number => box.left + (v / xMax) * w;
  const sy = (v: number): number => box.top + h - (v / yMax) * h;
  return {
    xTicks: xTicks.map((v) => ({ v, x: sx(v) })),
    yTicks: yTicks.map((v) => ({ v, y: sy(v) })),
    series: series.map((s) => {
      const dots = [...s.points]
        .sort((a, b) => levelOf(a) - levelOf(b))
        .map((p) => ({ x: sx(latencyUs(p, key)), y: sy(p.inferPerSec), level: levelOf(p), latency: latencyUs(p, key), rate: p.inferPerSec, stable: p.stable }));
      const path = dots.map((d, i) => `${i === 0 ? 'M' : 'L'}${d.x.toFixed(1)},${d.y.toFixed(1)}`).join(' ');
      return { id: s.id, label: s.label, path, dots };
    }),
  };
}

/**
 * perf_analyzer's components in the order a request meets them, with the theme colour each is drawn
 * in: the client's two ends in purple (send full, receive light), the wire grey, the queue amber,
 * compute input/infer/output green, blue and brown.
 */
export const COMPONENTS: { key: keyof ProfileComponents; color: string }[] = [
  { key: 'clientSendUs', color: 'var(--tk-enum)' },
  { key: 'networkServerSendRecvUs', color: 'var(--muted)' },
  { key: 'serverQueueUs', color: 'var(--warn)' },
  { key: 'serverComputeInputUs', color: 'var(--tk-string)' },
  { key: 'serverComputeInferUs', color: 'var(--accent)' },
  { key: 'serverComputeOutputUs', color: 'var(--tk-number)' },
  { key: 'clientRecvUs', color: 'color-mix(in srgb, var(--tk-enum) 45%, var(--panel))' },
];

export interface StackBar {
  level: number;
  totalUs: number;
  segments: { key: keyof ProfileComponents; color: string; us: number; x: number; w: number }[];
}

/** One horizontal bar per point, its components laid end to end on a scale shared by all bars. */
export function componentBars(points: ProfilePoint[], width: number): { bars: StackBar[]; maxUs: number } {
  const sorted = [...points].sort((a, b) => levelOf(a) - levelOf(b));
  const totals = sorted.map((p) => COMPONENTS.reduce((sum, c) => sum + Math.max(0, p.components[c.key]), 0));
  const maxUs = niceTicks(Math.max(0, ...totals)).at(-1)!;
  const bars = sorted.map((p, i) => {
    let x = 0;
    const segments = COMPONENTS.map((c) => {
      const us = Math.max(0, p.components[c.key]);
      const seg = { key: c.key, color: c.color, us, x, w: (us / maxUs) * width };
      x += seg.w;
      return seg;
    }).filter((s) => s.us > 0);
    return { level: levelOf(p), totalUs: totals[i]!, segments };
  });
  return { bars, maxUs };
}

/** The points table in perf_analyzer's `-f` columns: the level, throughput, the components (µs), the percentiles (µs). */
export function tableColumns(requestRate: boolean): string[] {
  return [
    requestRate ? 'Request Rate' : 'Concurrency',
    'Inferences/Second',
    'Client Send',
    'Network+Server Send/Recv',
    'Server Queue',
    'Server Compute Input',
    'Server Compute Infer',
    'Server Compute Output',
    'Client Recv',
    'p50 latency',
    'p90 latency',
    'p95 latency',
    'p99 latency',
  ];
}

export function tableRow(p: ProfilePoint): number[] {
  const c = p.components;
  const round = (v: number): number => Math.round(v);
  return [
    levelOf(p),
    Number(p.inferPerSec.toPrecision(6)),
    ...[c.clientSendUs, c.networkServerSendRecvUs, c.serverQueueUs, c.serverComputeInputUs, c.serverComputeInferUs, c.serverComputeOutputUs, c.clientRecvUs].map(round),
    ...[p.latencyUs.p50, p.latencyUs.p90, p.latencyUs.p95, p.latencyUs.p99].map(round),
  ];
}

/** The CSV to copy or save: the engine's (perf_analyzer's `-f` file) when it wrote one, else made from the points. */
export function runCsv(run: ProfileRun): string {
  if (run.csv.trim()) return run.csv;
  const stable = run.points.filter((p) => p.stable).sort((a, b) => a.inferPerSec - b.inferPerSec);
  return `${[tableColumns(run.settings.requestRate !== undefined).join(','), ...stable.map((p) => tableRow(p).join(','))].join('\n')}\n`;
}

/** Dims for an input's variable dims, as the form starts them: 1 for a leading dim of a non-batching input (lines, images), 32 elsewhere, 1 for strings. */
export function prefillShape(row: Pick<IoRow, 'dims' | 'datatype'>, maxBatchSize: number): number[] {
  return row.dims.map((d, i) => {
    if (d >= 0) return d;
    if (row.datatype === 'BYTES') return 1;
    return i === 0 && maxBatchSize === 0 && row.dims.length > 1 ? 1 : 32;
  });
}

/** "1, 3, 48, 320" (or "1，3，48，320") → dims, when they have the input's rank, are positive integers and keep its fixed dims; else undefined. */
export function parseShape(text: string, dims: number[]): number[] | undefined {
  const parts = text
    .split(/[\s,，、x×]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length !== dims.length || parts.some((s) => !/^\d+$/.test(s))) return undefined;
  const out = parts.map(Number);
  if (out.some((v, i) => v < 1 || v > 1_000_000 || (dims[i]! >= 0 && dims[i] !== v))) return undefined;
  return out;
}
