/**
 * `useDesktopShell()`: the window's part of the desktop shell. Folders dropped
 * on the window open as repositories (in Electron the preload's `pathForFile`
 * tells where they are; a browser cannot, so browser mode asks for the path
 * instead), and the app menu's commands act on the selected repository.
 */
import { onBeforeUnmount, onMounted } from 'vue';
import type { AppCommand } from '@contract/lab-api';
import { t } from '../i18n';
import { useRepositoriesStore } from '../stores/repositories';
import { useBackend } from './client';

/** The preload's one extra function (absent in browser mode). */
export interface PathBridge {
  pathForFile?(file: File): string;
}

export function currentPathBridge(): PathBridge | undefined {
  return (globalThis as { modelLab?: PathBridge }).modelLab;
}

export function carriesFiles(dt: DataTransfer | null): boolean {
  return !!dt && Array.from(dt.types ?? []).includes('Files');
}

export type DropOutcome = { paths: string[] } | { message: string };

/** What a drop asks for: the folders' paths, or why they cannot be had. */
export function readDrop(dt: DataTransfer | null, bridge: PathBridge | undefined): DropOutcome | undefined {
  const files = Array.from(dt?.files ?? []);
  if (files.length === 0) return undefined;
  if (!bridge?.pathForFile) return { message: t('drop.typePath') };
  const paths = files.map((f) => bridge.pathForFile!(f)).filter((p) => p.length > 0);
  return paths.length > 0 ? { paths } : { message: t('drop.noPath') };
}

type Store = ReturnType<typeof useRepositoriesStore>;

export async function openDrop(outcome: DropOutcome, store: Store): Promise<void> {
  if ('message' in outcome) {
    store.openError = outcome.message;
    return;
  }
  for (const p of outcome.paths) await store.open(p);
}

/** The repository a menu command is about: the selected one, or the only one open. */
function target(store: Store): string | undefined {
  return store.selection?.repoId ?? (store.repos.length === 1 ? store.repos[0]!.id : undefined);
}

export async function runAppCommand(command: AppCommand, store: Store): Promise<void> {
  if (command.kind === 'select-repository') {
    store.select({ repoId: command.repoId });
    return;
  }
  // 'show-recent' is the open bar's (it opens its recent list).
  if (command.kind === 'show-recent') return;
  const repoId = target(store);
  if (!repoId) return;
  if (command.kind === 'reload-selected') await store.reload(repoId);
  else await store.close(repoId);
}

export function useDesktopShell(target: EventTarget = window): void {
  const store = useRepositoriesStore();
  let offEvents: (() => void) | undefined;
  const onDragOver = (e: Event): void => {
    const dt = (e as DragEvent).dataTransfer;
    if (!carriesFiles(dt)) return;
    e.preventDefault();
    dt!.dropEffect = 'copy';
  };
  const onDrop = (e: Event): void => {
    const dt = (e as DragEvent).dataTransfer;
    if (!carriesFiles(dt)) return;
    e.preventDefault();
    const outcome = readDrop(dt, currentPathBridge());
    if (outcome) void openDrop(outcome, store);
  };
  onMounted(() => {
    target.addEventListener('dragover', onDragOver);
    target.addEventListener('drop', onDrop);
    offEvents = useBackend().onEvent((ev) => {
      if (ev.type === 'app-command') void runAppCommand(ev.command, store);
    });
  });
  onBeforeUnmount(() => {
    target.removeEventListener('dragover', onDragOver);
    target.removeEventListener('drop', onDrop);
    offEvents?.();
  });
}
