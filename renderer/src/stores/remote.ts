/**
 * Remote Triton servers in the window: adding one (progress and the error kept for the form to
 * show in place), removing, and model control on a server's page. The servers themselves are
 * entries of the repositories store (listRepositories lists them with `remote` set).
 */
import { defineStore } from 'pinia';
import type { RemoteServerInfo, RemoteServerRequest } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';
import { useRepositoriesStore } from './repositories';

export const useRemoteStore = defineStore('remote', {
  state: () => ({
    formOpen: false,
    adding: false,
    addError: '',
    /** Errors of load/unload on a server page, by `<repoId>/<model>`. */
    modelErrors: {} as Record<string, string>,
    busyModels: {} as Record<string, boolean>,
  }),
  actions: {
    async add(req: RemoteServerRequest): Promise<RemoteServerInfo | undefined> {
      this.adding = true;
      this.addError = '';
      try {
        const info = await useBackend().call('addRemoteServer', req);
        const repos = useRepositoriesStore();
        await repos.refreshAll();
        repos.select({ repoId: info.id });
        repos.revealInTree(info.id);
        this.formOpen = false;
        return info;
      } catch (err) {
        this.addError = errorText(err);
        return undefined;
      } finally {
        this.adding = false;
      }
    },
    async control(repoId: string, model: string, action: 'loadModel' | 'unloadModel'): Promise<void> {
      const key = `${repoId}/${model}`;
      this.busyModels[key] = true;
      delete this.modelErrors[key];
      try {
        await useBackend().call(action, { repoId, model });
      } catch (err) {
        this.modelErrors[key] = errorText(err);
      } finally {
        this.busyModels[key] = false;
        await useRepositoriesStore().refreshOne(repoId);
      }
    },
  },
});
