/**
 * What the user picked for a tensor, kept for the session by tensor name (a
 * new run of the same model shows its outputs the way the user last chose):
 * the view tab, and the heatmap's axes and indices while the shape stays the
 * same. Only explicit picks are stored; the automatic choice is never written.
 */
import { reactive } from 'vue';
import type { ViewTab } from './choose-view';

export interface HeatmapPick {
  shape: string;
  axes: [number, number];
  /** One index per axis of the tensor (those of the two shown are ignored). */
  index: number[];
}

const tabs = reactive(new Map<string, ViewTab>());
const heatmaps = reactive(new Map<string, HeatmapPick>());

export function rememberedTab(name: string): ViewTab | undefined {
  return tabs.get(name);
}

export function rememberTab(name: string, tab: ViewTab): void {
  tabs.set(name, tab);
}

export function rememberedHeatmap(name: string, shape: readonly number[]): HeatmapPick | undefined {
  const pick = heatmaps.get(name);
  return pick && pick.shape === shape.join('x') ? pick : undefined;
}

export function rememberHeatmap(name: string, shape: readonly number[], axes: [number, number], index: number[]): void {
  heatmaps.set(name, { shape: shape.join('x'), axes: [axes[0], axes[1]], index: index.slice() });
}

/** Forgets every pick (tests; a new session starts empty anyway). */
export function forgetViewPicks(): void {
  tabs.clear();
  heatmaps.clear();
}
