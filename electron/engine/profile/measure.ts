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

/** The requests a load generator completed, kept until a window takes them. */
abstract class Loop {
  protected records: RequestRecord[] = [];
  protected completed = 0;
  protected stopping = false;
  private waiters: { n: number; resolve: () => void }[] = [];
  error: unknown = undefined;

  protected wake(): void {
    if (this.waiters.length === 0) return; // after the warm-up: every request comes here
    this.waiters = this.waiters.filter((w) => {
      if (this.completed < w.n && !this.stopping) return true;
      w.resolve();
      return false;
    });
  }

  protected record(r: RequestRecord): void {
    this.records.push(r);
    this.completed++;
    this.wake();
  }

  protected fail(err: unknown): void {
    this.error ??= err;
    this.stopping = true;
    this.wake();
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

  /** Requests sent within [startNs, endNs) (request-rate mode reports the rate it managed to send). */
  sentIn(_startNs: number, _endNs: number): number | undefined {
    return undefined;
  }

  /** Forgets the requests completed so far (the warm-up's). */
  discard(): void {
    this.records = [];
  }

  abstract stop(): Promise<void>;
}

/** N workers, each sending its next request as soon as the last one answered. */
export class ClosedLoop extends Loop {
  private workers: Promise<void>[] = [];

  constructor(
    private readonly target: ProfileTarget,
    private readonly clock: Clock,
    concurrency: number,
  ) {
    super();
    for (let i = 0; i < concurrency; i++) this.workers.push(this.worker());
  }

  private async worker(): Promise<void> {
    const network = this.target.network === true;
    while (!this.stopping) {
      if (!network) await this.clock.yield();
      if (this.stopping) break;
      const startNs = this.clock.nowNs();
      try {
        const t = await this.target.infer();
        this.record({ startNs, endNs: this.clock.nowNs(), sendNs: t.sendNs, recvNs: t.recvNs });
      } catch (err) {
        this.fail(err);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await Promise.all(this.workers);
  }
}

/** A request sent more than this after its slot counts as delayed (a timer fires up to ~1 ms late). */
export const DELAY_TOLERANCE_NS = 1_000_000;
/** Requests an open loop keeps in flight at most: past it, sends wait (and count as delayed). */
export const MAX_IN_FLIGHT = 1024;

/**
 * perf_analyzer's request-rate mode with its constant distribution: request k is sent at
 * start + k / rate whether or not earlier ones answered (an open loop). A request sent later than
 * its slot is delayed, as in request_rate_worker.cc.
 */
export class OpenLoop extends Loop {
  private inFlight = new Set<Promise<void>>();
  private sends: number[] = [];
  private readonly scheduler: Promise<void>;

  constructor(
    private readonly target: ProfileTarget,
    private readonly clock: Clock,
    rate: number,
  ) {
    super();
    this.scheduler = this.schedule(1e9 / rate);
  }

  private async schedule(intervalNs: number): Promise<void> {
    const origin = this.clock.nowNs();
    for (let k = 0; !this.stopping; k++) {
      const at = origin + k * intervalNs;
      const waitNs = at - this.clock.nowNs();
      if (waitNs > 0) await this.clock.sleep(waitNs / 1e6);
      else await this.clock.yield();
      while (this.inFlight.size >= MAX_IN_FLIGHT && !this.stopping) await Promise.race(this.inFlight);
      if (this.stopping) break;
      this.send(this.clock.nowNs() - at > DELAY_TOLERANCE_NS);
    }
  }

  private send(delayed: boolean): void {
    const startNs = this.clock.nowNs();
    this.sends.push(startNs);
    const p: Promise<void> = this.target.infer().then(
      (t) => this.record({ startNs, endNs: this.clock.nowNs(), sendNs: t.sendNs, recvNs: t.recvNs, delayed }),
      (err: unknown) => this.fail(err),
    );
    const tracked = p.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  override sentIn(startNs: number, endNs: number): number {
    const n = this.sends.filter((t) => t >= startNs && t < endNs).length;
    this.sends = this.sends.filter((t) => t >= endNs);
    return n;
  }

  override discard(): void {
    super.discard();
    this.sends = [];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.scheduler;
    await Promise.all(this.inFlight);
  }
}

function failed(err: unknown): LabError {
  return err instanceof LabError ? err : new LabError('UNAVAILABLE', `a request failed: ${err instanceof Error ? err.message : String(err)}`);
}

async function measureWindow(loop: Loop, target: ProfileTarget, clock: Clock, s: ProfileSettings): Promise<Measurement> {
  const before = await target.statistics();
  const startNs = clock.nowNs();
  await clock.sleep(s.measurementIntervalMs);
  const endNs = clock.nowNs();
  const after = await target.statistics();
  if (loop.error !== undefined) throw failed(loop.error);
  const m = windowMeasurement(loop.take(startNs, endNs), endNs - startNs, statsDelta(after, before), s.batchSize, s.percentile);
  const sent = loop.sentIn(startNs, endNs);
  if (sent !== undefined) m.client.sendRate = sent / ((endNs - startNs) / 1e9);
  return m;
}

export interface ProfileEvents {
  /** After each window: the level (requests in flight, or per second in request-rate mode), the window's number there (1-based) and figures. */
  onWindow?(level: number, trial: number, m: Measurement): void;
  /** After each level. */
  onPoint?(p: PointResult): void;
}

/** A level of a sweep: requests in flight (closed loop) or requests per second (open loop). */
export type Level = number | { requestRate: number };

/** Windows until the last 3 agree, at most maxTrials; a signal ends the level after the window in flight. */
async function windowsUntilStable(
  loop: Loop,
  target: ProfileTarget,
  clock: Clock,
  s: ProfileSettings,
  onWindow: (trial: number, m: Measurement) => void,
  signal?: AbortSignal,
): Promise<Omit<PointResult, 'concurrency'>> {
  const windows: Measurement[] = [];
  for (let trial = 1; trial <= s.maxTrials && !signal?.aborted; trial++) {
    const m = await measureWindow(loop, target, clock, s);
    windows.push(m);
    onWindow(trial, m);
    const ips = windows.map((w) => w.client.inferPerSec);
    const lat = windows.map((w) => (w.client.requestCount ? w.stabilizingLatencyNs : Infinity));
    if (isStable(ips, lat, s.stabilityThreshold)) {
      return { stable: true, windows: trial, measurement: mergeMeasurements(windows.slice(-STABILITY_WINDOW), s.batchSize, s.percentile) };
    }
  }
  if (windows.length === 0) throw new LabError('CANCELLED', 'the profile was stopped before its first window');
  return { stable: false, windows: windows.length, measurement: windows[windows.length - 1]! };
}

/** One level: warm-up, then windows until stable or max trials (or the signal, after the window in flight). */
export async function profileLevel(target: ProfileTarget, clock: Clock, s: ProfileSettings, level: Level, events: ProfileEvents = {}, signal?: AbortSignal): Promise<PointResult> {
  const rate = typeof level === 'number' ? undefined : level.requestRate;
  const loop: Loop = rate === undefined ? new ClosedLoop(target, clock, level as number) : new OpenLoop(target, clock, rate);
  const value = rate ?? (level as number);
  try {
    await loop.whenCompleted(s.warmupRequests);
    if (loop.error !== undefined) throw failed(loop.error);
    loop.discard();
    const r = await windowsUntilStable(loop, target, clock, s, (trial, m) => events.onWindow?.(value, trial, m), signal);
    return rate === undefined ? { concurrency: value, ...r } : { concurrency: 0, requestRate: rate, ...r };
  } finally {
    await loop.stop();
  }
}

export function concurrencyLevels(r: ProfileSettings['concurrency']): number[] {
  const out: number[] = [];
  for (let c = r.start; c <= r.end; c += r.step) out.push(c);
  return out;
}

/** The levels of a sweep: --request-rate-range's rates when given (fractional steps summed without drift), else the concurrencies. */
export function sweepLevels(s: ProfileSettings): Level[] {
  const r = s.requestRate;
  if (!r) return concurrencyLevels(s.concurrency);
  const out: Level[] = [];
  for (let i = 0; ; i++) {
    const v = Number((r.start + i * r.step).toPrecision(12));
    if (v > r.end + 1e-9 || out.length >= 1000) break;
    out.push({ requestRate: v });
  }
  return out;
}

/**
 * The sweep over the levels; it stops at the first level that did not stabilize (that point is
 * kept, unstable), or when the signal fires (after the window in flight; the points so far kept).
 */
export async function profileSweep(target: ProfileTarget, clock: Clock, s: ProfileSettings, events: ProfileEvents = {}, signal?: AbortSignal): Promise<PointResult[]> {
  const points: PointResult[] = [];
  for (const level of sweepLevels(s)) {
    if (signal?.aborted) break;
    let p: PointResult;
    try {
      p = await profileLevel(target, clock, s, level, events, signal);
    } catch (err) {
      if (err instanceof LabError && err.code === 'CANCELLED') break;
      throw err;
    }
    points.push(p);
    events.onPoint?.(p);
    if (!p.stable) break;
  }
  return points;
}
