// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LabSettings, TensorPage } from '@contract/lab-api';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { fakeClient, type FakeClient } from '../components/playground/test-support';
import { text, type TourActions, type Walkthrough } from '../walkthroughs/types';
import { useModelStore } from './model';
import { useSettingsStore } from './settings';
import { setTourActions, useWalkthroughStore } from './walkthrough';

const tour: Walkthrough = {
  id: 'demo',
  sample: 'ocr_ensemble',
  title: text('Demo', '演示'),
  summary: text('A test tour', '测试导览'),
  steps: [
    {
      title: text('Open the config', '打开配置'),
      body: text('Why configs matter', '为什么'),
      check: (s) => s.model.tab === 'config',
      showMe: async (a) => a.setTab('config'),
    },
    { title: text('Read', '阅读'), body: text('Only reading', '只读') },
    {
      title: text('Read a tensor', '读张量'),
      body: text('Values', '值'),
      check: (s) => s.model.tab === 'run',
      result: (s) => {
        const page = s.pages['run-1\u0000out'];
        return page ? { text: text(`got ${page.values.join(',')}`, `得到 ${page.values.join(',')}`) } : { needs: [{ runId: 'run-1', name: 'out' }] };
      },
    },
  ],
};

let client: FakeClient;
let settings: LabSettings;

function saved(): unknown[] {
  return client.of('setSettings').map((r) => r.walkthroughs);
}

beforeEach(async () => {
  setActivePinia(createPinia());
  setLocale('en');
  settings = { theme: 'system', locale: 'en', recentRepositories: [] };
  client = fakeClient({
    getSettings: () => settings,
    setSettings: (req: Partial<LabSettings>) => (settings = { ...settings, ...req }),
    tensorPage: (): TensorPage => ({ offset: 0, total: 2, values: ['a', 'b'] }),
  });
  setBackend(client);
  await useSettingsStore().init();
  useWalkthroughStore().tours = [tour];
});
afterEach(() => {
  setBackend(undefined);
  setTourActions(undefined);
});

describe('the tour engine', () => {
  it('starts at the first step and saves that it started', async () => {
    const w = useWalkthroughStore();
    expect(w.status('demo')).toBe('new');
    await w.start('demo');
    expect(w.activeId).toBe('demo');
    expect(w.step?.title.en).toBe('Open the config');
    expect(saved()).toEqual([{ demo: { step: 0, done: false } }]);
    expect(w.status('demo')).toBe('started');
  });

  it('keeps Next shut until the step is done in the lab', async () => {
    const w = useWalkthroughStore();
    const model = useModelStore();
    await w.start('demo');
    expect(w.passed).toBe(false);
    await w.next();
    expect(w.index).toBe(0);
    model.tab = 'config';
    expect(w.passed).toBe(true);
    await w.next();
    expect(w.index).toBe(1);
    // A step with no check only asks to be read.
    expect(w.passed).toBe(true);
    expect(saved().at(-1)).toEqual({ demo: { step: 1, done: false } });
  });

  it('skips a step without doing it, goes back, and finishes', async () => {
    const w = useWalkthroughStore();
    await w.start('demo');
    await w.skip();
    expect(w.index).toBe(1);
    await w.back();
    expect(w.index).toBe(0);
    await w.back();
    expect(w.index).toBe(0);
    await w.skip();
    await w.skip();
    expect(w.index).toBe(2);
    await w.next();
    expect(w.finished).toBe(false);
    useModelStore().tab = 'run';
    await w.next();
    expect(w.finished).toBe(true);
    expect(saved().at(-1)).toEqual({ demo: { step: 2, done: true } });
    expect(w.status('demo')).toBe('done');
    // A finished tour starts over.
    expect(w.savedStep('demo')).toBe(0);
  });

  it('resumes at the saved step, within the tour', async () => {
    settings = { ...settings, walkthroughs: { demo: { step: 2, done: false }, other: { step: 1, done: true } } };
    await useSettingsStore().init();
    const w = useWalkthroughStore();
    w.restore();
    expect(w.status('demo')).toBe('started');
    w.resume('demo');
    expect(w.index).toBe(2);
    expect(w.step?.title.en).toBe('Read a tensor');
    // Progress of a tour this app does not know is kept when saving.
    useModelStore().tab = 'run';
    await w.next();
    expect(saved().at(-1)).toEqual({ demo: { step: 2, done: true }, other: { step: 1, done: true } });

    settings = { ...settings, walkthroughs: { demo: { step: 40, done: false } } };
    await useSettingsStore().init();
    w.restore();
    expect(w.savedStep('demo')).toBe(2);
  });

  it('says so when progress cannot be saved, and carries on', async () => {
    const w = useWalkthroughStore();
    client = fakeClient({ getSettings: () => settings, setSettings: () => Promise.reject(new Error('disk full')) });
    setBackend(client);
    await w.start('demo');
    expect(w.activeId).toBe('demo');
    expect(w.error).toContain('disk full');
  });

  it('runs Show me through the actions it is given, with progress and errors', async () => {
    const w = useWalkthroughStore();
    const actions: TourActions = {
      openSamples: vi.fn(async () => undefined),
      selectModel: vi.fn(async () => undefined),
      setTab: vi.fn((tab) => void (useModelStore().tab = tab)),
      openFile: vi.fn(async () => undefined),
      runModel: vi.fn(async () => undefined),
      stepToEnd: vi.fn(async () => undefined),
      startServing: vi.fn(async () => undefined),
    };
    setTourActions(() => actions);
    await w.start('demo');
    const pending = w.showMe();
    expect(w.busy).toBe(true);
    await pending;
    expect(w.busy).toBe(false);
    expect(actions.setTab).toHaveBeenCalledWith('config');
    expect(w.passed).toBe(true);

    setTourActions(() => ({
      ...actions,
      setTab: () => {
        throw new Error('no such tab');
      },
    }));
    await w.showMe();
    expect(w.error).toBe('Show me did not finish: no such tab');
    expect(w.busy).toBe(false);
  });

  it('fetches the values a result line waits for, once', async () => {
    const w = useWalkthroughStore();
    await w.start('demo');
    await w.skip();
    await w.skip();
    expect(w.result?.needs).toEqual([{ runId: 'run-1', name: 'out' }]);
    await Promise.all([w.fetchNeeded(), w.fetchNeeded()]);
    expect(client.of('tensorPage')).toEqual([{ runId: 'run-1', side: 'output', name: 'out', offset: 0, count: 64 }]);
    expect(w.result?.text?.en).toBe('got a,b');
  });

  it('closes without losing progress', async () => {
    const w = useWalkthroughStore();
    await w.start('demo');
    await w.skip();
    w.close();
    expect(w.activeId).toBe('');
    expect(w.step).toBeUndefined();
    w.resume('demo');
    expect(w.index).toBe(1);
  });
});
