/**
 * The guided tours: which one runs and at which step, progress per tour
 * (saved in the lab's settings so a tour resumes where it was left), the
 * step's check and result line over the other stores, and "Show me".
 */
import { defineStore } from 'pinia';
import type { TensorPage } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';
import { t } from '../i18n';
import { createTourActions } from '../walkthroughs/actions';
import { WALKTHROUGHS } from '../walkthroughs/catalog';
import { tensorKey, type ResultLine, type TourActions, type TourState, type TourStep, type Walkthrough } from '../walkthroughs/types';
import { useConvertStore } from './convert';
import { useGraphStore } from './graph';
import { useModelStore } from './model';
import { useRepositoriesStore } from './repositories';
import { useRunStore } from './run';
import { useServeStore } from './serve';
import { type WalkthroughProgress, useSettingsStore } from './settings';
import { useStepStore } from './step';

/** Values fetched per tensor for a result line: enough for a few lines of text. */
const PAGE_COUNT = 64;

let actionsFactory: () => TourActions = createTourActions;

/** Tests swap what "Show me" does. */
export function setTourActions(factory: (() => TourActions) | undefined): void {
  actionsFactory = factory ?? createTourActions;
}

export type TourStatus = 'new' | 'started' | 'done';

export const useWalkthroughStore = defineStore('walkthrough', {
  state: () => ({
    tours: [...WALKTHROUGHS] as Walkthrough[],
    /** The tour shown in the card, '' when none. */
    activeId: '',
    index: 0,
    /** The active tour was just finished: the card shows the completion message. */
    finished: false,
    progress: {} as WalkthroughProgress,
    listOpen: false,
    /** A "Show me" is in progress. */
    busy: false,
    error: '',
    pages: {} as Record<string, TensorPage>,
    /** Tensors being fetched or failed, so each is asked for once. */
    pagesAsked: {} as Record<string, true>,
  }),
  getters: {
    active(state): Walkthrough | undefined {
      return state.tours.find((w) => w.id === state.activeId);
    },
    step(): TourStep | undefined {
      return this.active?.steps[this.index];
    },
    /** What checks and result lines read. */
    snapshot(state): TourState {
      const model = useModelStore();
      const repos = useRepositoriesStore();
      const graph = useGraphStore();
      const step = useStepStore();
      return {
        repos: { repos: repos.repos, selection: repos.selection },
        model: { detail: model.detail, loading: model.loading, tab: model.tab },
        run: { models: useRunStore().models },
        step: { state: step.state },
        graph: { summary: graph.summary, selection: graph.selection, findQuery: graph.findQuery },
        serve: { status: useServeStore().status },
        pages: state.pages,
        convert: { conversions: useConvertStore().conversions },
      };
    },
    passed(): boolean {
      const check = this.step?.check;
      return !check || check(this.snapshot);
    },
    result(): ResultLine | undefined {
      return this.step?.result?.(this.snapshot);
    },
  },
  actions: {
    /** Takes the saved progress from the settings (call once they are loaded). */
    restore(): void {
      this.progress = { ...useSettingsStore().walkthroughProgress() };
    },
    status(id: string): TourStatus {
      const p = this.progress[id];
      return !p ? 'new' : p.done ? 'done' : 'started';
    },
    /** The step a tour resumes at, within its steps. */
    savedStep(id: string): number {
      const tour = this.tours.find((w) => w.id === id);
      const p = this.progress[id];
      if (!tour || !p || p.done) return 0;
      return Math.min(Math.max(0, p.step), tour.steps.length - 1);
    },
    async save(id: string, step: number, done: boolean): Promise<void> {
      this.progress = { ...this.progress, [id]: { step, done } };
      if (!(await useSettingsStore().saveWalkthroughs(this.progress))) this.error = useSettingsStore().error;
    },
    open(id: string, at: number): void {
      this.activeId = id;
      this.index = at;
      this.finished = false;
      this.error = '';
      this.listOpen = false;
    },
    /** From the beginning (a new tour, or Restart). */
    async start(id: string): Promise<void> {
      if (!this.tours.some((w) => w.id === id)) return;
      this.open(id, 0);
      await this.save(id, 0, false);
    },
    /** At the step the user left. */
    resume(id: string): void {
      if (!this.tours.some((w) => w.id === id)) return;
      this.open(id, this.savedStep(id));
    },
    async go(to: number): Promise<void> {
      const tour = this.active;
      if (!tour) return;
      this.error = '';
      if (to >= tour.steps.length) {
        this.finished = true;
        await this.save(tour.id, tour.steps.length - 1, true);
        return;
      }
      this.index = Math.max(0, to);
      await this.save(tour.id, this.index, false);
    },
    /** Only once the step's check passes. */
    async next(): Promise<void> {
      if (!this.passed || this.busy || this.finished) return;
      await this.go(this.index + 1);
    },
    /** Goes on without doing the step. */
    async skip(): Promise<void> {
      if (this.finished) return;
      await this.go(this.index + 1);
    },
    async back(): Promise<void> {
      if (this.index === 0 || this.finished) return;
      await this.go(this.index - 1);
    },
    close(): void {
      this.activeId = '';
      this.finished = false;
      this.error = '';
    },
    async showMe(): Promise<void> {
      const action = this.step?.showMe;
      if (!action || this.busy) return;
      this.busy = true;
      this.error = '';
      try {
        await action(actionsFactory());
      } catch (err) {
        this.error = t('walkthrough.err.showMe', { msg: errorText(err) });
      } finally {
        this.busy = false;
      }
    },
    /** Fetches the values the current result line waits for, each tensor once. */
    async fetchNeeded(): Promise<void> {
      for (const w of this.result?.needs ?? []) {
        const key = tensorKey(w.runId, w.name);
        if (this.pages[key] || this.pagesAsked[key]) continue;
        this.pagesAsked[key] = true;
        try {
          this.pages[key] = await useBackend().call('tensorPage', { runId: w.runId, side: 'output', name: w.name, offset: 0, count: PAGE_COUNT });
        } catch {
          // The line then shows what it knows without the values; a run dropped from the history has none.
        }
      }
    },
  },
});
