/**
 * "Run to see" in the graph view: per graph, the latest observation (the
 * engine keeps its tensors for the viewers), the run in flight with its id
 * (so Cancel reaches it through cancelRun), and the error to show in place.
 * The input is the Run tab's current form when the user filled one in for
 * this model, else the engine generates one; the observation says which.
 */
import { defineStore } from 'pinia';
import { markRaw } from 'vue';
import type { GraphObservation, InputSpec } from '@contract/lab-api';
import { errorText, LabCallError, useBackend } from '../api/client';
import { buildRequestInputs, newRunId } from '../components/playground/form-model';
import { cancelRunning, type RunningRun, useRunStore } from '../stores/run';

export interface GraphObserveState {
  observation?: GraphObservation;
  running?: RunningRun;
  error: string;
  /** The last run was cancelled. */
  cancelled: boolean;
}

/** What the Run tab would send for this model: its inputs, or why they cannot be used; undefined when the tab has no form for it yet. */
export function playgroundInput(repoId: string, model: string): { inputs: InputSpec[]; problem: string } | undefined {
  const m = useRunStore().get(repoId, model);
  if (!m || !m.forms.length) return undefined;
  const { inputs, issues } = buildRequestInputs(m.forms);
  const bad = Object.keys(issues);
  return { inputs, problem: bad.length ? bad.join(', ') : '' };
}

/** Memory budgets offered for the tensors kept for viewing (the engine's default is 256 MiB). */
export const BUDGETS = [64, 256, 1024, 4096].map((mib) => mib * 2 ** 20);
export const DEFAULT_BUDGET = 256 * 2 ** 20;

/** The state of a graph never run. */
export const IDLE: Readonly<GraphObserveState> = Object.freeze({ error: '', cancelled: false });

/** How many graphs' observations the view remembers (the engine keeps a few too). */
const MAX_GRAPHS = 8;

export const useObserveStore = defineStore('graph-observe', {
  state: () => ({
    graphs: {} as Record<string, GraphObserveState>,
  }),
  actions: {
    stateOf(graphId: string): GraphObserveState {
      let s = this.graphs[graphId];
      if (!s) {
        s = { error: '', cancelled: false };
        this.graphs[graphId] = s;
        const ids = Object.keys(this.graphs);
        for (const id of ids.slice(0, Math.max(0, ids.length - MAX_GRAPHS))) if (!this.graphs[id]!.running) delete this.graphs[id];
      }
      return this.graphs[graphId]!;
    },
    /** Runs the graph once; `inputs` absent: the engine generates an input. `budgetBytes`: tensors kept for viewing (the engine's default when absent). */
    async run(graphId: string, inputs?: InputSpec[], budgetBytes?: number): Promise<void> {
      const s = this.stateOf(graphId);
      if (s.running) return;
      const runId = newRunId();
      s.running = { runId, startedAt: Date.now(), cancelling: false };
      s.error = '';
      s.cancelled = false;
      try {
        const observation = await useBackend().call('observeGraph', {
          graphId,
          runId,
          ...(inputs ? { run: { inputs, addBatchDim: true } } : {}),
          ...(budgetBytes !== undefined ? { budgetBytes } : {}),
        });
        // Hundreds to thousands of values: kept out of Vue's deep reactivity.
        s.observation = markRaw(observation);
      } catch (err) {
        if (s.running.cancelling || (err instanceof LabCallError && err.code === 'CANCELLED')) s.cancelled = true;
        else s.error = errorText(err);
      } finally {
        s.running = undefined;
      }
    },
    async cancel(graphId: string): Promise<void> {
      const s = this.graphs[graphId];
      if (s) await cancelRunning(s);
    },
    dismiss(graphId: string): void {
      const s = this.graphs[graphId];
      if (s) s.error = '';
    },
    /** Forgets what was shown (the engine drops the tensors with the next observation). */
    clear(graphId: string): void {
      const s = this.graphs[graphId];
      if (!s || s.running) return;
      s.observation = undefined;
      s.error = '';
      s.cancelled = false;
    },
  },
});
