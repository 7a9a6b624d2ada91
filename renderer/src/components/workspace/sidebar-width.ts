/**
 * The repository tree's width, remembered in localStorage (a window-layout choice, like the graph
 * view's; the settings file holds what the lab itself needs). Bounded so that neither the tree nor
 * the main area can be dragged out of use; a broken or hand-edited entry falls back to the default.
 */
import { ref, watch } from 'vue';

const KEY = 'model-lab.sidebar-width';
export const SIDEBAR_MIN = 200;
export const SIDEBAR_MAX = 640;
export const SIDEBAR_DEFAULT = 300;
/** The main area keeps at least this much of the window. */
const MAIN_MIN = 480;

/** The widest the tree may be in a window this wide. */
export function sidebarMax(windowWidth: number): number {
  return Math.max(SIDEBAR_MIN, Math.min(SIDEBAR_MAX, windowWidth - MAIN_MIN));
}

export function clampWidth(w: number, windowWidth = globalThis.innerWidth || 1440): number {
  if (!Number.isFinite(w)) return SIDEBAR_DEFAULT;
  return Math.round(Math.min(sidebarMax(windowWidth), Math.max(SIDEBAR_MIN, w)));
}

export function readWidth(raw: string | null | undefined): number {
  const n = raw ? Number(raw) : NaN;
  return Number.isFinite(n) && n >= SIDEBAR_MIN && n <= SIDEBAR_MAX ? Math.round(n) : SIDEBAR_DEFAULT;
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export const sidebarWidth = ref(readWidth(storage()?.getItem(KEY)));

watch(sidebarWidth, (w) => {
  try {
    storage()?.setItem(KEY, String(w));
  } catch {
    // Storage full or denied: the width lasts for this session only.
  }
});
