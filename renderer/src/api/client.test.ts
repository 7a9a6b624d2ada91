import { describe, expect, it } from 'vitest';
import { setLocale } from '../i18n';
import { httpClient, ipcClient, LabCallError } from './client';

describe('lab clients', () => {
  it('HTTP: posts JSON to /api/lab/<method> and unwraps errors with their code', async () => {
    const calls: [string, RequestInit][] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      calls.push([url, init]);
      if (url.endsWith('getModel')) return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: "no model 'x'" } }), { status: 404 });
      return new Response(JSON.stringify([{ id: 'r' }]), { status: 200 });
    }) as unknown as typeof fetch;
    const c = httpClient('', fetchImpl);
    await expect(c.call('listRepositories', {})).resolves.toEqual([{ id: 'r' }]);
    expect(calls[0]![0]).toBe('/api/lab/listRepositories');
    expect(calls[0]![1].method).toBe('POST');
    const err = await c.call('getModel', { repoId: 'r', model: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabCallError);
    expect((err as LabCallError).code).toBe('NOT_FOUND');
    expect((err as LabCallError).message).toBe("no model 'x'");
  });

  it('HTTP: a server that is down is a clear UNAVAILABLE error', async () => {
    const c = httpClient('', (() => Promise.reject(new TypeError('fetch failed'))) as unknown as typeof fetch);
    await expect(c.call('hostInfo', {})).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('not reachable') });
  });

  it('HTTP: a lab that refuses this window (401) says how to sign in, in the UI language', async () => {
    const refuse = (() => Promise.resolve(new Response(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'needs its token' } }), { status: 401 }))) as unknown as typeof fetch;
    const c = httpClient('', refuse);
    const err = (await c.call('listRepositories', {}).catch((e: unknown) => e)) as LabCallError;
    expect(err).toBeInstanceOf(LabCallError);
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).toContain('?token=');
    expect(err.message).toContain('npm start');
    setLocale('zh-CN');
    expect(((await c.call('listRepositories', {}).catch((e: unknown) => e)) as LabCallError).message).toContain('令牌');
    setLocale('en');
  });

  it('IPC: unwraps results returned as values', async () => {
    const c = ipcClient({
      call: (m) => Promise.resolve(m === 'hostInfo' ? { ok: true, value: { mode: 'electron' } } : { ok: false, error: { code: 'INVALID_ARG', message: 'nope' } }),
      onEvent: () => () => undefined,
    });
    await expect(c.call('hostInfo', {})).resolves.toEqual({ mode: 'electron' });
    await expect(c.call('listRepositories', {})).rejects.toMatchObject({ code: 'INVALID_ARG', message: 'nope' });
  });
});
