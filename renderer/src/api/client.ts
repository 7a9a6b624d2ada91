/**
 * `useBackend()`: the one way the UI talks to the lab. In Electron it goes
 * through the preload bridge (IPC); in a browser, through the lab HTTP API.
 * Both implement the same typed contract. In browser mode the page carries
 * the lab's token as a cookie; a 401 means it has none (or an old one).
 */
import type { LabClient, LabEvent, LabMethod, LabRequest, LabResponse } from '@contract/lab-api';
import { t } from '../i18n';

export class LabCallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'LabCallError';
    this.code = code;
  }
}

type IpcResult = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

interface Bridge {
  call(method: LabMethod, req: unknown): Promise<IpcResult>;
  onEvent(listener: (ev: LabEvent) => void): () => void;
}

export function ipcClient(bridge: Bridge): LabClient {
  return {
    async call<M extends LabMethod>(method: M, req: LabRequest<M>): Promise<LabResponse<M>> {
      const result = await bridge.call(method, req);
      if (!result.ok) throw new LabCallError(result.error.code, result.error.message);
      return result.value as LabResponse<M>;
    },
    onEvent: (listener) => bridge.onEvent(listener),
  };
}

export function httpClient(base = '', fetchImpl: typeof fetch = (...a) => fetch(...a)): LabClient {
  const listeners = new Set<(ev: LabEvent) => void>();
  let source: EventSource | undefined;
  const ensureEvents = (): void => {
    if (source || typeof EventSource === 'undefined') return;
    source = new EventSource(`${base}/api/events`);
    source.onmessage = (msg: MessageEvent<string>) => {
      let ev: LabEvent;
      try {
        ev = JSON.parse(msg.data) as LabEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(ev);
    };
  };
  return {
    async call<M extends LabMethod>(method: M, req: LabRequest<M>): Promise<LabResponse<M>> {
      let res: Response;
      try {
        res = await fetchImpl(`${base}/api/lab/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req ?? {}) });
      } catch (err) {
        throw new LabCallError('UNAVAILABLE', `the lab server is not reachable (${err instanceof Error ? err.message : String(err)})`);
      }
      // Browser mode without this launch's token (a restarted lab, an address without ?token=): say how to get in.
      if (res.status === 401) throw new LabCallError('UNAUTHENTICATED', t('api.unauthenticated'));
      const body = (await res.json().catch(() => undefined)) as unknown;
      if (!res.ok) {
        const e = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
        throw new LabCallError(e?.code ?? 'INTERNAL', e?.message ?? `HTTP ${res.status}`);
      }
      return body as LabResponse<M>;
    },
    onEvent(listener) {
      listeners.add(listener);
      ensureEvents();
      return () => listeners.delete(listener);
    },
  };
}

let client: LabClient | undefined;

/** Tests and stories can swap the backend. */
export function setBackend(c: LabClient | undefined): void {
  client = c;
}

export function useBackend(): LabClient {
  if (!client) {
    const bridge = (globalThis as { modelLab?: Bridge }).modelLab;
    client = bridge ? ipcClient(bridge) : httpClient();
  }
  return client;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
