/**
 * Serves the lab API over IPC: one handler per method (the contract's list, nothing
 * else), relayed to the engine process, payloads checked by the shared handlers there, calls accepted only from our own window's frames,
 * errors returned as values so their code survives the IPC boundary.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { isAppUrl } from './security';
import type { LabEvent } from '../contract/lab-api';
import { EVENT_CHANNEL, LAB_METHODS, methodChannel } from '../contract/methods';
import { toLabError } from '../engine/errors';
import type { LabHandlers } from '../engine/lab-handlers';

export type IpcResult = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * Accepts calls only from the main frame of our own window while it shows the
 * app (Electron's checklist: validate the sender of every IPC message).
 */
export function trustedSender(window: () => { webContents: WebContents } | undefined, appOrigin: string): (e: IpcMainInvokeEvent) => boolean {
  return (e) => {
    const contents = window()?.webContents;
    const frame = e.senderFrame;
    if (!contents || e.sender !== contents || !frame) return false;
    // No parent: the window's top frame, never an iframe inside it.
    return frame.parent === null && isAppUrl(frame.url, appOrigin);
  };
}

export function registerIpc(ipcMain: IpcMain, handlers: LabHandlers, isTrustedSender: (e: IpcMainInvokeEvent) => boolean): () => void {
  for (const method of LAB_METHODS) {
    ipcMain.handle(methodChannel(method), async (event, req: unknown): Promise<IpcResult> => {
      if (!isTrustedSender(event)) return { ok: false, error: { code: 'INVALID_ARG', message: 'call from an untrusted frame' } };
      try {
        return { ok: true, value: await handlers[method](req) };
      } catch (err) {
        const e = toLabError(err);
        return { ok: false, error: { code: e.code, message: e.message } };
      }
    });
  }
  return () => {
    for (const method of LAB_METHODS) ipcMain.removeHandler(methodChannel(method));
  };
}

/** Where lab events come from: the engine process (desktop), or a Lab in tests. */
export interface LabEventSource {
  onEvent(listener: (ev: LabEvent) => void): () => void;
}

/**
 * Forwards lab events to a window for as long as it lives. `pending`: an event the page must see even
 * if it was sent before the page listened (those are lost), sent again each time a page has loaded
 * (the first load, a reload): the engine restarting or given up, with its Retry.
 */
export function forwardEvents(lab: LabEventSource, contents: WebContents, pending?: () => LabEvent | undefined): () => void {
  const send = (ev: LabEvent): void => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, ev);
  };
  const off = lab.onEvent(send);
  const replay = (): void => {
    const ev = pending?.();
    if (ev) send(ev);
  };
  if (pending) contents.on('did-finish-load', replay);
  contents.once('destroyed', off);
  return () => {
    off();
    if (pending) contents.off('did-finish-load', replay);
  };
}
