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
