/**
 * The lab API as a table of handlers, one per contract method, put together
 * from groups (handlers/: repositories and models, runs, tensors, graphs,
 * steps; the host's own here). Every payload arrives as `unknown` (from IPC or
 * HTTP) and is checked by its handler, once, before the Lab sees it; main and
 * the HTTP server only route to these.
 */
import type { FolderPurpose, HostInfo, LabMethod, LabMethods, LabResponse, LabSettings, ServeSettings, ServeStatus } from '../contract/lab-api';
import { LabError } from './errors';
import { bool, payload, port, str } from './handlers/payload';
import type { Lab } from './lab';
import { createConvertHandlers } from './handlers/convert-handlers';
import { createDeployHandlers } from './handlers/deploy-handlers';
import { createGraphHandlers } from './handlers/graph-handlers';
import { createMetricsHandlers } from './handlers/metrics-handlers';
import { createProfileHandlers } from './handlers/profile-handlers';
import { createRemoteHandlers, withRemoteRouting } from './handlers/remote-handlers';
import { createWhatIfHandlers } from './handlers/whatif-handlers';
import { createModelHandlers, createRepositoryHandlers } from './handlers/repository-handlers';
import { createRunHandlers } from './handlers/run-handlers';
import { createStepHandlers } from './handlers/step-handlers';
import { createTensorHandlers } from './handlers/tensor-handlers';
import type { RemoteHost } from './remote/types';
import { checkWalkthroughs } from './settings';

export interface HostCapabilities {
  info(): HostInfo;
  /** Native folder picker (for `purpose`, else a repository to open); resolves null when cancelled or unavailable. */
  pickFolder(purpose?: FolderPurpose): Promise<string | null>;
  /** Native file picker for playground inputs (desktop only); resolves null when cancelled. */
  pickFile?(): Promise<string | null>;
  /** The Triton-compatible server, where the host provides one (the engine cannot: it lives above it). */
  serving?: ServeControl;
  /** Remote Triton servers: the protocol clients and the credential store (server/remote/, wired by main and browser mode). */
  remote?: RemoteHost;
}

export interface ServeControl {
  status(): ServeStatus;
  start(repoId: string, settings: Partial<ServeSettings>): Promise<ServeStatus>;
  stop(): Promise<ServeStatus>;
}

const NO_SERVING: ServeStatus = { available: false, state: 'stopped', inFlight: 0, settings: { host: '127.0.0.1', httpPort: 8000, grpcPort: 8001, metricsPort: 8002, modelControl: false } };

export type LabHandlers = { [M in LabMethod]: (req: unknown) => Promise<LabResponse<M>> };

/** The host's own methods: what it is, the serve switch, and the lab's settings. */
function createHostHandlers(lab: Lab, host: HostCapabilities): Pick<LabHandlers, 'hostInfo' | 'restartEngine' | 'serveStatus' | 'startServing' | 'stopServing' | 'getSettings' | 'setSettings'> {
  return {
    hostInfo: async () => host.info(),
    // Desktop main answers this itself (main/engine-process.ts); an engine reached directly has no process of its own to restart.
    restartEngine: async () => {
      throw new LabError('UNSUPPORTED', 'the engine runs inside this process here; only the desktop app restarts its engine process');
    },
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
    getSettings: async () => lab.getSettings(),
    setSettings: async (req) => {
      const p = payload(req);
      // Checked here like every payload; the settings store checks theme and locale itself.
      const walkthroughs = p['walkthroughs'] === undefined ? {} : { walkthroughs: checkWalkthroughs(p['walkthroughs']) };
      return lab.setSettings({ ...(p as Partial<LabSettings>), ...walkthroughs });
    },
  };
}

/** Every method's handler, from the groups of handlers/ (each checks its payloads). */
export function createLabHandlers(lab: Lab, host: HostCapabilities): LabHandlers {
  return withRemoteRouting(lab, {
    ...createHostHandlers(lab, host),
    ...createRepositoryHandlers(lab, host),
    ...createModelHandlers(lab),
    ...createRunHandlers(lab, host),
    ...createTensorHandlers(lab),
    ...createGraphHandlers(lab),
    ...createStepHandlers(lab),
    ...createDeployHandlers(lab),
    ...createConvertHandlers(lab),
    ...createRemoteHandlers(lab, host),
    ...createMetricsHandlers(lab, host, () => lab.remotes),
    ...createProfileHandlers(lab),
    ...createWhatIfHandlers(lab),
  });
}

export function isLabMethod(handlers: LabHandlers, name: string): name is LabMethod {
  return Object.prototype.hasOwnProperty.call(handlers, name);
}

/** Routes one call; unknown methods are NOT_FOUND. */
export function dispatch(handlers: LabHandlers, method: string, req: unknown): Promise<LabMethods[LabMethod]['res']> {
  if (!isLabMethod(handlers, method)) return Promise.reject(new LabError('NOT_FOUND', `unknown lab method '${method}'`));
  return handlers[method](req);
}
