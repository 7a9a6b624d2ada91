import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock';
import { isStable, profileLevel, profileSweep, sweepLevels } from './measure';
import { levelLines } from './report';
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

describe('request-rate mode (perf_analyzer --request-rate-range, constant distribution)', () => {
  it('sends on a constant schedule whatever the latency (open loop): throughput is the rate, nothing delayed', async () => {
    const clock = new FakeClock();
    // 100 requests/s, each taking 35 ms: about 4 in flight at once, which a closed loop of 1 could not do.
    const target = fakeTarget(clock, () => 35);
    const p = await profileLevel(target, clock, settings({ warmupRequests: 5 }), { requestRate: 100 });
    expect(p).toMatchObject({ concurrency: 0, requestRate: 100, stable: true });
    expect(p.windows).toBeLessThanOrEqual(4);
    // 3 windows of 100 ms at 100/s, give or take a request ending on a window's edge.
    expect(Math.abs(p.measurement.client.requestCount - 30)).toBeLessThanOrEqual(1);
    expect(Math.abs(p.measurement.client.inferPerSec - 100)).toBeLessThanOrEqual(1 / 0.3);
    expect(p.measurement.client.avgLatencyNs).toBe(35 * MS);
    expect(p.measurement.client.delayedCount).toBe(0);
    expect(Math.abs((p.measurement.client.sendRate ?? 0) - 100)).toBeLessThanOrEqual(1 / 0.3);
  });

  it('sweeps start:end:step over rates, fractional steps included', async () => {
    expect(sweepLevels(settings({ requestRate: { start: 10, end: 30, step: 10 } }))).toEqual([{ requestRate: 10 }, { requestRate: 20 }, { requestRate: 30 }]);
    expect(sweepLevels(settings({ requestRate: { start: 0.5, end: 1.5, step: 0.5 } }))).toEqual([{ requestRate: 0.5 }, { requestRate: 1 }, { requestRate: 1.5 }]);
    expect(sweepLevels(settings({ concurrency: { start: 2, end: 6, step: 2 } }))).toEqual([2, 4, 6]);
    const clock = new FakeClock();
    const points = await profileSweep(
      fakeTarget(clock, () => 3),
      clock,
      settings({ requestRate: { start: 50, end: 150, step: 50 } }),
    );
    expect(points.map((p) => [p.requestRate, p.stable, Math.round(p.measurement.client.inferPerSec)])).toEqual([
      [50, true, 50],
      [100, true, 100],
      [150, true, 150],
    ]);
  });

  it('a request sent more than a millisecond after its slot counts as delayed, and the report warns', async () => {
    /** Every other wait of the scheduler (not the requests' 2 ms, not the 100 ms windows) ends 3 ms late, as on a busy event loop. */
    class LateClock extends FakeClock {
      private n = 0;
      override sleep(ms: number): Promise<void> {
        const scheduler = ms !== 2 && ms !== 100;
        return super.sleep(scheduler && this.n++ % 2 ? ms + 3 : ms);
      }
    }
    const clock = new LateClock();
    const p = await profileLevel(
      fakeTarget(clock, () => 2),
      clock,
      settings({ maxTrials: 5, stabilityThreshold: 0.5 }),
      { requestRate: 100 },
    );
    const c = p.measurement.client;
    expect(c.delayedCount).toBeGreaterThan(c.requestCount * 0.2);
    expect(c.delayedCount).toBeLessThan(c.requestCount * 0.8);
    const lines = levelLines(p.measurement, -1, false);
    expect(lines[2]).toMatch(/^ {4}Avg send request rate: \d+\.\d\d infer\/sec$/);
    expect(lines[3]).toMatch(/^ {4}\[WARNING\] Perf Analyzer was not able to keep up with the desired request rate\. [\d.]+% of the requests were delayed\. $/);
  });
});

describe('stopping a sweep (AbortSignal)', () => {
  it('stops after the window in flight and keeps the points measured', async () => {
    const clock = new FakeClock();
    const ctl = new AbortController();
    const seen: string[] = [];
    const points = await profileSweep(
      fakeTarget(clock, () => 2),
      clock,
      settings({ concurrency: { start: 1, end: 4, step: 1 } }),
      {
        onWindow: (c, trial) => {
          seen.push(`${c}:${trial}`);
          if (c === 2 && trial === 1) ctl.abort();
        },
      },
      ctl.signal,
    );
    expect(seen).toEqual(['1:1', '1:2', '1:3', '2:1']);
    expect(points.map((p) => [p.concurrency, p.stable, p.windows])).toEqual([
      [1, true, 3],
      [2, false, 1],
    ]);
  });

  it('a signal that fired before the first window leaves no point', async () => {
    const clock = new FakeClock();
    const ctl = new AbortController();
    ctl.abort();
    expect(
      await profileSweep(
        fakeTarget(clock, () => 2),
        clock,
        settings(),
        {},
        ctl.signal,
      ),
    ).toEqual([]);
  });
});

describe('yielding between requests', () => {
  it('yields before each request of an in-process target, never for a network one (its socket lets timers run)', async () => {
    class CountingClock extends FakeClock {
      yields = 0;
      override yield(): Promise<void> {
        this.yields++;
        return super.yield();
      }
    }
    const local = new CountingClock();
    await profileLevel(
      fakeTarget(local, () => 2),
      local,
      settings({ maxTrials: 3 }),
      1,
    );
    expect(local.yields).toBeGreaterThan(100);
    const remote = new CountingClock();
    await profileLevel({ ...fakeTarget(remote, () => 2), network: true }, remote, settings({ maxTrials: 3 }), 1);
    expect(remote.yields).toBe(0);
  });
});
