// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LabClient, LogEntry } from '@contract/lab-api';
import { setBackend } from '../api/client';
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
  afterEach(() => vi.useRealTimers());

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
});
