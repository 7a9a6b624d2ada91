import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock';
import { isStable, profileLevel, profileSweep } from './measure';
import { ZERO_STATS } from './stats';
import { DEFAULT_SETTINGS, type ProfileSettings, type ProfileTarget, type ServerStats } from './types';

const MS = 1e6;

/** A target whose requests take `latencyMs(now)` of fake time; every request adds fixed server figures. */
function fakeTarget(clock: FakeClock, latencyMs: (nowMs: number) => number): ProfileTarget & { stats: ServerStats; started: number } {
  const stats = { ...ZERO_STATS };
  const t = {
    stats,
    started: 0,
    async infer() {
      t.started++;
      const ms = latencyMs(clock.nowNs() / MS);
      await clock.sleep(ms);
      stats.successCount++;
      stats.successNs += ms * MS * 0.5;
      stats.queueCount++;
      stats.queueNs += 100_000;
      for (const k of ['computeInput', 'computeInfer', 'computeOutput'] as const) {
        stats[`${k}Count`]++;
        stats[`${k}Ns`] += k === 'computeInfer' ? 300_000 : 10_000;
      }
      stats.inferenceCount++;
      stats.executionCount++;
      return { sendNs: 0, recvNs: 0 };
    },
    statistics: () => Promise.resolve({ ...stats }),
    describe: () => ({ kind: 'in-process' as const, address: 'fake', sameHost: true }),
  };
  return t;
}

const settings = (s: Partial<ProfileSettings> = {}): ProfileSettings => ({ ...DEFAULT_SETTINGS, measurementIntervalMs: 100, ...s });

describe('stability (perf_analyzer DetermineStability)', () => {
  it('needs 3 windows, none empty, throughput and latency each within max/min ≤ 1 + threshold', () => {
    expect(isStable([100, 100], [1, 1], 0.1)).toBe(false);
    expect(isStable([100, 105, 110], [1, 1, 1.1], 0.1)).toBe(true);
    expect(isStable([100, 100, 111], [1, 1, 1], 0.1)).toBe(false);
    expect(isStable([100, 100, 100], [1, 1, 1.11], 0.1)).toBe(false);
    expect(isStable([0, 100, 100], [1, 1, 1], 0.1)).toBe(false);
    expect(isStable([50, 100, 100, 100], [9, 1, 1, 1], 0.1)).toBe(true);
    expect(isStable([100, 100, 100], [1, 1, Infinity], 0.1)).toBe(false);
  });
});

describe('measurement windows against a fake clock', () => {
  it('a steady model is stable after 3 windows; throughput is requests over the window', async () => {
    const clock = new FakeClock();
    const target = fakeTarget(clock, () => 2);
    const p = await profileLevel(target, clock, settings(), 1);
    expect(p).toMatchObject({ concurrency: 1, stable: true, windows: 3 });
    // Windows are [start, end): the request ending at 100 ms counts in the second window.
    expect(p.measurement.client.requestCount).toBe(149);
    expect(p.measurement.client.durationNs).toBe(300 * MS);
    expect(p.measurement.client.inferPerSec).toBeCloseTo(149 / 0.3, 6);
    expect(p.measurement.client.avgLatencyNs).toBe(2 * MS);
    expect(p.measurement.server.successCount).toBeGreaterThanOrEqual(149);
    expect(p.measurement.server.queueNs).toBe(p.measurement.server.queueCount * 100_000);
  });

  it('keeps N requests in flight and counts the batch size in throughput', async () => {
    const clock = new FakeClock();
    const target = fakeTarget(clock, () => 2);
    const p = await profileLevel(target, clock, settings({ batchSize: 4, warmupRequests: 3 }), 3);
    // 3 workers × 50 requests per 100 ms window, give or take the requests on a window's edges.
    expect(Math.abs(p.measurement.client.requestCount - 450)).toBeLessThanOrEqual(3);
    expect(p.measurement.client.inferPerSec).toBe((p.measurement.client.requestCount * 4) / 0.3);
    expect(target.started).toBeLessThanOrEqual(3 + 3 * 155);
  });

  it('waits out a slow start: the first windows are dropped once the last three agree', async () => {
    const clock = new FakeClock();
    const p = await profileLevel(
      fakeTarget(clock, (now) => (now < 200 ? 8 : 2)),
      clock,
      settings(),
      1,
    );
    expect(p).toMatchObject({ stable: true, windows: 5 });
    expect(p.measurement.client.inferPerSec).toBeCloseTo(500, 6);
  });

  it('says unstable after --max-trials windows that never agree, and the sweep stops there', async () => {
    const clock = new FakeClock();
    const flapping = (now: number): number => (Math.floor(now / 100) % 2 === 0 ? 2 : 4);
    const points = await profileSweep(fakeTarget(clock, flapping), clock, settings({ concurrency: { start: 1, end: 3, step: 1 }, maxTrials: 6 }));
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ concurrency: 1, stable: false, windows: 6 });
  });

  it('sweeps start:end:step, warming up before each level', async () => {
    const clock = new FakeClock();
    const target = fakeTarget(clock, () => 5);
    const windows: string[] = [];
    const points = await profileSweep(target, clock, settings({ concurrency: { start: 1, end: 5, step: 2 }, warmupRequests: 10 }), {
      onWindow: (c, trial) => windows.push(`${c}:${trial}`),
    });
    // 1, 3 and 5 requests of 5 ms in flight: 200, 600 and 1000 infer/sec, less at most one request per worker on the first window's edge.
    expect(points.map((p) => [p.concurrency, p.stable])).toEqual([
      [1, true],
      [3, true],
      [5, true],
    ]);
    for (const p of points) {
      expect(p.measurement.client.inferPerSec).toBeLessThanOrEqual(200 * p.concurrency);
      expect(p.measurement.client.inferPerSec).toBeGreaterThanOrEqual(200 * p.concurrency - p.concurrency / 0.3);
    }
    expect(windows).toEqual(['1:1', '1:2', '1:3', '3:1', '3:2', '3:3', '5:1', '5:2', '5:3']);
  });

  it('a failing request ends the level with the target error', async () => {
    const clock = new FakeClock();
    const target = fakeTarget(clock, () => 1);
    const broken: ProfileTarget = { ...target, infer: () => Promise.reject(new Error('model crashed')) };
    await expect(profileLevel(broken, clock, settings(), 2)).rejects.toThrow('a request failed: model crashed');
  });
});
