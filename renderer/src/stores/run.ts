/**
 * The inference playground: the input form per model (kept while the user
 * looks elsewhere), the run in flight, each model's run history, which runs
 * are shown or compared, request snippets, and errors.
 */
import { defineStore } from 'pinia';
import type { LabEvent, LabMethods, ModelDetail, RunResult, RunSnippets } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';
import { buildRequestInputs, createForms, formSignature, newRunId, type InputForm } from '../components/playground/form-model';
import { afterRun, sequenceFormFor, sequenceIssue, sequenceRequest, type SequenceForm } from '../components/playground/sequence-form';
import { parameterProblems, parametersRequest, type ParameterRow } from '../components/playground/parameters-form';

/** A bundled sample image as the lab lists it (file, size, captions, thumbnail). */
export type SampleImage = LabMethods['sampleImages']['res'][number];

export interface RunningRun {
  runId: string;
  startedAt: number;
  cancelling: boolean;
}

/** Asks the engine to cancel a call in flight (a run, an observation); a refusal shows in `state.error` and Cancel can be pressed again. */
export async function cancelRunning(state: { running?: RunningRun; error: string }): Promise<void> {
  const running = state.running;
  if (!running || running.cancelling) return;
  running.cancelling = true;
  try {
    await useBackend().call('cancelRun', { runId: running.runId });
  } catch (err) {
    state.error = errorText(err);
    if (state.running) state.running.cancelling = false;
  }
}

export interface ModelRuns {
  repoId: string;
  model: string;
  signature: string;
  forms: InputForm[];
  /** Newest first. */
  history: RunResult[];
  historyLoaded: boolean;
  historyError: string;
  running?: RunningRun;
  /** Why the last run could not be sent or did not come back. */
  error: string;
  /** The last run was cancelled while it ran. */
  cancelled: boolean;
  /** The run shown, and the one it is compared with. */
  viewedId?: string;
  compareId?: string;
  /** The sequence controls (models with sequence_batching only). */
  sequence?: SequenceForm;
  /** The request parameters sent with each run. */
  parameters: ParameterRow[];
}

export function runKey(repoId: string, model: string): string {
  return `${repoId}\u0000${model}`;
}

export const useRunStore = defineStore('run', {
  state: () => ({
    models: {} as Record<string, ModelRuns>,
    samples: undefined as SampleImage[] | undefined,
    samplesError: '',
    snippets: {} as Record<string, RunSnippets>,
    snippetErrors: {} as Record<string, string>,
    listening: false,
  }),
  actions: {
    /** The model's playground state, (re)built when its inputs changed. */
    ensure(detail: ModelDetail): ModelRuns {
      const key = runKey(detail.repoId, detail.summary.name);
      const signature = formSignature(detail.inputs, detail.maxBatchSize);
      const sample = this.samples?.[0]?.file ?? '';
      let m = this.models[key];
      if (!m) {
        m = {
          repoId: detail.repoId,
          model: detail.summary.name,
          signature,
          forms: createForms(detail.inputs, detail.maxBatchSize, sample),
          history: [],
          historyLoaded: false,
          historyError: '',
          error: '',
          cancelled: false,
          parameters: [],
          ...sequenceFormFor(detail),
        };
        this.models[key] = m;
      } else if (m.signature !== signature) {
        m.signature = signature;
        m.forms = createForms(detail.inputs, detail.maxBatchSize, sample);
      }
      return this.models[key]!;
    },
    get(repoId: string, model: string): ModelRuns | undefined {
      return this.models[runKey(repoId, model)];
    },
    /** Follows runs finished elsewhere (another window, the same model in a second view). */
    listen(): void {
      if (this.listening) return;
      this.listening = true;
      useBackend().onEvent((ev: LabEvent) => {
        if (ev.type !== 'run-finished') return;
        const m = this.models[runKey(ev.run.repoId, ev.run.model)];
        if (m && !m.history.some((r) => r.runId === ev.run.runId)) m.history.unshift(ev.run);
      });
    },
    async loadSamples(): Promise<void> {
      if (this.samples) return;
      try {
        this.samples = await useBackend().call('sampleImages', {});
        this.samplesError = '';
        const first = this.samples[0]?.file;
        if (first) for (const m of Object.values(this.models)) for (const f of m.forms) if (!f.source.sample) f.source.sample = first;
      } catch (err) {
        this.samplesError = errorText(err);
      }
    },
    async refreshHistory(repoId: string, model: string): Promise<void> {
      const m = this.get(repoId, model);
      if (!m) return;
      try {
        const fresh = await useBackend().call('listRuns', { repoId, model });
        // A run this window just made stays listed even if the lab's history has moved on.
        const local = m.history.filter((r) => r.runId === m.viewedId && !fresh.some((f) => f.runId === r.runId));
        m.history = [...local, ...fresh].sort((a, b) => b.startedAt - a.startedAt);
        m.historyError = '';
      } catch (err) {
        m.historyError = errorText(err);
      } finally {
        m.historyLoaded = true;
      }
      if (m.compareId && !m.history.some((r) => r.runId === m.compareId)) m.compareId = undefined;
    },
    /** Sends the form; returns false when it is not valid (the editors show why). */
    async run(detail: ModelDetail, version?: number): Promise<boolean> {
      const m = this.ensure(detail);
      if (m.running) return false;
      const { inputs, issues } = buildRequestInputs(m.forms);
      if (Object.keys(issues).length || (m.sequence && sequenceIssue(m.sequence)) || parameterProblems(m.parameters)) return false;
      const sequence = sequenceRequest(m.sequence);
      const parameters = parametersRequest(m.parameters);
      const runId = newRunId();
      m.running = { runId, startedAt: Date.now(), cancelling: false };
      m.error = '';
      m.cancelled = false;
      try {
        const result = await useBackend().call('runModel', {
          repoId: detail.repoId,
          model: detail.summary.name,
          ...(version !== undefined ? { version } : {}),
          inputs,
          runId,
          addBatchDim: true,
          ...(sequence ? { sequence } : {}),
          ...(parameters ? { parameters } : {}),
        });
        if (m.sequence) afterRun(m.sequence, result.state === 'ok');
        m.history = [result, ...m.history.filter((r) => r.runId !== result.runId)];
        m.viewedId = result.runId;
        if (m.compareId === result.runId) m.compareId = undefined;
        m.cancelled = result.state === 'cancelled';
      } catch (err) {
        if (m.running.cancelling) m.cancelled = true;
        else m.error = errorText(err);
      } finally {
        m.running = undefined;
      }
      await this.refreshHistory(detail.repoId, detail.summary.name);
      return true;
    },
    async cancel(repoId: string, model: string): Promise<void> {
      const m = this.get(repoId, model);
      if (m) await cancelRunning(m);
    },
    view(repoId: string, model: string, runId: string): void {
      const m = this.get(repoId, model);
      if (!m) return;
      m.viewedId = runId;
      if (m.compareId === runId) m.compareId = undefined;
    },
    compare(repoId: string, model: string, runId: string | undefined): void {
      const m = this.get(repoId, model);
      if (!m) return;
      m.compareId = runId === m.viewedId ? undefined : runId;
    },
    async loadSnippets(runId: string): Promise<void> {
      if (this.snippets[runId]) return;
      delete this.snippetErrors[runId];
      try {
        this.snippets[runId] = await useBackend().call('runSnippets', { runId });
      } catch (err) {
        this.snippetErrors[runId] = errorText(err);
      }
    },
  },
});
