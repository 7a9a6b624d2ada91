/**
 * A Python model instance: one stub process, requests and BLS calls as
 * frames, failures contained. An exception in model.py fails its requests
 * with the Python traceback; a process that dies or stops answering is
 * killed, reported and started again; the lab keeps running.
 */
import { LabError, errorMessage } from '../../errors';
import type { BackendInstance, InstanceResult, ModelResolver, PreparedRequest } from '../../runtime/types';
import type { TraceContext } from '../../runtime/trace';
import { PayloadBuilder, tensorsFrom } from './frames';
import { PythonProcess, type StubFrame } from './process';
import type { FromStub, LogLevel, StubSetup, WireError, WireResponse } from './protocol';

export interface PythonInstanceOptions {
  name: string;
  executable: string;
  setup: StubSetup;
  /** Triton's initialize() args. */
  args: Record<string, string>;
  resolver: ModelResolver;
  log: (level: LogLevel, message: string) => void;
  /** How long execute() may go without answering before the process is restarted. */
  executeTimeoutMs: number;
  initializeTimeoutMs: number;
}

type Of<T extends FromStub['type']> = Extract<FromStub, { type: T }>;

function failure(prefix: string, err: WireError): LabError {
  return new LabError(err.code ?? 'INTERNAL', `${prefix}${err.message}`);
}

async function loaded(p: PythonProcess, ms: number): Promise<Of<'loaded'>> {
  const first = (await p.wait(['loaded', 'load-error'], ms)).header;
  if (first.type === 'load-error') throw failure('failed to load model.py: ', first.error);
  return first as Of<'loaded'>;
}

/** Starts a stub just to run TritonPythonModel.auto_complete_config, if model.py defines it. */
export async function pythonAutoComplete(
  executable: string,
  setup: StubSetup,
  configJson: string,
  log: (level: LogLevel, message: string) => void,
  timeoutMs: number,
): Promise<Record<string, unknown> | undefined> {
  const p = new PythonProcess(executable, setup, log);
  try {
    if (!(await loaded(p, timeoutMs)).hasAutoComplete) return undefined;
    const reply = p.wait('autocomplete-result', timeoutMs);
    p.send({ type: 'autocomplete', config: configJson });
    const msg = (await reply).header as Of<'autocomplete-result'>;
    if (msg.error) throw failure('auto_complete_config failed: ', msg.error);
    return msg.config;
  } finally {
    await p.terminate();
  }
}

/** Per request of one execute: the responses received and whether the final flag came. */
interface Pending {
  responses: InstanceResult[];
  final: boolean;
}

export class PythonInstance implements BackendInstance {
  readonly device = 'CPU';
  private proc: PythonProcess | undefined;
  private starting: Promise<void> | undefined;
  private nextId = 1;
  private closed = false;
  /** The trace context of the batch being executed, for BLS calls made during it. */
  private current: TraceContext | undefined;
  private blsInFlight = 0;
  /** Decoupled responses arriving for the execute in progress. */
  private pending: { id: number; requests: Pending[]; changed: () => void } | undefined;
  restarts = 0;
  lastOwnNs = 0;
  lastInputNs = 0;

  private constructor(private readonly opts: PythonInstanceOptions) {}

  get name(): string {
    return this.opts.name;
  }

  static async start(opts: PythonInstanceOptions): Promise<PythonInstance> {
    const inst = new PythonInstance(opts);
    await inst.boot();
    return inst;
  }

  private boot(): Promise<void> {
    this.starting ??= (async () => {
      const p = new PythonProcess(this.opts.executable, this.opts.setup, this.opts.log);
      p.onFrame = (f) => this.onFrame(p, f);
      try {
        await loaded(p, this.opts.initializeTimeoutMs);
        const reply = p.wait(['ready', 'init-error'], this.opts.initializeTimeoutMs);
        p.send({ type: 'init', args: this.opts.args });
        const first = (await reply).header;
        if (first.type === 'init-error') throw failure('initialize() failed: ', first.error);
      } catch (err) {
        await p.terminate();
        throw err instanceof LabError ? err : new LabError('INTERNAL', `${this.name}: ${errorMessage(err)}`);
      }
      p.onExit = (err) => {
        if (this.closed) return;
        this.opts.log('error', `instance ${this.name} stopped: ${err.message}`);
        void this.restart(p, err.message);
      };
      this.proc = p;
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async restart(old: PythonProcess, reason: string): Promise<void> {
    if (this.proc !== old || this.closed) return;
    this.restarts++;
    this.opts.log('error', `${reason}; restarting instance ${this.name}`);
    this.proc = undefined;
    await old.terminate();
    if (!this.closed && !this.proc) await this.boot().catch((err: unknown) => this.opts.log('error', `instance ${this.name} could not restart: ${errorMessage(err)}`));
  }

  private onFrame(p: PythonProcess, frame: StubFrame): void {
    const h = frame.header;
    if (h.type === 'bls') return void this.bls(p, h, frame.payload);
    if (h.type === 'response') {
      const pend = this.pending;
      if (!pend || pend.id !== h.id) return;
      const req = pend.requests[h.index];
      if (!req || req.final) return;
      if (h.response) req.responses.push(this.result(h.response, frame.payload));
      if (h.final) req.final = true;
      pend.changed();
    }
  }

  private result(r: WireResponse, payload: Uint8Array): InstanceResult {
    return 'error' in r ? failure('', r.error) : tensorsFrom(r.outputs, payload);
  }

  private async bls(p: PythonProcess, msg: Of<'bls'>, payload: Uint8Array): Promise<void> {
    this.blsInFlight++;
    const out = new PayloadBuilder();
    let reply: Parameters<PythonProcess['send']>[0];
    try {
      const runner = this.opts.resolver.resolve(msg.model, msg.version);
      const res = await runner.infer({
        id: msg.requestId,
        inputs: tensorsFrom(msg.inputs, payload),
        outputs: msg.requested,
        parameters: msg.parameters,
        trace: this.current ? { ...this.current, kind: 'bls' } : { kind: 'bls', held: [] },
      });
      reply = { type: 'bls-result', callId: msg.callId, outputs: res.outputs.map((t) => out.add(t)) };
    } catch (err) {
      const e = err instanceof LabError ? err : new LabError('INTERNAL', errorMessage(err));
      // As Triton's Python backend: a failure of the called model comes back verbatim; a request that could not be made gets a prefix.
      const error =
        e.stage === 'execute' ? { code: e.code, message: e.message } : { code: 'INTERNAL' as const, message: `Model ${msg.model} - Error when running inference: ${e.message}` };
      reply = { type: 'bls-result', callId: msg.callId, error };
    } finally {
      this.blsInFlight--;
    }
    p.send(reply, out);
  }

  async execute(requests: PreparedRequest[]): Promise<InstanceResult[]> {
    if (this.closed) throw new LabError('UNAVAILABLE', `instance ${this.name} is unloaded`);
    if (!this.proc) await this.boot();
    const p = this.proc!;
    const id = this.nextId++;
    const begin = process.hrtime.bigint();
    const payload = new PayloadBuilder();
    const wire = requests.map((r) => ({ id: r.id, inputs: [...r.inputs.values()].map((t) => payload.add(t)), requested: r.requested, parameters: r.parameters }));
    this.current = requests[0]?.trace;
    const pending: Pending[] = requests.map(() => ({ responses: [], final: false }));
    let wake: () => void = () => undefined;
    this.pending = { id, requests: pending, changed: () => wake() };
    try {
      const reply = this.waitAnswer(p, `execute:${id}`);
      p.send({ type: 'execute', id, requests: wire }, payload);
      this.lastInputNs = Number(process.hrtime.bigint() - begin);
      const frame = await reply;
      const answer = frame.header;
      if (answer.type === 'execute-error') {
        const e = failure(`Failed to process the request(s) for model '${this.name}', message: `, answer.error);
        return requests.map(() => new LabError('INTERNAL', e.message));
      }
      const executed = answer as Of<'executed'>;
      this.lastOwnNs = executed.ownNs;
      executed.responses.forEach((r, i) => {
        if (!r || pending[i]!.final) return;
        pending[i]!.responses.push(this.result(r, frame.payload));
        pending[i]!.final = true;
      });
      // Responses still owed by response senders (decoupled models, or execute() returning None).
      while (pending.some((r) => !r.final)) {
        await new Promise<void>((resolve, reject) => {
          let unsubscribe: () => void = () => undefined;
          const settle = (e?: Error): void => {
            clearTimeout(timer);
            unsubscribe();
            if (e) reject(e);
            else resolve();
          };
          const timer = setTimeout(() => settle(new LabError('UNAVAILABLE', `timed out after ${this.opts.executeTimeoutMs} ms`)), this.opts.executeTimeoutMs);
          unsubscribe = p.whenGone(settle);
          wake = () => settle();
        });
      }
      return pending.map((r, i) => this.single(r, requests[i]!.id));
    } catch (err) {
      const stuck = err instanceof LabError && err.message.startsWith('timed out');
      const why = stuck
        ? `Failed to process the request(s) for model instance '${this.name}', message: execute() did not return within ${this.opts.executeTimeoutMs} ms (an endless loop or a hang?); the instance was restarted`
        : `Failed to process the request(s) for model instance '${this.name}', message: ${errorMessage(err)}; the instance was restarted`;
      void this.restart(p, stuck ? `execute() timed out after ${this.opts.executeTimeoutMs} ms` : errorMessage(err));
      const e = new LabError(stuck ? 'UNAVAILABLE' : 'INTERNAL', why);
      return requests.map(() => e);
    } finally {
      this.current = undefined;
      this.pending = undefined;
    }
  }

  /**
   * The engine answers each request once. A decoupled model that sent one response (or only the
   * final flag) is answered with it; more than one cannot be returned through this path.
   */
  private single(r: Pending, requestId: string): InstanceResult {
    if (r.responses.length === 1) return r.responses[0]!;
    if (r.responses.length === 0) return [];
    this.opts.log('warn', `request '${requestId}' got ${r.responses.length} responses from ${this.name}`);
    return new LabError(
      'UNSUPPORTED',
      `model instance '${this.name}' sent ${r.responses.length} responses to one request; the lab returns one response per request (a decoupled model's stream needs Triton's gRPC ModelStreamInfer)`,
    );
  }

  /** The execute timeout only counts while Python computes, not while it waits on BLS calls. */
  private async waitAnswer(p: PythonProcess, key: string): Promise<StubFrame> {
    for (;;) {
      try {
        return await p.wait(key, this.opts.executeTimeoutMs);
      } catch (err) {
        if (err instanceof LabError && err.message.startsWith('timed out') && this.blsInFlight > 0) continue;
        throw err;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.starting?.catch(() => undefined);
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exited) return;
    try {
      const done = p.wait('finalized', 5000);
      p.send({ type: 'finalize' });
      await done;
    } catch {
      /* finalize() is best effort */
    }
    await p.shutdown(2000);
  }
}
