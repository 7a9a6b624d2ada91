/**
 * The what-if form as plain data (knob lists typed as text, the budget, how each variant is
 * profiled), checked into a `WhatIfRequest` with the first problem named for the view; and the
 * ranking table's rows (within the budget first, by rank; then the others by how close they came).
 * Kept out of the component so it is tested without a DOM.
 */
import type { ModelDetail, WhatIfRequest, WhatIfRun, WhatIfVariant } from '@contract/lab-api';
import type { MessageKey } from '../../i18n/en';
import { parseShape, prefillShape } from './profile-chart';
import { variableInputs } from './profile-form';

/** The last what-if per repository/model, kept while the window is open (the lab lists none). */
export const lastWhatIfRuns = new Map<string, WhatIfRun>();

export interface WhatIfForm {
  /** e.g. "1, 2" */
  instanceCounts: string;
  batchingOff: boolean;
  batchingOn: boolean;
  /** Sets separated by ";", sizes by ",": "4, 8; 8, 16". */
  preferredBatchSizes: string;
  /** e.g. "0, 100, 500" (µs) */
  maxQueueDelayUs: string;
  latencyBudgetMs: number;
  concurrencyStart: number;
  concurrencyEnd: number;
  measurementIntervalMs: number;
  percentile: number;
  maxTrials: number;
  /** perf_analyzer's -s: windows agree within this many percent. */
  stabilityPercentage: number;
  inputData: 'zero' | 'random';
  shapes: Record<string, string>;
  maxVariants: number;
}

export type WhatIfFormResult = { ok: true; req: WhatIfRequest } | { ok: false; key: MessageKey; params?: Record<string, string | number> };

export function initialWhatIfForm(d: Pick<ModelDetail, 'inputs' | 'maxBatchSize' | 'instanceGroups'>): WhatIfForm {
  const now = d.instanceGroups[0]?.count ?? 1;
  const shapes: Record<string, string> = {};
  for (const r of variableInputs(d)) shapes[r.name] = prefillShape(r, d.maxBatchSize).join(', ');
  return {
    instanceCounts: now === 1 ? '1, 2' : `${now}, ${now + 1}`,
    batchingOff: false,
    batchingOn: false,
    preferredBatchSizes: '',
    maxQueueDelayUs: '',
    latencyBudgetMs: 100,
    concurrencyStart: 1,
    concurrencyEnd: 2,
    measurementIntervalMs: 1000,
    percentile: 0,
    maxTrials: 10,
    stabilityPercentage: 10,
    inputData: 'random',
    shapes,
    maxVariants: 8,
  };
}

/** "1, 2 3" → [1, 2, 3]; undefined when a part is not a whole number ≥ min. */
export function numberList(text: string, min: number): number[] | undefined {
  const parts = text.split(/[\s,，、]+/).filter(Boolean);
  if (parts.some((p) => !/^\d+$/.test(p))) return undefined;
  const out = parts.map(Number);
  return out.every((v) => v >= min) ? out : undefined;
}

type Knobs = WhatIfRequest['knobs'];

function knobsOf(f: WhatIfForm, maxBatchSize: number): { knobs: Knobs } | Extract<WhatIfFormResult, { ok: false }> {
  const knobs: Knobs = {};
  const counts = numberList(f.instanceCounts, 1);
  if (!counts) return { ok: false, key: 'whatif.err.counts' };
  if (counts.length) knobs.instanceCounts = counts;
  const batching = [...(f.batchingOff ? [false] : []), ...(f.batchingOn ? [true] : [])];
  if (batching.length) knobs.dynamicBatching = batching;
  const sets = f.preferredBatchSizes
    .split(/[;；]/)
    .map((s) => s.trim())
    .filter(Boolean);
  const pref = sets.map((s) => numberList(s, 1));
  if (pref.some((p) => !p || p.length === 0)) return { ok: false, key: 'whatif.err.preferred' };
  if (pref.length) knobs.preferredBatchSizes = pref as number[][];
  const delays = numberList(f.maxQueueDelayUs, 0);
  if (!delays) return { ok: false, key: 'whatif.err.delay' };
  if (delays.length) knobs.maxQueueDelayUs = delays;
  const batchingAsked = f.batchingOn || pref.length > 0 || delays.length > 0;
  if (batchingAsked && maxBatchSize === 0) return { ok: false, key: 'whatif.err.noBatching' };
  const over = pref.flat().find((s) => s! > maxBatchSize);
  if (over !== undefined && maxBatchSize > 0) return { ok: false, key: 'whatif.err.preferredOver', params: { size: over!, max: maxBatchSize } };
  if (!knobs.instanceCounts && !knobs.dynamicBatching && !knobs.preferredBatchSizes && !knobs.maxQueueDelayUs) return { ok: false, key: 'whatif.err.noKnobs' };
  return { knobs };
}

function shapesOf(f: WhatIfForm, d: Pick<ModelDetail, 'inputs'>): Record<string, number[]> | string {
  const out: Record<string, number[]> = {};
  for (const r of variableInputs(d)) {
    const dims = parseShape(f.shapes[r.name] ?? '', r.dims);
    if (!dims) return r.name;
    out[r.name] = dims;
  }
  return out;
}

export function buildWhatIfRequest(f: WhatIfForm, d: Pick<ModelDetail, 'repoId' | 'inputs' | 'maxBatchSize' | 'summary'>): WhatIfFormResult {
  const k = knobsOf(f, d.maxBatchSize);
  if (!('knobs' in k)) return k;
  if (!(f.latencyBudgetMs > 0)) return { ok: false, key: 'whatif.err.budget' };
  const whole = (v: number, min: number, max: number): boolean => Number.isInteger(v) && v >= min && v <= max;
  if (!whole(f.concurrencyStart, 1, 1024) || !whole(f.concurrencyEnd, f.concurrencyStart, 1024)) return { ok: false, key: 'whatif.err.concurrency' };
  if (!whole(f.measurementIntervalMs, 100, 600_000)) return { ok: false, key: 'whatif.err.interval' };
  if (!whole(f.maxTrials, 3, 50)) return { ok: false, key: 'whatif.err.trials' };
  if (!whole(f.stabilityPercentage, 1, 100)) return { ok: false, key: 'whatif.err.stability' };
  const shapes = shapesOf(f, d);
  if (typeof shapes === 'string') return { ok: false, key: 'whatif.err.shape', params: { name: shapes } };
  const profile: WhatIfRequest['profile'] = {
    concurrency: { start: f.concurrencyStart, end: f.concurrencyEnd, step: 1 },
    measurementIntervalMs: f.measurementIntervalMs,
    maxTrials: f.maxTrials,
    ...(f.stabilityPercentage !== 10 ? { stabilityPercentage: f.stabilityPercentage } : {}),
    inputData: f.inputData,
    ...(Object.keys(shapes).length ? { shapes } : {}),
    ...(f.percentile > 0 ? { percentile: f.percentile } : {}),
  };
  return { ok: true, req: { repoId: d.repoId, model: d.summary.name, knobs: k.knobs, latencyBudgetMs: f.latencyBudgetMs, profile, maxVariants: f.maxVariants } };
}

export interface RankingRow {
  variant: WhatIfVariant;
  /** The point shown: the best within the budget, else the closest. */
  shown?: NonNullable<WhatIfVariant['best']>;
  /** The shown point's windows did not agree (perf_analyzer's stability): a noisier figure. */
  unstable: boolean;
  /** Bar length, 0..1 of the highest throughput shown. */
  fraction: number;
  winner: boolean;
}

export function rankingRows(run: WhatIfRun): RankingRow[] {
  const within = run.variants.filter((v) => v.rank !== undefined).sort((a, b) => a.rank! - b.rank!);
  const rest = run.variants.filter((v) => v.rank === undefined).sort((a, b) => (a.closest?.latencyUs ?? Infinity) - (b.closest?.latencyUs ?? Infinity));
  const rows = [...within, ...rest].map((v) => {
    const shown = v.best ?? v.closest;
    const point = shown && v.points?.find((p) => p.concurrency === shown.concurrency && p.requestRate === shown.requestRate);
    return { variant: v, shown, unstable: point ? !point.stable : false, fraction: 0, winner: v.name === run.winner };
  });
  const max = Math.max(0, ...rows.map((r) => r.shown?.inferPerSec ?? 0));
  for (const r of rows) r.fraction = max > 0 ? (r.shown?.inferPerSec ?? 0) / max : 0;
  return rows;
}

/** A unified diff's lines with their kind, for colouring. */
export function diffLines(diff: string): { kind: 'add' | 'del' | 'hunk' | 'head' | 'same'; text: string }[] {
  return diff
    .replace(/\n$/, '')
    .split('\n')
    .map((text) => {
      if (text.startsWith('+++') || text.startsWith('---')) return { kind: 'head' as const, text };
      if (text.startsWith('@@')) return { kind: 'hunk' as const, text };
      if (text.startsWith('+')) return { kind: 'add' as const, text };
      if (text.startsWith('-')) return { kind: 'del' as const, text };
      return { kind: 'same' as const, text };
    });
}

/** The latency the curve's x axis shows: the one the variants were judged on. */
export function judgedKey(run: Pick<WhatIfRun, 'profile'>): 'avg' | 'p50' | 'p90' | 'p95' | 'p99' {
  const p = run.profile?.percentile;
  return p === 50 || p === 90 || p === 95 || p === 99 ? `p${p}` : 'avg';
}

/** A variant's knob values in the UI's words (the engine's `changes` are English). */
export function changesText(v: Pick<WhatIfVariant, 'knobs' | 'changes' | 'name'>, tr: (key: MessageKey, params?: Record<string, string | number>) => string): string {
  const k = v.knobs;
  if (!k) return v.changes.join(' · ');
  const parts: string[] = [];
  if (k.instanceCount !== undefined) parts.push(tr('whatif.change.count', { n: k.instanceCount }));
  if (k.dynamicBatching !== undefined) parts.push(tr(k.dynamicBatching ? 'whatif.change.batchingOn' : 'whatif.change.batchingOff'));
  if (k.preferredBatchSizes) parts.push(tr('whatif.change.preferred', { sizes: k.preferredBatchSizes.join(', ') }));
  if (k.maxQueueDelayUs !== undefined) parts.push(tr('whatif.change.delay', { us: k.maxQueueDelayUs }));
  return parts.length ? parts.join(' · ') : tr('whatif.change.baseline');
}

/**
 * How much faster the winner is than the current config (0.04 = 4 %), when both were measured and the
 * winner is not the current config: a margin below the stability percentage is within the noise.
 */
export function winnerMargin(run: WhatIfRun): number | undefined {
  const w = run.variants.find((v) => v.name === run.winner);
  const base = run.variants.find((v) => v.name === 'baseline');
  const b = base?.best ?? base?.closest;
  if (!w?.best || !b || w.name === 'baseline' || b.inferPerSec <= 0) return undefined;
  return w.best.inferPerSec / b.inferPerSec - 1;
}
