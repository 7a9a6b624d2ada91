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

/** Request ids longer than this are cut in trace records: an id may be megabytes, and records wait in memory. */
export const MAX_TRACE_ID_CHARS = 256;

/**
 * A request id as a trace record keeps it: at most MAX_TRACE_ID_CHARS characters (never half a
 * surrogate pair), a cut one marked with its full length. The kept characters are copied: V8 may
 * make a slice share the memory of the string it came from, which would keep the whole id alive.
 */
export function traceRequestId(id: string): string {
  if (id.length <= MAX_TRACE_ID_CHARS) return id;
  const last = id.charCodeAt(MAX_TRACE_ID_CHARS - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? MAX_TRACE_ID_CHARS - 1 : MAX_TRACE_ID_CHARS;
  const head = Buffer.from(id.slice(0, end), 'utf16le').toString('utf16le');
  return `${head}…[cut: ${id.length} characters]`;
}

/**
 * Triton's records for these spans (request ids cut as traceRequestId says). `idOf` maps a span id to the trace id written (the server
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
      request_id: traceRequestId(span.requestId),
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
