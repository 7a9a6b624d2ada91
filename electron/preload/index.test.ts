import { describe, expect, it, vi } from 'vitest';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn((channel: string, req: unknown) => Promise.resolve({ ok: true, value: { channel, req } }));
const listeners = new Map<string, (e: unknown, ev: unknown) => void>();

const getPathForFile = vi.fn((file: { name: string }) => {
  if (file.name === 'virtual') throw new Error('not a file on disk');
  return file.name === 'blob' ? '' : `/dropped/${file.name}`;
});

vi.mock('electron', () => ({
  webUtils: { getPathForFile },
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: {
    invoke,
    on: (ch: string, fn: (e: unknown, ev: unknown) => void) => listeners.set(ch, fn),
    removeListener: (ch: string) => listeners.delete(ch),
  },
}));

describe('preload bridge', async () => {
  await import('./index');
  const bridge = exposed['modelLab'] as { call: (m: string, r: unknown) => Promise<unknown>; onEvent: (l: (ev: unknown) => void) => () => void; pathForFile: (f: unknown) => string };

  it('exposes only call, onEvent and pathForFile, never ipcRenderer', () => {
    expect(Object.keys(exposed)).toEqual(['modelLab']);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'onEvent', 'pathForFile']);
    expect(Object.values(bridge).every((v) => typeof v === 'function')).toBe(true);
  });

  it('tells where a dropped folder is, and gives an empty path for anything that is not on disk', () => {
    expect(bridge.pathForFile({ name: 'model_repository' })).toBe('/dropped/model_repository');
    expect(bridge.pathForFile({ name: 'blob' })).toBe('');
    expect(bridge.pathForFile({ name: 'virtual' })).toBe('');
    expect(getPathForFile).toHaveBeenCalledTimes(3);
  });

  it('routes lab methods to their own channel and refuses anything else', async () => {
    await expect(bridge.call('getModel', { repoId: 'r', model: 'm' })).resolves.toEqual({ ok: true, value: { channel: 'lab:getModel', req: { repoId: 'r', model: 'm' } } });
    await expect(bridge.call('openExternal', {})).rejects.toThrow("unknown lab method 'openExternal'");
    await expect(bridge.call('constructor', {})).rejects.toThrow('unknown lab method');
    await expect(bridge.call({ toString: () => 'getModel' } as unknown as string, {})).rejects.toThrow('unknown lab method');
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
