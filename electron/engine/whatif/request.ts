/**
 * A what-if request as it arrives (IPC or HTTP: hostile until checked): every field's type and
 * range, lists bounded, before the service sees it.
 */
import type { WhatIfKnobs, WhatIfRequest } from '../../contract/profile-api';
import { LabError } from '../errors';
import { type Payload, payload, str } from '../handlers/payload';
import { checkProfileRequest } from '../profile/request';

const MAX_LIST = 16;

function bad(message: string): LabError {
  return new LabError('INVALID_ARG', message);
}

function whole(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`${what} must be a whole number from ${min} to ${max}`);
  return v;
}

function numbers(v: unknown, what: string, min: number, max: number): number[] {
  if (!Array.isArray(v) || v.length > MAX_LIST) throw bad(`${what} must be a list of at most ${MAX_LIST} numbers`);
  return v.map((x) => whole(x, `${what}: each value`, min, max));
}

function knobsOf(v: unknown): WhatIfKnobs {
  const p = payload(v);
  const k: WhatIfKnobs = {};
  if (p['instanceCounts'] !== undefined) k.instanceCounts = numbers(p['instanceCounts'], 'knobs.instanceCounts', 1, 64);
  if (p['dynamicBatching'] !== undefined) {
    const d = p['dynamicBatching'];
    if (!Array.isArray(d) || d.length > 2 || d.some((x) => typeof x !== 'boolean')) throw bad('knobs.dynamicBatching must be a list of true/false');
    k.dynamicBatching = d as boolean[];
  }
  if (p['preferredBatchSizes'] !== undefined) {
    const sets = p['preferredBatchSizes'];
    if (!Array.isArray(sets) || sets.length > MAX_LIST) throw bad(`knobs.preferredBatchSizes must be a list of at most ${MAX_LIST} lists`);
    k.preferredBatchSizes = sets.map((s) => numbers(s, 'knobs.preferredBatchSizes', 1, 1 << 20));
  }
  if (p['maxQueueDelayUs'] !== undefined) k.maxQueueDelayUs = numbers(p['maxQueueDelayUs'], 'knobs.maxQueueDelayUs', 0, 10_000_000);
  return k;
}

function range(v: unknown, what: string, max: number): { start: number; end: number; step: number } {
  const p = payload(v);
  const r = { start: whole(p['start'], `${what}.start`, 1, max), end: whole(p['end'], `${what}.end`, 1, max), step: whole(p['step'], `${what}.step`, 1, max) };
  if (r.end < r.start) throw bad(`${what}: end ${r.end} is below start ${r.start}`);
  return r;
}

function shapesOf(v: unknown): Record<string, number[]> {
  const p = payload(v);
  const keys = Object.keys(p);
  if (keys.length > 64) throw bad('profile.shapes: at most 64 inputs');
  const out: Record<string, number[]> = {};
  for (const k of keys) {
    if (k.length > 256) throw bad('profile.shapes: an input name is too long');
    out[k] = numbers(p[k], `profile.shapes.${k}`, 0, 2 ** 31 - 1);
  }
  return out;
}

type ProfileSettingsRequest = WhatIfRequest['profile'];

function profileOf(v: unknown): ProfileSettingsRequest {
  const p: Payload = payload(v);
  const out: ProfileSettingsRequest = {};
  if (p['version'] !== undefined) out.version = whole(p['version'], 'profile.version', -1, 2 ** 31 - 1);
  if (p['batchSize'] !== undefined) out.batchSize = whole(p['batchSize'], 'profile.batchSize', 1, 1 << 16);
  if (p['concurrency'] !== undefined) out.concurrency = range(p['concurrency'], 'profile.concurrency', 1024);
  if (p['requestRate'] !== undefined) out.requestRate = range(p['requestRate'], 'profile.requestRate', 1_000_000);
  if (p['inputData'] !== undefined) {
    if (p['inputData'] !== 'zero' && p['inputData'] !== 'random') throw bad("profile.inputData must be 'zero' or 'random'");
    out.inputData = p['inputData'];
  }
  if (p['shapes'] !== undefined) out.shapes = shapesOf(p['shapes']);
  if (p['measurementIntervalMs'] !== undefined) out.measurementIntervalMs = whole(p['measurementIntervalMs'], 'profile.measurementIntervalMs', 50, 600_000);
  if (p['percentile'] !== undefined) out.percentile = whole(p['percentile'], 'profile.percentile', 1, 99);
  if (p['maxTrials'] !== undefined) out.maxTrials = whole(p['maxTrials'], 'profile.maxTrials', 1, 100);
  if (p['stabilityPercentage'] !== undefined) out.stabilityPercentage = whole(p['stabilityPercentage'], 'profile.stabilityPercentage', 1, 100);
  if (p['protocol'] !== undefined) throw bad('profile.protocol applies to remote servers; a what-if runs on local models');
  // Each variant's sweep is a profile: the Profile tab's bounds (levels, elements, interval, trials) apply.
  const { version: _version, ...settings } = out;
  try {
    checkProfileRequest({ ...settings, repoId: 'what-if', model: 'what-if' });
  } catch (err) {
    throw bad(`profile: ${err instanceof Error ? err.message : String(err)}`);
  }
  return out;
}

export function whatIfRequest(req: unknown): WhatIfRequest {
  const p = payload(req);
  const budget = p['latencyBudgetMs'];
  if (typeof budget !== 'number' || !Number.isFinite(budget) || budget <= 0 || budget > 3_600_000) throw bad('latencyBudgetMs must be a number of milliseconds above 0');
  const r: WhatIfRequest = { repoId: str(p, 'repoId', 512), model: str(p, 'model', 1024), knobs: knobsOf(p['knobs']), latencyBudgetMs: budget, profile: profileOf(p['profile']) };
  if (p['maxVariants'] !== undefined) r.maxVariants = whole(p['maxVariants'], 'maxVariants', 1, 32);
  return r;
}
