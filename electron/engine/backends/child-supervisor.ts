/**
 * What the script backend (a worker thread per instance) and the Python
 * backend (a process per instance) share: answers awaited by key with a
 * timeout, loading and initialize(), auto_complete_config in a throwaway
 * child, restarts after a crash or a hang, an execute timeout that pauses
 * while BLS calls are out, BLS calls relayed into the engine with the Python
 * backend's error wording, and a best-effort finalize(). Only the transport
 * (how messages and tensors travel) differs between the two.
 */
import { type ErrorCode, LabError, errorMessage } from '../errors';
import { childTimedOut, executeFailed, instanceLost } from '../triton-errors';
import type { TraceContext } from '../runtime/trace';
import type { InferResult, InstanceResult, ModelResolver, Parameters, SequenceFlags } from '../runtime/types';
import type { Tensor } from '../tensor/tensor';

export type LogLevel = 'info' | 'warn' | 'error' | 'verbose';

export interface WireError {
  code: ErrorCode;
  message: string;
}

/** The messages of a child's life cycle, the same in both backends' protocols. */
export type ControlMessage =
  | { type: 'loaded'; hasAutoComplete: boolean }
  | { type: 'load-error'; error: WireError }
  | { type: 'ready' }
  | { type: 'init-error'; error: WireError }
  | { type: 'autocomplete-result'; config?: Record<string, unknown>; error?: WireError }
  | { type: 'finalized' };

export type ControlRequest = { type: 'init'; args: Record<string, string> } | { type: 'finalize' } | { type: 'autocomplete'; config: Record<string, unknown> };

export function failure(prefix: string, err: { code?: ErrorCode; message: string }): LabError {
  return new LabError(err.code ?? 'INTERNAL', `${prefix}${err.message}`);
}

/** A child's response as the runtime takes it: its tensors, with the response parameters when the model set any. */
export function childResponse(outputs: Tensor[], parameters: Parameters | undefined): InstanceResult {
  return parameters && Object.keys(parameters).length > 0 ? { outputs, parameters } : outputs;
}

function isTimeout(err: unknown): boolean {
  return err instanceof LabError && err.reason === 'TIMED_OUT';
}

type Waiter<M> = { resolve: (m: M) => void; reject: (e: Error) => void };

/** How many restarts a minute an instance gets before it waits for a request to start again. */
const RESTART_BURST = 5;
const RESTART_WINDOW_MS = 60_000;

/** One child and its plumbing: waiters for answers by key, and how it died. */
export abstract class ChildChannel<M> {
  exited: Error | undefined;
  onExit?: (err: Error) => void;
  private readonly waiters = new Map<string, Waiter<M>>();
  private readonly goneListeners = new Set<(e: Error) => void>();

  /** The life-cycle message `m` carries. */
  abstract controlOf(m: M): ControlMessage;
  abstract sendControl(msg: ControlRequest): void;
  /** Stops the child at once. */
  abstract terminate(): Promise<unknown>;
  /** Stops the child after finalize() (it may finish on its own first); killed after `ms`. */
  abstract shutdown(ms: number): Promise<unknown>;

  /** Hands `m` to whoever waits for `key`; false when nobody does. */
  protected deliver(key: string, m: M): boolean {
    const w = this.waiters.get(key);
    if (!w) return false;
    this.waiters.delete(key);
    w.resolve(m);
    return true;
  }

  protected died(err: Error): void {
    if (this.exited) return;
    this.exited = err;
    for (const l of this.goneListeners) l(err);
    this.goneListeners.clear();
    for (const w of new Set(this.waiters.values())) w.reject(err);
    this.waiters.clear();
    this.onExit?.(err);
  }

  /** Calls `listener` once the child is gone (at once if it is); returns the unsubscribe. */
  whenGone(listener: (e: Error) => void): () => void {
    if (this.exited) {
      listener(this.exited);
      return () => undefined;
    }
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  /** The first message answering one of `keys` ("ready", "execute:3", …), or a timeout after `ms`. */
  wait(keys: string | string[], ms: number): Promise<M> {
    if (this.exited) return Promise.reject(this.exited);
    const list = Array.isArray(keys) ? keys : [keys];
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        for (const k of list) this.waiters.delete(k);
      };
      const timer = setTimeout(() => {
        settle();
        reject(childTimedOut(ms));
      }, ms);
      const waiter: Waiter<M> = {
        resolve: (m) => {
          settle();
          resolve(m);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      };
      for (const k of list) this.waiters.set(k, waiter);
    });
  }

  async control(keys: ControlMessage['type'] | ControlMessage['type'][], ms: number): Promise<ControlMessage> {
    return this.controlOf(await this.wait(keys, ms));
  }
}

/** How a backend names its model file in load errors ("model.py", "the script"). */
export interface ChildWording {
  loadPrefix: string;
  autoCompletePrefix: string;
}

async function loaded<M>(c: ChildChannel<M>, wording: ChildWording, ms: number): Promise<boolean> {
  const first = await c.control(['loaded', 'load-error'], ms);
  if (first.type === 'load-error') throw failure(wording.loadPrefix, first.error);
  return first.type === 'loaded' && first.hasAutoComplete;
}

/** Loads the model in a throwaway child and runs its auto_complete_config, if it has one; aborting `signal` stops the child. */
export async function autoCompleteIn<M>(c: ChildChannel<M>, wording: ChildWording, config: Record<string, unknown>, ms: number, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
  const stop = (): void => void c.terminate();
  signal?.addEventListener('abort', stop);
  try {
    if (signal?.aborted) throw new LabError('CANCELLED', 'loading was cancelled');
    if (!(await loaded(c, wording, ms))) return undefined;
    const reply = c.control('autocomplete-result', ms);
    c.sendControl({ type: 'autocomplete', config });
    const msg = await reply;
    if (msg.type !== 'autocomplete-result') return undefined;
    if (msg.error) throw failure(`${wording.autoCompletePrefix} failed: `, msg.error);
    return msg.config;
  } finally {
    signal?.removeEventListener('abort', stop);
    await c.terminate();
  }
}

export interface SupervisorOptions {
  name: string;
  /** Triton's initialize() args. */
  args: Record<string, string>;
  resolver: ModelResolver;
  log: (level: LogLevel, message: string) => void;
  /** How long execute() may go without answering before the child is replaced. */
  executeTimeoutMs: number;
  initializeTimeoutMs: number;
  /** Aborting stops a child that is still starting (the repository closing, a cancelled load). */
  signal?: AbortSignal;
}

/** A BLS call as a child asks for it, its tensors already read. */
export interface BlsCall {
  model: string;
  version: number;
  requestId: string;
  inputs: Tensor[];
  requested: string[];
  parameters: Record<string, string | number | boolean>;
  /** The sequence flags the request set (Python's InferenceRequest(correlation_id=…, flags=…)). */
  sequence?: SequenceFlags;
  /** The context of the execute that made the call, where the child has several in flight (else the current one). */
  context?: TraceContext;
  /** Aborted to cancel the call (Python's response iterator cancel()). */
  signal?: AbortSignal;
}

/** A BLS call's answer: the called model's outputs and response parameters (when it set any), or its error. */
export type BlsOutcome = { outputs: Tensor[]; parameters?: Parameters } | { error: WireError };

/**
 * A model instance that owns one child: started and initialized before it
 * answers, replaced after a crash or a hang (once per child), finalized on
 * close. Subclasses send the requests and read the answers.
 */
export abstract class SupervisedInstance<C extends ChildChannel<M>, M> {
  readonly device = 'CPU';
  protected child: C | undefined;
  private starting: Promise<void> | undefined;
  /** The child being started (boot), so kill() reaches it too. */
  private booting: C | undefined;
  protected nextId = 1;
  protected closed = false;
  /** The trace context of the batch being executed, for BLS calls made during it. */
  protected current: TraceContext | undefined;
  private blsInFlight = 0;
  restarts = 0;
  /** When the last restarts happened (ms), for the restart burst limit. */
  private recentRestarts: number[] = [];
  lastOwnNs = 0;
  lastInputNs = 0;

  protected constructor(
    protected readonly opts: SupervisorOptions,
    private readonly wording: ChildWording,
  ) {}

  get name(): string {
    return this.opts.name;
  }

  /** A new child with its BLS (and response) handlers connected. */
  protected abstract spawn(): C;

  /** Starts a child, loads the model and runs initialize(). */
  protected boot(): Promise<void> {
    this.starting ??= (async () => {
      const c = this.spawn();
      this.booting = c;
      const stop = (): void => void c.terminate();
      this.opts.signal?.addEventListener('abort', stop);
      try {
        if (this.opts.signal?.aborted) throw new LabError('CANCELLED', `loading '${this.name}' was cancelled`);
        await loaded(c, this.wording, this.opts.initializeTimeoutMs);
        const reply = c.control(['ready', 'init-error'], this.opts.initializeTimeoutMs);
        c.sendControl({ type: 'init', args: this.opts.args });
        const first = await reply;
        if (first.type === 'init-error') throw failure('initialize() failed: ', first.error);
      } catch (err) {
        await c.terminate();
        if (this.opts.signal?.aborted) throw new LabError('CANCELLED', `loading '${this.name}' was cancelled`);
        throw err instanceof LabError ? err : new LabError('INTERNAL', `${this.name}: ${errorMessage(err)}`);
      } finally {
        this.opts.signal?.removeEventListener('abort', stop);
        this.booting = undefined;
      }
      if (this.closed) {
        // Closed (or killed) while it started: never left running.
        await c.terminate();
        return;
      }
      c.onExit = (err) => {
        if (this.closed) return;
        this.opts.log('error', `instance ${this.name} stopped: ${err.message}`);
        // A child that dies between requests (a timer that threw) is replaced at once.
        void this.restart(c, err.message);
      };
      this.child = c;
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * Replaces a crashed or stuck child with a fresh one, once per child. A child that keeps dying
   * (more than RESTART_BURST times a minute) is not started again eagerly: the next request starts
   * it, so a model that kills itself right after initialize() cannot spawn processes forever.
   */
  private async restart(old: C, reason: string): Promise<void> {
    if (this.child !== old || this.closed) return;
    this.restarts++;
    const now = Date.now();
    this.recentRestarts = [...this.recentRestarts.filter((t) => now - t < RESTART_WINDOW_MS), now];
    this.child = undefined;
    const burst = this.recentRestarts.length > RESTART_BURST;
    this.opts.log(
      'error',
      burst
        ? `${reason}; instance ${this.name} stopped ${this.recentRestarts.length} times within a minute, so it starts again only with the next request`
        : `${reason}; restarting instance ${this.name}`,
    );
    await old.terminate().catch(() => undefined);
    if (burst) return;
    if (!this.closed && !this.child) await this.boot().catch((err: unknown) => this.opts.log('error', `instance ${this.name} could not restart: ${errorMessage(err)}`));
  }

  /** The live child, started again when the last one had to go. */
  protected async live(): Promise<C> {
    if (this.closed) throw new LabError('UNAVAILABLE', `instance ${this.name} is unloaded`);
    if (!this.child) await this.boot();
    return this.child!;
  }

  /** The execute timeout only counts while the model computes, not while it waits on BLS calls. */
  protected async waitExecute(c: C, key: string): Promise<M> {
    for (;;) {
      try {
        return await c.wait(key, this.opts.executeTimeoutMs);
      } catch (err) {
        if (isTimeout(err) && this.blsInFlight > 0) continue;
        throw err;
      }
    }
  }

  /** A timeout for answers that come after execute() returned (response senders); nothing waits on BLS then. */
  protected timeoutError(): LabError {
    return childTimedOut(this.opts.executeTimeoutMs);
  }

  /** What every request of a batch gets when its child died or hung during execute; the child is replaced. */
  protected lost(c: C, err: unknown): LabError {
    const stuck = isTimeout(err);
    const why = stuck ? `execute() did not return within ${this.opts.executeTimeoutMs} ms (an endless loop or a hang?)` : errorMessage(err);
    void this.restart(c, stuck ? `execute() timed out after ${this.opts.executeTimeoutMs} ms` : errorMessage(err));
    return instanceLost(this.name, `${why}; the instance was restarted`, stuck);
  }

  /** execute() raised: every request of the batch fails with Triton's message. */
  protected executeError(err: WireError): LabError {
    return executeFailed(this.name, err.message);
  }

  /** Work the child waits on the lab for (model control from a model): the execute timeout pauses meanwhile, as for BLS calls. */
  protected async whileChildWaits<T>(fn: () => Promise<T>): Promise<T> {
    this.blsInFlight++;
    try {
      return await fn();
    } finally {
      this.blsInFlight--;
    }
  }

  /**
   * Runs a BLS call through the engine's normal path, inside the executing request's context
   * (its trace, its span as the parent, the instances it holds). With `onResponse`, a decoupled
   * model's responses are passed on as they come; the outcome is then the last one.
   */
  protected relay(call: BlsCall, onResponse?: (r: InferResult | LabError | null, final: boolean) => void): Promise<BlsOutcome> {
    const context = call.context ?? this.current;
    return this.whileChildWaits(async (): Promise<BlsOutcome> => {
      try {
        const runner = this.opts.resolver.resolve(call.model, call.version);
        const res = await runner.infer({
          id: call.requestId,
          inputs: call.inputs,
          outputs: call.requested,
          parameters: call.parameters,
          ...(call.sequence ? { sequence: call.sequence } : {}),
          trace: context ? { ...context, kind: 'bls' } : { kind: 'bls', held: [] },
          ...(onResponse ? { onResponse } : {}),
          ...(call.signal ? { signal: call.signal } : {}),
        });
        return res.parameters ? { outputs: res.outputs, parameters: res.parameters } : { outputs: res.outputs };
      } catch (err) {
        const e = err instanceof LabError ? err : new LabError('INTERNAL', errorMessage(err));
        // As Triton's Python backend: a failure of the called model comes back verbatim; a request
        // that could not be made loses its code behind a prefix.
        // A call cancelled before it ran (a BLS iterator's cancel()) keeps its CANCELLED code too.
        return e.stage === 'execute' || e.code === 'CANCELLED'
          ? { error: { code: e.code, message: e.message } }
          : { error: { code: 'INTERNAL', message: `Model ${call.model} - Error when running inference: ${e.message}` } };
      }
    });
  }

  /**
   * Runs finalize() and stops the child, within `graceMs` (finalize() gets at most FINALIZE_MS of
   * it); a child that has not finished by then is killed, so closing never waits on a stuck model.
   */
  async close(graceMs = FINALIZE_MS + EXIT_MS): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + Math.max(0, graceMs);
    const left = (): number => Math.max(0, deadline - Date.now());
    // A child still starting (a restart) is stopped once it is up (boot sees `closed`), never left running.
    if (this.starting) await Promise.race([this.starting.catch(() => undefined), sleep(left())]);
    if (this.booting) await this.booting.terminate();
    const c = this.child;
    this.child = undefined;
    if (!c || c.exited) return;
    try {
      const done = c.control('finalized', Math.max(1, Math.min(FINALIZE_MS, left())));
      c.sendControl({ type: 'finalize' });
      await done;
    } catch {
      /* finalize() is best effort */
    }
    await c.shutdown(Math.min(EXIT_MS, left()));
  }

  /** Stops the child at once, without finalize() (shutdown past its deadline). */
  async kill(): Promise<void> {
    this.closed = true;
    const c = this.child ?? this.booting;
    this.child = undefined;
    await c?.terminate();
  }
}

/** How long finalize() may take when an instance closes, and how long its child then has to exit. */
export const FINALIZE_MS = 5000;
export const EXIT_MS = 2000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => {
    setTimeout(r, ms).unref?.();
  });
}
