import { describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { LabEvent } from '../contract/lab-api';
import { LAB_METHODS, methodChannel } from '../contract/methods';
import { Lab } from '../engine/lab';
import { createLabHandlers } from '../engine/lab-handlers';
import { dispatch } from '../engine/lab-handlers';
import { forwardEvents, type IpcResult, registerIpc, trustedSender } from './ipc';

vi.mock('electron', () => ({}));

type Handler = (event: IpcMainInvokeEvent, req: unknown) => Promise<IpcResult>;

function fakeIpcMain(): IpcMain & { handlers: Map<string, Handler> } {
  const handlers = new Map<string, Handler>();
  return {
    handlers,
    handle: (channel: string, fn: Handler) => handlers.set(channel, fn),
    removeHandler: (channel: string) => handlers.delete(channel),
  } as unknown as IpcMain & { handlers: Map<string, Handler> };
}

const trusted = { sender: { id: 1 } } as unknown as IpcMainInvokeEvent;
const stranger = { sender: { id: 2 } } as unknown as IpcMainInvokeEvent;

describe('IPC wiring', () => {
  const lab = new Lab();
  const handlers = createLabHandlers(lab, {
    info: () => ({ mode: 'electron', appVersion: 't', platform: 'linux', canPickFolder: true }),
    pickFolder: (purpose) => Promise.resolve(purpose === 'export' ? '/picked-export' : '/picked'),
  });

  it('registers one channel per lab method and removes them again', () => {
    const ipc = fakeIpcMain();
    const off = registerIpc(ipc, handlers, (e) => e === trusted);
    expect([...ipc.handlers.keys()].sort()).toEqual(LAB_METHODS.map(methodChannel).sort());
    off();
    expect(ipc.handlers.size).toBe(0);
  });

  it('answers trusted frames, refuses others, and returns errors as values with their code', async () => {
    const ipc = fakeIpcMain();
    registerIpc(ipc, handlers, (e) => e === trusted);
    const pick = ipc.handlers.get(methodChannel('pickRepositoryFolder'))!;
    expect(await pick(trusted, {})).toEqual({ ok: true, value: { path: '/picked' } });
    expect(await pick(stranger, {})).toEqual({ ok: false, error: { code: 'INVALID_ARG', message: 'call from an untrusted frame' } });
    const open = ipc.handlers.get(methodChannel('openRepository'))!;
    expect(await open(trusted, { path: 7 })).toEqual({ ok: false, error: { code: 'INVALID_ARG', message: "'path' must be a non-empty string" } });
    const ok = await open(trusted, { path: path.resolve('sample-repos/data_pipeline') });
    expect(ok.ok).toBe(true);
  });

  it("passes the picker's purpose on ('export' or none) and refuses any other", async () => {
    const ipc = fakeIpcMain();
    registerIpc(ipc, handlers, (e) => e === trusted);
    const pick = ipc.handlers.get(methodChannel('pickRepositoryFolder'))!;
    expect(await pick(trusted, { purpose: 'export' })).toEqual({ ok: true, value: { path: '/picked-export' } });
    expect(await pick(trusted, { purpose: 'open' })).toEqual({ ok: false, error: { code: 'INVALID_ARG', message: "'purpose' must be 'export' or left out" } });
  });

  it('picks a playground input file through the dialog; a run may then read it, and no other file outside the repositories', async () => {
    const ipc = fakeIpcMain();
    const picked = path.resolve('package.json');
    const withPicker = createLabHandlers(lab, {
      info: () => ({ mode: 'electron', appVersion: 't', platform: 'linux', canPickFolder: true, canPickFile: true }),
      pickFolder: () => Promise.resolve(null),
      pickFile: () => Promise.resolve(picked),
    });
    registerIpc(ipc, withPicker, (e) => e === trusted);
    const check = ipc.handlers.get(methodChannel('checkInputPath'))!;
    expect(await check(trusted, { path: picked })).toEqual({ ok: true, value: { path: picked, readable: false, reason: 'outside' } });
    const pick = ipc.handlers.get(methodChannel('pickInputFile'))!;
    expect(await pick(stranger, {})).toMatchObject({ ok: false });
    expect(await pick(trusted, {})).toEqual({ ok: true, value: { path: picked } });
    expect(await check(trusted, { path: picked })).toEqual({ ok: true, value: { path: picked, readable: true } });
    expect(await check(trusted, { path: path.resolve('tsconfig.json') })).toMatchObject({ ok: true, value: { readable: false, reason: 'outside' } });
  });

  it('registers nothing but the lab methods: any other channel has no handler', async () => {
    const ipc = fakeIpcMain();
    registerIpc(ipc, handlers, () => true);
    for (const channel of ['lab:openExternal', 'lab:event', 'shell:openPath', 'lab:constructor', 'lab:__proto__']) expect(ipc.handlers.has(channel), channel).toBe(false);
    await expect(dispatch(handlers, 'openExternal', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(dispatch(handlers, 'constructor', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('trusts only the top frame of our own window while it shows the app', () => {
    const mainFrame = { parent: null, url: 'model-lab://app/index.html' };
    const contents = { mainFrame } as unknown as WebContents;
    let win: { webContents: WebContents } | undefined = { webContents: contents };
    const trust = trustedSender(() => win, 'model-lab://app');
    const ev = (sender: unknown, senderFrame: unknown): IpcMainInvokeEvent => ({ sender, senderFrame }) as unknown as IpcMainInvokeEvent;
    expect(trust(ev(contents, mainFrame))).toBe(true);
    // An iframe inside the window (even one on the app's own URL).
    expect(trust(ev(contents, { parent: mainFrame, url: 'model-lab://app/index.html' }))).toBe(false);
    // The top frame on a local file: page is not the app (defect 7: file: was trusted).
    expect(trust(ev(contents, { parent: null, url: 'file:///app/out/renderer/index.html' }))).toBe(false);
    // Another window's contents.
    expect(trust(ev({ mainFrame }, mainFrame))).toBe(false);
    // The top frame after it navigated somewhere else, or a frame already gone.
    expect(trust(ev(contents, { parent: null, url: 'https://evil.example/' }))).toBe(false);
    expect(trust(ev(contents, null))).toBe(false);
    // No window at all (closed).
    win = undefined;
    expect(trust(ev(contents, mainFrame))).toBe(false);
  });

  it('forwards lab events to a live window only', async () => {
    const sent: unknown[] = [];
    let destroyed = false;
    const contents = { isDestroyed: () => destroyed, send: (_c: string, ev: unknown) => sent.push(ev), once: vi.fn() } as unknown as WebContents;
    const off = forwardEvents(lab, contents);
    await lab.openRepository(path.resolve('sample-repos/quick_deploy_onnx'));
    expect(sent.length).toBeGreaterThan(0);
    destroyed = true;
    const before = sent.length;
    lab.closeRepository(lab.listRepositories()[0]!.id);
    expect(sent.length).toBe(before);
    off();
  });

  it('sends the pending event again each time a page has loaded (events sent before it listened are lost)', () => {
    const sent: unknown[] = [];
    const pages = new EventEmitter();
    const contents = Object.assign(pages, { isDestroyed: () => false, send: (_c: string, ev: unknown) => sent.push(ev) }) as unknown as WebContents;
    let pending: LabEvent | undefined = { type: 'engine-status', state: 'failed', reason: 'exit code 1', restarts: 3 };
    const off = forwardEvents(new Lab(), contents, () => pending);
    pages.emit('did-finish-load');
    expect(sent).toEqual([pending]);
    pending = undefined;
    pages.emit('did-finish-load');
    expect(sent).toHaveLength(1);
    off();
    pending = { type: 'engine-status', state: 'restarting', restarts: 1 };
    pages.emit('did-finish-load');
    expect(sent).toHaveLength(1);
  });
});
