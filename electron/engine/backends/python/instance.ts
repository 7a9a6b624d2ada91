/**
 * A Python model instance: one stub process, requests and BLS calls as
 * frames, failures contained (child-supervisor.ts). An exception in model.py
 * fails its requests with the Python traceback; a process that dies or stops
 * answering is killed, reported and started again; the lab keeps running.
 * Responses sent through a request's response sender go on to the engine as
 * they arrive (decoupled models stream).
 */
import { LabError } from '../../errors';
import type { BackendInstance, InstanceResult, Parameters, PreparedRequest, StreamedResponse } from '../../runtime/types';
import { type BlsCall, type LogLevel, type SupervisorOptions, SupervisedInstance, autoCompleteIn, failure } from '../child-supervisor';
import { PayloadBuilder, tensorsFrom } from './frames';
import { PythonProcess, type StubFrame } from './process';
import type { FromStub, StubSetup, ToStub, WireResponse } from './protocol';

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
  return autoCompleteIn(new PythonProcess(executable, setup, log), WORDING, config, timeoutMs, signal);
}

/** A response from the stub: its tensors, with the response parameters when the model set any. */
function result(r: WireResponse, payload: Uint8Array): InstanceResult {
  if ('error' in r) return failure('', r.error);
  const outputs = tensorsFrom(r.outputs, payload);
  return r.parameters && Object.keys(r.parameters).length > 0 ? { outputs, parameters: r.parameters } : outputs;
}

/** Response parameters for a frame to the stub: only when there are some. */
function withParameters(parameters: Parameters | undefined): { parameters?: Parameters } {
  return parameters && Object.keys(parameters).length > 0 ? { parameters } : {};
}

/** The execute in progress: where its requests' responses go, and which still owe the final flag. */
interface Executing {
  id: number;
  /** Its requests' signals: what is_cancelled() in the stub asks about. */
  signals: (AbortSignal | undefined)[];
  respond: (index: number, response: InstanceResult | null, final: boolean) => void;
}

export class PythonInstance extends SupervisedInstance<PythonProcess, StubFrame> implements BackendInstance {
  private executing: Executing | undefined;
  /** BLS calls in flight per stub process, by call id: what their iterator's cancel() aborts. */
  private readonly blsCalls = new WeakMap<PythonProcess, Map<number, AbortController>>();

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
    p.onFrame = (f) => this.onFrame(p, f);
    return p;
  }

  private onFrame(p: PythonProcess, frame: StubFrame): void {
    const h = frame.header;
    if (h.type === 'bls') return void this.bls(p, h, frame.payload);
    if (h.type === 'is-cancelled') return void p.send({ type: 'cancel-state', callId: h.callId, cancelled: this.executing?.id === h.id && this.executing.signals[h.index]?.aborted === true });
    if (h.type === 'bls-cancel') return void this.blsCalls.get(p)?.get(h.callId)?.abort();
    if (h.type === 'response' && this.executing?.id === h.id) this.executing.respond(h.index, h.response ? result(h.response, frame.payload) : null, h.final);
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
    const call: BlsCall = { ...msg, inputs: tensorsFrom(msg.inputs, payload), signal };
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
    const p = await this.live();
    const id = this.nextId++;
    const begin = process.hrtime.bigint();
    const payload = new PayloadBuilder();
    const wire = requests.map((r) => ({ id: r.id, inputs: [...r.inputs.values()].map((t) => payload.add(t)), requested: r.requested, parameters: r.parameters }));
    this.current = requests[0]?.trace;
    const owed = requests.map(() => true);
    // Callers that take no stream (warm-up) keep the last response.
    const last: InstanceResult[] = requests.map(() => []);
    let wake: () => void = () => undefined;
    this.executing = {
      id,
      signals: requests.map((r) => r.signal),
      respond: (i, response, final) => {
        if (!owed[i]) return;
        if (final) owed[i] = false;
        const r = requests[i]!;
        if (r.respond) r.respond(response, final);
        else if (response) last[i] = response;
        wake();
      },
    };
    try {
      const reply = this.waitExecute(p, `execute:${id}`);
      p.send({ type: 'execute', id, requests: wire }, payload);
      this.lastInputNs = Number(process.hrtime.bigint() - begin);
      const frame = await reply;
      const answer = frame.header;
      if (answer.type === 'execute-error') {
        const e = this.executeError(answer.error);
        return requests.map(() => e);
      }
      const executed = answer as Of<'executed'>;
      this.lastOwnNs = executed.ownNs;
      executed.responses.forEach((r, i) => {
        if (r) this.executing!.respond(i, result(r, frame.payload), true);
      });
      // Responses still owed by response senders (decoupled models, or execute() returning None).
      while (owed.some(Boolean)) await this.nextResponse(p, (w) => (wake = w));
      return last;
    } catch (err) {
      const e = this.lost(p, err);
      return requests.map(() => e);
    } finally {
      this.current = undefined;
      this.executing = undefined;
    }
  }

  /** Waits for the next response frame, the process's end, or the execute timeout. */
  private nextResponse(p: PythonProcess, onWake: (wake: () => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let unsubscribe: () => void = () => undefined;
      const settle = (e?: Error): void => {
        clearTimeout(timer);
        unsubscribe();
        if (e) reject(e);
        else resolve();
      };
      const timer = setTimeout(() => settle(this.timeoutError()), this.opts.executeTimeoutMs);
      unsubscribe = p.whenGone(settle);
      onWake(() => settle());
    });
  }
}
