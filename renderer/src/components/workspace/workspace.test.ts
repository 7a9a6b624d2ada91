// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HostInfo, LabClient, LabEvent, LabMethod, LabSettings, RepositoryInfo } from '@contract/lab-api';
import { setBackend } from '../../api/client';
import { viewPrefs } from '../../graph/view-prefs';
import { setLocale } from '../../i18n';
import { useRepositoriesStore } from '../../stores/repositories';
import { useSettingsStore } from '../../stores/settings';
import OpenBar from '../OpenBar.vue';
import RepositoryTree from '../RepositoryTree.vue';
import { repository, summary } from '../playground/test-support';
import BreadcrumbBar from './BreadcrumbBar.vue';
import SidebarResizer from './SidebarResizer.vue';
import { breadcrumb } from './crumbs';
import { SIDEBAR_DEFAULT, SIDEBAR_MIN, clampWidth, readWidth, sidebarWidth } from './sidebar-width';

const bls = repository('r1', 'ocr_bls', '/samples/ocr_bls', { sample: true, models: [summary('text_detection'), summary('text_recognition'), summary('ocr_bls')] });
const ens = repository('r2', 'ocr_ensemble', '/samples/ocr_ensemble', { sample: true, models: [summary('text_detection'), summary('ocr_ensemble')] });
const mine = repository('r3', 'my_models', '/home/u/my_models', {
  models: [summary('resnet', { versions: [1, 2].map((v) => ({ version: v, served: true, state: 'READY' as const, reason: '', files: [] })) })],
});

interface Fake extends LabClient {
  calls: { method: string; req: unknown }[];
  emit(ev: LabEvent): void;
  settings: LabSettings;
  host: Partial<HostInfo>;
}

function fakeBackend(repos: RepositoryInfo[], settings: Partial<LabSettings> = {}): Fake {
  const listeners = new Set<(ev: LabEvent) => void>();
  const fake: Fake = {
    calls: [],
    settings: { theme: 'system', locale: 'en', recentRepositories: [], ...settings },
    host: {},
    emit: (ev) => listeners.forEach((l) => l(ev)),
    call: (async (method: LabMethod, req: unknown) => {
      fake.calls.push({ method, req });
      switch (method) {
        case 'hostInfo':
          return { mode: 'browser', appVersion: 't', platform: 'linux', canPickFolder: false, samplesDir: '/samples', ...fake.host };
        case 'listRepositories':
          return repos;
        case 'getSettings':
          return fake.settings;
        case 'setSettings':
          fake.settings = { ...fake.settings, ...(req as object) };
          return fake.settings;
        case 'openRepository':
          return repos.find((r) => r.path === (req as { path: string }).path) ?? mine;
        default:
          return {};
      }
    }) as LabClient['call'],
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return fake;
}

async function setup(repos: RepositoryInfo[], settings: Partial<LabSettings> = {}): Promise<Fake> {
  const fake = fakeBackend(repos, settings);
  setBackend(fake);
  await Promise.all([useRepositoriesStore().init(), useSettingsStore().init()]);
  return fake;
}

beforeEach(() => {
  setActivePinia(createPinia());
  setLocale('en');
  viewPrefs.treeHidden = false;
  document.body.innerHTML = '';
});

describe('the recent list in the path field', () => {
  const recent = ['/home/u/my_models', '/data/other_repo', '/samples/ocr_bls'];

  it('opens with ↓, moves with the arrows, opens the chosen folder with Enter, marks open ones', async () => {
    const fake = await setup([bls, mine], { recentRepositories: recent });
    const w = mount(OpenBar, { attachTo: document.body });
    const input = w.get('[data-testid="open-path"]');
    expect(w.find('[data-testid="recent-list"]').exists()).toBe(false);
    await input.trigger('keydown', { key: 'ArrowDown' });
    const items = w.findAll('[data-testid="recent-item"]');
    expect(items.map((i) => i.find('.name').text())).toEqual(['my_models', 'other_repo', 'ocr_bls']);
    expect(items.map((i) => i.find('.chip').exists())).toEqual([true, false, true]);
    expect(input.attributes('aria-expanded')).toBe('true');
    expect(input.attributes('aria-activedescendant')).toBe('recent-0');
    await input.trigger('keydown', { key: 'ArrowDown' });
    await input.trigger('keydown', { key: 'ArrowUp' });
    await input.trigger('keydown', { key: 'ArrowUp' });
    expect(input.attributes('aria-activedescendant')).toBe('recent-2');
    await input.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(fake.calls.filter((c) => c.method === 'openRepository').map((c) => c.req)).toEqual([{ path: '/samples/ocr_bls' }]);
    expect(w.find('[data-testid="recent-list"]').exists()).toBe(false);
    w.unmount();
  });

  it('Ctrl+R opens it instead of reloading the page; Esc closes it; typing narrows it', async () => {
    await setup([], { recentRepositories: recent });
    const w = mount(OpenBar, { attachTo: document.body });
    const ev = new KeyboardEvent('keydown', { key: 'r', ctrlKey: true, bubbles: true, cancelable: true });
    window.dispatchEvent(ev);
    await flushPromises();
    expect(ev.defaultPrevented).toBe(true);
    expect(w.findAll('[data-testid="recent-item"]')).toHaveLength(3);
    await w.get('[data-testid="open-path"]').setValue('other');
    expect(w.findAll('[data-testid="recent-item"]').map((i) => i.attributes('title'))).toEqual(['/data/other_repo']);
    await w.get('[data-testid="open-path"]').trigger('keydown', { key: 'Escape' });
    expect(w.find('[data-testid="recent-list"]').exists()).toBe(false);
    // Ctrl+Shift+R is not ours.
    const hard = new KeyboardEvent('keydown', { key: 'R', ctrlKey: true, shiftKey: true, bubbles: true, cancelable: true });
    window.dispatchEvent(hard);
    expect(hard.defaultPrevented).toBe(false);
    w.unmount();
  });

  it('opens on the desktop menu’s command; × forgets one entry and "Clear list" empties it, through the settings', async () => {
    const fake = await setup([], { recentRepositories: recent });
    const w = mount(OpenBar, { attachTo: document.body });
    fake.emit({ type: 'app-command', command: { kind: 'show-recent' } });
    await flushPromises();
    expect(w.findAll('[data-testid="recent-item"]')).toHaveLength(3);
    await w.get('[data-testid="recent-forget"]').trigger('click');
    await flushPromises();
    expect(fake.calls.find((c) => c.method === 'setSettings')?.req).toEqual({ recentRepositories: ['/data/other_repo', '/samples/ocr_bls'] });
    expect(w.findAll('[data-testid="recent-item"]')).toHaveLength(2);
    fake.calls.length = 0;
    await w.get('[data-testid="recent-clear"]').trigger('click');
    await flushPromises();
    expect(fake.calls.find((c) => c.method === 'setSettings')?.req).toEqual({ recentRepositories: [] });
    expect(w.findAll('[data-testid="recent-item"]')).toHaveLength(0);
    expect(w.text()).toContain('No recent repositories yet');
    w.unmount();
  });
});

describe('the tree filter', () => {
  it('filters models by name across repositories, keeps matching repositories expanded, and says when nothing matches', async () => {
    await setup([bls, ens, mine]);
    const w = mount(RepositoryTree, { attachTo: document.body });
    // A collapsed repository still shows its matches while filtering.
    await w.get('[data-testid="repo-ocr_ensemble"] .repo-title').trigger('click');
    expect(w.find('[data-testid="repo-ocr_ensemble"] [data-testid="model-text_detection"]').exists()).toBe(false);
    await w.get('[data-testid="tree-filter"]').setValue('DETECT');
    expect(w.findAll('section.repo').map((s) => s.attributes('data-testid'))).toEqual(['repo-ocr_bls', 'repo-ocr_ensemble']);
    expect(w.findAll('[data-testid="model-text_detection"]')).toHaveLength(2);
    expect(w.find('[data-testid="model-ocr_bls"]').exists()).toBe(false);
    expect(w.get('[data-testid="tree-filter-count"]').text()).toBe('2 of 6');
    await w.get('[data-testid="tree-filter"]').setValue('zzz');
    expect(w.findAll('section.repo')).toHaveLength(0);
    expect(w.get('[data-testid="tree-no-match"]').text()).toBe('No model matches “zzz”.');
    await w.get('[data-testid="tree-filter"]').trigger('keydown', { key: 'Escape' });
    expect(w.findAll('section.repo')).toHaveLength(3);
    // Cleared: the collapsed repository is collapsed again.
    expect(w.find('[data-testid="repo-ocr_ensemble"] [data-testid="model-text_detection"]').exists()).toBe(false);
    w.unmount();
  });

  it('gives a repository header the full path as its title and explains the sample badge (layout: e2e/workspace.spec.ts)', async () => {
    await setup([bls]);
    const w = mount(RepositoryTree);
    const title = w.get('[data-testid="repo-ocr_bls"] .repo-title');
    expect(title.attributes('title')).toBe('/samples/ocr_bls\n3 models');
    expect(title.get('.chip').text()).toBe('sample');
    expect(title.get('.chip').attributes('title')).toBe('A sample repository bundled with Model Lab');
  });
});

describe('the breadcrumb', () => {
  it('names repository › model › version, and a file by its folders, each a link but the last', () => {
    expect(breadcrumb([bls, ens], undefined)).toEqual([]);
    expect(breadcrumb([bls, ens], { repoId: 'r2', model: 'text_detection' }).map((c) => [c.label, c.kind, c.target])).toEqual([
      ['ocr_ensemble', 'repository', { repoId: 'r2' }],
      ['text_detection', 'model', undefined],
    ]);
    expect(breadcrumb([mine], { repoId: 'r3', model: 'resnet', version: 2 }).map((c) => [c.label, c.target])).toEqual([
      ['my_models', { repoId: 'r3' }],
      ['resnet', { repoId: 'r3', model: 'resnet' }],
      ['2', undefined],
    ]);
    expect(breadcrumb([mine], { repoId: 'r3', model: 'resnet', file: 'resnet/2/sub/model.onnx' }).map((c) => [c.label, c.kind, c.target])).toEqual([
      ['my_models', 'repository', { repoId: 'r3' }],
      ['resnet', 'model', { repoId: 'r3', model: 'resnet' }],
      ['2', 'version', { repoId: 'r3', model: 'resnet', version: 2 }],
      ['sub', 'folder', undefined],
      ['model.onnx', 'file', undefined],
    ]);
  });

  it('tells same-named models apart and selects through its links; its button hides and shows the tree', async () => {
    await setup([bls, ens]);
    const store = useRepositoriesStore();
    store.select({ repoId: 'r2', model: 'text_detection', version: 1 });
    const w = mount(BreadcrumbBar);
    await flushPromises();
    expect(w.findAll('[data-testid="breadcrumb"] li').map((li) => li.text().replace('›', '').trim())).toEqual(['ocr_ensemble', 'text_detection', 'version 1']);
    await w.get('[data-testid="crumb-model"]').trigger('click');
    expect(store.selection).toEqual({ repoId: 'r2', model: 'text_detection' });
    expect(store.reveal?.key).toBe('r2/text_detection');
    await w.get('[data-testid="tree-toggle"]').trigger('click');
    expect(viewPrefs.treeHidden).toBe(true);
    await w.get('[data-testid="tree-toggle"]').trigger('click');
    expect(viewPrefs.treeHidden).toBe(false);
  });
});

describe('the tree’s width', () => {
  it('is bounded, read back safely, and changed from the keyboard', async () => {
    expect(readWidth('abc')).toBe(SIDEBAR_DEFAULT);
    expect(readWidth('5')).toBe(SIDEBAR_DEFAULT);
    expect(readWidth('333')).toBe(333);
    expect(clampWidth(10, 1440)).toBe(SIDEBAR_MIN);
    expect(clampWidth(5000, 1440)).toBe(640);
    expect(clampWidth(5000, 900)).toBe(420); // the main area keeps 480 px
    expect(clampWidth(Number.NaN)).toBe(SIDEBAR_DEFAULT);
    sidebarWidth.value = 300;
    const w = mount(SidebarResizer);
    const handle = w.get('[data-testid="sidebar-resizer"]');
    expect(handle.attributes('role')).toBe('separator');
    await handle.trigger('keydown', { key: 'ArrowRight' });
    expect(sidebarWidth.value).toBe(316);
    await handle.trigger('keydown', { key: 'ArrowLeft', shiftKey: true });
    expect(sidebarWidth.value).toBe(252);
    await handle.trigger('keydown', { key: 'Home' });
    expect(sidebarWidth.value).toBe(SIDEBAR_MIN);
    expect(handle.attributes('aria-valuenow')).toBe(String(SIDEBAR_MIN));
    expect(localStorage.getItem('model-lab.sidebar-width')).toBe(String(SIDEBAR_MIN));
    await handle.trigger('keydown', { key: 'Enter' });
    expect(viewPrefs.treeHidden).toBe(true);
  });

  it('follows a pointer drag', async () => {
    sidebarWidth.value = 300;
    const w = mount(SidebarResizer);
    const handle = w.get('[data-testid="sidebar-resizer"]');
    await handle.trigger('pointerdown', { button: 0, clientX: 300, pointerId: 1 });
    await handle.trigger('pointermove', { clientX: 380, pointerId: 1 });
    await handle.trigger('pointerup', { clientX: 380, pointerId: 1 });
    expect(sidebarWidth.value).toBe(380);
    await handle.trigger('pointermove', { clientX: 500, pointerId: 1 });
    expect(sidebarWidth.value).toBe(380);
  });
});

describe('the selection across restarts', () => {
  it('restores the saved selection once its repository and model are listed, and saves later choices by path', async () => {
    const loading = { ...mine, loading: true, models: [] };
    const repos = [bls, loading];
    const fake = await setup(repos, { workspace: { repositories: [{ path: mine.path }], selection: { path: mine.path, model: 'resnet', version: 2 } } });
    const store = useRepositoriesStore();
    store.restoreSelection(useSettingsStore().settings.workspace?.selection);
    expect(store.selection).toBeUndefined(); // its models are still being read
    repos.splice(1, 1, mine);
    fake.emit({ type: 'repository-changed', repoId: 'r3' });
    await flushPromises();
    expect(store.selection).toEqual({ repoId: 'r3', model: 'resnet', version: 2 });
    expect(store.reveal?.key).toBe('r3/resnet');
    store.select({ repoId: 'r1', model: 'text_detection', file: 'text_detection/config.pbtxt' });
    expect(store.savedSelection()).toEqual({ path: '/samples/ocr_bls', model: 'text_detection', file: 'text_detection/config.pbtxt' });
    await store.saveSelection();
    expect(fake.calls.filter((c) => c.method === 'setSettings').map((c) => c.req)).toEqual([
      { workspace: { repositories: [], selection: { path: '/samples/ocr_bls', model: 'text_detection', file: 'text_detection/config.pbtxt' } } },
    ]);
    // Unchanged: nothing is written again.
    await store.saveSelection();
    expect(fake.calls.filter((c) => c.method === 'setSettings')).toHaveLength(1);
  });

  it('takes an offer that comes after the window first asked (the lab was still starting), once', async () => {
    const fake = await setup([bls]);
    const store = useRepositoriesStore();
    store.restoreSelection(store.host?.restoreSelection);
    expect(store.pendingRestore).toBeUndefined();
    fake.host = { restoreSelection: { path: '/samples/ocr_bls', model: 'ocr_bls' } };
    fake.emit({ type: 'repositories-changed' });
    await flushPromises();
    expect(store.selection).toEqual({ repoId: 'r1', model: 'ocr_bls' });
    store.select({ repoId: 'r1', model: 'text_detection' });
    fake.emit({ type: 'repositories-changed' });
    await flushPromises();
    expect(store.selection).toEqual({ repoId: 'r1', model: 'text_detection' });
  });

  it('keeps the model view tab with the selection, and asks for it back on a restore', async () => {
    await setup([bls]);
    const store = useRepositoriesStore();
    store.select({ repoId: 'r1', model: 'text_detection' });
    store.tab = 'run';
    expect(store.savedSelection()).toEqual({ path: '/samples/ocr_bls', model: 'text_detection', tab: 'run' });
    store.select({ repoId: 'r1', model: 'text_detection', file: 'text_detection/config.pbtxt' });
    expect(store.savedSelection()).not.toHaveProperty('tab');
    store.restoreSettled = false;
    store.restoreSelection({ path: '/samples/ocr_bls', model: 'ocr_bls', tab: 'log' });
    expect(store.selection).toEqual({ repoId: 'r1', model: 'ocr_bls' });
    expect(store.restoredTab).toBe('log');
  });

  it('gives way to the user: a choice made before the repository appears is kept', async () => {
    await setup([bls]);
    const store = useRepositoriesStore();
    store.restoreSelection({ path: '/elsewhere', model: 'x' });
    expect(store.restoreSettled).toBe(false);
    store.select({ repoId: 'r1', model: 'ocr_bls' });
    store.tryRestore();
    expect(store.selection).toEqual({ repoId: 'r1', model: 'ocr_bls' });
    expect(store.restoreSettled).toBe(true);
  });

  it('selects and reveals a repository just opened', async () => {
    await setup([bls, mine]);
    const store = useRepositoriesStore();
    await store.open('/home/u/my_models');
    expect(store.selection).toEqual({ repoId: 'r3' });
    expect(store.reveal?.key).toBe('r3');
  });
});
