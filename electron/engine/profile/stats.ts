/**
 * Client and server figures as perf_analyzer computes them (inference_profiler.cc): percentiles by
 * index `p/100 * (n-1) + 0.5` into the sorted latencies, throughput as completed requests × batch
 * size over the window, server figures from the statistics delta between a window's start and end.
 */
import type { ClientStats, Measurement, RequestRecord, ServerStats } from './types';

export const REPORTED_PERCENTILES: readonly number[] = [50, 90, 95, 99];

export const ZERO_STATS: ServerStats = {
  successCount: 0,
  successNs: 0,
  queueCount: 0,
  queueNs: 0,
  computeInputCount: 0,
  computeInputNs: 0,
  computeInferCount: 0,
  computeInferNs: 0,
  computeOutputCount: 0,
  computeOutputNs: 0,
  inferenceCount: 0,
  executionCount: 0,
};

const KEYS = Object.keys(ZERO_STATS) as (keyof ServerStats)[];

export function statsDelta(end: ServerStats, start: ServerStats): ServerStats {
  const out = { ...ZERO_STATS };
  for (const k of KEYS) out[k] = end[k] - start[k];
  return out;
}

export function statsSum(all: ServerStats[]): ServerStats {
  const out = { ...ZERO_STATS };
  for (const s of all) for (const k of KEYS) out[k] += s[k];
  return out;
}

/** perf_analyzer's percentile pick over sorted latencies. */
export function percentileOf(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.floor((p / 100) * (sorted.length - 1) + 0.5)]!;
}

interface ClientInput {
  latencies: number[];
  durationNs: number;
  batchSize: number;
  percentile: number;
  sendNs: number;
  recvNs: number;
}

/** Client stats from the latencies of the requests that completed in a window (or in merged windows). */
export function clientStats({ latencies, durationNs, batchSize, percentile, sendNs, recvNs }: ClientInput): ClientStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const n = sorted.length;
  const avg = n ? Math.floor(sorted.reduce((a, b) => a + b, 0) / n) : 0;
  const variance = n ? sorted.reduce((a, b) => a + (b - avg) ** 2, 0) / n : 0;
  const percentileNs = new Map<number, number>();
  const wanted = new Set([...REPORTED_PERCENTILES, ...(percentile > 0 ? [percentile] : [])]);
  for (const p of [...wanted].sort((a, b) => a - b)) percentileNs.set(p, percentileOf(sorted, p));
  return {
    requestCount: n,
    durationNs,
    inferPerSec: durationNs > 0 ? (n * Math.max(batchSize, 1)) / (durationNs / 1e9) : 0,
    avgLatencyNs: avg,
    stdNs: Math.floor(Math.sqrt(variance)),
    percentileNs,
    avgSendNs: n ? Math.floor(sendNs / n) : 0,
    avgRecvNs: n ? Math.floor(recvNs / n) : 0,
  };
}

export function stabilizingLatency(c: ClientStats, percentile: number): number {
  return percentile > 0 ? (c.percentileNs.get(percentile) ?? 0) : c.avgLatencyNs;
}

/** One window's measurement from the requests that ended in it and the statistics delta. */
export function windowMeasurement(records: RequestRecord[], durationNs: number, server: ServerStats, batchSize: number, percentile: number): Measurement {
  const latencies = records.map((r) => r.endNs - r.startNs);
  const client = clientStats({
    latencies,
    durationNs,
    batchSize,
    percentile,
    sendNs: records.reduce((a, r) => a + r.sendNs, 0),
    recvNs: records.reduce((a, r) => a + r.recvNs, 0),
  });
  if (records.some((r) => r.delayed !== undefined)) client.delayedCount = records.filter((r) => r.delayed).length;
  return { client, server, stabilizingLatencyNs: stabilizingLatency(client, percentile), latencies };
}

/** perf_analyzer's MergePerfStatusReports: counts and durations summed, latencies pooled, server deltas summed. */
export function mergeMeasurements(ms: Measurement[], batchSize: number, percentile: number): Measurement {
  const latencies = ms.flatMap((m) => m.latencies);
  const client = clientStats({
    latencies,
    durationNs: ms.reduce((a, m) => a + m.client.durationNs, 0),
    batchSize,
    percentile,
    sendNs: ms.reduce((a, m) => a + m.client.avgSendNs * m.client.requestCount, 0),
    recvNs: ms.reduce((a, m) => a + m.client.avgRecvNs * m.client.requestCount, 0),
  });
  const rates = ms.flatMap((m) => (m.client.sendRate === undefined ? [] : [m.client.sendRate]));
  if (rates.length) client.sendRate = rates.reduce((a, b) => a + b, 0) / rates.length;
  if (ms.some((m) => m.client.delayedCount !== undefined)) client.delayedCount = ms.reduce((a, m) => a + (m.client.delayedCount ?? 0), 0);
  return { client, server: statsSum(ms.map((m) => m.server)), stabilizingLatencyNs: stabilizingLatency(client, percentile), latencies };
}

/** Per-request averages in µs, truncated as perf_analyzer's report writer does. */
export interface Breakdown {
  clientSendUs: number;
  networkServerUs: number;
  serverQueueUs: number;
  serverComputeInputUs: number;
  serverComputeInferUs: number;
  serverComputeOutputUs: number;
  clientRecvUs: number;
  /** Server: average request latency and its unaccounted part (perf_analyzer's "overhead"). */
  serverRequestUs: number;
  serverOverheadUs: number;
}

const avgNs = (ns: number, count: number): number => (count > 0 ? Math.floor(ns / count) : 0);
const us = (ns: number): number => Math.floor(ns / 1000);

/**
 * The latency split of report_writer.cc: server averages per request from the statistics delta;
 * Network+Server Send/Recv is the client's wait (latency - send - recv) less the server's queue and
 * compute, capped at 0.
 */
export function breakdown(m: Measurement): Breakdown {
  const s = m.server;
  const queue = avgNs(s.queueNs, s.queueCount);
  const computeCount = s.computeInputCount;
  const compute = avgNs(s.computeInputNs + s.computeInferNs + s.computeOutputNs, computeCount);
  const wait = m.client.avgLatencyNs - m.client.avgSendNs - m.client.avgRecvNs;
  const network = Math.max(0, wait - (queue + compute));
  const request = avgNs(s.successNs, s.successCount);
  return {
    clientSendUs: us(m.client.avgSendNs),
    networkServerUs: us(network),
    serverQueueUs: us(queue),
    serverComputeInputUs: us(avgNs(s.computeInputNs, s.computeInputCount)),
    serverComputeInferUs: us(avgNs(s.computeInferNs, s.computeInferCount)),
    serverComputeOutputUs: us(avgNs(s.computeOutputNs, s.computeOutputCount)),
    clientRecvUs: us(m.client.avgRecvNs),
    serverRequestUs: us(request),
    serverOverheadUs: Math.max(0, us(request) - us(queue) - us(compute)),
  };
}
