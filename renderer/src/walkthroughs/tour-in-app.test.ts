// @vitest-environment happy-dom
// A tour in the whole window: Show me goes through the real stores, App fetches the model, ModelView switches tabs.
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabClient, LabMethod, LabSettings, ModelDetail, RepositoryInfo } from '@contract/lab-api';
import App from '../App.vue';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { quickDeploy, repository, summary } from '../components/playground/test-support';

const sample: RepositoryInfo = repository('r3', 'quick_deploy_onnx', '/samples/quick_deploy_onnx', { sample: true, models: [summary('text_direction', { hasConfigFile: false })] });

const detail: ModelDetail = {
  ...quickDeploy,
  summary: summary('text_direction', { hasConfigFile: false }),
  completedConfigText: 'name: "text_direction"\nmax_batch_size: 4\n',
  autoFilled: ['max_batch_size', 'input', 'output', 'instance_group'],
};

type FakeLab = LabClient & { calls: { method: string; req: unknown }[]; settings: LabSettings; opened: RepositoryInfo[] };

function backend(): FakeLab {
  const calls: { method: string; req: unknown }[] = [];
  const self: FakeLab = {
    calls,
    settings: { theme: 'system', locale: 'en', recentRepositories: [] } as LabSettings,
    opened: [] as RepositoryInfo[],
    call: (async (method: LabMethod, req: unknown) => {
      calls.push({ method, req });
      switch (method) {
        case 'hostInfo':
          return { mode: 'browser', appVersion: 't', platform: 'linux', canPickFolder: false, samplesDir: '/samples' };
        case 'listRepositories':
          return self.opened;
        case 'openSamples':
          self.opened = [sample];
          return self.opened;
        case 'getSettings':
          return self.settings;
        case 'setSettings':
          self.settings = { ...self.settings, ...(req as Partial<LabSettings>) };
          return self.settings;
        case 'getModel':
          return detail;
        case 'serveStatus':
          return { available: true, state: 'stopped', inFlight: 0, settings: { host: '127.0.0.1', httpPort: 8000, grpcPort: 8001, metricsPort: 8002 } };
        case 'modelStats':
          return [];
        default:
          throw new Error(`not in this test: ${method}`);
      }
    }) as LabClient['call'],
    onEvent: () => () => undefined,
  };
  return self;
}

let w: VueWrapper | undefined;
beforeEach(() => setLocale('en'));
afterEach(() => {
  w?.unmount();
  w = undefined;
  setBackend(undefined);
});

describe('a walkthrough in the lab window', () => {
  it('walks Quick Deploy with Show me: samples opened, model selected, Completed tab shown, progress kept', async () => {
    const lab = backend();
    setBackend(lab);
    w = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body });
    await flushPromises();

    await w.get('[data-testid=walkthrough-open]').trigger('click');
    await w.get('[data-testid=walkthrough-item-quick-deploy] [data-testid=walkthrough-start]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=walkthrough-next]').attributes('disabled')).toBeDefined();

    await w.get('[data-testid=walkthrough-showme]').trigger('click');
    await flushPromises();
    expect(lab.calls.filter((c) => c.method === 'openSamples')).toHaveLength(1);
    expect(w.find('[data-testid=model-view-text_direction]').exists()).toBe(true);
    expect(w.get('[data-testid=walkthrough-result]').text()).toContain('No config.pbtxt');
    await w.get('[data-testid=walkthrough-next]').trigger('click');
    await flushPromises();

    expect(w.get('[data-testid=walkthrough-step-title]').text()).toBe('See what auto-complete filled in');
    expect(w.get('[data-testid=walkthrough-next]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid=walkthrough-showme]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=tab-completed]').attributes('aria-selected')).toBe('true');
    expect(w.get('[data-testid=walkthrough-next]').attributes('disabled')).toBeUndefined();
    expect(w.get('[data-testid=walkthrough-result]').text()).toContain('4 fields filled in');

    // Clicking a tab by hand counts just as well.
    await w.get('[data-testid=tab-overview]').trigger('click');
    expect(w.get('[data-testid=walkthrough-next]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid=tab-completed]').trigger('click');
    await w.get('[data-testid=walkthrough-next]').trigger('click');
    await flushPromises();
    expect(lab.settings.walkthroughs).toEqual({ 'quick-deploy': { step: 2, done: false } });
  });

  it('resumes where the settings say, after a restart of the app', async () => {
    const lab = backend();
    lab.settings = { ...lab.settings, walkthroughs: { 'quick-deploy': { step: 4, done: false } } };
    setBackend(lab);
    w = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body });
    await flushPromises();
    await w.get('[data-testid=walkthrough-open]').trigger('click');
    expect(w.get('[data-testid=walkthrough-item-quick-deploy]').text()).toContain('Step 5 of 6');
    await w.get('[data-testid=walkthrough-item-quick-deploy] [data-testid=walkthrough-resume]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid=walkthrough-step-title]').text()).toBe('Call it with curl and tritonclient');
  });
});
