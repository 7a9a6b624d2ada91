// @vitest-environment happy-dom
/** The serve panel's Metrics section: only while serving, scraping only once opened, for the served repository. */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LabClient, RepositoryInfo, ServeSettings, ServeStatus } from '@contract/lab-api';
import type { MetricsSnapshot } from '@contract/remote-api';
import { setBackend } from '../api/client';
import { setLocale } from '../i18n';
import { useRepositoriesStore } from '../stores/repositories';
import ServePanel from './ServePanel.vue';

const SETTINGS: ServeSettings = { host: '127.0.0.1', httpPort: 8000, grpcPort: 8001, metricsPort: 8002, modelControl: false };

function lab(running: boolean): LabClient & { scrapes: unknown[] } {
  const scrapes: unknown[] = [];
  const status: ServeStatus = running
    ? { available: true, state: 'running', repoId: 'r1', repoName: 'models', http: 'http://127.0.0.1:8000', metrics: 'http://127.0.0.1:8002/metrics', inFlight: 0, settings: SETTINGS }
    : { available: true, state: 'stopped', inFlight: 0, settings: SETTINGS };
  return {
    scrapes,
    call: async (method: string, req: unknown) => {
      if (method === 'serveStatus') return status;
      if (method === 'scrapeMetrics') {
        scrapes.push(req);
        return { url: 'http://127.0.0.1:8002/metrics', time: Date.now(), models: [], gpus: [], families: [] } satisfies MetricsSnapshot;
      }
      throw new Error(`unexpected ${method}`);
    },
    onEvent: () => () => undefined,
  } as unknown as LabClient & { scrapes: unknown[] };
}

async function openPanel(c: LabClient) {
  setBackend(c);
  useRepositoriesStore().repos = [{ id: 'r1', name: 'models' } as RepositoryInfo];
  const w = mount(ServePanel);
  await flushPromises();
  await w.get('[data-testid=serve-toggle]').trigger('click');
  return w;
}

describe('ServePanel metrics section', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    setLocale('en');
  });

  it('is there while serving and scrapes the served repository once opened', async () => {
    const c = lab(true);
    const w = await openPanel(c);
    const details = w.get('[data-testid=serve-metrics]');
    expect(details.text()).toContain('Metrics');
    expect(w.find('[data-testid=metrics-view]').exists()).toBe(false);
    (details.element as HTMLDetailsElement).open = true;
    await details.trigger('toggle');
    await flushPromises();
    expect(w.find('[data-testid=metrics-view]').exists()).toBe(true);
    expect(c.scrapes).toEqual([{ repoId: 'r1' }]);
    w.unmount();
  });

  it('is not there while stopped', async () => {
    const w = await openPanel(lab(false));
    expect(w.find('[data-testid=serve-metrics]').exists()).toBe(false);
    w.unmount();
  });
});
