/** `model-lab serve --metrics-config <setting>=<value>` (repeatable) as tritonserver reads it. */
import { describe, expect, it } from 'vitest';
import { UsageError } from './args';
import { parseServeArgs } from './serve';

describe('--metrics-config', () => {
  it('reaches the serve options; a malformed setting is a usage error in Triton words', () => {
    const s = parseServeArgs(['/r', '--metrics-config=summary_latencies=true', '--metrics-config', 'histogram_latencies=true', '--metrics-config=summary_quantiles=0.1:0.01']);
    if (s === 'help') throw new Error('help');
    expect(s.options.metricsConfig).toEqual({ summaryLatencies: true, histogramLatencies: true, summaryQuantiles: [0.1] });
    expect(() => parseServeArgs(['/r', '--metrics-config=summary_latencies'])).toThrow(new UsageError('--metrics-config option format is <setting>=<value>. Got summary_latencies'));
    const d = parseServeArgs(['/r']);
    if (d === 'help') throw new Error('help');
    expect(d.options.metricsConfig).toEqual({});
  });
});
