/**
 * The Profile form's values and their check, apart from the component: what a model's form starts
 * with (a shape for each input with variable dims, prefilled from its IO), and the `ProfileRequest`
 * made from it, or the first problem as a message key so the form can say it in place.
 */
import type { IoRow, ModelDetail, ProfileRequest } from '@contract/lab-api';
import type { MessageKey } from '../../i18n/en';
import { parseShape, prefillShape } from './profile-chart';

export const MAX_LEVELS = 32;
export const INTERVAL_MS = { min: 100, max: 60_000 };

export interface ProfileForm {
  mode: 'concurrency' | 'rate';
  start: number;
  end: number;
  step: number;
  batchSize: number;
  measurementIntervalMs: number;
  /** 0: the average. */
  percentile: number;
  maxTrials: number;
  /** perf_analyzer's -s: how close 3 windows must be (%). */
  stabilityPercentage: number;
  inputData: 'zero' | 'random';
  /** Text per variable input, e.g. "1, 3, 48, 32". */
  shapes: Record<string, string>;
  label: string;
}

/** The inputs whose shape the form must ask for. */
export function variableInputs(detail: Pick<ModelDetail, 'inputs'>): IoRow[] {
  return detail.inputs.filter((r) => r.dims.some((d) => d < 0));
}

export function initialForm(detail: Pick<ModelDetail, 'inputs' | 'maxBatchSize'>): ProfileForm {
  const shapes: Record<string, string> = {};
  for (const r of variableInputs(detail)) shapes[r.name] = prefillShape(r, detail.maxBatchSize).join(', ');
  return {
    mode: 'concurrency',
    start: 1,
    end: 4,
    step: 1,
    batchSize: 1,
    measurementIntervalMs: 1000,
    percentile: 0,
    maxTrials: 10,
    stabilityPercentage: 10,
    inputData: 'random',
    shapes,
    label: '',
  };
}

export type FormResult = { ok: true; req: ProfileRequest } | { ok: false; key: MessageKey; params?: Record<string, string | number>; field: string };

const whole = (v: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean => Number.isInteger(v) && v >= min && v <= max;

function checkNumbers(f: ProfileForm, maxBatchSize: number): FormResult | undefined {
  if (!whole(f.start, 1) || !whole(f.end, f.start) || !whole(f.step, 1)) return { ok: false, key: 'profile.err.range', field: 'range' };
  const levels = Math.floor((f.end - f.start) / f.step) + 1;
  if (levels > MAX_LEVELS) return { ok: false, key: 'profile.err.levels', params: { n: levels, max: MAX_LEVELS }, field: 'range' };
  if (maxBatchSize > 0 && !whole(f.batchSize, 1, maxBatchSize)) return { ok: false, key: 'profile.err.batch', params: { max: maxBatchSize }, field: 'batch' };
  if (!whole(f.measurementIntervalMs, INTERVAL_MS.min, INTERVAL_MS.max)) return { ok: false, key: 'profile.err.interval', params: INTERVAL_MS, field: 'interval' };
  if (!whole(f.maxTrials, 3, 50)) return { ok: false, key: 'profile.err.trials', field: 'trials' };
  if (!whole(f.stabilityPercentage, 1, 100)) return { ok: false, key: 'profile.err.stability', field: 'trials' };
  return undefined;
}

/** The request for `repoId`/`model`, or the first problem with the form. */
export function buildRequest(f: ProfileForm, detail: Pick<ModelDetail, 'repoId' | 'inputs' | 'maxBatchSize' | 'summary'>, version?: number): FormResult {
  const bad = checkNumbers(f, detail.maxBatchSize);
  if (bad) return bad;
  const shapes: Record<string, number[]> = {};
  for (const r of variableInputs(detail)) {
    const dims = parseShape(f.shapes[r.name] ?? '', r.dims);
    if (!dims) return { ok: false, key: 'profile.err.shape', params: { n: r.dims.length, dims: r.dims.join(', ') }, field: `shape-${r.name}` };
    shapes[r.name] = dims;
  }
  const range = { start: f.start, end: f.end, step: f.step };
  const req: ProfileRequest = {
    repoId: detail.repoId,
    model: detail.summary.name,
    ...(version !== undefined ? { version } : {}),
    batchSize: detail.maxBatchSize > 0 ? f.batchSize : 1,
    ...(f.mode === 'rate' ? { requestRate: range } : { concurrency: range }),
    inputData: f.inputData,
    ...(Object.keys(shapes).length ? { shapes } : {}),
    measurementIntervalMs: f.measurementIntervalMs,
    ...(f.percentile > 0 ? { percentile: f.percentile } : {}),
    maxTrials: f.maxTrials,
    ...(f.stabilityPercentage !== 10 ? { stabilityPercentage: f.stabilityPercentage } : {}),
    ...(f.label.trim() ? { label: f.label.trim().slice(0, 120) } : {}),
  };
  return { ok: true, req };
}
