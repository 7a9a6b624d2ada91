// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import type { LabClient, LabEvent, LabMethod, RepositoryInfo } from '@contract/lab-api';
import { setLocale } from '../i18n';
import { useRepositoriesStore } from '../stores/repositories';
import { setBackend } from './client';
import { readDrop, runAppCommand, useDesktopShell } from './shell';

function repoInfo(id: string, p = `/repos/${id}`): RepositoryInfo {
  return { id, path: p, name: id, sample: false, controlMode: 'none', watching: false, pollSecs: 15, diagnostics: [], models: [], loading: false, trust: 'trusted', hasCode: false };
}

function fakeBackend() {
  const calls: [LabMethod, unknown][] = [];
  const listeners = new Set<(ev: LabEvent) => void>();
  const client: LabClient = {
    call: (async (method: LabMethod, req: unknown) => {
      calls.push([method, req]);
      if (method === 'openRepository') return repoInfo('opened', (req as { path: string }).path);
      if (method === 'reloadRepository') return repoInfo((req as { repoId: string }).repoId);
      if (method === 'closeRepository') return { closed: true };
      return [];
    }) as LabClient['call'],
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { client, calls, emit: (ev: LabEvent) => listeners.forEach((l) => l(ev)), listeners };
}

/** A DataTransfer-like object carrying files (happy-dom's DataTransfer cannot be filled with files). */
function files(...names: string[]): DataTransfer {
  const list = names.map((n) => new File([], n));
  return { types: ['Files'], files: list, dropEffect: 'none' } as unknown as DataTransfer;
}

function dropEvent(type: 'drop' | 'dragover', dt: DataTransfer): Event {
  const ev = new Event(type, { cancelable: true, bubbles: true });
  Object.defineProperty(ev, 'dataTransfer', { value: dt });
  return ev;
}

const Host = defineComponent({
  setup() {
    useDesktopShell();
    return () => h('div');
  },
});

describe('desktop shell glue', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    setLocale('en');
  });
  afterEach(() => {
    delete (globalThis as { modelLab?: unknown }).modelLab;
    setBackend(undefined);
  });

  it('reads dropped folders through the preload, and explains what to do in a browser', () => {
    const bridge = { pathForFile: (f: File) => (f.name === 'virtual' ? '' : `/home/u/${f.name}`) };
    expect(readDrop(files('model_repository', 'virtual'), bridge)).toEqual({ paths: ['/home/u/model_repository'] });
    expect(readDrop(files('virtual'), bridge)).toEqual({ message: expect.stringContaining('not a folder on disk') });
    expect(readDrop(files('model_repository'), undefined)).toEqual({ message: expect.stringContaining('Type its path') });
    expect(readDrop(files(), bridge)).toBeUndefined();
    setLocale('zh-CN');
    expect(readDrop(files('x'), undefined)).toEqual({ message: expect.stringContaining('输入') });
  });

  it('in Electron, a folder dropped on the window opens and is selected', async () => {
    const backend = fakeBackend();
    setBackend(backend.client);
    (globalThis as { modelLab?: unknown }).modelLab = { pathForFile: (f: File) => `/home/u/${f.name}` };
    const w = mount(Host);
    const over = dropEvent('dragover', files('repo'));
    window.dispatchEvent(over);
    expect(over.defaultPrevented).toBe(true);
    const drop = dropEvent('drop', files('repo'));
    window.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    await flushPromises();
    expect(backend.calls).toEqual([['openRepository', { path: '/home/u/repo' }]]);
    expect(useRepositoriesStore().selection).toEqual({ repoId: 'opened' });
    w.unmount();
    expect(backend.listeners.size).toBe(0);
  });

  it('in a browser, a drop opens nothing and says to type the path', async () => {
    const backend = fakeBackend();
    setBackend(backend.client);
    mount(Host);
    window.dispatchEvent(dropEvent('drop', files('repo')));
    await flushPromises();
    expect(backend.calls).toEqual([]);
    expect(useRepositoriesStore().openError).toContain('Type its path in the box above');
  });

  it('leaves drags without files (text, links) alone', () => {
    setBackend(fakeBackend().client);
    mount(Host);
    const ev = dropEvent('dragover', { types: ['text/plain'], files: [] } as unknown as DataTransfer);
    window.dispatchEvent(ev);
    expect(ev.defaultPrevented).toBe(false);
  });

  it('runs the menu’s commands on the selected repository (or the only one open)', async () => {
    const backend = fakeBackend();
    setBackend(backend.client);
    mount(Host);
    const store = useRepositoriesStore();
    store.repos = [repoInfo('a'), repoInfo('b')];
    // Two open, none selected: nothing to act on.
    backend.emit({ type: 'app-command', command: { kind: 'reload-selected' } });
    await flushPromises();
    expect(backend.calls).toEqual([]);
    backend.emit({ type: 'app-command', command: { kind: 'select-repository', repoId: 'b' } });
    expect(store.selection).toEqual({ repoId: 'b' });
    backend.emit({ type: 'app-command', command: { kind: 'reload-selected' } });
    await flushPromises();
    expect(backend.calls).toEqual([['reloadRepository', { repoId: 'b' }]]);
    backend.emit({ type: 'app-command', command: { kind: 'close-selected' } });
    await flushPromises();
    expect(backend.calls.at(-1)).toEqual(['closeRepository', { repoId: 'b' }]);
    expect(store.repos.map((r) => r.id)).toEqual(['a']);
    expect(store.selection).toBeUndefined();
    await runAppCommand({ kind: 'reload-selected' }, store);
    expect(backend.calls.at(-1)).toEqual(['reloadRepository', { repoId: 'a' }]);
  });
});
