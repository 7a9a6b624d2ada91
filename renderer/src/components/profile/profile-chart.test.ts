import { describe, expect, it } from 'vitest';
import type { ProfileRun } from '@contract/lab-api';
import { componentBars, curveGeometry, defaultLatencyKey, formatUs, niceTicks, parseShape, prefillShape, runCsv, tableColumns, tableRow } from './profile-chart';
import { buildRequest, initialForm } from './profile-form';
import { detail, io } from '../playground/test-support';
import { point } from './profile-test-support';

const BOX = { width: 500, height: 300, left: 50, right: 10, top: 10, bottom: 40 };

describe('axes', () => {
  it('ticks at 1, 2 or 5 times a power of ten, covering the maximum', () => {
    expect(niceTicks(950)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(4.2)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN)).toEqual([0, 1]);
  });

  it('writes µs, ms and s', () => {
    expect(formatUs(830)).toBe('830 µs');
    expect(formatUs(12_345)).toBe('12.3 ms');
    expect(formatUs(25_000_000)).toBe('25 s');
  });

  it('plots at the percentile the run stabilized on, else the average', () => {
    expect(defaultLatencyKey({ settings: { percentile: 95 } } as ProfileRun)).toBe('p95');
    expect(defaultLatencyKey({ settings: { percentile: 75 } } as ProfileRun)).toBe('avg');
    expect(defaultLatencyKey(undefined)).toBe('avg');
  });
});

describe('the throughput-versus-latency curve', () => {
  it('puts every series on shared scales from 0, points in level order', () => {
    const a = [point(2, 300, 4000), point(1, 200, 2000)];
    const b = [point(1, 100, 8000)];
    const g = curveGeometry(
      [
        { id: 'a', label: 'A', points: a },
        { id: 'b', label: 'B', points: b },
      ],
      'avg',
      BOX,
    );
    // x to 8000 µs → ticks to 8000 (2000 apart), y to 300 → ticks to 300.
    expect(g.xTicks.at(-1)!.v).toBe(8000);
    expect(g.yTicks.at(-1)!.v).toBe(300);
    const [sa, sb] = g.series;
    expect(sa!.dots.map((d) => d.level)).toEqual([1, 2]);
    // Level 1 of A: 2000 µs of 8000 across 440 px from x=50; 200/s of 300 on 250 px from the bottom (y=260).
    expect(sa!.dots[0]).toMatchObject({ x: 50 + 110, y: 260 - (200 / 300) * 250, latency: 2000, rate: 200 });
    expect(sa!.path).toMatch(/^M160\.0,\d+\.\d L\d+/);
    expect(sb!.dots[0]!.x).toBe(490);
  });

  it('follows the latency chosen', () => {
    const g = curveGeometry([{ id: 'a', label: 'A', points: [point(1, 100, 1000)] }], 'p99', BOX);
    expect(g.series[0]!.dots[0]!.latency).toBe(1500);
  });
});

describe('stacked components', () => {
  it('lays the seven components end to end on one scale', () => {
    const { bars, maxUs } = componentBars([point(2, 300, 5000), point(1, 200, 1000)], 400);
    expect(bars.map((b) => b.level)).toEqual([1, 2]);
    // 10 + 40 + 1000 + 5 + 3000 + 5 + 20 = 4080 for level 2.
    expect(bars[1]!.totalUs).toBe(4080);
    expect(maxUs).toBe(5000);
    const segs = bars[1]!.segments;
    expect(segs.map((s) => s.key)).toEqual(['clientSendUs', 'networkServerSendRecvUs', 'serverQueueUs', 'serverComputeInputUs', 'serverComputeInferUs', 'serverComputeOutputUs', 'clientRecvUs']);
    expect(segs[2]!.x).toBeCloseTo(((10 + 40) / 5000) * 400);
    expect(segs.at(-1)!.x + segs.at(-1)!.w).toBeCloseTo((4080 / 5000) * 400);
  });

  it('leaves out components that took no time (in-process: no network)', () => {
    const p = point(1, 100, 1000);
    p.components.networkServerSendRecvUs = 0;
    expect(componentBars([p], 100).bars[0]!.segments.some((s) => s.key === 'networkServerSendRecvUs')).toBe(false);
  });
});

describe('the points table', () => {
  it("has perf_analyzer's -f columns, Request Rate first in open-loop mode", () => {
    expect(tableColumns(false).join(',')).toBe(
      'Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,Server Compute Input,Server Compute Infer,Server Compute Output,Client Recv,p50 latency,p90 latency,p95 latency,p99 latency',
    );
    expect(tableColumns(true)[0]).toBe('Request Rate');
    expect(tableRow(point(4, 123.4567891, 1000))).toEqual([4, 123.457, 10, 40, 200, 5, 600, 5, 20, 900, 1200, 1300, 1500]);
  });

  it("copies the engine's CSV as written, or makes it from the stable points by throughput", () => {
    const run = { csv: 'Concurrency,Inferences/Second\n1,2\n', points: [], settings: {} } as unknown as ProfileRun;
    expect(runCsv(run)).toBe('Concurrency,Inferences/Second\n1,2\n');
    const made = runCsv({
      csv: '',
      settings: { concurrency: { start: 1, end: 3, step: 1 } },
      points: [point(2, 300, 1000), point(1, 200, 1000), point(3, 250, 1000, { stable: false })],
    } as unknown as ProfileRun);
    const lines = made.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]!.startsWith('1,200,')).toBe(true);
    expect(lines[2]!.startsWith('2,300,')).toBe(true);
  });
});

describe('shapes and the form', () => {
  it('prefills variable dims and checks what is typed against the fixed ones', () => {
    expect(prefillShape({ dims: [-1, 3, 48, -1], datatype: 'FP32' }, 0)).toEqual([1, 3, 48, 32]);
    expect(prefillShape({ dims: [-1], datatype: 'BYTES' }, 8)).toEqual([1]);
    expect(parseShape('1, 3, 48, 320', [-1, 3, 48, -1])).toEqual([1, 3, 48, 320]);
    expect(parseShape('1，3、48 x 320', [-1, 3, 48, -1])).toEqual([1, 3, 48, 320]);
    expect(parseShape('1,4,48,320', [-1, 3, 48, -1])).toBeUndefined();
    expect(parseShape('1,3,48', [-1, 3, 48, -1])).toBeUndefined();
    expect(parseShape('1,3,48,0', [-1, 3, 48, -1])).toBeUndefined();
    expect(parseShape('1,3,48,2.5', [-1, 3, 48, -1])).toBeUndefined();
  });

  const rec = detail('text_recognition', 0, [io('x', 'FP32', [-1, 3, 48, -1], 0)], [io('y', 'FP32', [-1, -1, 6625], 0)]);
  const batching = detail('tiny', 8, [io('INPUT0', 'FP32', [16], 8)], [io('OUTPUT0', 'FP32', [16], 8)]);

  it('makes the request from the form, shapes included', () => {
    const f = { ...initialForm(rec), start: 1, end: 2, step: 1, measurementIntervalMs: 300, maxTrials: 5, percentile: 95, label: '  first  ' };
    const r = buildRequest(f, rec, 1);
    expect(r).toEqual({
      ok: true,
      req: {
        repoId: 'r1',
        model: 'text_recognition',
        version: 1,
        batchSize: 1,
        concurrency: { start: 1, end: 2, step: 1 },
        inputData: 'random',
        shapes: { x: [1, 3, 48, 32] },
        measurementIntervalMs: 300,
        percentile: 95,
        maxTrials: 5,
        label: 'first',
      },
    });
    const rate = buildRequest({ ...initialForm(batching), mode: 'rate', start: 10, end: 30, step: 10, batchSize: 4, stabilityPercentage: 50 }, batching);
    expect(rate.ok && rate.req).toMatchObject({ requestRate: { start: 10, end: 30, step: 10 }, batchSize: 4, stabilityPercentage: 50 });
    expect(rate.ok && 'concurrency' in rate.req).toBe(false);
  });

  it('says the first problem, beside its field', () => {
    expect(buildRequest({ ...initialForm(rec), start: 3, end: 2 }, rec)).toMatchObject({ ok: false, key: 'profile.err.range', field: 'range' });
    expect(buildRequest({ ...initialForm(rec), start: 1, end: 100, step: 1 }, rec)).toMatchObject({ ok: false, key: 'profile.err.levels', params: { n: 100 } });
    expect(buildRequest({ ...initialForm(batching), batchSize: 9 }, batching)).toMatchObject({ ok: false, key: 'profile.err.batch', params: { max: 8 } });
    expect(buildRequest({ ...initialForm(rec), measurementIntervalMs: 10 }, rec)).toMatchObject({ ok: false, field: 'interval' });
    expect(buildRequest({ ...initialForm(rec), maxTrials: 2 }, rec)).toMatchObject({ ok: false, field: 'trials' });
    expect(buildRequest({ ...initialForm(rec), stabilityPercentage: 0 }, rec)).toMatchObject({ ok: false, key: 'profile.err.stability' });
    expect(buildRequest({ ...initialForm(rec), shapes: { x: '1,3,49,32' } }, rec)).toMatchObject({ ok: false, field: 'shape-x', params: { n: 4, dims: '-1, 3, 48, -1' } });
  });
});
