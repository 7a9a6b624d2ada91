/**
 * An ensemble run in step mode: the run being driven (or the last one), what
 * is in flight, breakpoints per ensemble, and which tensor is shown.
 */
import { defineStore } from 'pinia';
import { watch } from 'vue';
import type { InputSpec, ModelDetail, RunSequence, StepAction, StepRunState, TensorRef } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';
import { newRunId } from '../components/playground/form-model';
import { useModelStore } from './model';
import { useRepositoriesStore } from './repositories';

/** A step's or BLS call's own tensor (TensorRef with spanId). */
export interface SpanTensor {
  spanId: number;
  side: 'input' | 'output';
  name: string;
}

export function stepKey(repoId: string, model: string): string {
  return `${repoId}\u0000${model}`;
}

export const useStepStore = defineStore('step', {
  state: () => ({
    /** The step run being driven, or the last one (finished, stopped or failed). */
    state: undefined as StepRunState | undefined,
    busy: false,
    error: '',
    /** The edge (ensemble tensor name) whose tensor is shown. */
    selectedEdge: '',
    /** Or a span's own tensor (shown instead of the edge when set). */
    selectedSpan: undefined as SpanTensor | undefined,
    /** The ensemble (repoId + model) the state belongs to. */
    key: '',
    /** What is in flight, and since when (ms since the epoch), for the status line. */
    action: '' as '' | 'start' | StepAction,
    since: 0,
    /** Breakpoints (step indices) per ensemble, kept across runs. */
    breakpoints: {} as Record<string, number[]>,
    /** The sequence the run was started with (ensembles whose members have sequence_batching). */
    sequence: undefined as RunSequence | undefined,
  }),
  getters: {
    open(state): boolean {
      return state.state?.state === 'paused' || state.state?.state === 'running';
    },
  },
  actions: {
    breakpointsOf(repoId: string, model: string): number[] {
      return this.breakpoints[stepKey(repoId, model)] ?? [];
    },
    toggleBreakpoint(repoId: string, model: string, step: number): void {
      const key = stepKey(repoId, model);
      const list = this.breakpoints[key] ?? [];
      this.breakpoints[key] = list.includes(step) ? list.filter((s) => s !== step) : [...list, step].sort((a, b) => a - b);
    },
    async start(detail: ModelDetail, version: number | undefined, inputs: InputSpec[], sequence?: RunSequence): Promise<void> {
      if (this.busy) return;
      // One step-through at a time from this window: a new start leaves the old run behind, stopped.
      if (this.open && this.state) void this.send(this.state.runId, 'stop').catch(() => undefined);
      const repoId = detail.repoId;
      const model = detail.summary.name;
      this.key = stepKey(repoId, model);
      this.state = undefined;
      this.sequence = sequence;
      this.selectedEdge = '';
      this.selectedSpan = undefined;
      this.error = '';
      this.begin('start');
      try {
        this.state = await useBackend().call('startStepRun', {
          repoId,
          model,
          ...(version !== undefined ? { version } : {}),
          inputs,
          runId: newRunId(),
          addBatchDim: true,
          breakpoints: this.breakpointsOf(repoId, model),
          ...(sequence ? { sequence } : {}),
        });
      } catch (err) {
        this.error = errorText(err);
      } finally {
        this.end();
      }
    },
    /** Step, continue, run to end; stop also while a step runs. */
    async act(action: StepAction): Promise<void> {
      const st = this.state;
      if (!st || !this.open) return;
      if (this.busy && action !== 'stop') return;
      this.error = '';
      this.begin(action);
      try {
        const next = await this.send(st.runId, action);
        if (this.state?.runId === next.runId) this.state = next;
      } catch (err) {
        this.error = errorText(err);
        // The lab may have ended the run meanwhile (stopped after being left idle): show where it stands.
        const fresh = await useBackend()
          .call('stepRunState', { runId: st.runId })
          .catch(() => undefined);
        if (fresh && this.state?.runId === fresh.runId) this.state = fresh;
      } finally {
        this.end();
      }
    },
    send(runId: string, action: StepAction): Promise<StepRunState> {
      const [repoId, model] = this.key.split('\u0000') as [string, string];
      return useBackend().call('stepRun', { runId, action, breakpoints: this.breakpointsOf(repoId, model) });
    },
    begin(action: 'start' | StepAction): void {
      this.busy = true;
      this.action = action;
      this.since = Date.now();
    },
    end(): void {
      this.busy = false;
      this.action = '';
    },
    selectEdge(name: string): void {
      this.selectedSpan = undefined;
      this.selectedEdge = this.selectedEdge === name ? '' : name;
    },
    selectSpanTensor(t: SpanTensor): void {
      this.selectedEdge = '';
      const same = this.selectedSpan && this.selectedSpan.spanId === t.spanId && this.selectedSpan.side === t.side && this.selectedSpan.name === t.name;
      this.selectedSpan = same ? undefined : t;
    },
    /** The tensor reference of what is selected, if anything. */
    selectedRef(): TensorRef | undefined {
      const st = this.state;
      if (!st) return undefined;
      if (this.selectedSpan) return { runId: st.runId, side: this.selectedSpan.side, name: this.selectedSpan.name, spanId: this.selectedSpan.spanId };
      if (this.selectedEdge) return { runId: st.runId, side: 'edge', name: this.selectedEdge };
      return undefined;
    },
    /**
     * Opens a member model; an ONNX member opens on its Graph tab. The tab is set once the member's
     * details arrive, so the ensemble's own view never shows a Graph tab it does not have.
     */
    openMember(repoId: string, model: string): void {
      const repos = useRepositoriesStore();
      const summary = repos.repos.find((r) => r.id === repoId)?.models.find((m) => m.name === model);
      const models = useModelStore();
      repos.select({ repoId, model });
      if (summary?.backend !== 'onnxruntime') return;
      const stop = watch(
        () => [models.detail?.repoId, models.detail?.summary.name, repos.selection?.model] as const,
        ([r, name, selected]) => {
          if (selected !== model) stop();
          else if (r === repoId && name === model) {
            models.tab = 'graph';
            stop();
          }
        },
      );
    },
  },
});
