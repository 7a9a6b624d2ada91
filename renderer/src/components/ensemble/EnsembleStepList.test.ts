// @vitest-environment happy-dom
/** The ensemble's steps: member names are links that select the member, versions stand apart, missing members are marked. */
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EnsembleStepRow } from '@contract/lab-api';
import { setLocale } from '../../i18n';
import { useRepositoriesStore } from '../../stores/repositories';
import { summary } from '../playground/test-support';
import EnsembleStepList from './EnsembleStepList.vue';

const STEPS: EnsembleStepRow[] = [
  { modelName: 'detection_preprocessing', modelVersion: -1, inputMap: { input_image: 'input_image' }, outputMap: { detection_input: 'pre' } },
  { modelName: 'text_detection', modelVersion: 2, inputMap: { x: 'pre' }, outputMap: { 'sigmoid_0.tmp_0': 'map' } },
  { modelName: 'gone', modelVersion: 1, inputMap: {}, outputMap: {} },
];

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  setLocale('en');
  const repos = useRepositoriesStore();
  repos.repos = [{ id: 'r1', models: [summary('detection_preprocessing'), summary('text_detection')] }] as unknown as typeof repos.repos;
});

const mountList = () => mount(EnsembleStepList, { props: { repoId: 'r1', steps: STEPS }, global: { plugins: [pinia] } });

describe('EnsembleStepList', () => {
  it('keeps the name and the version apart', () => {
    const w = mountList();
    const first = w.get('[data-testid=ensemble-step-0]');
    expect(first.get('[data-testid=step-member-link]').text()).toBe('detection_preprocessing');
    expect(first.get('[data-testid=step-version]').text()).toBe('latest version');
    expect(w.get('[data-testid=ensemble-step-1] [data-testid=step-version]').text()).toBe('version 2');
    expect(first.text()).not.toContain('detection_preprocessingv');
    expect(w.get('[data-testid=ensemble-step-1] .maps').text()).toContain('sigmoid_0.tmp_0 → map');
  });

  it('selects the member in the tree when its name is clicked', async () => {
    const w = mountList();
    await w.get('[data-testid=ensemble-step-1] [data-testid=step-member-link]').trigger('click');
    expect(useRepositoriesStore().selection).toEqual({ repoId: 'r1', model: 'text_detection' });
  });

  it('marks a member the repository lacks instead of linking it, in Chinese too', () => {
    const w = mountList();
    const gone = w.get('[data-testid=ensemble-step-2]');
    expect(gone.find('[data-testid=step-member-link]').exists()).toBe(false);
    expect(gone.get('[data-testid=step-member-missing]').text()).toBe('gone');
    setLocale('zh-CN');
    const zh = mountList();
    expect(zh.get('[data-testid=ensemble-step-0] [data-testid=step-version]').text()).toBe('最新版本');
    expect(zh.get('[data-testid=ensemble-step-1] [data-testid=step-version]').text()).toBe('版本 2');
  });
});
