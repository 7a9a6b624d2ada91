// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import type { LabSettings, RepositoryInfo } from '@contract/lab-api';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { fakeClient, quickDeploy, summary, type FakeClient } from '../components/playground/test-support';
import { useModelStore } from '../stores/model';
import { useRepositoriesStore } from '../stores/repositories';
import { useSettingsStore } from '../stores/settings';
import { setTourActions, useWalkthroughStore } from '../stores/walkthrough';
import { HIGHLIGHT_CLASS } from './highlight';
import WalkthroughCard from './WalkthroughCard.vue';
import WalkthroughMenu from './WalkthroughMenu.vue';

const qd: RepositoryInfo = {
  id: 'r3',
  path: '/s/quick_deploy_onnx',
  name: 'quick_deploy_onnx',
  sample: true,
  controlMode: 'none',
  watching: false,
  pollSecs: 15,
  diagnostics: [],
  models: [summary('text_direction')],
  loading: false,
  trust: 'trusted',
  hasCode: false,
};

/** The header button, the card, and a few of the controls tours point at. */
const Harness = defineComponent({
  setup() {
    return () =>
      h('div', [
        h(WalkthroughMenu),
        h('section', { 'data-testid': 'repo-quick_deploy_onnx' }, [h('div', { 'data-testid': 'model-text_direction' }, 'text_direction')]),
        h('button', { 'data-testid': 'tab-completed' }, 'Completed'),
        h(WalkthroughCard),
      ]);
  },
});

let client: FakeClient;
let settings: LabSettings;
let wrapper: VueWrapper | undefined;

async function mountLab(progress?: LabSettings['walkthroughs'], locale: LabSettings['locale'] = 'en'): Promise<VueWrapper> {
  settings = { theme: 'system', locale, recentRepositories: [], ...(progress ? { walkthroughs: progress } : {}) };
  await useSettingsStore().init();
  useWalkthroughStore().restore();
  wrapper = mount(Harness, { attachTo: document.body });
  return wrapper;
}

/** The lab as it is once the user selected text_direction in quick_deploy_onnx. */
function selectQuickDeploy(): void {
  const repos = useRepositoriesStore();
  repos.repos = [qd];
  repos.select({ repoId: 'r3', model: 'text_direction' });
  useModelStore().detail = { ...quickDeploy, configText: undefined };
}

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
  client = fakeClient({
    getSettings: () => settings,
    setSettings: (req: Partial<LabSettings>) => (settings = { ...settings, ...req }),
  });
  setBackend(client);
});
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  setBackend(undefined);
  setTourActions(undefined);
});

describe('the walkthrough list', () => {
  it('lists every tour with its progress and opens from the header', async () => {
    const w = await mountLab({ 'quick-deploy': { step: 2, done: false }, bls: { step: 6, done: true } });
    expect(w.find('[data-testid="walkthrough-list"]').exists()).toBe(false);
    await w.get('[data-testid="walkthrough-open"]').trigger('click');
    const list = w.get('[data-testid="walkthrough-list"]');
    expect(list.findAll('li')).toHaveLength(5);
    expect(w.get('[data-testid="walkthrough-item-quick-deploy"]').text()).toContain('Step 3 of 6');
    expect(w.find('[data-testid="walkthrough-item-quick-deploy"] [data-testid="walkthrough-resume"]').exists()).toBe(true);
    expect(w.get('[data-testid="walkthrough-item-bls"]').text()).toContain('Done');
    expect(w.get('[data-testid="walkthrough-item-model-ensembles"]').text()).toContain('Not started');
    expect(w.find('[data-testid="walkthrough-item-model-ensembles"] [data-testid="walkthrough-resume"]').exists()).toBe(false);
    // Escape closes it.
    await list.trigger('keydown', { key: 'Escape' });
    expect(w.find('[data-testid="walkthrough-list"]').exists()).toBe(false);
  });

  it('shows the tours in Chinese too', async () => {
    const w = await mountLab(undefined, 'zh-CN');
    await w.get('[data-testid="walkthrough-open"]').trigger('click');
    expect(w.get('[data-testid="walkthrough-item-quick-deploy"]').text()).toContain('快速部署');
    expect(w.get('[data-testid="walkthrough-item-quick-deploy"]').text()).toContain('未开始');
  });
});

describe('the tour card', () => {
  it('starts a tour, keeps Next disabled until the step is done, and saves each step', async () => {
    const w = await mountLab();
    await w.get('[data-testid="walkthrough-open"]').trigger('click');
    await w.get('[data-testid="walkthrough-item-quick-deploy"] [data-testid="walkthrough-start"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="walkthrough-list"]').exists()).toBe(false);
    const card = w.get('[data-testid="walkthrough-card"]');
    expect(card.get('[data-testid="walkthrough-step-title"]').text()).toBe('A folder with only a model file');
    expect(card.text()).toContain('Step 1 of 6');
    expect(card.get('[data-testid="walkthrough-next"]').attributes('disabled')).toBeDefined();
    expect(card.get('[data-testid="walkthrough-check"]').text()).toContain('Next unlocks');
    // The target is outlined in place.
    expect(w.get('[data-testid="model-text_direction"]').classes()).toContain(HIGHLIGHT_CLASS);

    selectQuickDeploy();
    await flushPromises();
    expect(card.get('[data-testid="walkthrough-next"]').attributes('disabled')).toBeUndefined();
    expect(card.get('[data-testid="walkthrough-result"]').text()).toContain('No config.pbtxt');
    await card.get('[data-testid="walkthrough-next"]').trigger('click');
    await flushPromises();
    expect(card.get('[data-testid="walkthrough-step-title"]').text()).toBe('See what auto-complete filled in');
    expect(w.get('[data-testid="model-text_direction"]').classes()).not.toContain(HIGHLIGHT_CLASS);
    expect(w.get('[data-testid="tab-completed"]').classes()).toContain(HIGHLIGHT_CLASS);
    expect(client.of('setSettings').map((r) => r.walkthroughs)).toEqual([{ 'quick-deploy': { step: 0, done: false } }, { 'quick-deploy': { step: 1, done: false } }]);

    await card.get('[data-testid="walkthrough-back"]').trigger('click');
    await flushPromises();
    expect(card.get('[data-testid="walkthrough-step-title"]').text()).toBe('A folder with only a model file');
  });

  it('resumes at the saved step', async () => {
    const w = await mountLab({ 'quick-deploy': { step: 3, done: false } });
    await w.get('[data-testid="walkthrough-open"]').trigger('click');
    await w.get('[data-testid="walkthrough-item-quick-deploy"] [data-testid="walkthrough-resume"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="walkthrough-step-title"]').text()).toBe('Labels and the classification extension');
    expect(w.text()).toContain('Step 4 of 6');
    // A reading step has nothing to wait for.
    expect(w.get('[data-testid="walkthrough-next"]').attributes('disabled')).toBeUndefined();
    expect(w.find('[data-testid="walkthrough-skip"]').exists()).toBe(false);
  });

  it('runs Show me with progress, and shows its error in place', async () => {
    let release!: () => void;
    const selectModel = vi.fn(() => new Promise<void>((r) => (release = r)));
    setTourActions(() => ({ openSamples: vi.fn(), selectModel, setTab: vi.fn(), openFile: vi.fn(), runModel: vi.fn(), startServing: vi.fn(), stepToEnd: vi.fn() }));
    const w = await mountLab();
    await useWalkthroughStore().start('quick-deploy');
    await flushPromises();
    await w.get('[data-testid="walkthrough-showme"]').trigger('click');
    expect(selectModel).toHaveBeenCalledWith('quick_deploy_onnx', 'text_direction');
    expect(w.get('[data-testid="walkthrough-showme"]').text()).toContain('Working');
    expect(w.get('[data-testid="walkthrough-showme"]').attributes('disabled')).toBeDefined();
    release();
    await flushPromises();
    expect(w.get('[data-testid="walkthrough-showme"]').text()).toBe('Show me');

    setTourActions(() => ({
      openSamples: vi.fn(),
      selectModel: () => Promise.reject(new Error('samples are missing')),
      setTab: vi.fn(),
      openFile: vi.fn(),
      runModel: vi.fn(),
      startServing: vi.fn(),
      stepToEnd: vi.fn(),
    }));
    await w.get('[data-testid="walkthrough-showme"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="walkthrough-error"]').text()).toBe('Show me did not finish: samples are missing');
  });

  it('skips, finishes with a completion message, and closes', async () => {
    const w = await mountLab({ 'quick-deploy': { step: 5, done: false } });
    useWalkthroughStore().resume('quick-deploy');
    await flushPromises();
    expect(w.get('[data-testid="walkthrough-next"]').text()).toBe('Finish');
    await w.get('[data-testid="walkthrough-skip"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="walkthrough-done"]').text()).toContain('Quick Deploy');
    expect(settings.walkthroughs).toEqual({ 'quick-deploy': { step: 5, done: true } });
    await w.get('[data-testid="walkthrough-more"]').trigger('click');
    expect(w.find('[data-testid="walkthrough-card"]').exists()).toBe(false);
    expect(w.get('[data-testid="walkthrough-item-quick-deploy"]').text()).toContain('Done');
  });

  it('closes with Escape and keeps the step', async () => {
    const w = await mountLab();
    await useWalkthroughStore().start('quick-deploy');
    await useWalkthroughStore().skip();
    await flushPromises();
    await w.get('[data-testid="walkthrough-card"]').trigger('keydown', { key: 'Escape' });
    expect(w.find('[data-testid="walkthrough-card"]').exists()).toBe(false);
    useWalkthroughStore().resume('quick-deploy');
    await flushPromises();
    expect(w.text()).toContain('Step 2 of 6');
  });

  it('folds to its header and back, keeping the step', async () => {
    const w = await mountLab();
    await useWalkthroughStore().start('quick-deploy');
    await flushPromises();
    await w.get('[data-testid="walkthrough-collapse"]').trigger('click');
    expect(w.find('[data-testid="walkthrough-step-title"]').exists()).toBe(false);
    expect(w.get('[data-testid="walkthrough-card"]').text()).toContain('Step 1 of 6');
    expect(w.get('[data-testid="walkthrough-collapse"]').attributes('aria-expanded')).toBe('false');
    await w.get('[data-testid="walkthrough-collapse"]').trigger('click');
    expect(w.get('[data-testid="walkthrough-step-title"]').text()).toBe('A folder with only a model file');
  });
});
