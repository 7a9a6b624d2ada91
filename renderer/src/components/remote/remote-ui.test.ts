// @vitest-environment happy-dom
/**
 * The add-server form and the server page against a fake lab: the request as sent (headers from
 * the rows, TLS options only for a TLS URL), the skip-verify warning, progress and the lab's error
 * in place with the fields kept; the server page's facts, index with states and reasons, and
 * load/unload with the server's error on the row; Chinese.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabClient, RepositoryInfo } from '@contract/lab-api';
import { setBackend } from '../../api/client';
import { setLocale } from '../../i18n';
import { useRemoteStore } from '../../stores/remote';
import { useRepositoriesStore } from '../../stores/repositories';
import OpenBar from '../OpenBar.vue';
import AddServerForm from './AddServerForm.vue';
import RemoteServerPage from './RemoteServerPage.vue';

type Answer = (req: unknown) => unknown;
function fakeLab(answers: Record<string, Answer>): LabClient & { calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  return {
    calls,
    call: (method: string, req: unknown) => {
      calls.push([method, req]);
      const a = answers[method];
      if (!a) return Promise.reject(new Error(`unexpected ${method}`));
      try {
        const v = a(req);
        return v instanceof Error ? Promise.reject(v) : Promise.resolve(v);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    onEvent: () => () => undefined,
  } as unknown as LabClient & { calls: [string, unknown][] };
}

const server: RepositoryInfo = {
  id: 'remote:1',
  path: 'http://gpu-node:8000',
  name: 'gpu',
  sample: false,
  controlMode: 'explicit',
  watching: false,
  pollSecs: 0,
  diagnostics: [],
  loading: false,
  trust: 'trusted',
  hasCode: false,
  models: [
    {
      name: 'resnet',
      state: 'READY',
      reason: '',
      backend: '',
      platform: '',
      isEnsemble: false,
      runnable: true,
      hasConfigFile: false,
      versions: [{ version: 1, served: true, state: 'READY', reason: '', files: [] }],
      files: [],
      errors: 0,
      warnings: 0,
    },
    {
      name: 'broken',
      state: 'UNAVAILABLE',
      reason: 'failed to load: no model.plan',
      backend: '',
      platform: '',
      isEnsemble: false,
      runnable: true,
      hasConfigFile: false,
      versions: [],
      files: [],
      errors: 0,
      warnings: 0,
    },
  ],
  remote: {
    id: 'remote:1',
    name: 'gpu',
    url: 'http://gpu-node:8000',
    protocol: 'http',
    tls: {},
    headerNames: ['authorization'],
    credentialStore: 'file',
    metricsUrl: 'http://gpu-node:8002/metrics',
    timeoutMs: 10000,
    state: 'connected',
    server: { name: 'triton', version: '2.50.0', extensions: ['model_repository', 'statistics'] },
    warnings: [],
  },
};

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
});
afterEach(() => setBackend(undefined));

describe('AddServerForm', () => {
  it('sends the URL, name, header rows and timeout; TLS options only for a TLS URL; the error in place keeps the fields', async () => {
    const lab = fakeLab({ addRemoteServer: () => new Error('http://gpu-node:8000: connection refused (nothing listens on that port?)') });
    setBackend(lab);
    useRemoteStore().formOpen = true;
    const w = mount(AddServerForm, { attachTo: document.body });
    await w.get('[data-testid=add-server-url]').setValue('gpu-node:8000');
    await w.get('[data-testid=add-server-name]').setValue('GPU');
    await w.get('[data-testid=add-server-add-header]').trigger('click');
    await w.get('[data-testid=add-server-header-name]').setValue('authorization');
    await w.get('[data-testid=add-server-header-value]').setValue('Bearer t0ken');
    expect(w.get('[data-testid=add-server-header-value]').attributes('type')).toBe('password');
    const show = w.get('[data-testid=add-server-show-value]');
    expect(show.attributes('aria-label')).toBe('Show value');
    await show.trigger('click');
    expect(w.get('[data-testid=add-server-header-value]').attributes('type')).toBe('text');
    await show.trigger('click');
    expect(w.get('[data-testid=add-server-header-value]').attributes('type')).toBe('password');
    expect(w.find('[data-testid=add-server-skip-verify]').exists()).toBe(false);
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(lab.calls[0]).toEqual(['addRemoteServer', { url: 'gpu-node:8000', name: 'GPU', timeoutMs: 10000, headers: { authorization: 'Bearer t0ken' } }]);
    expect(w.get('[data-testid=add-server-error]').text()).toContain('connection refused');
    expect((w.get('[data-testid=add-server-url]').element as HTMLInputElement).value).toBe('gpu-node:8000');
    w.unmount();
  });

  it('opens without the error of an add the user closed the form on', async () => {
    setBackend(fakeLab({}));
    const remote = useRemoteStore();
    remote.formOpen = true;
    remote.addError = 'http://gone:8000: no answer within 10000 ms';
    const w = mount(AddServerForm);
    expect(w.find('[data-testid=add-server-error]').exists()).toBe(false);
    w.unmount();
  });

  it("submitting it from the open bar adds the server only: the bar's own form does not open its path too", async () => {
    const lab = fakeLab({
      hostInfo: () => ({ mode: 'browser', appVersion: 't', platform: 'linux', canPickFolder: false }),
      listRepositories: () => [],
      getSettings: () => ({ theme: 'system', locale: 'en', recentRepositories: [] }),
      addRemoteServer: () => new Error('connection refused'),
      openRepository: () => new Error('not a folder'),
    });
    setBackend(lab);
    await useRepositoriesStore().init();
    const w = mount(OpenBar, { attachTo: document.body });
    await w.get('[data-testid=open-path]').setValue('/half/typed/path');
    await w.get('[data-testid=add-server]').trigger('click');
    const form = document.querySelector<HTMLFormElement>('[data-testid=add-server-form]')!;
    const url = document.querySelector<HTMLInputElement>('[data-testid=add-server-url]')!;
    url.value = 'gpu-node:8000';
    url.dispatchEvent(new Event('input'));
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await flushPromises();
    expect(lab.calls.map((c) => c[0])).toContain('addRemoteServer');
    expect(lab.calls.map((c) => c[0])).not.toContain('openRepository');
    w.unmount();
  });

  it('warns when certificate checks are turned off and sends the TLS options', async () => {
    const lab = fakeLab({ addRemoteServer: () => server.remote, listRepositories: () => [server] });
    setBackend(lab);
    const remote = useRemoteStore();
    remote.formOpen = true;
    const w = mount(AddServerForm);
    await w.get('[data-testid=add-server-url]').setValue('https://gpu-node:8000');
    expect(w.find('[data-testid=add-server-skip-warning]').exists()).toBe(false);
    await w.get('[data-testid=add-server-skip-verify]').setValue(true);
    expect(w.get('[data-testid=add-server-skip-warning]').text()).toContain('read and change this traffic');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(lab.calls[0]).toEqual(['addRemoteServer', { url: 'https://gpu-node:8000', timeoutMs: 10000, tls: { skipVerify: true } }]);
    expect(remote.formOpen).toBe(false);
    expect(useRepositoriesStore().selection).toEqual({ repoId: 'remote:1' });
  });
});

describe('RemoteServerPage', () => {
  it('shows the facts, the index with states and reasons, and a failed unload on its row as the server wrote it', async () => {
    const lab = fakeLab({
      unloadModel: () => new Error('explicit model load / unload is not allowed if polling is enabled'),
      listRepositories: () => [server],
      scrapeMetrics: () => new Error('no metrics here'),
    });
    setBackend(lab);
    useRepositoriesStore().repos = [server];
    const w = mount(RemoteServerPage, { props: { repo: server } });
    expect(w.get('[data-testid=remote-state]').text()).toBe('connected');
    expect(w.get('[data-testid=remote-server-version]').text()).toBe('triton 2.50.0');
    expect(w.get('[data-testid=remote-extensions]').text()).toContain('model_repository');
    expect(w.text()).toContain('authorization');
    expect(w.text()).toContain('a 0600 file beside the settings');
    expect(w.get('[data-testid=remote-index-resnet]').attributes('data-state')).toBe('READY');
    expect(w.get('[data-testid=remote-index-broken]').text()).toContain('failed to load: no model.plan');
    await w.get('[data-testid=remote-unload-resnet]').trigger('click');
    await flushPromises();
    expect(lab.calls.find((c) => c[0] === 'unloadModel')).toEqual(['unloadModel', { repoId: 'remote:1', model: 'resnet' }]);
    expect(w.get('[data-testid=remote-index-resnet]').text()).toContain('explicit model load / unload is not allowed if polling is enabled');
    w.unmount();
  });

  it('an unreachable server says why, in Chinese too', async () => {
    setBackend(fakeLab({}));
    setLocale('zh-CN');
    const down: RepositoryInfo = { ...server, models: [], remote: { ...server.remote!, state: 'unreachable', error: { code: 'REMOTE_TIMEOUT', message: 'no answer within 10000 ms' } } };
    const w = mount(RemoteServerPage, { props: { repo: down } });
    expect(w.get('[data-testid=remote-error]').text()).toBe('无法连接到该服务器：no answer within 10000 ms');
    expect(w.get('[data-testid=remote-state]').text()).toBe('无法连接');
    expect(w.text()).toContain('该服务器没有列出任何模型。');
  });
});
