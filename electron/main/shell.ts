/**
 * The desktop shell's behaviour, apart from Electron itself: opening folders
 * (menu, recent list, later launches), the application menu kept in step with
 * the lab, the theme, and the commands the menu sends to the window. Every
 * lab operation goes through the same handler table the renderer uses (on
 * desktop, the proxy that relays it to the engine process).
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { AppCommand, LabEvent, LabSettings, ServeStatus } from '../contract/lab-api';
import { EVENT_CHANNEL } from '../contract/methods';
import { errorMessage, toLabError } from '../engine/errors';
import type { LabHandlers } from '../engine/lab-handlers';
import { buildMenuTemplate, type MenuActions, type MenuState, resolveMenuLocale } from './menu';

/** The parts of a BrowserWindow the shell uses. */
export interface ShellWindow {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
  webContents: { isDestroyed(): boolean; send(channel: string, ev: LabEvent): void; toggleDevTools(): void };
}

export interface ShellHost {
  window(): ShellWindow | undefined;
  pickFolder(): Promise<string | null>;
  setMenu(template: MenuItemConstructorOptions[]): void;
  setThemeSource(theme: LabSettings['theme']): void;
  /** The system's language, e.g. `app.getLocale()`. */
  systemLocale(): string;
  showError(message: string, detail: string): void;
  quit(): void;
  log(line: string): void;
  platform: NodeJS.Platform;
  dev: boolean;
  appName: string;
}

export interface LabEvents {
  onEvent(listener: (ev: LabEvent) => void): () => void;
}

const DEFAULT_SETTINGS: LabSettings = { theme: 'system', locale: 'system', recentRepositories: [] };
const NO_SERVE: MenuState['serve'] = { available: false, state: 'stopped' };

export class DesktopShell {
  private unsubscribe: (() => void) | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private lastMenu = '';
  private settings: LabSettings = DEFAULT_SETTINGS;

  constructor(
    private readonly handlers: LabHandlers,
    private readonly events: LabEvents,
    private readonly host: ShellHost,
  ) {}

  /** Follows the lab's events and builds the first menu. */
  start(): Promise<void> {
    this.unsubscribe ??= this.events.onEvent((ev) => {
      if (ev.type === 'settings-changed' || ev.type === 'repositories-changed' || ev.type === 'serve-changed') void this.refresh();
    });
    return this.refresh();
  }

  /** The lab's settings as last read (the dialogs' language follows them). */
  get currentSettings(): LabSettings {
    return this.settings;
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Re-reads settings, repositories and the serve switch; applies the theme and rebuilds the menu if anything it shows changed. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = this.rebuild().finally(() => {
      this.refreshing = undefined;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        void this.refresh();
      }
    });
    return this.refreshing;
  }

  private async rebuild(): Promise<void> {
    const [settings, repos, serve] = await Promise.all([
      this.handlers.getSettings({}).catch((err: unknown) => {
        this.host.log(`could not read the settings: ${errorMessage(err)}`);
        return this.settings;
      }),
      this.handlers.listRepositories({}).catch(() => []),
      this.handlers.serveStatus({}).catch((): ServeStatus | undefined => undefined),
    ]);
    this.settings = settings;
    this.host.setThemeSource(settings.theme);
    const state = this.menuState(settings, repos, serve);
    const key = JSON.stringify(state);
    if (key === this.lastMenu) return;
    this.lastMenu = key;
    this.host.setMenu(buildMenuTemplate(state, this.actions));
  }

  menuState(settings: LabSettings, repos: { id: string; name: string }[], serve: ServeStatus | undefined): MenuState {
    return {
      locale: resolveMenuLocale(settings.locale, this.host.systemLocale()),
      settings,
      repositories: repos.map((r) => ({ id: r.id, name: r.name })),
      serve: serve ? { available: serve.available, state: serve.state, ...(serve.repoId ? { repoId: serve.repoId } : {}) } : NO_SERVE,
      platform: this.host.platform,
      dev: this.host.dev,
      appName: this.host.appName,
    };
  }

  /** Sends a menu command to the window; the renderer acts on its selection. */
  sendCommand(command: AppCommand): void {
    const win = this.host.window();
    if (win && !win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(EVENT_CHANNEL, { type: 'app-command', command });
  }

  focusWindow(): void {
    const win = this.host.window();
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  /**
   * Opens folders one after another (failures are shown, the rest still open)
   * and selects the last one that opened in the window.
   */
  async openFolders(paths: readonly string[]): Promise<void> {
    let last: string | undefined;
    for (const p of paths) {
      try {
        last = (await this.handlers.openRepository({ path: p })).id;
      } catch (err) {
        const e = toLabError(err);
        this.host.log(`could not open ${p}: ${e.message}`);
        this.showOpenError(p, e.message);
        if (e.code === 'NOT_FOUND' && this.settings.recentRepositories.includes(p)) {
          // A recent entry that is gone: drop it from the list.
          await this.handlers.setSettings({ recentRepositories: this.settings.recentRepositories.filter((r) => r !== p) }).catch(() => undefined);
        }
      }
    }
    if (last) this.sendCommand({ kind: 'select-repository', repoId: last });
  }

  /** Why a folder did not open, in a dialog. */
  showOpenError(folder: string, reason: string): void {
    this.host.showError(`Could not open ${folder}`, reason);
  }

  /** A later launch of the app: bring the window forward and open what it named. */
  async secondLaunch(repositories: readonly string[]): Promise<void> {
    this.focusWindow();
    await this.openFolders(repositories);
  }

  async openFolderDialog(): Promise<void> {
    const picked = await this.host.pickFolder().catch((err: unknown) => {
      this.host.log(`the folder dialog failed: ${errorMessage(err)}`);
      return null;
    });
    if (picked) await this.openFolders([picked]);
  }

  private async attempt(what: string, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (err) {
      const message = errorMessage(err);
      this.host.log(`${what}: ${message}`);
      this.host.showError(what, message);
    }
  }

  readonly actions: MenuActions = {
    openFolder: () => void this.openFolderDialog(),
    openSamples: () => void this.attempt('Could not open the samples', () => this.handlers.openSamples({})),
    openRecent: (p) => void this.openFolders([p]),
    clearRecent: () => void this.attempt('Could not clear the recent list', () => this.handlers.setSettings({ recentRepositories: [] })),
    showRecent: () => {
      this.focusWindow();
      this.sendCommand({ kind: 'show-recent' });
    },
    reloadSelected: () => this.sendCommand({ kind: 'reload-selected' }),
    closeSelected: () => this.sendCommand({ kind: 'close-selected' }),
    startServing: (repoId) => void this.attempt('Could not start serving', () => this.handlers.startServing({ repoId })),
    stopServing: () => void this.attempt('Could not stop serving', () => this.handlers.stopServing({})),
    setTheme: (theme) => void this.attempt('Could not change the theme', () => this.handlers.setSettings({ theme })),
    setLocale: (locale) => void this.attempt('Could not change the language', () => this.handlers.setSettings({ locale })),
    toggleDevTools: () => {
      const win = this.host.window();
      if (this.host.dev && win && !win.isDestroyed()) win.webContents.toggleDevTools();
    },
    quit: () => this.host.quit(),
  };
}
