/** The serve switch: which repository the Triton-compatible server serves, where, and how it is going. */
import { defineStore } from 'pinia';
import type { ServeSettings, ServeStatus } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';

export const useServeStore = defineStore('serve', {
  state: () => ({
    status: undefined as ServeStatus | undefined,
    /** A start or stop request is on its way. */
    pending: false,
    error: '',
  }),
  getters: {
    running: (s) => s.status?.state === 'running',
  },
  actions: {
    async init(): Promise<void> {
      const api = useBackend();
      api.onEvent((ev) => {
        if (ev.type === 'serve-changed') this.status = ev.status;
      });
      try {
        this.status = await api.call('serveStatus', {});
      } catch (err) {
        this.error = errorText(err);
      }
    },
    async start(repoId: string, settings: Partial<ServeSettings>): Promise<void> {
      this.pending = true;
      this.error = '';
      try {
        this.status = await useBackend().call('startServing', { repoId, ...settings });
        if (this.status.error) this.error = this.status.error;
      } catch (err) {
        this.error = errorText(err);
      } finally {
        this.pending = false;
      }
    },
    async stop(): Promise<void> {
      this.pending = true;
      this.error = '';
      try {
        this.status = await useBackend().call('stopServing', {});
      } catch (err) {
        this.error = errorText(err);
      } finally {
        this.pending = false;
      }
    },
  },
});
