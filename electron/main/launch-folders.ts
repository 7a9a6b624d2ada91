/**
 * Folders the app is launched with on macOS arrive as `open-file` events,
 * not on the command line: a folder dropped on the Dock icon, or opened with
 * the app from Finder, while the app is not yet running fires `open-file`
 * before `ready` (Electron: listen for it early, before `will-finish-launching`
 * ends). Those folders are the launch's folders, exactly like the command
 * line's: they are collected until start-up takes them, so the app opens them
 * instead of the workspace or every sample (`engine/workspace.ts` opens
 * samples only when no folder was given). Once start-up has taken them, later
 * `open-file` events go straight to the running lab.
 */
import path from 'node:path';

export class LaunchFolders {
  private early: string[] = [];
  private later: ((folders: string[]) => void) | undefined;

  /** An `open-file` path (absolute, from the OS); before start-up it is kept for it. */
  add(folder: string): void {
    const p = path.resolve(folder);
    if (this.later) this.later([p]);
    else if (!this.early.includes(p)) this.early.push(p);
  }

  /**
   * At start-up: the command line's folders followed by those that arrived as `open-file`
   * (duplicates dropped). From now on `open-file` folders go to `later`.
   */
  takeStartup(commandLine: readonly string[], later: (folders: string[]) => void): string[] {
    const folders = [...new Set([...commandLine.map((p) => path.resolve(p)), ...this.early])];
    this.early = [];
    this.later = later;
    return folders;
  }
}
