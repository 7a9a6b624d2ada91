/**
 * Shared by the Run tab and ensemble panel tests: a fresh Pinia and English
 * per test, and a mount that attaches the panel with a fake lab client and
 * unmounts it (and forgets the client) after the test.
 */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, vi } from 'vitest';
import type { Component } from 'vue';
import type { ModelDetail } from '@contract/lab-api';
import { setBackend } from '../../api/client';
import { setLocale } from '../../i18n';
import type { FakeClient } from './test-support';

export type MountPanel = (d: ModelDetail, client: FakeClient, version?: number) => Promise<VueWrapper>;

/** Registers the per-test setup and teardown; returns the mount for `panel` with `TensorView` replaced by `tensorView`. */
export function setupPanelTests(panel: Component, tensorView: Component): MountPanel {
  let pinia: ReturnType<typeof createPinia>;
  const mounted: VueWrapper[] = [];
  beforeEach(() => {
    pinia = createPinia();
    setActivePinia(pinia);
    setLocale('en');
  });
  afterEach(() => {
    for (const w of mounted.splice(0)) w.unmount();
    setBackend(undefined);
    document.body.innerHTML = '';
    vi.useRealTimers();
  });
  return async (d, client, version) => {
    setBackend(client);
    const w = mount(panel, { attachTo: document.body, props: { detail: d, version }, global: { plugins: [pinia], stubs: { TensorView: tensorView } } });
    mounted.push(w);
    await flushPromises();
    return w;
  };
}
