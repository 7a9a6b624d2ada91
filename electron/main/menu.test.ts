import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate, type MenuActions, type MenuState, resolveMenuLocale } from './menu';

vi.mock('electron', () => ({}));

type Item = MenuItemConstructorOptions;

function actions(): MenuActions & Record<string, ReturnType<typeof vi.fn>> {
  const names = [
    'openFolder',
    'openSamples',
    'openRecent',
    'clearRecent',
    'showRecent',
    'reloadSelected',
    'closeSelected',
    'startServing',
    'stopServing',
    'setTheme',
    'setLocale',
    'toggleDevTools',
    'quit',
  ];
  return Object.fromEntries(names.map((n) => [n, vi.fn()])) as unknown as MenuActions & Record<string, ReturnType<typeof vi.fn>>;
}

function state(over: Partial<MenuState> = {}): MenuState {
  return {
    locale: 'en',
    settings: { theme: 'system', locale: 'system', recentRepositories: [] },
    repositories: [],
    serve: { available: true, state: 'stopped' },
    platform: 'linux',
    dev: false,
    appName: 'Model Lab',
    ...over,
  };
}

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

function get(items: readonly Item[], id: string): Item {
  const item = find(items, id);
  if (!item) throw new Error(`no menu item '${id}'`);
  return item;
}

function click(item: Item): void {
  (item.click as () => void)();
}

const sub = (item: Item): Item[] => item.submenu as Item[];

describe('application menu', () => {
  it('has File, Edit, View and Serve with the shortcuts of the brief', () => {
    const menu = buildMenuTemplate(state(), actions());
    expect(menu.map((m) => m.id)).toEqual(['file', 'edit', 'view', 'serve']);
    expect(sub(get(menu, 'file')).map((i) => i.id ?? i.type)).toEqual(['open', 'open-samples', 'recent', 'recent-show', 'separator', 'reload', 'close', 'separator', 'quit']);
    expect(get(menu, 'open')).toMatchObject({ label: 'Open Repository…', accelerator: 'CmdOrCtrl+O' });
    expect(get(menu, 'reload')).toMatchObject({ label: 'Reload Repository', accelerator: 'CmdOrCtrl+Shift+R' });
    // Ctrl+R / Cmd+R opens the recent list, as in VS Code.
    expect(get(menu, 'recent-show')).toMatchObject({ label: 'Recent Repositories…', accelerator: 'CmdOrCtrl+R' });
    expect(get(menu, 'quit')).toMatchObject({ accelerator: 'CmdOrCtrl+Q' });
    expect(sub(get(menu, 'edit')).map((i) => i.role ?? i.type)).toEqual(['undo', 'redo', 'separator', 'cut', 'copy', 'paste', 'selectAll']);
    // Nothing reloads the page itself: Ctrl+R is the recent list's, Ctrl+Shift+R the repository's.
    expect(JSON.stringify(menu)).not.toMatch(/"role":"(reload|forceReload)"/);
  });

  it('enables Reload and Close only with a repository open; they act on the window’s selection', () => {
    const a = actions();
    let menu = buildMenuTemplate(state(), a);
    expect(get(menu, 'reload').enabled).toBe(false);
    expect(get(menu, 'close').enabled).toBe(false);
    menu = buildMenuTemplate(state({ repositories: [{ id: 'r1', name: 'demo' }] }), a);
    expect(get(menu, 'reload').enabled).toBe(true);
    click(get(menu, 'reload'));
    click(get(menu, 'close'));
    click(get(menu, 'open'));
    click(get(menu, 'open-samples'));
    click(get(menu, 'recent-show'));
    click(get(menu, 'quit'));
    expect(a['showRecent']).toHaveBeenCalledTimes(1);
    expect(a['reloadSelected']).toHaveBeenCalledTimes(1);
    expect(a['closeSelected']).toHaveBeenCalledTimes(1);
    expect(a['openFolder']).toHaveBeenCalledTimes(1);
    expect(a['openSamples']).toHaveBeenCalledTimes(1);
    expect(a['quit']).toHaveBeenCalledTimes(1);
  });

  it('lists recent repositories most recent first, with a way to clear them', () => {
    const a = actions();
    const empty = buildMenuTemplate(state(), a);
    expect(sub(get(empty, 'recent'))).toEqual([{ id: 'recent-none', label: 'No Recent Repositories', enabled: false }]);
    const recent = ['/repos/b', '/repos/R&D', '/repos/a'];
    const menu = buildMenuTemplate(state({ settings: { theme: 'system', locale: 'system', recentRepositories: recent } }), a);
    const items = sub(get(menu, 'recent'));
    expect(items.map((i) => i.label ?? i.type)).toEqual(['/repos/b', '/repos/R&&D', '/repos/a', 'separator', 'Clear Recent']);
    click(items[1]!);
    expect(a['openRecent']).toHaveBeenCalledWith('/repos/R&D');
    click(get(menu, 'recent-clear'));
    expect(a['clearRecent']).toHaveBeenCalled();
  });

  it('serves one open repository at a time; Stop only while serving; nothing while starting or stopping', () => {
    const a = actions();
    const repos = [
      { id: 'r1', name: 'demo' },
      { id: 'r2', name: 'ocr' },
    ];
    let menu = buildMenuTemplate(state({ repositories: repos }), a);
    expect(sub(get(menu, 'serve')).map((i) => i.label ?? i.type)).toEqual(['Serve “demo”', 'Serve “ocr”', 'separator', 'Stop Serving']);
    expect(get(menu, 'serve-stop').enabled).toBe(false);
    click(get(menu, 'serve-r2'));
    expect(a['startServing']).toHaveBeenCalledWith('r2');

    menu = buildMenuTemplate(state({ repositories: repos, serve: { available: true, state: 'running', repoId: 'r2' } }), a);
    expect(get(menu, 'serve-r2')).toMatchObject({ type: 'checkbox', checked: true, enabled: true });
    expect(get(menu, 'serve-r1')).toMatchObject({ checked: false, enabled: true });
    expect(get(menu, 'serve-stop').enabled).toBe(true);
    click(get(menu, 'serve-r2'));
    click(get(menu, 'serve-stop'));
    expect(a['stopServing']).toHaveBeenCalledTimes(2);

    menu = buildMenuTemplate(state({ repositories: repos, serve: { available: true, state: 'stopping', repoId: 'r2' } }), a);
    expect(get(menu, 'serve-r1').enabled).toBe(false);
    expect(get(menu, 'serve-stop').enabled).toBe(false);

    expect(sub(get(buildMenuTemplate(state(), a), 'serve'))[0]).toMatchObject({ id: 'serve-none', enabled: false });
    expect(sub(get(buildMenuTemplate(state({ serve: { available: false, state: 'stopped' } }), a), 'serve'))).toEqual([{ id: 'serve-unavailable', label: 'Serving Is Not Available', enabled: false }]);
  });

  it('checks the theme and language from the settings and changes them through the settings', () => {
    const a = actions();
    const menu = buildMenuTemplate(state({ settings: { theme: 'dark', locale: 'zh-CN', recentRepositories: [] } }), a);
    expect(sub(get(menu, 'theme')).map((i) => [i.id, i.type, i.checked])).toEqual([
      ['theme-system', 'radio', false],
      ['theme-light', 'radio', false],
      ['theme-dark', 'radio', true],
    ]);
    expect(sub(get(menu, 'language')).map((i) => [i.label, i.checked])).toEqual([
      ['System', false],
      ['English', false],
      ['中文', true],
    ]);
    click(get(menu, 'theme-light'));
    click(get(menu, 'locale-en'));
    expect(a['setTheme']).toHaveBeenCalledWith('light');
    expect(a['setLocale']).toHaveBeenCalledWith('en');
  });

  it('offers DevTools only in development', () => {
    const a = actions();
    expect(find(buildMenuTemplate(state(), a), 'devtools')).toBeUndefined();
    const dev = get(buildMenuTemplate(state({ dev: true }), a), 'devtools');
    expect(dev.accelerator).toBe('Ctrl+Shift+I');
    click(dev);
    expect(a['toggleDevTools']).toHaveBeenCalled();
    expect(get(buildMenuTemplate(state({ dev: true, platform: 'darwin' }), a), 'devtools').accelerator).toBe('Alt+Cmd+I');
  });

  it('speaks Chinese when the language is Chinese', () => {
    const menu = buildMenuTemplate(state({ locale: 'zh-CN' }), actions());
    expect(menu.map((m) => m.label)).toEqual(['文件(&F)', '编辑(&E)', '视图(&V)', '服务(&S)']);
    expect(get(menu, 'open').label).toBe('打开模型仓库…');
    expect(resolveMenuLocale('system', 'zh-TW')).toBe('zh-CN');
    expect(resolveMenuLocale('system', 'en-US')).toBe('en');
    expect(resolveMenuLocale('en', 'zh-CN')).toBe('en');
  });

  it('follows macOS conventions: an app menu with Quit, a Window menu, no mnemonics', () => {
    const menu = buildMenuTemplate(state({ platform: 'darwin', settings: { theme: 'system', locale: 'system', recentRepositories: ['/R&D'] } }), actions());
    expect(menu.map((m) => m.label)).toEqual(['Model Lab', 'File', 'Edit', 'View', 'Serve', 'Window']);
    expect(menu.at(-1)?.role).toBe('windowMenu');
    expect(get(menu, 'quit')).toMatchObject({ label: 'Quit Model Lab', accelerator: 'Cmd+Q' });
    expect(sub(get(menu, 'file')).map((i) => i.id)).not.toContain('quit');
    expect(get(menu, 'recent-0').label).toBe('/R&D');
  });

  it('Cmd+W closes the window on macOS (the close role in File); not bound elsewhere', () => {
    const mac = buildMenuTemplate(state({ platform: 'darwin' }), actions());
    const file = sub(get(mac, 'file'));
    expect(file.at(-1)).toEqual({ id: 'close-window', role: 'close' });
    // The role brings its own label and Cmd+W; nothing else in the menu takes that shortcut.
    const accelerators = (items: Item[]): string[] => items.flatMap((i) => [...(i.accelerator ? [String(i.accelerator)] : []), ...(Array.isArray(i.submenu) ? accelerators(i.submenu) : [])]);
    expect(accelerators(mac).filter((a) => /\+W$/.test(a))).toEqual([]);
    for (const platform of ['linux', 'win32'] as const) {
      const roles = JSON.stringify(buildMenuTemplate(state({ platform }), actions()));
      expect(roles).not.toContain('"role":"close"');
    }
  });
});
