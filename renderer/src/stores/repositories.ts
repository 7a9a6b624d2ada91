/** Open repositories, what is selected in the tree, and keeping both fresh as the lab reports changes. */
import { defineStore } from 'pinia';
import type { HostInfo, LabEvent, RepositoryInfo } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';

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
  }),
  getters: {
    selectedRepo(state): RepositoryInfo | undefined {
      return state.repos.find((r) => r.id === state.selection?.repoId);
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
      if (ev.type === 'repositories-changed') await this.refreshAll();
      else if (ev.type === 'repository-changed' || ev.type === 'models-changed') await this.refreshOne(ev.repoId);
    },
    async refreshAll(): Promise<void> {
      try {
        this.repos = await useBackend().call('listRepositories', {});
      } catch (err) {
        this.openError = errorText(err);
      }
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
        this.selection = { repoId: info.id };
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
        for (const info of await useBackend().call('openSamples', {})) this.upsert(info);
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
    select(sel: Selection): void {
      this.selection = sel;
    },
  },
});
