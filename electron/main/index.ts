/**
 * The desktop shell: starts the engine, serves the lab API over IPC, opens
 * the window, and opens the repositories named on the command line (or the
 * bundled samples).
 */
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../engine/errors';
import { Lab } from '../engine/lab';
import { createLabHandlers } from '../engine/lab-handlers';
import { sampleRepositories } from '../engine/samples';
import { forwardEvents, registerIpc } from './ipc';
import { hardenSession } from './security';
import { createLabWindow } from './window';
import { repositoriesFromArgv } from './argv';
import { LabServing } from '../server/triton/lab-serving';

const here = path.dirname(fileURLToPath(import.meta.url));
const samplesDir = app.isPackaged ? path.join(process.resourcesPath, 'sample-repos') : path.resolve(here, '../../sample-repos');

const lab = new Lab();
let mainWindow: BrowserWindow | undefined;
const serving = new LabServing(lab, app.getVersion(), (line) => console.log(line));

const handlers = createLabHandlers(lab, {
  info: () => ({ mode: 'electron', appVersion: app.getVersion(), platform: process.platform, canPickFolder: true, samplesDir }),
  pickFolder: async () => {
    const opts: Electron.OpenDialogOptions = { title: 'Open a model repository', properties: ['openDirectory'] };
    const result = mainWindow ? await dialog.showOpenDialog(mainWindow, opts) : await dialog.showOpenDialog(opts);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  },
  serving,
});

async function openStartupRepositories(): Promise<void> {
  const given = repositoriesFromArgv(process.argv, app.isPackaged);
  const repos = given.length > 0 ? given.map((p) => ({ path: p, sample: false })) : (await sampleRepositories(samplesDir)).map((p) => ({ path: p, sample: true }));
  await Promise.all(
    repos.map((r) =>
      lab.openRepository(r.path, { sample: r.sample }).catch((err: unknown) => {
        console.error(`could not open ${r.path}: ${errorMessage(err)}`);
      }),
    ),
  );
}

void app.whenReady().then(() => {
  hardenSession(session.defaultSession);
  registerIpc(ipcMain, handlers, (event) => mainWindow !== undefined && event.sender === mainWindow.webContents);
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  mainWindow = createLabWindow({ preload: path.join(here, '../preload/index.cjs'), renderer: devUrl ?? path.join(here, '../renderer/index.html') });
  forwardEvents(lab, mainWindow.webContents);
  mainWindow.on('closed', () => {
    mainWindow = undefined;
  });
  void openStartupRepositories();
});

app.on('window-all-closed', () => {
  // Script workers and sessions stop (finalize() runs) before the app exits.
  // The server finishes its requests in flight before the models stop.
  void serving
    .close()
    .then(() => lab.close())
    .finally(() => app.quit());
});
