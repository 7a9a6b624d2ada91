/**
 * The native dialogs behind the lab API's pickers: a repository folder
 * (`pickRepositoryFolder`; with purpose 'export', a folder to export into, which
 * may be created in the dialog) and a file for a playground input
 * (`pickInputFile`: the engine remembers the picked file, so a run may read
 * it although it lies outside every open repository). Both are modal to the
 * lab window when there is one.
 */
import type { BaseWindow, Dialog, OpenDialogOptions } from 'electron';
import type { FolderPurpose } from '../contract/lab-api';
import { menuText, type MenuLocale } from './menu';

export interface DesktopDialogs {
  pickFolder(purpose?: FolderPurpose): Promise<string | null>;
  pickFile(): Promise<string | null>;
}

/** `locale`: the menu's language, for the titles main has in both languages. */
export function desktopDialogs(dialog: Pick<Dialog, 'showOpenDialog'>, window: () => BaseWindow | undefined, locale: () => MenuLocale = () => 'en'): DesktopDialogs {
  const open = async (opts: OpenDialogOptions): Promise<string | null> => {
    const parent = window();
    const result = parent ? await dialog.showOpenDialog(parent, opts) : await dialog.showOpenDialog(opts);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
  return {
    pickFolder: (purpose) =>
      purpose === 'export'
        ? open({ title: menuText(locale(), 'exportFolder'), properties: ['openDirectory', 'createDirectory', 'promptToCreate'] })
        : open({ title: 'Open a model repository', properties: ['openDirectory'] }),
    pickFile: () => open({ title: 'Choose an input file', properties: ['openFile'] }),
  };
}
