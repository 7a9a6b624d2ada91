/**
 * The desktop shell: one instance per user (later launches hand their folders
 * to it), the hardened window with its remembered size and place, the
 * application menu, the native dialogs, and the lab API over IPC, validated
 * here and relayed to the engine. The engine itself (repositories, ONNX
 * Runtime, sharp, script workers, the Triton-compatible server) runs in its own
 * process (`engine-host/`, started with Electron's utilityProcess by
 * `engine-process.ts`), so a runaway model or a large file cannot freeze or end
 * the window; if it dies, it is restarted with the repositories that were open.
 * What opens at start: the folders named on the command line, else the last
 * session's workspace, else on first start the bundled samples
 * (`engine/workspace.ts`, run in the engine process). The window shows the
 * bundle from the app's own scheme, `model-lab://app` (`app-protocol.ts`),
 * never a file: page.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, protocol, safeStorage, screen, session, utilityProcess } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../engine/errors';
import { registerAppScheme, rendererUrl, serveApp } from './app-protocol';
import { SafeStorageCredentials } from './credentials';
import { launchData, repositoriesFromArgv, secondLaunchRepositories } from './argv';
import { desktopDialogs, type DesktopDialogs } from './dialogs';
import { EngineProcess, utilitySpawn } from './engine-process';
import { forwardEvents, registerIpc, trustedSender } from './ipc';
import { LaunchFolders } from './launch-folders';
import { loginShellPath } from './login-path';
import { appOriginOf, hardenSession } from './security';
import { DesktopShell, type ShellHost } from './shell';
import { resolveMenuLocale } from './menu';
import { createLabWindow } from './window';
import { loadWindowState, saveWindowState, trackWindowState } from './window-state';

const log = (line: string): void => console.log(`[model-lab] ${line}`);

/** Where the app's files are: in the package, or in the source tree while developing. */
interface AppPaths {
  here: string;
  samplesDir: string;
  /** The renderer's URL: the dev server's (unpackaged only), or the bundle on the app's scheme. */
  renderer: string;
  /** The built renderer, the only folder the app's scheme serves (`app-protocol.ts`). */
  rendererDir: string;
  /** The origin the renderer's pages have (what IPC and the session trust). */
  appOrigin: string;
  resources: string;
  userData: string;
  windowStateFile: string;
}

function appPaths(): AppPaths {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // ELECTRON_RENDERER_URL counts only while developing: a packaged app never shows another page.
  const renderer = rendererUrl(app.isPackaged, process.env);
  const userData = app.getPath('userData');
  return {
    here,
    samplesDir: app.isPackaged ? path.join(process.resourcesPath, 'sample-repos') : path.resolve(here, '../../sample-repos'),
    renderer,
    rendererDir: path.join(here, '../renderer'),
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
function shellHost(win: WindowSlot, dialogs: DesktopDialogs): ShellHost {
  return {
    window: () => win.current,
    pickFolder: () => dialogs.pickFolder(),
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

/** The engine process and what it may ask of main: the native dialogs and the safeStorage credential store. */
function createEngine(paths: AppPaths, dialogs: DesktopDialogs): EngineProcess {
  return new EngineProcess({
    spawn: utilitySpawn(utilityProcess, path.join(paths.here, 'engine-host.js')),
    host: {
      settingsFile: path.join(paths.userData, 'settings.json'),
      samplesDir: paths.samplesDir,
      sampleImagesDir: path.join(paths.resources, 'sample-images'),
      appVersion: app.getVersion(),
      given: repositoriesFromArgv(process.argv, app.isPackaged).map((p) => path.resolve(p)),
    },
    asks: {
      pickFolder: dialogs.pickFolder,
      pickFile: dialogs.pickFile,
      // Header values of remote servers: encrypted with safeStorage into a 0600 file in userData.
      credentials: new SafeStorageCredentials(path.join(paths.userData, 'remote-credentials.bin'), safeStorage, () => app.whenReady(), log),
    },
    log,
  });
}

/**
 * Starts the engine; folders named on the command line that failed are shown in a dialog, and the
 * window selects the last one that opened. Skipped folders reach the window through hostInfo.
 */
async function startEngine(engine: EngineProcess, shell: DesktopShell, given: string[]): Promise<void> {
  try {
    const result = await engine.start(given);
    if (given.length === 0) return;
    for (const s of result.skipped) shell.showOpenError(s.path, s.reason);
    const last = result.opened.at(-1);
    const repo = last ? (await engine.handlers.listRepositories({})).find((r) => r.path === last) : undefined;
    if (repo) shell.sendCommand({ kind: 'select-repository', repoId: repo.id });
  } catch (err) {
    log(`the engine did not start: ${errorMessage(err)}`);
  }
}

/**
 * PATH from the user's login shell (macOS; Linux desktop launches), so Homebrew or pyenv Python and
 * `netron` are found: set in main's environment before the engine process starts, which inherits it.
 */
async function takeLoginPath(): Promise<void> {
  const found = await loginShellPath({ platform: process.platform, env: process.env, packaged: app.isPackaged, log });
  if (found) process.env['PATH'] = found;
}

/**
 * Folders handed to the app: a later launch, or (macOS) a folder dropped on the Dock icon or opened
 * with the app, which before start-up is one of the launch's folders (`launch-folders.ts`).
 */
function acceptLaterLaunches(shell: DesktopShell, launch: LaunchFolders): void {
  // A later launch (`model-lab <folder>` while the app runs) lands here instead of starting a second app.
  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    void shell.secondLaunch(secondLaunchRepositories(argv, workingDirectory, additionalData, app.isPackaged));
  });
  app.on('open-file', (event, file) => {
    event.preventDefault();
    launch.add(file);
  });
}

/** Once Electron is ready: the app's scheme, the hardened session, the IPC API, the window in its remembered place, the menu, the engine. */
function openWindowWhenReady(paths: AppPaths, win: WindowSlot, engine: EngineProcess, shell: DesktopShell, launch: LaunchFolders, loginPath: Promise<void>): void {
  const { appOrigin } = paths;
  void app.whenReady().then(() => {
    serveApp(protocol, paths.rendererDir);
    hardenSession(session.defaultSession, appOrigin);
    registerIpc(
      ipcMain,
      engine.handlers,
      trustedSender(() => win.current, appOrigin),
    );
    const workAreas = [screen.getPrimaryDisplay(), ...screen.getAllDisplays()].map((d) => d.workArea);
    const state = loadWindowState(paths.windowStateFile, workAreas, log);
    const mainWindow = createLabWindow({
      preload: path.join(paths.here, '../preload/index.cjs'),
      renderer: paths.renderer,
      state,
      dev: !app.isPackaged,
      // A load that fails or a renderer that dies: the window is shown with a Reload/Quit dialog (load-problems.ts).
      problems: { locale: () => resolveMenuLocale(shell.currentSettings.locale, app.getLocale()), log },
    });
    win.current = mainWindow;
    trackWindowState(mainWindow, (s) => saveWindowState(paths.windowStateFile, s, log));
    // A page that loads while the engine restarts or has given up (first start, a reload) still shows it.
    forwardEvents(engine, mainWindow.webContents, () => engine.trouble);
    mainWindow.on('closed', () => {
      win.current = undefined;
    });
    // The command line's folders and those macOS sent as open-file before ready; later ones open in the running lab.
    const given = launch.takeStartup(repositoriesFromArgv(process.argv, app.isPackaged), (folders) => void shell.openFolders(folders));
    // utilityProcess.fork may only be called once the app is ready (and PATH is the login shell's); calls made before the engine is up wait for it.
    void loginPath.then(() => startEngine(engine, shell, given));
    void shell.start();
  });
}

/**
 * Quitting closes the engine first: its server finishes the requests in flight, script workers and
 * sessions stop (finalize() runs), settings reach the disk; a process that does not close in time is killed.
 */
function closeEngineBeforeQuit(shell: DesktopShell, engine: EngineProcess): void {
  let closing: Promise<void> | undefined;
  let closed = false;
  const closeEngine = (): Promise<void> =>
    (closing ??= (async () => {
      shell.stop();
      await engine.shutdown();
    })()
      .catch((err: unknown) => log(`shutting down: ${errorMessage(err)}`))
      .finally(() => {
        closed = true;
      }));
  app.on('window-all-closed', () => void closeEngine().then(() => app.quit()));
  // Quit from the menu (or Cmd+Q) skips window-all-closed: hold the quit until the engine has closed.
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    void closeEngine().then(() => app.quit());
  });
}

function startApp(): void {
  // Before ready: the scheme the bundle is served on is standard and secure (app-protocol.ts).
  registerAppScheme(protocol);
  const paths = appPaths();
  const win: WindowSlot = { current: undefined };
  const dialogs = desktopDialogs(
    dialog,
    () => win.current,
    // The dialogs are used only once the shell below exists.
    () => resolveMenuLocale(shell.currentSettings.locale, app.getLocale()),
  );
  // Asked at once (a shell may take a while), awaited only before the engine starts.
  const loginPath = takeLoginPath().catch((err: unknown) => log(`login shell PATH: ${errorMessage(err)}`));
  const engine = createEngine(paths, dialogs);
  const shell = new DesktopShell(engine.handlers, engine, shellHost(win, dialogs));
  const launch = new LaunchFolders();
  acceptLaterLaunches(shell, launch);
  openWindowWhenReady(paths, win, engine, shell, launch, loginPath);
  closeEngineBeforeQuit(shell, engine);
}

// One instance per user: a second launch hands its folders to the first and exits.
if (app.requestSingleInstanceLock(launchData(process.argv, process.cwd(), app.isPackaged))) startApp();
else app.quit();
