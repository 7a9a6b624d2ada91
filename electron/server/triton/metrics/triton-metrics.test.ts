/**
 * The exposition writer and reader, and Triton's metric families over
 * hand-filled statistics: exact text, label order, every failure reason,
 * counter_latencies=false, CPU figures from /proc text and between polls.
 */
import { describe, expect, it } from 'vitest';
import { ModelStatistics } from '../../../engine/runtime/stats';
import type { Runner } from '../../../engine/runtime/types';
import { escapeLabelValue, formatValue, parseExposition, renderExposition } from './prometheus';
import { type CpuReader, type CpuTimes, TritonMetrics, cpuUtilization, parseMeminfo, parseProcStat } from './triton-metrics';

function runner(modelName: string, version: number, fill: (s: ModelStatistics) => void = () => {}, metricTags: Record<string, string> = {}): Runner {
  const statistics = new ModelStatistics();
  fill(statistics);
  return { modelName, version, statistics, config: { metricTags } } as unknown as Runner;
}

const source = (runners: Runner[]) => ({ servingRunners: () => runners });

function fixedCpu(times: CpuTimes[], memory = { totalBytes: 8 * 2 ** 30, usedBytes: 3 * 2 ** 30 }): CpuReader {
  let i = 0;
  return { times: () => times[Math.min(i++, times.length - 1)], memory: () => memory };
}

describe('prometheus text format', () => {
  it('writes HELP, TYPE and samples, escaping label values and help, leaving out empty families', () => {
    const text = renderExposition([
      { name: 'a_total', help: 'line one\nback\\slash', type: 'counter', samples: [{ labels: [['x', 'q"uo\\te\nnl']], value: 3 }] },
      { name: 'empty', help: 'nothing', type: 'gauge', samples: [] },
      { name: 'b', help: 'h', type: 'gauge', samples: [{ value: 0.25 }, { suffix: '_sum', labels: [['le', '+Inf']], value: 1.5 }] },
    ]);
    expect(text).toBe(
      ['# HELP a_total line one\\nback\\\\slash', '# TYPE a_total counter', 'a_total{x="q\\"uo\\\\te\\nnl"} 3', '# HELP b h', '# TYPE b gauge', 'b 0.25', 'b_sum{le="+Inf"} 1.5', ''].join('\n'),
    );
    const parsed = parseExposition(text);
    expect(parsed.samples).toEqual([
      { name: 'a_total', labels: { x: 'q"uo\\te\nnl' }, value: 3 },
      { name: 'b', labels: {}, value: 0.25 },
      { name: 'b_sum', labels: { le: '+Inf' }, value: 1.5 },
    ]);
    expect(parsed.families.get('a_total')).toEqual({ help: 'line one\nback\\slash', type: 'counter' });
    expect(renderExposition([])).toBe('');
  });

  it('formats values as prometheus-cpp does', () => {
    expect([0, -0, 7, 1234567890123, 0.5, 1 / 3, 1e20, 1.5e-7, NaN, Infinity, -Infinity].map(formatValue)).toEqual([
      '0',
      '0',
      '7',
      '1234567890123',
      '0.5',
      '0.3333333333333333',
      '1e+20',
      '1.5e-7',
      'NaN',
      '+Inf',
      '-Inf',
    ]);
    expect(escapeLabelValue('plain')).toBe('plain');
  });

  it('refuses bad names and reads strictly', () => {
    expect(() => renderExposition([{ name: '1bad', help: '', type: 'gauge', samples: [{ value: 1 }] }])).toThrow(/invalid metric name/);
    expect(() => renderExposition([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: [['a-b', 'x']], value: 1 }] }])).toThrow(/invalid label name/);
    expect(() => parseExposition('x{a="1} 2\n')).toThrow(/unterminated|bad/);
    expect(() => parseExposition('x 1 2 3\n')).toThrow(/bad sample tail/);
    expect(() => parseExposition('x abc\n')).toThrow(/bad value/);
    expect(() => parseExposition('# TYPE x widget\n')).toThrow(/unknown type/);
    expect(parseExposition('# a comment\nx{a="1",b="2"} 4 1700000000000\n').samples).toEqual([{ name: 'x', labels: { a: '1', b: '2' }, value: 4 }]);
  });
});

describe('Triton metric families', () => {
  it('prints every family per model version, labels sorted by name, every failure reason', () => {
    const m = new TritonMetrics(
      source([
        runner('zeta', 1),
        runner('alpha', 2, (s) => {
          s.recordSuccess(2_500_999, 1_000_500, { inputNs: 10_000, inferNs: 1_000_000, outputNs: 2_999 }, 4);
          s.recordExecution(4, { inputNs: 10_000, inferNs: 1_000_000, outputNs: 2_999 });
          s.recordFailure(100, 'REJECTED');
          s.recordFailure(100, 'BACKEND');
          s.recordFailure(100, 'BACKEND');
          s.pending = 3;
        }),
        runner('alpha', 10),
      ]),
      {
        cpu: fixedCpu([
          { busy: 100, idle: 300 },
          { busy: 130, idle: 370 },
        ]),
        intervalMs: 60_000,
      },
    );
    m.start();
    m.pollCpu();
    m.stop();
    const labels = (name: string, v: number) => `{model="${name}",version="${v}"}`;
    const every = (metric: string, a2: number | string, a10: number | string = 0, z1: number | string = 0) =>
      [`${metric}${labels('alpha', 2)} ${a2}`, `${metric}${labels('alpha', 10)} ${a10}`, `${metric}${labels('zeta', 1)} ${z1}`].join('\n');
    const failure = (name: string, v: number, counts: [number, number, number, number]) =>
      (['REJECTED', 'CANCELED', 'BACKEND', 'OTHER'] as const).map((r, i) => `nv_inference_request_failure{model="${name}",reason="${r}",version="${v}"} ${counts[i]}`).join('\n');
    expect(m.render()).toBe(
      `# HELP nv_inference_request_success Number of successful inference requests, all batch sizes
# TYPE nv_inference_request_success counter
${every('nv_inference_request_success', 1)}
# HELP nv_inference_request_failure Number of failed inference requests, all batch sizes
# TYPE nv_inference_request_failure counter
${failure('alpha', 2, [1, 0, 2, 0])}
${failure('alpha', 10, [0, 0, 0, 0])}
${failure('zeta', 1, [0, 0, 0, 0])}
# HELP nv_inference_count Number of inferences performed (does not include cached requests)
# TYPE nv_inference_count counter
${every('nv_inference_count', 4)}
# HELP nv_inference_exec_count Number of model executions performed (does not include cached requests)
# TYPE nv_inference_exec_count counter
${every('nv_inference_exec_count', 1)}
# HELP nv_inference_request_duration_us Cumulative inference request duration in microseconds (includes cached requests)
# TYPE nv_inference_request_duration_us counter
${every('nv_inference_request_duration_us', 2500)}
# HELP nv_inference_queue_duration_us Cumulative inference queuing duration in microseconds (includes cached requests)
# TYPE nv_inference_queue_duration_us counter
${every('nv_inference_queue_duration_us', 1000)}
# HELP nv_inference_compute_input_duration_us Cumulative compute input duration in microseconds (does not include cached requests)
# TYPE nv_inference_compute_input_duration_us counter
${every('nv_inference_compute_input_duration_us', 10)}
# HELP nv_inference_compute_infer_duration_us Cumulative compute inference duration in microseconds (does not include cached requests)
# TYPE nv_inference_compute_infer_duration_us counter
${every('nv_inference_compute_infer_duration_us', 1000)}
# HELP nv_inference_compute_output_duration_us Cumulative inference compute output duration in microseconds (does not include cached requests)
# TYPE nv_inference_compute_output_duration_us counter
${every('nv_inference_compute_output_duration_us', 2)}
# HELP nv_inference_pending_request_count Instantaneous number of pending requests awaiting execution per-model.
# TYPE nv_inference_pending_request_count gauge
${every('nv_inference_pending_request_count', 3)}
# HELP nv_pinned_memory_pool_total_bytes Pinned memory pool total memory size, in bytes
# TYPE nv_pinned_memory_pool_total_bytes gauge
nv_pinned_memory_pool_total_bytes 0
# HELP nv_pinned_memory_pool_used_bytes Pinned memory pool used memory size, in bytes
# TYPE nv_pinned_memory_pool_used_bytes gauge
nv_pinned_memory_pool_used_bytes 0
# HELP nv_cpu_utilization CPU utilization rate [0.0 - 1.0]
# TYPE nv_cpu_utilization gauge
nv_cpu_utilization 0.3
# HELP nv_cpu_memory_total_bytes CPU total memory (RAM), in bytes
# TYPE nv_cpu_memory_total_bytes gauge
nv_cpu_memory_total_bytes 8589934592
# HELP nv_cpu_memory_used_bytes CPU used memory (RAM), in bytes
# TYPE nv_cpu_memory_used_bytes gauge
nv_cpu_memory_used_bytes 3221225472
`,
    );
  });

  it('without models or CPU metrics: only the pinned memory gauges', () => {
    const m = new TritonMetrics(source([]), { allowCpuMetrics: false, allowGpuMetrics: true });
    m.start();
    expect(m.render()).toBe(
      '# HELP nv_pinned_memory_pool_total_bytes Pinned memory pool total memory size, in bytes\n# TYPE nv_pinned_memory_pool_total_bytes gauge\nnv_pinned_memory_pool_total_bytes 0\n' +
        '# HELP nv_pinned_memory_pool_used_bytes Pinned memory pool used memory size, in bytes\n# TYPE nv_pinned_memory_pool_used_bytes gauge\nnv_pinned_memory_pool_used_bytes 0\n',
    );
    m.stop();
  });

  it('counter_latencies=false leaves out the duration counters', () => {
    const names = [...parseExposition(new TritonMetrics(source([runner('m', 1)]), { counterLatencies: false, allowCpuMetrics: false }).render()).families.keys()];
    expect(names).toEqual([
      'nv_inference_request_success',
      'nv_inference_request_failure',
      'nv_inference_count',
      'nv_inference_exec_count',
      'nv_inference_pending_request_count',
      'nv_pinned_memory_pool_total_bytes',
      'nv_pinned_memory_pool_used_bytes',
    ]);
  });

  it('model names with quotes and backslashes stay valid', () => {
    const text = new TritonMetrics(source([runner('we"ird\\name', 3)]), { allowCpuMetrics: false }).render();
    expect(text).toContain('nv_inference_request_success{model="we\\"ird\\\\name",version="3"} 0');
    expect(parseExposition(text).samples[0]!.labels).toEqual({ model: 'we"ird\\name', version: '3' });
  });

  it("adds config metric_tags as '_<key>' labels, sorted ahead of the others", () => {
    const tags = { team: 'vision', Zone: 'eu', 'bad-key': 'x', _reserved: 'y' };
    const text = new TritonMetrics(source([runner('tagged', 1, (s) => s.recordFailure(1, 'CANCELED'), tags)]), { allowCpuMetrics: false }).render();
    expect(text).toContain('nv_inference_request_success{_Zone="eu",_team="vision",model="tagged",version="1"} 0');
    expect(text).toContain('nv_inference_request_failure{_Zone="eu",_team="vision",model="tagged",reason="CANCELED",version="1"} 1');
    expect(text).not.toMatch(/bad|reserved/);
  });

  it('refuses a non-positive interval', () => {
    expect(() => new TritonMetrics(source([]), { intervalMs: 0 })).toThrow(/positive/);
  });
});

describe('CPU figures', () => {
  it('reads /proc/stat and /proc/meminfo as Triton does', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    expect(parseProcStat('cpu  10 2 3 100 5 1 1 1 7 7\ncpu0 1 1 1 1 1 1 1 1 1 1\n')).toEqual({ busy: 18, idle: 105 });
    expect(parseProcStat('intr 1 2 3\n')).toBeUndefined();
    expect(parseMeminfo('MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:   12000000 kB\nCached: 5 kB\n')).toEqual({
      totalBytes: 16000000 * 1024,
      usedBytes: 4000000 * 1024,
    });
    expect(parseMeminfo('MemTotal: 10 kB\n')).toBeUndefined();
    expect(parseMeminfo('MemTotal: 10 kB\nMemAvailable: 11 kB\n')).toBeUndefined();
    expect(cpuUtilization({ busy: 30, idle: 70 }, { busy: 10, idle: 10 })).toBeCloseTo(0.25);
    expect(cpuUtilization({ busy: 10, idle: 10 }, { busy: 10, idle: 10 })).toBe(0);
  });

  it('utilization covers the time since the previous poll; 0 before the first', () => {
    const m = new TritonMetrics(source([]), {
      cpu: fixedCpu([
        { busy: 0, idle: 0 },
        { busy: 50, idle: 50 },
        { busy: 50, idle: 150 },
      ]),
    });
    const util = () => parseExposition(m.render()).samples.find((s) => s.name === 'nv_cpu_utilization')!.value;
    m.start();
    expect(util()).toBe(0);
    m.pollCpu();
    expect(util()).toBe(0.5);
    m.pollCpu();
    expect(util()).toBe(0);
    m.stop();
  });

  it('the system reader gives sane figures here', async () => {
    const m = new TritonMetrics(source([]), { intervalMs: 20 });
    m.start();
    await new Promise((r) => setTimeout(r, 60));
    m.stop();
    const v = Object.fromEntries(parseExposition(m.render()).samples.map((s) => [s.name, s.value]));
    expect(v.nv_cpu_utilization).toBeGreaterThanOrEqual(0);
    expect(v.nv_cpu_utilization).toBeLessThanOrEqual(1);
    expect(v.nv_cpu_memory_total_bytes).toBeGreaterThan(0);
    expect(v.nv_cpu_memory_used_bytes).toBeGreaterThan(0);
    expect(v.nv_cpu_memory_used_bytes).toBeLessThanOrEqual(v.nv_cpu_memory_total_bytes!);
  });
});
