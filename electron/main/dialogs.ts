/**
 * The native dialogs behind the lab API's pickers: a repository folder
 * (`pickRepositoryFolder`) and a file for a playground input
 * (`pickInputFile`: the engine remembers the picked file, so a run may read
 * it although it lies outside every open repository). Both are modal to the
 * lab window when there is one.
 */
import type { BaseWindow, Dialog, OpenDialogOptions } from 'electron';

export interface DesktopDialogs {
  pickFolder(): Promise<string | null>;
  pickFile(): Promise<string | null>;
}

export function desktopDialogs(dialog: Pick<Dialog, 'showOpenDialog'>, window: () => BaseWindow | undefined): DesktopDialogs {
  const open = async (opts: OpenDialogOptions): Promise<string | null> => {
    const parent = window();
    const result = parent ? await dialog.showOpenDialog(parent, opts) : await dialog.showOpenDialog(opts);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
  return {
    pickFolder: () => open({ title: 'Open a model repository', properties: ['openDirectory'] }),
    pickFile: () => open({ title: 'Choose an input file', properties: ['openFile'] }),
  };
}
