/** The ONNX graph being inspected: its summary, what is selected, the find query. Extended by the graph view. */
import { defineStore } from 'pinia';
import { markRaw } from 'vue';
import type { ConfigFromModel, GraphAnalysis, GraphSummary } from '@contract/lab-api';
import { errorText, LabCallError, useBackend } from '../api/client';

export type GraphSelection = { kind: 'model' } | { kind: 'node'; name: string } | { kind: 'value'; name: string } | { kind: 'initializer'; name: string };

/** Which model a summary belongs to. */
export interface GraphTarget {
  repoId: string;
  model: string;
  version?: number;
}

const keyOf = (t: GraphTarget): string => `${t.repoId}\n${t.model}\n${t.version ?? ''}`;

/** A big graph's summary with its analysis merged in (new objects where something changed, so views re-derive). */
export function withAnalysis(s: GraphSummary, a: GraphAnalysis): GraphSummary {
  const initializers = s.initializers.map((t, i) => (a.previews[i] !== undefined ? { ...t, preview: a.previews[i] } : t));
  const subgraphs = s.subgraphs?.map((b) => (a.bodies[b.id] ? { ...b, inferred: a.bodies[b.id] } : b));
  const { analysisPending: _done, ...rest } = s;
  return { ...rest, initializers, ...(subgraphs ? { subgraphs } : {}), ...(a.inferred ? { inferred: a.inferred } : {}), ...(a.shapeInference ? { shapeInference: a.shapeInference } : {}) };
}

export const useGraphStore = defineStore('graph', {
  state: () => ({
    summary: undefined as GraphSummary | undefined,
    loading: false,
    error: '',
    selection: { kind: 'model' } as GraphSelection,
    findQuery: '',
    /** The target the summary (or error) is for. */
    target: undefined as GraphTarget | undefined,
    /** The engine says this model has no graph to show (not ONNX). */
    unsupported: '',
    /** Expanded name scopes (ids), and the graph they were first set up for. */
    expanded: new Set<string>(),
    expandedFor: '',
    /** Right-hand panel: what is selected, or the "use in config" panel. */
    panel: 'selection' as 'selection' | 'config',
    config: undefined as ConfigFromModel | undefined,
    configLoading: false,
    configError: '',
    netron: undefined as { available: boolean; path?: string } | undefined,
    netronUrl: '',
    netronError: '',
    netronOpening: false,
    /** A big graph is shown before its analysis (inferred dims, constant values): true while that is on its way. */
    analyzing: false,
    analysisError: '',
  }),
  actions: {
    async load(target: GraphTarget, force = false): Promise<void> {
      if (!force && this.target && keyOf(this.target) === keyOf(target) && (this.summary || this.loading)) return;
      const key = keyOf(target);
      this.target = { ...target };
      this.summary = undefined;
      this.error = '';
      this.unsupported = '';
      this.selection = { kind: 'model' };
      this.findQuery = '';
      this.expanded = new Set();
      this.expandedFor = '';
      this.panel = 'selection';
      this.config = undefined;
      this.configError = '';
      this.netronUrl = '';
      this.netronError = '';
      this.analyzing = false;
      this.analysisError = '';
      this.loading = true;
      try {
        const req = target.version !== undefined ? { repoId: target.repoId, model: target.model, version: target.version } : { repoId: target.repoId, model: target.model };
        const summary = await useBackend().call('modelGraph', req);
        if (!this.target || keyOf(this.target) !== key) return;
        // Thousands of nodes: kept out of Vue's deep reactivity.
        this.summary = markRaw(summary);
      } catch (err) {
        if (!this.target || keyOf(this.target) !== key) return;
        if (err instanceof LabCallError && err.code === 'UNSUPPORTED') this.unsupported = err.message;
        else this.error = errorText(err);
      } finally {
        if (this.target && keyOf(this.target) === key) this.loading = false;
      }
    },
    /**
     * Merges a big graph's analysis once the engine has it; the graph stays
     * usable meanwhile. The view asks once it has painted, so the merge (a
     * new model and layout) never delays the first paint.
     */
    async loadAnalysis(): Promise<void> {
      const target = this.target;
      const graphId = this.summary?.analysisPending ? this.summary.graphId : undefined;
      if (!target || !graphId || this.analyzing) return;
      const key = keyOf(target);
      this.analyzing = true;
      this.analysisError = '';
      try {
        const a = await useBackend().call('graphAnalysis', { graphId });
        if (!this.target || keyOf(this.target) !== key || this.summary?.graphId !== graphId) return;
        this.summary = markRaw(withAnalysis(this.summary, a));
      } catch (err) {
        if (this.target && keyOf(this.target) === key) this.analysisError = errorText(err);
      } finally {
        if (this.target && keyOf(this.target) === key) this.analyzing = false;
      }
    },
    async loadConfig(): Promise<void> {
      const target = this.target;
      if (!target) return;
      this.panel = 'config';
      this.configLoading = true;
      this.configError = '';
      try {
        const req = target.version !== undefined ? { repoId: target.repoId, model: target.model, version: target.version } : { repoId: target.repoId, model: target.model };
        const res = await useBackend().call('configFromModel', req);
        if (this.target === target) this.config = res;
      } catch (err) {
        if (this.target === target) this.configError = errorText(err);
      } finally {
        if (this.target === target) this.configLoading = false;
      }
    },
    async checkNetron(): Promise<void> {
      if (this.netron) return;
      try {
        this.netron = await useBackend().call('netronStatus', {});
      } catch {
        // No netron answer means no button; our own view does not depend on it.
        this.netron = { available: false };
      }
    },
    async openNetron(): Promise<void> {
      const target = this.target;
      if (!target) return;
      this.netronOpening = true;
      this.netronError = '';
      try {
        const req = target.version !== undefined ? { repoId: target.repoId, model: target.model, version: target.version } : { repoId: target.repoId, model: target.model };
        this.netronUrl = (await useBackend().call('openInNetron', req)).url;
      } catch (err) {
        this.netronError = errorText(err);
      } finally {
        this.netronOpening = false;
      }
    },
    select(sel: GraphSelection): void {
      this.selection = sel;
      this.panel = 'selection';
    },
  },
});
