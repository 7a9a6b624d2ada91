// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRequest, TensorPage } from '@contract/lab-api';
import { setBackend } from '../../api/client';
import { setLocale } from '../../i18n';
import ModelView from '../ModelView.vue';
import { fakeClient, quickDeploy, runResult, tensor } from './test-support';

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
});

afterEach(() => {
  setBackend(undefined);
  document.body.innerHTML = '';
});

describe('the Run tab of a model', () => {
  it('opens the playground, runs, and shows the outputs in the real tensor view', async () => {
    const client = fakeClient({
      runModel: (req: RunRequest) => runResult(req.runId!, quickDeploy, { outputs: [tensor('softmax_0.tmp_0', 'FP32', [1, 2], { min: 0.1, max: 0.9 })] }),
      tensorPage: (req: { offset: number; count: number }): TensorPage => ({ offset: req.offset, total: 2, values: [0.1, 0.9].slice(req.offset, req.offset + req.count) }),
      tensorHistogram: () => ({ min: 0.1, max: 0.9, counts: [1, 1] }),
    });
    setBackend(client);
    const pinia = createPinia();
    const w = mount(ModelView, { attachTo: document.body, props: { detail: quickDeploy }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.get('[data-testid=tab-run]').text()).toBe('Run');
    await w.get('[data-testid=tab-run]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid=playground]').exists()).toBe(true);
    await w.get('[data-testid=run-button]').trigger('click');
    await flushPromises();
    expect(client.of('runModel')).toHaveLength(1);
    expect(w.find('[data-testid="tensor-view-softmax_0.tmp_0"]').exists()).toBe(true);
    w.unmount();
  });
});
