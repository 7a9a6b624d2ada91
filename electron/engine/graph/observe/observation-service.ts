/**
 * "Run to see": a graph's model run once, on the playground's input or on a
 * generated one, with every intermediate value fetched, so every edge can
 * show its real dims and statistics and any tensor can be opened in the
 * viewers (TensorRef side 'edge', runId = the observation's runId).
 *
 * Bounded: tensors are kept up to a byte budget (graph order, inputs first;
 * beyond it only shape and statistics, and the viewers say why), only the
 * latest observation of each graph is kept, and a few graphs at most. The
 * session lives for one run. An observation shares the run ids of playground
 * runs, so `cancelRun` stops it; a newer observation of the same graph
 * cancels the older one.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { GraphObservation, GraphObserveRequest, ObservedValue } from '../../../contract/inspect-api';
import type { TensorRef } from '../../../contract/lab-api';
import type { ModelConfig } from '../../config/gen/model_config_pb';
import { LabError } from '../../errors';
import type { Repository } from '../../repository/repository';
import type { InputFiles } from '../../runs/inputs';
import type { RunService } from '../../runs/runs';
import { describeTensor } from '../../runs/tensor-info';
import { fastStats } from './fast-stats';
import { type Tensor, byteSize, elementCount, isBytesData } from '../../tensor/tensor';
import { isInside } from '../../util/real-path';
import { readUpTo, withRegularFile } from '../../util/regular-file';
import type { GraphService } from '../graph-service';
import type { ParsedOnnx } from '../onnx-summary';
import { observableModel } from './augment';
import { estimateBytes } from './estimate';
import { generatedInputs } from './generated-input';
import { type FetchedValue, runObserved } from './ort-run';
import { inputConfig, requestInputs } from './request-input';

/** Default budget of kept tensor bytes per observation. */
export const DEFAULT_BUDGET_BYTES = 256 * 2 ** 20;
/** The most a request may ask to keep. */
export const MAX_BUDGET_BYTES = 4 * 2 ** 30;
/** Observations kept at once (the latest of each graph, newest graphs first). */
const MAX_KEPT = 4;

export interface ObservationServiceOptions {
  sampleImagesDir?: string;
  inputFiles?: InputFiles;
  intraOpThreads?: number;
  /** The most the intermediate values of one run may take, as estimated before it (default: a quarter of the memory, 1 to 8 GiB). */
  maxValueBytes?: number;
}

function gib(n: number): string {
  return `${(n / 2 ** 30).toFixed(1)} GiB`;
}

interface Kept {
  observation: GraphObservation;
  repoId: string;
  tensors: Map<string, Tensor>;
}

interface Source {
  abs: string;
  repoId: string;
  parsed: ParsedOnnx;
  config: ModelConfig | undefined;
  model: string;
}

/** Elements to sum before letting other work in (the lab's event loop serves the UI and the Triton endpoints). */
const YIELD_EVERY = 8 * 2 ** 20;

/**
 * Keeps tensors in the order given while they fit; the rest keep shape and statistics only.
 * Summing hundreds of millions of numbers takes a while: it steps aside every few million.
 */
async function keepWithin(values: readonly Tensor[], budget: number): Promise<{ values: Record<string, ObservedValue>; tensors: Map<string, Tensor>; keptBytes: number; dropped: number }> {
  const out: Record<string, ObservedValue> = {};
  const tensors = new Map<string, Tensor>();
  let keptBytes = 0;
  let dropped = 0;
  let sinceYield = 0;
  for (const t of values) {
    sinceYield += elementCount(t.shape);
    if (sinceYield > YIELD_EVERY) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const bytes = byteSize(t);
    const kept = keptBytes + bytes <= budget;
    const numeric = !isBytesData(t.data) && t.dtype !== 'BOOL';
    out[t.name] = { name: t.name, dtype: t.dtype, dims: [...t.shape], ...(numeric ? { stats: fastStats(t) } : {}), kept };
    if (kept) {
      tensors.set(t.name, t);
      keptBytes += bytes;
    } else dropped++;
  }
  return { values: out, tensors, keptBytes, dropped };
}

export class ObservationService {
  /** By graph id: its latest observation; oldest first (Map keeps insertion order). */
  private readonly kept = new Map<string, Kept>();
  private readonly inFlight = new Map<string, AbortController>();
  /** By graph id: the number of its newest request, taken before any await, so "newer" means called later. */
  private readonly newest = new Map<string, number>();
  private requests = 0;

  constructor(
    private readonly graphs: GraphService,
    private readonly repository: (repoId: string) => Repository,
    private readonly runs: RunService,
    private readonly options: ObservationServiceOptions = {},
  ) {}

  async observe(req: GraphObserveRequest): Promise<GraphObservation> {
    if (req.subgraph !== undefined) {
      throw new LabError(
        'UNSUPPORTED',
        'ONNX Runtime returns only the main graph\'s values, not those inside If, Loop or Scan bodies; "Run to see" on the main graph shows the values that enter and leave them',
      );
    }
    const budget = req.budgetBytes ?? DEFAULT_BUDGET_BYTES;
    if (!Number.isFinite(budget) || budget < 0 || budget > MAX_BUDGET_BYTES) throw new LabError('INVALID_ARG', `'budgetBytes' must be from 0 to ${MAX_BUDGET_BYTES}`);
    const started = performance.now();
    const ticket = ++this.requests;
    this.newest.set(req.graphId, ticket);
    const src = await this.source(req.graphId);
    // Reading the model may finish in any order: a request overtaken meanwhile stops here, never the newer one.
    if (this.newest.get(req.graphId) !== ticket) throw new LabError('CANCELLED', 'cancelled');
    const runId = this.runs.claimId(req.runId ?? `observe-${randomUUID()}`);
    const abort = new AbortController();
    this.inFlight.get(req.graphId)?.abort();
    this.inFlight.set(req.graphId, abort);
    this.runs.track(runId, abort);
    try {
      const input = req.run?.inputs?.length
        ? await requestInputs(req.run.inputs, src.parsed.summary.inputs, inputConfig(src.config, src.model, src.parsed.summary.inputs), req.run.addBatchDim !== false, {
            ...(this.options.sampleImagesDir ? { sampleImagesDir: this.options.sampleImagesDir } : {}),
            ...(this.options.inputFiles ? { files: this.options.inputFiles } : {}),
          })
        : generatedInputs(src.parsed.summary.inputs, src.config);
      const fetched = await this.run(src, input.tensors, abort.signal);
      const kept = await this.describe(req.graphId, src.repoId, runId, input, fetched, budget, started);
      if (abort.signal.aborted) throw new LabError('CANCELLED', 'cancelled');
      this.remember(req.graphId, kept);
      return kept.observation;
    } finally {
      this.runs.untrack(runId);
      if (this.inFlight.get(req.graphId) === abort) this.inFlight.delete(req.graphId);
      if (this.newest.get(req.graphId) === ticket) this.newest.delete(req.graphId);
    }
  }

  /** The graph's file, its parse and the model's config, once the file is known unchanged. */
  private async source(graphId: string): Promise<Source> {
    const { abs, repoId, parsed } = await this.graphs.graphFile(graphId);
    const repo = this.repository(repoId);
    for (const rec of repo.models.values()) {
      if (!isInside(rec.dir, abs)) continue;
      const version = rec.versions.find((v) => isInside(v.dir, abs));
      return { abs, repoId, parsed, config: version?.config ?? rec.base, model: rec.name };
    }
    return { abs, repoId, parsed, config: undefined, model: path.basename(path.dirname(path.dirname(abs))) };
  }

  private async run(src: Source, inputs: Tensor[], signal: AbortSignal): Promise<FetchedValue[]> {
    const file = await withRegularFile(src.abs, src.abs, (handle, size) => readUpTo(handle, size));
    const { bytes, fetch } = observableModel(file, src.parsed.summary, `'${path.basename(src.abs)}'`);
    // ONNX Runtime hands back every value at once: refuse a run that could not fit, before it starts.
    const need = estimateBytes(src.parsed.summary, inputs, fetch).bytes;
    const cap = this.options.maxValueBytes ?? Math.max(2 ** 30, Math.min(8 * 2 ** 30, os.totalmem() / 4));
    if (need > cap) {
      const shapes = inputs.map((t) => `${t.name} ${t.shape.join('×')}`).join(', ');
      throw new LabError(
        'INVALID_ARG',
        `at this input (${shapes}) the model's intermediate values would take at least ${gib(need)}, more than "Run to see" holds at once (${gib(cap)}); use a smaller input`,
      );
    }
    const external = src.parsed.summary.initializers.some((t) => t.external);
    return runObserved(bytes, inputs, fetch, { modelDir: path.dirname(src.abs), external, signal, ...(this.options.intraOpThreads ? { intraOpThreads: this.options.intraOpThreads } : {}) });
  }

  private async describe(graphId: string, repoId: string, runId: string, input: { tensors: Tensor[]; note: string }, fetched: FetchedValue[], budget: number, started: number): Promise<Kept> {
    const tensors = fetched.flatMap((f) => (f.tensor ? [f.tensor] : []));
    const skipped = fetched.filter((f) => !f.tensor);
    const kept = await keepWithin([...input.tensors, ...tensors], budget);
    const note = skipped.length ? `${input.note}; ${skipped.length} value${skipped.length === 1 ? '' : 's'} the viewers cannot show (${skipped[0]!.name} is ${skipped[0]!.kind})` : input.note;
    const observation: GraphObservation = {
      runId,
      graphId,
      inputNote: note,
      inputs: input.tensors.map(describeTensor),
      values: kept.values,
      ms: Math.round(performance.now() - started),
      keptBytes: kept.keptBytes,
      dropped: kept.dropped,
    };
    return { observation, repoId, tensors: kept.tensors };
  }

  /** The graph's latest observation replaces its older one; the oldest graphs' go past the limit. */
  private remember(graphId: string, kept: Kept): void {
    this.kept.delete(graphId);
    this.kept.set(graphId, kept);
    for (const old of [...this.kept.keys()].slice(0, Math.max(0, this.kept.size - MAX_KEPT))) this.kept.delete(old);
  }

  /** A kept tensor of an observation; undefined when the run id is not an observation's (a playground run's). */
  tensor(ref: TensorRef): Tensor | undefined {
    const hit = [...this.kept.values()].find((k) => k.observation.runId === ref.runId);
    if (!hit) return undefined;
    if (ref.side !== 'edge' && ref.side !== 'input') throw new LabError('INVALID_ARG', `an observation's tensors are read with side 'edge', got '${ref.side}'`);
    const t = hit.tensors.get(ref.name);
    if (t) return t;
    const seen = hit.observation.values[ref.name];
    if (!seen) throw new LabError('NOT_FOUND', `the observation has no value named '${ref.name}'`);
    throw new LabError(
      'NOT_FOUND',
      `'${ref.name}' (${seen.dims.join('×')}) was not kept: the observation kept ${(hit.observation.keptBytes / 2 ** 20).toFixed(1)} MiB of tensors (its budget) and only the shape and statistics of the rest; run "Run to see" again with a larger budget to view it`,
    );
  }

  /** Cancels an observation in flight for this graph, if any. */
  cancel(graphId: string): boolean {
    const c = this.inFlight.get(graphId);
    c?.abort();
    return c !== undefined;
  }

  /** Drops the observations of a closed repository. */
  forget(repoId: string): void {
    for (const [id, k] of this.kept) if (k.repoId === repoId) this.kept.delete(id);
  }

  close(): void {
    for (const c of this.inFlight.values()) c.abort();
    this.kept.clear();
  }
}
