import { describe, expect, it, vi } from 'vitest';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn((channel: string, req: unknown) => Promise.resolve({ ok: true, value: { channel, req } }));
const listeners = new Map<string, (e: unknown, ev: unknown) => void>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: {
    invoke,
    on: (ch: string, fn: (e: unknown, ev: unknown) => void) => listeners.set(ch, fn),
    removeListener: (ch: string) => listeners.delete(ch),
  },
}));

describe('preload bridge', async () => {
  await import('./index');
  const bridge = exposed['modelLab'] as { call: (m: string, r: unknown) => Promise<unknown>; onEvent: (l: (ev: unknown) => void) => () => void };

  it('exposes only call and onEvent, never ipcRenderer', () => {
    expect(Object.keys(exposed)).toEqual(['modelLab']);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'onEvent']);
  });

  it('routes lab methods to their own channel and refuses anything else', async () => {
    await expect(bridge.call('getModel', { repoId: 'r', model: 'm' })).resolves.toEqual({ ok: true, value: { channel: 'lab:getModel', req: { repoId: 'r', model: 'm' } } });
    await expect(bridge.call('openExternal', {})).rejects.toThrow("unknown lab method 'openExternal'");
    expect(invoke).toHaveBeenCalledTimes(1);
  });

  it('delivers events until unsubscribed', () => {
    const got: unknown[] = [];
    const off = bridge.onEvent((ev) => got.push(ev));
    listeners.get('lab:event')!({}, { type: 'repositories-changed' });
    expect(got).toEqual([{ type: 'repositories-changed' }]);
    off();
    expect(listeners.has('lab:event')).toBe(false);
  });
});
