/**
 * Main's side of the engine process (`engine-host/`): it starts the engine host (Electron's
 * utilityProcess on desktop; any spawn function, e.g. child_process.fork in tests), relays the typed lab
 * API to it through a `LabHandlers` proxy, forwards its lab events, and answers what the engine asks of
 * main (native dialogs, the safeStorage credential store). The engine runs in its own process so a
 * runaway model, a 2 GiB file or a native crash cannot freeze or end the window.
 *
 * When the engine dies unexpectedly, the calls in flight fail with UNAVAILABLE (the message says how it
 * ended), the window is told (`engine-status` restarting, then running), and a new engine reopens the
 * repositories that were open, gives back this session's trust decisions and serves again what was
 * served. After `maxDeaths` deaths within `deathWindowMs` it gives up ('failed'): calls fail at once,
 * until `restartEngine` (the window's Retry) starts it again (with no repositories if it kept dying
 * while opening them).
 */
import type { FolderPurpose, LabEvent, LabMethod, RepositoryInfo, ServeSettings, ServeStatus, TrustState, WorkspaceSkip } from '../contract/lab-api';
import { LAB_METHODS } from '../contract/methods';
import { errorMessage, LabError, toLabError } from '../engine/errors';
import type { LabHandlers } from '../engine/lab-handlers';
import type { CredentialStore } from '../engine/remote/types';
import { type CredentialAnswer, type EngineHostOptions, type FromEngine, type HostAsk, settle, type ToEngine, toWireError, type Waiter } from '../engine-host/protocol';

/** A started engine process, whatever started it. */
export interface EngineChild {
  send(msg: ToEngine): void;
  onMessage(listener: (msg: FromEngine) => void): void;
  /** Called once when the process has ended; `how` says why, for people ('exit code 1', 'signal SIGKILL'). */
  onExit(listener: (how: string) => void): void;
  kill(): void;
}

export type SpawnEngine = () => EngineChild;

/** The parts of Electron's `utilityProcess` the desktop uses (an interface, so it is tested without Electron). */
export interface UtilityProcessLike {
  fork(modulePath: string, args: string[], options: { serviceName: string; stdio: 'inherit' }): UtilityChildLike;
}

export interface UtilityChildLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  /** A fatal V8 error in the child ('exit' follows); without a listener an EventEmitter's 'error' would throw in main. */
  on(event: 'error', listener: (type: string, location: string) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/**
 * The engine host (`out/main/engine-host.js`, an ES module: utility processes take ESM entries since
 * Electron 28) in an Electron utility process: Node with a MessagePort to main, outside the browser
 * process. Its stdout and stderr go where main's go. `utilityProcess.fork` may be called only once the
 * app is ready.
 */
export function utilitySpawn(utility: UtilityProcessLike, entry: string): SpawnEngine {
  return () => {
    const child = utility.fork(entry, [], { serviceName: 'Model Lab engine', stdio: 'inherit' });
    let fatal = '';
    child.on('error', (type, location) => (fatal = `${type} at ${location}, `));
    return {
      send: (msg) => child.postMessage(msg),
      onMessage: (listener) => void child.on('message', (m) => listener(m as FromEngine)),
      onExit: (listener) => void child.once('exit', (code) => listener(`${fatal}exit code ${code}`)),
      kill: () => void child.kill(),
    };
  };
}

/** What the engine may ask of main. */
export interface EngineAsks {
  pickFolder(purpose?: FolderPurpose): Promise<string | null>;
  pickFile(): Promise<string | null>;
  /** The store behind `credentials.*` asks (safeStorage); absent: the engine keeps header values in memory. */
  credentials?: CredentialStore;
}

export interface EngineProcessOptions {
  spawn: SpawnEngine;
  /** Everything `init` carries but the restart list and the credentials switch (set from `asks`). */
  host: Omit<EngineHostOptions, 'restart' | 'credentialsViaHost'>;
  asks: EngineAsks;
  log(line: string): void;
  /** Deaths within `deathWindowMs` after which the engine is not restarted again (default 3 in 60 s). */
  maxDeaths?: number;
  deathWindowMs?: number;
  /** How long a clean shutdown may take before the process is killed (default 10 s). */
  shutdownTimeoutMs?: number;
  now?(): number;
}

type ProgressEvent = Extract<LabEvent, { type: 'profile-progress' | 'whatif-progress' }>;

export type EngineState = 'idle' | 'starting' | 'running' | 'failed' | 'closing' | 'closed';

export interface EngineStart {
  opened: string[];
  skipped: WorkspaceSkip[];
}

interface Pending extends Waiter {
  method: LabMethod;
}

/** A promise with its settle functions, for the engine's next `ready`. */
function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: Error): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting on it: a failure is reported through the calls and events instead.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class EngineProcess {
  /** The lab API, each method relayed to the engine process. */
  readonly handlers: LabHandlers;
  private child: EngineChild | undefined;
  private stateNow: EngineState = 'idle';
  private ready = deferred<EngineStart>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly listeners = new Set<(ev: LabEvent) => void>();
  private deaths: number[] = [];
  private restarts = 0;
  private everReady = false;
  /** The engine gave up while it was starting (opening repositories): Retry starts an empty lab. */
  private retryEmpty = false;
  private leftClosed = false;
  /** The local repositories open in the engine, in tree order: what a restart reopens. */
  private openPaths: string[] = [];
  private tracking: Promise<void> | undefined;
  private trackAgain = false;
  /** Repository ids of the running engine and their folders (for the serve switch, which names an id). */
  private pathsById = new Map<string, string>();
  /** The folders' trust as last listed: a restart gives back what the user decided this session. */
  private trustByPath = new Map<string, TrustState>();
  /** The trust a restart is giving back, held until a new engine has lived through it (one that dies meanwhile leaves it to the next). */
  private trustToRestore: ReadonlyMap<string, TrustState> | undefined;
  /** What the engine was serving (folder and settings), to serve again after a restart. */
  private serving: { path: string; settings: ServeSettings } | undefined;
  /** The server's state as the window last heard it. */
  private lastServe: ServeStatus | undefined;
  /** Profiles and what-if runs the window last heard running (they end with the engine), by id. */
  private readonly runsInProgress = new Map<string, ProgressEvent>();
  private exited: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private troubleNow: Extract<LabEvent, { type: 'engine-status' }> | undefined;
  /** The launch's folders given to `start`, overriding `host.given`. */
  private given: string[] | undefined;

  constructor(private readonly opts: EngineProcessOptions) {
    const table: Partial<Record<LabMethod, (req: unknown) => Promise<unknown>>> = {};
    for (const method of LAB_METHODS) table[method] = (req) => this.call(method, req);
    this.handlers = table as LabHandlers;
  }

  get state(): EngineState {
    return this.stateNow;
  }

  /** The repositories a restart would reopen now. */
  get repositories(): readonly string[] {
    return this.openPaths;
  }

  onEvent(listener: (ev: LabEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts the engine; resolves once it has opened what it opens at start. `given`: the launch's folders
   * when they are known only now (macOS `open-file` before ready), instead of `host.given`.
   */
  start(given?: readonly string[]): Promise<EngineStart> {
    if (this.stateNow !== 'idle') return this.ready.promise;
    if (given) this.given = [...given];
    this.launch(undefined);
    return this.ready.promise;
  }

  /** After 'failed': starts the engine again with a fresh count of deaths, reopening what was open (or nothing, see `retryEmpty`). */
  retry(): Promise<EngineStart> {
    if (this.stateNow !== 'failed') return this.ready.promise;
    this.deaths = [];
    this.ready = deferred<EngineStart>();
    // Opening the repositories (or the saved workspace, at the first start) is what kept killing it: start without them.
    this.leftClosed = this.retryEmpty;
    if (this.retryEmpty) this.openPaths = [];
    this.retryEmpty = false;
    this.everReady = true;
    this.launch({ reopen: this.openPaths });
    return this.ready.promise;
  }

  /** The engine's trouble as the window was last told it (restarting, or given up); undefined while it runs. */
  get trouble(): Extract<LabEvent, { type: 'engine-status' }> | undefined {
    return this.troubleNow;
  }

  private emit(ev: LabEvent): void {
    if (ev.type === 'engine-status') this.troubleNow = ev.state === 'running' ? undefined : ev;
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (err) {
        this.opts.log(`an engine event listener failed: ${errorMessage(err)}`);
      }
    }
  }

  private launch(restart: EngineHostOptions['restart']): void {
    this.stateNow = 'starting';
    let child: EngineChild;
    try {
      child = this.opts.spawn();
    } catch (err) {
      this.died(undefined, `could not start: ${errorMessage(err)}`);
      return;
    }
    this.child = child;
    child.onMessage((msg) => this.receive(child, msg));
    child.onExit((how) => this.died(child, how));
    const options: EngineHostOptions = { ...this.opts.host, ...(this.given ? { given: this.given } : {}), credentialsViaHost: !!this.opts.asks.credentials, ...(restart ? { restart } : {}) };
    child.send({ t: 'init', options });
  }

  private receive(child: EngineChild, msg: FromEngine): void {
    if (child !== this.child) return;
    switch (msg.t) {
      case 'ready':
        // Only a starting engine becomes ready: one told to shut down may still finish opening first,
        // and taking its 'ready' then would turn its exit into a crash to restart from, holding the quit.
        if (this.stateNow === 'starting') this.becameReady(msg.opened, msg.skipped);
        return;
      case 'result':
        settle(this.pending, msg);
        return;
      case 'event':
        if (msg.ev.type === 'repositories-changed') void this.trackRepositories();
        if (msg.ev.type === 'serve-changed') this.noteServing(msg.ev.status);
        this.noteProgress(msg.ev);
        this.emit(msg.ev);
        return;
      case 'ask':
        void this.answer(child, msg.id, msg.ask);
        return;
      case 'log':
        this.opts.log(`engine: ${msg.line}`);
        return;
      case 'closed':
        return;
    }
  }

  private becameReady(opened: string[], skipped: WorkspaceSkip[]): void {
    const child = this.child;
    this.stateNow = 'running';
    this.openPaths = opened;
    const wasRestart = this.everReady;
    if (wasRestart) this.trustToRestore ??= this.trustByPath;
    void this.trackRepositories();
    this.everReady = true;
    this.ready.resolve({ opened, skipped });
    if (wasRestart && child) void this.afterRestart(child);
  }

  /**
   * The session's trust decisions given back, the window told, the server started again. If this
   * engine dies meanwhile, the window has already heard 'restarting' and the next engine does all this
   * (with the same trust decisions and server): it is never told 'running' for a dead engine.
   */
  private async afterRestart(child: EngineChild): Promise<void> {
    const current = (): boolean => this.child === child && this.stateNow === 'running';
    await this.restoreTrust(this.trustToRestore ?? new Map());
    if (current()) this.trustToRestore = undefined;
    await this.trackRepositories();
    if (!current()) return;
    this.emit({ type: 'engine-status', state: 'running', restarts: this.restarts, ...(this.leftClosed ? { reopened: false } : {}) });
    this.leftClosed = false;
    // The window reads the reopened repositories afresh.
    this.emit({ type: 'repositories-changed' });
    await this.resumeServing(current);
  }

  /**
   * A folder the user trusted for this session only ('once') or chose to browse only reopens untrusted
   * in a new engine (those decisions are not saved): they are made again, as the user made them.
   * Folders trusted for good, and the samples, come back trusted by themselves.
   */
  private async restoreTrust(before: ReadonlyMap<string, TrustState>): Promise<void> {
    try {
      for (const r of (await this.send('listRepositories', {})) as RepositoryInfo[]) {
        const was = before.get(r.path);
        if (r.trust !== 'untrusted' || (was !== 'trusted' && was !== 'browse-only')) continue;
        await this.send('setTrust', { repoId: r.id, decision: was === 'trusted' ? 'once' : 'browse-only' });
      }
    } catch (err) {
      this.opts.log(`the folders' trust was not given back after the engine restarted: ${errorMessage(err)}`);
    }
  }

  private noteServing(status: ServeStatus): void {
    this.lastServe = status;
    const folder = status.repoId ? this.pathsById.get(status.repoId) : undefined;
    if (status.state === 'running' && folder) this.serving = { path: folder, settings: status.settings };
    else if (status.state === 'stopped') this.serving = undefined;
  }

  /**
   * After a restart: serves the same folder with the same settings again, as it was when the engine
   * died (the ports are free again: the dead process's sockets closed with it). The window learns the
   * server's state from the new engine either way.
   */
  private async resumeServing(current: () => boolean): Promise<void> {
    const was = this.serving;
    if (was) {
      try {
        const repos = (await this.send('listRepositories', {})) as RepositoryInfo[];
        const repo = repos.find((r) => r.path === was.path);
        if (!repo) throw new Error(`${was.path} did not reopen`);
        await this.send('startServing', { repoId: repo.id, ...was.settings });
      } catch (err) {
        // An engine that died meanwhile leaves it to the next one.
        if (!current()) return;
        this.serving = undefined;
        this.opts.log(`serving was not resumed after the engine restarted: ${errorMessage(err)}`);
      }
    }
    const status = await this.send('serveStatus', {}).catch(() => undefined);
    if (status) this.emit({ type: 'serve-changed', status: status as ServeStatus });
  }

  /** Keeps `openPaths` in step with the engine (local folders only: remote servers are in the settings). */
  private trackRepositories(): Promise<void> {
    // A change while a listing is on its way may not be in it: list once more after it.
    if (this.tracking) {
      this.trackAgain = true;
      return this.tracking;
    }
    this.tracking = this.send('listRepositories', {})
      .then((repos) => {
        const local = (repos as RepositoryInfo[]).filter((r) => !r.remote);
        this.openPaths = local.map((r) => r.path);
        this.pathsById = new Map(local.map((r) => [r.id, r.path]));
        this.trustByPath = new Map(local.map((r) => [r.path, r.trust]));
      })
      .catch(() => undefined)
      .finally(() => {
        this.tracking = undefined;
        if (this.trackAgain) {
          this.trackAgain = false;
          void this.trackRepositories();
        }
      });
    return this.tracking;
  }

  private async call(method: LabMethod, req: unknown): Promise<unknown> {
    // Main's own method: the engine cannot restart itself.
    if (method === 'restartEngine') return this.stateNow === 'failed' ? this.retry().then(() => ({ restarted: true })) : { restarted: false };
    if (this.stateNow === 'failed') throw new LabError('UNAVAILABLE', 'the engine process stopped and was not restarted; choose Retry');
    if (this.stateNow === 'closing' || this.stateNow === 'closed') throw new LabError('UNAVAILABLE', 'the lab is closing');
    if (this.stateNow !== 'running') await this.ready.promise;
    return this.send(method, req);
  }

  private send(method: LabMethod, req: unknown): Promise<unknown> {
    const child = this.child;
    if (!child || this.stateNow !== 'running') return Promise.reject(new LabError('UNAVAILABLE', 'the engine is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      try {
        child.send({ t: 'call', id, method, req });
      } catch (err) {
        this.pending.delete(id);
        reject(new LabError('INVALID_ARG', `the request of ${method} cannot be sent to the engine: ${errorMessage(err)}`));
      }
    });
  }

  private async answer(child: EngineChild, id: number, ask: HostAsk): Promise<void> {
    let msg: ToEngine;
    try {
      msg = { t: 'answer', id, ok: true, value: await this.answerValue(ask) };
    } catch (err) {
      msg = { t: 'answer', id, ok: false, error: toWireError(toLabError(err)) };
    }
    // An engine that died meanwhile has no one to take the answer.
    if (child === this.child) child.send(msg);
  }

  private async answerValue(ask: HostAsk): Promise<unknown> {
    const { asks } = this.opts;
    if (ask.op === 'pickFolder') return asks.pickFolder(ask.purpose);
    if (ask.op === 'pickFile') return asks.pickFile();
    const store = asks.credentials;
    if (!store) throw new LabError('UNSUPPORTED', 'main keeps no credential store');
    const state = (): CredentialAnswer => ({ kind: store.kind, ...(store.problem ? { problem: store.problem } : {}) });
    switch (ask.op) {
      case 'credentials.get': {
        const headers = await store.get(ask.serverId);
        return { ...state(), headers };
      }
      case 'credentials.set':
        await store.set(ask.serverId, ask.headers);
        return state();
      case 'credentials.delete':
        await store.delete(ask.serverId);
        return state();
      case 'credentials.problem':
        return state();
    }
  }

  private died(child: EngineChild | undefined, how: string): void {
    if (child !== this.child) return;
    this.child = undefined;
    const closing = this.stateNow === 'closing' || this.stateNow === 'closed';
    this.rejectPending(how, closing);
    if (closing) {
      this.stateNow = 'closed';
      this.exited?.();
      return;
    }
    this.opts.log(`the engine process ended unexpectedly (${how})`);
    this.serverWentDown(how);
    this.runsEnded(how);
    const now = (this.opts.now ?? Date.now)();
    this.deaths = [...this.deaths.filter((t) => now - t < (this.opts.deathWindowMs ?? 60_000)), now];
    if (this.deaths.length >= (this.opts.maxDeaths ?? 3)) {
      this.retryEmpty = this.stateNow === 'starting';
      this.stateNow = 'failed';
      this.ready.reject(new LabError('UNAVAILABLE', `the engine process stopped (${how}) and was not restarted`));
      this.emit({ type: 'engine-status', state: 'failed', reason: how, restarts: this.restarts });
      return;
    }
    this.restarts++;
    if (this.stateNow === 'running') this.ready = deferred<EngineStart>();
    this.emit({ type: 'engine-status', state: 'restarting', reason: how, restarts: this.restarts });
    this.launch(this.everReady ? { reopen: this.openPaths } : undefined);
  }

  /**
   * The server ended with the engine: the window and the menu are told, instead of showing a server
   * that no longer answers (a restart serves it again and says so; after 'failed' it stays stopped).
   */
  private serverWentDown(how: string): void {
    const last = this.lastServe;
    if (!last || last.state === 'stopped') return;
    const status: ServeStatus = { available: last.available, state: 'stopped', inFlight: 0, settings: last.settings, error: `the engine process stopped (${how})` };
    this.lastServe = status;
    this.emit({ type: 'serve-changed', status });
  }

  private noteProgress(ev: LabEvent): void {
    if (ev.type !== 'profile-progress' && ev.type !== 'whatif-progress') return;
    const [key, state] = ev.type === 'profile-progress' ? [`profile:${ev.profile.profileId}`, ev.profile.state] : [`whatif:${ev.run.whatIfId}`, ev.run.state];
    if (state === 'running') this.runsInProgress.set(key, ev);
    else this.runsInProgress.delete(key);
  }

  /** Profiles and what-if runs still running ended with the engine: the window is told, instead of showing them running for ever. */
  private runsEnded(how: string): void {
    const error = { code: 'UNAVAILABLE', message: `the engine process stopped (${how})` };
    const finishedAt = (this.opts.now ?? Date.now)();
    for (const ev of this.runsInProgress.values()) {
      if (ev.type === 'profile-progress') {
        this.emit({ type: 'profile-progress', profile: { ...ev.profile, state: 'error', error, finishedAt } });
      } else {
        const variants = ev.run.variants.map((v) => (v.state === 'running' ? { ...v, state: 'error' as const } : v.state === 'pending' ? { ...v, state: 'stopped' as const } : v));
        this.emit({ type: 'whatif-progress', run: { ...ev.run, variants, state: 'error', error, finishedAt } });
      }
    }
    this.runsInProgress.clear();
  }

  private rejectPending(how: string, closing: boolean): void {
    for (const p of this.pending.values()) {
      p.reject(
        closing ? new LabError('UNAVAILABLE', `the lab closed while ${p.method} ran`) : new LabError('UNAVAILABLE', `the engine process stopped (${how}) while ${p.method} ran; it is being restarted`),
      );
    }
    this.pending.clear();
  }

  /**
   * Closes the engine: its server and lab close cleanly (settings reach the disk); killed after the
   * timeout. Every caller waits for the same close.
   */
  shutdown(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    const child = this.child;
    this.stateNow = 'closing';
    this.ready.reject(new LabError('UNAVAILABLE', 'the lab is closing'));
    if (!child) {
      this.stateNow = 'closed';
      return;
    }
    const exited = new Promise<void>((resolve) => (this.exited = resolve));
    const wait = this.opts.shutdownTimeoutMs ?? 10_000;
    let gone: ReturnType<typeof setTimeout> | undefined;
    const timer = setTimeout(() => {
      this.opts.log('the engine did not close in time; stopping it');
      child.kill();
      // A process whose end is never reported must not hold the quit forever: main goes on without it.
      gone = setTimeout(() => {
        this.opts.log('the engine was not seen to end after it was stopped; closing without it');
        this.died(child, 'stopped');
      }, wait);
    }, wait);
    child.send({ t: 'shutdown' });
    await exited;
    clearTimeout(timer);
    clearTimeout(gone);
  }
}
