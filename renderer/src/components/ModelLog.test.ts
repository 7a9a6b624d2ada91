// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LabClient, LogEntry } from '@contract/lab-api';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import ModelLog from './ModelLog.vue';

function client(answer: () => { version: number; lines: LogEntry[] }[]): LabClient & { calls: number } {
  const c = {
    calls: 0,
    call: async (method: string) => {
      if (method !== 'modelLog') throw new Error(`unexpected ${method}`);
      c.calls++;
      return answer();
    },
    onEvent: () => () => undefined,
  };
  return c as unknown as LabClient & { calls: number };
}

const line = (level: LogEntry['level'], message: string): LogEntry => ({ time: Date.UTC(2026, 10, 25, 12, 0, 0), level, message });

describe('ModelLog', () => {
  afterEach(() => {
    vi.useRealTimers();
    setLocale('en');
  });

  it('shows lines, filters by level, and keeps polling while open', async () => {
    vi.useFakeTimers();
    let lines = [line('info', 'loaded'), line('error', 'Traceback: boom')];
    const c = client(() => [{ version: 1, lines }]);
    setBackend(c);
    const w = mount(ModelLog, { props: { repoId: 'r', model: 'm' } });
    await flushPromises();
    expect(w.findAll('[data-testid=log-line]').map((l) => l.text())).toEqual([expect.stringContaining('loaded'), expect.stringContaining('Traceback: boom')]);
    expect(w.findAll('.line.error')).toHaveLength(1);
    await w.get('[data-testid=log-level]').setValue('error');
    expect(w.findAll('[data-testid=log-line]')).toHaveLength(1);
    lines = [...lines, line('error', 'again')];
    await vi.advanceTimersByTimeAsync(1600);
    await flushPromises();
    expect(c.calls).toBeGreaterThanOrEqual(2);
    expect(w.findAll('[data-testid=log-line]')).toHaveLength(2);
    w.unmount();
    const calls = c.calls;
    await vi.advanceTimersByTimeAsync(5000);
    expect(c.calls).toBe(calls);
  });

  it('has an empty state and shows errors in place', async () => {
    setBackend(client(() => [{ version: 1, lines: [] }]));
    const w = mount(ModelLog, { props: { repoId: 'r', model: 'm' } });
    await flushPromises();
    expect(w.text()).toContain('Nothing logged yet');
    w.unmount();
    setBackend(
      client(() => {
        throw new Error('model gone');
      }),
    );
    const e = mount(ModelLog, { props: { repoId: 'r', model: 'm' } });
    await flushPromises();
    expect(e.text()).toContain('model gone');
    e.unmount();
  });
  it('words the lab’s own lifecycle lines in the reader’s language, set apart from the model’s output', async () => {
    const at = (kind: 'loading' | 'loaded' | 'unloaded' | 'reloaded', extra = {}): LogEntry => ({ ...line('info', `engine ${kind}`), event: { kind, version: 1, ...extra } });
    setBackend(
      client(() => [{ version: 1, lines: [at('loading', { instances: 2 }), at('loaded', { ms: 42, device: 'CPU', instances: 2 }), at('unloaded'), at('reloaded'), line('info', 'printed')] }]),
    );
    const w = mount(ModelLog, { props: { repoId: 'r', model: 'm', state: 'READY' } });
    await flushPromises();
    const texts = w.findAll('[data-testid=log-line]').map((l) => l.get('.msg').text());
    expect(texts).toEqual([
      'Loading version 1 (2 instances)',
      'Version 1 loaded, ready for requests (42 ms · CPU · 2 instances)',
      'Version 1 unloaded',
      '— Reloaded: the lines above are from the previous load —',
      'printed',
    ]);
    expect(w.findAll('.line.event')).toHaveLength(4);
    w.unmount();
    setLocale('zh-CN');
    const z = mount(ModelLog, { props: { repoId: 'r', model: 'm', state: 'READY' } });
    await flushPromises();
    expect(z.findAll('[data-testid=log-line]')[1]!.get('.msg').text()).toBe('版本 1 已加载，可以接收请求（42 毫秒 · CPU · 2 个实例）');
    z.unmount();
  });

  it('an empty log says where the model is, and when the filter hides lines', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ state: 'UNAVAILABLE', reason: 'unloaded' }, 'Not loaded'],
      [{ state: 'UNAVAILABLE', reason: 'not loaded (explicit model control)', reasonCode: 'NOT_LOADED' }, 'Not loaded'],
      [{ state: 'LOADING', reason: 'starting instances' }, 'Loading…'],
      [{ state: 'UNAVAILABLE', reason: 'failed to read text proto' }, 'no instance was started'],
      [{ state: 'READY' }, 'Nothing logged since this model loaded'],
    ];
    setBackend(client(() => [{ version: 1, lines: [] }]));
    for (const [props, title] of cases) {
      const w = mount(ModelLog, { props: { repoId: 'r', model: 'm', ...props } });
      await flushPromises();
      expect(w.get('[data-testid=log-empty]').text()).toContain(title);
      expect(w.text()).not.toContain('Nothing logged yet');
      w.unmount();
    }
    setBackend(client(() => [{ version: 1, lines: [line('info', 'loaded')] }]));
    const f = mount(ModelLog, { props: { repoId: 'r', model: 'm', state: 'READY' } });
    await flushPromises();
    await f.get('[data-testid=log-level]').setValue('error');
    expect(f.get('[data-testid=log-empty]').text()).toContain('1 line is hidden by the filter.');
    f.unmount();
  });
});
