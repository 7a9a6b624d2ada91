/**
 * Custom metrics that models create (python_backend's pb_utils.MetricFamily /
 * Metric), kept as Triton's core keeps them (core metric_family.cc over
 * prometheus-cpp's registry), so the metrics endpoint exports them beside
 * Triton's own families:
 *
 * - one registry for the whole process: a family name is registered once; a
 *   second registration of the same name and kind returns the first (its
 *   description stays), another kind is refused ("Family name already exists
 *   with different type"). Families stay registered (prometheus-cpp never
 *   drops them); one without metrics is not exported.
 * - a metric is the family's sample for one label set; creating the same
 *   label set again (any instance, any model) shares it, and it leaves the
 *   export when the last reference goes (a model deleting it, or the stub
 *   process ending: unload, restart). Values are doubles, as prometheus-cpp's.
 * - counters only grow ("... can only be incremented monotonically by
 *   non-negative values."), gauges increment, decrement and set, histograms
 *   only observe, with strictly increasing bucket bounds; the wording is
 *   core's TRITONSERVER_Metric* errors.
 *
 * Bounded (a model is user code): at most MAX_FAMILIES families and
 * MAX_METRICS label sets, names and values of bounded length, and at most
 * MAX_EXPORT_CHARS of exposition text (a label set is printed once per
 * sample, a histogram's once per bucket), so the metrics endpoint's answer
 * stays a string the host can build.
 */
import { LabError } from '../errors';
import { Histogram } from '../runtime/stats';

export type MetricKind = 'counter' | 'gauge' | 'histogram';
export type MetricOp = 'increment' | 'set' | 'observe' | 'value';

/** A family as the exporter writes it (prometheus text: samples with an optional suffix). */
export interface ExportedFamily {
  name: string;
  help: string;
  type: MetricKind;
  samples: { suffix?: string; labels: [string, string][]; value: number }[];
}

export const MAX_FAMILIES = 1000;
export const MAX_METRICS = 100_000;
export const MAX_NAME_CHARS = 1024;
export const MAX_LABEL_VALUE_CHARS = 4096;
export const MAX_BUCKETS = 1000;
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Sample {
  labels: [string, string][];
  value: number;
  /** Histograms only. */
  histogram?: Histogram;
  refs: number;
}

interface Family {
  name: string;
  help: string;
  kind: MetricKind;
  samples: Map<string, Sample>;
}

const invalid = (message: string): LabError => new LabError('INVALID_ARG', message);

function checkLabels(kind: MetricKind, labels: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== 'string') throw invalid('attempt to access JSON non-string as string');
    if (!LABEL_NAME.test(k) || k.startsWith('__') || (kind === 'histogram' && k === 'le') || k.length > MAX_NAME_CHARS) throw invalid('Invalid label name');
    if (v.length > MAX_LABEL_VALUE_CHARS) throw invalid(`label '${k}' has ${v.length} characters; Model Lab keeps label values up to ${MAX_LABEL_VALUE_CHARS}`);
    out.push([k, v]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function checkBuckets(kind: MetricKind, buckets: number[] | undefined): number[] | undefined {
  if (kind !== 'histogram') {
    if (buckets !== undefined) throw invalid(`Unexpected args found in ${kind} Metric constructor.`);
    return undefined;
  }
  if (buckets === undefined) throw invalid('Bucket boundaries not found in Metric args.');
  if (buckets.length > MAX_BUCKETS) throw invalid(`${buckets.length} buckets; Model Lab takes up to ${MAX_BUCKETS}`);
  if (buckets.some((b) => typeof b !== 'number' || Number.isNaN(b))) throw invalid('Bucket Boundaries must be numbers');
  for (let i = 1; i < buckets.length; i++) if (!(buckets[i]! > buckets[i - 1]!)) throw invalid('Bucket Boundaries must be strictly sorted');
  return [...buckets];
}

/** A handle on one metric, held by one client (a stub process). */
interface Handle {
  family: Family;
  key: string;
}

export class CustomMetrics {
  private readonly families = new Map<string, Family>();
  private metricCount = 0;
  /** About how much exposition text the metrics print (exportChars of each). */
  private exportChars = 0;
  /** Names other exporters already use (Triton's own families): refused here. */
  private readonly reserved = new Set<string>();

  /** Names the metrics endpoint writes itself (nv_*, the lab's own): a model may not register them. */
  reserve(names: Iterable<string>): void {
    for (const n of names) this.reserved.add(n);
  }

  /** TRITONSERVER_MetricFamilyNew: the family of that name, registered now or before. */
  registerFamily(name: string, description: string, kind: MetricKind): void {
    if (typeof name !== 'string' || !METRIC_NAME.test(name) || name.length > MAX_NAME_CHARS) throw invalid('Invalid metric name');
    // The kind is printed in the exposition's TYPE line: only the three a MetricFamily can have.
    if (kind !== 'counter' && kind !== 'gauge' && kind !== 'histogram') throw invalid('Unknown metric family kind');
    if (this.reserved.has(name)) throw invalid(`Family name '${name}' is one of Triton's own metrics`);
    const have = this.families.get(name);
    if (have) {
      if (have.kind !== kind) throw invalid('Family name already exists with different type');
      return;
    }
    if (this.families.size >= MAX_FAMILIES) throw invalid(`Model Lab keeps at most ${MAX_FAMILIES} custom metric families`);
    this.families.set(name, { name, help: String(description).slice(0, MAX_LABEL_VALUE_CHARS), kind, samples: new Map() });
  }

  private family(name: string): Family {
    const f = this.families.get(name);
    if (!f) throw invalid(`metric family '${name}' is not registered`);
    return f;
  }

  /** TRITONSERVER_MetricNewWithArgs: the metric for that label set, shared with whoever created it before. */
  addMetric(familyName: string, labels: Record<string, unknown>, buckets?: number[]): Handle {
    const family = this.family(familyName);
    const sorted = checkLabels(family.kind, labels);
    const bounds = checkBuckets(family.kind, buckets);
    const key = JSON.stringify(sorted);
    let s = family.samples.get(key);
    if (!s) {
      if (this.metricCount >= MAX_METRICS) throw invalid(`Model Lab keeps at most ${MAX_METRICS} custom metrics`);
      const chars = exportChars(family.name, sorted, bounds);
      if (this.exportChars + chars > MAX_EXPORT_CHARS) throw invalid(`Model Lab keeps at most ${MAX_EXPORT_CHARS} characters of custom metrics on the metrics endpoint`);
      this.exportChars += chars;
      s = { labels: sorted, value: 0, refs: 0 };
      if (bounds) s.histogram = new Histogram(bounds);
      family.samples.set(key, s);
      this.metricCount++;
    }
    s.refs++;
    return { family, key };
  }

  /** TRITONSERVER_MetricDelete: one reference less; the last one takes the metric out of the export. */
  removeMetric(h: Handle): void {
    const s = h.family.samples.get(h.key);
    if (!s || --s.refs > 0) return;
    h.family.samples.delete(h.key);
    this.metricCount--;
    this.exportChars -= exportChars(h.family.name, s.labels, s.histogram?.bounds);
  }

  /** Increment, Set, Observe or Value, with core's errors for what a kind does not support. */
  apply(h: Handle, op: MetricOp, value: number): number | undefined {
    const s = h.family.samples.get(h.key);
    if (!s) throw new LabError('INTERNAL', 'Could not get metric value. Metric has been invalidated.');
    const kind = h.family.kind;
    const KIND = `TRITONSERVER_METRIC_KIND_${kind.toUpperCase()}`;
    const unsupported = (what: string): LabError => new LabError('UNSUPPORTED', `${KIND} does not support ${what}`);
    if (op === 'value') {
      if (kind === 'histogram') throw unsupported('Value');
      return s.value;
    }
    if (typeof value !== 'number') throw invalid(`metric value must be a number, got ${typeof value}`);
    if (op === 'increment') {
      if (kind === 'histogram') throw unsupported('Increment');
      if (kind === 'counter' && value < 0) throw invalid(`${KIND} can only be incremented monotonically by non-negative values.`);
      s.value += value;
    } else if (op === 'set') {
      if (kind !== 'gauge') throw unsupported('Set');
      s.value = value;
    } else {
      if (kind !== 'histogram') throw unsupported('Observe');
      s.histogram!.observe(value);
    }
    return undefined;
  }

  /** The families with at least one metric, in registration order, for the exporter. */
  exported(): ExportedFamily[] {
    const out: ExportedFamily[] = [];
    for (const f of this.families.values()) {
      if (f.samples.size === 0) continue;
      out.push({ name: f.name, help: f.help, type: f.kind, samples: [...f.samples.values()].flatMap((s) => samplesOf(f.kind, s)) });
    }
    return out;
  }

  /** A client (one stub process) whose metrics all go when it closes. */
  client(): CustomMetricsClient {
    return new CustomMetricsClient(this);
  }
}

/** About how many characters a metric prints: a line per sample (a histogram's count, sum and buckets), each with the family name, its labels and a value. */
function exportChars(name: string, labels: [string, string][], bounds: readonly number[] | undefined): number {
  const line = name.length + 48 + labels.reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  return line * (bounds ? bounds.length + 3 : 1);
}

function samplesOf(kind: MetricKind, s: Sample): ExportedFamily['samples'] {
  const h = s.histogram;
  if (kind !== 'histogram' || !h) return [{ labels: s.labels, value: s.value }];
  const out: ExportedFamily['samples'] = [
    { suffix: '_count', labels: s.labels, value: h.count },
    { suffix: '_sum', labels: s.labels, value: h.sum },
  ];
  let cumulative = 0;
  h.counts.forEach((n, i) => {
    cumulative += n;
    const le = i < h.bounds.length ? formatBound(h.bounds[i]!) : '+Inf';
    out.push({ suffix: '_bucket', labels: [...s.labels, ['le', le]], value: cumulative });
  });
  return out;
}

/** A bucket bound as prometheus-cpp prints it (`1`, `2.5`, `+Inf`). */
function formatBound(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(16)));
}

/** The metrics one stub process holds, by the ids it was given; closing releases them all. */
export class CustomMetricsClient {
  private readonly handles = new Map<number, Handle>();
  private next = 1;
  private closed = false;

  constructor(private readonly registry: CustomMetrics) {}

  registerFamily(name: string, description: string, kind: MetricKind): void {
    this.registry.registerFamily(name, description, kind);
  }

  addMetric(family: string, labels: Record<string, unknown>, buckets?: number[]): number {
    if (this.closed) throw new LabError('UNAVAILABLE', 'the model instance is stopping');
    // Each Metric object holds a handle until it or its family is dropped (a MetricFamily keeps its Metrics).
    if (this.handles.size >= MAX_METRICS) throw invalid(`Model Lab keeps at most ${MAX_METRICS} Metric objects per model instance`);
    const id = this.next++;
    this.handles.set(id, this.registry.addMetric(family, labels, buckets));
    return id;
  }

  removeMetric(id: number): void {
    const h = this.handles.get(id);
    if (!h) return;
    this.handles.delete(id);
    this.registry.removeMetric(h);
  }

  apply(id: number, op: MetricOp, value: number): number | undefined {
    const h = this.handles.get(id);
    if (!h) throw new LabError('INTERNAL', 'Could not get metric value. Metric has been invalidated.');
    return this.registry.apply(h, op, value);
  }

  close(): void {
    this.closed = true;
    for (const id of [...this.handles.keys()]) this.removeMetric(id);
  }
}

/** The process's registry, as Triton has one per server process; the metrics endpoint exports it. */
export const customMetrics = new CustomMetrics();
