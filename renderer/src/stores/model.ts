/** The selected model's details (config, diagnostics, IO) and model actions, kept in step with the selection. */
import { defineStore } from 'pinia';
import type { FileContent, ModelDetail } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';
import { useRepositoriesStore } from './repositories';

/** The model view's tabs; kept in the store so guided tours can read and switch them. */
export const TABS = ['overview', 'config', 'completed', 'run', 'graph', 'ensemble', 'log', 'profile'] as const;
export type Tab = (typeof TABS)[number];

export const useModelStore = defineStore('model', {
  state: () => ({
    detail: undefined as ModelDetail | undefined,
    loading: false,
    error: '',
    actionError: '',
    acting: false,
    file: undefined as FileContent | undefined,
    fileLoading: false,
    fileError: '',
    repairing: false,
    repairError: '',
    /** The config a repair just wrote, for the confirmation line. */
    repaired: '',
    /** Bumped to reload the current view. */
    token: 0,
    /** The tab the model view shows. */
    tab: 'overview' as Tab,
  }),
  actions: {
    async fetch(repoId: string, model: string): Promise<void> {
      const token = ++this.token;
      this.loading = this.detail?.summary.name !== model || this.detail.repoId !== repoId;
      if (this.loading) {
        this.repaired = '';
        this.repairError = '';
      }
      this.error = '';
      try {
        const detail = await useBackend().call('getModel', { repoId, model });
        if (token === this.token) this.detail = detail;
      } catch (err) {
        if (token === this.token) {
          this.detail = undefined;
          this.error = errorText(err);
        }
      } finally {
        if (token === this.token) this.loading = false;
      }
    },
    async fetchFile(repoId: string, path: string): Promise<void> {
      this.fileLoading = true;
      this.fileError = '';
      try {
        this.file = await useBackend().call('readFile', { repoId, path });
      } catch (err) {
        this.file = undefined;
        this.fileError = errorText(err);
      } finally {
        this.fileLoading = false;
      }
    },
    clear(): void {
      this.token++;
      this.detail = undefined;
      this.error = '';
      this.loading = false;
    },
    async cancelLoad(): Promise<void> {
      const d = this.detail;
      if (!d) return;
      try {
        await useBackend().call('cancelLoad', { repoId: d.repoId, model: d.summary.name });
      } catch (err) {
        this.actionError = errorText(err);
      }
    },
    /** Makes the repair a diagnostic offers; the engine recomputes it and reloads the model. */
    async repair(code: string): Promise<void> {
      const d = this.detail;
      if (!d || this.repairing) return;
      this.repairing = true;
      this.repairError = '';
      try {
        this.detail = await useBackend().call('applyRepair', { repoId: d.repoId, model: d.summary.name, code });
        this.repaired = this.detail.configPath ?? '';
        await useRepositoriesStore().refreshOne(d.repoId);
      } catch (err) {
        this.repairError = errorText(err);
      } finally {
        this.repairing = false;
      }
    },
    async act(kind: 'loadModel' | 'unloadModel'): Promise<void> {
      const d = this.detail;
      if (!d) return;
      this.acting = true;
      this.actionError = '';
      try {
        await useBackend().call(kind, { repoId: d.repoId, model: d.summary.name });
        await useRepositoriesStore().refreshOne(d.repoId);
        await this.fetch(d.repoId, d.summary.name);
      } catch (err) {
        this.actionError = errorText(err);
      } finally {
        this.acting = false;
      }
    },
  },
});
