/**
 * main/index.ts wired for real, Electron aside: `electron` is mocked, and its `utilityProcess.fork`
 * forks the real engine host (from source) under Node, so a lab call goes window → IPC validation →
 * EngineProcess → engine process → handler table and back, as on the desktop. The engine is then
 * killed with SIGKILL: the window (a fake) is told, calls work again, and quitting closes the engine.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { LabEvent, RepositoryInfo } from '../contract/lab-api';
import type { IpcResult } from './ipc';

const h = vi.hoisted(() => ({
  userData: '',
  ipc: new Map<string, (event: unknown, req: unknown) => Promise<unknown>>(),
  appEvents: new Map<string, (...args: unknown[]) => void>(),
  sent: [] as unknown[],
  children: [] as ChildProcess[],
  quit: 0,
  window: undefined as unknown,
}));

/** An object whose every property is a no-op function (Electron APIs this test does not exercise). */
const stub = (): Record<string, unknown> => new Proxy({}, { get: () => () => undefined });

vi.mock('electron', () => {
  const start = fileURLToPath(new URL('../engine-host/testing/start-ts.mjs', import.meta.url));
  const utilityProcess = {
    // The real engine host under Node, in utilityProcess's shape: 'message' carries the data, 'exit' the code.
    fork: () => {
      const child = fork(start, [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      h.children.push(child);
      const u = Object.assign(new EventEmitter(), { postMessage: (m: unknown) => child.send(m as object), kill: () => child.kill('SIGTERM') });
      child.on('message', (m) => u.emit('message', m));
      child.on('exit', (code, signal) => u.emit('exit', code ?? (signal ? 128 + os.constants.signals[signal] : 1)));
      return u;
    },
  };
  const app = {
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    on: (ev: string, fn: (...args: unknown[]) => void) => h.appEvents.set(ev, fn),
    getPath: () => h.userData,
    isPackaged: false,
    getVersion: () => '0.0.0-wiring',
    getLocale: () => 'en',
    getName: () => 'Model Lab',
    quit: () => void h.quit++,
  };
  return {
    app,
    utilityProcess,
    ipcMain: { handle: (channel: string, fn: (e: unknown, req: unknown) => Promise<unknown>) => h.ipc.set(channel, fn), removeHandler: (c: string) => h.ipc.delete(c) },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showMessageBox: async () => ({ response: 0 }) },
    Menu: { setApplicationMenu: () => undefined, buildFromTemplate: (t: unknown) => t },
    nativeTheme: {},
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '' },
    screen: { getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1600, height: 1000 } }), getAllDisplays: () => [] },
    session: { defaultSession: stub() },
    protocol: stub(),
    net: stub(),
    shell: stub(),
    BrowserWindow: class {},
    systemPreferences: stub(),
  };
});

vi.mock('./security', async (original) => ({ ...(await original<typeof import('./security')>()), appOriginOf: () => 'model-lab://app', hardenSession: () => undefined }));

vi.mock('./window', async (original) => ({
  ...(await original<typeof import('./window')>()),
  createLabWindow: () => {
    const contents = { send: (_channel: string, ev: unknown) => h.sent.push(ev), isDestroyed: () => false, once: () => undefined, on: () => undefined };
    h.window = { webContents: contents, on: () => undefined, once: () => undefined, isDestroyed: () => false, getBounds: () => ({ x: 0, y: 0, width: 1, height: 1 }) };
    return h.window;
  },
}));

h.userData = mkdtempSync(path.join(os.tmpdir(), 'index-wiring-'));
afterAll(() => rmSync(h.userData, { recursive: true, force: true }));

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A call as the window's top frame makes it. */
function call(method: string, req: unknown = {}): Promise<IpcResult> {
  const handler = h.ipc.get(`lab:${method}`);
  if (!handler) throw new Error(`no IPC handler for ${method}`);
  const win = h.window as { webContents: unknown };
  return handler({ sender: win.webContents, senderFrame: { parent: null, url: 'model-lab://app/index.html' } }, req) as Promise<IpcResult>;
}

describe('main/index.ts with the engine in its own process', () => {
  it('answers the window through the engine process, survives a SIGKILL of it, and closes it on quit', async () => {
    await import('./index');
    await until('the IPC handlers', () => h.ipc.has('lab:listRepositories') && !!h.window);
    // Untrusted frames are refused before anything reaches the engine.
    const stranger = await h.ipc.get('lab:hostInfo')!({ sender: {}, senderFrame: { parent: null, url: 'https://evil.example/' } }, {});
    expect(stranger).toMatchObject({ ok: false, error: { code: 'INVALID_ARG' } });
    const info = await call('hostInfo');
    expect(info).toMatchObject({ ok: true, value: { mode: 'electron', appVersion: '0.0.0-wiring', canPickFolder: true } });
    const first = (await call('listRepositories')) as { ok: true; value: RepositoryInfo[] };
    expect(first.value.map((r) => r.name)).toContain('ocr_ensemble');
    expect(h.children).toHaveLength(1);
    h.children[0]!.kill('SIGKILL');
    await until('the window to hear the engine is back', () => h.sent.some((e) => (e as LabEvent).type === 'engine-status' && (e as { state: string }).state === 'running'));
    expect(h.sent.filter((e) => (e as LabEvent).type === 'engine-status')).toEqual([
      { type: 'engine-status', state: 'restarting', reason: 'exit code 137', restarts: 1 },
      { type: 'engine-status', state: 'running', restarts: 1 },
    ]);
    const again = (await call('listRepositories')) as { ok: true; value: RepositoryInfo[] };
    expect(again.value.map((r) => r.path)).toEqual(first.value.map((r) => r.path));
    // macOS: a folder dropped on the Dock icon once the app runs opens in the running lab.
    const dropped = path.join(h.userData, 'dropped-on-dock');
    cpSync(fileURLToPath(new URL('../../sample-repos/quick_deploy_onnx', import.meta.url)), dropped, { recursive: true });
    let defaultPrevented = 0;
    h.appEvents.get('open-file')!({ preventDefault: () => void defaultPrevented++ }, dropped);
    expect(defaultPrevented).toBe(1);
    let listed: string[] = [];
    for (const end = Date.now() + 60_000; !listed.includes(dropped) && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      listed = ((await call('listRepositories')) as { ok: true; value: RepositoryInfo[] }).value.map((r) => r.path);
    }
    expect(listed).toContain(dropped);
    // Quit: held until the engine has closed, then quit for real.
    const exited = new Promise<number | null>((resolve) => h.children[1]!.once('exit', (code) => resolve(code)));
    let prevented = 0;
    h.appEvents.get('before-quit')!({ preventDefault: () => void prevented++ });
    expect(prevented).toBe(1);
    expect(await exited).toBe(0);
    await until('quit', () => h.quit === 1);
  }, 120_000);
});
