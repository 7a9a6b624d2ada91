/**
 * Triton's sequence batcher (core sequence_batch_scheduler.cc), in front of a
 * model version's instances. A stateful model sees every request of one
 * sequence (one correlation id) on the same instance and slot, one at a time
 * and in order; requests of different sequences on that instance may run
 * together in a batch. Each request gets the control tensors the config asks
 * for (START, END, READY, CORRID, with their data types) and the implicit
 * state (sequence_batching.state) carried from the request before it. A
 * sequence that cannot get a slot waits in a backlog until one frees (its
 * requests failing once their timeout passes); one that stays idle past
 * max_sequence_idle_microseconds is dropped, so its next request needs START
 * again. Deviation: slots without a request are not padded with NOT-READY
 * null requests (see docs/TRITON-PARITY.md).
 *
 * It only decides which requests run where and when; the model runner runs
 * them (statistics, streams, ordering), so every entry point shares it.
 */
import path from 'node:path';
import type { SequenceStateRow } from '../../contract/lab-api';
import type { ModelConfig, ModelSequenceBatching, ModelSequenceBatching_Control, ModelSequenceBatching_State } from '../config/gen/model_config_pb';
import { DataType, ModelSequenceBatching_Control_Kind as Kind } from '../config/gen/model_config_pb';
import { toNumbers } from '../config/shape';
import { LabError } from '../errors';
import { apiDType, apiTypeName } from '../tensor/dtype';
import { allocate, deserializeBytes, type Tensor, elementCount, elementSize, viewAs } from '../tensor/tensor';
import { readContained } from '../repository/containment';
import { requestCancelled, sequenceBatchSize, sequenceCorrelationIdType, sequenceIdTooLong, sequenceNoCorrelationId, sequenceNotStarted, sequenceTimeoutExpired } from '../triton-errors';
import { type BackendInstance, type InstanceResult, type PreparedRequest, type SequenceFlags, responseOutputs } from './types';

/** What the batcher needs of a queued request (the model runner's pending entry). */
export interface SequenceEntry {
  prepared: PreparedRequest;
  enqueuedNs: bigint;
  reject: (err: Error) => void;
}

interface Slot<E> {
  instance: BackendInstance;
  index: number;
  sequence?: Sequence<E>;
}

interface Sequence<E> {
  id: bigint | string;
  text: string;
  slot?: Slot<E>;
  /** Requests waiting their turn, oldest first. */
  queue: E[];
  /** A request of it is executing (the next waits for it). */
  running: boolean;
  /** END went through (or it went idle): no more requests join it; the slot frees once its queue is done. */
  ended: boolean;
  state: Map<string, Tensor>;
  requests: number;
  lastAtMs: number;
  lastNs: bigint;
  /** Backlogged only: when its requests fail for their timeout. */
  expiresNs?: bigint;
}

/** How one boolean control (START, END or READY) is written: tensor name, type and its false/true values. */
interface BoolControl {
  kind: Kind;
  tensor: string;
  dtype: 'INT32' | 'FP32' | 'BOOL';
  values: [number, number];
}

const now = (): bigint => process.hrtime.bigint();

/** The request's correlation id as Triton prints it. */
export function correlationText(id: bigint | string): string {
  return typeof id === 'string' ? id : id.toString();
}

/** True when the flags name a sequence (a non-zero or non-empty id). */
function inSequence(flags: SequenceFlags | undefined): flags is SequenceFlags {
  return flags !== undefined && (typeof flags.id === 'string' ? flags.id !== '' : flags.id !== 0n);
}

function boolControl(tensor: string, ctl: ModelSequenceBatching_Control): BoolControl {
  if (ctl.int32FalseTrue.length === 2) return { kind: ctl.kind, tensor, dtype: 'INT32', values: [ctl.int32FalseTrue[0]!, ctl.int32FalseTrue[1]!] };
  if (ctl.fp32FalseTrue.length === 2) return { kind: ctl.kind, tensor, dtype: 'FP32', values: [ctl.fp32FalseTrue[0]!, ctl.fp32FalseTrue[1]!] };
  return { kind: ctl.kind, tensor, dtype: 'BOOL', values: [Number(ctl.boolFalseTrue[0] ?? false), Number(ctl.boolFalseTrue[1] ?? true)] };
}

function scalar(name: string, dtype: BoolControl['dtype'], value: number, shape: number[]): Tensor {
  const data = dtype === 'INT32' ? Int32Array.of(value) : dtype === 'FP32' ? Float32Array.of(value) : Uint8Array.of(value ? 1 : 0);
  return { name, dtype, shape, data };
}

/** The CORRID control tensor: the id in the control's type (integers cut to their width as Triton copies them). */
function corridTensor(name: string, type: DataType, id: bigint | string, shape: number[]): Tensor {
  if (typeof id === 'string') return { name, dtype: 'BYTES', shape, data: [new TextEncoder().encode(id)] };
  switch (type) {
    case DataType.TYPE_INT64:
      return { name, dtype: 'INT64', shape, data: BigInt64Array.of(BigInt.asIntN(64, id)) };
    case DataType.TYPE_UINT32:
      return { name, dtype: 'UINT32', shape, data: Uint32Array.of(Number(BigInt.asUintN(32, id))) };
    case DataType.TYPE_INT32:
      return { name, dtype: 'INT32', shape, data: Int32Array.of(Number(BigInt.asIntN(32, id))) };
    default:
      return { name, dtype: 'UINT64', shape, data: BigUint64Array.of(BigInt.asUintN(64, id)) };
  }
}

export class SequenceBatcher<E extends SequenceEntry> {
  private readonly sb: ModelSequenceBatching;
  private readonly model: string;
  private readonly slots: Slot<E>[] = [];
  /** The sequences holding a slot of each instance. */
  private readonly bound = new Map<BackendInstance, Set<Sequence<E>>>();
  /** The sequence of each request executing now. */
  private readonly runningIn = new WeakMap<E, Sequence<E>>();
  /** Live sequences by id (an ended one leaves at once; its slot stays busy until its queue is done). */
  private readonly live = new Map<string, Sequence<E>>();
  /** Sequences waiting for a slot, oldest first. */
  private readonly backlog: Sequence<E>[] = [];
  private readonly bools: BoolControl[] = [];
  private corrid?: { tensor: string; type: DataType };
  private readonly idleNs: bigint;
  private readonly controlShape: number[];
  private timer: NodeJS.Timeout | undefined;
  private timerAt: bigint | undefined;

  constructor(
    private readonly config: ModelConfig,
    instances: readonly BackendInstance[],
    /** Called when a timer fires (idle sequences, backlog timeouts, queue delays): the runner dispatches again. */
    private readonly wake: () => void,
    /** Initial states read from the model folder (initial_state data_file), by state input name. */
    private readonly initialStates: ReadonlyMap<string, Tensor> = new Map(),
    private readonly log?: (level: 'warn', message: string) => void,
  ) {
    if (config.schedulingChoice.case !== 'sequenceBatching') throw new LabError('INTERNAL', `model '${config.name}' has no sequence_batching`);
    this.sb = config.schedulingChoice.value;
    this.model = config.name;
    this.idleNs = (this.sb.maxSequenceIdleMicroseconds || 1_000_000n) * 1000n;
    this.controlShape = config.maxBatchSize > 0 ? [1, 1] : [1];
    const perInstance =
      this.sb.strategyChoice.case === 'oldest' && this.sb.strategyChoice.value.maxCandidateSequences > 0 ? this.sb.strategyChoice.value.maxCandidateSequences : Math.max(1, config.maxBatchSize);
    // Slot 0 of every instance first, then slot 1…, as Triton's ready-slot queue orders them: sequences spread over the instances.
    for (let index = 0; index < perInstance; index++) for (const instance of instances) this.slots.push({ instance, index });
    for (const instance of instances) this.bound.set(instance, new Set());
    for (const ci of this.sb.controlInput) {
      for (const ctl of ci.control) {
        if (ctl.kind === Kind.CONTROL_SEQUENCE_CORRID) this.corrid = { tensor: ci.name, type: ctl.dataType };
        else this.bools.push(boolControl(ci.name, ctl));
      }
    }
  }

  /**
   * Triton's checks of a request to a sequence model, in its order (Normalize's correlation id type, then
   * the scheduler's batch size, id and START checks); throws the error the request fails with.
   */
  check(prepared: PreparedRequest): void {
    const flags = prepared.sequence;
    // 128 bytes, as std::string::length counts them.
    if (flags && typeof flags.id === 'string' && Buffer.byteLength(flags.id, 'utf8') > 128) throw sequenceIdTooLong();
    // As Triton's ValidateCorrelationId: a request without an id holds the uint64 0, so it too must fit the CORRID type.
    if (this.corrid) {
      const isString = typeof flags?.id === 'string';
      if (isString !== (this.corrid.type === DataType.TYPE_STRING)) {
        throw sequenceCorrelationIdType(prepared.id, this.corrid.tensor, isString ? 'BYTES' : 'UINT64', this.model, apiTypeName(this.corrid.type));
      }
    }
    if (prepared.batchSize > 1) throw sequenceBatchSize(this.model);
    if (!inSequence(flags)) throw sequenceNoCorrelationId(this.model);
    if (!flags.start && !this.live.has(this.key(flags.id))) throw sequenceNotStarted(correlationText(flags.id), this.model);
  }

  private key(id: bigint | string): string {
    return typeof id === 'string' ? `s:${id}` : `u:${id}`;
  }

  /** Takes a checked request: it joins its sequence (a new one on START), bound to a free slot or backlogged. */
  enqueue(entry: E, timeoutUs = 0): void {
    const flags = entry.prepared.sequence!;
    const key = this.key(flags.id);
    let seq = this.live.get(key);
    if (flags.start && seq) {
      this.log?.(
        'warn',
        `sequence ${correlationText(flags.id)} for model '${this.model}' has a conflict. The previous sequence did not end before this sequence start. Previous sequence will be terminated early.`,
      );
    }
    if (!seq) {
      seq = { id: flags.id, text: correlationText(flags.id), queue: [], running: false, ended: false, state: new Map(), requests: 0, lastAtMs: 0, lastNs: 0n };
      const slot = this.slots.find((s) => !s.sequence);
      if (slot) this.bind(seq, slot);
      else this.backlog.push(seq);
      this.live.set(key, seq);
    }
    seq.queue.push(entry);
    seq.requests++;
    seq.lastAtMs = Date.now();
    seq.lastNs = now();
    if (!seq.slot && timeoutUs > 0) {
      const at = seq.lastNs + BigInt(Math.round(timeoutUs * 1000));
      seq.expiresNs = seq.expiresNs === undefined || at < seq.expiresNs ? at : seq.expiresNs;
    }
    if (flags.end) {
      seq.ended = true;
      this.live.delete(key);
    }
  }

  private bind(seq: Sequence<E>, slot: Slot<E>): void {
    seq.slot = slot;
    delete seq.expiresNs;
    slot.sequence = seq;
    this.bound.get(slot.instance)!.add(seq);
  }

  /**
   * Drops a queued request that was cancelled; false when it is not waiting here (already running).
   * As Triton's batcher force-ends a sequence whose next request was cancelled, the sequence ends:
   * its other queued requests fail CANCELLED too, and its next request needs START.
   */
  remove(entry: E): boolean {
    for (const seq of this.sequences()) {
      const i = seq.queue.indexOf(entry);
      if (i < 0) continue;
      seq.queue.splice(i, 1);
      const others = seq.queue.splice(0);
      seq.ended = true;
      const key = this.key(seq.id);
      if (this.live.get(key) === seq) this.live.delete(key);
      this.settle(seq);
      for (const e of others) e.reject(requestCancelled(e.prepared.id));
      return true;
    }
    return false;
  }

  private *sequences(): Iterable<Sequence<E>> {
    const seen = new Set<Sequence<E>>();
    for (const set of this.bound.values()) for (const seq of set) seen.add(seq);
    for (const s of this.backlog) seen.add(s);
    yield* seen;
  }

  /** Frees the slot of a sequence that ended and has nothing left to run, and gives it to the oldest backlogged sequence. */
  private settle(seq: Sequence<E>): void {
    if (!seq.ended || seq.running || seq.queue.length > 0) return;
    const slot = seq.slot;
    if (!slot) {
      const i = this.backlog.indexOf(seq);
      if (i >= 0) this.backlog.splice(i, 1);
      return;
    }
    delete slot.sequence;
    delete seq.slot;
    this.bound.get(slot.instance)!.delete(seq);
    const next = this.backlog.shift();
    if (next) this.bind(next, slot);
  }

  /**
   * The batches to run now, one per free instance: the next request of each sequence bound to that
   * instance (none of whose requests is executing), with its control and state tensors added.
   */
  take(free: (instance: BackendInstance) => boolean): { instance: BackendInstance; batch: E[] }[] {
    const t = now();
    this.reap(t);
    const out: { instance: BackendInstance; batch: E[] }[] = [];
    let wakeAt: bigint | undefined;
    for (const instance of this.bound.keys()) {
      if (!free(instance)) continue;
      const decision = this.formBatch(instance, t);
      if (decision.wakeAt !== undefined && (wakeAt === undefined || decision.wakeAt < wakeAt)) wakeAt = decision.wakeAt;
      if (decision.batch.length === 0) continue;
      for (const seq of decision.batch) {
        seq.running = true;
        this.prepare(seq, seq.queue[0]!.prepared);
      }
      const batch = decision.batch.map((seq) => {
        const entry = seq.queue.shift()!;
        this.runningIn.set(entry, seq);
        return entry;
      });
      out.push({ instance, batch });
    }
    this.schedule(wakeAt, t);
    return out;
  }

  private formBatch(instance: BackendInstance, t: bigint): { batch: Sequence<E>[]; wakeAt?: bigint } {
    const ready = [...this.bound.get(instance)!].filter((seq) => !seq.running && seq.queue.length > 0);
    if (ready.length === 0) return { batch: [] };
    const strategy = this.sb.strategyChoice;
    if (strategy.case === 'oldest') ready.sort((a, b) => (a.queue[0]!.enqueuedNs < b.queue[0]!.enqueuedNs ? -1 : 1));
    else ready.sort((a, b) => a.slot!.index - b.slot!.index);
    const signature = shapeSignature(ready[0]!.queue[0]!.prepared);
    const limit = Math.max(1, this.config.maxBatchSize);
    const batch = ready.filter((s) => shapeSignature(s.queue[0]!.prepared) === signature).slice(0, limit);
    const oldest = batch.reduce((o, s) => (s.queue[0]!.enqueuedNs < o ? s.queue[0]!.enqueuedNs : o), batch[0]!.queue[0]!.enqueuedNs);
    if (strategy.case === 'oldest') {
      const delayNs = strategy.value.maxQueueDelayMicroseconds * 1000n;
      const preferred = strategy.value.preferredBatchSize.filter((n) => n > 0);
      const target = preferred.length > 0 ? Math.max(...preferred) : limit;
      if (delayNs === 0n || preferred.includes(batch.length) || batch.length >= target || t - oldest >= delayNs) return { batch };
      return { batch: [], wakeAt: oldest + delayNs };
    }
    const direct = strategy.case === 'direct' ? strategy.value : undefined;
    const delayNs = (direct?.maxQueueDelayMicroseconds ?? 0n) * 1000n;
    const util = direct?.minimumSlotUtilization ?? 0;
    if (delayNs === 0n || util === 0 || t - oldest > delayNs || batch.length / limit >= util) return { batch };
    return { batch: [], wakeAt: oldest + delayNs };
  }

  /** Adds the control tensors and the implicit state to the request about to run, and asks for the state outputs. */
  private prepare(seq: Sequence<E>, prepared: PreparedRequest): void {
    const flags = prepared.sequence!;
    for (const c of this.bools) {
      const on = c.kind === Kind.CONTROL_SEQUENCE_START ? flags.start : c.kind === Kind.CONTROL_SEQUENCE_END ? flags.end : true;
      prepared.inputs.set(c.tensor, scalar(c.tensor, c.dtype, c.values[on ? 1 : 0], this.controlShape));
    }
    if (this.corrid) prepared.inputs.set(this.corrid.tensor, corridTensor(this.corrid.tensor, this.corrid.type, seq.id, this.controlShape));
    if (this.sb.state.length === 0) return;
    if (flags.start) seq.state.clear();
    for (const st of this.sb.state) prepared.inputs.set(st.inputName, seq.state.get(st.inputName) ?? this.initialState(st));
    const extra = this.sb.state.map((st) => st.outputName).filter((n) => !prepared.requested.includes(n));
    if (extra.length > 0) {
      stateRequested.set(prepared, prepared.requested);
      prepared.requested = [...prepared.requested, ...extra];
    }
  }

  /** A state's value before its sequence wrote it: zeros, shaped by initial_state's dims (or the state's, -1 as 1). */
  private initialState(st: ModelSequenceBatching_State): Tensor {
    const fromFile = this.initialStates.get(st.inputName);
    if (fromFile) return fromFile;
    const init = st.initialState[0];
    const dims = toNumbers(init ? init.dims : st.dims).map((d) => (d < 0 ? 1 : d));
    const shape = this.config.maxBatchSize > 0 ? [1, ...dims] : dims;
    const dtype = apiDType(st.dataType) ?? 'FP32';
    return { name: st.inputName, dtype, shape, data: allocate(dtype, elementCount(shape)) };
  }

  /**
   * After a batch ran: keeps each sequence's new state (the state outputs the model produced), hides the
   * state outputs the caller did not ask for, and lets each sequence's next request go.
   */
  finished(batch: E[], results: InstanceResult[]): InstanceResult[] {
    return batch.map((entry, i) => {
      const seq = this.runningIn.get(entry);
      this.runningIn.delete(entry);
      let r = results[i]!;
      if (seq) {
        seq.running = false;
        if (!(r instanceof Error)) r = this.keepState(seq, entry.prepared, r);
        this.settle(seq);
      }
      const asked = stateRequested.get(entry.prepared);
      if (asked) {
        entry.prepared.requested = asked;
        stateRequested.delete(entry.prepared);
      }
      return r;
    });
  }

  private keepState(seq: Sequence<E>, prepared: PreparedRequest, r: Exclude<InstanceResult, Error>): Exclude<InstanceResult, Error> {
    if (this.sb.state.length === 0) return r;
    const outputs = responseOutputs(r);
    for (const st of this.sb.state) {
      const t = outputs.find((o) => o.name === st.outputName);
      if (t) seq.state.set(st.inputName, { ...t, name: st.inputName });
    }
    const asked = stateRequested.get(prepared);
    if (!asked) return r;
    const hidden = new Set(this.sb.state.map((st) => st.outputName).filter((n) => !asked.includes(n)));
    const kept = outputs.filter((o) => !hidden.has(o.name));
    return Array.isArray(r) ? kept : { ...r, outputs: kept };
  }

  /** Drops idle sequences (max_sequence_idle_microseconds) and fails backlogged ones whose timeout passed. */
  private reap(t: bigint): void {
    for (const [key, seq] of this.live) {
      if (seq.slot && !seq.running && seq.queue.length === 0 && t - seq.lastNs >= this.idleNs) {
        seq.ended = true;
        this.live.delete(key);
        this.settle(seq);
      }
    }
    for (const seq of [...this.backlog]) {
      if (seq.expiresNs === undefined || seq.expiresNs > t) continue;
      const failed = seq.queue.splice(0);
      this.backlog.splice(this.backlog.indexOf(seq), 1);
      if (this.live.get(this.key(seq.id)) === seq) this.live.delete(this.key(seq.id));
      for (const e of failed) e.reject(sequenceTimeoutExpired());
    }
  }

  /** One timer for the next thing that needs time to pass: a queue delay, an idle sequence, a backlog timeout. */
  private schedule(wakeAt: bigint | undefined, t: bigint): void {
    // Requests waiting on the timer (a queue delay, a backlog) keep the process alive; idle sequences alone do not.
    const waiting = wakeAt !== undefined || this.backlog.length > 0;
    for (const seq of this.live.values()) if (seq.slot && !seq.running && seq.queue.length === 0) wakeAt = min(wakeAt, seq.lastNs + this.idleNs);
    // Only a backlogged sequence has an expiry (binding it to a slot clears it).
    for (const seq of this.backlog) if (seq.expiresNs !== undefined) wakeAt = min(wakeAt, seq.expiresNs);
    if (wakeAt === undefined) return;
    if (this.timer && this.timerAt !== undefined && this.timerAt <= wakeAt) {
      if (waiting) this.timer.ref?.();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = wakeAt;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.wake();
      },
      Math.max(0, Math.ceil(Number(wakeAt - t) / 1e6)),
    );
    if (!waiting) this.timer.unref?.();
  }

  /** The live sequences, for the playground (oldest first). */
  rows(version: number): SequenceStateRow[] {
    const idleMs = Number(this.idleNs / 1_000_000n);
    return [...this.live.values()].map((seq) => {
      const row: SequenceStateRow = { id: seq.text, idIsString: typeof seq.id === 'string', version, requests: seq.requests, lastAt: seq.lastAtMs, idleUntil: seq.lastAtMs + idleMs };
      if (seq.slot) {
        row.instance = seq.slot.instance.name;
        row.slot = seq.slot.index;
      }
      if (seq.state.size > 0) row.state = [...seq.state.values()].map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape] }));
      return row;
    });
  }

  /** Stops: returns every request still waiting (the runner fails them), forgets every sequence. */
  close(): E[] {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const waiting = [...this.sequences()].flatMap((s) => s.queue.splice(0));
    this.live.clear();
    this.backlog.length = 0;
    for (const s of this.slots) delete s.sequence;
    for (const set of this.bound.values()) set.clear();
    return waiting;
  }
}

/** Where Triton reads initial_state data_file from, inside the model folder. */
const INITIAL_STATE_FOLDER = 'initial_state';
const MAX_INITIAL_STATE_BYTES = 256 * 1024 * 1024;

/**
 * The initial states a config reads from files (initial_state data_file, core GenerateInitialStateData):
 * `<model>/initial_state/<file>` (inside the model folder, real paths), its first bytes in row-major
 * order; a file shorter than the state is refused in Triton's words. Loaded once, at load time.
 */
export async function loadInitialStates(config: ModelConfig, modelDir: string): Promise<Map<string, Tensor>> {
  const out = new Map<string, Tensor>();
  if (config.schedulingChoice.case !== 'sequenceBatching') return out;
  for (const st of config.schedulingChoice.value.state) {
    const init = st.initialState[0];
    if (init?.stateData.case !== 'dataFile') continue;
    const file = init.stateData.value;
    const dims = toNumbers(init.dims);
    const shape = config.maxBatchSize > 0 ? [1, ...dims] : dims;
    const dtype = apiDType(init.dataType) ?? 'FP32';
    const bytes = new Uint8Array(await readContained(modelDir, path.join(modelDir, INITIAL_STATE_FOLDER, file), MAX_INITIAL_STATE_BYTES));
    const count = elementCount(dims);
    if (dtype === 'BYTES') {
      out.set(st.inputName, { name: st.inputName, dtype, shape, data: deserializeBytes(bytes) });
      continue;
    }
    const need = count * elementSize(dtype);
    if (bytes.byteLength < need) {
      throw new LabError('INVALID_ARG', `initial_state setting expects ${need} bytes, but the data provided from ${file}only has ${bytes.byteLength} bytes.`);
    }
    out.set(st.inputName, { name: st.inputName, dtype, shape, data: viewAs(dtype, bytes.slice(0, need)) });
  }
  return out;
}

/** Requests whose requested outputs were widened with state outputs: their own list, put back after the run. */
const stateRequested = new WeakMap<PreparedRequest, string[]>();

function min(a: bigint | undefined, b: bigint): bigint {
  return a === undefined || b < a ? b : a;
}

/** Requests batch together only when their inputs have the same types and shapes (past the batch dimension). */
function shapeSignature(p: PreparedRequest): string {
  let s = '';
  for (const [name, t] of p.inputs) s += `${name}:${t.dtype}:${t.shape.slice(p.batchSize > 0 ? 1 : 0).join('x')};`;
  return s;
}
