/**
 * Traces as Triton writes them to its trace file: per span, one object that
 * names the model (with parent_id for ensemble steps and BLS calls) and one
 * with its timestamps in steady-clock nanoseconds. The serving side's trace
 * extension and the lab's "Export trace" share this.
 */
import type { ExportedTrace } from '../../contract/inspect-api';
import type { RunResult } from '../../contract/lab-api';
import type { TraceSpan } from '../runtime/trace';

export interface TraceRecord {
  id: number;
  model_name?: string;
  model_version?: number;
  request_id?: string;
  parent_id?: number;
  timestamps?: { name: string; ns: number }[];
}

/**
 * Triton's records for these spans. `idOf` maps a span id to the trace id written (the server
 * numbers traces across requests); Triton has no COMPUTE_INPUT_END / COMPUTE_OUTPUT_START here
 * because the lab does not time input and output copies apart.
 */
export function traceRecords(spans: readonly TraceSpan[], originNs: number, idOf: (spanId: number) => number = (id) => id): TraceRecord[] {
  const out: TraceRecord[] = [];
  const known = new Set(spans.map((s) => s.id));
  for (const span of spans) {
    const id = idOf(span.id);
    out.push({
      id,
      model_name: span.model,
      model_version: span.version,
      request_id: span.requestId,
      ...(span.parentId !== undefined && known.has(span.parentId) ? { parent_id: idOf(span.parentId) } : {}),
    });
    const stamps: { name: string; ns: number }[] = [{ name: 'REQUEST_START', ns: span.requestStart }];
    if (span.queueStart !== undefined) stamps.push({ name: 'QUEUE_START', ns: span.queueStart });
    if (span.computeStart !== undefined) stamps.push({ name: 'COMPUTE_START', ns: span.computeStart });
    if (span.computeEnd !== undefined) stamps.push({ name: 'COMPUTE_END', ns: span.computeEnd });
    if (span.requestEnd !== undefined) stamps.push({ name: 'REQUEST_END', ns: span.requestEnd });
    out.push({ id, timestamps: stamps.map((t) => ({ name: t.name, ns: Math.round(t.ns + originNs) })) });
  }
  return out;
}

/** A kept run's trace as a file to save, named after the model and the run. */
export function exportTrace(run: { result: Pick<RunResult, 'runId' | 'model'>; spans: readonly TraceSpan[]; originNs: number }): ExportedTrace {
  const safe = (s: string): string => s.replace(/[^\w.-]+/g, '_').slice(0, 64);
  return {
    fileName: `${safe(run.result.model)}-${safe(run.result.runId)}.trace.json`,
    json: JSON.stringify(traceRecords(run.spans, run.originNs), null, 2),
  };
}
