/**
 * The Profile tab's state: the profiles of the model on screen (running and past, newest first, as
 * `listProfiles` and `profile-progress` events give them), which one is shown, which past ones are
 * overlaid on its curve, and the start/stop/delete actions with their errors kept for the view.
 * Events for other models are ignored; a model switch reloads the list.
 */
import { defineStore } from 'pinia';
import type { LabEvent, ProfileRequest, ProfileRun } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';

let unsubscribe: (() => void) | undefined;

export const useProfileStore = defineStore('profile', {
  state: () => ({
    repoId: '',
    model: '',
    runs: [] as ProfileRun[],
    /** The run whose curve, breakdown and table are shown. */
    shownId: '',
    /** Past runs drawn on the same plot. */
    overlay: [] as string[],
    loading: false,
    listError: '',
    /** Start, stop or delete failed: shown in place, the form keeps its values. */
    error: '',
    starting: false,
    stopping: false,
    token: 0,
  }),
  getters: {
    shown: (s): ProfileRun | undefined => s.runs.find((r) => r.profileId === s.shownId),
    running: (s): ProfileRun | undefined => s.runs.find((r) => r.state === 'running'),
  },
  actions: {
    /** Subscribes to progress once; later calls do nothing. */
    listen(): void {
      if (unsubscribe) return;
      unsubscribe = useBackend().onEvent((ev: LabEvent) => {
        if (ev.type === 'profile-progress') this.upsert(ev.profile);
      });
    },
    /** Forgets the subscription (tests swap the backend between cases). */
    reset(): void {
      unsubscribe?.();
      unsubscribe = undefined;
      this.$reset();
    },
    upsert(run: ProfileRun): void {
      if (run.repoId !== this.repoId || run.model !== this.model) return;
      const i = this.runs.findIndex((r) => r.profileId === run.profileId);
      if (i >= 0) this.runs.splice(i, 1, run);
      else {
        this.runs.unshift(run);
        if (run.state === 'running') this.shownId = run.profileId;
      }
      if (!this.shownId) this.shownId = run.profileId;
    },
    async open(repoId: string, model: string): Promise<void> {
      this.listen();
      const token = ++this.token;
      if (repoId !== this.repoId || model !== this.model) {
        this.runs = [];
        this.shownId = '';
        this.overlay = [];
        this.error = '';
      }
      this.repoId = repoId;
      this.model = model;
      this.loading = true;
      this.listError = '';
      try {
        const runs = await useBackend().call('listProfiles', { repoId, model });
        if (token !== this.token) return;
        this.runs = runs.filter((r) => r.repoId === repoId && r.model === model);
        if (!this.runs.some((r) => r.profileId === this.shownId)) this.shownId = this.runs[0]?.profileId ?? '';
        this.overlay = this.overlay.filter((id) => this.runs.some((r) => r.profileId === id));
      } catch (err) {
        if (token === this.token) this.listError = errorText(err);
      } finally {
        if (token === this.token) this.loading = false;
      }
    },
    async start(req: ProfileRequest): Promise<void> {
      if (this.starting) return;
      this.starting = true;
      this.error = '';
      try {
        const run = await useBackend().call('startProfile', req);
        this.upsert(run);
        this.shownId = run.profileId;
      } catch (err) {
        this.error = errorText(err);
      } finally {
        this.starting = false;
      }
    },
    async stop(): Promise<void> {
      const run = this.running;
      if (!run || this.stopping) return;
      this.stopping = true;
      this.error = '';
      try {
        this.upsert(await useBackend().call('stopProfile', { profileId: run.profileId }));
      } catch (err) {
        this.error = errorText(err);
      } finally {
        this.stopping = false;
      }
    },
    async remove(profileId: string): Promise<void> {
      this.error = '';
      try {
        await useBackend().call('deleteProfile', { profileId });
        this.runs = this.runs.filter((r) => r.profileId !== profileId);
        this.overlay = this.overlay.filter((id) => id !== profileId);
        if (this.shownId === profileId) this.shownId = this.runs[0]?.profileId ?? '';
      } catch (err) {
        this.error = errorText(err);
      }
    },
    show(profileId: string): void {
      this.shownId = profileId;
      this.overlay = this.overlay.filter((id) => id !== profileId);
    },
    toggleOverlay(profileId: string, on: boolean): void {
      this.overlay = on ? [...new Set([...this.overlay, profileId])] : this.overlay.filter((id) => id !== profileId);
    },
  },
});
