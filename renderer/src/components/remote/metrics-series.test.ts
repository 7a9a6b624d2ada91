import type { MetricsSnapshot } from '@contract/remote-api';
import { describe, expect, it } from 'vitest';
import { addSnapshot, byActivity, emptySeries, linePaths, modelPoint, niceMax, stackedAreas } from './metrics-series';

type M = MetricsSnapshot['models'][number];
const model = (over: Partial<M> = {}): M => ({
  model: 'm',
  version: '1',
  success: 0,
  failure: 0,
  inferenceCount: 0,
  executionCount: 0,
  requestUs: 0,
  queueUs: 0,
  computeInputUs: 0,
  computeInferUs: 0,
  computeOutputUs: 0,
  ...over,
});
const snap = (time: number, models: M[], extra: Partial<MetricsSnapshot> = {}): MetricsSnapshot => ({ url: 'u', time, models, gpus: [], families: [], ...extra });

describe('metrics series', () => {
  it('has no point after one scrape, then rates and per-request times over the interval', () => {
    let s = addSnapshot(emptySeries(), snap(1000, [model({ success: 10, requestUs: 5000 })]));
    expect(s.scrapes).toBe(1);
    expect(s.models[0]!.points).toEqual([]);
    s = addSnapshot(
      s,
      snap(3000, [model({ success: 30, failure: 2, inferenceCount: 80, requestUs: 45000, queueUs: 4000, computeInputUs: 2000, computeInferUs: 30000, computeOutputUs: 1000, pending: 4 })]),
    );
    expect(s.models[0]!.points).toEqual([
      { time: 3000, successRate: 10, failureRate: 1, inferenceRate: 40, requestUs: 2000, queueUs: 200, computeInputUs: 100, computeInferUs: 1500, computeOutputUs: 50, pending: 4 },
    ]);
  });

  it('treats a counter that went down as a restart, as Prometheus rate() does', () => {
    const p = modelPoint(model({ success: 4, requestUs: 400 }), model({ success: 1000, requestUs: 9e6 }), 2, 5);
    expect(p).toMatchObject({ successRate: 2, requestUs: 100, reset: true });
    expect(modelPoint(model({ success: 5 }), model({ success: 5 }), 1, 5)).toEqual({ time: 5, successRate: 0, failureRate: 0, inferenceRate: 0 });
  });

  it('leaves per-request times out of an interval without successful requests', () => {
    const p = modelPoint(model({ failure: 3, requestUs: 0 }), model(), 1, 1);
    expect(p.failureRate).toBe(3);
    expect(p.requestUs).toBeUndefined();
    expect(p.queueUs).toBeUndefined();
  });

  it('starts a model that appears later without a point, keeps one that went away, ignores a stale scrape', () => {
    let s = addSnapshot(emptySeries(), snap(1000, [model()]));
    s = addSnapshot(s, snap(2000, [model({ success: 1 }), model({ model: 'n', success: 50 })]));
    expect(s.models.map((m) => [m.model, m.points.length])).toEqual([
      ['m', 1],
      ['n', 0],
    ]);
    const kept = addSnapshot(s, snap(3000, [model({ model: 'n', success: 60 })]));
    expect(kept.models.map((m) => [m.model, m.points.length])).toEqual([
      ['m', 1],
      ['n', 1],
    ]);
    expect(addSnapshot(kept, snap(2500, []))).toBe(kept);
  });

  it('keeps at most maxPoints points per series', () => {
    let s = emptySeries();
    for (let i = 0; i < 10; i++) s = addSnapshot(s, snap(1000 * (i + 1), [model({ success: i })], { gpus: [{ uuid: 'g', utilization: i / 10 }], cpu: { utilization: 0.5 } }), 4);
    expect(s.models[0]!.points.map((p) => p.time)).toEqual([7000, 8000, 9000, 10000]);
    expect(s.gpus[0]!.points).toHaveLength(4);
    expect(s.gpus[0]!.points[3]).toEqual({ time: 10000, utilization: 0.9 });
    expect(s.cpu).toHaveLength(4);
  });

  it('orders models by their latest request rate', () => {
    let s = addSnapshot(emptySeries(), snap(1000, [model({ model: 'a' }), model({ model: 'b' }), model({ model: 'c' })]));
    s = addSnapshot(s, snap(2000, [model({ model: 'a', success: 1 }), model({ model: 'b', success: 9 }), model({ model: 'c' })]));
    expect(byActivity(s.models).map((m) => m.model)).toEqual(['b', 'a', 'c']);
  });

  it('draws lines with gaps, stacked areas, and nice axis bounds', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(1.9)).toBe(2);
    expect(niceMax(2400)).toBe(2500);
    expect(niceMax(NaN)).toBe(1);
    expect(linePaths([0, 1, 2, 3], [0, 10, undefined, 5], 100, 50, 10)).toEqual(['0.0,50.0 33.3,0.0', '100.0,25.0']);
    expect(linePaths([], [], 100, 50, 10)).toEqual([]);
    expect(linePaths([7], [5], 100, 50, 10)).toEqual(['0.0,25.0 100.0,25.0']);
    expect(stackedAreas([7], [[2]], 10, 10, 4)).toEqual(['0.0,5.0 10.0,5.0 10.0,10.0 0.0,10.0']);
    const [a, b] = stackedAreas(
      [0, 10],
      [
        [1, 2],
        [1, undefined],
      ],
      10,
      10,
      4,
    );
    expect(a).toBe('0.0,7.5 10.0,5.0 10.0,10.0 0.0,10.0');
    expect(b).toBe('0.0,5.0 10.0,5.0 10.0,5.0 0.0,7.5');
  });
});
