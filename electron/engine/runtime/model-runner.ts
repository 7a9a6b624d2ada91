/**
 * Runs one loaded model version: Triton's request checks, a queue in front
 * of the model's instances, requests batched together when the model has
 * dynamic batching, results cut back to what each request asked for.
 * Every entry point (UI, CLI, HTTP, BLS, ensemble steps) ends here.
 */
import type { ModelConfig } from '../config/gen/model_config_pb';
import { toNumbers } from '../config/shape';
import { LabError, toLabError } from '../errors';
import { type Tensor, elementCount } from '../tensor/tensor';
import { childContext, type TraceSpan } from './trace';
import type { BackendInstance, InferRequest, InferResult, InstanceResult, PreparedRequest, Runner } from './types';
import { prepareRequest } from './validate-request';

interface Pending {
  prepared: PreparedRequest;
  span?: TraceSpan;
  resolve: (outputs: Tensor[]) => void;
  reject: (err: Error) => void;
}

export interface RunnerStats {
  success: number;
  failure: number;
  /** Inferences, counting each batch element (Triton's inference_count). */
  inferenceCount: number;
  /** Times an instance ran (Triton's execution_count). */
  executionCount: number;
  queueNs: number;
  computeNs: number;
}

export class ModelRunner implements Runner {
  readonly modelName: string;
  readonly stats: RunnerStats = { success: 0, failure: 0, inferenceCount: 0, executionCount: 0, queueNs: 0, computeNs: 0 };
  private readonly queue: Pending[] = [];
  private readonly busy = new Set<BackendInstance>();
  /** Batches being executed; close() lets them finish. */
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    readonly config: ModelConfig,
    readonly version: number,
    readonly instances: BackendInstance[],
  ) {
    this.modelName = config.name;
  }

  /** Whether queued requests may be run together (Triton's dynamic batcher). */
  private get batching(): boolean {
    return this.config.maxBatchSize > 0 && this.config.schedulingChoice.case === 'dynamicBatching';
  }

  async infer(req: InferRequest): Promise<InferResult> {
    const trace = req.trace?.trace;
    const span = trace?.start({
      kind: req.trace?.kind ?? 'request',
      model: this.modelName,
      version: this.version,
      requestId: req.id ?? '',
      ...(req.trace?.parentSpan !== undefined ? { parentId: req.trace.parentSpan } : {}),
      ...(req.trace?.step !== undefined ? { step: req.trace.step } : {}),
    });
    try {
      if (this.closed) throw new LabError('UNAVAILABLE', `Request for unknown model: '${this.modelName}' version ${this.version} is not at ready state`);
      const prepared = prepareRequest(this.config, req);
      if (span && trace?.captureTensors) span.inputs = [...prepared.inputs.values()];
      const held = (req.trace?.held ?? []).filter((h) => h.model === this.modelName && h.version === this.version).map((h) => h.instance);
      if (held.length > 0 && this.instances.every((i) => held.includes(i.name))) {
        throw new LabError(
          'UNAVAILABLE',
          `request to model '${this.modelName}' would wait forever: all ${this.instances.length} of its instances are busy with the request that sent it (a model calling itself needs a free instance; add instances with instance_group count)`,
        );
      }
      const outputs = await new Promise<Tensor[]>((resolve, reject) => {
        if (span) span.queueStart = trace!.now();
        this.queue.push({ prepared, ...(span ? { span } : {}), resolve, reject });
        this.dispatch();
      });
      const result = { modelName: this.modelName, modelVersion: this.version, id: req.id ?? '', outputs: this.shapeOutputs(prepared, outputs) };
      this.stats.success++;
      this.stats.inferenceCount += Math.max(1, prepared.batchSize);
      if (span && trace?.captureTensors) span.outputs = result.outputs;
      return result;
    } catch (err) {
      this.stats.failure++;
      if (span) span.error = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      if (span) span.requestEnd = trace!.now();
    }
  }

  /** Keeps the requested outputs, in the order asked, with their API shapes (reshape undone). */
  private shapeOutputs(prepared: PreparedRequest, produced: Tensor[]): Tensor[] {
    const byName = new Map(produced.map((t) => [t.name, t]));
    const out: Tensor[] = [];
    for (const name of prepared.requested) {
      const t = byName.get(name);
      if (!t) continue;
      const cfg = this.config.output.find((o) => o.name === name);
      if (cfg?.reshape) {
        const dims = toNumbers(cfg.dims);
        const lead = prepared.batchSize > 0 ? [t.shape[0]!] : [];
        const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        const per = elementCount(t.shape) / Math.max(1, lead[0] ?? 1);
        const shape = [...lead, ...dims.map((d) => (d === -1 ? per / known : d))];
        out.push({ ...t, shape });
      } else out.push(t);
    }
    return out;
  }

  private freeInstance(p: Pending): BackendInstance | undefined {
    const held = new Set((p.prepared.trace?.held ?? []).filter((h) => h.model === this.modelName).map((h) => h.instance));
    return this.instances.find((i) => !this.busy.has(i) && !held.has(i.name));
  }

  private dispatch(): void {
    for (let qi = 0; qi < this.queue.length; ) {
      const first = this.queue[qi]!;
      const instance = this.freeInstance(first);
      if (!instance) {
        qi++;
        continue;
      }
      const batch = [first];
      this.queue.splice(qi, 1);
      if (this.batching) {
        let size = Math.max(1, first.prepared.batchSize);
        const signature = shapeSignature(first.prepared);
        for (let j = qi; j < this.queue.length && size < this.config.maxBatchSize; ) {
          const next = this.queue[j]!;
          const n = Math.max(1, next.prepared.batchSize);
          if (size + n <= this.config.maxBatchSize && shapeSignature(next.prepared) === signature && this.freeInstanceFor(next, instance)) {
            batch.push(next);
            this.queue.splice(j, 1);
            size += n;
          } else j++;
        }
      }
      const run = this.run(instance, batch).finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  private freeInstanceFor(p: Pending, instance: BackendInstance): boolean {
    return !(p.prepared.trace?.held ?? []).some((h) => h.model === this.modelName && h.instance === instance.name);
  }

  private async run(instance: BackendInstance, batch: Pending[]): Promise<void> {
    this.busy.add(instance);
    const start = process.hrtime.bigint();
    for (const p of batch) {
      const trace = p.span && p.prepared.trace?.trace;
      if (p.span && trace) {
        p.span.computeStart = trace.now();
        p.span.instance = instance.name;
        p.span.batchedWith = batch.length;
        this.stats.queueNs += p.span.computeStart - (p.span.queueStart ?? p.span.computeStart);
      }
      // Calls this request makes (BLS) must not wait for the instance it holds.
      p.prepared.trace = childContext(p.prepared.trace, p.span, 'bls', { hold: { model: this.modelName, version: this.version, instance: instance.name } });
    }
    let results: InstanceResult[];
    try {
      results = await instance.execute(batch.map((p) => p.prepared));
      if (results.length !== batch.length) throw new LabError('INTERNAL', `instance ${instance.name} returned ${results.length} results for ${batch.length} requests`);
    } catch (err) {
      const e = toLabError(err);
      results = batch.map(() => e);
    } finally {
      this.busy.delete(instance);
    }
    this.stats.executionCount++;
    this.stats.computeNs += Number(process.hrtime.bigint() - start);
    const own = instance.lastOwnNs;
    batch.forEach((p, i) => {
      const trace = p.span && p.prepared.trace?.trace;
      if (p.span && trace) {
        p.span.computeEnd = trace.now();
        if (own !== undefined) p.span.ownNs = own;
      }
      const r = results[i]!;
      if (r instanceof Error) {
        const e = toLabError(r);
        e.stage = 'execute';
        p.reject(e);
      } else p.resolve(r);
    });
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.queue.splice(0);
    for (const p of pending) p.reject(new LabError('UNAVAILABLE', `model '${this.modelName}' was unloaded`));
    // Requests already executing finish first, as Triton drains in-flight requests before unloading.
    await Promise.all([...this.running]);
    await Promise.all(this.instances.map((i) => i.close().catch(() => undefined)));
  }
}

function shapeSignature(p: PreparedRequest): string {
  let s = '';
  for (const [name, t] of p.inputs) s += `${name}:${t.dtype}:${t.shape.slice(p.batchSize > 0 ? 1 : 0).join('x')};`;
  return s;
}
