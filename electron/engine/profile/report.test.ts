import { describe, expect, it } from 'vitest';
import { buildRequests, parseShapes } from './inputs';
import { csv, levelLines, summaryLines, unstableLine } from './report';
import { breakdown, clientStats, percentileOf, ZERO_STATS } from './stats';
import type { Measurement, PointResult } from './types';

const US = 1000;

/** A measurement with known client averages and a known statistics delta (n requests). */
function known(n: number, ipsWindowNs: number): Measurement {
  const latencies = Array.from({ length: n }, (_, i) => (900 + (i % 5) * 50) * US); // 900…1100 µs, avg 1000
  const client = clientStats({ latencies, durationNs: ipsWindowNs, batchSize: 1, percentile: -1, sendNs: 50 * US * n, recvNs: 30 * US * n });
  const server = {
    ...ZERO_STATS,
    successCount: n,
    successNs: 800 * US * n,
    queueCount: n,
    queueNs: 200 * US * n,
    computeInputCount: n,
    computeInputNs: 10 * US * n,
    computeInferCount: n,
    computeInferNs: 500 * US * n,
    computeOutputCount: n,
    computeOutputNs: 20 * US * n,
    inferenceCount: n,
    executionCount: n,
  };
  return { client, server, stabilizingLatencyNs: client.avgLatencyNs, latencies };
}

const point = (concurrency: number, m: Measurement): PointResult => ({ concurrency, stable: true, windows: 3, measurement: m });

describe('latency breakdown from statistics deltas (report_writer.cc)', () => {
  it('averages per request; Network+Server is the client wait less queue and compute; overhead is the server rest', () => {
    expect(breakdown(known(100, 1e9))).toEqual({
      clientSendUs: 50,
      networkServerUs: 1000 - 50 - 30 - (200 + 10 + 500 + 20),
      serverQueueUs: 200,
      serverComputeInputUs: 10,
      serverComputeInferUs: 500,
      serverComputeOutputUs: 20,
      clientRecvUs: 30,
      serverRequestUs: 800,
      serverOverheadUs: 800 - 200 - 530,
    });
  });

  it('caps Network+Server at 0 when the server accounts for more than the client waited', () => {
    const m = known(10, 1e9);
    m.server.computeInferNs = 5000 * US * 10;
    expect(breakdown(m).networkServerUs).toBe(0);
  });

  it('reads 0 for phases with no requests in the window', () => {
    const m = known(10, 1e9);
    m.server = { ...ZERO_STATS };
    expect(breakdown(m)).toMatchObject({ serverQueueUs: 0, serverComputeInferUs: 0, serverRequestUs: 0 });
  });
});

describe('percentiles (perf_analyzer: sorted[p/100 × (n−1) + 0.5])', () => {
  it('picks by rounded index', () => {
    const sorted = Array.from({ length: 11 }, (_, i) => i * 10);
    expect([50, 90, 95, 99].map((p) => percentileOf(sorted, p))).toEqual([50, 90, 100, 100]);
    expect(percentileOf([1, 2, 3, 4], 50)).toBe(3);
  });
});

describe('CSV (-f) and summary text', () => {
  it('has the documented header and rows by increasing throughput, values in µs', () => {
    const text = csv([point(2, known(100, 0.05e9)), point(1, known(100, 0.1e9))]);
    const [header, first, second] = text.trimEnd().split('\n');
    expect(header).toBe(
      'Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,Server Compute Input,Server Compute Infer,Server Compute Output,Client Recv,p50 latency,p90 latency,p95 latency,p99 latency',
    );
    expect(first).toBe('1,1000,50,190,200,10,500,20,30,1000,1100,1100,1100');
    expect(second).toBe('2,2000,50,190,200,10,500,20,30,1000,1100,1100,1100');
  });

  it('leaves unstable levels out', () => {
    expect(
      csv([{ ...point(1, known(10, 1e9)), stable: false }])
        .trimEnd()
        .split('\n'),
    ).toHaveLength(1);
  });

  it("says a level that did not settle in perf_analyzer's words for each mode", () => {
    const unstable = { ...point(4, known(10, 1e9)), stable: false };
    expect(unstableLine(unstable, 10)).toBe('Failed to obtain stable measurement within 10 measurement windows for concurrency 4. Please try to increase the --measurement-interval.');
    expect(unstableLine({ ...unstable, concurrency: 0, requestRate: 40 }, 10)).toBe('Failed to obtain stable measurement.');
  });

  it('prints the Client/Server block and the closing lines as perf_analyzer does', () => {
    const m = known(100, 0.1e9);
    expect(levelLines(m, -1, false)).toEqual([
      '  Client: ',
      '    Request count: 100',
      '    Throughput: 1000 infer/sec',
      '    Avg latency: 1000 usec (standard deviation 70 usec)',
      '    p50 latency: 1000 usec',
      '    p90 latency: 1100 usec',
      '    p95 latency: 1100 usec',
      '    p99 latency: 1100 usec',
      '  Server: ',
      '    Inference count: 100',
      '    Execution count: 100',
      '    Successful request count: 100',
      '    Avg request latency: 800 usec (overhead 70 usec + queue 200 usec + compute input 10 usec + compute infer 500 usec + compute output 20 usec)',
      '',
    ]);
    expect(levelLines(m, 95, true)).toContain('    Avg HTTP time: 1000 usec (send/recv 80 usec + response wait 920 usec)');
    expect(summaryLines([point(1, m)], -1)).toEqual(['Inferences/Second vs. Client Average Batch Latency', 'Concurrency: 1, throughput: 1000 infer/sec, latency 1000 usec']);
    expect(summaryLines([point(1, { ...m, stabilizingLatencyNs: 1100 * US })], 95)[0]).toBe('Inferences/Second vs. Client p95 Batch Latency');
  });
});

describe('request data (perf_analyzer input data)', () => {
  const specs = [{ name: 'IMAGE', dtype: 'FP32' as const, dims: [3, -1], batched: true }];

  it('fills zeros with --shape for -1 dims and the batch dimension from -b', () => {
    const [req] = buildRequests(specs, { kind: 'zero' }, parseShapes(['IMAGE:3,2']), 4);
    expect(req![0]).toMatchObject({ name: 'IMAGE', dtype: 'FP32', shape: [4, 3, 2] });
    expect(Array.from(req![0]!.data as Float32Array)).toEqual(new Array(24).fill(0));
  });

  it('asks for --shape when a dim is variable, and refuses a shape that does not fit', () => {
    expect(() => buildRequests(specs, { kind: 'random' }, new Map(), 1)).toThrow('give its shape with --shape IMAGE:');
    expect(() => buildRequests(specs, { kind: 'zero' }, parseShapes(['IMAGE:4,2']), 1)).toThrow('does not fit');
    expect(() => parseShapes(['IMAGE'])).toThrow('--shape expects NAME:d1,d2');
  });

  it('refuses dims too large (or not numbers) to generate before making a value, as a hostile server config may give', () => {
    const huge = [{ name: 'X', dtype: 'FP32' as const, dims: [100_000, 100_000, 100], batched: false }];
    expect(() => buildRequests(huge, { kind: 'zero' }, new Map(), 1)).toThrow('too large to generate');
    expect(() => buildRequests([{ name: 'X', dtype: 'FP32', dims: [Number('x')], batched: false }], { kind: 'random' }, new Map(), 1)).toThrow('too large to generate');
    const batched = [{ name: 'X', dtype: 'FP32' as const, dims: [8 * 2 ** 20], batched: true }];
    expect(() => buildRequests(batched, { kind: 'zero' }, new Map(), 16)).toThrow('too large to generate');
  });

  it('reads {"data": [...]} entries, plain lists and content/shape objects, one request each', () => {
    const json = { data: [{ IMAGE: [1, 2, 3, 4, 5, 6] }, { IMAGE: { content: [6, 5, 4, 3, 2, 1], shape: [3, 2] } }] };
    const reqs = buildRequests(specs, { kind: 'json', json, source: 'in.json' }, parseShapes(['IMAGE:3,2']), 1);
    expect(reqs).toHaveLength(2);
    expect(reqs[1]![0]).toMatchObject({ shape: [1, 3, 2] });
    expect(Array.from(reqs[1]![0]!.data as Float32Array)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(() => buildRequests(specs, { kind: 'json', json: { rows: [] }, source: 'in.json' }, new Map(), 1)).toThrow('perf_analyzer');
  });
});
