/**
 * A script model instance on the main thread's side: owns one worker,
 * forwards requests and BLS calls, and contains failures. A script that
 * throws fails its own requests; one that crashes or stops answering is
 * terminated, reported, and started again; the lab keeps running.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorMessage } from '../../errors';
import { unpackedPath } from '../bundled-files';
import { sequenceFromWire, sequenceToWire } from '../sequence-wire';
import type { BackendInstance, InstanceResult, PreparedRequest } from '../../runtime/types';
import { ChildChannel, type ControlMessage, type ControlRequest, type SupervisorOptions, SupervisedInstance, autoCompleteIn, childResponse, failure } from '../child-supervisor';
import type { Tensor } from '../../tensor/tensor';
import { lineSplitter } from '../log-lines';
import { type ConfigJson, type HostMessage, type WireRequest, type WireResult, type WireTensor, type WorkerMessage, type WorkerSetup, transferables } from './protocol';

export interface ScriptInstanceOptions extends SupervisorOptions {
  setup: WorkerSetup;
}

interface WorkerFiles {
  bootstrap: string;
  hooksUrl: string;
  entryUrl: string;
}

/**
 * A folder of the built worker outside the archive: in a packaged app this module runs from
 * `resources/app.asar`, where ES modules in workers and off-thread loader hooks are not documented to
 * work, so the workers start from the copy in `app.asar.unpacked` (electron-builder.yml asarUnpack holds
 * their whole import chain; `npm run test:package` checks it). Unchanged outside an archive, or when
 * the unpacked copy is missing.
 */
export function unpackedWorkerDir(dir: string, exists: (file: string) => boolean = existsSync): string {
  const unpacked = unpackedPath(dir);
  return unpacked !== dir && exists(path.join(unpacked, 'script-bootstrap.js')) ? unpacked : dir;
}

/** The built worker (out/main) when running from a build, the TypeScript sources otherwise. */
function workerFiles(): WorkerFiles {
  for (const rel of ['../', './']) {
    const url = new URL(rel, import.meta.url);
    if (url.protocol !== 'file:' || !existsSync(fileURLToPath(new URL('script-bootstrap.js', url)))) continue;
    const dir = unpackedWorkerDir(fileURLToPath(url));
    const href = (f: string): string => pathToFileURL(path.join(dir, f)).href;
    return { bootstrap: path.join(dir, 'script-bootstrap.js'), hooksUrl: href('script-hooks.js'), entryUrl: href('script-worker.js') };
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

/** One live worker and its message plumbing. */
class WorkerHandle extends ChildChannel<WorkerMessage> {
  readonly worker: Worker;
  onBls?: (msg: Extract<WorkerMessage, { type: 'bls' }>) => void;

  constructor(setup: WorkerSetup, log: ScriptInstanceOptions['log']) {
    super();
    const files = workerFiles();
    this.worker = new Worker(files.bootstrap, { workerData: { setup, hooksUrl: files.hooksUrl, entryUrl: files.entryUrl }, stdout: true, stderr: true });
    // Lines as they complete, each cut to a bounded length (a script printing without newlines cannot fill memory).
    const out = lineSplitter((l) => log('info', l));
    const err = lineSplitter((l) => log('error', l));
    this.worker.stdout.on('data', (c: Buffer) => out.push(c));
    this.worker.stderr.on('data', (c: Buffer) => err.push(c));
    this.worker.stdout.on('end', () => out.flush());
    this.worker.stderr.on('end', () => err.flush());
    this.worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'log') return log(msg.level, msg.message);
      if (msg.type === 'bls') return this.onBls?.(msg);
      this.deliver(msg.type === 'result' || msg.type === 'execute-error' ? `execute:${msg.id}` : msg.type, msg);
    });
    // Node emits every message the worker sent before 'exit', not before 'error': a result posted just
    // before a crash (a throwing timer after execute returned) must still reach its request.
    let crash: Error | undefined;
    this.worker.on('error', (err) => (crash = new Error(`the script crashed: ${errorMessage(err)}`)));
    this.worker.on('exit', (code) => this.died(crash ?? new Error(`the script's worker exited with code ${code}`)));
  }

  controlOf(m: WorkerMessage): ControlMessage {
    return m as ControlMessage;
  }

  sendControl(msg: ControlRequest): void {
    this.post(msg);
  }

  post(msg: HostMessage, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  /** Worker threads are terminated at once: finalize() already ran. */
  shutdown(): Promise<number> {
    return this.worker.terminate();
  }
}

const WORDING = { loadPrefix: 'failed to load the script: ', autoCompletePrefix: 'autoCompleteConfig' };

/** Starts a worker just to load the script and run its autoCompleteConfig, if it has one. */
export function scriptAutoComplete(setup: WorkerSetup, config: ConfigJson, log: ScriptInstanceOptions['log'], timeoutMs: number, signal?: AbortSignal): Promise<ConfigJson | undefined> {
  return autoCompleteIn(new WorkerHandle(setup, log), WORDING, config, timeoutMs, signal);
}

export class ScriptInstance extends SupervisedInstance<WorkerHandle, WorkerMessage> implements BackendInstance {
  private constructor(
    private readonly setup: WorkerSetup,
    opts: SupervisorOptions,
  ) {
    super(opts, WORDING);
  }

  static async start(opts: ScriptInstanceOptions): Promise<ScriptInstance> {
    const { setup, ...rest } = opts;
    const inst = new ScriptInstance(setup, rest);
    await inst.boot();
    return inst;
  }

  protected spawn(): WorkerHandle {
    const h = new WorkerHandle(this.setup, this.opts.log);
    h.onBls = (msg) => void this.bls(h, msg);
    return h;
  }

  private async bls(h: WorkerHandle, msg: Extract<WorkerMessage, { type: 'bls' }>): Promise<void> {
    const out = await this.relay({ ...msg, inputs: msg.inputs.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data })), ...sequenceFromWire(msg) });
    const result: WireResult = 'error' in out ? out : { outputs: out.outputs.map(wireTensor), ...(out.parameters ? { parameters: out.parameters } : {}) };
    if (!h.exited) h.post({ type: 'bls-result', callId: msg.callId, result });
  }

  async execute(requests: PreparedRequest[]): Promise<InstanceResult[]> {
    const h = await this.live();
    const id = this.nextId++;
    const begin = process.hrtime.bigint();
    const wire: WireRequest[] = requests.map((r) => ({ id: r.id, inputs: [...r.inputs.values()].map(wireTensor), requested: r.requested, parameters: r.parameters, ...sequenceToWire(r.sequence) }));
    // Inputs nobody reads afterwards move to the worker instead of being copied.
    const moving = transferables(requests.flatMap((r) => [...r.inputs.values()].filter((t) => t.transferable).map(wireTensor)));
    this.current = requests[0]?.trace;
    const reply = this.waitExecute(h, `execute:${id}`);
    const flags = cancelFlags(requests);
    h.post({ type: 'execute', id, requests: wire, cancelled: flags.buffer }, moving);
    this.lastInputNs = Number(process.hrtime.bigint() - begin);
    let msg: WorkerMessage;
    try {
      msg = await reply;
    } catch (err) {
      const e = this.lost(h, err);
      return requests.map(() => e);
    } finally {
      this.current = undefined;
      flags.release();
    }
    if (msg.type === 'execute-error') {
      const e = this.executeError(msg.error);
      return requests.map(() => e);
    }
    const result = msg as Extract<WorkerMessage, { type: 'result' }>;
    this.lastOwnNs = result.ownNs;
    return result.responses.map((r): InstanceResult => {
      if ('error' in r) return failure('', r.error);
      return childResponse(
        r.outputs.map((t): Tensor => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data })),
        r.parameters,
      );
    });
  }
}

/** The flags a script's request.is_cancelled() reads: 1 once that request's caller cancelled it (see HostMessage). */
function cancelFlags(requests: PreparedRequest[]): { buffer: SharedArrayBuffer; release: () => void } {
  const buffer = new SharedArrayBuffer(4 * Math.max(1, requests.length));
  const flags = new Int32Array(buffer);
  const undo: (() => void)[] = [];
  requests.forEach((r, i) => {
    const signal = r.signal;
    if (!signal) return;
    const set = (): void => void Atomics.store(flags, i, 1);
    if (signal.aborted) return set();
    signal.addEventListener('abort', set, { once: true });
    undo.push(() => signal.removeEventListener('abort', set));
  });
  return { buffer, release: () => undo.forEach((f) => f()) };
}
