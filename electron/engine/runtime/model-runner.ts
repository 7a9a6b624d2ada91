/**
 * Runs one loaded model version: Triton's request checks, then a queue in
 * front of the model's instances. Without dynamic batching each request runs
 * alone on the next free instance (Triton's default scheduler). With it, the
 * queue follows Triton's dynamic batcher: batches of a preferred size when
 * they can be formed, waiting up to max_queue_delay_microseconds for one,
 * priority levels, a bounded queue, per-request timeouts and, when asked,
 * responses in arrival order. Every entry point (UI, CLI, HTTP, gRPC, BLS,
 * ensemble steps) ends here.
 */
import type { ModelConfig, ModelDynamicBatching, ModelQueuePolicy } from '../config/gen/model_config_pb';
import { ModelQueuePolicy_TimeoutAction } from '../config/gen/model_config_pb';
import { toNumbers } from '../config/shape';
import { LabError, toLabError } from '../errors';
import { queueFull, requestCancelled, requestTimeout, versionNotReady } from '../triton-errors';
import { type Tensor, elementCount } from '../tensor/tensor';
import { type FailureReason, type ExecutionTimes, firstResponseBuckets, ModelStatistics } from './stats';
import { childContext, requestSpan, type TraceSpan } from './trace';
import type { SequenceStateRow } from '../../contract/lab-api';
import {
  type BackendInstance,
  type InferRequest,
  type InferResult,
  type InstanceResponse,
  type InstanceResult,
  type Parameters,
  type PreparedRequest,
  type RequestTiming,
  type Runner,
  type StreamedResponse,
  responseOutputs,
  responseParameters,
} from './types';
import { SequenceBatcher } from './sequence-batcher';
import { prepareRequest } from './validate-request';

interface Pending {
  prepared: PreparedRequest;
  span?: TraceSpan;
  seq: number;
  level: number;
  enqueuedNs: bigint;
  /** When the request's queue timeout expires (REJECT) or it drops to the back (DELAY). */
  deadlineNs?: bigint;
  delayed: boolean;
  timeoutAction: ModelQueuePolicy_TimeoutAction;
  /** Called when an instance takes the request: it stops counting as pending. */
  started: () => void;
  /** The caller's stream (InferRequest.onResponse), if it takes one. */
  onResponse?: InferRequest['onResponse'];
  /** When the model sent its first response itself (a response sender), for the first-response histogram. */
  firstResponseNs?: number;
  resolve: (done: Done) => void;
  reject: (err: Error) => void;
}

interface Done {
  outputs: Tensor[];
  parameters?: Parameters;
  timing: RequestTiming;
}

/** Summary counters kept for quick checks; the full Triton statistics are in `statistics`. */
export interface RunnerStats {
  success: number;
  failure: number;
  inferenceCount: number;
  executionCount: number;
}

function now(): bigint {
  return process.hrtime.bigint();
}

export class ModelRunner implements Runner {
  readonly modelName: string;
  readonly statistics: ModelStatistics;
  private readonly queue: Pending[] = [];
  /** Execute calls in flight per instance (an instance takes up to its maxConcurrent). */
  private readonly busy = new Map<BackendInstance, number>();
  /** Batches being executed; close() lets them finish. */
  private readonly running = new Set<Promise<void>>();
  private closed = false;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  /** preserve_ordering: requests in arrival order; an answer waits until every earlier one has gone. */
  private readonly order: { seq: number; settle?: () => void }[] = [];
  private readonly batcher: ModelDynamicBatching | undefined;
  /** Triton's sequence batcher, for models with sequence_batching: it decides which requests run where. */
  private readonly sequencer: SequenceBatcher<Pending> | undefined;

  constructor(
    readonly config: ModelConfig,
    readonly version: number,
    readonly instances: BackendInstance[],
    /** Sequence models: initial states read from the model folder (loadInitialStates), and where the batcher's warnings go. */
    options: { initialStates?: ReadonlyMap<string, Tensor>; log?: (level: 'warn', message: string) => void } = {},
  ) {
    this.modelName = config.name;
    this.statistics = new ModelStatistics(firstResponseBuckets(config));
    for (const i of instances) i.onAvailable = () => this.dispatch();
    this.batcher = config.maxBatchSize > 0 && config.schedulingChoice.case === 'dynamicBatching' ? config.schedulingChoice.value : undefined;
    this.sequencer = config.schedulingChoice.case === 'sequenceBatching' ? new SequenceBatcher<Pending>(config, instances, () => this.dispatch(), options.initialStates, options.log) : undefined;
  }

  get stats(): RunnerStats {
    const s = this.statistics;
    return { success: s.success.count, failure: s.fail.count, inferenceCount: s.inferenceCount, executionCount: s.executionCount };
  }

  private policyFor(level: number): ModelQueuePolicy | undefined {
    return this.batcher?.priorityQueuePolicy[String(level)] ?? this.batcher?.defaultQueuePolicy;
  }

  async infer(req: InferRequest): Promise<InferResult> {
    const start = now();
    const trace = req.trace?.trace;
    const span = requestSpan(req.trace, this.modelName, this.version, req.id);
    let reason: FailureReason = 'OTHER';
    // Refused before it was queued (Triton's PrepareForInference, the sequence batcher's checks):
    // Triton returns that error to the client and counts no failure in the model's statistics.
    let refused = true;
    // Pending as Triton counts it: received and not yet handed to an instance.
    let pending = true;
    this.statistics.pending++;
    const started = (): void => {
      if (!pending) return;
      pending = false;
      this.statistics.pending--;
    };
    try {
      if (this.closed) throw versionNotReady(this.modelName, this.version);
      const prepared = prepareRequest(this.config, req);
      // Every backend sees the request's correlation id and flags (Python's correlation_id()), a sequence model or not, as in Triton.
      if (req.sequence) prepared.sequence = req.sequence;
      this.sequencer?.check(prepared);
      if (span && trace?.captureTensors) span.inputs = [...prepared.inputs.values()];
      const held = (req.trace?.held ?? []).filter((h) => h.model === this.modelName && h.version === this.version).map((h) => h.instance);
      if (held.length > 0 && this.instances.every((i) => held.includes(i.name))) {
        throw new LabError(
          'UNAVAILABLE',
          `request to model '${this.modelName}' would wait forever: all ${this.instances.length} of its instances are busy with the request that sent it (a model calling itself needs a free instance; add instances with instance_group count)`,
        );
      }
      refused = false;
      const queued = this.enqueue(prepared, req, span, started);
      reason = 'BACKEND';
      const done = await queued;
      const result: InferResult = { modelName: this.modelName, modelVersion: this.version, id: req.id ?? '', outputs: this.shapeOutputs(prepared, done.outputs), timing: done.timing };
      if (done.parameters) result.parameters = done.parameters;
      if (span && trace?.captureTensors) span.outputs = result.outputs;
      return result;
    } catch (err) {
      const e = toLabError(err);
      // CANCELED: dropped before it ran, as Triton's schedulers count it. A model that answers a
      // cancelled request with an error (Python's is_cancelled()) is a backend failure, as in Triton.
      if (e.code === 'CANCELLED' && e.stage !== 'execute') reason = 'CANCELED';
      else if (e.reason === 'QUEUE_FULL' || e.reason === 'QUEUE_TIMEOUT') reason = 'REJECTED';
      if (!refused) this.statistics.recordFailure(Number(now() - start), reason);
      if (span) span.error = e.message;
      throw err;
    } finally {
      started();
      if (span) span.requestEnd = trace!.now();
    }
  }

  private enqueue(prepared: PreparedRequest, req: InferRequest, span: TraceSpan | undefined, started: () => void): Promise<Done> {
    const level = this.priorityOf(req);
    const policy = this.policyFor(level);
    if (this.batcher && policy && policy.maxQueueSize > 0 && this.queue.filter((p) => p.level === level).length >= policy.maxQueueSize) {
      return Promise.reject(queueFull(req.id));
    }
    const enqueuedNs = now();
    let timeoutUs = policy ? Number(policy.defaultTimeoutMicroseconds) : 0;
    const asked = Number(req.parameters?.['timeout'] ?? 0);
    // A request may only shorten the policy's timeout, and only when the policy allows it.
    if (timeoutUs > 0 && policy?.allowTimeoutOverride && asked > 0) timeoutUs = Math.min(timeoutUs, asked);
    return new Promise((resolve, reject) => {
      if (span) span.queueStart = req.trace!.trace!.now();
      const seq = this.seq++;
      if (this.batcher?.preserveOrdering) this.order.push({ seq });
      const p: Pending = {
        prepared,
        ...(span ? { span } : {}),
        seq,
        level,
        enqueuedNs,
        ...(this.batcher && timeoutUs > 0 ? { deadlineNs: enqueuedNs + BigInt(Math.round(timeoutUs * 1000)) } : {}),
        delayed: false,
        timeoutAction: policy?.timeoutAction ?? ModelQueuePolicy_TimeoutAction.REJECT,
        started,
        ...(req.onResponse ? { onResponse: req.onResponse } : {}),
        resolve,
        reject,
      };
      if (this.sequencer) this.sequencer.enqueue(p, asked);
      else this.queue.push(p);
      if (this.signal(req, p)) return;
      this.dispatch();
    });
  }

  /**
   * An aborted request leaves the queue at once. The listener goes once the request settles: a
   * signal can outlive many requests (one per gRPC stream), and the listener holds the request.
   */
  private signal(req: InferRequest, p: Pending): boolean {
    const sig = req.signal;
    if (!sig) return false;
    const drop = (): void => {
      const i = this.queue.indexOf(p);
      if (i >= 0 || this.sequencer?.remove(p)) {
        if (i >= 0) this.queue.splice(i, 1);
        this.forget(p.seq);
        p.reject(requestCancelled(req.id));
      }
    };
    if (sig.aborted) {
      drop();
      return true;
    }
    sig.addEventListener('abort', drop, { once: true });
    const { resolve, reject } = p;
    const off = (): void => sig.removeEventListener('abort', drop);
    p.resolve = (done) => {
      off();
      resolve(done);
    };
    p.reject = (err) => {
      off();
      reject(err);
    };
    return false;
  }

  private priorityOf(req: InferRequest): number {
    const levels = Number(this.batcher?.priorityLevels ?? 0n);
    if (levels === 0) return 0;
    const asked = Number(req.parameters?.['priority'] ?? 0);
    return asked >= 1 && asked <= levels ? asked : Number(this.batcher!.defaultPriorityLevel);
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

  /** Queue order: priority level, then delayed requests last, then arrival. */
  private ordered(): Pending[] {
    return [...this.queue].sort((a, b) => a.level - b.level || Number(a.delayed) - Number(b.delayed) || a.seq - b.seq);
  }

  private expire(t: bigint): void {
    for (const p of [...this.queue]) {
      if (p.deadlineNs === undefined || p.deadlineNs > t || p.delayed) continue;
      if (p.timeoutAction === ModelQueuePolicy_TimeoutAction.DELAY) {
        p.delayed = true;
        continue;
      }
      this.queue.splice(this.queue.indexOf(p), 1);
      this.forget(p.seq);
      p.reject(requestTimeout());
    }
  }

  private heldBy(p: Pending): Set<string> {
    return new Set((p.prepared.trace?.held ?? []).filter((h) => h.model === this.modelName && h.version === this.version).map((h) => h.instance));
  }

  private dispatch(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const t = now();
    this.expire(t);
    if (this.sequencer) {
      for (const { instance, batch } of this.sequencer.take((i) => this.free(i))) this.launch(instance, batch);
      return;
    }
    let wakeAt: bigint | undefined;
    for (;;) {
      const queue = this.ordered();
      if (queue.length === 0) break;
      let picked: { instance: BackendInstance; batch: Pending[] } | undefined;
      for (const first of queue) {
        const held = this.heldBy(first);
        const instance = this.pick(held);
        if (!instance) continue;
        if (!this.batcher) {
          picked = { instance, batch: [first] };
          break;
        }
        const decision = this.formBatch(first, queue, instance, t);
        if (decision.batch) {
          picked = { instance, batch: decision.batch };
          break;
        }
        if (decision.wakeAt !== undefined && (wakeAt === undefined || decision.wakeAt < wakeAt)) wakeAt = decision.wakeAt;
        // The oldest request is waiting for a fuller batch: later ones wait with it.
        break;
      }
      if (!picked) break;
      for (const p of picked.batch) this.queue.splice(this.queue.indexOf(p), 1);
      this.launch(picked.instance, picked.batch);
    }
    const deadlines = this.queue.map((p) => p.deadlineNs).filter((d): d is bigint => d !== undefined);
    for (const d of deadlines) if (wakeAt === undefined || d < wakeAt) wakeAt = d;
    if (wakeAt !== undefined && this.queue.length > 0) {
      const ms = Math.max(0, Number(wakeAt - now()) / 1e6);
      this.timer = setTimeout(() => this.dispatch(), Math.ceil(ms));
    }
  }

  /**
   * Triton's dynamic batcher (dynamic_batch_scheduler.cc GetDynamicBatch):
   * walk the queue from the oldest request, stopping at max_batch_size or at
   * a request whose shapes differ from the batch's, and remember where a
   * preferred size was reached (or where the largest preferred size would be
   * passed). A preferred batch goes at once; otherwise the batch goes when it
   * cannot grow or once the oldest request has waited max_queue_delay.
   */
  private formBatch(first: Pending, queue: Pending[], instance: BackendInstance, t: bigint): { batch?: Pending[]; wakeAt?: bigint } {
    const b = this.batcher!;
    const mbs = this.config.maxBatchSize;
    const preferred = new Set([...b.preferredBatchSize].filter((n) => n > 0 && n <= mbs));
    const maxPreferred = preferred.size > 0 ? Math.max(...preferred) : mbs;
    const signature = shapeSignature(first.prepared);
    const members: Pending[] = [];
    let size = 0;
    let best: number | undefined;
    let full = false;
    for (const p of queue.slice(queue.indexOf(first))) {
      if (this.heldBy(p).has(instance.name)) continue;
      const n = Math.max(1, p.prepared.batchSize);
      if (members.length > 0) {
        if (size + n > maxPreferred && best === undefined) best = members.length;
        if (size + n > mbs || shapeSignature(p.prepared) !== signature) {
          full = true;
          break;
        }
      }
      members.push(p);
      size += n;
      if (preferred.has(size)) best = members.length;
    }
    const delayNs = b.maxQueueDelayMicroseconds * 1000n;
    const oldest = queue.reduce((o, p) => (p.enqueuedNs < o ? p.enqueuedNs : o), first.enqueuedNs);
    const delayExceeded = delayNs > 0n && t - oldest >= delayNs;
    if (best !== undefined && !delayExceeded) return { batch: members.slice(0, best) };
    if (full || size >= maxPreferred || delayExceeded || delayNs === 0n) return { batch: members };
    return { wakeAt: oldest + delayNs };
  }

  private launch(instance: BackendInstance, batch: Pending[]): void {
    const run = this.run(instance, batch).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private free(i: BackendInstance): boolean {
    return (this.busy.get(i) ?? 0) < Math.max(1, i.maxConcurrent ?? 1);
  }

  /**
   * A free instance the request does not hold, the least busy first: instances that take several
   * executes at once (async Python models) share the load, as Triton's instances each take the next
   * request when they are idle, instead of the first taking all.
   */
  private pick(held: Set<string>): BackendInstance | undefined {
    let best: BackendInstance | undefined;
    for (const i of this.instances) {
      if (!this.free(i) || held.has(i.name)) continue;
      if (!best || (this.busy.get(i) ?? 0) < (this.busy.get(best) ?? 0)) best = i;
    }
    return best;
  }

  private times(instance: BackendInstance, totalNs: number): ExecutionTimes {
    const inferNs = Math.min(totalNs, instance.lastOwnNs ?? totalNs);
    const inputNs = Math.min(totalNs - inferNs, instance.lastInputNs ?? 0);
    return { inputNs, inferNs, outputNs: Math.max(0, totalNs - inferNs - inputNs) };
  }

  private async run(instance: BackendInstance, batch: Pending[]): Promise<void> {
    this.busy.set(instance, (this.busy.get(instance) ?? 0) + 1);
    const start = now();
    for (const p of batch) {
      p.started();
      const trace = p.span && p.prepared.trace?.trace;
      if (p.span && trace) {
        p.span.computeStart = trace.now();
        p.span.instance = instance.name;
        p.span.batchedWith = batch.length;
      }
      // Calls this request makes (BLS) must not wait for the instance it holds.
      p.prepared.trace = childContext(p.prepared.trace, p.span, 'bls', { hold: { model: this.modelName, version: this.version, instance: instance.name } });
    }
    const streams = batch.map((p) => this.stream(p));
    let results: InstanceResult[];
    try {
      results = await instance.execute(batch.map((p) => p.prepared));
      if (results.length !== batch.length) throw new LabError('INTERNAL', `instance ${instance.name} returned ${results.length} results for ${batch.length} requests`);
    } catch (err) {
      const e = toLabError(err);
      results = batch.map(() => e);
    } finally {
      const n = (this.busy.get(instance) ?? 1) - 1;
      if (n > 0) this.busy.set(instance, n);
      else this.busy.delete(instance);
    }
    if (this.sequencer) results = this.sequencer.finished(batch, results);
    const end = now();
    const times = this.times(instance, Number(end - start));
    const elements = batch.reduce((n, p) => n + Math.max(1, p.prepared.batchSize), 0);
    this.statistics.recordExecution(elements, times);
    batch.forEach((p, i) => {
      const trace = p.span && p.prepared.trace?.trace;
      if (p.span && trace) {
        p.span.computeEnd = trace.now();
        p.span.ownNs = times.inferNs;
      }
      const r = streams[i]!.outcome(results[i]!);
      const settle = (): void => {
        if (r instanceof Error) {
          const e = toLabError(r);
          e.stage = 'execute';
          p.reject(e);
        } else {
          const queueNs = Number(start - p.enqueuedNs);
          this.statistics.recordSuccess(Number(now() - p.enqueuedNs), queueNs, times, Math.max(1, p.prepared.batchSize), p.firstResponseNs);
          const parameters = responseParameters(r);
          p.resolve({ outputs: responseOutputs(r), ...(parameters ? { parameters } : {}), timing: { queueNs, ...times } });
        }
      };
      this.release(p.seq, settle);
    });
    this.dispatch();
  }

  /**
   * Connects a request to backends that send responses themselves (Triton's response sender).
   * A caller with a stream gets each response as it is sent, and the request's outcome is the
   * last response; a caller without one gets the single response, and a model that sent more
   * than one fails the request (the engine's one-answer path cannot carry them).
   */
  private stream(p: Pending): { outcome(returned: InstanceResult): InstanceResult } {
    const responses: (Tensor[] | InstanceResponse | Error)[] = [];
    let final = false;
    p.prepared.respond = (response, last) => {
      if (final) return;
      final = last;
      if (response) p.firstResponseNs ??= Number(now() - p.enqueuedNs);
      if (response) responses.push(response);
      this.tell(p, response, last);
    };
    return {
      outcome: (returned) => {
        if (!final) {
          // A response already sent stands; the error that followed it (execute() failing after it) is
          // dropped, as Triton's frontends keep a request's first response.
          const sent = responses[0];
          if (returned instanceof Error && sent && !(sent instanceof Error) && !p.onResponse) return sent;
          // Answered once, the usual way: a stream still hears of it (unless the request failed as a whole).
          if (!(returned instanceof Error)) this.tell(p, returned, true);
          return returned;
        }
        if (p.onResponse) return responses.filter((x): x is Tensor[] | InstanceResponse => !(x instanceof Error)).at(-1) ?? [];
        const last = responses.at(-1);
        if (responses.length <= 1 || last instanceof Error) return last ?? [];
        // Several responses on a path that takes one (a decoupled model outside a stream): Triton's
        // HTTP and gRPC ModelInfer callbacks answer this.
        return new LabError('INTERNAL', `expected a single response, got ${responses.length}`);
      },
    };
  }

  /** Passes one response to the caller's stream, if it has one. */
  private tell(p: Pending, response: Tensor[] | InstanceResponse | Error | null, final: boolean): void {
    if (!p.onResponse) return;
    let streamed: StreamedResponse = null;
    if (response instanceof Error) streamed = toLabError(response);
    else if (response) {
      const parameters = responseParameters(response);
      streamed = { modelName: this.modelName, modelVersion: this.version, id: p.prepared.id, outputs: this.shapeOutputs(p.prepared, responseOutputs(response)) };
      if (parameters) streamed.parameters = parameters;
    }
    try {
      p.onResponse(streamed, final);
    } catch {
      // A caller whose stream broke (a closed connection) must not break the backend sending to it.
    }
  }

  /** With preserve_ordering, answers go out in arrival order; otherwise at once. */
  private release(seq: number, settle: () => void): void {
    const entry = this.order.find((o) => o.seq === seq);
    if (!entry) return settle();
    entry.settle = settle;
    this.flush();
  }

  /** A request that left the queue without running (rejected, cancelled) no longer holds back later answers. */
  private forget(seq: number): void {
    const i = this.order.findIndex((o) => o.seq === seq);
    if (i >= 0) this.order.splice(i, 1);
    this.flush();
  }

  private flush(): void {
    while (this.order[0]?.settle) this.order.shift()!.settle!();
  }

  async close(graceMs?: number): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const pending = [...this.queue.splice(0), ...(this.sequencer?.close() ?? [])];
    for (const p of pending) {
      this.forget(p.seq);
      p.reject(new LabError('UNAVAILABLE', `model '${this.modelName}' was unloaded`));
    }
    // Requests already executing finish first, as Triton drains in-flight requests before unloading
    // (within the grace time when there is one: then the instances are stopped under them).
    const deadline = graceMs === undefined ? undefined : Date.now() + Math.max(0, graceMs);
    const executing = Promise.all([...this.running]);
    if (deadline === undefined) await executing;
    else await Promise.race([executing, delay(deadline - Date.now())]);
    const left = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
    await Promise.all(this.instances.map((i) => i.close(left).catch(() => undefined)));
  }

  sequences(): SequenceStateRow[] {
    return this.sequencer?.rows(this.version) ?? [];
  }

  async kill(): Promise<void> {
    this.closed = true;
    await Promise.all(this.instances.map((i) => i.kill?.().catch(() => undefined)));
  }
}

function shapeSignature(p: PreparedRequest): string {
  let s = '';
  for (const [name, t] of p.inputs) s += `${name}:${t.dtype}:${t.shape.slice(p.batchSize > 0 ? 1 : 0).join('x')};`;
  return s;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => {
    setTimeout(r, Math.max(0, ms)).unref?.();
  });
}
