/**
 * The engine in its own process, for real: the engine host (engine-host/main.ts, from source through
 * the script workers' loader hooks) forked under plain Node with `serialization: 'advanced'`, driven by
 * main's EngineProcess as the desktop shell drives it. Samples: a copy of ocr_ensemble and
 * quick_deploy_onnx in a temp samples folder (the whole set takes longer to load than these tests need).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabEvent, RepositoryInfo } from '../contract/lab-api';
import { LabError } from '../engine/errors';
import { MemoryCredentials } from '../engine/remote/memory-credentials';
import type { FromEngine } from '../engine-host/protocol';
import { type EngineAsks, type EngineChild, EngineProcess } from './engine-process';

const root = fileURLToPath(new URL('../..', import.meta.url));
const START = path.join(root, 'electron/engine-host/testing/start-ts.mjs');
/** This helper's ports (18100-18199): HTTP here, metrics +1, gRPC +50. */
const PORT = 18100 + (process.pid % 49);
const SAMPLE_TEXT = ['Model Lab reads this text', 'Every line is found by DB', 'and read by the SVTR model', 'Quick brown foxes jump high'];

let tmp: string;
let samplesDir: string;
const engines: EngineProcess[] = [];

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'engine-process-'));
  samplesDir = path.join(tmp, 'samples');
  for (const name of ['ocr_ensemble', 'quick_deploy_onnx']) cpSync(path.join(root, 'sample-repos', name), path.join(samplesDir, name), { recursive: true });
});

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Forks the real engine host; `children` keeps every process started, so a test can kill one. */
function forkSpawn(children: ChildProcess[], messages: FromEngine[] = []): () => EngineChild {
  return () => {
    const child = fork(START, [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    return {
      send: (msg) => void child.send(msg),
      onMessage: (l) =>
        child.on('message', (m) => {
          messages.push(m as FromEngine);
          l(m as FromEngine);
        }),
      onExit: (l) => child.once('exit', (code, signal) => l(signal ? `signal ${signal}` : `exit code ${code}`)),
      kill: () => void child.kill('SIGKILL'),
    };
  };
}

interface Started {
  engine: EngineProcess;
  children: ChildProcess[];
  events: LabEvent[];
  messages: FromEngine[];
  settingsFile: string;
}

function startEngine(asks: Partial<EngineAsks> = {}, extra: { given?: string[]; maxDeaths?: number } = {}): Started {
  const children: ChildProcess[] = [];
  const messages: FromEngine[] = [];
  const settingsFile = path.join(mkdtempSync(path.join(tmp, 'user-')), 'settings.json');
  const engine = new EngineProcess({
    spawn: forkSpawn(children, messages),
    host: { settingsFile, samplesDir, sampleImagesDir: path.join(root, 'resources/sample-images'), appVersion: '9.9.9', given: extra.given ?? [] },
    asks: { pickFolder: async () => null, pickFile: async () => null, ...asks },
    log: () => undefined,
    ...(extra.maxDeaths ? { maxDeaths: extra.maxDeaths } : {}),
  });
  engines.push(engine);
  const events: LabEvent[] = [];
  engine.onEvent((ev) => events.push(ev));
  return { engine, children, events, messages, settingsFile };
}

async function readText(engine: EngineProcess, repoId: string): Promise<string[]> {
  const run = await engine.handlers.runModel({ repoId, model: 'ensemble_model', inputs: [{ name: 'input_image', kind: 'bytes', dtype: 'UINT8', source: { sample: 'dejavu-sans-lines.png' } }] });
  expect(run.state).toBe('ok');
  const page = await engine.handlers.tensorPage({ runId: run.runId, side: 'output', name: 'recognized_text', offset: 0, count: 16 });
  return (page.values as unknown[]).map(String);
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const byName = (repos: RepositoryInfo[], name: string): RepositoryInfo => {
  const r = repos.find((x) => x.name === name);
  if (!r) throw new Error(`${name} is not open`);
  return r;
};

describe('the engine host under plain Node, driven by EngineProcess', () => {
  it('starts with the samples open, answers calls (errors keep their code and reason) and relays events', async () => {
    const { engine, events } = startEngine();
    const started = await engine.start();
    expect(started.opened.map((p) => path.basename(p)).sort()).toEqual(['ocr_ensemble', 'quick_deploy_onnx']);
    expect(engine.state).toBe('running');
    const info = await engine.handlers.hostInfo({});
    expect(info).toMatchObject({ mode: 'electron', appVersion: '9.9.9', canPickFolder: true, canPickFile: true, samplesDir });
    const repos = await engine.handlers.listRepositories({});
    expect(repos.every((r) => r.sample)).toBe(true);
    expect(await readText(engine, byName(repos, 'ocr_ensemble').id)).toEqual(SAMPLE_TEXT);
    await expect(engine.handlers.getModel({ repoId: 'nope', model: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A folder of the user's (not a sample): its code is not trusted yet, and the reason says so.
    const mine = path.join(tmp, 'mine-ocr');
    cpSync(path.join(samplesDir, 'ocr_ensemble'), mine, { recursive: true });
    const opened = await engine.handlers.openRepository({ path: mine });
    const err: unknown = await engine.handlers.runModel({ repoId: opened.id, model: 'ensemble_model', inputs: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', reason: 'UNTRUSTED' });
    await until('repositories-changed', () => events.some((e) => e.type === 'repositories-changed'));
    await until('the new folder to be tracked', () => engine.repositories.includes(opened.path));
  }, 90_000);

  it('asks main for dialogs and credentials', async () => {
    const store = new MemoryCredentials();
    const asked: string[] = [];
    const { engine } = startEngine({
      pickFolder: async (purpose) => {
        asked.push(`folder:${purpose ?? 'open'}`);
        return '/picked/folder';
      },
      pickFile: async () => {
        asked.push('file');
        return null;
      },
      credentials: store,
    });
    await engine.start();
    expect(await engine.handlers.pickRepositoryFolder({})).toEqual({ path: '/picked/folder' });
    expect(await engine.handlers.pickRepositoryFolder({ purpose: 'export' })).toMatchObject({ path: '/picked/folder' });
    expect(await engine.handlers.pickInputFile({})).toMatchObject({ path: null });
    expect(asked).toEqual(['folder:open', 'folder:export', 'file']);
    // A remote server with a header: the value goes to main's store, and is deleted there with the server.
    const repos = await engine.handlers.listRepositories({});
    const port = PORT;
    await engine.handlers.startServing({ repoId: byName(repos, 'quick_deploy_onnx').id, httpPort: port, grpcPort: port + 50, metricsPort: port + 1 });
    const remote = await engine.handlers.addRemoteServer({ url: `http://127.0.0.1:${port}`, headers: { authorization: 'Bearer s3cret' } });
    expect(await store.get(remote.id)).toEqual({ authorization: 'Bearer s3cret' });
    expect(JSON.stringify(await engine.handlers.listRemoteServers({}))).not.toContain('s3cret');
    expect(await engine.handlers.removeRemoteServer({ id: remote.id })).toEqual({ removed: true });
    expect(await store.get(remote.id)).toEqual({});
  }, 90_000);

  it('killed under load: calls in flight fail UNAVAILABLE, the window is told, the repositories reopen and calls work again', async () => {
    const { engine, children, events } = startEngine();
    await engine.start();
    const before = await engine.handlers.listRepositories({});
    const ocr = byName(before, 'ocr_ensemble');
    await engine.handlers.closeRepository({ repoId: byName(before, 'quick_deploy_onnx').id });
    await until('the close to be tracked', () => engine.repositories.length === 1);
    // A folder of the user's, trusted for this session only: trusted again after the restart.
    const mine = path.join(tmp, 'kill-mine');
    cpSync(path.join(samplesDir, 'ocr_ensemble'), mine, { recursive: true });
    const opened = await engine.handlers.openRepository({ path: mine });
    expect((await engine.handlers.setTrust({ repoId: opened.id, decision: 'once' })).trust).toBe('trusted');
    await until('the trust to be tracked', () => engine.repositories.length === 2);
    // Serving the OCR repository when the engine dies: served again after the restart, on the same port.
    await engine.handlers.startServing({ repoId: ocr.id, httpPort: PORT, grpcPort: PORT + 50, metricsPort: PORT + 1 });
    expect((await fetch(`http://127.0.0.1:${PORT}/v2/health/ready`)).status).toBe(200);
    const runs = Array.from({ length: 6 }, () =>
      readText(engine, ocr.id).then(
        () => 'done',
        (e: unknown) => e,
      ),
    );
    await new Promise((r) => setTimeout(r, 150));
    children[0]!.kill('SIGKILL');
    const outcomes = await Promise.all(runs);
    const failed = outcomes.filter((o) => o !== 'done');
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(f).toMatchObject({ code: 'UNAVAILABLE' });
    expect((failed[0] as Error).message).toContain('signal SIGKILL');
    await until('running again', () => events.some((e) => e.type === 'engine-status' && e.state === 'running'));
    const statuses = events.filter((e) => e.type === 'engine-status');
    expect(statuses).toEqual([
      { type: 'engine-status', state: 'restarting', reason: 'signal SIGKILL', restarts: 1 },
      { type: 'engine-status', state: 'running', restarts: 1 },
    ]);
    expect(children).toHaveLength(2);
    const after = await engine.handlers.listRepositories({});
    // What was open is open again (the closed sample stays closed), the sample as a sample, the folder trusted once trusted again.
    expect(after.map((r) => [r.path, r.sample, r.trust])).toEqual([
      [ocr.path, true, 'trusted'],
      [mine, false, 'trusted'],
    ]);
    expect(await readText(engine, after[0]!.id)).toEqual(SAMPLE_TEXT);
    expect(await readText(engine, after[1]!.id)).toEqual(SAMPLE_TEXT);
    await until('serving again', () => events.some((e) => e.type === 'serve-changed' && e.status.state === 'running' && e.status.repoId === after[0]!.id));
    expect(await engine.handlers.serveStatus({})).toMatchObject({ state: 'running', repoId: after[0]!.id, settings: { httpPort: PORT } });
    expect((await fetch(`http://127.0.0.1:${PORT}/v2/models/ensemble_model/ready`)).status).toBe(200);
  }, 120_000);

  it('gives up after repeated deaths, and starts again on Retry (restartEngine)', async () => {
    const { engine, children, events } = startEngine({}, { maxDeaths: 2 });
    await engine.start();
    children[0]!.kill('SIGKILL');
    // The first restart completed: the window was told 'running' (not only the process ready).
    await until('the first restart', () => children.length === 2 && events.some((e) => e.type === 'engine-status' && e.state === 'running'));
    children[1]!.kill('SIGKILL');
    await until('failed', () => engine.state === 'failed');
    expect(events.filter((e) => e.type === 'engine-status').map((e) => e.type === 'engine-status' && e.state)).toEqual(['restarting', 'running', 'failed']);
    await expect(engine.handlers.listRepositories({})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(await engine.handlers.restartEngine({})).toEqual({ restarted: true });
    expect(engine.state).toBe('running');
    expect(await engine.handlers.restartEngine({})).toEqual({ restarted: false });
    expect((await engine.handlers.listRepositories({})).map((r) => path.basename(r.path)).sort()).toEqual(['ocr_ensemble', 'quick_deploy_onnx']);
  }, 120_000);

  it('shuts down cleanly: the lab closes, settings reach the disk, the process exits 0', async () => {
    const { engine, children, messages, settingsFile } = startEngine();
    await engine.start();
    await engine.handlers.setSettings({ theme: 'dark' });
    const exit = new Promise<number | null>((resolve) => children[0]!.once('exit', (code) => resolve(code)));
    await engine.shutdown();
    expect(await exit).toBe(0);
    expect(messages.some((m) => m.t === 'closed')).toBe(true);
    expect(engine.state).toBe('closed');
    expect(existsSync(settingsFile) && JSON.parse(readFileSync(settingsFile, 'utf8'))).toMatchObject({ theme: 'dark' });
    await expect(engine.handlers.listRepositories({})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  }, 90_000);
});
