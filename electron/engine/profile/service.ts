/**
 * Profiles from the lab API: `startProfile` answers at once with a running `ProfileRun` and the
 * sweep (perf_analyzer's method, `measure.ts`) goes on in the background, announcing itself as
 * `profile-progress` events after windows (throttled) and after every point; `stopProfile` ends it
 * after the window in flight and keeps the points measured. One profile runs per model at a time.
 * Finished profiles stay in a bounded history, persisted to `profiles.json` when the lab has a
 * settings folder. `runProfile` is the sweep of one target for other engine parts (what-if).
 */
import type { ProfilePoint, ProfileRun } from '../../contract/profile-api';
import { LabError } from '../errors';
import { MAX_HISTORY, type ProfileHistoryFile } from './history';
import { loadWords, machineInfo, machineWarnings } from './machine';
import { profileSweep, sweepLevels } from './measure';
import { csv } from './report';
import type { CheckedProfileRequest } from './request';
import { checkProfileRequest } from './request';
import { breakdown } from './stats';
import { type Clock, type PointResult, type ProfileSettings, type ProfileTarget, systemClock } from './types';

const us = (ns: number): number => Math.round(ns / 1000);

/** A PointResult in the lab API's terms (µs). */
export function toProfilePoint(p: PointResult): ProfilePoint {
  const c = p.measurement.client;
  const b = breakdown(p.measurement);
  const pct = (q: number): number => us(c.percentileNs.get(q) ?? 0);
  return {
    ...(p.requestRate !== undefined ? { requestRate: p.requestRate } : { concurrency: p.concurrency }),
    stable: p.stable,
    windows: p.windows,
    requestCount: c.requestCount,
    inferPerSec: c.inferPerSec,
    latencyUs: { avg: us(c.avgLatencyNs), std: us(c.stdNs), p50: pct(50), p90: pct(90), p95: pct(95), p99: pct(99) },
    components: {
      clientSendUs: b.clientSendUs,
      networkServerSendRecvUs: b.networkServerUs,
      serverQueueUs: b.serverQueueUs,
      serverComputeInputUs: b.serverComputeInputUs,
      serverComputeInferUs: b.serverComputeInferUs,
      serverComputeOutputUs: b.serverComputeOutputUs,
      clientRecvUs: b.clientRecvUs,
    },
  };
}

/** The warnings a finished sweep earns: a level that never settled, requests sent late in request-rate mode. */
export function sweepWarnings(points: PointResult[], s: ProfileSettings, stopped: boolean): string[] {
  const out: string[] = [];
  const last = points[points.length - 1];
  if (last && !last.stable && !stopped) {
    const level = last.requestRate !== undefined ? `request rate ${last.requestRate}/s` : `concurrency ${last.concurrency}`;
    out.push(
      `the sweep stopped at ${level}: its last 3 windows did not agree within ${Math.round(s.stabilityThreshold * 100)}% after ${last.windows} windows, so that point is not stable (try a longer measurement interval)`,
    );
  }
  for (const p of points) {
    const c = p.measurement.client;
    if (c.delayedCount && c.requestCount && c.delayedCount / c.requestCount > 0.01) {
      out.push(
        `at ${p.requestRate}/s, ${Math.round((c.delayedCount / c.requestCount) * 100)}% of the requests were sent late: the client could not keep up with the rate (sent ${(c.sendRate ?? 0).toFixed(1)}/s)`,
      );
    }
  }
  return out;
}

export interface RunMeta {
  profileId: string;
  repoId: string;
  model: string;
  version?: number;
  label: string;
  settings: ProfileRun['settings'];
  /** The execution provider the model runs on, e.g. "CPU" (local targets). */
  provider?: string;
  variant?: string;
}

/** A running ProfileRun for a target about to be swept. */
export function newRun(meta: RunMeta, target: ProfileTarget, s: ProfileSettings, now = Date.now()): ProfileRun {
  const t = target.describe();
  const machine = machineInfo(t);
  const levels = sweepLevels(s);
  const { provider, ...rest } = meta;
  return {
    ...rest,
    startedAt: now,
    state: 'running',
    target: t,
    machine: { ...machine, ...(provider ? { provider } : {}) },
    warnings: machineWarnings(machine, loadWords(s)),
    points: [],
    progress: { level: 0, levels: levels.length, window: 0, maxWindows: s.maxTrials },
    csv: csv([]),
  };
}

export interface RunProfileOptions {
  signal?: AbortSignal;
  clock?: Clock;
  /** After every window and point (not throttled). */
  onUpdate?: (run: ProfileRun) => void;
}

/**
 * Sweeps `target` with `s`, filling `run` (points, csv, progress, warnings, state) as it goes, and
 * resolves with it: 'done', 'stopped' (the signal; points kept) or 'error' (the error kept; points kept).
 */
export async function runProfile(run: ProfileRun, target: ProfileTarget, s: ProfileSettings, opts: RunProfileOptions = {}): Promise<ProfileRun> {
  const results: PointResult[] = [];
  const levels = sweepLevels(s);
  const update = (): void => opts.onUpdate?.(run);
  try {
    await profileSweep(
      target,
      opts.clock ?? systemClock,
      s,
      {
        onWindow: (level, trial) => {
          run.progress = { level: levels.findIndex((l) => (typeof l === 'number' ? l : l.requestRate) === level) + 1, levels: levels.length, window: trial, maxWindows: s.maxTrials };
          update();
        },
        onPoint: (p) => {
          results.push(p);
          run.points = results.map(toProfilePoint);
          run.csv = csv(results);
          update();
        },
      },
      opts.signal,
    );
    run.state = opts.signal?.aborted ? 'stopped' : 'done';
  } catch (err) {
    run.state = opts.signal?.aborted ? 'stopped' : 'error';
    if (run.state === 'error') run.error = { code: err instanceof LabError ? err.code : 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
  }
  run.warnings = [...run.warnings, ...sweepWarnings(results, s, run.state === 'stopped')];
  run.finishedAt = Date.now();
  update();
  return run;
}

/** A target ready to sweep, and how to let it go. */
export interface OpenedTarget {
  target: ProfileTarget;
  provider?: string;
  close(): Promise<void> | void;
}

export interface ProfileServiceOptions {
  /** Resolves a request's repository (local or remote) into a target with its request data built. */
  open(req: CheckedProfileRequest): Promise<OpenedTarget>;
  emit(run: ProfileRun): void;
  history?: ProfileHistoryFile;
  clock?: Clock;
  /** Least time between two window events of one profile (default 250 ms). */
  throttleMs?: number;
  log?: (line: string) => void;
}

interface Job {
  run: ProfileRun;
  abort: AbortController;
  done: Promise<void>;
}

const copy = (r: ProfileRun): ProfileRun => structuredClone(r);

export class ProfileService {
  private runs: ProfileRun[] = [];
  private readonly jobs = new Map<string, Job>();
  /** Models whose target is being opened (a second start must not slip in meanwhile). */
  private readonly opening = new Set<string>();
  private readonly loaded: Promise<void>;
  private seq = 0;
  private saving: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: ProfileServiceOptions) {
    this.loaded = (o.history?.read() ?? Promise.resolve([])).then((runs) => {
      this.runs = [...this.runs, ...runs];
    });
  }

  private id(): string {
    let id: string;
    do id = `p-${Date.now().toString(36)}-${++this.seq}`;
    while (this.runs.some((r) => r.profileId === id));
    return id;
  }

  async start(payload: unknown): Promise<ProfileRun> {
    const req = checkProfileRequest(payload);
    if (this.closed) throw new LabError('UNAVAILABLE', 'the lab is closing');
    await this.loaded;
    const key = JSON.stringify([req.repoId, req.model]);
    const busy = [...this.jobs.values()].find((j) => j.run.repoId === req.repoId && j.run.model === req.model);
    if (busy || this.opening.has(key)) throw new LabError('UNAVAILABLE', `a profile of '${req.model}' is already running${busy ? ` (${busy.run.label})` : ''}; stop it or wait for it to finish`);
    this.opening.add(key);
    let opened: OpenedTarget;
    try {
      opened = await this.o.open(req);
    } finally {
      this.opening.delete(key);
    }
    const meta: RunMeta = {
      profileId: this.id(),
      repoId: req.repoId,
      model: req.model,
      label: req.label,
      settings: req.shown,
      ...(req.version !== undefined ? { version: req.version } : {}),
      ...(opened.provider ? { provider: opened.provider } : {}),
    };
    const run = newRun(meta, opened.target, req.settings);
    const abort = new AbortController();
    this.runs.unshift(run);
    this.trim();
    const job: Job = { run, abort, done: Promise.resolve() };
    this.jobs.set(run.profileId, job);
    job.done = this.background(job, opened, req.settings);
    this.o.emit(copy(run));
    return copy(run);
  }

  /**
   * Keeps a profile measured elsewhere (a what-if variant's sweep, `variant` set) in the history,
   * under a new id, and announces it as a `profile-progress` event. A running profile is refused.
   */
  async record(run: ProfileRun): Promise<ProfileRun> {
    if (run.state === 'running') throw new LabError('INVALID_ARG', 'only a finished profile can be recorded');
    await this.loaded;
    const kept: ProfileRun = { ...copy(run), profileId: this.id() };
    this.runs.unshift(kept);
    this.trim();
    this.save();
    this.o.emit(copy(kept));
    return copy(kept);
  }

  private async background(job: Job, opened: OpenedTarget, s: ProfileSettings): Promise<void> {
    let last = 0;
    const throttle = this.o.throttleMs ?? 250;
    let points = 0;
    const onUpdate = (run: ProfileRun): void => {
      const now = Date.now();
      const newPoint = run.points.length !== points;
      if (!newPoint && run.state === 'running' && now - last < throttle) return;
      points = run.points.length;
      last = now;
      this.o.emit(copy(run));
    };
    try {
      await runProfile(job.run, opened.target, s, { signal: job.abort.signal, ...(this.o.clock ? { clock: this.o.clock } : {}), onUpdate });
    } finally {
      this.jobs.delete(job.run.profileId);
      try {
        await opened.close();
      } catch (err) {
        this.o.log?.(`profile ${job.run.profileId}: closing its target failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      this.save();
    }
  }

  /** Keeps at most MAX_HISTORY profiles, dropping the oldest finished ones. */
  private trim(): void {
    while (this.runs.length > MAX_HISTORY) {
      const i = this.runs.findLastIndex((r) => !this.jobs.has(r.profileId) && r.state !== 'running');
      if (i < 0) break;
      this.runs.splice(i, 1);
    }
  }

  private save(): void {
    const history = this.o.history;
    if (!history) return;
    const finished = this.runs.filter((r) => r.state !== 'running');
    this.saving = this.saving.then(() => history.write(finished).catch((err: unknown) => this.o.log?.(`profiles: cannot write ${history.file}: ${err instanceof Error ? err.message : String(err)}`)));
  }

  private find(profileId: unknown): ProfileRun {
    if (typeof profileId !== 'string') throw new LabError('INVALID_ARG', 'profileId must be a string');
    const r = this.runs.find((x) => x.profileId === profileId);
    if (!r) throw new LabError('NOT_FOUND', `no profile '${profileId.slice(0, 100)}'`);
    return r;
  }

  /** Stops after the window in flight; waits for it (at most `waitMs`) and answers with the run as it is then. */
  async stop(profileId: unknown, waitMs = 2000): Promise<ProfileRun> {
    await this.loaded;
    const run = this.find(profileId);
    const job = this.jobs.get(run.profileId);
    if (job) {
      job.abort.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([job.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    return copy(run);
  }

  async get(profileId: unknown): Promise<ProfileRun> {
    await this.loaded;
    return copy(this.find(profileId));
  }

  /** Newest first, optionally of one repository and model. */
  async list(filter: { repoId?: unknown; model?: unknown } = {}): Promise<ProfileRun[]> {
    await this.loaded;
    return this.runs.filter((r) => (filter.repoId === undefined || r.repoId === filter.repoId) && (filter.model === undefined || r.model === filter.model)).map(copy);
  }

  /** Deletes a finished profile; a running one is stopped first. */
  async delete(profileId: unknown): Promise<boolean> {
    await this.loaded;
    const id = this.find(profileId).profileId;
    const job = this.jobs.get(id);
    if (job) {
      job.abort.abort();
      await job.done;
    }
    this.runs = this.runs.filter((r) => r.profileId !== id);
    this.save();
    return true;
  }

  /** Stops every running profile and waits for the history to be written. */
  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.jobs.values()) j.abort.abort();
    await Promise.all([...this.jobs.values()].map((j) => j.done));
    await this.saving;
  }
}
