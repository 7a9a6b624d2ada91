/**
 * The only bridge between the renderer and main: `window.modelLab` with one
 * `call` limited to the lab API's methods and an event subscription. No raw
 * ipcRenderer, no Node APIs.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { LabEvent, LabMethod } from '../contract/lab-api';
import { EVENT_CHANNEL, LAB_METHODS, methodChannel } from '../contract/methods';

const allowed = new Set<string>(LAB_METHODS);

export const bridge = {
  call(method: LabMethod, req: unknown): Promise<unknown> {
    if (!allowed.has(method)) return Promise.reject(new Error(`unknown lab method '${String(method)}'`));
    return ipcRenderer.invoke(methodChannel(method), req);
  },
  onEvent(listener: (ev: LabEvent) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, ev: LabEvent): void => listener(ev);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('modelLab', bridge);
