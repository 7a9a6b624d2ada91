/**
 * How the user likes the graph view laid out, remembered across launches in
 * localStorage: the canvas over the whole window, the details sidebar and the
 * repository tree hidden, and what the mouse wheel does (scroll as in Netron,
 * Ctrl+wheel zooms; or zoom, Ctrl+wheel scrolls). Shared by the App (tree)
 * and the graph panel through one reactive object.
 */
import { reactive, watch } from 'vue';

export interface ViewPrefs {
  /** The graph panel covers the whole window. */
  fullWindow: boolean;
  /** The graph's details sidebar is hidden. */
  sidebarHidden: boolean;
  /** The App's repository tree is hidden. */
  treeHidden: boolean;
  /** What the plain wheel does; the other one needs Ctrl (or ⌘). */
  wheel: 'scroll' | 'zoom';
}

const KEY = 'model-lab.graph-view';
const DEFAULTS: ViewPrefs = { fullWindow: false, sidebarHidden: false, treeHidden: false, wheel: 'scroll' };

/** Saved prefs, each field checked (a hand-edited or older entry falls back field by field). */
export function readViewPrefs(raw: string | null | undefined): ViewPrefs {
  let saved: Record<string, unknown> = {};
  try {
    const v: unknown = raw ? JSON.parse(raw) : {};
    if (v && typeof v === 'object') saved = v as Record<string, unknown>;
  } catch {
    // A broken entry is as good as none.
  }
  const flag = (k: 'fullWindow' | 'sidebarHidden' | 'treeHidden'): boolean => (typeof saved[k] === 'boolean' ? saved[k] : DEFAULTS[k]);
  return { fullWindow: flag('fullWindow'), sidebarHidden: flag('sidebarHidden'), treeHidden: flag('treeHidden'), wheel: saved['wheel'] === 'zoom' ? 'zoom' : 'scroll' };
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export const viewPrefs = reactive<ViewPrefs>(readViewPrefs(storage()?.getItem(KEY)));

watch(
  () => ({ ...viewPrefs }),
  (v) => {
    try {
      storage()?.setItem(KEY, JSON.stringify(v));
    } catch {
      // Storage full or denied: the choice lasts for this session only.
    }
  },
  { flush: 'sync' },
);

/** Whether a wheel event should zoom (otherwise it scrolls). Pinch gestures arrive as Ctrl+wheel and always zoom in scroll mode. */
export function wheelZooms(ev: Pick<WheelEvent, 'ctrlKey' | 'metaKey'>, mode: ViewPrefs['wheel']): boolean {
  const modified = ev.ctrlKey || ev.metaKey;
  return mode === 'scroll' ? modified : !modified;
}
