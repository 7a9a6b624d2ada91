/**
 * Triton's ensemble scheduler: a dataflow over named tensors. A step is
 * issued as soon as every tensor it reads exists; ready steps run
 * concurrently; steps whose outputs nobody needs are pruned; a tensor is
 * released after its last reader; batch and non-batch tensors are converted
 * between steps as Triton does (ReshapeTensorDims). With a stepper, steps run
 * one at a time and wait before each.
 */
import type { ModelConfig, ModelEnsembling_Step } from '../config/gen/model_config_pb';
import { ensembleSteps } from '../config/ensemble-graph';
import { compatibleDims, toNumbers } from '../config/shape';
import { LabError, toLabError } from '../errors';
import type { Tensor } from '../tensor/tensor';
import { childContext, requestSpan, type Stepper, type TraceContext, type TraceSpan } from './trace';
import { firstResponseBuckets, ModelStatistics } from './stats';
import type { InferRequest, InferResult, ModelResolver, RequestTiming, Runner } from './types';
import { logRequest } from '../triton-errors';
import { prepareRequest } from './validate-request';

interface TensorEntry {
  /** Null when the producing step did not return it (Triton's null placeholder). */
  tensor: Tensor | null;
  /** The batch size of the request that produced it; 0 when that model does not batch. */
  batchSize: number;
  /** Readers still to come (steps and requested outputs); released at 0. */
  remaining: number;
  /** Produced by a step (not the caller's data), so its buffer may be handed to its last reader. */
  owned?: boolean;
}

/** One request's dataflow: the tensors produced so far and who still reads them. */
interface Flow {
  req: InferRequest;
  span: TraceSpan | undefined;
  timing: RequestTiming;
  requested: string[];
  /** How many needed steps and requested outputs read each tensor. */
  readers: Map<string, number>;
  tensors: Map<string, TensorEntry>;
  /** Needed steps not started yet. */
  pending: Set<number>;
  stepper?: Stepper;
  /** Someone watches the tensors (a stepper or captured tensors): buffers are never handed on. */
  observed: boolean;
  /** The trace context each step runs in. */
  parent: TraceContext;
}

/** Triton's ReshapeTensorDims: convert between batched and unbatched only when exactly one side batches. */
export function reshapeTensorDims(configDims: number[], allowBatching: boolean, tensorBatchSize: number, dims: number[]): number[] {
  if (allowBatching !== (tensorBatchSize !== 0)) {
    if (allowBatching) {
      if (compatibleDims(configDims, dims)) return [1, ...dims];
    } else if (!compatibleDims(configDims, dims) && tensorBatchSize === 1) {
      return dims.slice(1);
    }
  }
  return dims;
}

/** Which steps produce what the requested outputs need, transitively; the others are pruned. */
export function neededSteps(steps: readonly ModelEnsembling_Step[], requested: readonly string[]): Set<number> {
  const needed = new Set<number>();
  const wanted = new Set(requested);
  let grew = true;
  while (grew) {
    grew = false;
    steps.forEach((s, i) => {
      if (needed.has(i) || !Object.values(s.outputMap).some((t) => wanted.has(t))) return;
      needed.add(i);
      for (const t of Object.values(s.inputMap)) wanted.add(t);
      grew = true;
    });
  }
  return needed;
}

export class EnsembleRunner implements Runner {
  readonly modelName: string;
  readonly statistics: ModelStatistics;
  private readonly steps: ModelEnsembling_Step[];

  constructor(
    readonly config: ModelConfig,
    readonly version: number,
    private readonly resolver: ModelResolver,
  ) {
    this.modelName = config.name;
    this.statistics = new ModelStatistics(firstResponseBuckets(config));
    this.steps = ensembleSteps(config);
  }

  async infer(req: InferRequest): Promise<InferResult> {
    const trace = req.trace?.trace;
    const span = requestSpan(req.trace, this.modelName, this.version, req.id);
    const start = process.hrtime.bigint();
    const timing: RequestTiming = { queueNs: 0, inputNs: 0, inferNs: 0, outputNs: 0 };
    // Triton's core reports a failure once when the error response goes out (RespondIfError) and
    // once more when the request tracker lets the request go: a failed run counts twice. A request
    // refused before the scheduler (PrepareForInference) is counted nowhere.
    let scheduled = false;
    try {
      // Triton lets a decoupled member's responses flow downstream, one ensemble response each;
      // the lab's ensemble scheduler runs every step once, so it cannot stream them.
      if (req.onResponse && this.config.modelTransactionPolicy?.decoupled) {
        throw new LabError('UNSUPPORTED', `ensemble '${this.modelName}' has decoupled members; the lab cannot stream responses through an ensemble yet (call the decoupled model directly)`);
      }
      const prepared = prepareRequest(this.config, req);
      if (span && trace?.captureTensors) span.inputs = [...prepared.inputs.values()];
      if (span) span.computeStart = trace!.now();
      scheduled = true;
      const outputs = await this.run(prepared.batchSize, prepared.inputs, prepared.requested, req, span, timing);
      if (span && trace?.captureTensors) span.outputs = outputs;
      this.statistics.recordEnsemble(Number(process.hrtime.bigint() - start), timing, Math.max(1, prepared.batchSize));
      const result = { modelName: this.modelName, modelVersion: this.version, id: req.id ?? '', outputs, timing };
      req.onResponse?.(result, true);
      return result;
    } catch (err) {
      // Triton counts an ensemble's failures without telling why (reason OTHER).
      if (scheduled) {
        const failedNs = Number(process.hrtime.bigint() - start);
        this.statistics.recordFailure(failedNs, 'OTHER');
        this.statistics.recordFailure(failedNs, 'OTHER', true);
      }
      if (span) span.error = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      if (span) {
        span.computeEnd = trace!.now();
        span.requestEnd = span.computeEnd;
      }
    }
  }

  /**
   * The dataflow: seed the tensors with the request's inputs, run each step once every tensor it
   * reads exists (concurrently, or one at a time under a stepper), then collect the outputs.
   */
  private async run(batchSize: number, inputs: Map<string, Tensor>, requested: string[], req: InferRequest, span: TraceSpan | undefined, timing: RequestTiming): Promise<Tensor[]> {
    const flow = this.startFlow(batchSize, inputs, requested, req, span, timing);
    try {
      if (flow.stepper) await this.runInTurn(flow);
      else await this.runConcurrently(flow);
    } catch (err) {
      const e = toLabError(err);
      if (e.code === 'CANCELLED') throw e;
      throw new LabError(e.code, `${this.prefix}${e.message}`, { stage: 'execute', ...(e.reason ? { reason: e.reason } : {}) });
    }
    return this.collect(flow, batchSize);
  }

  private get prefix(): string {
    return `in ensemble '${this.modelName}', `;
  }

  /** Counts each tensor's readers among the needed steps and the requested outputs, and seeds the request's inputs. */
  private startFlow(batchSize: number, inputs: Map<string, Tensor>, requested: string[], req: InferRequest, span: TraceSpan | undefined, timing: RequestTiming): Flow {
    const needed = neededSteps(this.steps, requested);
    const readers = new Map<string, number>();
    for (const i of needed) for (const t of Object.values(this.steps[i]!.inputMap)) readers.set(t, (readers.get(t) ?? 0) + 1);
    for (const t of requested) readers.set(t, (readers.get(t) ?? 0) + 1);
    const tensors = new Map<string, TensorEntry>();
    for (const [name, t] of inputs) tensors.set(name, { tensor: t, batchSize, remaining: readers.get(name) ?? 0 });
    // Optional ensemble inputs the request left out are null placeholders: their steps run without them.
    for (const cfg of this.config.input) if (!tensors.has(cfg.name)) tensors.set(cfg.name, { tensor: null, batchSize, remaining: readers.get(cfg.name) ?? 0 });
    const stepper = req.trace?.trace?.stepper;
    return {
      req,
      span,
      timing,
      requested,
      readers,
      tensors,
      pending: new Set(needed),
      ...(stepper ? { stepper } : {}),
      observed: stepper !== undefined || req.trace?.trace?.captureTensors === true,
      parent: childContext(req.trace, span, 'step'),
    };
  }

  /** Steps still to run whose every input exists, in step order. */
  private ready(flow: Flow): number[] {
    return [...flow.pending].filter((i) => Object.values(this.steps[i]!.inputMap).every((t) => flow.tensors.has(t))).sort((a, b) => a - b);
  }

  /** With a stepper: one step at a time, the lowest ready one first. */
  private async runInTurn(flow: Flow): Promise<void> {
    for (let next = this.ready(flow); next.length > 0; next = this.ready(flow)) {
      const i = next[0]!;
      flow.pending.delete(i);
      await this.runStep(flow, i);
    }
  }

  /** Every ready step at once; the first failure stops the request. */
  private async runConcurrently(flow: Flow): Promise<void> {
    // Settled, never rejected: a failing step must not leave its siblings' failures unobserved.
    const running = new Map<number, Promise<{ i: number; err?: unknown }>>();
    for (;;) {
      for (const i of this.ready(flow)) {
        flow.pending.delete(i);
        running.set(
          i,
          this.runStep(flow, i).then(
            () => ({ i }),
            (err: unknown) => ({ i, err }),
          ),
        );
      }
      if (running.size === 0) break;
      const done = await Promise.race(running.values());
      running.delete(done.i);
      if (done.err !== undefined) throw done.err;
    }
  }

  /** Runs step `i` through its member's normal path, keeps what it produced and releases what it read. */
  private async runStep(flow: Flow, i: number): Promise<void> {
    const step = this.steps[i]!;
    const runner = this.resolver.resolve(step.modelName, Number(step.modelVersion));
    const member = runner.config;
    const stepInputs = this.stepInputs(flow, step, member);
    if (flow.stepper) {
      await flow.stepper.beforeStep({ ensemble: this.modelName, step: i, model: step.modelName, inputs: stepInputs, spanId: flow.span?.id ?? 0 });
    }
    const result = await runner.infer({
      id: flow.req.id ?? '',
      inputs: stepInputs,
      outputs: Object.keys(step.outputMap),
      parameters: flow.req.parameters ?? {},
      // Triton's ensemble scheduler gives every step the ensemble request's correlation id and flags.
      ...(flow.req.sequence ? { sequence: flow.req.sequence } : {}),
      trace: { ...flow.parent, step: i },
      ...(flow.req.signal ? { signal: flow.req.signal } : {}),
    });
    if (result.timing) for (const k of ['queueNs', 'inputNs', 'inferNs', 'outputNs'] as const) flow.timing[k] += result.timing[k];
    const batching = member.maxBatchSize > 0;
    const stepBatch = batching ? (stepInputs.find((t) => member.input.some((c) => c.name === t.name && !c.isShapeTensor))?.shape[0] ?? 0) : 0;
    for (const [key, name] of Object.entries(step.outputMap)) {
      const out = result.outputs.find((t) => t.name === key);
      flow.tensors.set(name, { tensor: out ? { name, dtype: out.dtype, shape: out.shape, data: out.data } : null, batchSize: stepBatch, remaining: flow.readers.get(name) ?? 0, owned: true });
    }
    // Release what this step read once nobody else will.
    for (const name of Object.values(step.inputMap)) {
      const entry = flow.tensors.get(name);
      if (entry && --entry.remaining <= 0 && !flow.requested.includes(name)) flow.tensors.delete(name);
    }
  }

  /** A step's request: the tensors it reads under its member's input names, batch and non-batch shapes converted. */
  private stepInputs(flow: Flow, step: ModelEnsembling_Step, member: ModelConfig): Tensor[] {
    const batching = member.maxBatchSize > 0;
    const stepInputs: Tensor[] = [];
    const reads = Object.values(step.inputMap);
    for (const [key, name] of Object.entries(step.inputMap)) {
      const entry = flow.tensors.get(name)!;
      // A tensor the producer did not return is left out of the request (Triton's null placeholder).
      if (!entry.tensor) continue;
      const cfg = member.input.find((x) => x.name === key);
      const shape = cfg ? reshapeTensorDims(toNumbers(cfg.dims), batching, entry.batchSize, entry.tensor.shape) : entry.tensor.shape;
      // The last reader of an intermediate tensor may take its buffer instead of a copy (unless someone is watching it).
      const last = entry.owned && !flow.observed && !flow.requested.includes(name) && entry.remaining === reads.filter((n) => n === name).length && reads.filter((n) => n === name).length === 1;
      stepInputs.push({ name: key, dtype: entry.tensor.dtype, shape, data: entry.tensor.data, ...(last ? { transferable: true } : {}) });
    }
    return stepInputs;
  }

  /** The requested outputs with the ensemble's shapes; one no step produced is Triton's deadlock error. */
  private collect(flow: Flow, batchSize: number): Tensor[] {
    const outputs: Tensor[] = [];
    for (const name of flow.requested) {
      const entry = flow.tensors.get(name);
      if (!entry) {
        throw new LabError('INVALID_ARG', `${this.prefix}${logRequest(flow.req.id)}unexpected deadlock, at least one output is not set while no more ensemble steps can be made`, {
          stage: 'execute',
        });
      }
      // A requested output the composing model did not return is left out of the response, as in Triton.
      if (!entry.tensor) continue;
      const cfg = this.config.output.find((o) => o.name === name);
      const dims = cfg ? toNumbers(cfg.reshape ? cfg.reshape.shape : cfg.dims) : entry.tensor.shape;
      outputs.push({ ...entry.tensor, shape: reshapeTensorDims(dims, batchSize !== 0, entry.batchSize, entry.tensor.shape) });
    }
    return outputs;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
