/** Questions tours ask about the lab's state: pure functions over a `TourState`. */
import type { ModelDetail, RepositoryInfo, RunResult, TensorPage } from '@contract/lab-api';
import type { Tab } from '../stores/model';
import { runKey } from '../stores/run';
import { tensorKey, type TourState } from './types';

/** The open repository of that folder name, a bundled sample first. */
export function repoNamed(s: TourState, name: string): RepositoryInfo | undefined {
  return s.repos.repos.find((r) => r.name === name && r.sample) ?? s.repos.repos.find((r) => r.name === name);
}

export function repoOpen(s: TourState, name: string): boolean {
  return repoNamed(s, name) !== undefined;
}

/** The model is selected in the tree (not one of its files). */
export function modelSelected(s: TourState, repo: string, model: string): boolean {
  const r = repoNamed(s, repo);
  const sel = s.repos.selection;
  return !!r && sel?.repoId === r.id && sel.model === model && !sel.file;
}

/** The model's details, once they are the ones shown. */
export function shownDetail(s: TourState, repo: string, model: string): ModelDetail | undefined {
  const d = s.model.detail;
  if (!modelSelected(s, repo, model) || s.model.loading || !d) return undefined;
  return d.repoId === s.repos.selection?.repoId && d.summary.name === model ? d : undefined;
}

export function tabShown(s: TourState, repo: string, model: string, tab: Tab): boolean {
  return shownDetail(s, repo, model) !== undefined && s.model.tab === tab;
}

export function modelReady(s: TourState, repo: string, model: string): boolean {
  return repoNamed(s, repo)?.models.find((m) => m.name === model)?.state === 'READY';
}

/** The model's newest playground run. */
export function lastRun(s: TourState, repo: string, model: string): RunResult | undefined {
  const r = repoNamed(s, repo);
  return r ? s.run.models[runKey(r.id, model)]?.history[0] : undefined;
}

export function lastRunOk(s: TourState, repo: string, model: string): boolean {
  return lastRun(s, repo, model)?.state === 'ok';
}

/** A step-through run of this ensemble ran to its end. */
export function stepRunFinished(s: TourState, repo: string, model: string): boolean {
  const st = s.step.state;
  const r = repoNamed(s, repo);
  if (!st || st.state !== 'finished' || !r) return false;
  // The result names the run's model; without one, the ensemble tab being open is the evidence.
  return st.result ? st.result.repoId === r.id && st.result.model === model : tabShown(s, repo, model, 'ensemble');
}

/** A step-through run of this ensemble has started (paused, running or ended). */
export function stepRunStarted(s: TourState, repo: string, model: string): boolean {
  return !!s.step.state && tabShown(s, repo, model, 'ensemble');
}

/** The graph of this model is loaded in the Graph tab. */
export function graphShown(s: TourState, repo: string, model: string): boolean {
  const g = s.graph.summary;
  const r = repoNamed(s, repo);
  return !!g && !!r && g.repoId === r.id && g.model === model && tabShown(s, repo, model, 'graph');
}

export function graphNodeSelected(s: TourState, repo: string, model: string): boolean {
  return graphShown(s, repo, model) && s.graph.selection.kind === 'node';
}

export function serving(s: TourState, repo: string): boolean {
  const r = repoNamed(s, repo);
  return !!r && s.serve.status?.state === 'running' && s.serve.status.repoId === r.id;
}

/** The fetched values of a run's output, when they are here. */
export function pageOf(s: TourState, runId: string, name: string): TensorPage | undefined {
  return s.pages[tensorKey(runId, name)];
}

/** Strings as a short quoted list: `"a", "b" (+3 more)`. */
export function quoteList(values: TensorPage['values'], max = 4): string {
  const shown = values.slice(0, max).map((v) => JSON.stringify(String(v ?? '')));
  return values.length > max ? `${shown.join(', ')} (+${values.length - max})` : shown.join(', ');
}
