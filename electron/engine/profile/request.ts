/**
 * A `ProfileRequest` from the lab API, checked as hostile input (it arrives from IPC or loopback
 * HTTP): every number bounded so a request cannot ask for a million levels, a 10 GB tensor or a
 * window of a day, every string bounded, unknown values refused with the reason. The checked
 * request completes the defaults and maps onto the profiler's `ProfileSettings`.
 */
import type { ProfileRun } from '../../contract/profile-api';
import { LabError } from '../errors';
import { sweepLevels } from './measure';
import { DEFAULT_SETTINGS, type ProfileSettings } from './types';

export const LIMITS = {
  maxConcurrency: 256,
  maxRequestRate: 100_000,
  maxLevels: 64,
  maxBatchSize: 1024,
  minIntervalMs: 50,
  maxIntervalMs: 60_000,
  maxTrials: 50,
  maxShapeDims: 16,
  maxElements: 16 * 1024 * 1024,
  maxLabel: 200,
} as const;

/** Requests run before each level's first window (as `model-lab profile`'s default). */
export const WARMUP_REQUESTS = 10;

export interface CheckedProfileRequest {
  repoId: string;
  model: string;
  version?: number;
  label: string;
  inputData: 'zero' | 'random';
  shapes: Record<string, number[]>;
  protocol?: 'http' | 'grpc';
  settings: ProfileSettings;
  /** The request as completed with defaults, as `ProfileRun.settings` shows it. */
  shown: ProfileRun['settings'];
}

const bad = (message: string): LabError => new LabError('INVALID_ARG', message);

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, what: string, max: number, required = true): string | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || (required && v.trim() === '') || v.length > max) throw bad(`${what} must be a non-empty string of at most ${max} characters`);
  return v;
}

function num(v: unknown, what: string, min: number, max: number, integer: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw bad(`${what} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v) ?? String(v)}`);
  }
  return v;
}

function range(v: unknown, what: string, min: number, max: number, integer: boolean): { start: number; end: number; step: number } {
  const r = obj(v, what);
  const start = num(r['start'], `${what}.start`, min, max, integer);
  const end = num(r['end'] ?? start, `${what}.end`, start, max, integer);
  const step = num(r['step'] ?? 1, `${what}.step`, integer ? 1 : 1e-6, max, integer);
  return { start, end, step };
}

function shapesOf(v: unknown): Record<string, number[]> {
  if (v === undefined) return {};
  const o = obj(v, 'shapes');
  const out: Record<string, number[]> = {};
  const names = Object.keys(o);
  if (names.length > 64) throw bad('shapes: at most 64 inputs');
  for (const name of names) {
    const dims = o[name];
    if (!Array.isArray(dims) || dims.length > LIMITS.maxShapeDims) throw bad(`shapes.${name} must be a list of at most ${LIMITS.maxShapeDims} dims`);
    const checked = dims.map((d, i) => num(d, `shapes.${name}[${i}]`, 1, LIMITS.maxElements, true));
    if (checked.reduce((a, b) => a * b, 1) > LIMITS.maxElements) throw bad(`shapes.${name}: more than ${LIMITS.maxElements} elements`);
    out[name] = checked;
  }
  return out;
}

function enumOf<T extends string>(v: unknown, what: string, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw bad(`${what} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** The load a sweep asks for: concurrency levels or request rates, bounded. */
function load(p: Record<string, unknown>): Pick<ProfileSettings, 'concurrency' | 'requestRate'> {
  if (p['concurrency'] !== undefined && p['requestRate'] !== undefined) throw bad('give either concurrency or requestRate, not both');
  const s: Pick<ProfileSettings, 'concurrency' | 'requestRate'> = { concurrency: DEFAULT_SETTINGS.concurrency };
  if (p['requestRate'] !== undefined) s.requestRate = range(p['requestRate'], 'requestRate', 0.01, LIMITS.maxRequestRate, false);
  else if (p['concurrency'] !== undefined) s.concurrency = range(p['concurrency'], 'concurrency', 1, LIMITS.maxConcurrency, true);
  const levels = sweepLevels({ ...DEFAULT_SETTINGS, ...s }).length;
  if (levels > LIMITS.maxLevels) throw bad(`the sweep has ${levels} levels; at most ${LIMITS.maxLevels}: use a larger step`);
  return s;
}

export function checkProfileRequest(payload: unknown): CheckedProfileRequest {
  const p = obj(payload, 'the profile request');
  const repoId = str(p['repoId'], 'repoId', 255)!;
  const model = str(p['model'], 'model', 255)!;
  const version = p['version'] === undefined ? undefined : num(p['version'], 'version', 1, 2 ** 53 - 1, true);
  const batchSize = p['batchSize'] === undefined ? 1 : num(p['batchSize'], 'batchSize', 1, LIMITS.maxBatchSize, true);
  const measurementIntervalMs =
    p['measurementIntervalMs'] === undefined ? DEFAULT_SETTINGS.measurementIntervalMs : num(p['measurementIntervalMs'], 'measurementIntervalMs', LIMITS.minIntervalMs, LIMITS.maxIntervalMs, true);
  const maxTrials = p['maxTrials'] === undefined ? DEFAULT_SETTINGS.maxTrials : num(p['maxTrials'], 'maxTrials', 3, LIMITS.maxTrials, true);
  const percentile = p['percentile'] === undefined ? undefined : num(p['percentile'], 'percentile', 1, 99, true);
  const stability = p['stabilityPercentage'] === undefined ? undefined : num(p['stabilityPercentage'], 'stabilityPercentage', 1, 100, true);
  const inputData = enumOf(p['inputData'], 'inputData', ['zero', 'random'] as const) ?? 'random';
  const protocol = enumOf(p['protocol'], 'protocol', ['http', 'grpc'] as const);
  const label = str(p['label'], 'label', LIMITS.maxLabel, false)?.trim() || `${model}${version ? ` v${version}` : ''}`;
  const shapes = shapesOf(p['shapes']);
  const l = load(p);
  const settings: ProfileSettings = { ...DEFAULT_SETTINGS, ...l, batchSize, measurementIntervalMs, maxTrials, percentile: percentile ?? -1, warmupRequests: WARMUP_REQUESTS };
  if (stability !== undefined) settings.stabilityThreshold = stability / 100;
  const shown: ProfileRun['settings'] = {
    batchSize,
    inputData,
    measurementIntervalMs,
    maxTrials,
    ...(l.requestRate ? { requestRate: l.requestRate } : { concurrency: l.concurrency }),
    ...(percentile !== undefined ? { percentile } : {}),
    ...(stability !== undefined ? { stabilityPercentage: stability } : {}),
    ...(Object.keys(shapes).length ? { shapes } : {}),
    ...(protocol ? { protocol } : {}),
  };
  return { repoId, model, ...(version !== undefined ? { version } : {}), label, inputData, shapes, ...(protocol ? { protocol } : {}), settings, shown };
}
