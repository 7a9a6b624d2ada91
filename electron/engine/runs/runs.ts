/**
 * Playground runs: one request through a model's normal path (checks,
 * queue, instances, ensemble steps), traced for timings, cancellable, and
 * kept with its tensors in a bounded history so the viewers can page
 * through them later.
 */
import { randomUUID } from 'node:crypto';
import type { InputSpec, RunRequest, RunResult, RunStep, TensorRef } from '../../contract/lab-api';
import { LabError, errorMessage, toLabError } from '../errors';
import type { Repository } from '../repository/repository';
import { Trace, type TraceSpan } from '../runtime/trace';
import type { InferResult, Parameters, Runner, StreamedResponse } from '../runtime/types';
import { type Tensor, byteSize } from '../tensor/tensor';
import { inputLabel } from './input-label';
import { buildInputs, type InputFiles } from './inputs';
import { describeTensor } from './tensor-info';
import { sequenceFlags } from './sequence';

export interface StoredRun {
  result: RunResult;
  specs: InputSpec[];
  inputs: Tensor[];
  outputs: Tensor[];
  /** The run's trace (timestamps; the tensors of each span where the run captured them). */
  spans: TraceSpan[];
  /** The trace's monotonic origin, in ns (for Triton's trace file). */
  originNs: number;
  /** An ensemble run's intermediate tensors by ensemble tensor name (step-through runs keep them). */
  edges?: Tensor[];
  bytes: number;
}

export interface RunServiceOptions {
  sampleImagesDir?: string;
  /** Where `{ path }` inputs may be read from (none without it). */
  inputFiles?: InputFiles;
  /** How many runs the history keeps (default 50). */
  maxRuns?: number;
  /** How many tensor bytes it keeps at most (default 1 GiB); the oldest runs go first. */
  maxBytes?: number;
  /** Runners outside the open repositories (a remote server's models): asked first; undefined means not theirs. */
  runner?: (repoId: string, model: string, version: number) => Promise<Runner> | undefined;
}

/** What a finished run leaves behind, before it is described and kept. */
export interface FinishedRun {
  runId: string;
  req: RunRequest;
  runner: Runner;
  inputs: Tensor[];
  outputs: Tensor[];
  trace: Trace;
  startedAt: number;
  ms: number;
  state: RunResult['state'];
  error?: string;
  note?: string;
  edges?: Tensor[];
  /** The response parameters the model set (InferenceResponse(parameters=…)); absent when none. */
  responseParameters?: Parameters;
  /** A step-through ('step'), whose `ms` includes `pausedMs` of waiting between steps; a plain run otherwise. */
  mode?: RunResult['mode'];
  pausedMs?: number;
}

const RUN_ID = /^[\w-]{1,64}$/;

/** Bounds on a run's request parameters (the playground's editor; a client's JSON has its own body limit). */
const MAX_PARAMETERS = 64;
const MAX_PARAMETER_KEY = 256;
const MAX_PARAMETER_TEXT = 64 * 1024;
/** Keys Triton's frontends keep for themselves (the run's sequence controls set the sequence ones). */
const RESERVED_PARAMETERS = new Set(['sequence_id', 'sequence_start', 'sequence_end', 'headers', 'binary_data_output']);

/**
 * A run's request parameters, checked as Triton's clients send them: bool, integer or string
 * values; `triton_` keys and the frontends' own keys are refused with a clear error.
 */
export function runParameters(params: unknown): Parameters | undefined {
  if (params === undefined || params === null) return undefined;
  if (typeof params !== 'object' || Array.isArray(params)) throw new LabError('INVALID_ARG', 'parameters must be an object of names to bool, integer or string values');
  const entries = Object.entries(params as Record<string, unknown>);
  if (entries.length > MAX_PARAMETERS) throw new LabError('INVALID_ARG', `a run takes at most ${MAX_PARAMETERS} parameters, got ${entries.length}`);
  for (const [key, value] of entries) {
    if (key === '' || key.length > MAX_PARAMETER_KEY) throw new LabError('INVALID_ARG', `parameter names must be 1-${MAX_PARAMETER_KEY} characters`);
    if (key.startsWith('triton_') || RESERVED_PARAMETERS.has(key))
      throw new LabError('INVALID_ARG', `parameter '${key}' is reserved for Triton usage and cannot be specified${key.startsWith('sequence_') ? " (use the run's sequence controls)" : ''}`);
    const ok = typeof value === 'boolean' || (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && value.length <= MAX_PARAMETER_TEXT);
    if (!ok) throw new LabError('INVALID_ARG', `parameter '${key}' must be a bool, an integer or a string of at most ${MAX_PARAMETER_TEXT} characters`);
    // The request's priority and timeout (µs), which the runner reads: unsigned integers, as Triton's HTTP frontend takes them.
    if ((key === 'priority' || key === 'timeout') && !(typeof value === 'number' && value >= 0)) throw new LabError('INVALID_ARG', `Unable to parse '${key}': an unsigned integer is expected`);
  }
  return entries.length > 0 ? (params as Parameters) : undefined;
}

export function stepsOf(trace: Trace): RunStep[] {
  const ms = (ns: number | undefined): number => (ns === undefined ? 0 : ns / 1e6);
  return trace.spans.map((s) => ({
    id: s.id,
    ...(s.parentId !== undefined ? { parentId: s.parentId } : {}),
    kind: s.kind,
    model: s.model,
    version: s.version,
    ...(s.step !== undefined ? { step: s.step } : {}),
    startMs: ms(s.requestStart),
    queueMs: s.queueStart !== undefined && s.computeStart !== undefined ? ms(s.computeStart - s.queueStart) : 0,
    computeMs: s.computeStart !== undefined && s.computeEnd !== undefined ? ms(s.computeEnd - s.computeStart) : 0,
    totalMs: s.requestEnd !== undefined ? ms(s.requestEnd - s.requestStart) : 0,
    ...(s.queueStart !== undefined ? { queueStartMs: ms(s.queueStart) } : {}),
    ...(s.computeStart !== undefined ? { computeStartMs: ms(s.computeStart) } : {}),
    ...(s.instance !== undefined ? { instance: s.instance } : {}),
    ...(s.batchedWith !== undefined ? { batchedWith: s.batchedWith } : {}),
    ...(s.inputs || s.outputs ? { hasTensors: true } : {}),
    ...(s.error ? { error: s.error } : {}),
  }));
}

/** Bytes held by these tensors, each buffer counted once (spans and edges share buffers with each other). */
function heldBytes(tensors: Iterable<Tensor>): number {
  const seen = new Set<unknown>();
  let n = 0;
  for (const t of tensors) {
    if (seen.has(t.data)) continue;
    seen.add(t.data);
    n += byteSize(t);
  }
  return n;
}

/** A decoupled model served by its own instances (an ensemble over one cannot stream; it answers once). */
function isDecoupledModel(runner: Runner): boolean {
  return runner.config.modelTransactionPolicy?.decoupled === true && runner.config.platform !== 'ensemble';
}

/**
 * A playground run of a decoupled model. A run shows one set of outputs: the last response that
 * had outputs. When the model sent more than one response, the model's log says so and points to
 * gRPC ModelStreamInfer for the whole stream. A model that sent only errors fails the run.
 */
class DecoupledRun {
  private readonly responses: (InferResult | LabError)[] = [];

  readonly add = (r: StreamedResponse): void => {
    if (r) this.responses.push(r);
  };

  /** The response whose outputs are shown (the last one with outputs). */
  private shown(): InferResult | undefined {
    return this.responses.filter((r): r is InferResult => !(r instanceof LabError) && r.outputs.length > 0).at(-1);
  }

  /** The response parameters of the response shown. */
  parameters(): Parameters | undefined {
    return this.shown()?.parameters;
  }

  outputs(): Tensor[] {
    const last = this.shown();
    if (last) return last.outputs;
    const failed = this.responses.filter((r): r is LabError => r instanceof LabError).at(-1);
    if (failed) throw failed;
    return [];
  }

  /** For the run's result; undefined when there was one response (nothing to explain). */
  note(): string | undefined {
    if (this.responses.length <= 1) return undefined;
    const errors = this.responses.filter((r) => r instanceof LabError).length;
    return `This decoupled model sent ${this.responses.length} responses${errors ? ` (${errors} of them errors)` : ''}; the outputs shown are the last one's that had outputs. Triton's gRPC ModelStreamInfer returns every response.`;
  }
}

export class RunService {
  private readonly runs: StoredRun[] = [];
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly repository: (repoId: string) => Repository,
    private readonly options: RunServiceOptions = {},
  ) {}

  /** A run id for a new run: the caller's (checked to be free) or a fresh one. */
  claimId(runId: string | undefined): string {
    const id = runId ?? randomUUID();
    if (!RUN_ID.test(id)) throw new LabError('INVALID_ARG', 'runId must be 1-64 letters, digits, - or _');
    if (this.running.has(id) || this.runs.some((r) => r.result.runId === id)) throw new LabError('ALREADY_EXISTS', `run '${id}' already exists`);
    return id;
  }

  /** The runner a request names and its inputs built from the form's descriptions. */
  async prepare(req: RunRequest, check?: (runner: Runner) => void): Promise<{ runner: Runner; inputs: Tensor[] }> {
    const runner = (await this.options.runner?.(req.repoId, req.model, req.version ?? -1)) ?? this.repository(req.repoId).resolve(req.model, req.version ?? -1);
    check?.(runner);
    const { sampleImagesDir, inputFiles } = this.options;
    const inputs = await buildInputs(req.inputs, {
      config: runner.config,
      addBatchDim: req.addBatchDim !== false,
      ...(sampleImagesDir ? { sampleImagesDir } : {}),
      ...(inputFiles ? { files: inputFiles } : {}),
    });
    return { runner, inputs };
  }

  /** Marks a run as in flight, so its id stays taken and cancelRun reaches it. */
  track(runId: string, abort: AbortController): void {
    this.running.set(runId, abort);
  }

  untrack(runId: string): void {
    this.running.delete(runId);
  }

  async run(req: RunRequest): Promise<RunResult> {
    if (!req || typeof req !== 'object') throw new LabError('INVALID_ARG', 'a run request is required');
    const runId = this.claimId(req.runId);
    const parameters = runParameters(req.parameters);
    const { runner, inputs } = await this.prepare(req);
    const abort = new AbortController();
    this.track(runId, abort);
    const trace = new Trace(false);
    const startedAt = Date.now();
    const t0 = process.hrtime.bigint();
    let outputs: Tensor[] = [];
    let state: RunResult['state'] = 'ok';
    let error: string | undefined;
    let note: string | undefined;
    let responseParameters: Parameters | undefined;
    const stream = isDecoupledModel(runner) ? new DecoupledRun() : undefined;
    try {
      const inferring = runner.infer({
        id: runId,
        inputs,
        ...(req.outputs && req.outputs.length ? { outputs: req.outputs } : {}),
        trace: { trace, kind: 'request', held: [] },
        signal: abort.signal,
        ...(parameters ? { parameters } : {}),
        ...(req.sequence ? { sequence: sequenceFlags(req.sequence) } : {}),
        ...(stream ? { onResponse: stream.add } : {}),
      });
      // A queued request leaves the queue on abort; one already executing is told (a Python model's
      // is_cancelled() turns True) and its result dropped, so the user never waits for a run they cancelled.
      inferring.catch(() => undefined);
      const cancelled = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(new LabError('CANCELLED', 'cancelled')), { once: true }));
      const res = await Promise.race([inferring, cancelled]);
      outputs = stream ? stream.outputs() : res.outputs;
      responseParameters = stream ? stream.parameters() : res.parameters;
      note = stream?.note();
      if (note) this.repository(req.repoId).logTo(runner.modelName, runner.version, 'info', `run ${runId}: ${note}`);
    } catch (err) {
      const e = toLabError(err);
      state = e.code === 'CANCELLED' || abort.signal.aborted ? 'cancelled' : 'error';
      error = state === 'cancelled' ? 'cancelled' : errorMessage(e);
    } finally {
      this.untrack(runId);
    }
    return this.record({
      runId,
      req,
      runner,
      inputs,
      outputs,
      trace,
      startedAt,
      ms: Number(process.hrtime.bigint() - t0) / 1e6,
      state,
      ...(error !== undefined ? { error } : {}),
      ...(note ? { note } : {}),
      ...(responseParameters ? { responseParameters } : {}),
    });
  }

  /** Describes a finished run and keeps it in the history (playground and step-through runs alike). */
  record(run: FinishedRun): RunResult {
    const result: RunResult = {
      runId: run.runId,
      repoId: run.req.repoId,
      model: run.req.model,
      version: run.runner.version,
      startedAt: run.startedAt,
      ms: run.ms,
      state: run.state,
      mode: run.mode ?? 'run',
      ...(run.mode === 'step' ? { pausedMs: Math.max(0, Math.min(run.pausedMs ?? 0, run.ms)) } : {}),
      inputLabel: inputLabel(run.req.inputs),
      ...(run.error !== undefined ? { error: run.error } : {}),
      ...(run.note ? { note: run.note } : {}),
      ...(run.req.sequence ? { sequence: run.req.sequence } : {}),
      ...(run.req.parameters && Object.keys(run.req.parameters).length > 0 ? { requestParameters: { ...run.req.parameters } } : {}),
      ...(run.responseParameters ? { responseParameters: { ...run.responseParameters } } : {}),
      inputs: run.inputs.map(describeTensor),
      outputs: run.outputs.map(describeTensor),
      steps: stepsOf(run.trace),
    };
    const spanTensors = run.trace.spans.flatMap((s) => [...(s.inputs ?? []), ...(s.outputs ?? [])]);
    this.keep({
      result,
      specs: run.req.inputs,
      inputs: run.inputs,
      outputs: run.outputs,
      spans: run.trace.spans,
      originNs: run.trace.originNs,
      ...(run.edges ? { edges: run.edges } : {}),
      bytes: heldBytes([...run.inputs, ...run.outputs, ...spanTensors, ...(run.edges ?? [])]),
    });
    return result;
  }

  private keep(run: StoredRun): void {
    this.runs.unshift(run);
    const maxRuns = this.options.maxRuns ?? 50;
    const maxBytes = this.options.maxBytes ?? 1024 * 1024 * 1024;
    let total = this.runs.reduce((n, r) => n + r.bytes, 0);
    while (this.runs.length > 1 && (this.runs.length > maxRuns || total > maxBytes)) total -= this.runs.pop()!.bytes;
  }

  cancel(runId: string): boolean {
    const c = this.running.get(runId);
    c?.abort();
    return c !== undefined;
  }

  list(filter: { repoId?: string; model?: string } = {}): RunResult[] {
    return this.runs.filter((r) => (!filter.repoId || r.result.repoId === filter.repoId) && (!filter.model || r.result.model === filter.model)).map((r) => r.result);
  }

  stored(runId: string): StoredRun {
    const r = this.runs.find((x) => x.result.runId === runId);
    if (!r) throw new LabError('NOT_FOUND', `run '${runId}' is not in the history (it may have been dropped to make room)`);
    return r;
  }

  tensor(ref: TensorRef): Tensor {
    if (!ref || typeof ref !== 'object') throw new LabError('INVALID_ARG', 'a tensor reference is required');
    const r = this.stored(ref.runId);
    return tensorOf(ref.runId, { ...r, edges: r.edges }, ref);
  }

  /** Drops the runs of a repository (it was closed). */
  forget(repoId: string): void {
    for (let i = this.runs.length - 1; i >= 0; i--) if (this.runs[i]!.result.repoId === repoId) this.runs.splice(i, 1);
  }
}

/** A run's tensor by reference: its own inputs/outputs, an ensemble edge, or a span's inputs/outputs. */
export function tensorOf(runId: string, run: { inputs: readonly Tensor[]; outputs: readonly Tensor[]; spans: readonly TraceSpan[]; edges: readonly Tensor[] | undefined }, ref: TensorRef): Tensor {
  if (ref.side === 'edge') {
    if (!run.edges) throw new LabError('NOT_FOUND', `run '${runId}' kept no ensemble tensors; step through the ensemble to see them`);
    const t = run.edges.find((x) => x.name === ref.name);
    if (!t) throw new LabError('NOT_FOUND', `run '${runId}' has no ensemble tensor '${ref.name}' (yet)`);
    return t;
  }
  if (ref.side !== 'input' && ref.side !== 'output') throw new LabError('INVALID_ARG', `side must be 'input', 'output' or 'edge', got '${String(ref.side)}'`);
  let list = ref.side === 'input' ? run.inputs : run.outputs;
  if (ref.spanId !== undefined) {
    const span = run.spans.find((s) => s.id === ref.spanId);
    if (!span) throw new LabError('NOT_FOUND', `run '${runId}' has no span ${ref.spanId}`);
    const kept = ref.side === 'input' ? span.inputs : span.outputs;
    if (!kept) throw new LabError('NOT_FOUND', `run '${runId}' did not keep the tensors of '${span.model}' (only step-through runs do)`);
    list = kept;
  }
  const t = list.find((x) => x.name === ref.name);
  if (!t) throw new LabError('NOT_FOUND', `run '${runId}' has no ${ref.side} '${ref.name}'${ref.spanId !== undefined ? ` in span ${ref.spanId}` : ''}`);
  return t;
}
