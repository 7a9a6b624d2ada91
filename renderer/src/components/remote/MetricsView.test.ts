// @vitest-environment happy-dom
/**
 * The metrics view against a fake lab: polling on the chosen interval, pause, the empty states,
 * charts per model once two scrapes are in, GPU charts when nv_gpu_* is exported, an error in
 * place that keeps the last good series, and Chinese.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LabClient } from '@contract/lab-api';
import type { MetricsSnapshot } from '@contract/remote-api';
import { setBackend } from '../../api/client';
import { setLocale } from '../../i18n';
import MetricsView from './MetricsView.vue';

type M = MetricsSnapshot['models'][number];
const model = (n: number, over: Partial<M> = {}): M => ({
  model: 'ocr',
  version: '1',
  success: 10 * n,
  failure: 0,
  inferenceCount: 10 * n,
  executionCount: 10 * n,
  requestUs: 5000 * n,
  queueUs: 500 * n,
  computeInputUs: 100 * n,
  computeInferUs: 4000 * n,
  computeOutputUs: 100 * n,
  pending: 0,
  ...over,
});

function fakeLab(answers: (n: number) => MetricsSnapshot | Error): LabClient & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    call: (method: string, req: unknown) => {
      if (method !== 'scrapeMetrics') return Promise.reject(new Error(`unexpected ${method}`));
      calls.push(req);
      const a = answers(calls.length);
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
    onEvent: () => () => undefined,
  } as unknown as LabClient & { calls: unknown[] };
}

const at = (n: number, models: M[], extra: Partial<MetricsSnapshot> = {}): MetricsSnapshot => ({
  url: 'http://127.0.0.1:8002/metrics',
  time: n * 2000,
  models,
  gpus: [],
  families: ['nv_inference_count'],
  ...extra,
});

describe('MetricsView', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    setLocale('en');
  });
  afterEach(() => {
    vi.useRealTimers();
    setLocale('en');
  });

  it('scrapes at once and then on the interval, and draws a model once two scrapes are in', async () => {
    const lab = fakeLab((n) => at(n, [model(n)]));
    setBackend(lab);
    const w = mount(MetricsView, { props: { repoId: 'remote:1' } });
    await flushPromises();
    expect(lab.calls).toEqual([{ repoId: 'remote:1' }]);
    expect(w.get('[data-testid=metrics-waiting]').text()).toContain('after the second scrape');
    await vi.advanceTimersByTimeAsync(2000);
    await flushPromises();
    expect(lab.calls).toHaveLength(2);
    expect(w.get('[data-testid=metrics-model-row]').text()).toContain('ocr');
    // 10 more successful requests in 2 s, 5000 µs each.
    expect(w.get('[data-testid=metrics-model-row]').text()).toContain('5.00');
    expect(w.get('[data-testid=metrics-model-row]').text()).toContain('500 µs');
    expect(w.get('[data-testid=metrics-chart-requests]').attributes('data-points')).toBe('1');
    expect(w.find('[data-testid=metrics-chart-time]').exists()).toBe(true);
    expect(w.get('[data-testid=metrics-source]').text()).toContain('http://127.0.0.1:8002/metrics');
    await vi.advanceTimersByTimeAsync(2000);
    await flushPromises();
    expect(w.get('[data-testid=metrics-chart-requests]').attributes('data-points')).toBe('2');
    expect(w.findAll('[data-testid=metrics-line]').length).toBeGreaterThan(0);
    w.unmount();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lab.calls).toHaveLength(3);
  });

  it('follows the interval and pauses', async () => {
    const lab = fakeLab((n) => at(n, [model(n)]));
    setBackend(lab);
    const w = mount(MetricsView, { props: { repoId: 'r1' } });
    await flushPromises();
    await w.get('[data-testid=metrics-interval]').setValue('5');
    await vi.advanceTimersByTimeAsync(4000);
    expect(lab.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(lab.calls).toHaveLength(2);
    await w.get('[data-testid=metrics-pause]').trigger('click');
    expect(w.get('[data-testid=metrics-status]').text()).toBe('Paused');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(lab.calls).toHaveLength(2);
    await w.get('[data-testid=metrics-pause]').trigger('click');
    await flushPromises();
    expect(lab.calls).toHaveLength(3);
    w.unmount();
  });

  it('says when there are no samples yet, and when the server exposes no inference metrics', async () => {
    setBackend(fakeLab(() => new Promise<never>(() => undefined) as unknown as MetricsSnapshot));
    const waiting = mount(MetricsView, { props: { repoId: 'r1' } });
    await flushPromises();
    expect(waiting.get('[data-testid=metrics-empty]').text()).toContain('No samples yet');
    waiting.unmount();
    setBackend(fakeLab((n) => at(n, [], { families: ['process_cpu_seconds_total', 'go_goroutines'] })));
    const w = mount(MetricsView, { props: { repoId: 'r1' } });
    await flushPromises();
    expect(w.get('[data-testid=metrics-no-inference]').text()).toContain('This server exposes no inference metrics');
    expect(w.get('[data-testid=metrics-no-inference]').text()).toContain('2 families');
    w.unmount();
  });

  it('charts GPUs from nv_gpu_* and the host CPU from nv_cpu_*', async () => {
    const gpus = [{ uuid: 'GPU-0a1b', utilization: 0.8, memoryUsedBytes: 2 ** 33, memoryTotalBytes: 2 ** 36, powerWatts: 300 }];
    setBackend(fakeLab((n) => at(n, [model(n)], { gpus, cpu: { utilization: 0.25, memoryUsedBytes: 2 ** 32, memoryTotalBytes: 2 ** 34 } })));
    const w = mount(MetricsView, { props: { repoId: 'remote:1' } });
    await flushPromises();
    const gpu = w.get('[data-testid=metrics-gpu]');
    expect(gpu.text()).toContain('GPU GPU-0a1b');
    expect(gpu.text()).toContain('300 W');
    expect(gpu.get('[data-testid=metrics-chart-gpu-util]').text()).toContain('80%');
    expect(gpu.get('[data-testid=metrics-chart-gpu-memory]').text()).toContain('8.0 GiB');
    expect(w.get('[data-testid=metrics-cpu]').text()).toContain('25%');
    w.unmount();
  });

  it('shows a failed scrape in place and keeps the last good series', async () => {
    const lab = fakeLab((n) => (n === 3 ? new Error('nothing is listening at http://127.0.0.1:8002/metrics') : at(n, [model(n)])));
    setBackend(lab);
    const w = mount(MetricsView, { props: { repoId: 'r1' } });
    await flushPromises();
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(2000);
    await flushPromises();
    const err = w.get('[data-testid=metrics-error]').text();
    expect(err).toContain('The last scrape failed: nothing is listening');
    expect(err).toContain('keep the last good samples');
    expect(w.get('[data-testid=metrics-chart-requests]').attributes('data-points')).toBe('1');
    await vi.advanceTimersByTimeAsync(2000);
    await flushPromises();
    expect(w.find('[data-testid=metrics-error]').exists()).toBe(false);
    expect(w.get('[data-testid=metrics-chart-requests]').attributes('data-points')).toBe('2');
    w.unmount();
  });

  it('does not poll while the window is hidden', async () => {
    const lab = fakeLab((n) => at(n, [model(n)]));
    setBackend(lab);
    const w = mount(MetricsView, { props: { repoId: 'r1' } });
    await flushPromises();
    const hidden = vi.spyOn(document, 'hidden', 'get').mockReturnValue(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lab.calls).toHaveLength(1);
    hidden.mockRestore();
    await vi.advanceTimersByTimeAsync(2000);
    expect(lab.calls).toHaveLength(2);
    w.unmount();
  });

  it('speaks Chinese', async () => {
    setLocale('zh-CN');
    setBackend(fakeLab((n) => at(n, [model(n)])));
    const w = mount(MetricsView, { props: { repoId: 'r1' } });
    await flushPromises();
    await vi.advanceTimersByTimeAsync(2000);
    await flushPromises();
    expect(w.text()).toContain('每秒推理请求数');
    expect(w.text()).toContain('暂停');
    w.unmount();
  });
});
