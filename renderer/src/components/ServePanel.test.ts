// @vitest-environment happy-dom
/**
 * The serve panel's model-control switch: off unless turned on, labelled and
 * explained in both languages, carried to startServing, and shown while the
 * server runs with it on.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabClient, RepositoryInfo, ServeSettings, ServeStatus } from '@contract/lab-api';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { useRepositoriesStore } from '../stores/repositories';
import ServePanel from './ServePanel.vue';

const SETTINGS: ServeSettings = { host: '127.0.0.1', httpPort: 8000, grpcPort: 8001, metricsPort: 8002, modelControl: false };

function client(): LabClient & { starts: ({ repoId: string } & ServeSettings)[] } {
  const starts: ({ repoId: string } & ServeSettings)[] = [];
  return {
    starts,
    call: async (method: string, req: unknown) => {
      if (method === 'serveStatus') return { available: true, state: 'stopped', inFlight: 0, settings: SETTINGS } satisfies ServeStatus;
      if (method === 'startServing') {
        const r = req as { repoId: string } & ServeSettings;
        starts.push(r);
        const { repoId, ...settings } = r;
        return { available: true, state: 'running', repoId, repoName: 'models', http: 'http://127.0.0.1:8000', grpc: '127.0.0.1:8001', inFlight: 0, settings } satisfies ServeStatus;
      }
      throw new Error(`unexpected ${method}`);
    },
    onEvent: () => () => undefined,
  } as unknown as LabClient & { starts: ({ repoId: string } & ServeSettings)[] };
}

async function openPanel(c: ReturnType<typeof client>) {
  setBackend(c);
  useRepositoriesStore().repos = [{ id: 'r1', name: 'models' } as RepositoryInfo];
  const w = mount(ServePanel);
  await flushPromises();
  await w.get('[data-testid=serve-toggle]').trigger('click');
  return w;
}

describe('ServePanel model control', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    setLocale('en');
  });
  afterEach(() => setLocale('en'));

  it('is off by default, says what it would allow, and starts the server with it off', async () => {
    const c = client();
    const w = await openPanel(c);
    const box = w.get('[data-testid=serve-model-control]').element as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(w.text()).toContain('Allow loading and unloading models through the API');
    expect(w.get('[data-testid=serve-model-control-hint]').text()).toMatch(/load, unload and replace models, including code/);
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(c.starts).toEqual([{ repoId: 'r1', host: '127.0.0.1', httpPort: 8000, grpcPort: 8001, metricsPort: 8002, modelControl: false }]);
    expect(w.find('[data-testid=serve-model-control-on]').exists()).toBe(false);
  });

  it('turned on, it is sent to startServing and the running panel says so', async () => {
    const c = client();
    const w = await openPanel(c);
    await w.get('[data-testid=serve-model-control]').setValue(true);
    expect(w.get('[data-testid=serve-model-control-hint]').classes()).toContain('warn');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(c.starts[0]).toMatchObject({ modelControl: true });
    expect(w.get('[data-testid=serve-model-control-on]').text()).toBe('Model control through the API is on: clients can load, unload and replace models.');
  });

  it('is labelled and explained in 简体中文 too', async () => {
    setLocale('zh-CN');
    const w = await openPanel(client());
    expect(w.text()).toContain('允许通过 API 加载和卸载模型');
    expect(w.get('[data-testid=serve-model-control-hint]').text()).toContain('如无需要请保持关闭');
  });
});

describe('ServePanel opening and closing', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    setLocale('en');
  });
  afterEach(() => {
    setLocale('en');
    document.body.innerHTML = '';
  });

  async function mountWith(selected: string | undefined) {
    setBackend(client());
    const repos = useRepositoriesStore();
    repos.repos = [{ id: 'dp', name: 'data_pipeline' } as RepositoryInfo, { id: 'ocr', name: 'ocr_ensemble' } as RepositoryInfo];
    repos.selection = selected ? { repoId: selected, model: 'text_detection' } : undefined;
    const w = mount(ServePanel, { attachTo: document.body });
    await flushPromises();
    return { w, repos };
  }

  it('offers the repository of the selected model, each time it opens', async () => {
    const { w, repos } = await mountWith('ocr');
    await w.get('[data-testid=serve-toggle]').trigger('click');
    expect((w.get('[data-testid=serve-repo]').element as HTMLSelectElement).value).toBe('ocr');
    await w.get('[data-testid=serve-close]').trigger('click');
    repos.selection = { repoId: 'dp' };
    await w.get('[data-testid=serve-toggle]').trigger('click');
    expect((w.get('[data-testid=serve-repo]').element as HTMLSelectElement).value).toBe('dp');
    w.unmount();
  });

  it('without a selection, the first repository', async () => {
    const { w } = await mountWith(undefined);
    await w.get('[data-testid=serve-toggle]').trigger('click');
    expect((w.get('[data-testid=serve-repo]').element as HTMLSelectElement).value).toBe('dp');
    w.unmount();
  });

  it('Esc closes it from anywhere in the page and gives focus back to the button', async () => {
    const { w } = await mountWith('ocr');
    await w.get('[data-testid=serve-toggle]').trigger('click');
    (w.get('[data-testid=serve-host]').element as HTMLInputElement).focus();
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await flushPromises();
    expect(w.find('[data-testid=serve-panel]').exists()).toBe(false);
    expect(document.activeElement).toBe(w.get('[data-testid=serve-toggle]').element);
    // Closed, Esc is left to others.
    const later = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    document.body.dispatchEvent(later);
    expect(later.defaultPrevented).toBe(false);
    w.unmount();
  });

  it('keeps room for both labels, so the top bar does not shift when serving starts', async () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      setLocale(lang);
      const { w } = await mountWith('ocr');
      const label = w.get('[data-testid=serve-toggle] .label');
      expect(label.text()).toBe(lang === 'en' ? 'Serve' : '提供服务');
      expect(label.attributes('data-alt')).toBe(lang === 'en' ? 'Serving' : '服务中');
      await w.get('[data-testid=serve-toggle]').trigger('click');
      await w.get('form').trigger('submit');
      await flushPromises();
      expect(label.text()).toBe(lang === 'en' ? 'Serving' : '服务中');
      expect(label.attributes('data-alt')).toBe(lang === 'en' ? 'Serve' : '提供服务');
      w.unmount();
    }
  });
});
