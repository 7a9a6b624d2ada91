/** Lab API handlers for repositories and their models: open, close, reload, trust, watch, files, load and unload. */
import type { TrustDecision } from '../../contract/lab-api';
import { LabError } from '../errors';
import type { HostCapabilities, LabHandlers } from '../lab-handlers';
import type { Lab } from '../lab';
import { sampleRepositories } from '../samples';
import { bool, optNumber, payload, str } from './payload';

type RepositoryMethods = 'listRepositories' | 'openRepository' | 'openSamples' | 'closeRepository' | 'reloadRepository' | 'pickRepositoryFolder' | 'setTrust' | 'setWatch' | 'readFile' | 'applyRepair';

type ModelMethods = 'getModel' | 'loadModel' | 'unloadModel' | 'cancelLoad' | 'modelStats' | 'modelSequences' | 'modelLog';

export function createRepositoryHandlers(lab: Lab, host: HostCapabilities): Pick<LabHandlers, RepositoryMethods> {
  return {
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
    pickRepositoryFolder: async (req) => {
      const purpose = payload(req)['purpose'];
      if (purpose === undefined) return { path: await host.pickFolder() };
      if (purpose !== 'export') throw new LabError('INVALID_ARG', "'purpose' must be 'export' or left out");
      return { path: await host.pickFolder(purpose) };
    },
    setTrust: async (req) => {
      const p = payload(req);
      return lab.setTrust(str(p, 'repoId'), str(p, 'decision', 32) as TrustDecision);
    },
    setWatch: async (req) => {
      const p = payload(req);
      return lab.setWatch(str(p, 'repoId'), bool(p, 'enabled'), optNumber(p, 'pollSecs'));
    },
    readFile: async (req) => {
      const p = payload(req);
      return lab.readFile(str(p, 'repoId'), str(p, 'path'));
    },
    applyRepair: async (req) => {
      const p = payload(req);
      return lab.applyRepair(str(p, 'repoId'), str(p, 'model'), str(p, 'code', 128));
    },
  };
}

export function createModelHandlers(lab: Lab): Pick<LabHandlers, ModelMethods> {
  return {
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
    modelStats: async (req) => {
      const p = payload(req);
      return lab.modelStats(str(p, 'repoId'), str(p, 'model'));
    },
    modelSequences: async (req) => {
      const p = payload(req);
      return lab.modelSequences(str(p, 'repoId'), str(p, 'model'));
    },
    modelLog: async (req) => {
      const p = payload(req);
      return lab.modelLog(str(p, 'repoId'), str(p, 'model'));
    },
  };
}
