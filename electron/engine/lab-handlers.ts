/**
 * The lab API as a table of handlers, one per contract method. Every payload
 * arrives as `unknown` (from IPC or HTTP) and is checked here, once, before the
 * Lab sees it; main and the HTTP server only route to these.
 */
import type { HostInfo, LabMethod, LabMethods, LabResponse, ServeSettings, ServeStatus } from '../contract/lab-api';
import { LabError } from './errors';
import type { Lab } from './lab';
import { sampleRepositories } from './samples';

export interface HostCapabilities {
  info(): HostInfo;
  /** Native folder picker; resolves null when cancelled or unavailable. */
  pickFolder(): Promise<string | null>;
  /** The Triton-compatible server, where the host provides one (the engine cannot: it lives above it). */
  serving?: ServeControl;
}

export interface ServeControl {
  status(): ServeStatus;
  start(repoId: string, settings: Partial<ServeSettings>): Promise<ServeStatus>;
  stop(): Promise<ServeStatus>;
}

const NO_SERVING: ServeStatus = { available: false, state: 'stopped', inFlight: 0, settings: { host: '127.0.0.1', httpPort: 8000, grpcPort: 8001, metricsPort: 8002 } };

function port(p: Payload, key: string): number | undefined {
  const v = optNumber(p, key);
  if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 65535)) throw new LabError('INVALID_ARG', `'${key}' must be a port number from 0 to 65535`);
  return v;
}

export type LabHandlers = { [M in LabMethod]: (req: unknown) => Promise<LabResponse<M>> };

type Payload = Record<string, unknown>;

function payload(req: unknown): Payload {
  if (req === undefined || req === null) return {};
  if (typeof req !== 'object' || Array.isArray(req)) throw new LabError('INVALID_ARG', 'the request must be a JSON object');
  return req as Payload;
}

function str(p: Payload, key: string, max = 4096): string {
  const v = p[key];
  if (typeof v !== 'string' || v.length === 0) throw new LabError('INVALID_ARG', `'${key}' must be a non-empty string`);
  if (v.length > max || v.includes('\0')) throw new LabError('INVALID_ARG', `'${key}' is not a valid value`);
  return v;
}

function bool(p: Payload, key: string): boolean {
  const v = p[key];
  if (typeof v !== 'boolean') throw new LabError('INVALID_ARG', `'${key}' must be true or false`);
  return v;
}

function optNumber(p: Payload, key: string): number | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new LabError('INVALID_ARG', `'${key}' must be a number`);
  return v;
}

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
      return host.serving.start(str(p, 'repoId'), settings);
    },
    stopServing: async () => (host.serving ? host.serving.stop() : NO_SERVING),
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
