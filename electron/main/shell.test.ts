import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { LabEvent } from '../contract/lab-api';
import { EVENT_CHANNEL } from '../contract/methods';
import { Lab } from '../engine/lab';
import { createLabHandlers } from '../engine/lab-handlers';
import { MAX_RECENT } from '../engine/settings';
import { launchData, repositoriesFromArgv, secondLaunchRepositories } from './argv';
import { DesktopShell, type ShellHost } from './shell';

vi.mock('electron', () => ({}));

type Item = MenuItemConstructorOptions;

function find(items: readonly Item[], id: string): Item | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      const hit = find(item.submenu, id);
      if (hit) return hit;
    }
  }
  return undefined;
}

function fakeHost(over: Partial<ShellHost> = {}) {
  const sent: LabEvent[] = [];
  const menus: Item[][] = [];
  const themes: string[] = [];
  const errors: string[] = [];
  const log = vi.fn();
  const win = {
    minimized: true,
    focused: false,
    devtools: 0,
    isDestroyed: () => false,
    isMinimized: () => win.minimized,
    restore: () => (win.minimized = false),
    show: () => undefined,
    focus: () => (win.focused = true),
    webContents: {
      isDestroyed: () => false,
      send: (channel: string, ev: LabEvent) => {
        expect(channel).toBe(EVENT_CHANNEL);
        sent.push(ev);
      },
      toggleDevTools: () => win.devtools++,
    },
  };
  const host: ShellHost = {
    window: () => win,
    pickFolder: () => Promise.resolve(null),
    setMenu: (t) => menus.push(t),
    setThemeSource: (t) => themes.push(t),
    systemLocale: () => 'en-US',
    showError: (m, d) => errors.push(`${m}: ${d}`),
    quit: vi.fn(),
    log,
    platform: 'linux',
    dev: false,
    appName: 'Model Lab',
    ...over,
  };
  return { host, win, sent, menus, themes, errors, log, lastMenu: () => menus.at(-1)! };
}

describe('desktop shell', () => {
  let dir: string;
  let lab: Lab;
  const folder = (name: string): string => {
    const p = path.join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const setup = (over: Partial<ShellHost> = {}) => {
    lab = new Lab({ settingsFile: path.join(dir, 'userData', 'settings.json'), sampleImagesDir: path.join(dir, 'none') });
    const handlers = createLabHandlers(lab, {
      info: () => ({ mode: 'electron', appVersion: 't', platform: 'linux', canPickFolder: true }),
      pickFolder: () => Promise.resolve(null),
    });
    const f = fakeHost(over);
    const shell = new DesktopShell(handlers, lab, f.host);
    return { ...f, shell, handlers };
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'shell-'));
  });
  afterEach(async () => {
    await lab?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second launch forwards its folders: the running app focuses its window, opens them and selects the last', async () => {
    const { shell, win, sent } = setup();
    const a = folder('a');
    const b = folder('b');
    // The second instance resolves its relative folders against its own working directory.
    const data = launchData(['/usr/bin/electron', '/app', 'a', '--enable-logging', b], dir, false);
    expect(data).toEqual({ repositories: [a, b] });
    await shell.secondLaunch(secondLaunchRepositories(['ignored'], '/elsewhere', data, false));
    expect(win.minimized).toBe(false);
    expect(win.focused).toBe(true);
    expect(
      lab
        .listRepositories()
        .map((r) => r.path)
        .sort(),
    ).toEqual([a, b]);
    const last = lab.listRepositories().find((r) => r.path === b)!;
    expect(sent).toEqual([{ type: 'app-command', command: { kind: 'select-repository', repoId: last.id } }]);
  });

  it('without launch data, a second launch is read from its argv (switches skipped, relative paths resolved)', () => {
    expect(secondLaunchRepositories(['/Model Lab', 'repo', '--allow-file-access-from-files', '/abs/x'], '/home/u', undefined, true)).toEqual(['/home/u/repo', '/abs/x']);
    expect(secondLaunchRepositories(['/electron', '/app', 'repo'], '/w', { repositories: 'nope' }, false)).toEqual(['/w/repo']);
    expect(secondLaunchRepositories(['/electron', '/app'], '/w', undefined, false)).toEqual([]);
    expect(repositoriesFromArgv(['/electron', '.'], false)).toEqual([]);
  });

  it('shows an error for a folder that cannot be opened and still opens the others', async () => {
    const { shell, errors } = setup();
    const good = folder('good');
    await shell.openFolders([path.join(dir, 'missing'), good]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Could not open .*missing: .*does not exist/);
    expect(lab.listRepositories().map((r) => r.path)).toEqual([good]);
  });

  it('keeps the recent list most recent first, without duplicates, capped; a vanished entry is dropped', async () => {
    const { shell, handlers } = setup();
    const folders = Array.from({ length: MAX_RECENT + 2 }, (_, i) => folder(`r${i}`));
    await shell.openFolders(folders);
    let recent = (await handlers.getSettings({})).recentRepositories;
    expect(recent).toEqual(folders.slice(-MAX_RECENT).reverse());
    // Opened again after closing: back on top, listed once.
    const again = folders[5]!;
    lab.closeRepository(lab.listRepositories().find((r) => r.path === again)!.id);
    await shell.openFolders([again]);
    recent = (await handlers.getSettings({})).recentRepositories;
    expect(recent[0]).toBe(again);
    expect(recent).toHaveLength(MAX_RECENT);
    expect(new Set(recent).size).toBe(recent.length);

    const gone = recent[1]!;
    rmSync(gone, { recursive: true });
    await shell.refresh();
    shell.actions.openRecent(gone);
    await vi.waitFor(async () => expect((await handlers.getSettings({})).recentRepositories).not.toContain(gone));
    recent = (await handlers.getSettings({})).recentRepositories;
    expect(recent).toHaveLength(MAX_RECENT - 1);
  });

  it('rebuilds the menu as repositories open, and follows theme and language from the settings', async () => {
    const { shell, handlers, themes, menus, lastMenu } = setup();
    await shell.start();
    expect(find(lastMenu(), 'reload')!.enabled).toBe(false);
    expect(themes.at(-1)).toBe('system');
    await shell.openFolders([folder('demo')]);
    await vi.waitFor(() => expect(find(lastMenu(), 'reload')!.enabled).toBe(true));
    expect(find(lastMenu(), 'recent-0')!.label).toBe(path.join(dir, 'demo'));

    await handlers.setSettings({ theme: 'dark', locale: 'zh-CN' });
    await vi.waitFor(() => expect(themes.at(-1)).toBe('dark'));
    await vi.waitFor(() => expect(find(lastMenu(), 'theme-dark')!.checked).toBe(true));
    expect(find(lastMenu(), 'open')!.label).toBe('打开模型仓库…');

    // Picking a theme in the menu goes through the settings, which the lab saves and announces.
    find(lastMenu(), 'theme-light')!.click!(undefined as never, undefined, undefined as never);
    await vi.waitFor(() => expect(themes.at(-1)).toBe('light'));
    await lab.settings.flush();
    expect(JSON.parse(readFileSync(path.join(dir, 'userData', 'settings.json'), 'utf8'))).toMatchObject({ theme: 'light', locale: 'zh-CN' });

    // Nothing the menu shows changed: no rebuild.
    const count = menus.length;
    await shell.refresh();
    expect(menus.length).toBe(count);
    shell.stop();
  });

  it('sends Reload and Close to the window, which knows the selection', () => {
    const { shell, sent } = setup();
    shell.actions.reloadSelected();
    shell.actions.closeSelected();
    shell.actions.showRecent();
    expect(sent).toEqual([
      { type: 'app-command', command: { kind: 'reload-selected' } },
      { type: 'app-command', command: { kind: 'close-selected' } },
      { type: 'app-command', command: { kind: 'show-recent' } },
    ]);
  });

  it('opens what the folder dialog picked; toggles DevTools only in development', async () => {
    const picked = folder('picked');
    const { shell, win } = setup({ pickFolder: () => Promise.resolve(picked) });
    await shell.openFolderDialog();
    expect(lab.listRepositories().map((r) => r.path)).toEqual([picked]);
    shell.actions.toggleDevTools();
    expect(win.devtools).toBe(0);
    await lab.close();
    const dev = setup({ dev: true });
    dev.shell.actions.toggleDevTools();
    expect(dev.win.devtools).toBe(1);
  });
});
