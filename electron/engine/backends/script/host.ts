/**
 * A script model instance on the main thread's side: owns one worker,
 * forwards requests and BLS calls, and contains failures. A script that
 * throws fails its own requests; one that crashes or stops answering is
 * terminated, reported, and started again; the lab keeps running.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LabError, errorMessage } from '../../errors';
import type { BackendInstance, InstanceResult, ModelResolver, PreparedRequest } from '../../runtime/types';
import type { TraceContext } from '../../runtime/trace';
import type { Tensor } from '../../tensor/tensor';
import { type ConfigJson, type HostMessage, type LogLevel, type WireRequest, type WireResult, type WireTensor, type WorkerMessage, type WorkerSetup, transferables } from './protocol';

export interface ScriptInstanceOptions {
  name: string;
  setup: WorkerSetup;
  /** Triton's initialize() args. */
  args: Record<string, string>;
  resolver: ModelResolver;
  log: (level: LogLevel, message: string) => void;
  /** How long one execute() may run before the instance is restarted. */
  executeTimeoutMs: number;
  initializeTimeoutMs: number;
}

interface WorkerFiles {
  bootstrap: string;
  hooksUrl: string;
  entryUrl: string;
}

/** The built worker (out/main) when running from a build, the TypeScript sources otherwise. */
function workerFiles(): WorkerFiles {
  for (const dir of ['../', './']) {
    const bootstrap = new URL(`${dir}script-bootstrap.js`, import.meta.url);
    if (bootstrap.protocol === 'file:' && existsSync(fileURLToPath(bootstrap))) {
      return { bootstrap: fileURLToPath(bootstrap), hooksUrl: new URL(`${dir}script-hooks.js`, import.meta.url).href, entryUrl: new URL(`${dir}script-worker.js`, import.meta.url).href };
    }
  }
  return {
    bootstrap: fileURLToPath(new URL('./bootstrap.mjs', import.meta.url)),
    hooksUrl: new URL('./hooks.mjs', import.meta.url).href,
    entryUrl: new URL('./worker-main.ts', import.meta.url).href,
  };
}

function wireTensor(t: Tensor): WireTensor {
  return { name: t.name, dtype: t.dtype, shape: t.shape, data: t.data };
}

type Waiter = { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void };

/** One live worker and its message plumbing. */
class WorkerHandle {
  readonly worker: Worker;
  private waiters = new Map<string, Waiter>();
  exited: Error | undefined;
  onExit?: (err: Error) => void;
  onBls?: (msg: Extract<WorkerMessage, { type: 'bls' }>) => void;

  constructor(setup: WorkerSetup, log: ScriptInstanceOptions['log']) {
    const files = workerFiles();
    this.worker = new Worker(files.bootstrap, { workerData: { setup, hooksUrl: files.hooksUrl, entryUrl: files.entryUrl }, stdout: true, stderr: true });
    const forward = (level: LogLevel) => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log(level, line);
    };
    this.worker.stdout.on('data', forward('info'));
    this.worker.stderr.on('data', forward('error'));
    this.worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'log') return log(msg.level, msg.message);
      if (msg.type === 'bls') return this.onBls?.(msg);
      const key = msg.type === 'result' || msg.type === 'execute-error' ? `execute:${msg.id}` : msg.type;
      const w = this.waiters.get(key);
      if (w) {
        this.waiters.delete(key);
        w.resolve(msg);
      }
    });
    const died = (err: Error): void => {
      if (this.exited) return;
      this.exited = err;
      for (const w of new Set(this.waiters.values())) w.reject(err);
      this.waiters.clear();
      this.onExit?.(err);
    };
    this.worker.on('error', (err) => died(new Error(`the script crashed: ${errorMessage(err)}`)));
    this.worker.on('exit', (code) => died(new Error(`the script's worker exited with code ${code}`)));
  }

  /** Waits for the first message answering one of `keys` ("ready", "execute:3", ...), or fails after `ms`. */
  wait(keys: string | string[], ms: number): Promise<WorkerMessage> {
    if (this.exited) return Promise.reject(this.exited);
    const list = Array.isArray(keys) ? keys : [keys];
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        for (const k of list) this.waiters.delete(k);
      };
      const timer = setTimeout(() => {
        done();
        reject(new LabError('UNAVAILABLE', `timed out after ${ms} ms`));
      }, ms);
      const waiter: Waiter = {
        resolve: (m) => {
          done();
          resolve(m);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      for (const k of list) this.waiters.set(k, waiter);
    });
  }

  post(msg: HostMessage, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

function failure(prefix: string, err: { code?: string; message: string }): LabError {
  const code = (err.code as LabError['code']) ?? 'INTERNAL';
  return new LabError(code, `${prefix}${err.message}`);
}

/** Starts a worker just to load the script and run its autoCompleteConfig, if it has one. */
export async function scriptAutoComplete(setup: WorkerSetup, config: ConfigJson, log: ScriptInstanceOptions['log'], timeoutMs: number): Promise<ConfigJson | undefined> {
  const h = new WorkerHandle(setup, log);
  try {
    const loaded = await loadedMessage(h, timeoutMs);
    if (!loaded.hasAutoComplete) return undefined;
    const reply = h.wait('autocomplete-result', timeoutMs);
    h.post({ type: 'autocomplete', config });
    const msg = (await reply) as Extract<WorkerMessage, { type: 'autocomplete-result' }>;
    if (msg.error) throw failure('autoCompleteConfig failed: ', msg.error);
    return msg.config;
  } finally {
    await h.terminate();
  }
}

async function loadedMessage(h: WorkerHandle, ms: number): Promise<Extract<WorkerMessage, { type: 'loaded' }>> {
  const first = await h.wait(['loaded', 'load-error'], ms);
  if (first.type === 'load-error') throw failure('failed to load the script: ', first.error);
  return first as Extract<WorkerMessage, { type: 'loaded' }>;
}

export class ScriptInstance implements BackendInstance {
  readonly device = 'CPU';
  private handle: WorkerHandle | undefined;
  private starting: Promise<void> | undefined;
  private nextId = 1;
  private closed = false;
  /** The trace context of the batch being executed, for BLS calls made during it. */
  private current: TraceContext | undefined;
  private blsInFlight = 0;
  restarts = 0;
  lastOwnNs = 0;
  lastInputNs = 0;

  private constructor(private readonly opts: ScriptInstanceOptions) {}

  get name(): string {
    return this.opts.name;
  }

  static async start(opts: ScriptInstanceOptions): Promise<ScriptInstance> {
    const inst = new ScriptInstance(opts);
    await inst.boot();
    return inst;
  }

  /** Starts a worker, loads the script and runs initialize(). */
  private boot(): Promise<void> {
    this.starting ??= (async () => {
      const h = new WorkerHandle(this.opts.setup, this.opts.log);
      h.onBls = (msg) => void this.bls(h, msg);
      try {
        await loadedMessage(h, this.opts.initializeTimeoutMs);
        const reply = h.wait(['ready', 'init-error'], this.opts.initializeTimeoutMs);
        h.post({ type: 'init', args: this.opts.args });
        const first = await reply;
        if (first.type === 'init-error') throw failure('initialize() failed: ', first.error);
      } catch (err) {
        await h.terminate();
        throw err instanceof LabError ? err : new LabError('INTERNAL', `${this.name}: ${errorMessage(err)}`);
      }
      h.onExit = (err) => {
        if (this.closed) return;
        this.opts.log('error', `instance ${this.name} stopped: ${err.message}`);
        // A worker that dies between requests (a timer that threw) is replaced at once.
        void this.restart(h, err.message);
      };
      this.handle = h;
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Replaces a crashed or stuck worker with a fresh one, once per worker. */
  private async restart(old: WorkerHandle, reason: string): Promise<void> {
    if (this.handle !== old || this.closed) return;
    this.restarts++;
    this.opts.log('error', `${reason}; restarting instance ${this.name}`);
    this.handle = undefined;
    await old.terminate().catch(() => 0);
    if (!this.closed && !this.handle) await this.boot().catch((err: unknown) => this.opts.log('error', `instance ${this.name} could not restart: ${errorMessage(err)}`));
  }

  private async bls(h: WorkerHandle, msg: Extract<WorkerMessage, { type: 'bls' }>): Promise<void> {
    this.blsInFlight++;
    let result: WireResult;
    try {
      const runner = this.opts.resolver.resolve(msg.model, msg.version);
      const out = await runner.infer({
        id: msg.requestId,
        inputs: msg.inputs.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data })),
        outputs: msg.requested,
        parameters: msg.parameters,
        // The executing request's context: its trace, its span as the parent, the instances it holds.
        trace: this.current ? { ...this.current, kind: 'bls' } : { kind: 'bls', held: [] },
      });
      result = { outputs: out.outputs.map(wireTensor) };
    } catch (err) {
      const e = err instanceof LabError ? err : new LabError('INTERNAL', errorMessage(err));
      // As Triton's Python backend: a request that could not be made loses its code behind a prefix;
      // a failure of the called model comes back verbatim.
      result =
        e.stage === 'execute'
          ? { error: { code: e.code, message: e.message } }
          : { error: { code: 'INTERNAL', message: `Model ${msg.model} - Error when running inference: ${e.message}` } };
    } finally {
      this.blsInFlight--;
    }
    if (!h.exited) h.post({ type: 'bls-result', callId: msg.callId, result });
  }

  async execute(requests: PreparedRequest[]): Promise<InstanceResult[]> {
    if (this.closed) throw new LabError('UNAVAILABLE', `instance ${this.name} is unloaded`);
    if (!this.handle) await this.boot();
    const h = this.handle!;
    const id = this.nextId++;
    const begin = process.hrtime.bigint();
    const wire: WireRequest[] = requests.map((r) => ({ id: r.id, inputs: [...r.inputs.values()].map(wireTensor), requested: r.requested, parameters: r.parameters }));
    // Inputs nobody reads afterwards move to the worker instead of being copied.
    const moving = transferables(requests.flatMap((r) => [...r.inputs.values()].filter((t) => t.transferable).map(wireTensor)));
    this.current = requests[0]?.trace;
    const reply = this.waitExecute(h, id);
    h.post({ type: 'execute', id, requests: wire }, moving);
    this.lastInputNs = Number(process.hrtime.bigint() - begin);
    let msg: WorkerMessage;
    try {
      msg = await reply;
    } catch (err) {
      const stuck = err instanceof LabError && err.message.startsWith('timed out');
      const why = stuck
        ? `Failed to process the request(s) for model instance '${this.name}', message: execute() did not return within ${this.opts.executeTimeoutMs} ms (an endless loop or a hang?); the instance was restarted`
        : `Failed to process the request(s) for model instance '${this.name}', message: ${errorMessage(err)}; the instance was restarted`;
      void this.restart(h, stuck ? `execute() timed out after ${this.opts.executeTimeoutMs} ms` : errorMessage(err));
      const e = new LabError(stuck ? 'UNAVAILABLE' : 'INTERNAL', why);
      return requests.map(() => e);
    } finally {
      this.current = undefined;
    }
    if (msg.type === 'execute-error') {
      const e = new LabError('INTERNAL', `Failed to process the request(s) for model '${this.name}', message: ${msg.error.message}`);
      return requests.map(() => e);
    }
    const result = msg as Extract<WorkerMessage, { type: 'result' }>;
    this.lastOwnNs = result.ownNs;
    return result.responses.map((r): InstanceResult => ('error' in r ? failure('', r.error) : r.outputs.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data }))));
  }

  /** The execute timeout only counts while the script is computing, not while it waits on BLS calls. */
  private async waitExecute(h: WorkerHandle, id: number): Promise<WorkerMessage> {
    for (;;) {
      try {
        return await h.wait(`execute:${id}`, this.opts.executeTimeoutMs);
      } catch (err) {
        if (err instanceof LabError && err.message.startsWith('timed out') && this.blsInFlight > 0) continue;
        throw err;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    // A worker still starting (a restart) is closed once it is up, never left running.
    await this.starting?.catch(() => undefined);
    const h = this.handle;
    this.handle = undefined;
    if (!h || h.exited) return;
    try {
      const done = h.wait('finalized', 5000);
      h.post({ type: 'finalize' });
      await done;
    } catch {
      /* finalize() is best effort */
    }
    await h.terminate();
  }
}
