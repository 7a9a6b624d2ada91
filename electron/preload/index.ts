/**
 * The only bridge between the renderer and main: `window.modelLab` with one
 * `call` limited to the lab API's methods, an event subscription, and
 * `pathForFile` for folders dropped on the window (Electron ≥ 32 no longer
 * puts a `path` on dropped Files; only the preload can ask `webUtils`).
 * No raw ipcRenderer, no Node APIs. Built as CommonJS (`out/preload/index.cjs`)
 * because the renderer is sandboxed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent, webUtils } from 'electron';
import type { LabEvent, LabMethod } from '../contract/lab-api';
import { EVENT_CHANNEL, LAB_METHODS, methodChannel } from '../contract/methods';

const allowed = new Set<string>(LAB_METHODS);

export const bridge = {
  call(method: LabMethod, req: unknown): Promise<unknown> {
    if (typeof method !== 'string' || !allowed.has(method)) return Promise.reject(new Error(`unknown lab method '${String(method)}'`));
    return ipcRenderer.invoke(methodChannel(method), req);
  },
  onEvent(listener: (ev: LabEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    const wrapped = (_e: IpcRendererEvent, ev: LabEvent): void => listener(ev);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
    };
  },
  /** The file-system path of a File dropped on the window (a folder included); '' when it has none. */
  pathForFile(file: File): string {
    try {
      const p = webUtils.getPathForFile(file);
      return typeof p === 'string' ? p : '';
    } catch {
      return '';
    }
  },
};

contextBridge.exposeInMainWorld('modelLab', bridge);
