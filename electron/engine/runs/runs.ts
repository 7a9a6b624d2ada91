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
import { Trace } from '../runtime/trace';
import { type Tensor, byteSize } from '../tensor/tensor';
import { buildInputs } from './inputs';
import { describeTensor } from './tensor-info';

interface StoredRun {
  result: RunResult;
  specs: InputSpec[];
  inputs: Tensor[];
  outputs: Tensor[];
  bytes: number;
}

export interface RunServiceOptions {
  sampleImagesDir?: string;
  /** How many runs the history keeps (default 50). */
  maxRuns?: number;
  /** How many tensor bytes it keeps at most (default 1 GiB); the oldest runs go first. */
  maxBytes?: number;
}

const RUN_ID = /^[\w-]{1,64}$/;

function stepsOf(trace: Trace): RunStep[] {
  const ms = (ns: number | undefined): number => (ns === undefined ? 0 : ns / 1e6);
  return trace.spans.map((s) => ({
    kind: s.kind,
    model: s.model,
    version: s.version,
    ...(s.step !== undefined ? { step: s.step } : {}),
    startMs: ms(s.requestStart),
    queueMs: s.queueStart !== undefined && s.computeStart !== undefined ? ms(s.computeStart - s.queueStart) : 0,
    computeMs: s.computeStart !== undefined && s.computeEnd !== undefined ? ms(s.computeEnd - s.computeStart) : 0,
    totalMs: s.requestEnd !== undefined ? ms(s.requestEnd - s.requestStart) : 0,
    ...(s.error ? { error: s.error } : {}),
  }));
}

export class RunService {
  private readonly runs: StoredRun[] = [];
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly repository: (repoId: string) => Repository,
    private readonly options: RunServiceOptions = {},
  ) {}

  async run(req: RunRequest): Promise<RunResult> {
    if (!req || typeof req !== 'object') throw new LabError('INVALID_ARG', 'a run request is required');
    const runId = req.runId ?? randomUUID();
    if (!RUN_ID.test(runId)) throw new LabError('INVALID_ARG', 'runId must be 1-64 letters, digits, - or _');
    if (this.running.has(runId) || this.runs.some((r) => r.result.runId === runId)) throw new LabError('ALREADY_EXISTS', `run '${runId}' already exists`);
    const repo = this.repository(req.repoId);
    const runner = repo.resolve(req.model, req.version ?? -1);
    const inputs = await buildInputs(req.inputs, { config: runner.config, addBatchDim: req.addBatchDim !== false, ...(this.options.sampleImagesDir ? { sampleImagesDir: this.options.sampleImagesDir } : {}) });
    const abort = new AbortController();
    this.running.set(runId, abort);
    const trace = new Trace(false);
    const startedAt = Date.now();
    const t0 = process.hrtime.bigint();
    let outputs: Tensor[] = [];
    let state: RunResult['state'] = 'ok';
    let error: string | undefined;
    try {
      const inferring = runner.infer({
        id: runId,
        inputs,
        ...(req.outputs && req.outputs.length ? { outputs: req.outputs } : {}),
        trace: { trace, kind: 'request', held: [] },
        signal: abort.signal,
      });
      // A queued request leaves the queue on abort; one already executing finishes in the background,
      // its result dropped, so the user never waits for a run they cancelled.
      inferring.catch(() => undefined);
      const cancelled = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(new LabError('CANCELLED', 'cancelled')), { once: true }));
      const res = await Promise.race([inferring, cancelled]);
      outputs = res.outputs;
    } catch (err) {
      const e = toLabError(err);
      state = e.code === 'CANCELLED' || abort.signal.aborted ? 'cancelled' : 'error';
      error = state === 'cancelled' ? 'cancelled' : errorMessage(e);
    } finally {
      this.running.delete(runId);
    }
    const result: RunResult = {
      runId,
      repoId: req.repoId,
      model: req.model,
      version: runner.version,
      startedAt,
      ms: Number(process.hrtime.bigint() - t0) / 1e6,
      state,
      ...(error !== undefined ? { error } : {}),
      inputs: inputs.map(describeTensor),
      outputs: outputs.map(describeTensor),
      steps: stepsOf(trace),
    };
    this.keep({ result, specs: req.inputs, inputs, outputs, bytes: [...inputs, ...outputs].reduce((n, t) => n + byteSize(t), 0) });
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
    const list = ref.side === 'input' ? r.inputs : ref.side === 'output' ? r.outputs : undefined;
    if (!list) throw new LabError('INVALID_ARG', `side must be 'input' or 'output', got '${String(ref.side)}'`);
    const t = list.find((x) => x.name === ref.name);
    if (!t) throw new LabError('NOT_FOUND', `run '${ref.runId}' has no ${ref.side} '${ref.name}'`);
    return t;
  }

  /** Drops the runs of a repository (it was closed). */
  forget(repoId: string): void {
    for (let i = this.runs.length - 1; i >= 0; i--) if (this.runs[i]!.result.repoId === repoId) this.runs.splice(i, 1);
  }
}
