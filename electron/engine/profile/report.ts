/**
 * perf_analyzer's text and CSV (perf_analyzer.cc PrerunReport/WriteReport, inference_profiler.cc
 * Report, report_writer.cc GenerateReport): the per-level Client/Server blocks, the closing
 * "Inferences/Second vs. Client … Batch Latency" lines, and the -f CSV with its header, values in
 * µs and rows sorted by increasing throughput.
 */
import { breakdown } from './stats';
import type { Measurement, PointResult, ProfileResult, ProfileSettings } from './types';

const us = (ns: number): number => Math.floor(ns / 1000);

/** perf_analyzer prints throughput with C++'s default stream precision (6 significant digits). */
export function cppNumber(v: number): string {
  if (v === 0) return '0';
  return String(Number(v.toPrecision(6)));
}

export function settingsLines(s: ProfileSettings, model: string, target: string): string[] {
  return [
    '*** Measurement Settings ***',
    `  Batch size: ${s.batchSize}`,
    `  Service Kind: ${target}`,
    '  Using "time_windows" mode for stabilization',
    `  Stabilizing using ${s.percentile > 0 ? `p${s.percentile} latency` : 'average latency'} and throughput`,
    `  Measurement window: ${s.measurementIntervalMs} msec`,
    ...(s.requestRate
      ? [
          ...(s.requestRate.end !== s.requestRate.start ? [`  Request Rate limit: ${Math.max(s.requestRate.start, s.requestRate.end)} requests per seconds`] : []),
          '  Using uniform distribution on request generation',
          '  Using asynchronous calls for inference',
        ]
      : [
          ...(s.concurrency.end !== s.concurrency.start ? [`  Concurrency limit: ${Math.max(s.concurrency.start, s.concurrency.end)} concurrent requests`] : []),
          '  Using synchronous calls for inference',
        ]),
    `  Model: ${model}`,
    '',
  ];
}

/** The Client: and Server: block perf_analyzer prints for a stable level. */
export function levelLines(m: Measurement, percentile: number, protocol: boolean | 'http' | 'grpc'): string[] {
  const c = m.client;
  const b = breakdown(m);
  const lines = ['  Client: ', `    Request count: ${c.requestCount}`, ...delayedLines(c), `    Throughput: ${cppNumber(c.inferPerSec)} infer/sec`];
  if (percentile === -1) lines.push(`    Avg latency: ${us(c.avgLatencyNs)} usec (standard deviation ${us(c.stdNs)} usec)`);
  for (const [p, v] of c.percentileNs) lines.push(`    p${p} latency: ${us(v)} usec`);
  if (protocol) {
    const wait = us(c.avgLatencyNs) - b.clientSendUs - b.clientRecvUs;
    lines.push(
      protocol === 'grpc'
        ? `    Avg gRPC time: ${us(c.avgLatencyNs)} usec ((un)marshal request/response ${b.clientSendUs + b.clientRecvUs} usec + response wait ${wait} usec)`
        : `    Avg HTTP time: ${us(c.avgLatencyNs)} usec (send/recv ${b.clientSendUs + b.clientRecvUs} usec + response wait ${wait} usec)`,
    );
  }
  const s = m.server;
  lines.push('  Server: ');
  if (s.successCount === 0) {
    lines.push('    Request count: 0');
    return lines;
  }
  lines.push(
    `    Inference count: ${s.inferenceCount}`,
    `    Execution count: ${s.executionCount}`,
    `    Successful request count: ${s.successCount}`,
    `    Avg request latency: ${b.serverRequestUs} usec (overhead ${b.serverOverheadUs} usec + queue ${b.serverQueueUs} usec + compute input ${b.serverComputeInputUs} usec + compute infer ${b.serverComputeInferUs} usec + compute output ${b.serverComputeOutputUs} usec)`,
    '',
  );
  return lines;
}

/** More than 1% of the requests sent late: perf_analyzer's warning that it could not keep up with the rate. */
export const DELAY_PCT_THRESHOLD = 1;

function delayedLines(c: Measurement['client']): string[] {
  if (c.delayedCount === undefined || c.requestCount === 0) return [];
  const pct = (c.delayedCount / c.requestCount) * 100;
  if (pct <= DELAY_PCT_THRESHOLD) return [];
  return [
    `    Avg send request rate: ${(c.sendRate ?? 0).toFixed(2)} infer/sec`,
    `    [WARNING] Perf Analyzer was not able to keep up with the desired request rate. ${cppNumber(pct)}% of the requests were delayed. `,
  ];
}

/** perf_analyzer's line for a level that did not settle (inference_profiler.cc; its request-rate mode says only the first words). */
export function unstableLine(p: PointResult, maxTrials: number): string {
  if (p.requestRate !== undefined) return 'Failed to obtain stable measurement.';
  return `Failed to obtain stable measurement within ${maxTrials} measurement windows for concurrency ${p.concurrency}. Please try to increase the --measurement-interval.`;
}

/** The closing lines: one per stable level, in the order measured. */
export function summaryLines(points: PointResult[], percentile: number): string[] {
  const stable = points.filter((p) => p.stable);
  if (stable.length === 0) return [];
  return [
    `Inferences/Second vs. Client ${percentile === -1 ? 'Average' : `p${percentile}`} Batch Latency`,
    ...stable.map(
      (p) =>
        `${p.requestRate !== undefined ? `Request Rate: ${p.requestRate}` : `Concurrency: ${p.concurrency}`}, throughput: ${cppNumber(p.measurement.client.inferPerSec)} infer/sec, latency ${us(p.measurement.stabilizingLatencyNs)} usec`,
    ),
  ];
}

export const CSV_HEADER = 'Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,Server Compute Input,Server Compute Infer,Server Compute Output,Client Recv';

/** The -f file: the documented header (a column per reported percentile), stable levels by increasing throughput. */
export function csv(points: PointResult[]): string {
  const stable = points.filter((p) => p.stable).sort((a, b) => a.measurement.client.inferPerSec - b.measurement.client.inferPerSec);
  const percentiles = [...(stable[0]?.measurement.client.percentileNs.keys() ?? [50, 90, 95, 99])];
  const rateMode = points.some((p) => p.requestRate !== undefined);
  const header = rateMode ? CSV_HEADER.replace(/^Concurrency/, 'Request Rate') : CSV_HEADER;
  const lines = [`${header}${percentiles.map((p) => `,p${p} latency`).join('')}`];
  for (const p of stable) {
    const b = breakdown(p.measurement);
    const cells = [
      p.requestRate ?? p.concurrency,
      cppNumber(p.measurement.client.inferPerSec),
      b.clientSendUs,
      b.networkServerUs,
      b.serverQueueUs,
      b.serverComputeInputUs,
      b.serverComputeInferUs,
      b.serverComputeOutputUs,
      b.clientRecvUs,
    ];
    for (const q of percentiles) cells.push(us(p.measurement.client.percentileNs.get(q) ?? 0));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The machine lines that say what the numbers were measured on. */
export function machineLines(r: ProfileResult): string[] {
  const m = r.machine;
  return [`Machine: ${m.cpuModel}, ${m.cores} cores, ${m.platform}; client and server ${m.sameHost ? 'on the same host' : 'on different hosts'}`, ...r.warnings.map((w) => `[WARNING] ${w}`)];
}
