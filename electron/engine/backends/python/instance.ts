/**
 * A Python model instance: one stub process, requests and BLS calls as
 * frames, failures contained (child-supervisor.ts). An exception in model.py
 * fails its requests with the Python traceback; a process that dies or stops
 * answering is killed, reported and started again; the lab keeps running.
 * Responses sent through a request's response sender go on to the engine as
 * they arrive (decoupled models stream).
 */
import { LabError } from '../../errors';
import type { TraceContext } from '../../runtime/trace';
import type { BackendInstance, InstanceResult, ModelResolver, Parameters, PreparedRequest, StreamedResponse } from '../../runtime/types';
import { unknownModel } from '../../triton-errors';
import { type BlsCall, type LogLevel, type SupervisorOptions, SupervisedInstance, autoCompleteIn, childResponse, failure } from '../child-supervisor';
import { PayloadBuilder, tensorsFrom } from './frames';
import { sequenceFromWire, sequenceToWire } from '../sequence-wire';
import { PythonProcess, type StubFrame } from './process';
import type { FromStub, StubSetup, ToStub, WireResponse } from './protocol';
import { StubServices } from './services';

export interface PythonInstanceOptions extends SupervisorOptions {
  executable: string;
  setup: StubSetup;
}

type Of<T extends FromStub['type']> = Extract<FromStub, { type: T }>;

const WORDING = { loadPrefix: 'failed to load model.py: ', autoCompletePrefix: 'auto_complete_config' };

/** Starts a stub just to run TritonPythonModel.auto_complete_config, if model.py defines it. */
export function pythonAutoComplete(
  executable: string,
  setup: StubSetup,
  config: Record<string, unknown>,
  log: (level: LogLevel, message: string) => void,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Record<string, unknown> | undefined> {
  const p = new PythonProcess(executable, setup, log);
  // model.py may create metrics as it is imported: the auto-complete process is answered too (no model control there).
  const services = new StubServices(NO_MODELS);
  p.whenGone(() => services.close());
  p.onFrame = (f) => {
    const h = f.header;
    if (h.type === 'service') void services.handle(h, f.payload, (r) => p.send(r));
  };
  return autoCompleteIn(p, WORDING, config, timeoutMs, signal);
}

/** What the auto-complete process resolves: no model (is_model_ready is False; load and unload are refused). */
const NO_MODELS: ModelResolver = {
  resolve(model) {
    throw unknownModel(model);
  },
};

/** Beyond what int64 holds (as a double: 2^63-1 reads as 2^63), or not an integer. */
const notInt64 = (v: unknown): boolean => typeof v === 'number' && (!Number.isInteger(v) || Math.abs(v) > 2 ** 63);

function result(r: WireResponse, payload: Uint8Array): InstanceResult {
  if ('error' in r) return failure('', r.error);
  // python_backend's InferResponse::Send takes string, int64 and bool parameters only.
  if (r.parameters && Object.values(r.parameters).some(notInt64)) return new LabError('INTERNAL', 'Unsupported value type on parameters');
  return childResponse(tensorsFrom(r.outputs, payload), r.parameters);
}

/** Response parameters for a frame to the stub: only when there are some. */
function withParameters(parameters: Parameters | undefined): { parameters?: Parameters } {
  return parameters && Object.keys(parameters).length > 0 ? { parameters } : {};
}

/**
 * Executes one instance may have in flight. Triton's stub takes the next execute as soon as the last
 * returned (a decoupled model's async execute returns once it is on the event loop), with no limit
 * on the responses still owed; the lab keeps a bound.
 */
export const MAX_IN_FLIGHT = 256;

/** An execute in flight: where its requests' responses go, and which still owe the final flag. */
interface Executing {
  requests: PreparedRequest[];
  owed: boolean[];
  /** Callers that take no stream (warm-up) keep the last response. */
  last: InstanceResult[];
  trace: TraceContext | undefined;
  /** Wakes whoever waits for the next response. */
  wake: () => void;
}

/** A request whose response sender went quiet after execute() returned, without the final flag: that execute's open requests fail; the instance goes on. */
function senderTimedOut(instance: string, ms: number): LabError {
  return new LabError(
    'UNAVAILABLE',
    `Failed to process the request(s) for model instance '${instance}', message: no response within ${ms} ms after execute() returned, and the final flag (TRITONSERVER_RESPONSE_COMPLETE_FINAL) was never sent`,
    { reason: 'TIMED_OUT' },
  );
}

export class PythonInstance extends SupervisedInstance<PythonProcess, StubFrame> implements BackendInstance {
  /** Executes in flight by id: several at once once the stub's execute() returned and responses are still owed. */
  private readonly executing = new Map<number, Executing>();
  /** Executes the stub runs now (0 or 1): the next waits until execute() returned there, as in Triton. */
  private inStub = 0;
  /** The stub's execute() is a decoupled model's coroutine (it said so before 'ready'): it returns at once, so executes go without waiting. */
  private asyncExecute = false;
  onAvailable?: () => void;
  /** BLS calls in flight per stub process, by call id: what their iterator's cancel() aborts. */
  private readonly blsCalls = new WeakMap<PythonProcess, Map<number, AbortController>>();

  /** Free for another execute while none runs in the stub, whatever responses are still owed. */
  get maxConcurrent(): number {
    return this.inStub > 0 && !this.asyncExecute ? 1 : MAX_IN_FLIGHT;
  }

  private constructor(
    private readonly py: Pick<PythonInstanceOptions, 'executable' | 'setup'>,
    opts: SupervisorOptions,
  ) {
    super(opts, WORDING);
  }

  static async start(opts: PythonInstanceOptions): Promise<PythonInstance> {
    const { executable, setup, ...rest } = opts;
    const inst = new PythonInstance({ executable, setup }, rest);
    await inst.boot();
    return inst;
  }

  protected spawn(): PythonProcess {
    const p = new PythonProcess(this.py.executable, this.py.setup, this.opts.log);
    // A new process says again whether its execute() is a decoupled model's coroutine.
    this.asyncExecute = false;
    // Custom metrics and model control (services.ts); the metrics this process made go with it.
    const services = new StubServices(this.opts.resolver);
    p.whenGone(() => services.close());
    p.onFrame = (f) => {
      const h = f.header;
      if (h.type === 'service') void this.whileChildWaits(() => services.handle(h, f.payload, (r) => p.send(r)));
      else this.onFrame(p, f);
    };
    return p;
  }

  private onFrame(p: PythonProcess, frame: StubFrame): void {
    const h = frame.header;
    if (h.type === 'bls') return void this.bls(p, h, frame.payload);
    if (h.type === 'async-execute') return void (this.asyncExecute = true);
    if (h.type === 'is-cancelled') return void p.send({ type: 'cancel-state', callId: h.callId, cancelled: this.executing.get(h.id)?.requests[h.index]?.signal?.aborted === true });
    if (h.type === 'bls-cancel') return void this.blsCalls.get(p)?.get(h.callId)?.abort();
    const x = h.type === 'response' || h.type === 'background-error' ? this.executing.get(h.id) : undefined;
    if (!x) return;
    if (h.type === 'response') this.respond(x, h.index, h.response ? result(h.response, frame.payload) : null, h.final);
    else if (h.type === 'background-error') {
      const e = this.executeError(h.error);
      for (const i of h.indexes) this.respond(x, i, e, true);
    }
  }

  /** One response for request `i` of an execute in flight; ignored once its final flag went through. */
  private respond(x: Executing, i: number, response: InstanceResult | null, final: boolean): void {
    if (!x.owed[i]) return;
    if (final) x.owed[i] = false;
    const r = x.requests[i]!;
    if (r.respond) r.respond(response, final);
    else if (response) x.last[i] = response;
    x.wake();
  }

  /** A BLS call's cancellation (its response iterator's cancel()), per stub process and call id, while the call runs. */
  private async bls(p: PythonProcess, msg: Of<'bls'>, payload: Uint8Array): Promise<void> {
    const calls = this.blsCalls.get(p) ?? new Map<number, AbortController>();
    this.blsCalls.set(p, calls);
    const abort = new AbortController();
    calls.set(msg.callId, abort);
    try {
      await this.blsCall(p, msg, payload, abort.signal);
    } finally {
      calls.delete(msg.callId);
    }
  }

  private async blsCall(p: PythonProcess, msg: Of<'bls'>, payload: Uint8Array, signal: AbortSignal): Promise<void> {
    const from = msg.executeId === undefined || msg.executeId === null ? undefined : this.executing.get(msg.executeId);
    const call: BlsCall = { ...msg, inputs: tensorsFrom(msg.inputs, payload), ...sequenceFromWire(msg), signal, ...(from?.trace ? { context: from.trace } : {}) };
    if (!msg.decoupled) {
      const out = this.decoupled(msg.model, msg.version)
        ? {
            error: {
              code: 'INTERNAL' as const,
              message: `Model ${msg.model} is using the decoupled. The current BLS request call doesn't support models using the decoupled transaction policy. Please use 'decoupled=True' argument to the 'exec' or 'async_exec' calls for decoupled models.'`,
            },
          }
        : await this.relay(call);
      const payloadOut = new PayloadBuilder();
      p.send({ type: 'bls-result', callId: msg.callId, ...('error' in out ? out : { outputs: out.outputs.map((t) => payloadOut.add(t)), ...withParameters(out.parameters) }) }, payloadOut);
      return;
    }
    // exec(decoupled=True): each response goes back as it comes; the stub's iterator yields them.
    const streamed = (response: StreamedResponse, final: boolean): void => {
      const out = new PayloadBuilder();
      const frame: ToStub = { type: 'bls-response', callId: msg.callId, final };
      if (response instanceof LabError) frame.response = { error: { code: response.code, message: response.message } };
      else if (response) frame.response = { outputs: response.outputs.map((t) => out.add(t)), ...withParameters(response.parameters) };
      p.send(frame, out);
    };
    const out = await this.relay(call, streamed);
    // A call that failed as a whole ends the iterator with that error.
    if ('error' in out) p.send({ type: 'bls-response', callId: msg.callId, final: true, response: out });
  }

  /** Whether the called model is decoupled (an unknown model is left for the call itself to report). */
  private decoupled(model: string, version: number): boolean {
    try {
      return this.opts.resolver.resolve(model, version).config.modelTransactionPolicy?.decoupled === true;
    } catch {
      return false;
    }
  }

  async execute(requests: PreparedRequest[]): Promise<InstanceResult[]> {
    // Counted at once (before any await), so the runner sees the instance taken in the same turn.
    this.inStub++;
    let inStub = true;
    const returned = (): void => {
      if (!inStub) return;
      inStub = false;
      this.inStub--;
    };
    const id = this.nextId++;
    const x: Executing = { requests, owed: requests.map(() => true), last: requests.map(() => []), trace: requests[0]?.trace, wake: () => undefined };
    try {
      const p = await this.live();
      this.executing.set(id, x);
      this.current = x.trace;
      try {
        const frame = await this.sendExecute(p, id, requests);
        returned();
        const answer = frame.header;
        if (answer.type === 'execute-error') {
          const e = this.executeError(answer.error);
          return requests.map(() => e);
        }
        const executed = answer as Of<'executed'>;
        this.lastOwnNs = executed.ownNs;
        executed.responses.forEach((r, i) => {
          if (r) this.respond(x, i, result(r, frame.payload), true);
        });
        if (x.owed.some(Boolean)) {
          // Responses still owed by response senders (decoupled models, or execute() returning None):
          // meanwhile the stub takes the next execute.
          this.onAvailable?.();
          await this.owedResponses(p, x);
        }
        return x.last;
      } catch (err) {
        const e = this.lost(p, err);
        return requests.map(() => e);
      }
    } finally {
      returned();
      this.executing.delete(id);
      if (this.current === x.trace) this.current = undefined;
    }
  }

  /** Sends the requests and waits for the stub's execute() to return (or fail). */
  private sendExecute(p: PythonProcess, id: number, requests: PreparedRequest[]): Promise<StubFrame> {
    const begin = process.hrtime.bigint();
    const payload = new PayloadBuilder();
    const wire = requests.map((r) => ({ id: r.id, inputs: [...r.inputs.values()].map((t) => payload.add(t)), requested: r.requested, parameters: r.parameters, ...sequenceToWire(r.sequence) }));
    const reply = this.waitExecute(p, `execute:${id}`);
    p.send({ type: 'execute', id, requests: wire }, payload);
    this.lastInputNs = Number(process.hrtime.bigint() - begin);
    return reply;
  }

  /**
   * Waits until every request of `x` has its final flag. A sender quiet for the execute timeout fails
   * the requests still open (the instance goes on: its stub is not stuck); a process that dies fails them all.
   */
  private async owedResponses(p: PythonProcess, x: Executing): Promise<void> {
    while (x.owed.some(Boolean)) {
      if (await this.nextResponse(p, x)) continue;
      const e = senderTimedOut(this.name, this.opts.executeTimeoutMs);
      x.owed.forEach((owed, i) => {
        if (owed) this.respond(x, i, e, true);
      });
    }
  }

  /** Waits for the next response frame of `x` (true), the execute timeout (false), or the process's end (rejects). */
  private nextResponse(p: PythonProcess, x: Executing): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let unsubscribe: () => void = () => undefined;
      const settle = (outcome: boolean | Error): void => {
        clearTimeout(timer);
        unsubscribe();
        x.wake = () => undefined;
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const timer = setTimeout(() => settle(false), this.opts.executeTimeoutMs);
      unsubscribe = p.whenGone(settle);
      x.wake = () => settle(true);
    });
  }
}
