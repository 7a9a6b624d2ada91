/**
 * Triton's latency metrics that --metrics-config switches on (core metrics.cc,
 * metric_model_reporter.cc, server command_line_parser.cc):
 *
 * - histogram_latencies=true: nv_inference_first_response_histogram_ms, the
 *   time from a request's arrival to its first response in whole ms, with the
 *   buckets of the model config's model_metrics or 100, 500, 2000, 5000.
 * - summary_latencies=true: nv_inference_{request,queue,compute_input,
 *   compute_infer,compute_output}_summary_us, one observation per successful
 *   request, quantiles 0.5, 0.9, 0.95, 0.99, 0.999 unless summary_quantiles
 *   ("<q>:<error>,..." read with std::stod, bad pairs skipped) says others.
 *   prometheus-cpp estimates them over a 60 s window (CKMS); the lab keeps the
 *   last 60 s of observations (at most 1024 per phase) and reports the
 *   observation at each quantile's rank; count and sum cover every request.
 *
 * Samples print as prometheus-cpp prints them: _count, _sum, then the buckets
 * (cumulative, `le` after the model's labels, +Inf last) or the quantiles.
 */
import type { ModelStatistics, SummaryPhase } from '../../../engine/runtime/stats';
import type { Runner } from '../../../engine/runtime/types';
import type { Labels, MetricFamily, Sample } from './prometheus';

/** Triton's default summary quantiles (metric_model_reporter.h), with their allowed errors. */
export const DEFAULT_SUMMARY_QUANTILES: readonly number[] = [0.5, 0.9, 0.95, 0.99, 0.999];

export interface LatencyOptions {
  histogramLatencies: boolean;
  summaryLatencies: boolean;
  summaryQuantiles: readonly number[];
}

/** What `--metrics-config <setting>=<value>` settings change (only what differs from Triton's defaults). */
export interface MetricsConfig {
  counterLatencies?: boolean;
  histogramLatencies?: boolean;
  summaryLatencies?: boolean;
  summaryQuantiles?: number[];
}

/** std::stod: leading blanks, then the longest number it can read; undefined where it throws. */
function stod(text: string): number | undefined {
  const m = /^\s*([+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))/i.exec(text);
  return m ? Number(m[1]!.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity').replace(/^[+-]?nan$/i, 'NaN')) : undefined;
}

/** summary_quantiles as MetricReporterConfig::ParseQuantiles reads it: comma-separated <quantile>:<error>; bad pairs are skipped. */
export function parseSummaryQuantiles(value: string): number[] {
  const out: number[] = [];
  for (const pair of value.split(',')) {
    const colon = pair.indexOf(':');
    if (colon < 0) continue;
    const q = stod(pair.slice(0, colon));
    const error = stod(pair.slice(colon + 1));
    if (q === undefined || error === undefined) continue;
    out.push(q);
  }
  return out;
}

/** The `--metrics-config` settings, each checked as TritonParser::ParseMetricsConfigOption; unknown settings are ignored, as Triton does. */
export function parseMetricsConfig(settings: readonly string[]): MetricsConfig {
  const out: MetricsConfig = {};
  for (const arg of settings) {
    const eq = arg.indexOf('=');
    const setting = eq < 0 ? '' : arg.slice(0, eq);
    const value = eq < 0 ? '' : arg.slice(eq + 1);
    if (eq < 0 || setting.includes(',') || setting === '' || value === '') throw new Error(`--metrics-config option format is <setting>=<value>. Got ${arg}`);
    if (setting === 'counter_latencies' && value === 'false') out.counterLatencies = false;
    if (setting === 'histogram_latencies' && value === 'true') out.histogramLatencies = true;
    if (setting === 'summary_latencies' && value === 'true') out.summaryLatencies = true;
    if (setting === 'summary_quantiles') {
      const quantiles = parseSummaryQuantiles(value);
      if (quantiles.length > 0) out.summaryQuantiles = quantiles;
    }
  }
  return out;
}

const SUMMARIES: readonly { phase: SummaryPhase; name: string; help: string; sumNs: (s: ModelStatistics) => number }[] = [
  { phase: 'request', name: 'nv_inference_request_summary_us', help: 'Summary of inference request duration in microseconds (includes cached requests)', sumNs: (s) => s.success.ns },
  { phase: 'queue', name: 'nv_inference_queue_summary_us', help: 'Summary of inference queuing duration in microseconds (includes cached requests)', sumNs: (s) => s.queue.ns },
  {
    phase: 'computeInput',
    name: 'nv_inference_compute_input_summary_us',
    help: 'Cumulative compute input duration in microseconds (does not include cached requests)',
    sumNs: (s) => s.computeInput.ns,
  },
  {
    phase: 'computeInfer',
    name: 'nv_inference_compute_infer_summary_us',
    help: 'Cumulative compute inference duration in microseconds (does not include cached requests)',
    sumNs: (s) => s.computeInfer.ns,
  },
  {
    phase: 'computeOutput',
    name: 'nv_inference_compute_output_summary_us',
    help: 'Cumulative inference compute output duration in microseconds (does not include cached requests)',
    sumNs: (s) => s.computeOutput.ns,
  },
];

const FIRST_RESPONSE_HISTOGRAM = 'nv_inference_first_response_histogram_ms';

/** The names of the families --metrics-config switches on (a model's custom family may not take one). */
export const LATENCY_FAMILY_NAMES: readonly string[] = [FIRST_RESPONSE_HISTOGRAM, ...SUMMARIES.map((s) => s.name)];

function histogramSamples(labels: Labels, s: ModelStatistics): Sample[] {
  const h = s.firstResponse;
  const out: Sample[] = [
    { suffix: '_count', labels, value: h.count },
    { suffix: '_sum', labels, value: h.sum },
  ];
  let cumulative = 0;
  h.bounds.forEach((b, i) => {
    cumulative += h.counts[i]!;
    out.push({ suffix: '_bucket', labels: [...labels, ['le', String(b)]], value: cumulative });
  });
  out.push({ suffix: '_bucket', labels: [...labels, ['le', '+Inf']], value: h.count });
  return out;
}

/** The latency families the options switch on, for `runners` (sorted as the caller lists them). */
export function latencyFamilies(runners: readonly Runner[], options: LatencyOptions, labelsOf: (r: Runner) => Labels): MetricFamily[] {
  const out: MetricFamily[] = [];
  if (options.histogramLatencies) {
    out.push({
      name: FIRST_RESPONSE_HISTOGRAM,
      type: 'histogram',
      help: 'Duration from request to first response in milliseconds',
      samples: runners.flatMap((r) => histogramSamples(labelsOf(r), r.statistics)),
    });
  }
  if (options.summaryLatencies) {
    const now = Date.now();
    for (const def of SUMMARIES) {
      const samples = runners.flatMap((r): Sample[] => {
        const labels = labelsOf(r);
        const s = r.statistics;
        const values = s.recent?.[def.phase].quantiles(options.summaryQuantiles, now) ?? options.summaryQuantiles.map(() => Number.NaN);
        return [
          { suffix: '_count', labels, value: s.success.count },
          { suffix: '_sum', labels, value: Math.floor(def.sumNs(s) / 1000) },
          ...options.summaryQuantiles.map((q, i): Sample => ({ labels: [...labels, ['quantile', String(q)]], value: values[i]! })),
        ];
      });
      out.push({ name: def.name, type: 'summary', help: def.help, samples });
    }
  }
  return out;
}
