/**
 * The desktop shell: one instance per user (later launches hand their folders
 * to it), the engine with its settings file under the user data folder, the
 * lab API over IPC, the hardened window with its remembered size and place,
 * the application menu, and what opens at start (the folders named on the
 * command line, else the last session's workspace, else on first start the
 * bundled samples: `engine/workspace.ts`).
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, safeStorage, screen, session } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../engine/errors';
import type { Lab } from '../engine/lab';
import { createLabHandlers, type LabHandlers } from '../engine/lab-handlers';
import type { WorkspaceSkip } from '../contract/lab-api';
import { openStartup } from '../engine/workspace';
import { LabServing } from '../server/triton/lab-serving';
import { connectTriton, fetchText } from '../server/remote/connect';
import { SafeStorageCredentials } from './credentials';
import { launchData, repositoriesFromArgv, secondLaunchRepositories } from './argv';
import { desktopDialogs } from './dialogs';
import { forwardEvents, registerIpc, trustedSender } from './ipc';
import { appOriginOf, hardenSession } from './security';
import { DesktopShell, type ShellHost, openDesktopLab } from './shell';
import { resolveMenuLocale } from './menu';
import { createLabWindow } from './window';
import { loadWindowState, saveWindowState, trackWindowState } from './window-state';

const log = (line: string): void => console.log(`[model-lab] ${line}`);

/** Where the app's files are: in the package, or in the source tree while developing. */
interface AppPaths {
  here: string;
  samplesDir: string;
  /** The renderer: the dev server's address, or index.html. */
  renderer: string;
  /** The origin the renderer's pages have (what IPC and the session trust). */
  appOrigin: string;
  resources: string;
  userData: string;
  windowStateFile: string;
}

function appPaths(): AppPaths {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const renderer = process.env['ELECTRON_RENDERER_URL'] ?? path.join(here, '../renderer/index.html');
  const userData = app.getPath('userData');
  return {
    here,
    samplesDir: app.isPackaged ? path.join(process.resourcesPath, 'sample-repos') : path.resolve(here, '../../sample-repos'),
    renderer,
    appOrigin: appOriginOf(renderer),
    resources: app.isPackaged ? process.resourcesPath : path.resolve(here, '../../resources'),
    userData,
    windowStateFile: path.join(userData, 'window-state.json'),
  };
}

/** The one window, once it is open. */
interface WindowSlot {
  current: BrowserWindow | undefined;
}

/** The shell's host: the menu, theme, locale, error dialogs and quitting, through Electron. */
function shellHost(win: WindowSlot, handlers: LabHandlers): ShellHost {
  return {
    window: () => win.current,
    pickFolder: () => handlers.pickRepositoryFolder({}).then((r) => r.path),
    setMenu: (template) => Menu.setApplicationMenu(Menu.buildFromTemplate(template)),
    setThemeSource: (theme) => {
      nativeTheme.themeSource = theme;
    },
    systemLocale: () => app.getLocale(),
    showError: (message, detail) => {
      const opts: Electron.MessageBoxOptions = { type: 'error', message, detail };
      void (win.current ? dialog.showMessageBox(win.current, opts) : dialog.showMessageBox(opts));
    },
    quit: () => app.quit(),
    log,
    platform: process.platform,
    dev: !app.isPackaged,
    appName: app.getName(),
  };
}

/**
 * The folders named on the command line, else the saved workspace, else (first start) the samples
 * (`engine/workspace.ts`). Folders named on the command line that fail are shown in a dialog; the
 * window selects the last one that opened. Skipped folders reach the window through hostInfo.
 */
async function openStartupRepositories(shell: DesktopShell, lab: Lab, samplesDir: string, skipped: WorkspaceSkip[]): Promise<void> {
  const given = repositoriesFromArgv(process.argv, app.isPackaged);
  const result = await openStartup(lab, { given, samplesDir, log });
  skipped.push(...result.skipped);
  if (result.source === 'command-line') {
    for (const s of result.skipped) shell.showOpenError(s.path, s.reason);
    const last = result.opened.at(-1);
    if (last) shell.sendCommand({ kind: 'select-repository', repoId: last.id });
  }
  if (result.skipped.length) lab.emitEvent({ type: 'repositories-changed' });
}

/** Folders handed to the running app: a later launch, or (macOS) a folder dropped on the Dock icon or opened with the app. */
function acceptLaterLaunches(shell: DesktopShell): void {
  // A later launch (`model-lab <folder>` while the app runs) lands here instead of starting a second app.
  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    void shell.secondLaunch(secondLaunchRepositories(argv, workingDirectory, additionalData, app.isPackaged));
  });
  app.on('open-file', (event, file) => {
    event.preventDefault();
    void app.whenReady().then(() => shell.openFolders([file]));
  });
}

/** Once Electron is ready: the hardened session, the IPC API, the window in its remembered place, the menu, the first repositories. */
function openWindowWhenReady(paths: AppPaths, win: WindowSlot, lab: Lab, handlers: LabHandlers, shell: DesktopShell, skipped: WorkspaceSkip[]): void {
  const { appOrigin } = paths;
  void app.whenReady().then(() => {
    hardenSession(session.defaultSession, appOrigin);
    registerIpc(
      ipcMain,
      handlers,
      trustedSender(() => win.current, appOrigin),
    );
    const workAreas = [screen.getPrimaryDisplay(), ...screen.getAllDisplays()].map((d) => d.workArea);
    const state = loadWindowState(paths.windowStateFile, workAreas, log);
    const mainWindow = createLabWindow({ preload: path.join(paths.here, '../preload/index.cjs'), renderer: paths.renderer, state, dev: !app.isPackaged });
    win.current = mainWindow;
    trackWindowState(mainWindow, (s) => saveWindowState(paths.windowStateFile, s, log));
    forwardEvents(lab, mainWindow.webContents);
    mainWindow.on('closed', () => {
      win.current = undefined;
    });
    void shell.start();
    void openStartupRepositories(shell, lab, paths.samplesDir, skipped);
  });
}

/**
 * Quitting closes the lab first: script workers and sessions stop (finalize() runs) before the app
 * exits; the server finishes its requests in flight before the models stop; settings reach the disk.
 */
function closeLabBeforeQuit(shell: DesktopShell, serving: LabServing, lab: Lab): void {
  let closing: Promise<void> | undefined;
  let closed = false;
  const closeLab = (): Promise<void> =>
    (closing ??= (async () => {
      shell.stop();
      await serving.close();
      await lab.close();
    })()
      .catch((err: unknown) => log(`shutting down: ${errorMessage(err)}`))
      .finally(() => {
        closed = true;
      }));
  app.on('window-all-closed', () => void closeLab().then(() => app.quit()));
  // Quit from the menu (or Cmd+Q) skips window-all-closed: hold the quit until the lab has closed.
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    void closeLab().then(() => app.quit());
  });
}

function startApp(): void {
  const paths = appPaths();
  const lab = openDesktopLab({ settingsFile: path.join(paths.userData, 'settings.json'), sampleImagesDir: path.join(paths.resources, 'sample-images') }, log);
  const win: WindowSlot = { current: undefined };
  const skipped: WorkspaceSkip[] = [];
  const serving = new LabServing(lab, app.getVersion(), log);
  const dialogs = desktopDialogs(
    dialog,
    () => win.current,
    () => resolveMenuLocale(lab.settings.get().locale, app.getLocale()),
  );
  const handlers = createLabHandlers(lab, {
    info: () => ({
      mode: 'electron',
      appVersion: app.getVersion(),
      platform: process.platform,
      canPickFolder: true,
      canPickFile: true,
      samplesDir: paths.samplesDir,
      ...(skipped.length ? { workspaceSkipped: skipped } : {}),
      ...(lab.startupSelection ? { restoreSelection: lab.startupSelection } : {}),
    }),
    pickFolder: dialogs.pickFolder,
    pickFile: dialogs.pickFile,
    serving,
    // Header values of remote servers: encrypted with safeStorage into a 0600 file in userData.
    remote: { connect: connectTriton, fetchText, credentials: new SafeStorageCredentials(path.join(paths.userData, 'remote-credentials.bin'), safeStorage, () => app.whenReady(), log) },
  });
  const shell = new DesktopShell(handlers, lab, shellHost(win, handlers));
  acceptLaterLaunches(shell);
  openWindowWhenReady(paths, win, lab, handlers, shell, skipped);
  closeLabBeforeQuit(shell, serving, lab);
}

// One instance per user: a second launch hands its folders to the first and exits.
if (app.requestSingleInstanceLock(launchData(process.argv, process.cwd(), app.isPackaged))) startApp();
else app.quit();
