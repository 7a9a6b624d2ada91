/**
 * EngineProcess against a scripted fake engine (no process): the edges that the real host makes hard
 * to reach — a spawn that throws, a death before the first `ready`, deaths spread beyond the window,
 * a shutdown the engine ignores, asks answered for a dead engine, the credential answers.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { LabEvent } from '../contract/lab-api';
import { MemoryCredentials } from '../engine/remote/memory-credentials';
import type { FromEngine, ToEngine } from '../engine-host/protocol';
import { type EngineChild, EngineProcess, type EngineProcessOptions, type UtilityChildLike, utilitySpawn } from './engine-process';

interface FakeChild extends EngineChild {
  sent: ToEngine[];
  deliver(msg: FromEngine): void;
  exit(how: string): void;
  killed: number;
}

function fakeChild(): FakeChild {
  let onMsg: ((m: FromEngine) => void) | undefined;
  let onExit: ((how: string) => void) | undefined;
  const c: FakeChild = {
    sent: [],
    killed: 0,
    send: (m) => void c.sent.push(m),
    onMessage: (l) => (onMsg = l),
    onExit: (l) => (onExit = l),
    kill: () => {
      c.killed++;
      onExit?.('signal SIGKILL');
    },
    deliver: (m) => onMsg?.(m),
    exit: (how) => onExit?.(how),
  };
  return c;
}

function setup(over: Partial<EngineProcessOptions> = {}): { engine: EngineProcess; children: FakeChild[]; events: LabEvent[]; log: ReturnType<typeof vi.fn> } {
  const children: FakeChild[] = [];
  const log = vi.fn();
  const engine = new EngineProcess({
    spawn: () => {
      const c = fakeChild();
      children.push(c);
      return c;
    },
    host: { settingsFile: '/s.json', samplesDir: '/samples', sampleImagesDir: '/img', appVersion: '1', given: [] },
    asks: { pickFolder: async () => '/picked', pickFile: async () => null },
    log,
    ...over,
  });
  const events: LabEvent[] = [];
  engine.onEvent((ev) => events.push(ev));
  return { engine, children, events, log };
}

const ready = (c: FakeChild, opened: string[] = []): void => c.deliver({ t: 'ready', opened, skipped: [] });
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('EngineProcess (fake engine)', () => {
  it('sends init with the credentials switch, holds calls until ready, then relays them', async () => {
    const { engine, children } = setup({ asks: { pickFolder: async () => null, pickFile: async () => null, credentials: new MemoryCredentials() } });
    const started = engine.start();
    expect(children[0]!.sent[0]).toMatchObject({ t: 'init', options: { credentialsViaHost: true, given: [] } });
    expect(children[0]!.sent[0]).not.toHaveProperty('options.restart');
    const call = engine.handlers.listRepositories({});
    await tick();
    expect(children[0]!.sent.filter((m) => m.t === 'call')).toEqual([]);
    ready(children[0]!, ['/a']);
    expect(await started).toEqual({ opened: ['/a'], skipped: [] });
    await tick();
    const calls = children[0]!.sent.filter((m): m is Extract<ToEngine, { t: 'call' }> => m.t === 'call');
    // The tracking listing after ready, and the window's call.
    expect(calls.map((m) => m.method)).toEqual(['listRepositories', 'listRepositories']);
    for (const m of calls) children[0]!.deliver({ t: 'result', id: m.id, ok: true, value: [{ id: 'r1', path: '/a', name: 'a' }] });
    expect(await call).toEqual([{ id: 'r1', path: '/a', name: 'a' }]);
    expect(engine.repositories).toEqual(['/a']);
  });

  it('a death before the first ready starts it again as at first (no reopen list); a spawn that throws counts as a death', async () => {
    let throwNext = false;
    const children: FakeChild[] = [];
    const { engine, events } = setup({
      spawn: () => {
        if (throwNext) throw new Error('no such file: engine-host.js');
        const c = fakeChild();
        children.push(c);
        return c;
      },
      maxDeaths: 3,
    });
    const started = engine.start();
    children[0]!.exit('exit code 1');
    expect(children).toHaveLength(2);
    expect(children[1]!.sent[0]).not.toHaveProperty('options.restart');
    throwNext = true;
    children[1]!.exit('exit code 1');
    expect(engine.state).toBe('failed');
    await expect(started).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(events.map((e) => e.type === 'engine-status' && [e.state, e.reason])).toEqual([
      ['restarting', 'exit code 1'],
      ['restarting', 'exit code 1'],
      ['failed', 'could not start: no such file: engine-host.js'],
    ]);
  });

  it("start's folders (known only at start: macOS open-file before ready) replace host.given, also when it starts again before its first ready", () => {
    const { engine, children } = setup();
    void engine.start(['/dropped/on/dock']);
    expect(children[0]!.sent[0]).toMatchObject({ t: 'init', options: { given: ['/dropped/on/dock'] } });
    children[0]!.exit('exit code 1');
    expect(children[1]!.sent[0]).toMatchObject({ t: 'init', options: { given: ['/dropped/on/dock'] } });
    expect(children[1]!.sent[0]).not.toHaveProperty('options.restart');
    // Started already: a second start changes nothing.
    void engine.start(['/other']);
    expect(children).toHaveLength(2);
  });

  it('counts only the deaths within the window', () => {
    let now = 0;
    const { engine, children } = setup({ maxDeaths: 2, deathWindowMs: 1000, now: () => now });
    void engine.start();
    ready(children[0]!);
    children[0]!.exit('signal SIGSEGV');
    ready(children[1]!);
    now = 5000;
    children[1]!.exit('signal SIGSEGV');
    expect(engine.state).toBe('starting');
    expect(children[2]!.sent[0]).toMatchObject({ options: { restart: { reopen: [] } } });
    ready(children[2]!);
    now = 5500;
    children[2]!.exit('signal SIGSEGV');
    expect(engine.state).toBe('failed');
  });

  it('answers asks (dialogs, credentials with the store kind), and not to an engine that died meanwhile', async () => {
    const store = new MemoryCredentials();
    await store.set('remote:1', { authorization: 'x' });
    let release: (v: string) => void = () => undefined;
    const { engine, children } = setup({ asks: { pickFolder: () => new Promise((r) => (release = r)), pickFile: async () => '/f', credentials: store } });
    void engine.start();
    const c = children[0]!;
    ready(c);
    c.deliver({ t: 'ask', id: 1, ask: { op: 'credentials.get', serverId: 'remote:1' } });
    c.deliver({ t: 'ask', id: 2, ask: { op: 'pickFile' } });
    c.deliver({ t: 'ask', id: 3, ask: { op: 'pickFolder' } });
    await tick();
    expect(c.sent.filter((m) => m.t === 'answer')).toEqual([
      { t: 'answer', id: 1, ok: true, value: { kind: 'memory', headers: { authorization: 'x' } } },
      { t: 'answer', id: 2, ok: true, value: '/f' },
    ]);
    c.exit('signal SIGKILL');
    release('/late');
    await tick();
    expect(c.sent.filter((m) => m.t === 'answer')).toHaveLength(2);
    expect(children[1]!.sent.filter((m) => m.t === 'answer')).toEqual([]);
  });

  it('kills an engine that does not close in time, and rejects what was still waiting', async () => {
    vi.useFakeTimers();
    try {
      const { engine, children, log } = setup({ shutdownTimeoutMs: 500 });
      void engine.start();
      ready(children[0]!);
      const pending = engine.handlers.hostInfo({}).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(0);
      const closing = engine.shutdown();
      expect(children[0]!.sent.at(-1)).toEqual({ t: 'shutdown' });
      await vi.advanceTimersByTimeAsync(600);
      await closing;
      expect(children[0]!.killed).toBe(1);
      expect(log).toHaveBeenCalledWith('the engine did not close in time; stopping it');
      expect(await pending).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('closed while hostInfo ran') });
      expect(engine.state).toBe('closed');
      expect(children).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a quit is not held forever by an engine whose end is never reported', async () => {
    vi.useFakeTimers();
    try {
      const { engine, children, log } = setup({ shutdownTimeoutMs: 500 });
      void engine.start();
      ready(children[0]!);
      children[0]!.kill = () => void children[0]!.killed++;
      const closing = engine.shutdown();
      await vi.advanceTimersByTimeAsync(1100);
      await closing;
      expect(children[0]!.killed).toBe(1);
      expect(log).toHaveBeenCalledWith('the engine was not seen to end after it was stopped; closing without it');
      expect(engine.state).toBe('closed');
      // Its late exit changes nothing.
      children[0]!.exit('signal SIGTERM');
      expect(engine.state).toBe('closed');
      expect(children).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a quit while the engine restarts closes the new engine and starts no other', async () => {
    const { engine, children, events } = setup();
    void engine.start();
    ready(children[0]!, ['/a']);
    children[0]!.exit('signal SIGKILL');
    expect(engine.state).toBe('starting');
    const waiting = engine.handlers.listRepositories({}).catch((e: unknown) => e);
    const closing = engine.shutdown();
    let secondDone = false;
    const second = engine.shutdown().then(() => (secondDone = true));
    expect(children[1]!.sent.at(-1)).toEqual({ t: 'shutdown' });
    expect(await waiting).toMatchObject({ code: 'UNAVAILABLE', message: 'the lab is closing' });
    // The engine finished opening just before it took the shutdown: its late 'ready' changes nothing.
    ready(children[1]!, ['/a']);
    expect(engine.state).toBe('closing');
    // A second shutdown (window-all-closed, then before-quit) waits for the same close.
    await tick();
    expect(secondDone).toBe(false);
    children[1]!.exit('exit code 0');
    await closing;
    await second;
    expect(engine.state).toBe('closed');
    expect(children).toHaveLength(2);
    expect(children[1]!.sent.filter((m) => m.t === 'call')).toEqual([]);
    expect(events.filter((e) => e.type === 'engine-status').map((e) => e.type === 'engine-status' && e.state)).toEqual(['restarting']);
  });

  it("speaks utilityProcess: fork's entry and options, postMessage, 'message' data, 'exit' code, kill", () => {
    const forks: unknown[][] = [];
    const posted: unknown[] = [];
    const child = Object.assign(new EventEmitter(), { postMessage: (m: unknown) => posted.push(m), kill: vi.fn(() => true) });
    const spawn = utilitySpawn({ fork: (...a) => (forks.push(a), child as unknown as UtilityChildLike) }, '/app/out/main/engine-host.js');
    const engine = spawn();
    expect(forks).toEqual([['/app/out/main/engine-host.js', [], { serviceName: 'Model Lab engine', stdio: 'inherit' }]]);
    engine.send({ t: 'shutdown' });
    expect(posted).toEqual([{ t: 'shutdown' }]);
    const got: FromEngine[] = [];
    const exits: string[] = [];
    engine.onMessage((m) => got.push(m));
    engine.onExit((how) => exits.push(how));
    child.emit('message', { t: 'closed' });
    // A fatal V8 error: reported with the exit, never thrown in main as an unheard 'error' event.
    child.emit('error', 'FatalError', 'v8::ToLocalChecked Empty MaybeLocal', 'report');
    child.emit('exit', 9);
    child.emit('exit', 9);
    expect(got).toEqual([{ t: 'closed' }]);
    expect(exits).toEqual(['FatalError at v8::ToLocalChecked Empty MaybeLocal, exit code 9']);
    engine.kill();
    expect(child.kill).toHaveBeenCalledTimes(1);
  });

  it('gave up while opening the repositories: Retry starts an empty lab and says so; gave up while running: Retry reopens', async () => {
    const { engine, children, events } = setup({ maxDeaths: 2 });
    void engine.start();
    ready(children[0]!, ['/crashes-on-open', '/fine']);
    children[0]!.exit('signal SIGSEGV');
    expect(children[1]!.sent[0]).toMatchObject({ options: { restart: { reopen: ['/crashes-on-open', '/fine'] } } });
    // Dies again while reopening them (before its ready).
    children[1]!.exit('signal SIGSEGV');
    expect(engine.state).toBe('failed');
    // What a page that loads now is shown (ipc.ts forwardEvents replays it).
    expect(engine.trouble).toEqual({ type: 'engine-status', state: 'failed', reason: 'signal SIGSEGV', restarts: 1 });
    void engine.retry();
    expect(children[2]!.sent[0]).toMatchObject({ options: { restart: { reopen: [] } } });
    ready(children[2]!);
    await tick();
    for (const m of children[2]!.sent) if (m.t === 'call') children[2]!.deliver({ t: 'result', id: m.id, ok: true, value: [] });
    await tick();
    await tick();
    expect(events.filter((e) => e.type === 'engine-status').at(-1)).toEqual({ type: 'engine-status', state: 'running', restarts: 1, reopened: false });
    expect(engine.trouble).toBeUndefined();
    // Now it dies twice while running: Retry reopens what is open.
    children[2]!.exit('signal SIGKILL');
    ready(children[3]!, ['/other']);
    children[3]!.exit('signal SIGKILL');
    expect(engine.state).toBe('failed');
    void engine.retry();
    expect(children[4]!.sent[0]).toMatchObject({ options: { restart: { reopen: ['/other'] } } });
    ready(children[4]!, ['/other']);
    await tick();
    for (const m of children[4]!.sent) if (m.t === 'call') children[4]!.deliver({ t: 'result', id: m.id, ok: true, value: [] });
    await tick();
    await tick();
    expect(events.filter((e) => e.type === 'engine-status').at(-1)).toEqual({ type: 'engine-status', state: 'running', restarts: 2 });
  });
});

describe('EngineProcess: a death while the last restart is still being completed', () => {
  it("never says 'running' for an engine that died meanwhile, and keeps the serve switch and trust decisions for the next one", async () => {
    const { engine, children, events } = setup();
    void engine.start();
    ready(children[0]!, ['/mine']);
    await tick();
    // The first engine lists the folder (trusted once this session) and serves it.
    const list0 = children[0]!.sent.find((m) => m.t === 'call' && m.method === 'listRepositories') as Extract<ToEngine, { t: 'call' }>;
    children[0]!.deliver({ t: 'result', id: list0.id, ok: true, value: [{ id: 'r1', path: '/mine', name: 'mine', trust: 'trusted' }] });
    await tick();
    const settings = { httpPort: 8000, grpcPort: 8001, metricsPort: 8002 };
    children[0]!.deliver({ t: 'event', ev: { type: 'serve-changed', status: { available: true, state: 'running', repoId: 'r1', inFlight: 2, http: 'http://127.0.0.1:8000', settings } } as LabEvent });
    children[0]!.exit('signal SIGKILL');
    // The window and menu hear that the server went down with the engine, once.
    expect(events.filter((e) => e.type === 'serve-changed').at(-1)).toEqual({
      type: 'serve-changed',
      status: { available: true, state: 'stopped', inFlight: 0, settings, error: 'the engine process stopped (signal SIGKILL)' },
    });
    // The second engine comes up, starts giving back the trust decision, and dies before it is done.
    ready(children[1]!, ['/mine']);
    await tick();
    children[1]!.exit('signal SIGKILL');
    for (let i = 0; i < 5; i++) await tick();
    expect(events.filter((e) => e.type === 'engine-status').map((e) => e.type === 'engine-status' && e.state)).toEqual(['restarting', 'restarting']);
    expect(events.filter((e) => e.type === 'serve-changed')).toHaveLength(2);
    // The third engine gets the same trust decision and the same server.
    ready(children[2]!, ['/mine']);
    const answered = new Set<number>();
    for (let i = 0; i < 20; i++) {
      await tick();
      for (const m of children[2]!.sent) {
        if (m.t !== 'call' || answered.has(m.id)) continue;
        answered.add(m.id);
        const value =
          m.method === 'listRepositories' ? [{ id: 'r9', path: '/mine', name: 'mine', trust: 'untrusted' }] : m.method === 'serveStatus' ? { state: 'running', repoId: 'r9', settings } : {};
        children[2]!.deliver({ t: 'result', id: m.id, ok: true, value });
      }
    }
    const calls = children[2]!.sent.filter((m): m is Extract<ToEngine, { t: 'call' }> => m.t === 'call');
    expect(calls.find((m) => m.method === 'setTrust')?.req).toEqual({ repoId: 'r9', decision: 'once' });
    expect(calls.find((m) => m.method === 'startServing')?.req).toEqual({ repoId: 'r9', ...settings });
    expect(events.filter((e) => e.type === 'engine-status').map((e) => e.type === 'engine-status' && e.state)).toEqual(['restarting', 'restarting', 'running']);
  });
});

describe('EngineProcess: progress that ends with the engine', () => {
  it('profiles and what-if runs still running are reported ended (error, with how) when the engine dies; finished ones are left alone', () => {
    const { engine, children, events } = setup({ now: () => 42 });
    void engine.start();
    ready(children[0]!);
    const profile = (profileId: string, state: string): LabEvent => ({ type: 'profile-progress', profile: { profileId, repoId: 'r', model: 'm', state, points: [] } }) as unknown as LabEvent;
    const variants = [
      { name: 'a', state: 'done' },
      { name: 'b', state: 'running' },
      { name: 'c', state: 'pending' },
    ];
    children[0]!.deliver({ t: 'event', ev: profile('p1', 'running') });
    children[0]!.deliver({ t: 'event', ev: profile('p2', 'running') });
    children[0]!.deliver({ t: 'event', ev: profile('p2', 'done') });
    children[0]!.deliver({ t: 'event', ev: { type: 'whatif-progress', run: { whatIfId: 'w1', repoId: 'r', model: 'm', state: 'running', variants } } as unknown as LabEvent });
    const before = events.length;
    children[0]!.exit('signal SIGKILL');
    const error = { code: 'UNAVAILABLE', message: 'the engine process stopped (signal SIGKILL)' };
    expect(events.slice(before).filter((e) => e.type !== 'engine-status')).toEqual([
      { type: 'profile-progress', profile: { profileId: 'p1', repoId: 'r', model: 'm', state: 'error', points: [], error, finishedAt: 42 } },
      {
        type: 'whatif-progress',
        run: {
          whatIfId: 'w1',
          repoId: 'r',
          model: 'm',
          state: 'error',
          error,
          finishedAt: 42,
          variants: [
            { name: 'a', state: 'done' },
            { name: 'b', state: 'error' },
            { name: 'c', state: 'stopped' },
          ],
        },
      },
    ]);
    // Told once: a second death has nothing left to end.
    ready(children[1]!);
    const again = events.length;
    children[1]!.exit('signal SIGKILL');
    expect(events.slice(again).filter((e) => e.type !== 'engine-status')).toEqual([]);
  });
});
