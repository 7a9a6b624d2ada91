/** Mounting the Graph tab in component tests: the panel with the tensor viewer stubbed, and waiting until its loads and layout settle. */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import type { ModelDetail } from '@contract/lab-api';
import { TensorViewStub } from '../../components/playground/test-support';
import GraphPanel from '../GraphPanel.vue';

export function mountGraphPanel(detail: ModelDetail, pinia: Pinia): VueWrapper {
  return mount(GraphPanel, { props: { detail, version: 1 }, global: { plugins: [pinia], stubs: { TensorView: TensorViewStub } }, attachTo: document.body });
}

/** Lets pending calls, watchers and the (worker-less) layout run to completion. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await flushPromises();
    await new Promise((r) => setTimeout(r, 0));
  }
}
