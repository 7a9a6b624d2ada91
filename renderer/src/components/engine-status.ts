/**
 * The engine process's state as the window last heard it (`engine-status` events; desktop only: the
 * engine runs apart from the window, main/engine-process.ts). Followed from the app's start, so the
 * banner (EngineStatusBanner.vue) and the app shell's error area can both show it. "Back" hides itself
 * after a while.
 */
import { ref } from 'vue';
import type { LabClient, LabEvent } from '@contract/lab-api';

export type EngineStatus = Extract<LabEvent, { type: 'engine-status' }>;

/** How long "back, repositories reopened" stays up. */
export const SHOW_BACK_MS = 10_000;

export const engineStatus = ref<EngineStatus | undefined>();
let hideTimer: ReturnType<typeof setTimeout> | undefined;

export function dismissEngineStatus(): void {
  clearTimeout(hideTimer);
  engineStatus.value = undefined;
}

/** Follows the lab's `engine-status` events; returns the unsubscribe. */
export function followEngineStatus(client: Pick<LabClient, 'onEvent'>): () => void {
  const off = client.onEvent((ev) => {
    if (ev.type !== 'engine-status') return;
    clearTimeout(hideTimer);
    engineStatus.value = ev;
    if (ev.state === 'running') hideTimer = setTimeout(dismissEngineStatus, SHOW_BACK_MS);
  });
  return () => {
    off();
    clearTimeout(hideTimer);
  };
}
