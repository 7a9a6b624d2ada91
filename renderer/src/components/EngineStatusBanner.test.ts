// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LabClient, LabEvent } from '@contract/lab-api';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import EngineStatusBanner from './EngineStatusBanner.vue';
import { dismissEngineStatus, followEngineStatus } from './engine-status';

function client(restart: () => Promise<unknown>): LabClient & { emit(ev: LabEvent): void; calls: string[] } {
  const listeners = new Set<(ev: LabEvent) => void>();
  const c = {
    calls: [] as string[],
    call: async (method: string) => {
      c.calls.push(method);
      if (method !== 'restartEngine') throw new Error(`unexpected ${method}`);
      return restart();
    },
    onEvent: (l: (ev: LabEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit: (ev: LabEvent) => listeners.forEach((l) => l(ev)),
  };
  return c as unknown as LabClient & { emit(ev: LabEvent): void; calls: string[] };
}

let stop: (() => void) | undefined;

describe('EngineStatusBanner', () => {
  afterEach(() => {
    vi.useRealTimers();
    setLocale('en');
    setBackend(undefined);
    stop?.();
    dismissEngineStatus();
  });

  it('says the engine is restarting, then that it is back with the repositories reopened, then hides', async () => {
    vi.useFakeTimers();
    const c = client(async () => ({}));
    setBackend(c);
    stop = followEngineStatus(c);
    const w = mount(EngineStatusBanner);
    expect(w.find('[data-testid=engine-status]').exists()).toBe(false);
    c.emit({ type: 'repositories-changed' });
    await flushPromises();
    expect(w.find('[data-testid=engine-status]').exists()).toBe(false);
    c.emit({ type: 'engine-status', state: 'restarting', reason: 'signal SIGKILL', restarts: 1 });
    await flushPromises();
    const banner = w.get('[data-testid=engine-status]');
    expect(banner.attributes('data-state')).toBe('restarting');
    expect(banner.attributes('role')).toBe('alert');
    expect(banner.text()).toContain('The engine stopped (signal SIGKILL) and is restarting');
    expect(w.find('[data-testid=engine-retry]').exists()).toBe(false);
    c.emit({ type: 'engine-status', state: 'running', restarts: 1 });
    await flushPromises();
    expect(w.get('[data-testid=engine-status]').text()).toContain('repositories that were open have been reopened');
    await vi.advanceTimersByTimeAsync(10_500);
    expect(w.find('[data-testid=engine-status]').exists()).toBe(false);
    expect(c.calls).toEqual([]);
  });

  it('offers Retry once it gave up; Retry asks main to restart the engine and shows why it failed again', async () => {
    let fail = true;
    const c = client(async () => {
      if (fail) throw new Error('the engine process stopped (exit code 1) and was not restarted');
      return {};
    });
    setBackend(c);
    setLocale('zh-CN');
    stop = followEngineStatus(c);
    const w = mount(EngineStatusBanner);
    c.emit({ type: 'engine-status', state: 'failed', reason: 'exit code 1', restarts: 3 });
    await flushPromises();
    expect(w.get('[data-testid=engine-status]').text()).toContain('引擎再次停止（exit code 1）');
    await w.get('[data-testid=engine-retry]').trigger('click');
    await flushPromises();
    expect(c.calls).toEqual(['restartEngine']);
    expect(w.get('[data-testid=engine-retry-error]').text()).toContain('引擎未能启动');
    fail = false;
    await w.get('[data-testid=engine-retry]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid=engine-retry-error]').exists()).toBe(false);
    c.emit({ type: 'engine-status', state: 'running', restarts: 3, reopened: false });
    await flushPromises();
    expect(w.get('[data-testid=engine-status]').attributes('data-state')).toBe('running');
    expect(w.get('[data-testid=engine-status]').text()).toContain('引擎已恢复，但未重新打开模型仓库');
    expect(w.find('[data-testid=engine-retry]').exists()).toBe(false);
  });
});
