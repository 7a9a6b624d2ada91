import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus-parse';
import { MAX_SERIES, snapshotFromExposition } from './prometheus-snapshot';

const FIXTURE = readFileSync(path.join(__dirname, 'fixtures', 'triton-gpu-metrics.txt'), 'utf8');
const snap = (text: string): ReturnType<typeof snapshotFromExposition> => snapshotFromExposition(parsePrometheusText(text), 'http://gpu-node:8002/metrics', 1234);

describe('snapshotFromExposition', () => {
  it("reduces a GPU server's families: models summed over gpu_uuid and failure reasons", () => {
    const s = snap(FIXTURE);
    expect(s.url).toBe('http://gpu-node:8002/metrics');
    expect(s.time).toBe(1234);
    expect(s.models).toEqual([
      {
        model: 'resnet50',
        version: '1',
        success: 161,
        failure: 3,
        inferenceCount: 1288,
        executionCount: 41,
        requestUs: 644000,
        queueUs: 15000,
        computeInputUs: 32200,
        computeInferUs: 563500,
        computeOutputUs: 16100,
        pending: 3,
      },
      {
        model: 'tokenizer',
        version: '3',
        success: 7,
        failure: 0,
        inferenceCount: 7,
        executionCount: 7,
        requestUs: 1400,
        queueUs: 70,
        computeInputUs: 35,
        computeInferUs: 1200,
        computeOutputUs: 20,
        pending: 0,
      },
    ]);
  });

  it('reads the nv_gpu_* families per GPU and the CPU families', () => {
    const s = snap(FIXTURE);
    expect(s.gpus).toEqual([
      { uuid: 'GPU-0a1b', utilization: 0.83, memoryUsedBytes: 12884901888, memoryTotalBytes: 85899345920, powerWatts: 312.5 },
      { uuid: 'GPU-2c3d', utilization: 0.27, memoryUsedBytes: 4294967296, memoryTotalBytes: 85899345920, powerWatts: 98.25 },
    ]);
    expect(s.cpu).toEqual({ utilization: 0.41, memoryUsedBytes: 120000000000, memoryTotalBytes: 540000000000 });
  });

  it('lists every family once, summaries under their own name', () => {
    const s = snap(FIXTURE);
    expect(s.families).toContain('nv_inference_queue_summary_us');
    expect(s.families).not.toContain('nv_inference_queue_summary_us_sum');
    expect(s.families).toContain('nv_energy_consumption');
    expect(new Set(s.families).size).toBe(s.families.length);
    expect([...s.families]).toEqual([...s.families].sort());
  });

  it('has no models and no GPUs for a server without inference metrics', () => {
    const s = snap('# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12\n');
    expect(s.models).toEqual([]);
    expect(s.gpus).toEqual([]);
    expect(s.cpu).toBeUndefined();
    expect(s.families).toEqual(['process_cpu_seconds_total']);
  });

  it('leaves out non-finite and negative samples, and samples without a model label', () => {
    const s = snap(
      [
        'nv_inference_request_success{model="m",version="1"} NaN',
        'nv_inference_request_success{model="m",version="1"} 4',
        'nv_inference_count{model="m",version="1"} +Inf',
        'nv_inference_exec_count{model="m",version="1"} -2',
        'nv_inference_request_success{version="1"} 9',
        'nv_gpu_utilization{gpu_uuid="g"} NaN',
        'nv_gpu_utilization 0.5',
      ].join('\n'),
    );
    expect(s.models).toHaveLength(1);
    expect(s.models[0]).toMatchObject({ model: 'm', success: 4, inferenceCount: 0, executionCount: 0 });
    expect(s.models[0]!.pending).toBeUndefined();
    expect(s.gpus).toEqual([]);
  });

  it('keeps namespaced models apart and adds metric_tags label sets', () => {
    const s = snap(
      [
        'nv_inference_request_success{model="m",namespace="a",version="1"} 1',
        'nv_inference_request_success{model="m",namespace="b",version="1"} 2',
        'nv_inference_request_success{_team="x",model="n",version="2"} 5',
        'nv_inference_request_success{_team="y",model="n",version="2"} 6',
      ].join('\n'),
    );
    expect(s.models.map((m) => [m.model, m.version, m.success])).toEqual([
      ['a::m', '1', 1],
      ['b::m', '1', 2],
      ['n', '2', 11],
    ]);
  });

  it('cuts off at MAX_SERIES models', () => {
    const lines = Array.from({ length: MAX_SERIES + 10 }, (_, i) => `nv_inference_count{model="m${i}",version="1"} 1`);
    expect(snap(lines.join('\n')).models).toHaveLength(MAX_SERIES);
  });
});
