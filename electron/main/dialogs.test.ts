import { describe, expect, it, vi } from 'vitest';
import type { BaseWindow, Dialog, OpenDialogOptions } from 'electron';
import { desktopDialogs } from './dialogs';

vi.mock('electron', () => ({}));

function fakeDialog(answer: { canceled: boolean; filePaths: string[] }) {
  const calls: { parent?: BaseWindow; opts: OpenDialogOptions }[] = [];
  const showOpenDialog = (a: BaseWindow | OpenDialogOptions, b?: OpenDialogOptions) => {
    calls.push(b ? { parent: a as BaseWindow, opts: b } : { opts: a as OpenDialogOptions });
    return Promise.resolve(answer);
  };
  return { dialog: { showOpenDialog } as unknown as Pick<Dialog, 'showOpenDialog'>, calls };
}

describe('desktop dialogs', () => {
  it('pick one file for a playground input, modal to the lab window', async () => {
    const win = { id: 1 } as unknown as BaseWindow;
    const { dialog, calls } = fakeDialog({ canceled: false, filePaths: ['/home/u/scan.png'] });
    expect(await desktopDialogs(dialog, () => win).pickFile()).toBe('/home/u/scan.png');
    expect(calls).toEqual([{ parent: win, opts: { title: 'Choose an input file', properties: ['openFile'] } }]);
  });

  it('pick a repository folder, with or without a window', async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, filePaths: ['/models'] });
    expect(await desktopDialogs(dialog, () => undefined).pickFolder()).toBe('/models');
    expect(calls[0]!.opts.properties).toEqual(['openDirectory']);
    expect(calls[0]!.parent).toBeUndefined();
  });

  it('pick a folder to export into: titled so in the menu language, one may be created there', async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, filePaths: ['/home/u/ocr-triton'] });
    let locale: 'en' | 'zh-CN' = 'en';
    const dialogs = desktopDialogs(
      dialog,
      () => undefined,
      () => locale,
    );
    expect(await dialogs.pickFolder('export')).toBe('/home/u/ocr-triton');
    locale = 'zh-CN';
    await dialogs.pickFolder('export');
    const properties = ['openDirectory', 'createDirectory', 'promptToCreate'];
    expect(calls.map((c) => c.opts)).toEqual([
      { title: 'Choose an export folder', properties },
      { title: '选择导出文件夹', properties },
    ]);
  });

  it('answer null when cancelled', async () => {
    const { dialog } = fakeDialog({ canceled: true, filePaths: [] });
    expect(await desktopDialogs(dialog, () => undefined).pickFile()).toBeNull();
    expect(await desktopDialogs(dialog, () => undefined).pickFolder()).toBeNull();
  });
});
