/**
 * The custom metric families models create (pb_utils.MetricFamily, kept in
 * engine/metrics/custom-metrics.ts) in the Prometheus text the metrics
 * endpoint serves after Triton's own. Triton's family names are reserved, so
 * a model cannot print a second family under one of them (in Triton the
 * registry would merge a same-kind family into its own).
 */
import { type CustomMetrics, customMetrics } from '../../../engine/metrics/custom-metrics';
import { type MetricFamily, renderExposition } from './prometheus';
import { LATENCY_FAMILY_NAMES } from './latency-families';
import { FAMILIES } from './triton-metrics';

// The latency families too: printed beside a model's family of the same name, the exposition would be invalid.
const TRITON_NAMES = new Set<string>([...Object.values(FAMILIES).map((f) => f.name), ...LATENCY_FAMILY_NAMES]);
customMetrics.reserve(TRITON_NAMES);

/** The exposition text of the custom families with at least one metric ('' when there are none). */
export function customMetricsText(registry: CustomMetrics = customMetrics): string {
  const families: MetricFamily[] = registry
    .exported()
    .filter((f) => !TRITON_NAMES.has(f.name))
    .map((f) => ({ name: f.name, help: f.help, type: f.type, samples: f.samples.map((s) => ({ ...(s.suffix ? { suffix: s.suffix } : {}), labels: s.labels, value: s.value })) }));
  return renderExposition(families);
}
