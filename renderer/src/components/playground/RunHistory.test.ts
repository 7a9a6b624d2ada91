/**
 * The run history's entries can be told apart: the full time (with the date when not today), the
 * input, the model and version, step-throughs marked with their compute time apart from pauses,
 * cancelled runs marked instead of timed; step-throughs can be shown alone or left out.
 */
import { mount } from '@vue/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunResult } from '@contract/lab-api';
import { setLocale } from '../../i18n';
import { computeMs, formatWhen, inputLabelText } from './format';
import RunHistory from './RunHistory.vue';

const base = (runId: string, extra: Partial<RunResult> = {}): RunResult => ({
  runId,
  repoId: 'r1',
  model: 'ocr_ensemble',
  version: 1,
  startedAt: new Date(2025, 0, 2, 10, 4, 56).getTime(),
  ms: 42.5,
  state: 'ok',
  mode: 'run',
  inputLabel: 'tilted-text.png',
  inputs: [],
  outputs: [],
  steps: [],
  ...extra,
});

const mountHistory = (runs: RunResult[]) => mount(RunHistory, { props: { runs, loaded: true } });

beforeEach(() => setLocale('en'));

describe('run history entries', () => {
  it('show the time with seconds, the input, the model and version', () => {
    const w = mountHistory([base('a')]);
    const row = w.get('[data-testid=history-a]');
    expect(row.get('[data-testid=history-time]').text()).toMatch(/10:04:56$/);
    expect(row.get('[data-testid=history-input]').text()).toBe('tilted-text.png');
    expect(row.get('[data-testid=history-sub]').text()).toBe('ocr_ensemble · v1');
    expect(row.get('[data-testid=history-ms]').text()).toBe('42.5 ms');
  });

  it('mark a step-through and time its compute apart from its pauses', () => {
    const w = mountHistory([base('s', { mode: 'step', ms: 5200, pausedMs: 5000 })]);
    const row = w.get('[data-testid=history-s]');
    expect(row.attributes('data-mode')).toBe('step');
    expect(row.get('[data-testid=history-step-badge]').text()).toBe('step');
    expect(row.get('[data-testid=history-ms]').text()).toBe('200.0 ms');
    expect(row.get('[data-testid=history-ms]').attributes('title')).toBe('A step-through: 200.0 ms of compute; 5.20 s in all, 5.00 s of it paused between steps');
  });

  it('mark a cancelled run instead of showing its time', () => {
    const w = mountHistory([base('c', { state: 'cancelled', ms: 1234 })]);
    const ms = w.get('[data-testid=history-c] [data-testid=history-ms]');
    expect(ms.text()).toBe('cancelled');
    expect(ms.classes()).toContain('cancelled');
    expect(w.get('[data-testid=history-c]').text()).not.toContain('1.23 s');
  });

  it('filter step-throughs out or show them alone, once there are any', async () => {
    const plain = mountHistory([base('a'), base('b')]);
    expect(plain.find('[data-testid=history-filter]').exists()).toBe(false);
    const w = mountHistory([base('a'), base('s', { mode: 'step', pausedMs: 10 }), base('b')]);
    const ids = () => w.findAll('li').map((li) => li.attributes('data-testid'));
    expect(ids()).toEqual(['history-a', 'history-s', 'history-b']);
    await w.get('[data-testid=history-filter-run]').trigger('click');
    expect(ids()).toEqual(['history-a', 'history-b']);
    await w.get('[data-testid=history-filter-step]').trigger('click');
    expect(ids()).toEqual(['history-s']);
    expect(w.get('[data-testid=history-filter-step]').attributes('aria-checked')).toBe('true');
  });

  it('read in Chinese', () => {
    setLocale('zh-CN');
    const w = mountHistory([base('s', { mode: 'step', ms: 300, pausedMs: 100 }), base('c', { state: 'cancelled' })]);
    expect(w.get('[data-testid=history-step-badge]').text()).toBe('逐步');
    expect(w.get('[data-testid=history-c] [data-testid=history-ms]').text()).toBe('已取消');
    expect(w.get('[data-testid=history-filter-step]').text()).toBe('逐步执行');
  });
});

describe('formatWhen and computeMs', () => {
  it('writes the date only when the run was not today, and always the seconds', () => {
    const now = new Date(2025, 5, 10, 15, 0, 0).getTime();
    expect(formatWhen(new Date(2025, 5, 10, 9, 3, 7).getTime(), 'en', now)).toBe('09:03:07');
    expect(formatWhen(new Date(2025, 5, 9, 23, 59, 59).getTime(), 'en', now)).toBe('Jun 9 23:59:59');
    expect(formatWhen(new Date(2024, 11, 31, 8, 0, 1).getTime(), 'en', now)).toBe('Dec 31, 2024 08:00:01');
  });

  it('takes the pauses out of a step-through only', () => {
    expect(computeMs({ ms: 100, mode: 'step', pausedMs: 70 })).toBe(30);
    expect(computeMs({ ms: 100, mode: 'run', pausedMs: 70 })).toBe(100);
    expect(computeMs({ ms: 100 })).toBe(100);
    expect(computeMs({ ms: 10, mode: 'step', pausedMs: 70 })).toBe(0);
  });
});

describe('inputLabelText', () => {
  it("translates the engine's fixed words and keeps file names as they are", () => {
    setLocale('en');
    expect(inputLabelText('values, tilted-text.png')).toBe('values, tilted-text.png');
    setLocale('zh-CN');
    expect(inputLabelText('values, tilted-text.png')).toBe('手动输入的值、tilted-text.png');
    expect(inputLabelText('uploaded file')).toBe('上传的文件');
    setLocale('en');
  });
});
