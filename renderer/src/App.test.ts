// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LabClient, LabEvent, LabMethod, ModelDetail, RepositoryInfo } from '@contract/lab-api';
import App from './App.vue';
import { LabCallError, setBackend } from './api/client';
import { repository, summary } from './components/playground/test-support';
import { setLocale } from './i18n';

const repo: RepositoryInfo = repository('r1', 'demo', '/repos/demo', {
  models: [
    summary('good'),
    summary('broken', {
      state: 'UNAVAILABLE',
      reason: 'failed to read text proto from /repos/demo/broken/config.pbtxt: 2:1: unknown field "nmae"',
      backend: '',
      platform: '',
      runnable: false,
      versions: [],
      errors: 1,
    }),
  ],
});

const brokenDetail: ModelDetail = {
  repoId: 'r1',
  summary: repo.models[1]!,
  configText: 'name: "broken"\nnmae: "x"\n',
  configPath: 'broken/config.pbtxt',
  diagnostics: [{ severity: 'error', code: 'config.syntax', message: 'unknown field "nmae" for message inference.ModelConfig', file: 'broken/config.pbtxt', line: 2, column: 1 }],
  autoFilled: [],
  maxBatchSize: 0,
  inputs: [],
  outputs: [],
  instanceGroups: [],
  scheduling: 'none',
  ensembleSteps: [],
  versionPolicy: '',
  defaultModelFilename: '',
};

function fakeBackend(repos: RepositoryInfo[], failOpen = false): LabClient & { calls: string[] } {
  const calls: string[] = [];
  let settings = { theme: 'system', locale: 'en', recentRepositories: [] as string[] };
  return {
    calls,
    call: (async (method: LabMethod, req: unknown) => {
      calls.push(method);
      switch (method) {
        case 'hostInfo':
          return { mode: 'browser', appVersion: 't', platform: 'linux', canPickFolder: false, samplesDir: '/samples' };
        case 'listRepositories':
          return repos;
        case 'getSettings':
          return settings;
        case 'setSettings':
          settings = { ...settings, ...(req as object) };
          return settings;
        case 'getModel':
          return brokenDetail;
        case 'openRepository':
          if (failOpen) throw new LabCallError('NOT_FOUND', "'/nope' does not exist");
          return repo;
        default:
          return {};
      }
    }) as LabClient['call'],
    onEvent: () => () => undefined,
  };
}

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
});

describe('the lab window', () => {
  it('shows an empty state with the samples button when nothing is open', async () => {
    setBackend(fakeBackend([]));
    const w = mount(App, { global: { plugins: [createPinia()] } });
    await flushPromises();
    expect(w.text()).toContain('No repository open');
    expect(w.find('[data-testid=open-samples]').exists()).toBe(true);
    expect(w.text()).toContain('Open a model repository to begin');
  });

  it('lists models with their state and opens a broken one on its diagnostic', async () => {
    const backend = fakeBackend([repo]);
    setBackend(backend);
    const w = mount(App, { global: { plugins: [createPinia()] } });
    await flushPromises();
    expect(w.get('[data-testid=model-good] [data-state]').attributes('data-state')).toBe('READY');
    expect(w.get('[data-testid=model-broken] [data-state]').attributes('data-state')).toBe('UNAVAILABLE');
    await w.get('[data-testid=model-broken] .model-main').trigger('click');
    await flushPromises();
    expect(backend.calls).toContain('getModel');
    expect(w.get('[data-testid=model-reason]').text()).toContain('unknown field "nmae"');
    // It failed before any completion, so the view opens on the source, at the error.
    expect(w.get('[data-testid=inline-diagnostic]').attributes('data-line')).toBe('2');
  });

  it('shows an error opening a folder in place and keeps what is open', async () => {
    setBackend(fakeBackend([repo], true));
    const w = mount(App, { global: { plugins: [createPinia()] } });
    await flushPromises();
    await w.get('[data-testid=open-path]').setValue('/nope');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('[role=alert]').text()).toContain("'/nope' does not exist");
    expect(w.find('[data-testid=repo-demo]').exists()).toBe(true);
  });

  it('speaks Chinese when asked', async () => {
    setBackend(fakeBackend([]));
    const w = mount(App, { global: { plugins: [createPinia()] } });
    await flushPromises();
    await w.get('[data-testid=lang-switch]').trigger('click');
    expect(w.text()).toContain('尚未打开模型仓库');
  });

  it('shows the engine restarting in the error area, above the tree (desktop: the engine has its own process)', async () => {
    const listeners: ((ev: LabEvent) => void)[] = [];
    setBackend({ ...fakeBackend([repo]), onEvent: (l) => (listeners.push(l), () => undefined) });
    const w = mount(App, { global: { plugins: [createPinia()] } });
    await flushPromises();
    expect(w.find('[data-testid=engine-status]').exists()).toBe(false);
    for (const l of listeners) l({ type: 'engine-status', state: 'restarting', reason: 'signal SIGKILL', restarts: 1 });
    await flushPromises();
    expect(w.get('.top-error [data-testid=engine-status]').text()).toContain('The engine stopped (signal SIGKILL) and is restarting');
    expect(w.find('[data-testid=repo-demo]').exists()).toBe(true);
    for (const l of listeners) l({ type: 'engine-status', state: 'failed', reason: 'exit code 1', restarts: 3 });
    await flushPromises();
    expect(w.find('[data-testid=engine-retry]').exists()).toBe(true);
    w.unmount();
  });
});
