/**
 * The lab API as a table of handlers, one per contract method. Every payload
 * arrives as `unknown` (from IPC or HTTP) and is checked here, once, before the
 * Lab sees it; main and the HTTP server only route to these.
 */
import type { HostInfo, ImageRequest, LabMethod, LabMethods, LabResponse, LabSettings, ServeSettings, ServeStatus, TrustDecision } from '../contract/lab-api';
import { LabError } from './errors';
import { bool, int, list, optNumber, payload, port, runRequest, str, tensorRef } from './handlers/payload';
import type { Lab } from './lab';
import { exportTensor, tensorHeatmap, tensorHistogram, tensorImage, tensorPage } from './runs/tensor-access';
import { runSnippets } from './runs/snippets';
import { describeTensor } from './runs/tensor-info';
import { createGraphHandlers } from './handlers/graph-handlers';
import { createStepHandlers } from './handlers/step-handlers';
import { sampleRepositories } from './samples';
import { checkWalkthroughs } from './settings';

export interface HostCapabilities {
  info(): HostInfo;
  /** Native folder picker; resolves null when cancelled or unavailable. */
  pickFolder(): Promise<string | null>;
  /** Native file picker for playground inputs (desktop only); resolves null when cancelled. */
  pickFile?(): Promise<string | null>;
  /** The Triton-compatible server, where the host provides one (the engine cannot: it lives above it). */
  serving?: ServeControl;
}

export interface ServeControl {
  status(): ServeStatus;
  start(repoId: string, settings: Partial<ServeSettings>): Promise<ServeStatus>;
  stop(): Promise<ServeStatus>;
}

const NO_SERVING: ServeStatus = { available: false, state: 'stopped', inFlight: 0, settings: { host: '127.0.0.1', httpPort: 8000, grpcPort: 8001, metricsPort: 8002, modelControl: false } };



export type LabHandlers = { [M in LabMethod]: (req: unknown) => Promise<LabResponse<M>> };



export function createLabHandlers(lab: Lab, host: HostCapabilities): LabHandlers {
  return {
    hostInfo: async () => host.info(),
    listRepositories: async () => lab.listRepositories(),
    openRepository: async (req) => lab.openRepository(str(payload(req), 'path')),
    openSamples: async () => {
      const dir = host.info().samplesDir;
      if (!dir) throw new LabError('NOT_FOUND', 'this installation has no sample repositories');
      const repos = await sampleRepositories(dir);
      return Promise.all(repos.map((r) => lab.openRepository(r, { sample: true })));
    },
    closeRepository: async (req) => ({ closed: lab.closeRepository(str(payload(req), 'repoId')) }),
    reloadRepository: async (req) => lab.reloadRepository(str(payload(req), 'repoId')),
    pickRepositoryFolder: async () => ({ path: await host.pickFolder() }),
    getModel: async (req) => {
      const p = payload(req);
      return lab.getModel(str(p, 'repoId'), str(p, 'model'));
    },
    loadModel: async (req) => {
      const p = payload(req);
      return lab.loadModel(str(p, 'repoId'), str(p, 'model'));
    },
    unloadModel: async (req) => {
      const p = payload(req);
      return lab.unloadModel(str(p, 'repoId'), str(p, 'model'));
    },
    cancelLoad: async (req) => {
      const p = payload(req);
      return { cancelled: lab.repository(str(p, 'repoId')).cancelLoad(str(p, 'model')) };
    },
    setWatch: async (req) => {
      const p = payload(req);
      return lab.setWatch(str(p, 'repoId'), bool(p, 'enabled'), optNumber(p, 'pollSecs'));
    },
    readFile: async (req) => {
      const p = payload(req);
      return lab.readFile(str(p, 'repoId'), str(p, 'path'));
    },
    pickInputFile: async () => {
      if (!host.pickFile) throw new LabError('UNSUPPORTED', 'this host has no file dialog; upload the file instead');
      const picked = await host.pickFile();
      return { path: picked === null ? null : await lab.rememberPickedInput(picked) };
    },
    checkInputPath: async (req) => lab.checkInputPath(str(payload(req), 'path')),
    serveStatus: async () => host.serving?.status() ?? NO_SERVING,
    startServing: async (req) => {
      if (!host.serving) throw new LabError('UNSUPPORTED', 'this host cannot serve repositories');
      const p = payload(req);
      const settings: Partial<ServeSettings> = {};
      for (const key of ['httpPort', 'grpcPort', 'metricsPort'] as const) {
        const v = port(p, key);
        if (v !== undefined) settings[key] = v;
      }
      if (p['host'] !== undefined) settings.host = str(p, 'host', 255);
      if (p['modelControl'] !== undefined) settings.modelControl = bool(p, 'modelControl');
      return host.serving.start(str(p, 'repoId'), settings);
    },
    stopServing: async () => (host.serving ? host.serving.stop() : NO_SERVING),
    setTrust: async (req) => {
      const p = payload(req);
      return lab.setTrust(str(p, 'repoId'), str(p, 'decision', 32) as TrustDecision);
    },
    runModel: async (req) => lab.runModel(runRequest(payload(req))),
    cancelRun: async (req) => ({ cancelled: lab.runs.cancel(str(payload(req), 'runId', 64)) }),
    listRuns: async (req) => {
      const p = payload(req);
      return lab.runs.list({ ...(p['repoId'] !== undefined ? { repoId: str(p, 'repoId') } : {}), ...(p['model'] !== undefined ? { model: str(p, 'model') } : {}) });
    },
    tensorInfo: async (req) => describeTensor(lab.tensor(tensorRef(payload(req)))),
    tensorPage: async (req) => {
      const p = payload(req);
      const ref = tensorRef(p);
      const offset = int(p, 'offset');
      const count = int(p, 'count');
      return tensorPage(lab.tensor(ref), offset, count);
    },
    tensorImage: async (req) => {
      const p = payload(req);
      const range = p['range'];
      if (range !== undefined && (!Array.isArray(range) || range.length !== 2 || range.some((v) => typeof v !== 'number' || !Number.isFinite(v)))) {
        throw new LabError('INVALID_ARG', "'range' must be [min, max]");
      }
      const order = p['order'];
      if (order !== undefined && order !== 'RGB' && order !== 'BGR') throw new LabError('INVALID_ARG', "'order' must be RGB or BGR");
      const image: ImageRequest = {
        ...tensorRef(p),
        layout: str(p, 'layout', 8) as ImageRequest['layout'],
        ...(p['batchIndex'] !== undefined ? { batchIndex: int(p, 'batchIndex') } : {}),
        ...(range ? { range: range as [number, number] } : {}),
        ...(order ? { order } : {}),
      };
      return tensorImage(lab.tensor(image), image);
    },
    tensorHeatmap: async (req) => {
      const p = payload(req);
      const fixed = list(p, 'fixed');
      if (fixed.some((v) => typeof v !== 'number')) throw new LabError('INVALID_ARG', "'fixed' must be a list of indices");
      return tensorHeatmap(lab.tensor(tensorRef(p)), fixed as number[], optNumber(p, 'maxSide'));
    },
    tensorHistogram: async (req) => {
      const p = payload(req);
      return tensorHistogram(lab.tensor(tensorRef(p)), optNumber(p, 'bins'));
    },
    exportTensor: async (req) => {
      const p = payload(req);
      const format = p['format'];
      if (format !== 'npy' && format !== 'json') throw new LabError('INVALID_ARG', "'format' must be npy or json");
      return exportTensor(lab.tensor(tensorRef(p)), format);
    },
    runSnippets: async (req) => {
      const stored = lab.runs.stored(str(payload(req), 'runId', 64));
      const serve = host.serving?.status();
      const hostPort = serve?.http?.replace(/^http:\/\//, '') ?? `127.0.0.1:${serve?.settings.httpPort ?? 8000}`;
      return runSnippets({
        model: stored.result.model,
        version: stored.result.version,
        specs: stored.specs,
        inputs: stored.inputs,
        outputs: stored.outputs.map((o) => o.name),
        host: hostPort,
        ...(lab.sampleImagesDir ? { sampleImagesDir: lab.sampleImagesDir } : {}),
      });
    },
    modelStats: async (req) => {
      const p = payload(req);
      return lab.modelStats(str(p, 'repoId'), str(p, 'model'));
    },
    sampleImages: async () => lab.sampleImages(),
    getSettings: async () => lab.getSettings(),
    setSettings: async (req) => {
      const p = payload(req);
      // Checked here like every payload; the settings store checks theme and locale itself.
      const walkthroughs = p['walkthroughs'] === undefined ? {} : { walkthroughs: checkWalkthroughs(p['walkthroughs']) };
      return lab.setSettings({ ...(p as Partial<LabSettings>), ...walkthroughs });
    },
    modelLog: async (req) => {
      const p = payload(req);
      return lab.modelLog(str(p, 'repoId'), str(p, 'model'));
    },
    applyRepair: async (req) => {
      const p = payload(req);
      return lab.applyRepair(str(p, 'repoId'), str(p, 'model'), str(p, 'code', 128));
    },
    ...createGraphHandlers(lab),
    ...createStepHandlers(lab),
  };
}

export function isLabMethod(handlers: LabHandlers, name: string): name is LabMethod {
  return Object.prototype.hasOwnProperty.call(handlers, name);
}

/** Routes one call; unknown methods are NOT_FOUND. */
export function dispatch(handlers: LabHandlers, method: string, req: unknown): Promise<LabMethods[LabMethod]['res']> {
  if (!isLabMethod(handlers, method)) return Promise.reject(new LabError('NOT_FOUND', `unknown lab method '${method}'`));
  return handlers[method](req);
}
