/**
 * The custom metrics registry as Triton's core keeps it: one family per
 * name, shared label sets counted by reference, kind rules with core's
 * wording, histograms with cumulative buckets, clients released at once.
 */
import { describe, expect, it } from 'vitest';
import { modelVersionOf } from '../backends/python/services';
import { CustomMetrics } from './custom-metrics';

describe('CustomMetrics', () => {
  it('shares a label set across clients until the last reference goes', () => {
    const reg = new CustomMetrics();
    const a = reg.client();
    const b = reg.client();
    a.registerFamily('req_total', 'requests', 'counter');
    b.registerFamily('req_total', 'another description', 'counter');
    const ia = a.addMetric('req_total', { model: 'x', version: '1' });
    const ib = b.addMetric('req_total', { version: '1', model: 'x' });
    a.apply(ia, 'increment', 3);
    expect(b.apply(ib, 'value', 0)).toBe(3);
    expect(reg.exported()).toEqual([
      {
        name: 'req_total',
        help: 'requests',
        type: 'counter',
        samples: [
          {
            labels: [
              ['model', 'x'],
              ['version', '1'],
            ],
            value: 3,
          },
        ],
      },
    ]);
    a.close();
    expect(reg.exported()[0]!.samples[0]!.value).toBe(3);
    b.removeMetric(ib);
    expect(reg.exported()).toEqual([]);
    // The family stays registered: another kind is still refused.
    expect(() => a.registerFamily('req_total', 'x', 'gauge')).toThrow('Family name already exists with different type');
  });

  it('histograms: strictly increasing bounds, cumulative buckets, +Inf last', () => {
    const reg = new CustomMetrics();
    reg.registerFamily('lat', 'latency', 'histogram');
    expect(() => reg.addMetric('lat', {})).toThrow('Bucket boundaries not found in Metric args.');
    expect(() => reg.addMetric('lat', {}, [1, 1])).toThrow('Bucket Boundaries must be strictly sorted');
    const h = reg.addMetric('lat', {}, [0.5, 2]);
    for (const v of [0.5, 1, 3]) reg.apply(h, 'observe', v);
    const le = (s: { labels: [string, string][] }) => s.labels.find(([k]) => k === 'le')?.[1];
    expect(reg.exported()[0]!.samples.map((s) => [s.suffix, le(s), s.value])).toEqual([
      ['_count', undefined, 3],
      ['_sum', undefined, 4.5],
      ['_bucket', '0.5', 1],
      ['_bucket', '2', 2],
      ['_bucket', '+Inf', 3],
    ]);
    expect(() => reg.apply(h, 'increment', 1)).toThrow('TRITONSERVER_METRIC_KIND_HISTOGRAM does not support Increment');
  });

  it('names and labels as prometheus-cpp checks them; reserved and bounded', () => {
    const reg = new CustomMetrics();
    reg.reserve(['nv_inference_count']);
    expect(() => reg.registerFamily('1abc', '', 'gauge')).toThrow('Invalid metric name');
    // A kind from a forged frame would be printed in the TYPE line.
    expect(() => reg.registerFamily('abc', '', 'summary\nx 1' as never)).toThrow('Unknown metric family kind');
    expect(() => reg.registerFamily('nv_inference_count', '', 'counter')).toThrow("is one of Triton's own metrics");
    reg.registerFamily('g', '', 'gauge');
    expect(() => reg.addMetric('g', { __x: 'a' })).toThrow('Invalid label name');
    expect(() => reg.addMetric('g', { 'a-b': 'a' })).toThrow('Invalid label name');
    expect(() => reg.addMetric('g', { a: 1 })).toThrow('attempt to access JSON non-string as string');
    expect(() => reg.addMetric('g', { a: 'x'.repeat(5000) })).toThrow('Model Lab keeps label values up to 4096');
    const g = reg.addMetric('g', { le: 'fine for a gauge' });
    reg.apply(g, 'increment', -2);
    reg.apply(g, 'increment', 0.5);
    expect(reg.apply(g, 'value', 0)).toBe(-1.5);
    expect(() => reg.apply(g, 'observe', 1)).toThrow('TRITONSERVER_METRIC_KIND_GAUGE does not support Observe');
  });

  it('bounds the exposition text a model can make the metrics endpoint print, and frees it with the metric', () => {
    const reg = new CustomMetrics();
    reg.registerFamily('h', '', 'histogram');
    // 1000 buckets, 4 labels of 4096 characters: 1003 lines of about 16 KB, some 16.5 MB per label set: 4 fit in 64 MiB.
    const labels = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`l${i}`, 'x'.repeat(4096)]));
    const buckets = Array.from({ length: 1000 }, (_, i) => i);
    const kept = [];
    let refused: unknown;
    for (let i = 0; i < 1000 && refused === undefined; i++) {
      try {
        kept.push(reg.addMetric('h', { ...labels, n: String(i) }, buckets));
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toMatchObject({ message: expect.stringContaining('characters of custom metrics on the metrics endpoint') as unknown });
    expect(kept).toHaveLength(4);
    reg.removeMetric(kept[0]!);
    expect(() => reg.addMetric('h', { ...labels, n: 'again' }, buckets)).not.toThrow();
  });
});

describe('model_version strings (python_backend GetModelVersionFromString)', () => {
  it('reads as std::stol does and refuses negatives', () => {
    expect(modelVersionOf('')).toBe(-1);
    expect(modelVersionOf('3')).toBe(3);
    expect(modelVersionOf(' 2abc')).toBe(2);
    expect(() => modelVersionOf('v1')).toThrow("failed to get model version from specified version string 'v1' (details: stol), version should be an integral value > 0");
    expect(() => modelVersionOf('-1')).toThrow("failed to get model version from specified version string '-1', version should be an integral value > 0");
  });
});
