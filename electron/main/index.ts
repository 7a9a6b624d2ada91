/**
 * The desktop shell: one instance per user (later launches hand their folders
 * to it), the engine with its settings file under the user data folder, the
 * lab API over IPC, the hardened window with its remembered size and place,
 * the application menu, and the folders named on the command line (or the
 * bundled samples).
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, screen, session } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../engine/errors';
import { createLabHandlers } from '../engine/lab-handlers';
import { sampleRepositories } from '../engine/samples';
import { LabServing } from '../server/triton/lab-serving';
import { launchData, repositoriesFromArgv, secondLaunchRepositories } from './argv';
import { desktopDialogs } from './dialogs';
import { forwardEvents, registerIpc, trustedSender } from './ipc';
import { appOriginOf, hardenSession } from './security';
import { DesktopShell, openDesktopLab } from './shell';
import { createLabWindow } from './window';
import { loadWindowState, saveWindowState, trackWindowState } from './window-state';

const log = (line: string): void => console.log(`[model-lab] ${line}`);

function startApp(): void {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dev = !app.isPackaged;
  const samplesDir = app.isPackaged ? path.join(process.resourcesPath, 'sample-repos') : path.resolve(here, '../../sample-repos');
  const renderer = process.env['ELECTRON_RENDERER_URL'] ?? path.join(here, '../renderer/index.html');
  const appOrigin = appOriginOf(renderer);
  const userData = app.getPath('userData');
  const windowStateFile = path.join(userData, 'window-state.json');

  const resources = app.isPackaged ? process.resourcesPath : path.resolve(here, '../../resources');
  const lab = openDesktopLab({ settingsFile: path.join(userData, 'settings.json'), sampleImagesDir: path.join(resources, 'sample-images') }, log);
  let mainWindow: BrowserWindow | undefined;
  const serving = new LabServing(lab, app.getVersion(), log);

  const dialogs = desktopDialogs(dialog, () => mainWindow);
  const handlers = createLabHandlers(lab, {
    info: () => ({ mode: 'electron', appVersion: app.getVersion(), platform: process.platform, canPickFolder: true, canPickFile: true, samplesDir }),
    pickFolder: dialogs.pickFolder,
    pickFile: dialogs.pickFile,
    serving,
  });

  const shell = new DesktopShell(handlers, lab, {
    window: () => mainWindow,
    pickFolder: () => handlers.pickRepositoryFolder({}).then((r) => r.path),
    setMenu: (template) => Menu.setApplicationMenu(Menu.buildFromTemplate(template)),
    setThemeSource: (theme) => {
      nativeTheme.themeSource = theme;
    },
    systemLocale: () => app.getLocale(),
    showError: (message, detail) => {
      const opts: Electron.MessageBoxOptions = { type: 'error', message, detail };
      void (mainWindow ? dialog.showMessageBox(mainWindow, opts) : dialog.showMessageBox(opts));
    },
    quit: () => app.quit(),
    log,
    platform: process.platform,
    dev,
    appName: app.getName(),
  });

  async function openStartupRepositories(): Promise<void> {
    const given = repositoriesFromArgv(process.argv, app.isPackaged);
    if (given.length > 0) return shell.openFolders(given);
    const samples = await sampleRepositories(samplesDir);
    await Promise.all(
      samples.map((p) =>
        lab.openRepository(p, { sample: true }).catch((err: unknown) => {
          log(`could not open ${p}: ${errorMessage(err)}`);
        }),
      ),
    );
  }

  // A later launch (`model-lab <folder>` while the app runs) lands here instead of starting a second app.
  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    void shell.secondLaunch(secondLaunchRepositories(argv, workingDirectory, additionalData, app.isPackaged));
  });
  // macOS: folders dropped on the Dock icon or opened with the app.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    void app.whenReady().then(() => shell.openFolders([file]));
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession, appOrigin);
    registerIpc(ipcMain, handlers, trustedSender(() => mainWindow, appOrigin));
    const workAreas = [screen.getPrimaryDisplay(), ...screen.getAllDisplays()].map((d) => d.workArea);
    const state = loadWindowState(windowStateFile, workAreas, log);
    mainWindow = createLabWindow({ preload: path.join(here, '../preload/index.cjs'), renderer, state, dev });
    trackWindowState(mainWindow, (s) => saveWindowState(windowStateFile, s, log));
    forwardEvents(lab, mainWindow.webContents);
    mainWindow.on('closed', () => {
      mainWindow = undefined;
    });
    void shell.start();
    void openStartupRepositories();
  });

  // Script workers and sessions stop (finalize() runs) before the app exits; the server
  // finishes its requests in flight before the models stop; settings reach the disk.
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

// One instance per user: a second launch hands its folders to the first and exits.
if (app.requestSingleInstanceLock(launchData(process.argv, process.cwd(), app.isPackaged))) startApp();
else app.quit();
