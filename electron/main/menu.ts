/**
 * The application menu as data: `buildMenuTemplate(state, actions)` is pure so
 * its items, shortcuts and enabled states are tested without Electron; main
 * rebuilds it whenever the repositories, the serve switch or the settings change.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { LabSettings, ServeStatus } from '../contract/lab-api';

export type MenuLocale = 'en' | 'zh-CN';

export interface MenuState {
  /** The language the menu is shown in (the setting with 'system' resolved). */
  locale: MenuLocale;
  settings: LabSettings;
  repositories: { id: string; name: string }[];
  serve: Pick<ServeStatus, 'available' | 'state' | 'repoId'>;
  platform: NodeJS.Platform;
  /** Development build: DevTools exist. */
  dev: boolean;
  appName: string;
}

export interface MenuActions {
  openFolder(): void;
  openSamples(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  /** The window's recent list (in the path field), keyboard-navigable. */
  showRecent(): void;
  /** Reload / close the repository selected in the window. */
  reloadSelected(): void;
  closeSelected(): void;
  startServing(repoId: string): void;
  stopServing(): void;
  setTheme(theme: LabSettings['theme']): void;
  setLocale(locale: LabSettings['locale']): void;
  toggleDevTools(): void;
  quit(): void;
}

const TEXT = {
  en: {
    file: '&File',
    open: 'Open Repository…',
    samples: 'Open Samples',
    recent: 'Open Recent',
    showRecent: 'Recent Repositories…',
    noRecent: 'No Recent Repositories',
    clearRecent: 'Clear Recent',
    reload: 'Reload Repository',
    close: 'Close Repository',
    quit: 'Quit',
    edit: '&Edit',
    view: '&View',
    theme: 'Theme',
    themeSystem: 'System',
    themeLight: 'Light',
    themeDark: 'Dark',
    language: 'Language',
    languageSystem: 'System',
    devTools: 'Toggle Developer Tools',
    serve: '&Serve',
    serveRepo: 'Serve “{name}”',
    noRepos: 'No Open Repository',
    stop: 'Stop Serving',
    unavailable: 'Serving Is Not Available',
    window: '&Window',
    exportFolder: 'Choose an export folder',
  },
  'zh-CN': {
    file: '文件(&F)',
    open: '打开模型仓库…',
    samples: '打开示例仓库',
    recent: '最近打开',
    showRecent: '最近打开的模型仓库…',
    noRecent: '没有最近打开的仓库',
    clearRecent: '清除最近打开记录',
    reload: '重新加载仓库',
    close: '关闭仓库',
    quit: '退出',
    edit: '编辑(&E)',
    view: '视图(&V)',
    theme: '主题',
    themeSystem: '跟随系统',
    themeLight: '浅色',
    themeDark: '深色',
    language: '语言',
    languageSystem: '跟随系统',
    devTools: '切换开发者工具',
    serve: '服务(&S)',
    serveRepo: '服务“{name}”',
    noRepos: '没有打开的仓库',
    stop: '停止服务',
    unavailable: '无法提供服务',
    window: '窗口(&W)',
    exportFolder: '选择导出文件夹',
  },
} as const satisfies Record<MenuLocale, Record<string, string>>;

export type MenuTextKey = keyof (typeof TEXT)['en'];

export function menuText(locale: MenuLocale, key: MenuTextKey): string {
  return TEXT[locale][key];
}

/** Resolves the locale setting against the system's language (e.g. `app.getLocale()`). */
export function resolveMenuLocale(setting: LabSettings['locale'], systemLocale: string): MenuLocale {
  if (setting !== 'system') return setting;
  return systemLocale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** Windows and Linux read `&` as a mnemonic marker: literal ones are doubled there, and markers dropped on macOS. */
function escapeMnemonic(text: string, mac: boolean): string {
  return mac ? text : text.replace(/&/g, '&&');
}

function topLabel(text: string, mac: boolean): string {
  return mac ? text.replace(/\(&\w\)$/, '').replace(/&/g, '') : text;
}

/** What every menu is built from: the state, the actions, the platform and the labels in the menu's language. */
interface MenuContext {
  state: MenuState;
  actions: MenuActions;
  mac: boolean;
  t(key: MenuTextKey): string;
}

/** Open Recent: the recent repositories and Clear Recent, or one disabled line. */
function recentItems({ state, actions, mac, t }: MenuContext): MenuItemConstructorOptions[] {
  const { settings } = state;
  return settings.recentRepositories.length === 0
    ? [{ id: 'recent-none', label: t('noRecent'), enabled: false }]
    : [
        ...settings.recentRepositories.map((p, i): MenuItemConstructorOptions => ({ id: `recent-${i}`, label: escapeMnemonic(p, mac), click: () => actions.openRecent(p) })),
        { type: 'separator' },
        { id: 'recent-clear', label: t('clearRecent'), click: () => actions.clearRecent() },
      ];
}

function fileMenu(ctx: MenuContext): MenuItemConstructorOptions {
  const { state, actions, mac, t } = ctx;
  const hasRepos = state.repositories.length > 0;
  return {
    id: 'file',
    label: t('file'),
    submenu: [
      { id: 'open', label: t('open'), accelerator: 'CmdOrCtrl+O', click: () => actions.openFolder() },
      { id: 'open-samples', label: t('samples'), click: () => actions.openSamples() },
      { id: 'recent', label: t('recent'), submenu: recentItems(ctx) },
      // Ctrl+R / Cmd+R is "recent", as in VS Code; reloading a repository moves to Shift.
      { id: 'recent-show', label: t('showRecent'), accelerator: 'CmdOrCtrl+R', click: () => actions.showRecent() },
      { type: 'separator' },
      { id: 'reload', label: t('reload'), accelerator: 'CmdOrCtrl+Shift+R', enabled: hasRepos, click: () => actions.reloadSelected() },
      { id: 'close', label: t('close'), enabled: hasRepos, click: () => actions.closeSelected() },
      // macOS: Cmd+W closes the window (the `close` role; Electron's default File menu has it, and the
      // macOS Window menu role has none). Elsewhere the Window menu role already has Close (Ctrl+W),
      // and Quit has its own item here.
      ...(mac
        ? [{ type: 'separator' } as const, { id: 'close-window', role: 'close' } as const]
        : [{ type: 'separator' } as const, { id: 'quit', label: t('quit'), accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() }]),
    ],
  };
}

function editMenu({ t }: MenuContext): MenuItemConstructorOptions {
  return {
    id: 'edit',
    label: t('edit'),
    submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  };
}

const radio = <V extends string>(id: string, label: string, checked: V, value: V, set: (v: V) => void): MenuItemConstructorOptions => ({
  id,
  label,
  type: 'radio',
  checked: checked === value,
  click: () => set(value),
});

/** View: Theme and Language as radio submenus, zoom, full screen, and DevTools in development. */
function viewMenu({ state, actions, mac, t }: MenuContext): MenuItemConstructorOptions {
  const { settings } = state;
  return {
    id: 'view',
    label: t('view'),
    submenu: [
      {
        id: 'theme',
        label: t('theme'),
        submenu: [
          radio('theme-system', t('themeSystem'), settings.theme, 'system', (v) => actions.setTheme(v)),
          radio('theme-light', t('themeLight'), settings.theme, 'light', (v) => actions.setTheme(v)),
          radio('theme-dark', t('themeDark'), settings.theme, 'dark', (v) => actions.setTheme(v)),
        ],
      },
      {
        id: 'language',
        label: t('language'),
        submenu: [
          radio('locale-system', t('languageSystem'), settings.locale, 'system', (v) => actions.setLocale(v)),
          radio('locale-en', 'English', settings.locale, 'en', (v) => actions.setLocale(v)),
          radio('locale-zh-CN', '中文', settings.locale, 'zh-CN', (v) => actions.setLocale(v)),
        ],
      },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(state.dev ? [{ type: 'separator' } as const, { id: 'devtools', label: t('devTools'), accelerator: mac ? 'Alt+Cmd+I' : 'Ctrl+Shift+I', click: () => actions.toggleDevTools() }] : []),
    ],
  };
}

/** Serve: one checkbox per open repository (toggles serving it) and Stop Serving; disabled while a switch is under way. */
function serveMenu({ state, actions, mac, t }: MenuContext): MenuItemConstructorOptions {
  const { serve } = state;
  const settled = serve.state === 'stopped' || serve.state === 'running';
  const serveItems: MenuItemConstructorOptions[] = !serve.available
    ? [{ id: 'serve-unavailable', label: t('unavailable'), enabled: false }]
    : [
        ...(state.repositories.length > 0
          ? state.repositories.map((r): MenuItemConstructorOptions => ({
              id: `serve-${r.id}`,
              label: t('serveRepo').replace('{name}', escapeMnemonic(r.name, mac)),
              type: 'checkbox',
              checked: serve.repoId === r.id && serve.state !== 'stopped',
              enabled: settled,
              click: () => (serve.repoId === r.id && serve.state === 'running' ? actions.stopServing() : actions.startServing(r.id)),
            }))
          : [{ id: 'serve-none', label: t('noRepos'), enabled: false }]),
        { type: 'separator' },
        { id: 'serve-stop', label: t('stop'), enabled: serve.state === 'running' || serve.state === 'starting', click: () => actions.stopServing() },
      ];
  return { id: 'serve', label: t('serve'), submenu: serveItems };
}

/** macOS's application menu. */
function appMenu({ state, actions, t }: MenuContext): MenuItemConstructorOptions {
  return {
    id: 'app',
    label: state.appName,
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { id: 'quit', label: `${t('quit')} ${state.appName}`, accelerator: 'Cmd+Q', click: () => actions.quit() },
    ],
  };
}

export function buildMenuTemplate(state: MenuState, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = state.platform === 'darwin';
  const ctx: MenuContext = { state, actions, mac, t: (key) => topLabel(menuText(state.locale, key), mac) };
  const menus = [fileMenu(ctx), editMenu(ctx), viewMenu(ctx), serveMenu(ctx)];
  if (!mac) return menus;
  return [appMenu(ctx), ...menus, { id: 'window', label: ctx.t('window'), role: 'windowMenu' }];
}
