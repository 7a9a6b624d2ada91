/**
 * perf_analyzer's concurrency mode: a closed loop keeps N requests in flight; after a warm-up,
 * windows of --measurement-interval ms are measured until the last 3 agree within the stability
 * threshold (throughput and the stabilizing latency, max/min ≤ 1 + threshold, none empty) or
 * --max-trials windows were measured; then the next level of start:end:step. A level that does
 * not stabilize ends the sweep, as perf_analyzer's does.
 */
import { LabError } from '../errors';
import { mergeMeasurements, statsDelta, windowMeasurement } from './stats';
import type { Clock, Measurement, PointResult, ProfileSettings, ProfileTarget, RequestRecord } from './types';

export const STABILITY_WINDOW = 3;

/** perf_analyzer's DetermineStability over the last 3 windows' throughputs and latencies. */
export function isStable(inferPerSec: readonly number[], latencies: readonly number[], threshold: number): boolean {
  if (inferPerSec.length < STABILITY_WINDOW) return false;
  const ips = inferPerSec.slice(-STABILITY_WINDOW);
  const lat = latencies.slice(-STABILITY_WINDOW);
  if (ips.some((v) => v === 0) || lat.some((v) => !Number.isFinite(v) || v <= 0)) return false;
  const within = (v: number[]): boolean => Math.max(...v) / Math.min(...v) <= 1 + threshold;
  return within(ips) && within(lat);
}

/** N workers, each sending its next request as soon as the last one answered. */
export class ClosedLoop {
  private records: RequestRecord[] = [];
  private completed = 0;
  private stopping = false;
  private workers: Promise<void>[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];
  error: unknown = undefined;

  constructor(
    private readonly target: ProfileTarget,
    private readonly clock: Clock,
    concurrency: number,
  ) {
    for (let i = 0; i < concurrency; i++) this.workers.push(this.worker());
  }

  private async worker(): Promise<void> {
    while (!this.stopping) {
      await this.clock.yield();
      if (this.stopping) break;
      const startNs = this.clock.nowNs();
      try {
        const t = await this.target.infer();
        this.records.push({ startNs, endNs: this.clock.nowNs(), sendNs: t.sendNs, recvNs: t.recvNs });
        this.completed++;
      } catch (err) {
        this.error ??= err;
        this.stopping = true;
      }
      this.wake();
    }
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.completed < w.n && !this.stopping) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once `n` requests completed in all (or the loop stopped on an error). */
  whenCompleted(n: number): Promise<void> {
    if (this.completed >= n || this.stopping) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /**
   * The requests that ended within [startNs, endNs); earlier ones are dropped. A request that ends
   * exactly at a window's end belongs to the next window, whichever of the two is seen first.
   */
  take(startNs: number, endNs: number): RequestRecord[] {
    const inside = this.records.filter((r) => r.endNs >= startNs && r.endNs < endNs);
    this.records = this.records.filter((r) => r.endNs >= endNs);
    return inside;
  }

  /** Forgets the requests completed so far (the warm-up's). */
  discard(): void {
    this.records = [];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await Promise.all(this.workers);
  }
}

function failed(err: unknown): LabError {
  return err instanceof LabError ? err : new LabError('UNAVAILABLE', `a request failed: ${err instanceof Error ? err.message : String(err)}`);
}

async function measureWindow(loop: ClosedLoop, target: ProfileTarget, clock: Clock, s: ProfileSettings): Promise<Measurement> {
  const before = await target.statistics();
  const startNs = clock.nowNs();
  await clock.sleep(s.measurementIntervalMs);
  const endNs = clock.nowNs();
  const after = await target.statistics();
  if (loop.error !== undefined) throw failed(loop.error);
  return windowMeasurement(loop.take(startNs, endNs), endNs - startNs, statsDelta(after, before), s.batchSize, s.percentile);
}

export interface ProfileEvents {
  /** After each window: its number at this level (1-based) and figures. */
  onWindow?(concurrency: number, trial: number, m: Measurement): void;
}

/** One concurrency level: warm-up, then windows until stable or max trials. */
export async function profileLevel(target: ProfileTarget, clock: Clock, s: ProfileSettings, concurrency: number, events: ProfileEvents = {}): Promise<PointResult> {
  const loop = new ClosedLoop(target, clock, concurrency);
  try {
    await loop.whenCompleted(s.warmupRequests);
    if (loop.error !== undefined) throw failed(loop.error);
    loop.discard();
    const windows: Measurement[] = [];
    for (let trial = 1; trial <= s.maxTrials; trial++) {
      const m = await measureWindow(loop, target, clock, s);
      windows.push(m);
      events.onWindow?.(concurrency, trial, m);
      const ips = windows.map((w) => w.client.inferPerSec);
      const lat = windows.map((w) => (w.client.requestCount ? w.stabilizingLatencyNs : Infinity));
      if (isStable(ips, lat, s.stabilityThreshold)) {
        return { concurrency, stable: true, windows: trial, measurement: mergeMeasurements(windows.slice(-STABILITY_WINDOW), s.batchSize, s.percentile) };
      }
    }
    return { concurrency, stable: false, windows: windows.length, measurement: windows[windows.length - 1]! };
  } finally {
    await loop.stop();
  }
}

export function concurrencyLevels(r: ProfileSettings['concurrency']): number[] {
  const out: number[] = [];
  for (let c = r.start; c <= r.end; c += r.step) out.push(c);
  return out;
}

/** The sweep over start:end:step; it stops at the first level that did not stabilize (that point is kept, unstable). */
export async function profileSweep(target: ProfileTarget, clock: Clock, s: ProfileSettings, events: ProfileEvents = {}): Promise<PointResult[]> {
  const points: PointResult[] = [];
  for (const c of concurrencyLevels(s.concurrency)) {
    const p = await profileLevel(target, clock, s, c, events);
    points.push(p);
    if (!p.stable) break;
  }
  return points;
}
