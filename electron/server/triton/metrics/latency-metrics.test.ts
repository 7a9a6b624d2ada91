/**
 * Triton's latency metrics behind --metrics-config (core metrics.cc, metric_model_reporter.cc):
 * histogram_latencies=true adds nv_inference_first_response_histogram_ms (whole ms, buckets 100,
 * 500, 2000, 5000 or the config's model_metrics), summary_latencies=true the five
 * nv_inference_*_summary_us summaries with quantiles 0.5, 0.9, 0.95, 0.99, 0.999 or
 * summary_quantiles; neither by default. The --metrics-config option is parsed as Triton parses it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FIRST_RESPONSE_BUCKETS_MS, ModelStatistics } from '../../../engine/runtime/stats';
import type { Runner } from '../../../engine/runtime/types';
import { parseExposition } from './prometheus';
import { parseMetricsConfig, parseSummaryQuantiles, TritonMetrics } from './triton-metrics';

afterEach(() => {
  ModelStatistics.keepRecentLatencies = false;
});

function runner(name: string, statistics: ModelStatistics): Runner {
  return { modelName: name, version: 1, statistics, config: { metricTags: {} } } as unknown as Runner;
}
const times = (us: number) => ({ inputNs: us * 1000, inferNs: 2 * us * 1000, outputNs: 3 * us * 1000 });

describe('histogram_latencies', () => {
  it('is off by default, and so are the summaries', () => {
    const s = new ModelStatistics();
    s.recordSuccess(150e6, 0, times(1), 1);
    const text = new TritonMetrics({ servingRunners: () => [runner('m', s)] }, { allowCpuMetrics: false }).render();
    expect(text).not.toContain('histogram');
    expect(text).not.toContain('summary');
  });

  it('counts each request once in whole milliseconds, buckets cumulative with le last, +Inf closing', () => {
    const s = new ModelStatistics();
    for (const ms of [50, 150, 600.9, 7000]) s.recordSuccess(ms * 1e6, 0, times(1), 1);
    s.recordFailure(99.99e6, 'BACKEND');
    const text = new TritonMetrics({ servingRunners: () => [runner('m', s)] }, { allowCpuMetrics: false, histogramLatencies: true }).render();
    expect(text).toContain('# TYPE nv_inference_first_response_histogram_ms histogram\n');
    expect(text).toContain(
      [
        'nv_inference_first_response_histogram_ms_count{model="m",version="1"} 5',
        'nv_inference_first_response_histogram_ms_sum{model="m",version="1"} 7899',
        'nv_inference_first_response_histogram_ms_bucket{model="m",version="1",le="100"} 2',
        'nv_inference_first_response_histogram_ms_bucket{model="m",version="1",le="500"} 3',
        'nv_inference_first_response_histogram_ms_bucket{model="m",version="1",le="2000"} 4',
        'nv_inference_first_response_histogram_ms_bucket{model="m",version="1",le="5000"} 4',
        'nv_inference_first_response_histogram_ms_bucket{model="m",version="1",le="+Inf"} 5',
      ].join('\n'),
    );
    expect(() => parseExposition(text)).not.toThrow();
  });

  it("takes its buckets from the config's model_metrics", () => {
    const s = new ModelStatistics([1, 10]);
    s.recordSuccess(5e6, 0, times(1), 1);
    const text = new TritonMetrics({ servingRunners: () => [runner('m', s)] }, { allowCpuMetrics: false, histogramLatencies: true }).render();
    expect(text.match(/nv_inference_first_response_histogram_ms_bucket/g)).toHaveLength(3);
    expect(text).toContain('_bucket{model="m",version="1",le="10"} 1');
    expect(FIRST_RESPONSE_BUCKETS_MS).toEqual([100, 500, 2000, 5000]);
  });
});

describe('summary_latencies', () => {
  it('five summaries, count and sum from every success, quantiles over the recent ones', () => {
    const metrics = new TritonMetrics({ servingRunners: () => [runner('m', s)] }, { allowCpuMetrics: false, summaryLatencies: true });
    const s = new ModelStatistics();
    for (let i = 1; i <= 10; i++) s.recordSuccess(i * 100_000, i * 10_000, times(i), 1);
    const text = metrics.render();
    const parsed = parseExposition(text);
    for (const f of ['request', 'queue', 'compute_input', 'compute_infer', 'compute_output']) {
      expect(parsed.families.get(`nv_inference_${f}_summary_us`)?.type).toBe('summary');
    }
    expect(text).toContain(
      [
        'nv_inference_request_summary_us_count{model="m",version="1"} 10',
        'nv_inference_request_summary_us_sum{model="m",version="1"} 5500',
        'nv_inference_request_summary_us{model="m",version="1",quantile="0.5"} 500',
        'nv_inference_request_summary_us{model="m",version="1",quantile="0.9"} 900',
        'nv_inference_request_summary_us{model="m",version="1",quantile="0.95"} 1000',
        'nv_inference_request_summary_us{model="m",version="1",quantile="0.99"} 1000',
        'nv_inference_request_summary_us{model="m",version="1",quantile="0.999"} 1000',
      ].join('\n'),
    );
    expect(text).toContain('nv_inference_compute_infer_summary_us{model="m",version="1",quantile="0.5"} 10\n');
    expect(text).toContain('nv_inference_queue_summary_us_sum{model="m",version="1"} 550\n');
  });

  it('a model without recent requests has NaN quantiles', () => {
    const s = new ModelStatistics();
    const text = new TritonMetrics({ servingRunners: () => [runner('m', s)] }, { allowCpuMetrics: false, summaryLatencies: true }).render();
    expect(text).toContain('nv_inference_queue_summary_us{model="m",version="1",quantile="0.5"} NaN\n');
    expect(text).toContain('nv_inference_queue_summary_us_count{model="m",version="1"} 0\n');
  });

  it('summary_quantiles picks the quantiles, parsed as Triton does (std::stod of each side, bad pairs skipped)', () => {
    expect(parseSummaryQuantiles('0.1:0.0.1,0.7:0.01,0.75:0.01')).toEqual([0.1, 0.7, 0.75]);
    expect(parseSummaryQuantiles('0.5:0.05 ,x:1,0.9')).toEqual([0.5]);
    const s = new ModelStatistics();
    const text = new TritonMetrics({ servingRunners: () => [runner('m', s)] }, { allowCpuMetrics: false, summaryLatencies: true, summaryQuantiles: [0.1, 0.7, 0.75] }).render();
    for (const q of ['0.1', '0.7', '0.75']) expect(text).toContain(`quantile="${q}"`);
    expect(text).not.toContain('quantile="0.5"');
  });
});

describe('--metrics-config', () => {
  it('reads <setting>=<value> settings as Triton does; unknown settings are kept and ignored', () => {
    expect(parseMetricsConfig(['summary_latencies=true', 'histogram_latencies=true', 'counter_latencies=false', 'summary_quantiles=0.5:0.05,0.9:0.01', 'x=y'])).toEqual({
      summaryLatencies: true,
      histogramLatencies: true,
      counterLatencies: false,
      summaryQuantiles: [0.5, 0.9],
    });
    // Only the exact text "true" turns a switch on, and only "false" turns counters off.
    expect(parseMetricsConfig(['summary_latencies=1', 'counter_latencies=no'])).toEqual({});
  });

  it("refuses what Triton's parser refuses, in its words", () => {
    for (const bad of ['summary_latencies', 'a,summary_latencies=true', '=true', 'summary_latencies=']) {
      expect(() => parseMetricsConfig([bad])).toThrow(`--metrics-config option format is <setting>=<value>. Got ${bad}`);
    }
  });
});
