/**
 * Open repositories, what is selected in the tree, and keeping both fresh as the lab reports changes.
 * The selection outlives a restart: it is saved (by repository path, since ids change) through the
 * settings, and the saved one is restored once its repository is listed, unless the user chose
 * something else first. A repository just opened is selected and revealed in the tree.
 */
import { defineStore } from 'pinia';
import type { HostInfo, LabEvent, LabWorkspace, RepositoryInfo } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';
import { useSettingsStore } from './settings';

export type SavedSelection = NonNullable<LabWorkspace['selection']>;

/** A remote server's id (RemoteServerInfo.id: `remote:…`), also the repoId of its models. */
export const isRemoteRepoId = (repoId: string): boolean => repoId.startsWith('remote:');

/** How long the selection must stay put before it is saved (arrowing through the tree writes once). */
export const SAVE_DELAY_MS = 400;
let saveTimer: ReturnType<typeof setTimeout> | undefined;

export interface Selection {
  repoId: string;
  model?: string;
  /** A file in the repository, relative to its root. */
  file?: string;
  version?: number;
}

export const useRepositoriesStore = defineStore('repositories', {
  state: () => ({
    host: undefined as HostInfo | undefined,
    repos: [] as RepositoryInfo[],
    /** The first load has finished. */
    ready: false,
    opening: false,
    openError: '',
    /** Errors about a repository action, shown on that repository. */
    repoErrors: {} as Record<string, string>,
    selection: undefined as Selection | undefined,
    busy: {} as Record<string, boolean>,
    /** Something to scroll into view in the tree: a repository id, or `<repoId>/<model>`; `n` changes on every request. */
    reveal: undefined as { key: string; n: number } | undefined,
    /** The saved selection, waiting for its repository to be listed (and its models read). */
    pendingRestore: undefined as SavedSelection | undefined,
    /** The model view's tab as the window reports it (saved with the selection), and the one a restore asks for. */
    tab: undefined as string | undefined,
    restoredTab: undefined as string | undefined,
    /** The saved selection was restored or given up (the user chose first, or there was none). */
    restoreSettled: false,
    /** The user dismissed the note about folders of the last session that did not open. */
    skippedDismissed: false,
  }),
  getters: {
    selectedRepo(state): RepositoryInfo | undefined {
      return state.repos.find((r) => r.id === state.selection?.repoId);
    },
    /** The open folders, without remote servers (what can be served, exported or deployed). */
    localRepos(state): RepositoryInfo[] {
      return state.repos.filter((r) => !r.remote);
    },
  },
  actions: {
    async init(): Promise<void> {
      const api = useBackend();
      api.onEvent((ev) => void this.onEvent(ev));
      try {
        this.host = await api.call('hostInfo', {});
        this.repos = await api.call('listRepositories', {});
      } catch (err) {
        this.openError = errorText(err);
      } finally {
        this.ready = true;
      }
    },
    async onEvent(ev: LabEvent): Promise<void> {
      if (ev.type === 'repositories-changed') await Promise.all([this.refreshAll(), this.refreshHost()]);
      else if (ev.type === 'repository-changed' || ev.type === 'models-changed') await this.refreshOne(ev.repoId);
      this.tryRestore();
    },
    async refreshAll(): Promise<void> {
      try {
        this.repos = await useBackend().call('listRepositories', {});
      } catch (err) {
        this.openError = errorText(err);
      }
    },
    /** Host facts change once after start: the folders of the last session that did not open. */
    async refreshHost(): Promise<void> {
      const host = await useBackend()
        .call('hostInfo', {})
        .catch(() => undefined);
      if (host) this.host = host;
      // The lab may offer the last session's selection after the window first asked (it was still starting).
      if (host?.restoreSelection && !this.pendingRestore) this.restoreSelection(host.restoreSelection);
    },
    revealInTree(key: string): void {
      this.reveal = { key, n: (this.reveal?.n ?? 0) + 1 };
    },
    /** Restores the offered selection once its repository is listed (not after the user chose, nor twice). */
    restoreSelection(saved: SavedSelection | undefined): void {
      if (!saved || this.restoreSettled) return;
      this.pendingRestore = saved;
      this.tryRestore();
    },
    tryRestore(): void {
      const want = this.pendingRestore;
      if (!want) return;
      const repo = this.repos.find((r) => r.path === want.path);
      if (!repo) return;
      const model = want.model ? repo.models.find((m) => m.name === want.model) : undefined;
      // Models are read after the repository is listed: wait for them, unless it finished without this one.
      if (want.model && !model && (repo.loading || repo.models.length === 0)) return;
      this.pendingRestore = undefined;
      this.restoreSettled = true;
      if (!model) this.selection = { repoId: repo.id };
      else {
        const version = want.version !== undefined && model.versions.some((v) => v.version === want.version) ? { version: want.version } : {};
        this.selection = { repoId: repo.id, model: model.name, ...version, ...(want.file ? { file: want.file } : {}) };
        // The window puts the model view on it (run, log, graph and ensemble stay when the model opens).
        if (want.tab) this.restoredTab = want.tab;
      }
      this.revealInTree(model ? `${repo.id}/${model.name}` : repo.id);
    },
    /** The selection as the settings keep it (by repository path), or undefined for none. */
    savedSelection(): SavedSelection | undefined {
      const sel = this.selection;
      const repo = sel && this.repos.find((r) => r.id === sel.repoId);
      // A remote server's selection is not kept (the workspace remembers folders by path).
      if (!sel || !repo || repo.remote) return undefined;
      return {
        path: repo.path,
        ...(sel.model ? { model: sel.model } : {}),
        ...(sel.model && sel.version !== undefined ? { version: sel.version } : {}),
        ...(sel.model && sel.file ? { file: sel.file } : {}),
        ...(sel.model && !sel.file && this.tab ? { tab: this.tab } : {}),
      };
    },
    async refreshOne(repoId: string): Promise<void> {
      const all = await useBackend()
        .call('listRepositories', {})
        .catch(() => undefined);
      if (!all) return;
      const fresh = all.find((r) => r.id === repoId);
      const i = this.repos.findIndex((r) => r.id === repoId);
      if (fresh && i >= 0) this.repos.splice(i, 1, fresh);
      else this.repos = all;
    },
    upsert(info: RepositoryInfo): void {
      const i = this.repos.findIndex((r) => r.id === info.id);
      if (i >= 0) this.repos.splice(i, 1, info);
      else this.repos.push(info);
    },
    async open(path: string): Promise<RepositoryInfo | undefined> {
      this.opening = true;
      this.openError = '';
      try {
        const info = await useBackend().call('openRepository', { path });
        this.upsert(info);
        this.select({ repoId: info.id });
        this.revealInTree(info.id);
        return info;
      } catch (err) {
        this.openError = errorText(err);
        return undefined;
      } finally {
        this.opening = false;
      }
    },
    async browse(): Promise<void> {
      try {
        const { path } = await useBackend().call('pickRepositoryFolder', {});
        if (path) await this.open(path);
      } catch (err) {
        this.openError = errorText(err);
      }
    },
    async openSamples(): Promise<void> {
      this.opening = true;
      this.openError = '';
      try {
        const infos = await useBackend().call('openSamples', {});
        for (const info of infos) this.upsert(info);
        if (infos[0]) this.revealInTree(infos[0].id);
      } catch (err) {
        this.openError = errorText(err);
      } finally {
        this.opening = false;
      }
    },
    async runOn(repoId: string, action: () => Promise<RepositoryInfo | void>): Promise<void> {
      this.busy[repoId] = true;
      delete this.repoErrors[repoId];
      try {
        const info = await action();
        if (info) this.upsert(info);
      } catch (err) {
        this.repoErrors[repoId] = errorText(err);
      } finally {
        this.busy[repoId] = false;
      }
    },
    reload(repoId: string): Promise<void> {
      return this.runOn(repoId, () => useBackend().call('reloadRepository', { repoId }));
    },
    /** Polls every 2 s: quicker feedback than Triton's 15 s default while editing configs. */
    setWatch(repoId: string, enabled: boolean, pollSecs = 2): Promise<void> {
      return this.runOn(repoId, () => useBackend().call('setWatch', { repoId, enabled, pollSecs }));
    },
    async close(repoId: string): Promise<void> {
      await this.runOn(repoId, async () => {
        await useBackend().call('closeRepository', { repoId });
        this.repos = this.repos.filter((r) => r.id !== repoId);
        if (this.selection?.repoId === repoId) this.selection = undefined;
      });
    },
    /** The user's choice: it wins over a selection still waiting to be restored, and is saved with the workspace. */
    select(sel: Selection): void {
      this.pendingRestore = undefined;
      this.restoreSettled = true;
      this.selection = sel;
      this.scheduleSave();
    },
    /** Saves the selection a moment after it settles (several changes in a row write once). */
    scheduleSave(): void {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => void this.saveSelection(), SAVE_DELAY_MS);
    },
    /** Saves the selection (by path) with the workspace; the lab records which repositories are open. */
    async saveSelection(): Promise<void> {
      const sel = this.savedSelection();
      const settings = useSettingsStore();
      if (JSON.stringify(sel ?? null) === JSON.stringify(settings.settings.workspace?.selection ?? null)) return;
      await settings.update({ workspace: { repositories: [], ...(sel ? { selection: sel } : {}) } });
    },
  },
});
