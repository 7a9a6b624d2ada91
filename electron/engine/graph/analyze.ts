/**
 * What the lab adds to a parsed model before showing it: the values of small
 * constants (previews on initializers) and static shape inference (types of
 * every intermediate value, in `summary.inferred`, subgraph bodies included).
 * Shared by the graph service and the `model-lab inspect` CLI, so both show
 * the same dims. Bounded: inference has a time budget and records where it
 * stopped; an unreadable constant only loses its own value.
 */
import type { InferredValueType } from '../../contract/inspect-api';
import { errorMessage } from '../errors';
import { inferShapes } from './shapes/infer';
import { readSmallValues } from './small-values';
import type { ParsedOnnx } from './summary-builder';

export interface AnalyzeOptions {
  /** Most milliseconds shape inference may take (default 10 s); the rest stays untyped. */
  inferBudgetMs?: number;
  /** Skip inference on graphs with more nodes than this (default 2,000,000). */
  maxNodes?: number;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/** Adds previews and inferred types to `parsed.summary` in place, and returns it. */
export async function analyzeGraph(parsed: ParsedOnnx, modelPath: string, opts: AnalyzeOptions = {}): Promise<ParsedOnnx> {
  const s = parsed.summary;
  const small = await readSmallValues(parsed, modelPath);
  const started = performance.now();
  const nodes = s.nodes.length + (s.subgraphs ?? []).reduce((n, b) => n + b.nodes.length, 0);
  if (nodes > (opts.maxNodes ?? 2_000_000)) {
    s.shapeInference = { ms: 0, typed: 0, untyped: nodes, unknownOps: [], skipped: `the graph has ${nodes} nodes; shape inference runs on graphs up to ${opts.maxNodes ?? 2_000_000}` };
    return parsed;
  }
  let r;
  try {
    r = inferShapes(s, small.values, { budgetMs: opts.inferBudgetMs ?? 10_000 });
  } catch (err) {
    // The graph still opens without inferred dims; the reason shows where the counts do.
    s.shapeInference = { ms: round(performance.now() - started), typed: 0, untyped: nodes, unknownOps: [], skipped: `shape inference failed: ${errorMessage(err)}` };
    return parsed;
  }
  s.inferred = r.inferred;
  for (const b of s.subgraphs ?? []) {
    const inner: Record<string, InferredValueType> | undefined = r.bodies.get(b.id);
    if (inner) b.inferred = inner;
  }
  s.shapeInference = { ms: round(performance.now() - started), typed: r.typed, untyped: r.untyped, unknownOps: r.unknownOps, ...(r.cutOff ? { skipped: r.cutOff } : {}) };
  return parsed;
}
